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

"""Can this replica replicate from that source? Pure pre-checks.

Before an attach (and, later, a promotion) the replica's transactions are
compared with the source's:

* **errant** transactions: on the replica, not on the source (local writes,
  seed 004). With GTIDs the source would never send them, and a promoted
  replica would send them to everyone: replication breaks (1007, 1236);
* **missing purged** transactions: the replica needs them, the source has
  already purged their binary logs: replication stops with error 1236.

The verdict uses the names of the roadmap's topology commands:

``NEW``           the replica has no transactions yet;
``IDENTICAL``     it has exactly the source's;
``RECOVERABLE``   it is behind, and the source still has what it needs;
``IRRECOVERABLE`` it is behind, and the source purged some of what it needs;
``DIVERGED``      it has transactions the source does not have.

Results are structured (:class:`PrecheckResult`), so callers can show or
act on them; the strategy raises :class:`PrecheckFailed` when one is not
``ok``. Which comparison applies is each mode driver's rule
(:mod:`trove_gtid_strategy.modes`); the comparisons themselves are here.
"""

import dataclasses
import enum

from trove_gtid_strategy import gtid as gtid_sets


class Verdict(str, enum.Enum):
    NEW = 'NEW'
    IDENTICAL = 'IDENTICAL'
    RECOVERABLE = 'RECOVERABLE'
    IRRECOVERABLE = 'IRRECOVERABLE'
    DIVERGED = 'DIVERGED'

    def __str__(self):
        return self.value


ATTACHABLE = (Verdict.NEW, Verdict.IDENTICAL, Verdict.RECOVERABLE)


@dataclasses.dataclass(frozen=True)
class Problem:
    """One reason to refuse; ``code`` is stable for programs to test."""

    code: str
    message: str


@dataclasses.dataclass(frozen=True)
class PrecheckResult:
    """The outcome of the checks before an attach.

    ``notes`` say what could not be checked (errant transactions without
    GTIDs) or what was decided (where replication starts), for the
    operator to read.
    """

    verdict: Verdict | None
    problems: tuple = ()
    errant: str = ''
    missing: str = ''
    notes: tuple = ()

    @property
    def ok(self):
        return not self.problems

    def describe(self):
        if self.ok:
            return 'pre-checks passed (%s)' % self.verdict
        return '; '.join(p.message for p in self.problems)


def classify_gtid_sets(source_executed, source_purged, replica_executed):
    """Verdict, errant set and missing-purged set for MySQL GTID sets."""
    errant = replica_executed - source_executed
    missing = (source_executed - replica_executed) & source_purged
    if errant:
        verdict = Verdict.DIVERGED
    elif missing:
        verdict = Verdict.IRRECOVERABLE
    elif not replica_executed:
        verdict = Verdict.NEW
    elif replica_executed == source_executed:
        verdict = Verdict.IDENTICAL
    else:
        verdict = Verdict.RECOVERABLE
    return verdict, errant, missing


def classify_mariadb_positions(source_pos, source_purged, replica_pos,
                               source_state=None):
    """Verdict, errant GTIDs and missing domains for MariaDB positions.

    MariaDB orders GTIDs by sequence number within a domain, so a replica
    ahead of the source in a domain diverged. Sequence numbers alone miss
    a replica's own write numbered below the source's, so when the
    source's ``gtid_binlog_state`` is known, a replica GTID also counts as
    errant unless the source logged that server's transactions up to it.
    The replica cannot recover if the source's oldest binary log starts
    after the replica's position in a domain.
    """
    seen = None
    if source_state is not None:
        seen = {(g.domain_id, g.server_id): g.seq_no for g in source_state}

    def is_errant(g):
        known = source_pos.get(g.domain_id)
        if known is None or known.seq_no < g.seq_no:
            return True
        if seen is not None:
            return seen.get((g.domain_id, g.server_id), 0) < g.seq_no
        return known.seq_no == g.seq_no and known.server_id != g.server_id

    errant = [g for g in replica_pos if is_errant(g)]
    missing = [p for p in source_purged
               if replica_pos.get(p.domain_id) is None
               or replica_pos.get(p.domain_id).seq_no < p.seq_no]
    if errant:
        verdict = Verdict.DIVERGED
    elif missing:
        verdict = Verdict.IRRECOVERABLE
    elif not replica_pos:
        verdict = Verdict.NEW
    elif replica_pos == source_pos:
        verdict = Verdict.IDENTICAL
    else:
        verdict = Verdict.RECOVERABLE
    return (verdict, ','.join(str(g) for g in errant),
            ','.join(str(p) for p in missing))


def common_problems(source, replica):
    """Problems every mode refuses: incompatible or older servers, one
    ``server_id`` for both, a source without a binary log, a replica
    whose ``sql_mode`` would misread our quoted literals.
    """
    problems = []

    def refuse(code, message):
        problems.append(Problem(code, message))

    sv, rv = source.version, replica.version
    if sv.flavor.is_mysql_family != rv.flavor.is_mysql_family:
        refuse('flavor_mismatch', 'source is %s but replica is %s: MySQL '
               'and MariaDB replication are not compatible' % (sv, rv))
    elif rv.number < sv.number:
        refuse('replica_older', 'replica %s is older than source %s: a '
               'replica must run the same or a newer version' % (rv, sv))
    if source.server_id == replica.server_id:
        refuse('same_server_id', 'source and replica both have server_id '
               '%d: every server needs its own' % source.server_id)
    elif source.replica is not None and \
            source.replica.source_server_id == replica.server_id:
        # Known where the source was read as its administrator (the
        # command line); each would replicate from the other, both read
        # only: no server left to write to.
        refuse('replication_loop', 'the source replicates from this '
               'replica (server_id %d): attaching would make each a '
               'replica of the other; swap --source and --replica, or '
               'detach the source first' % replica.server_id)
    if not source.log_bin:
        refuse('source_no_binlog', 'the source does not write a binary '
               'log: enable it as a source first')
    if replica.no_backslash_escapes:
        refuse('no_backslash_escapes', 'the replica runs with sql_mode '
               'NO_BACKSLASH_ESCAPES, under which quoted passwords and '
               'hosts would be read wrongly')
    return problems


def verdict_problem(verdict, errant, missing):
    """The refusal a DIVERGED or IRRECOVERABLE verdict stands for."""
    if verdict is Verdict.DIVERGED:
        return Problem('errant_transactions', 'the replica has '
                       'transactions the source does not have (errant: '
                       '%s); remove them or re-seed the replica from a '
                       'backup of the source' % errant)
    if verdict is Verdict.IRRECOVERABLE:
        return Problem('purged_binlogs', 'the source has purged binary '
                       'logs the replica still needs (%s); re-seed the '
                       'replica from a recent backup' % missing)
    return None


def mariadb_resume_position(state):
    """Where a MariaDB server resumes as a replica: per domain, the later
    of its slave position and its own binary log position.

    A demoted source holds its own transactions in its binary log only;
    the mode driver's checks prove they exist on the new source.
    """
    empty = gtid_sets.MariaDBGtidPosition()
    return (state.gtid_slave_pos or empty).union(
        state.gtid_binlog_pos or empty)


# -- choosing a new source among replicas whose source is gone -----------

@dataclasses.dataclass(frozen=True)
class Holding:
    """What one replica holds when its source is gone.

    ``received``: everything it has or has fetched (MySQL executed plus
    retrieved GTIDs; MariaDB the later of its applied and I/O positions
    per domain); ``own``: the transactions it wrote itself (its own
    ``server_uuid`` / ``server_id``), errant unless another replica has
    them too (a replica that was once a source shared them).
    ``binlog_state``: MariaDB's last GTID per (domain, server), which tells
    whose transaction a sequence number is. ``coords``: without GTIDs,
    the ``(file, position)`` of the old source its I/O thread read to.
    """

    name: str
    received: object = None
    own: object = None
    binlog_state: tuple = ()
    server_id: int = 0
    coords: tuple = ()


@dataclasses.dataclass(frozen=True)
class Election:
    """The outcome of :func:`choose_candidate`."""

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

    @property
    def ok(self):
        return self.candidate is not None and not self.problems


def _coords_key(coords):
    log_file, log_pos = coords
    base, _, number = log_file.rpartition('.')
    return (base, int(number) if number.isdigit() else -1, log_pos)


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


def _lacks(have, other):
    """What ``have`` lacks of ``other`` (text; '' when nothing)."""
    if isinstance(have, gtid_sets.GtidSet):
        return str(other - have)
    if isinstance(have, gtid_sets.MariaDBGtidPosition):
        return str(other.domains_ahead_of(have))
    if not other:
        return ''
    if not have or _coords_key(have) < _coords_key(other):
        return 'from %s:%d to %s:%d' % (tuple(have or ('?', 0))
                                        + tuple(other))
    return ''


def choose_candidate(holdings, requested=None, allow_errant=False):
    """The replica to promote: the one holding everything any replica
    received, judged on whole sets (never on one sequence number, as
    Trove's ``get_latest_txn_id`` does).

    ``requested`` names an operator's choice; it is refused when another
    replica is ahead of it or it has errant transactions, unless
    ``allow_errant``. Without a single replica holding everything, no
    candidate is safe and the result says who holds what.
    """
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

    def lacks_of(candidate):
        return {h.name: _lacks(candidate.received if candidate.received
                               is not None else candidate.coords,
                               h.received if h.received is not None
                               else h.coords)
                for h in holdings if h is not candidate}

    problems = []
    if requested is not None:
        chosen = [h for h in holdings if h.name == requested]
        if not chosen:
            raise ValueError('the candidate %s is not among the replicas'
                             % requested)
        candidate = chosen[0]
    else:
        complete = [h for h in holdings
                    if not any(lacks_of(h).values())
                    and h.name not in errant]
        candidate = complete[0] if complete else None
    if candidate is None:
        return Election(None, {}, errant, {}, (Problem(
            'no_complete_candidate', 'no replica holds every transaction '
            'the others received%s' % (
                ' (errant: %s)' % '; '.join(
                    '%s: %s' % kv for kv in sorted(errant.items()))
                if errant else '')),))
    ahead = {name: text for name, text in lacks_of(candidate).items()
             if text}
    behind = {}
    for holding in holdings:
        if holding is candidate:
            continue
        text = _lacks(holding.received if holding.received is not None
                      else holding.coords,
                      candidate.received if candidate.received is not None
                      else candidate.coords)
        if text:
            behind[holding.name] = text
    if ahead and not allow_errant:
        problems.append(Problem(
            'candidate_behind', 'the candidate %s lacks transactions other '
            'replicas received (%s): promoting it would lose them' % (
                candidate.name, '; '.join('%s has %s' % kv
                                          for kv in sorted(ahead.items())))))
    if candidate.name in errant and not allow_errant:
        problems.append(Problem(
            'errant_candidate', 'the candidate %s has errant transactions '
            '(%s): every replica would stop on them' % (
                candidate.name, errant[candidate.name])))
    return Election(candidate.name, ahead, errant, behind, tuple(problems))
