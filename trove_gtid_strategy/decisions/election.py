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
each guest over RPC; both build a :class:`Holding` per replica (here
from a :class:`~trove_gtid_strategy.state.ServerState`, or from the
dict a guest sent, :meth:`Holding.from_dict`) and call :func:`elect`.

The choice is made on whole GTID sets (MariaDB: whole positions, every
domain), never on one sequence number as Trove's ``_most_current_replica``
does; errant transactions are judged among the replicas themselves,
since the source is gone (a replica that was once a source shares its
transactions with the others, so they are not errant).
"""

import dataclasses

from trove_gtid_strategy.decisions import fitness as fitness_mod
from trove_gtid_strategy.decisions import handover
from trove_gtid_strategy import exceptions
from trove_gtid_strategy import flavors
from trove_gtid_strategy import gtid as gtid_sets
from trove_gtid_strategy import topology


@dataclasses.dataclass(frozen=True)
class Holding:
    """What one replica holds when its source is gone.

    ``received``: every complete transaction it holds once its relay log
    is applied (MySQL: its executed set; MariaDB: per domain, the later
    of its applied and binary log positions); None without GTIDs.
    ``own``: the transactions it wrote itself (its own ``server_uuid``),
    errant unless another replica has them too. ``binlog_state``:
    MariaDB's last GTID per (domain, server), which tells whose
    transaction a sequence number is. ``coords``: without GTIDs, the
    ``(file, position)`` of the old source it applied up to.
    ``purged`` (MySQL: its ``gtid_purged``) and ``searched`` (MariaDB:
    ``(gtid, found, where)`` of the GTIDs looked for in its binary logs)
    say whether it can serve the others once promoted
    (:mod:`~trove_gtid_strategy.decisions.fitness`); a guest that does
    not send them leaves them unknown (None, empty).
    """

    name: str
    received: object = None
    own: object = None
    binlog_state: tuple = ()
    server_id: int = 0
    coords: tuple = ()
    #: Its I/O thread still received from its source when it reported:
    #: the source is alive as this replica sees it.
    receiving: bool = False
    #: MySQL: its ``gtid_purged`` (None: not known).
    purged: object = None
    #: MariaDB: ``(MariaDBGtid, found, where)`` of the GTIDs looked for
    #: in its binary logs, ``where`` saying in which file or why not.
    searched: tuple = ()

    def to_dict(self):
        """Plain JSON types, as a guest returns it over RPC."""
        flavor = ('mysql' if isinstance(self.received, gtid_sets.GtidSet)
                  else 'mariadb' if isinstance(
                      self.received, gtid_sets.MariaDBGtidPosition)
                  else None)
        return {'name': self.name, 'flavor': flavor,
                'received': None if self.received is None
                else str(self.received),
                'own': None if self.own is None else str(self.own),
                'binlog_state': [str(g) for g in self.binlog_state],
                'server_id': self.server_id,
                'coords': list(self.coords), 'receiving': self.receiving,
                'purged': None if self.purged is None
                else str(self.purged),
                'searched': [[str(g), found, where]
                             for g, found, where in self.searched]}

    @classmethod
    def from_dict(cls, facts):
        """The inverse of :meth:`to_dict`; anything malformed raises
        :class:`~trove_gtid_strategy.exceptions.InvalidInput` naming the
        field (a guest is another process, perhaps another version).
        """
        if not isinstance(facts, dict):
            raise exceptions.InvalidInput(
                'replica facts must be a mapping, not %s'
                % type(facts).__name__)
        name = facts.get('name')
        if not isinstance(name, str) or not name:
            raise exceptions.InvalidInput('replica facts without a name')
        try:
            flavor = flavors.named(facts.get('flavor'))
            received = own = None
            if facts.get('received') is not None and flavor.style:
                received = flavor.parse_received(facts['received'])
            if facts.get('own') is not None:
                own = flavor.parse_own(facts['own'])
            binlog_state = tuple(gtid_sets.MariaDBGtid.parse(g)
                                 for g in facts.get('binlog_state') or ())
            coords = tuple(facts.get('coords') or ())
            if coords and (len(coords) != 2 or not isinstance(
                    coords[0], str) or type(coords[1]) is not int):
                raise ValueError('coords must be [file, position], not %r'
                                 % (list(coords),))
            server_id = facts.get('server_id', 0)
            if type(server_id) is not int:
                raise ValueError('server_id must be an integer, not %r'
                                 % (server_id,))
            purged = None
            if facts.get('purged') is not None:
                purged = flavor.parse_purged(facts['purged'])
            searched = tuple(_searched_item(item)
                             for item in facts.get('searched') or ())
        except (ValueError, TypeError) as exc:
            raise exceptions.InvalidInput('%s: %s' % (name, exc))
        receiving = facts.get('receiving', False)
        if type(receiving) is not bool:
            raise exceptions.InvalidInput('%s: receiving must be true or '
                                          'false, not %r' % (name, receiving))
        return cls(name, received, own, binlog_state, server_id, coords,
                   receiving, purged, searched)


def _searched_item(item):
    """One ``[gtid, found, where]`` of :attr:`Holding.searched` sent by
    another process.
    """
    if not isinstance(item, (list, tuple)) or len(item) != 3 or \
            type(item[1]) is not bool or not isinstance(item[2], str):
        raise ValueError('searched must hold [gtid, found, where], not %r'
                         % (item,))
    return (gtid_sets.MariaDBGtid.parse(item[0]), item[1], item[2])


def holding_of(name, state):
    """The :class:`Holding` of a replica from its
    :class:`~trove_gtid_strategy.state.ServerState`, read after it
    applied its relay log (a transaction fetched only in part is never
    applied, so only what it applied counts).
    """
    own = received = purged = None
    if state.gtid_executed is not None and state.has_gtids:
        received = state.gtid_executed
        purged = state.gtid_purged
        uuid = state.server_uuid.lower()
        own = gtid_sets.GtidSet()
        if uuid in received.uuids():
            for tag in received.tags(uuid):
                own = own | gtid_sets.GtidSet.from_intervals(
                    uuid, received.intervals(uuid, tag), tag)
    elif state.gtid_binlog_pos is not None:
        received = topology.mariadb_resume_position(state)
    status = state.replica
    coords = ()
    if status is not None and status.exec_log_file:
        coords = tuple(status.exec_coordinates)
    return Holding(name=name, received=received, own=own,
                   binlog_state=state.gtid_binlog_state,
                   server_id=state.server_id, coords=coords,
                   receiving=status is not None
                   and status.io_running == 'Yes', purged=purged)


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
    #: Per replica: what the candidate lacks that it received (lost for
    #: good if the candidate is promoted), as text.
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

    @property
    def ok(self):
        return self.candidate is not None and not self.problems

    def describe(self):
        return '; '.join(p.message for p in self.problems)

    def to_dict(self):
        return {'candidate': self.candidate, 'held': self.held,
                'ahead': self.ahead, 'errant': self.errant,
                'behind': self.behind,
                'problems': [p.message for p in self.problems],
                'would_lose': self.would_lose, 'fitness': self.fitness,
                'passed_over': self.passed_over}


def _mariadb_errant(holding, others):
    """GTIDs of the replica's own server_id no other replica logged."""
    errant = []
    for gtid in holding.binlog_state:
        if gtid.server_id != holding.server_id:
            continue
        seen = max((g.seq_no for other in others for g in other.binlog_state
                    if (g.domain_id, g.server_id) ==
                    (gtid.domain_id, gtid.server_id)), default=0)
        if seen < gtid.seq_no:
            errant.append(str(gtid))
    return ','.join(errant)


def _held(holding):
    return holding.received if holding.received is not None \
        else holding.coords


def _errant(holdings):
    errant = {}
    for holding in holdings:
        others = [h for h in holdings if h is not holding]
        if isinstance(holding.own, gtid_sets.GtidSet):
            shared = gtid_sets.GtidSet()
            for other in others:
                if other.received is not None:
                    shared = shared | other.received
            found = str(holding.own - shared)
        elif holding.binlog_state:
            found = _mariadb_errant(holding, others)
        else:
            found = ''
        if found:
            errant[holding.name] = found
    return errant


def _check_flavors(holdings):
    kinds = {type(h.received).__name__ for h in holdings}
    if len(kinds) > 1:
        raise exceptions.InvalidInput(
            'the replicas cannot be compared: %s' % ', '.join(
                '%s holds %s' % (h.name, 'GTIDs' if h.received is not None
                                 else 'binlog coordinates only')
                for h in holdings))


def elect(holdings, requested=None, allow_errant=False,
          allow_data_loss=False):
    """The replica to promote: the one holding everything any replica
    holds, without errant transactions.

    ``requested`` names an operator's choice; it is refused when another
    replica is ahead of it or it has errant transactions, unless
    ``allow_errant``. Without GTIDs only a candidate at exactly the
    others' coordinates keeps them following, unless ``allow_data_loss``.
    With no replica holding everything, no candidate is safe and the
    result says who holds what. Raises
    :class:`~trove_gtid_strategy.exceptions.InvalidInput` for a requested
    name that is not among the holdings, or holdings of different kinds.
    """
    holdings = list(holdings)
    if not holdings:
        raise exceptions.InvalidInput('no replicas to choose from')
    _check_flavors(holdings)
    errant = _errant(holdings)
    held = {h.name: str(h.received) if h.received is not None
            else ('%s:%d' % tuple(h.coords) if h.coords else '')
            for h in holdings}

    def lacks_of(candidate):
        return {h.name: handover.lacking(_held(candidate), _held(h))
                for h in holdings if h is not candidate}

    def fitness_of(candidate):
        return fitness_mod.judge(candidate, [h for h in holdings
                                             if h is not candidate])

    passed_over = {}

    if requested is not None:
        chosen = [h for h in holdings if h.name == requested]
        if not chosen:
            raise exceptions.InvalidInput(
                'the candidate %s is not among the replicas (%s)'
                % (requested, ', '.join(h.name for h in holdings)))
        candidate = chosen[0]
    else:
        complete = [h for h in holdings
                    if not any(lacks_of(h).values())
                    and h.name not in errant]
        judged = [(h, fitness_of(h)) for h in complete]
        fit = [h for h, found in judged if found.fit]
        passed_over = {h.name: found.describe() for h, found in judged
                       if not found.fit}
        if complete and not fit:
            return Election(None, {}, errant, {}, (topology.Problem(
                'no_fit_candidate', 'no replica holding every transaction '
                'can serve the others from its binary log: %s; %s' % (
                    '; '.join(found.describe() for _, found in judged),
                    fitness_mod.REMEDY)),), held,
                fitness={h.name: found.to_dict() for h, found in judged},
                passed_over=passed_over)
        candidate = fit[0] if fit else None
    if candidate is None:
        return Election(None, {}, errant, {}, (topology.Problem(
            'no_complete_candidate', 'no replica holds every transaction '
            'the others received (%s)%s' % (
                '; '.join('%s holds %s' % (name, text or 'nothing')
                          for name, text in sorted(held.items())),
                ' (errant: %s)' % '; '.join(
                    '%s: %s' % kv for kv in sorted(errant.items()))
                if errant else '')),), held)
    ahead = {name: text for name, text in lacks_of(candidate).items()
             if text}
    behind = {h.name: handover.lacking(_held(h), _held(candidate))
              for h in holdings if h is not candidate}
    behind = {name: text for name, text in behind.items() if text}
    problems = []
    fitness = fitness_of(candidate)
    if not fitness.fit:
        others = [h.name for h in holdings if h is not candidate
                  and not any(lacks_of(h).values()) and h.name not in errant
                  and fitness_of(h).fit]
        problems.append(topology.Problem(
            'candidate_unfit', '%s: re-seed the follower from a backup of '
            'the new source after the promotion (leave it out of this '
            'operation), or promote %s' % (
                fitness.describe(), ' or '.join(others) if others
                else 'another candidate')))
    if ahead and not allow_errant:
        problems.append(topology.Problem(
            'candidate_behind', 'the candidate %s lacks transactions other '
            'replicas received (%s): promoting it would lose them' % (
                candidate.name, '; '.join('%s has %s' % kv
                                          for kv in sorted(ahead.items())))))
    if candidate.name in errant and not allow_errant:
        problems.append(topology.Problem(
            'errant_candidate', 'the candidate %s has errant transactions '
            '(%s): every replica would stop on them' % (
                candidate.name, errant[candidate.name])))
    by_position = all(h.received is None for h in holdings)
    if by_position and (ahead or behind) and not allow_data_loss:
        problems.append(topology.Problem(
            'positions_differ', 'without GTIDs only replicas that applied '
            'exactly as much of the old source can follow the new one: %s'
            % '; '.join('%s lacks %s' % kv for kv in
                        sorted(dict(behind, **ahead).items()))))
    would_lose = ahead if (allow_errant or allow_data_loss) else {}
    return Election(candidate.name, ahead, errant, behind, tuple(problems),
                    held, would_lose, fitness.to_dict(), passed_over)
