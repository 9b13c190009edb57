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

"""What ``check`` concludes beyond the verdict: errant transactions
described, what could not be checked, and a remedy per problem. Pure.

The remedies include the empty transactions to inject on a MySQL source
for errant ones that changed nothing (seed 004).
"""

import dataclasses

from trove_gtid_strategy import capabilities
from trove_gtid_strategy import dialect
from trove_gtid_strategy import gtid as gtid_sets
from trove_gtid_strategy import replication_view
from trove_gtid_strategy import topology

#: Most empty transactions a remedy lists; more errant transactions than
#: that were not maintenance slips.
MAX_INJECTED = 100


# -- check: what could not be checked, errant details, remedies --------

def gtid_comparison(source, replica):
    """``(verdict, errant, missing)`` by GTIDs whatever the mode, or None
    when either server has none. MariaDB compares the position the
    replica resumes from (its own writes included).
    """
    if source.gtid_binlog_pos is not None and \
            replica.gtid_binlog_pos is not None:
        return topology.classify_mariadb_positions(
            source.gtid_binlog_pos,
            source.purged_position or gtid_sets.MariaDBGtidPosition(),
            topology.mariadb_resume_position(replica),
            source.gtid_binlog_state or None)
    if source.has_gtids and replica.has_gtids and \
            source.gtid_executed is not None and \
            replica.gtid_executed is not None:
        verdict, errant, missing = topology.classify_gtid_sets(
            source.gtid_executed,
            source.gtid_purged or gtid_sets.GtidSet(),
            replica.gtid_executed)
        return verdict, str(errant), str(missing)
    return None


def unchecked(source, replica):
    """What cannot be checked between these two servers, in sentences."""
    if source.has_gtids and replica.has_gtids:
        return ()
    pairs = (('the source', source), ('the replica', replica))
    which = ' and '.join(name for name, state in pairs
                         if not state.has_gtids)
    return (
        'errant transactions: %s %s no GTIDs, so writes made on the replica '
        'alone cannot be told apart' % (
            which, 'have' if ' and ' in which else 'has'),
        'identical data: without GTIDs only binary log coordinates are '
        'compared, and they say nothing of data written outside '
        'replication',
    )


def former_source(source, replica, replicating=False):
    """True when the source holds some of the replica's own transactions
    and the replica does not replicate from it: the replica was once its
    source (or its source's source), so its own errant transactions are a
    former source's writes that never arrived. (A replica of this source
    whose earlier errant writes were covered by empty transactions holds
    its own GTIDs on the source too, but it replicates from it.)
    """
    if replicating:
        return False
    if replica.gtid_binlog_pos is not None:
        return any(g.server_id == replica.server_id
                   for g in source.gtid_binlog_state or ())
    uuid = (replica.server_uuid or '').lower()
    executed = source.gtid_executed
    return bool(uuid and executed is not None and uuid in executed.uuids())


def errant_detail(source, replica, errant):
    """The errant transactions named, one sentence per origin."""
    if not errant:
        return ()
    if replica.gtid_binlog_pos is not None:
        return _mariadb_errant_detail(source, replica, errant)
    errant_set = replication_view.parse_set(errant)
    if errant_set is None:
        return (errant,)
    own = (replica.server_uuid or '').lower()
    lines = []
    for uuid in errant_set.uuids():
        part = gtid_sets.GtidSet()
        for tag in errant_set.tags(uuid):
            part |= gtid_sets.GtidSet.from_intervals(
                uuid, errant_set.intervals(uuid, tag), tag)
        if uuid == own:
            origin = 'written on the replica itself'
        elif uuid == (source.server_uuid or '').lower():
            origin = ('numbered by the source\'s own server_uuid, but not '
                      'in its executed set')
        else:
            origin = 'from server %s, which the source never received' % uuid
        lines.append('%s: %d transaction%s %s' % (
            part, part.count(), '' if part.count() == 1 else 's', origin))
    return tuple(lines)


def _mariadb_errant_detail(source, replica, errant):
    """Per errant GTID, the sequence numbers it stands for: after the
    last one of that server the source logged, and after what the
    replica applied from a source (its ``gtid_slave_pos``), up to it.
    MariaDB numbers a domain's transactions one by one, so these are at
    most that many transactions, in the replica's binary log.
    """
    seen = {(g.domain_id, g.server_id): g.seq_no
            for g in source.gtid_binlog_state or ()}
    lines = []
    for g in gtid_sets.MariaDBGtidPosition.parse(errant):
        last = seen.get((g.domain_id, g.server_id))
        applied = replication_view.seq(replica.gtid_slave_pos, g.domain_id)
        first = max(last or 0, applied if applied < g.seq_no else 0) + 1
        who = ('the replica itself' if g.server_id == replica.server_id
               else 'server_id %d' % g.server_id)
        numbers = ('seq_no %d' % g.seq_no if first >= g.seq_no
                   else 'seq_no %d to %d' % (first, g.seq_no))
        if last is not None:
            after = ('after %d-%d-%d, the last of them the source logged'
                     % (g.domain_id, g.server_id, last))
        else:
            after = 'none of which the source logged'
        lines.append('%s: domain %d, transactions of %s with %s, %s'
                     % (g, g.domain_id, who, numbers, after))
    return tuple(lines)


@dataclasses.dataclass(frozen=True)
class Remedy:
    """What to do about one problem. ``statements`` (when given) are to
    run in order on the server named by ``run_on``.
    """

    problem: str
    action: str
    text: str
    run_on: str = ''
    statements: tuple = ()

    def to_dict(self):
        found = dataclasses.asdict(self)
        found['statements'] = list(self.statements)
        return found


def empty_transactions(source, errant):
    """Statements committing one empty transaction per errant GTID on a
    MySQL source, or () when there are too many (see
    :data:`MAX_INJECTED`) or the source has no MySQL GTIDs.
    """
    errant_set = replication_view.parse_set(errant)
    if not errant_set or source.gtid_executed is None or \
            errant_set.count() > MAX_INJECTED:
        return ()
    d = dialect.Dialect(capabilities.capabilities_for(source.version))
    statements = []
    for uuid in errant_set.uuids():
        for tag in errant_set.tags(uuid):
            for start, end in errant_set.intervals(uuid, tag):
                for n in range(start, end + 1):
                    name = '%s:%s%d' % (uuid, tag + ':' if tag else '', n)
                    statements += [s.sql for s in
                                   d.skip_transaction(name)[:3]]
    statements.append("SET gtid_next = 'AUTOMATIC'")
    return tuple(statements)


_REMEDIES = {
    'purged_binlogs': ('reseed', 'the transactions it lacks are gone from '
                       'the source\'s binary logs: restore a recent backup '
                       'of the source on the replica and attach with it as '
                       'the seed'),
    'seed_required': ('reseed', 'restore a backup of the source on the '
                      'replica and attach with it as the seed'),
    'behind_start_point': ('reseed', 'attach it in GTID mode (the source '
                           'sends what it lacks), or re-seed it from a '
                           'backup of the source'),
    'unverifiable_start': ('reseed', 'attach it from a backup of the source '
                           '(a seed): without GTIDs nothing else proves '
                           'where it stands'),
    'not_at_promotion_point': ('reseed', 're-seed it from a backup of the '
                               'new source'),
    'no_start_position': ('enable_source', 'enable the source\'s binary '
                          'log (attach enables it) and check again'),
    'source_no_binlog': ('enable_source', 'enable the source\'s binary log '
                         '(attach enables it) and check again'),
    'crash_unsafe': ('use_gtid_mode', 'check and attach in GTID mode '
                     '(--mode auto), or accept the risk with '
                     '--allow-crash-unsafe'),
    'gtid_mode_off': ('enable_gtid_mode', 'raise gtid_mode one step at a '
                      'time (OFF_PERMISSIVE, ON_PERMISSIVE, ON) on both '
                      'servers with enforce_gtid_consistency = ON, or check '
                      'in binlog mode'),
    'same_server_id': ('change_server_id', 'give one of the servers another '
                       'server_id (every server needs its own)'),
    'flavor_mismatch': ('discard', 'replicate MySQL from MySQL and MariaDB '
                        'from MariaDB: use another replica'),
    'replica_older': ('upgrade_replica', 'upgrade the replica to the '
                      'source\'s version or newer'),
    'no_backslash_escapes': ('fix_sql_mode', 'remove NO_BACKSLASH_ESCAPES '
                             'from the replica\'s global sql_mode'),
    'mode_mismatch': ('choose_mode', 'check both servers in one mode '
                      '(--mode binlog works on every server)'),
}


def remedies(problems, source, replica, mode, errant, replicating=False):
    """One :class:`Remedy` per problem (``topology.Problem`` values);
    ``replicating``: the replica replicates from this source now.
    """
    found = []
    for problem in problems:
        if problem.code == 'errant_transactions':
            found.append(_errant_remedy(source, replica, errant,
                                        replicating))
            continue
        action, text = _REMEDIES.get(problem.code, (
            'see_problem', problem.message))
        found.append(Remedy(problem.code, action, text))
    return tuple(found)


def _errant_remedy(source, replica, errant, replicating):
    if former_source(source, replica, replicating):
        return Remedy('errant_transactions', 'discard', (
            'the replica is a former source: its transactions %s never '
            'reached this source (lost in a failover) and cannot be replayed'
            ' in order now; save them from its binary log if they matter, '
            'then discard it and build a new replica from a backup of this '
            'source' % errant))
    own_only = False
    errant_set = (replication_view.parse_set(errant)
                  if replica.gtid_binlog_pos is None else None)
    if errant_set:
        own_only = set(errant_set.uuids()) <= {
            (replica.server_uuid or '').lower()}
    statements = empty_transactions(source, errant) if own_only else ()
    if statements:
        return Remedy('errant_transactions', 'inject_empty_transactions', (
            'if the transactions %s written on the replica changed nothing '
            'the source needs (maintenance run without sql_log_bin = 0, seed '
            '004), commit one empty transaction per GTID on the source so '
            'every server holds them; if they changed data, re-seed the '
            'replica from a backup of the source instead' % errant),
            run_on='source', statements=statements)
    return Remedy('errant_transactions', 'reseed', (
        'the replica holds transactions the source does not (%s): re-seed '
        'it from a backup of the source, or discard it' % errant))


def refine_binlog_verdict(verdict, source, replica):
    """Binlog mode names a replica resuming from its own applied position
    RECOVERABLE; it is IDENTICAL when it applied up to the source's own
    position.
    """
    status = replica.replica
    if verdict is not topology.Verdict.RECOVERABLE or status is None or \
            not source.binlog_position:
        return verdict
    if tuple(status.exec_coordinates) == tuple(source.binlog_position):
        return topology.Verdict.IDENTICAL
    return verdict
