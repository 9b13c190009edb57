# Copyright 2026 The trove-gtid-strategy authors
#
# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""Choosing a new source among replicas whose source is gone: pure.

One decision for every caller: ``trove-gtid failover`` reads the
replicas itself, Trove's taskmanager (``trove_gtid_strategy.trove``) asks
each guest over RPC; both build a :class:`Holding` per replica
(:mod:`~trove_gtid_strategy.decisions.holding`: from a
:class:`~trove_gtid_strategy.state.ServerState`, or from the dict a guest
sent) and call :func:`elect`.

The choice is made on whole GTID sets (MariaDB: whole positions, every
domain), never on one sequence number as Trove's ``_most_current_replica``
does. What must be kept, and what is errant, is judged among the
replicas themselves by where each transaction could have come from
(:mod:`~trove_gtid_strategy.decisions.lineage`): the candidate is a
replica holding the lost source's whole lineage without errant
transactions; choosing one that lacks part of the lineage needs
``allow_data_loss``, one that would spread errant transactions
``allow_errant``. Every result and refusal carries the judgment
(:meth:`Election.to_dict`).
"""

import dataclasses

from trove_gtid_strategy.decisions import fitness as fitness_mod
from trove_gtid_strategy.decisions import handover
from trove_gtid_strategy.decisions import holding as holding_mod
from trove_gtid_strategy.decisions import lineage
from trove_gtid_strategy import exceptions
from trove_gtid_strategy import topology


#: The facts :func:`elect` judges, per replica (kept here for callers).
Holding = holding_mod.Holding
holding_of = holding_mod.holding_of


def still_receiving(holdings):
    """The replicas whose I/O thread still received from their source:
    while there is one, the source is not lost, only out of reach of
    whoever asks, and promoting another server would leave two writable
    ones.
    """
    return [h.name for h in holdings if h.receiving]


@dataclasses.dataclass(frozen=True)
class Election:
    """The outcome of :func:`elect`."""

    candidate: str | None
    #: Per replica: lineage transactions it holds that the candidate
    #: lacks (lost for good if the candidate is promoted), as text.
    ahead: dict
    #: Per replica: its errant transactions, as text.
    errant: dict
    #: Per replica: what it lacks that the candidate has (it catches up
    #: from the candidate, or, without GTIDs, cannot).
    behind: dict
    problems: tuple = ()
    #: Per replica: what it holds, as text (for the operator's decision).
    held: dict = dataclasses.field(default_factory=dict)
    #: What the overrides given let the promotion lose, per replica.
    would_lose: dict = dataclasses.field(default_factory=dict)
    #: The chosen candidate's fitness to serve the others
    #: (:meth:`~trove_gtid_strategy.decisions.fitness.Fitness.to_dict`).
    fitness: dict = dataclasses.field(default_factory=dict)
    #: Complete replicas passed over as unfit: per replica, why.
    passed_over: dict = dataclasses.field(default_factory=dict)
    #: The lineage judgment
    #: (:meth:`~trove_gtid_strategy.decisions.lineage.Judgment.to_dict`):
    #: the lost source, the lineage, what each replica lacks of it, and
    #: what choosing each would lose and spread.
    lineage: dict = dataclasses.field(default_factory=dict)
    #: The errant transactions ``allow_errant`` lets the candidate spread.
    would_spread: str = ''

    @property
    def ok(self):
        return self.candidate is not None and not self.problems

    def describe(self):
        return '; '.join(p.message for p in self.problems)

    def to_dict(self):
        return dict({'candidate': self.candidate, 'held': self.held,
                     'ahead': self.ahead, 'errant': self.errant,
                     'behind': self.behind,
                     'problems': [p.message for p in self.problems],
                     'would_lose': self.would_lose,
                     'would_spread': self.would_spread,
                     'fitness': self.fitness,
                     'passed_over': self.passed_over}, **self.lineage)


def _held(holding):
    return holding.received if holding.received is not None \
        else holding.coords


def _check_flavors(holdings):
    kinds = {type(h.received).__name__ for h in holdings}
    if len(kinds) > 1:
        raise exceptions.InvalidInput(
            'the replicas cannot be compared: %s' % ', '.join(
                '%s holds %s' % (h.name, 'GTIDs' if h.received is not None
                                 else 'binlog coordinates only')
                for h in holdings))


def _held_text(holding):
    """What a replica holds, as text: its GTIDs, else its coordinates."""
    if holding.received is not None:
        return str(holding.received)
    return '%s:%d' % tuple(holding.coords) if holding.coords else ''


def _sets(judged, holdings):
    """Each replica's set, what it lacks of the lineage and its errant
    transactions, as one text for a refusal.
    """
    return '; '.join(
        '%s holds %s%s%s' % (
            h.name, _held_text(h) or 'nothing',
            ', lacking %s' % judged.lacks(h.name) if judged.lacks(h.name)
            else '',
            ', errant %s' % judged.spreads(h.name)
            if judged.spreads(h.name) else '')
        for h in sorted(holdings, key=lambda h: h.name))


def _permitted(holdings, judged, allow_errant, allow_data_loss):
    """The replicas that may be chosen: complete ones, or, with none, those
    the overrides allow, the least harmful first.
    """
    complete = [h for h in holdings if judged.complete(h.name)]
    if complete:
        return complete
    allowed = [h for h in holdings
               if (allow_data_loss or not judged.lacks(h.name))
               and (allow_errant or not judged.spreads(h.name))]
    return sorted(allowed, key=lambda h: judged.cost(h.name))


def _choose(holdings, judged, fitness, allow_errant, allow_data_loss):
    """``(candidate, passed_over, refusal)``: the first fit replica among
    those that may be chosen (:func:`_permitted`), the unfit ones passed
    over with why, or the :class:`~trove_gtid_strategy.topology.Problem`
    refusing them all.
    """
    permitted = _permitted(holdings, judged, allow_errant, allow_data_loss)
    fit = [h for h in permitted if fitness[h.name].fit]
    passed_over = {h.name: fitness[h.name].describe()
                   for h in permitted if not fitness[h.name].fit}
    if fit:
        return fit[0], passed_over, None
    if permitted:
        return None, passed_over, topology.Problem(
            'no_fit_candidate', 'no replica holding every transaction can '
            'serve the others from its binary log: %s; %s' % (
                '; '.join(passed_over.values()), fitness_mod.REMEDY))
    return None, {}, topology.Problem(
        'no_complete_candidate', 'no replica holds every transaction of '
        'the lost source\'s lineage without errant ones (%s): promoting '
        'one would lose or spread transactions (--allow-data-loss, '
        '--allow-errant-candidate: the least harmful, or the one '
        '--candidate names)' % _sets(judged, holdings))


def _candidate_problems(candidate, judged, fitness, fit_others,
                        allow_errant, allow_data_loss):
    """Why ``candidate`` may not be promoted: unfit, loses lineage
    transactions, spreads errant ones (the last two unless allowed).
    """
    problems = []
    if not fitness.fit:
        problems.append(topology.Problem(
            'candidate_unfit', '%s: re-seed the follower from a backup of '
            'the new source after the promotion (leave it out of this '
            'operation), or promote %s' % (
                fitness.describe(), ' or '.join(fit_others) if fit_others
                else 'another candidate')))
    ahead = judged.ahead_of(candidate.name)
    if ahead and not allow_data_loss:
        problems.append(topology.Problem(
            'candidate_behind', 'the candidate %s lacks transactions of the '
            'lost source\'s lineage other replicas hold (%s): promoting it '
            'would lose them (--allow-data-loss)' % (
                candidate.name, '; '.join('%s has %s' % kv
                                          for kv in sorted(ahead.items())))))
    if judged.spreads(candidate.name) and not allow_errant:
        problems.append(topology.Problem(
            'errant_candidate', 'the candidate %s has errant transactions '
            '(%s): promoted, it would spread them to every replica '
            '(--allow-errant-candidate)' % (
                candidate.name, judged.spreads(candidate.name))))
    return problems


def elect(holdings, requested=None, allow_errant=False,
          allow_data_loss=False):
    """The replica to promote: one holding the lost source's whole
    lineage without errant transactions
    (:mod:`~trove_gtid_strategy.decisions.lineage`), fit to serve the
    others from its binary log.

    ``requested`` names an operator's choice. A candidate (requested, or
    the least harmful when none is complete) that lacks lineage
    transactions needs ``allow_data_loss``, one with errant transactions
    ``allow_errant``. Without GTIDs only a candidate at exactly the
    others' coordinates keeps them following, unless ``allow_data_loss``.
    A refusal names every replica's set, what it lacks and its errant
    transactions. Raises
    :class:`~trove_gtid_strategy.exceptions.InvalidInput` for a requested
    name that is not among the holdings, or holdings of different kinds.
    """
    holdings = list(holdings)
    if not holdings:
        raise exceptions.InvalidInput('no replicas to choose from')
    _check_flavors(holdings)
    judged = lineage.judge(holdings)
    held = {h.name: _held_text(h) for h in holdings}
    errant = {h.name: judged.spreads(h.name) for h in holdings
              if judged.spreads(h.name)}
    found = dict(held=held, lineage=judged.to_dict())
    # A replica with errant transactions is named, not served: no
    # candidate without them has its position (MariaDB: in its binary
    # log), so it would make every candidate unfit.
    fitness = {h.name: fitness_mod.judge(h, [o for o in holdings
                                             if o is not h
                                             and o.name not in errant])
               for h in holdings}
    passed_over = {}
    if requested is not None:
        chosen = [h for h in holdings if h.name == requested]
        if not chosen:
            raise exceptions.InvalidInput(
                'the candidate %s is not among the replicas (%s)'
                % (requested, ', '.join(h.name for h in holdings)))
        candidate = chosen[0]
    else:
        candidate, passed_over, refused = _choose(
            holdings, judged, fitness, allow_errant, allow_data_loss)
        if refused:
            return Election(None, {}, errant, {}, (refused,),
                            fitness={name: fitness[name].to_dict()
                                     for name in passed_over},
                            passed_over=passed_over, **found)
    behind = {h.name: handover.lacking(_held(h), _held(candidate))
              for h in holdings if h is not candidate}
    behind = {name: text for name, text in behind.items() if text}
    fit_others = [h.name for h in holdings if h is not candidate
                  and judged.complete(h.name) and fitness[h.name].fit]
    problems = _candidate_problems(candidate, judged,
                                   fitness[candidate.name], fit_others,
                                   allow_errant, allow_data_loss)
    ahead = judged.ahead_of(candidate.name)
    by_position = all(h.received is None for h in holdings)
    if by_position and (ahead or behind) and not allow_data_loss:
        problems.append(topology.Problem(
            'positions_differ', 'without GTIDs only replicas that applied '
            'exactly as much of the old source can follow the new one: %s'
            % '; '.join('%s lacks %s' % kv for kv in
                        sorted(dict(behind, **ahead).items()))))
    return Election(
        candidate.name, ahead, errant, behind, tuple(problems),
        would_lose=ahead if allow_data_loss else {},
        would_spread=judged.spreads(candidate.name) if allow_errant else '',
        fitness=fitness[candidate.name].to_dict(), passed_over=passed_over,
        **found)
