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
    #: A refused failover's election (``Election.to_dict()``): every
    #: replica's set, what it lacks and has extra, and what choosing
    #: each would lose or spread, for the operator to decide.
    election: dict = dataclasses.field(default_factory=dict)

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
