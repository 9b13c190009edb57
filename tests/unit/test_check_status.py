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

"""Tests of the check and status operations' decisions, without servers.

:func:`~trove_gtid_strategy.operations.check.judge` and
:func:`~trove_gtid_strategy.operations.status.build_report` do no I/O;
they are given hand-made states, as :func:`check` and :func:`status`
read them from servers (tests/functional/test_check_status.py runs those
on real ones).
"""

import dataclasses
import json

import pymysql
import pytest

from trove_gtid_strategy import dsn as dsn_mod
from trove_gtid_strategy import exceptions
from trove_gtid_strategy.gtid import GtidSet
from trove_gtid_strategy.gtid import MariaDBGtid
from trove_gtid_strategy.gtid import MariaDBGtidPosition
from trove_gtid_strategy.operations import check as check_op
from trove_gtid_strategy.operations import status as status_op
from trove_gtid_strategy import replication_view as views
from trove_gtid_strategy.seeding import StartPoint
from trove_gtid_strategy.state import ReplicaStatus
from trove_gtid_strategy.state import ServerState
from trove_gtid_strategy.versions import Flavor
from trove_gtid_strategy.versions import ServerVersion

U1 = '3e11fa47-71ca-11e1-9e33-c80aa9429562'
U2 = 'b7d1a2c4-0f3e-11ef-8a7b-0242ac120003'
U3 = 'c0ffee00-0f3e-11ef-8a7b-0242ac120003'

MY97 = ServerVersion(Flavor.MYSQL, 9, 7, 4)
MY55 = ServerVersion(Flavor.MYSQL, 5, 5, 62)
MDB = ServerVersion(Flavor.MARIADB, 10, 11, 6)

SOURCE = views.Endpoint('source', '127.0.0.1', 3306, 1)
SETTINGS = {'sync_binlog': '1', 'innodb_flush_log_at_trx_commit': '1',
            'binlog_format': 'ROW', 'log_replica_updates': 'ON',
            'relay_log_recovery': 'ON', 'replica_parallel_workers': '4',
            'replica_preserve_commit_order': 'ON', 'version': '9.7.4-2'}


def g(text):
    return GtidSet.parse(text)


def p(text):
    return MariaDBGtidPosition.parse(text)


def source_state(**kw):
    fields = dict(version=MY97, server_id=1, server_uuid=U1, log_bin=True,
                  gtid_mode='ON', gtid_executed=g(U1 + ':1-10'),
                  gtid_purged=g(U1 + ':1-3'), user_schemas=('app',),
                  binlog_files=('binlog.000001',),
                  binlog_position=('binlog.000001', 900),
                  settings=dict(SETTINGS, port='3306'))
    fields.update(kw)
    return ServerState(**fields)


def replica_status(**kw):
    fields = dict(source_host='127.0.0.1', source_port=3306,
                  source_server_id=1, io_running='Yes', sql_running='Yes',
                  auto_position=True, seconds_behind=0,
                  retrieved_gtid_set=U1 + ':4-10',
                  executed_gtid_set=U1 + ':1-10')
    fields.update(kw)
    return ReplicaStatus(**fields)


def replica_state(**kw):
    fields = dict(version=MY97, server_id=2, server_uuid=U2, log_bin=True,
                  read_only=True, gtid_mode='ON',
                  gtid_executed=g(U1 + ':1-10'), gtid_purged=g(''),
                  user_schemas=('app',), settings=dict(SETTINGS, port='3307'))
    fields.update(kw)
    return ServerState(**fields)


def position(source):
    return StartPoint('the source\'s position', *source.binlog_position,
                      gtid_set=source.gtid_executed)


def judge(source, replica, mode='auto', **kw):
    return check_op.judge(source, replica, position(source), SOURCE, mode,
                          source_name='mysql://admin:***@127.0.0.1:3306',
                          replica_name='mysql://admin:***@127.0.0.1:3307',
                          **kw)


def codes(result):
    return [problem.code for problem in result.problems]


def roundtrip(result):
    return json.loads(json.dumps(result.to_dict()))


# -- check ---------------------------------------------------------------

def test_identical_replica_replicating_now():
    found = judge(source_state(), replica_state(replica=replica_status()))
    assert (found.state, found.can_replicate) == ('IDENTICAL', True)
    assert (found.mode, found.errant, found.missing_purged) == (
        'mysql_gtid', '', '')
    assert found.replicating and found.current_source == '127.0.0.1:3306'
    assert found.lag.transactions == 0
    assert found.replication['io_running'] == 'Yes'
    assert found.source_version == 'mysql 9.7.4 (9.7.4-2)'
    data = roundtrip(found)
    assert data['state'] == 'IDENTICAL' and data['can_replicate'] is True
    assert data['lag']['behind_source'] == 0
    text = found.to_text()
    assert text.splitlines()[:3] == [
        'replica mysql://admin:***@127.0.0.1:3307 against source '
        'mysql://admin:***@127.0.0.1:3306',
        'state: IDENTICAL', 'can replicate: yes']
    assert 'replicating from this source: I/O Yes, SQL Yes, lag 0 s, 0 ' \
        'transactions' in text


def test_recoverable_replica_with_io_thread_stopped():
    status = replica_status(io_running='No', seconds_behind=None,
                            retrieved_gtid_set=U1 + ':4-7',
                            executed_gtid_set=U1 + ':1-7')
    found = judge(source_state(), replica_state(
        gtid_executed=g(U1 + ':1-7'), replica=status))
    assert (found.state, found.can_replicate) == ('RECOVERABLE', True)
    assert (found.lag.behind_source, found.lag.unapplied) == (3, 0)


def test_new_replicas():
    empty = replica_state(gtid_executed=g(''), user_schemas=())
    found = judge(source_state(user_schemas=(), gtid_purged=g('')), empty)
    assert (found.state, found.can_replicate) == ('NEW', True)
    assert not found.replicating and found.current_source == ''
    # A source holding data needs a seed (attach refuses it too).
    found = judge(source_state(gtid_purged=g('')), empty)
    assert (found.state, found.can_replicate) == ('NEW', False)
    assert codes(found) == ['seed_required']
    assert [r.action for r in found.remedies] == ['reseed']


def test_irrecoverable():
    found = judge(source_state(gtid_purged=g(U1 + ':1-8')),
                  replica_state(gtid_executed=g(U1 + ':1-5')))
    assert (found.state, found.can_replicate) == ('IRRECOVERABLE', False)
    assert found.missing_purged == U1 + ':6-8'
    assert [(r.problem, r.action) for r in found.remedies] == [
        ('purged_binlogs', 'reseed')]
    assert 'missing, purged on the source: ' + U1 + ':6-8' in \
        found.to_text()


def test_diverged_local_write_injects_on_source():
    found = judge(source_state(), replica_state(
        gtid_executed=g(U1 + ':1-10,' + U2 + ':1-2')))
    assert (found.state, found.can_replicate) == ('DIVERGED', False)
    assert found.errant == U2 + ':1-2'
    assert found.errant_detail == (
        U2 + ':1-2: 2 transactions written on the replica itself',)
    (remedy,) = found.remedies
    assert remedy.action == 'inject_empty_transactions'
    assert len(remedy.statements) == 7
    text = found.to_text()
    assert 'remedy (inject_empty_transactions, on the source)' in text
    assert '    BEGIN;' in text
    data = roundtrip(found)
    assert data['remedies'][0]['run_on'] == 'source'
    assert data['problems'][0]['code'] == 'errant_transactions'


def test_sql_thread_stopped_cannot_replicate():
    status = replica_status(sql_running='No', last_sql_errno=1062,
                            last_sql_error='Duplicate entry',
                            executed_gtid_set=U1 + ':1-9')
    found = judge(source_state(), replica_state(
        gtid_executed=g(U1 + ':1-9'), replica=status))
    assert found.state == 'RECOVERABLE' and not found.can_replicate
    assert codes(found) == ['replication_stopped']
    assert found.problems[0].message == (
        'the replica\'s SQL thread stopped on error 1062: Duplicate entry')
    (remedy,) = found.remedies
    assert (remedy.action, remedy.run_on) == ('repair', 'replica')
    assert 'empty transaction' in remedy.text
    assert 'last SQL error 1062: Duplicate entry' in found.to_text()


def test_io_error_on_an_irrecoverable_replica_is_not_a_second_problem():
    status = replica_status(io_running='No', last_io_errno=13114,
                            last_io_error='Got fatal error 1236',
                            executed_gtid_set=U1 + ':1-5')
    found = judge(source_state(gtid_purged=g(U1 + ':1-8')), replica_state(
        gtid_executed=g(U1 + ':1-5'), replica=status))
    assert codes(found) == ['purged_binlogs']


def test_replica_of_another_source():
    status = replica_status(source_port=3399, source_server_id=9)
    found = judge(source_state(), replica_state(replica=status))
    assert not found.replicating and found.lag is None
    assert found.current_source == '127.0.0.1:3399'
    assert 'replicates now from 127.0.0.1:3399, not from this source' in \
        found.to_text()


def test_former_source_comes_back_diverged():
    # The old source (U2) wrote 10-12 after the new source (U1) stopped
    # replicating from it at 9.
    new = source_state(gtid_executed=g(U2 + ':1-9,' + U1 + ':1-2'),
                       gtid_purged=g(''))
    old = replica_state(gtid_executed=g(U2 + ':1-12'))
    found = judge(new, old)
    assert (found.state, found.errant) == ('DIVERGED', U2 + ':10-12')
    assert [r.action for r in found.remedies] == ['discard']


def test_mariadb_former_source():
    new = ServerState(
        version=MDB, server_id=1, log_bin=True,
        gtid_binlog_pos=p('0-1-12'), gtid_slave_pos=p('0-2-9'),
        gtid_binlog_state=(MariaDBGtid(0, 2, 9), MariaDBGtid(0, 1, 12)),
        binlog_files=('mysql-bin.000001',),
        binlog_position=('mysql-bin.000001', 400), user_schemas=('app',),
        settings={'port': '3306'})
    old = ServerState(version=MDB, server_id=2, log_bin=True,
                      gtid_binlog_pos=p('0-2-11'), gtid_slave_pos=p(''),
                      user_schemas=('app',))
    start = StartPoint('here', 'mysql-bin.000001', 400,
                       mariadb_pos=p('0-1-12'))
    found = check_op.judge(new, old, start, SOURCE)
    assert (found.state, found.mode, found.errant) == (
        'DIVERGED', 'mariadb_gtid', '0-2-11')
    assert found.errant_detail == (
        '0-2-11: domain 0, transactions of the replica itself with seq_no '
        '10 to 11, after 0-2-9, the last of them the source logged',)
    # Writable, replicating from nobody, as the new source: two sources.
    assert [p.code for p in found.problems] == [
        'errant_transactions', 'two_writable_sources']
    assert [r.action for r in found.remedies] == ['discard', 'fence']
    # Fenced (read-only), it is only diverged.
    fenced = check_op.judge(new, dataclasses.replace(old, read_only=True),
                            start, SOURCE)
    assert [r.action for r in fenced.remedies] == ['discard']


def test_an_empty_writable_server_is_no_second_source():
    new = ServerState(version=MDB, server_id=1, log_bin=True,
                      gtid_binlog_pos=p('0-1-12'), gtid_slave_pos=p(''),
                      binlog_position=('mysql-bin.000001', 400),
                      settings={'port': '3306'})
    empty = ServerState(version=MDB, server_id=2, log_bin=True,
                        gtid_binlog_pos=p(''), gtid_slave_pos=p(''))
    start = StartPoint('here', 'mysql-bin.000001', 400,
                       mariadb_pos=p('0-1-12'))
    found = check_op.judge(new, empty, start, SOURCE)
    assert found.state == 'NEW' and found.can_replicate


def test_binlog_mode_with_gtids_still_finds_errant():
    status = replica_status(auto_position=False,
                            exec_log_file='binlog.000001', exec_log_pos=700)
    found = judge(source_state(), replica_state(
        gtid_executed=g(U1 + ':1-10,' + U3 + ':1'), replica=status),
        mode='binlog')
    assert (found.state, found.mode) == ('DIVERGED', 'binlog')
    assert codes(found) == ['errant_transactions']
    assert found.errant == U3 + ':1'
    # Coordinates lag on a multi-threaded applier; GTIDs say identical.
    found = judge(source_state(), replica_state(replica=status),
                  mode='binlog')
    assert (found.state, found.can_replicate) == ('IDENTICAL', True)


def test_binlog_mode_without_gtids():
    source = source_state(version=MY55, gtid_mode=None, gtid_executed=None,
                          gtid_purged=None)
    status = replica_status(auto_position=False, retrieved_gtid_set='',
                            executed_gtid_set='',
                            exec_log_file='binlog.000001', exec_log_pos=900,
                            read_log_file='binlog.000001', read_log_pos=900)
    replica = replica_state(version=MY55, gtid_mode=None, gtid_executed=None,
                            replica=status)
    found = judge(source, replica, allow_crash_unsafe=True)
    assert (found.state, found.mode, found.can_replicate) == (
        'IDENTICAL', 'binlog', True)
    assert found.unchecked[0].startswith('errant transactions: the source '
                                         'and the replica have no GTIDs')
    assert found.lag.unapplied_bytes == 0
    assert 'not checked: errant transactions' in found.to_text()
    # 5.5 keeps the applier position in a file: refused unless allowed.
    assert codes(judge(source, replica)) == ['crash_unsafe']
    # Not replicating from it: nothing proves where it stands.
    found = judge(source, replica_state(version=MY55, gtid_mode=None,
                                        gtid_executed=None),
                  allow_crash_unsafe=True)
    assert (found.state, found.can_replicate) == ('UNKNOWN', False)
    assert codes(found) == ['unverifiable_start']
    assert 'errant transactions cannot be checked without GTIDs' in \
        found.notes


def test_gtid_requested_where_the_source_has_none():
    source = source_state(version=MY55, gtid_mode=None, gtid_executed=None,
                          gtid_purged=None)
    found = judge(source, replica_state(), mode='gtid')
    assert 'mode_mismatch' in codes(found)
    assert not found.can_replicate
    with pytest.raises(exceptions.UnsupportedMode):
        judge(source_state(), replica_state(version=MY55), mode='gtid')


def test_check_refuses_a_bad_mode_before_reading_anything():
    with pytest.raises(exceptions.InvalidInput):
        check_op.check(object(), object(), requested_mode='fast')


# -- status --------------------------------------------------------------

def facts(name, state, **kw):
    return status_op.ServerFacts(name=name, dsn='mysql://admin:***@' + name,
                                 host='127.0.0.1', state=state, **kw)


def test_build_report_topology_roles_and_lag():
    source = source_state()
    lagging = replica_state(replica=replica_status(
        io_running='No', executed_gtid_set=U1 + ':1-7',
        retrieved_gtid_set=U1 + ':4-8', seconds_behind=None),
        gtid_executed=g(U1 + ':1-7'))
    orphan = replica_state(server_id=3, settings=dict(SETTINGS, port='3308'),
                           replica=replica_status(source_port=4000,
                                                  source_server_id=77))
    report = status_op.build_report([
        facts('a', source, dump_sessions=1),
        facts('b', lagging, sql_state='Replica has read all relay log'),
        facts('c', orphan)])
    a, b, c = report.servers
    assert (a.role, b.role, c.role) == ('source', 'replica', 'replica')
    assert b.replication.source_name == 'a'
    assert b.replication.mode == 'mysql_gtid'
    assert (b.replication.lag.behind_source, b.replication.lag.unapplied) \
        == (3, 1)
    assert c.replication.source_name is None
    assert c.replication.lag.behind_source is None
    assert [link.describe() for link in report.topology] == [
        'b <- a (not running)',
        'c <- unknown source 127.0.0.1:4000 (server_id 77)']
    assert a.gtids == {'gtid_mode': 'ON', 'gtid_executed': U1 + ':1-10',
                       'gtid_purged': U1 + ':1-3'}
    assert a.binlog_position == 'binlog.000001:900'
    assert a.crash_safety_level == 'ok'
    assert not a.semi_sync.available
    data = json.loads(json.dumps(report.to_dict()))
    assert data['servers'][1]['replication']['lag']['transactions'] == 3
    assert data['topology'][1] == {
        'replica': 'c', 'source': None, 'source_address': '127.0.0.1:4000',
        'source_server_id': 77, 'running': True, 'source_reachable': True}
    text = report.to_text()
    assert 'b: replica, mysql 9.7.4, server_id 2, read-only' in text
    assert '  replicates from a (127.0.0.1:3306) in mysql_gtid mode ' \
        '(Auto_Position = 1)' in text
    assert 'Seconds_Behind_Source NULL, 3 transactions behind the ' \
        'source, 1 received, not applied' in text
    assert 'I/O No (-), SQL Yes (Replica has read all relay log)' in text
    assert text.endswith('topology:\n  b <- a (not running)\n  c <- unknown '
                         'source 127.0.0.1:4000 (server_id 77)')


def test_a_source_fed_without_a_dump_session_now_is_a_source():
    report = status_op.build_report([
        facts('a', source_state()),
        facts('b', replica_state(replica=replica_status()))])
    assert [s.role for s in report.servers] == ['source', 'replica']


def test_relayed_replica_is_both_and_standalone():
    middle = replica_state(replica=replica_status())
    report = status_op.build_report([
        facts('m', middle, dump_sessions=1),
        facts('s', source_state(server_id=5, binlog_position=(),
                                log_bin=False))])
    assert [s.role for s in report.servers] == ['both', 'standalone']
    assert report.servers[1].binlog_position == ''
    # 'm' replicates from port 3306, server_id 1: 's' has that port but
    # server_id 5, so it is another server.
    assert report.topology[0].source is None


def test_status_audit_and_semi_sync_in_the_level():
    risky = source_state(settings=dict(
        SETTINGS, port='3306', sync_binlog='0',
        rpl_semi_sync_source_enabled='ON',
        rpl_semi_sync_source_timeout='10000',
        rpl_semi_sync_source_wait_point='AFTER_SYNC'))
    report = status_op.build_report([facts('a', risky, global_status={
        'rpl_semi_sync_source_status': 'OFF'})])
    (a,) = report.servers
    assert a.crash_safety_level == 'risk'
    assert a.semi_sync.running.startswith('asynchronous (semi-synchronous '
                                          'is enabled but fell back')
    text = report.to_text()
    assert '[risk] sync_binlog = 0:' in text
    assert '[warning] semi-sync = fell back:' in text
    assert 'topology' not in text


def test_mariadb_status_gtids_and_engine_audit():
    state = ServerState(
        version=MDB, server_id=2, log_bin=True, read_only=True,
        gtid_binlog_pos=p('0-1-10'), gtid_slave_pos=p('0-1-10'),
        settings={'port': '3307', 'gtid_current_pos': '0-1-10',
                  'gtid_strict_mode': 'ON', 'slave_parallel_threads': '0',
                  'log_slave_updates': 'ON'},
        replica=replica_status(auto_position=False, using_gtid='Slave_Pos',
                               gtid_io_pos='0-1-10',
                               retrieved_gtid_set='', executed_gtid_set=''))
    report = status_op.build_report([facts(
        'r', state, gtid_slave_pos_engines={'gtid_slave_pos': 'MyISAM'})])
    (r,) = report.servers
    assert r.gtids == {'gtid_binlog_pos': '0-1-10',
                       'gtid_slave_pos': '0-1-10',
                       'gtid_current_pos': '0-1-10',
                       'gtid_strict_mode': 'ON'}
    assert r.replication.mode == 'mariadb_gtid'
    assert r.replication.lag.unapplied == 0
    found = {f.name: f.level for f in r.crash_safety}
    assert found['mysql.gtid_slave_pos'] == 'risk'
    assert found['MASTER_USE_GTID'] == 'ok'
    assert r.crash_safety_level == 'risk'


class DeadService:
    """A service whose server cannot be reached (or fails otherwise)."""

    def __init__(self, error):
        self.dsn = dsn_mod.DSN('admin', 's3cret', '127.0.0.1', 3306)
        self.error = error

    def execute_sql(self, sql_statement, use_flush=False):
        raise self.error


def test_unreachable_servers_are_reported_not_raised():
    dead = DeadService(pymysql.err.OperationalError(
        2003, "Can't connect to MySQL server on '127.0.0.1'"))
    report = status_op.status({'a': dead})
    assert report.servers == [] and report.topology == []
    (u,) = report.unreachable
    assert (u.name, u.dsn, u.port) == (
        'a', 'mysql://admin:***@127.0.0.1:3306', 3306)
    assert u.error == "(2003) Can't connect to MySQL server on '127.0.0.1'"
    data = json.dumps(report.to_dict())
    assert 's3cret' not in data
    assert report.to_text() == (
        "a: unreachable: (2003) Can't connect to MySQL server on "
        "'127.0.0.1'")
    # Named by address when not named.
    assert status_op.status([dead]).unreachable[0].name == '127.0.0.1:3306'


def test_other_errors_are_raised():
    dead = DeadService(pymysql.err.ProgrammingError(1064, 'syntax'))
    with pytest.raises(pymysql.err.ProgrammingError):
        status_op.status([dead])


def test_replica_of_an_unreachable_source():
    gone = status_op.Unreachable('a', 'mysql://admin:***@127.0.0.1:3306',
                                 '127.0.0.1', 3306, '(2003) gone')
    replica = replica_state(replica=replica_status(
        io_running='Connecting', last_io_errno=2003))
    report = status_op.build_report([gone, facts('b', replica)])
    (b,) = report.servers
    assert b.replication.source_name == 'a'
    assert b.replication.lag.behind_source is None
    assert [link.describe() for link in report.topology] == [
        'b <- a (unreachable) (not running)']
    assert report.to_dict()['unreachable'] == [{
        'name': 'a', 'dsn': 'mysql://admin:***@127.0.0.1:3306',
        'error': '(2003) gone'}]
