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

"""MariaDB: a replica's own errant GTIDs removed from its binary log
state (see :mod:`~trove_gtid_strategy.operations.repair`).
"""

from trove_gtid_strategy.binlog import events as binlog_headers
from trove_gtid_strategy import capabilities
from trove_gtid_strategy import dialect
from trove_gtid_strategy import exceptions
from trove_gtid_strategy import gtid as gtid_sets
from trove_gtid_strategy.guest import log_reader
from trove_gtid_strategy import literals
from trove_gtid_strategy.operations.repair import judging
from trove_gtid_strategy.state import text as _text
from trove_gtid_strategy import topology


def errant_test(src):
    """A function telling whether a GTID is errant: not in the history
    of the source whose state is ``src``.
    """
    def errant(g):
        verdict = topology.classify_mariadb_positions(
            src.gtid_binlog_pos, gtid_sets.MariaDBGtidPosition(),
            gtid_sets.MariaDBGtidPosition([g]), src.gtid_binlog_state)[0]
        return verdict is topology.Verdict.DIVERGED
    return errant


def _transactions(replica, rep, is_errant):
    """``(found, purged)``: ``{gtid: Transaction}`` of the errant GTIDs in
    the replica's binary logs (reading the files whose ``Gtid_list``
    shows an errant pair advancing), and the errant GTIDs known to be in
    purged files (the first file starting past them).
    """
    files = list(rep.binlog_files or ())
    if not files:
        return {}, []
    starts = []
    for log_name in files:
        listed = binlog_headers.gtid_list(
            log_reader.header(replica, log_name))
        starts.append({(g.domain_id, g.server_id): g
                       for g in listed or ()})
    final = {(g.domain_id, g.server_id): g for g in rep.gtid_binlog_state}
    purged = [g for g in starts[0].values() if is_errant(g)]
    found = {}
    for index, log_name in enumerate(files):
        after = starts[index + 1] if index + 1 < len(files) else final
        before = starts[index]
        if not any(is_errant(g) and (pair not in before or
                                     before[pair].seq_no < g.seq_no)
                   for pair, g in after.items()):
            continue

        def wanted(text):
            try:
                return is_errant(gtid_sets.MariaDBGtid.parse(text))
            except exceptions.InvalidGtidSet:
                return False
        for txn in log_reader.transactions(replica, log_name, wanted):
            found.setdefault(txn.gtid, txn)
    return found, purged


def plan(source, replica, src, rep, accept, result):
    is_errant = errant_test(src)
    resume = topology.mariadb_resume_position(rep)
    verdict, errant, _ = topology.classify_mariadb_positions(
        src.gtid_binlog_pos, gtid_sets.MariaDBGtidPosition(), resume,
        src.gtid_binlog_state)
    result.errant = errant
    if verdict is not topology.Verdict.DIVERGED:
        result.decision = judging.NOTHING_TO_DO
        return
    found, purged = _transactions(replica, rep, is_errant)
    items = {}

    own = judging.own_origin(source, src, rep)

    def origin(g):
        return own if g.server_id == rep.server_id else judging.OTHER_SERVER

    for text, txn in found.items():
        g = gtid_sets.MariaDBGtid.parse(text)
        items[text] = (g, txn)
    for g in list(purged) + [g for g in resume if is_errant(g)]:
        items.setdefault(str(g), (g, None))
    for text, (g, txn) in sorted(items.items(), key=lambda kv: (
            kv[1][0].domain_id, kv[1][0].seq_no)):
        item = judging.ErrantTransaction(text, origin(g), '', judging.UNKNOWN)
        if txn is None and g in purged:
            item.reason = ('in a purged binary log (the replica\'s oldest '
                           'binary log starts after it)')
        judging.judge(item, txn, source, replica, accept)
        result.transactions.append(item)
    if judging.refused(result):
        return
    ahead = [str(g) for g in rep.gtid_slave_pos or () if is_errant(g)]
    if ahead:
        result.decision = judging.REFUSED
        result.remedy = (
            'the replica applied %s from a source (its gtid_slave_pos), '
            'which this source does not have: its history is behind the '
            'replica\'s, and resetting the replica\'s binary log would not '
            'change that; %s' % (', '.join(ahead), judging.RESEED))
        return
    downstream = replica.execute_sql(
        dialect.binlog_dump_sessions().sql).fetchall()
    if downstream:
        result.decision = judging.REFUSED
        result.remedy = (
            'the replica has replicas of its own connected (%s): '
            'resetting its binary log would cut them off, and those that '
            'received the errant GTIDs would need the same repair; detach '
            'them first, or %s' % (', '.join(
                '%s from %s' % (_text(u), _text(h)) for u, h in downstream),
                judging.RESEED))
        return
    caps = capabilities.capabilities_for(rep.version)
    d = dialect.Dialect(caps)
    state = state_without(rep.gtid_binlog_state, src, is_errant)
    status = rep.replica
    restart = status is not None and (
        status.io_running != 'No' or status.sql_running != 'No'
        or status.last_sql_errno or status.last_io_errno)
    statements = []
    if status is not None:
        statements.append(d.stop_replica().sql)
    statements.append(d.reset_binary_logs().sql)
    if state:
        statements.append('SET GLOBAL gtid_binlog_state = %s'
                          % literals.quote(','.join(map(str, state))))
    if restart:
        statements.append(d.start_replica().sql)
    result.decision = judging.REPAIR
    result.method = judging.RESET_REPLICA_BINLOG
    result.statements = [{'server': 'replica', 'sql': sql}
                         for sql in statements]
    files = rep.binlog_files or ()
    result.notes.append(
        'RESET MASTER deletes the replica\'s %d binary log(s)%s: no '
        'point-in-time recovery from them; its binary log then starts at '
        '%s, so a new replica of it needs a seed taken after this repair'
        % (len(files), ' (%s to %s)' % (files[0], files[-1]) if files
           else '', ','.join(map(str, state)) or 'nothing'))


def state_without(binlog_state, src, is_errant):
    """The replica's ``gtid_binlog_state`` without its errant GTIDs: for
    an errant (domain, server) the last GTID the source has of that
    server, if any. Ordered by sequence number within each domain, so the
    last one listed is the domain's position.
    """
    seen = {(g.domain_id, g.server_id): g for g in src.gtid_binlog_state}
    kept = []
    for g in binlog_state:
        if not is_errant(g):
            kept.append(g)
        elif (g.domain_id, g.server_id) in seen:
            kept.append(seen[(g.domain_id, g.server_id)])
    return sorted(kept, key=lambda g: (g.domain_id, g.seq_no))
