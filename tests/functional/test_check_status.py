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

"""The read-only operations, check and status, on real servers.

Every fault is made by counts and server state, never by waiting for
time to pass: transactions are counted one by one, a replica is made to
lag by stopping one of its threads, an error by a conflicting row, a
purge is retried until the server shows one binary log, and polls end on
what the server reports.
"""

import json

from trove_gtid_strategy.gtid import GtidSet
from trove_gtid_strategy.guest import naming
from trove_gtid_strategy.operations.check import check
from trove_gtid_strategy.operations.status import status
from trove_gtid_strategy import strategy

from support import admin_writes
from support import attach
from support import catch_up
from support import connect
from support import CountingService
from support import is_mysql
from support import make_table
from support import purge_to_newest
from support import query
from support import scalar
from support import TroveLikeService
from support import until


def insert(server, start, count):
    """``count`` transactions, one row each, in ``app.t``."""
    for i in range(start, start + count):
        query(server, 'INSERT INTO app.t VALUES (%s, %s)', i, 'row %d' % i)


def replica_status_when(source, replica, condition, what, timeout=60):
    """Poll ``status`` until the replica's entry meets ``condition``; the
    servers decide when, the timeout only bounds a failure.
    """
    return until(lambda: report_of(source, replica)[2],
                 lambda found: condition(found.replication), what, timeout)


def pair(sandbox_factory, restart_source=False):
    box = sandbox_factory(replicas=1)
    source, replica = (CountingService(s) for s in box.servers())
    repl = strategy.AutoReplication()
    repl.enable_as_master(source, None)
    if restart_source:
        # MySQL 9.7 is enabled live, writing binlog.*; its first restart
        # switches to the rendered mysql-bin.* (a crash recovers GTIDs
        # from that new series only): restart before anything is written.
        source.restart()
    attach(repl, source, replica)
    make_table(source.server, 5)
    catch_up(repl, source, replica)
    return box, repl, source, replica


def report_of(source, replica):
    report = status({'source': source, 'replica': replica})
    by_name = {s.name: s for s in report.servers}
    return report, by_name['source'], by_name['replica']


def as_json(result, *services):
    """The result as JSON, holding none of the servers' passwords."""
    text = json.dumps(result.to_dict())
    for svc in services:
        assert svc.dsn.password not in text
    return json.loads(text)


def check_json(result, source, replica):
    """A check's JSON, each server named as every operation names it
    (:func:`~trove_gtid_strategy.guest.server.name_of`).
    """
    data = as_json(result, source, replica)
    assert (data['source'], data['replica']) == (
        naming.name_of(source), naming.name_of(replica))
    return data


def findings(server_status):
    return {f.name: f for f in server_status.crash_safety}


def test_identical_lagging_and_audit(sandbox_factory):
    box, repl, source, replica = pair(sandbox_factory)
    mysql = is_mysql(box.source)

    found = check(source, replica)
    assert (found.state, found.can_replicate) == ('IDENTICAL', True)
    assert found.mode == ('mysql_gtid' if mysql else 'mariadb_gtid')
    assert found.replicating and found.lag.transactions == 0
    assert (found.problems, found.remedies, found.errant) == ((), (), '')
    data = check_json(found, source, replica)
    assert data['state'] == 'IDENTICAL' and data['lag']['transactions'] == 0
    # Binlog-position mode agrees; MariaDB refuses it as not crash-safe.
    found = check(source, replica, 'binlog', allow_crash_unsafe=True)
    assert (found.state, found.can_replicate) == ('IDENTICAL', True)
    if not mysql:
        found = check(source, replica, 'binlog')
        assert [p.code for p in found.problems] == ['crash_unsafe']
        assert [r.action for r in found.remedies] == ['use_gtid_mode']
        assert not found.can_replicate

    report, src, rep = report_of(source, replica)
    assert (src.role, rep.role) == ('source', 'replica')
    assert src.replicas_connected == 1
    assert [(link.replica, link.source, link.running)
            for link in report.topology] == [('replica', 'source', True)]
    r = rep.replication
    assert (r.io_running, r.sql_running) == ('Yes', 'Yes')
    assert r.mode == ('mysql_gtid' if mysql else 'mariadb_gtid')
    assert r.lag.behind_source == 0 and r.lag.unapplied == 0
    audit = findings(rep)
    for name in ('sync_binlog', 'innodb_flush_log_at_trx_commit',
                 'binlog_format'):
        assert audit[name].level == 'ok', audit[name]
    # A GTID attach does not restart the replica for relay_log_recovery
    # (read-only at run time; its config file has ON): MySQL runs without
    # it until restarted, and the audit says so. MariaDB's GTID mode
    # re-fetches after a crash whatever the setting.
    recovery = scalar(box.replicas[0], 'SELECT @@relay_log_recovery')
    assert audit['relay_log_recovery'].level == (
        'ok' if recovery or not mysql else 'risk')
    if mysql:
        assert audit['replica_preserve_commit_order'].level == 'ok'
        assert set(rep.gtids) == {'gtid_mode', 'gtid_executed',
                                  'gtid_purged'}
    else:
        assert audit['MASTER_USE_GTID'].value == 'Slave_Pos'
        assert audit['mysql.gtid_slave_pos'].level == 'ok'
        assert 'InnoDB' in audit['mysql.gtid_slave_pos'].value
        assert rep.gtids['gtid_slave_pos'] == \
            scalar(box.source, 'SELECT @@gtid_binlog_pos')
    as_json(report, source, replica)
    assert {s.dsn for s in report.servers} == {
        source.dsn.redacted(), replica.dsn.redacted()}
    assert 'replica <- source' in report.to_text()
    # The same through Trove's execute path (text() in a transaction, a
    # pooled connection per call).
    trove_source, trove_replica = (TroveLikeService(s)
                                   for s in box.servers())
    assert check(trove_source, trove_replica).state == 'IDENTICAL'
    trove_report = status({'source': trove_source,
                           'replica': trove_replica})
    assert [s.role for s in trove_report.servers] == ['source', 'replica']
    assert trove_report.servers[1].crash_safety == rep.crash_safety

    # The replica reconfigured live: flagged, with why.
    query(replica.server, 'SET GLOBAL sync_binlog = 0')
    query(replica.server, 'SET GLOBAL innodb_flush_log_at_trx_commit = 2')
    _, _, rep = report_of(source, replica)
    audit = findings(rep)
    assert audit['sync_binlog'].level == 'risk'
    assert audit['innodb_flush_log_at_trx_commit'].level == 'risk'
    assert 'double 1' in audit['sync_binlog'].why
    assert rep.crash_safety_level == 'risk'

    # I/O thread stopped: 3 transactions behind the source, none received.
    query(replica.server, 'STOP REPLICA IO_THREAD')
    insert(box.source, 100, 3)
    found = check(source, replica)
    assert (found.state, found.can_replicate) == ('RECOVERABLE', True)
    assert found.lag.behind_source == 3
    report, _, rep = report_of(source, replica)
    assert rep.replication.io_running == 'No'
    assert (rep.replication.lag.behind_source,
            rep.replication.lag.unapplied) == (3, 0)
    assert not report.topology[0].running

    # SQL thread stopped: 2 received, not applied.
    query(replica.server, 'START REPLICA IO_THREAD')
    catch_up(repl, source, replica)
    query(replica.server, 'STOP REPLICA SQL_THREAD')
    insert(box.source, 200, 2)
    rep = replica_status_when(source, replica,
                              lambda r: r.lag.unapplied == 2,
                              'the replica to receive 2 transactions')
    assert rep.replication.lag.behind_source == 2
    assert rep.replication.sql_running == 'No'
    assert 'behind the source' in status([replica, source]).to_text()


def test_errant_write_diverged(sandbox_factory):
    box, repl, source, replica = pair(sandbox_factory)
    mysql = is_mysql(box.source)
    before = GtidSet.parse(scalar(box.replicas[0], 'SELECT @@gtid_executed')
                           ) if mysql else None
    with admin_writes(box.replicas[0]):
        query(box.replicas[0], "INSERT INTO app.t VALUES (900, 'errant')")
    found = check(source, replica)
    assert (found.state, found.can_replicate) == ('DIVERGED', False)
    assert [p.code for p in found.problems] == ['errant_transactions']
    text = found.to_text()
    assert 'errant: %s' % found.errant in text
    assert 'problem errant_transactions' in text
    if mysql:
        after = GtidSet.parse(scalar(box.replicas[0],
                                     'SELECT @@gtid_executed'))
        uuid = scalar(box.replicas[0], 'SELECT @@server_uuid')
        assert found.errant == str(after - before)
        assert found.errant.startswith(uuid)
        assert 'written on the replica itself' in found.errant_detail[0]
        remedy = found.remedies[0]
        assert (remedy.action, remedy.run_on) == (
            'inject_empty_transactions', 'source')
        # The remedy, applied on the source in one session, repairs it.
        conn = connect(box.source)
        with conn, conn.cursor() as cur:
            for sql in remedy.statements:
                cur.execute(sql)
        catch_up(repl, source, replica)
        found = check(source, replica)
        assert (found.state, found.can_replicate) == ('IDENTICAL', True)
    else:
        errant = scalar(box.replicas[0], 'SELECT @@gtid_binlog_pos')
        assert found.errant == errant
        assert found.remedies[0].action == 'reseed'
        assert 'the replica itself with seq_no %s,' % errant.split('-')[2] \
            in found.errant_detail[0]


def test_purged_binlogs_irrecoverable_and_io_error(sandbox_factory):
    box, repl, source, replica = pair(sandbox_factory)
    query(replica.server, 'STOP REPLICA')
    insert(box.source, 100, 3)
    purge_to_newest(box.source)
    found = check(source, replica)
    assert (found.state, found.can_replicate) == ('IRRECOVERABLE', False)
    assert found.missing_purged
    assert [(r.problem, r.action) for r in found.remedies] == [
        ('purged_binlogs', 'reseed')]
    query(replica.server, 'START REPLICA')
    rep = replica_status_when(source, replica,
                              lambda r: r.last_io_errno,
                              'the I/O thread to stop on an error')
    r = rep.replication
    # MySQL 8.0+ reports the source's 1236 under its own number.
    assert r.last_io_errno in (1236, 13114)
    assert '1236' in r.last_io_error
    assert 'last I/O error' in status([source, replica]).to_text()


def test_sql_error_in_status_and_check(sandbox_factory):
    box, repl, source, replica = pair(sandbox_factory)
    conn = connect(box.replicas[0])
    with admin_writes(box.replicas[0]), conn, conn.cursor() as cur:
        cur.execute('SET SESSION sql_log_bin = 0')
        cur.execute("INSERT INTO app.t VALUES (50, 'replica only')")
        cur.execute('SET SESSION sql_log_bin = 1')
    insert(box.source, 50, 1)
    rep = replica_status_when(source, replica,
                              lambda r: r.last_sql_errno,
                              'the SQL thread to stop on an error')
    assert rep.replication.last_sql_errno == 1062
    assert rep.replication.sql_running == 'No'
    found = check(source, replica)
    assert found.state == 'RECOVERABLE'
    assert not found.can_replicate
    assert [p.code for p in found.problems] == ['replication_stopped']
    assert '1062' in found.problems[0].message
    assert found.replication['last_sql_errno'] == 1062
    assert found.remedies[0].action == 'repair'
    # A source gone: reported unreachable, the replica still reported.
    box.source.kill()
    report = status({'source': source, 'replica': replica})
    assert [s.name for s in report.servers] == ['replica']
    assert [u.name for u in report.unreachable] == ['source']
    assert report.unreachable[0].error.startswith('(2003)')
    assert [link.describe() for link in report.topology] == [
        'replica <- source (unreachable) (not running)']
    assert source.dsn.password not in json.dumps(report.to_dict())


def test_semi_sync_fallback_is_reported(sandbox_factory):
    box, repl, source, replica = pair(sandbox_factory)
    if is_mysql(box.source):
        query(box.source, "INSTALL PLUGIN rpl_semi_sync_source SONAME "
                          "'semisync_source.so'")
        prefix = 'rpl_semi_sync_source'
    else:
        prefix = 'rpl_semi_sync_master'
    _, src, _ = report_of(source, replica)
    assert src.semi_sync.available and not src.semi_sync.source_enabled
    assert src.semi_sync.running == 'asynchronous'
    query(box.source, 'SET GLOBAL %s_timeout = 200' % prefix)
    query(box.source, 'SET GLOBAL %s_enabled = ON' % prefix)
    # No replica acknowledges: this commit waits 200 ms, then the source
    # falls back to asynchronous.
    insert(box.source, 100, 1)
    _, src, _ = report_of(source, replica)
    semi = src.semi_sync
    assert semi.source_enabled and semi.source_active is False
    assert semi.running.startswith('asynchronous (semi-synchronous is '
                                   'enabled but fell back')
    assert '200 ms' in semi.running
    assert [f.level for f in semi.findings][0] == 'warning'


def test_crashed_old_source_comes_back_diverged(sandbox_factory):
    box, repl, old, new = pair(sandbox_factory, restart_source=True)
    mysql = is_mysql(box.source)
    # Failover by hand: the replica stops and is promoted.
    repl.detach_slave(new, for_failover=True)
    repl.enable_as_master(new, None)
    new.make_read_only(False)
    if mysql:
        uuid = scalar(box.source, 'SELECT @@server_uuid')
        last = GtidSet.parse(scalar(box.source, 'SELECT @@gtid_executed')
                             ).last(uuid)
    # The old source commits 3 more that never reach the new one, then
    # dies.
    insert(box.source, 100, 3)
    box.source.kill()
    box.source.start()
    insert(box.replicas[0], 200, 2)
    found = check(new, old)
    assert (found.state, found.can_replicate) == ('DIVERGED', False)
    assert not found.replicating
    if mysql:
        assert found.errant == '%s:%d-%d' % (uuid, last + 1, last + 3)
    else:
        assert found.errant == scalar(box.source, 'SELECT @@gtid_binlog_pos')
        seq = int(found.errant.split('-')[2])
        assert 'with seq_no %d to %d, after ' % (seq - 2, seq) in \
            found.errant_detail[0]
    # It came back writable, as the new source is: two sources.
    assert [(r.problem, r.action) for r in found.remedies] == [
        ('errant_transactions', 'discard'), ('two_writable_sources', 'fence')]
    assert 'former source' in found.remedies[0].text
    data = check_json(found, new, old)
    assert data['errant'] == found.errant
