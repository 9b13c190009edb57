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

"""Tests of trove_gtid_strategy.audit: what check and status conclude.

Server states are built by hand, as the guest would read them, so each
finding, level and remedy is reached on purpose.
"""

import pytest

from trove_gtid_strategy import audit
from trove_gtid_strategy.gtid import GtidSet
from trove_gtid_strategy.gtid import MariaDBGtid
from trove_gtid_strategy.gtid import MariaDBGtidPosition
from trove_gtid_strategy import remedies as fixes
from trove_gtid_strategy import replication_view as views
from trove_gtid_strategy.state import ReplicaStatus
from trove_gtid_strategy.state import ServerState
from trove_gtid_strategy import topology
from trove_gtid_strategy.topology import Verdict
from trove_gtid_strategy.versions import Flavor
from trove_gtid_strategy.versions import ServerVersion

U1 = '3e11fa47-71ca-11e1-9e33-c80aa9429562'
U2 = 'b7d1a2c4-0f3e-11ef-8a7b-0242ac120003'
U3 = 'c0ffee00-0f3e-11ef-8a7b-0242ac120003'

MY80 = ServerVersion(Flavor.MYSQL, 8, 0, 36)
MY97 = ServerVersion(Flavor.MYSQL, 9, 7, 4)
MY55 = ServerVersion(Flavor.MYSQL, 5, 5, 62)
MDB = ServerVersion(Flavor.MARIADB, 10, 11, 6)

SAFE_MYSQL = {'sync_binlog': '1', 'innodb_flush_log_at_trx_commit': '1',
              'binlog_format': 'ROW', 'log_replica_updates': 'ON',
              'relay_log_recovery': 'ON', 'replica_parallel_workers': '4',
              'replica_preserve_commit_order': 'ON'}
SAFE_MARIADB = {'sync_binlog': '1', 'innodb_flush_log_at_trx_commit': '1',
                'binlog_format': 'ROW', 'log_slave_updates': 'ON',
                'relay_log_recovery': 'OFF', 'slave_parallel_threads': '0'}


def g(text):
    return GtidSet.parse(text)


def p(text):
    return MariaDBGtidPosition.parse(text)


def gtid_replica_status(**kw):
    fields = dict(source_host='127.0.0.1', source_port=3306,
                  source_server_id=1, io_running='Yes', sql_running='Yes',
                  auto_position=True)
    fields.update(kw)
    return ReplicaStatus(**fields)


def mysql(settings=None, replica=None, **kw):
    fields = dict(version=MY97, server_id=2, server_uuid=U2, log_bin=True,
                  gtid_mode='ON', gtid_executed=g(U1 + ':1-10'),
                  gtid_purged=g(''), replica=replica,
                  settings=dict(SAFE_MYSQL, **(settings or {})))
    fields.update(kw)
    return ServerState(**fields)


def mariadb(settings=None, replica=None, **kw):
    fields = dict(version=MDB, server_id=2, log_bin=True,
                  gtid_binlog_pos=p('0-1-10'), gtid_slave_pos=p('0-1-10'),
                  replica=replica,
                  settings=dict(SAFE_MARIADB, **(settings or {})))
    fields.update(kw)
    return ServerState(**fields)


def by_name(findings):
    return {f.name: f for f in findings}


# -- crash safety -------------------------------------------------------

def test_safe_mysql_replica_is_all_ok():
    found = audit.crash_safety(mysql(replica=gtid_replica_status()))
    assert [f.name for f in found] == [
        'sync_binlog', 'binlog_format', 'innodb_flush_log_at_trx_commit',
        'log_replica_updates', 'relay_log_recovery',
        'replica_preserve_commit_order']
    assert {f.level for f in found} == {'ok'}
    assert audit.worst(found) == 'ok'
    for f in found:
        assert f.why and '\n' not in f.why


def test_source_gets_only_source_rules():
    found = by_name(audit.crash_safety(mysql()))
    assert set(found) == {'sync_binlog', 'binlog_format',
                          'innodb_flush_log_at_trx_commit'}
    # Without a binary log only InnoDB durability is audited.
    found = by_name(audit.crash_safety(mysql(log_bin=False)))
    assert set(found) == {'innodb_flush_log_at_trx_commit'}


@pytest.mark.parametrize('name, value, level', [
    ('sync_binlog', '0', 'risk'),
    ('sync_binlog', '100', 'warning'),
    ('innodb_flush_log_at_trx_commit', '2', 'risk'),
    ('innodb_flush_log_at_trx_commit', '0', 'risk'),
    ('binlog_format', 'MIXED', 'warning'),
    ('binlog_format', 'STATEMENT', 'risk'),
    ('log_replica_updates', 'OFF', 'warning'),
    ('relay_log_recovery', 'OFF', 'risk'),
])
def test_mysql_replica_settings_flagged(name, value, level):
    state = mysql({name: value}, replica=gtid_replica_status())
    found = by_name(audit.crash_safety(state))[name]
    assert (found.value, found.level) == (value, level)
    assert audit.worst(audit.crash_safety(state)) == level


def test_sync_binlog_why_says_how_many():
    state = mysql({'sync_binlog': '100'})
    assert 'up to 99 committed' in by_name(
        audit.crash_safety(state))['sync_binlog'].why


def test_parallel_workers_without_commit_order_is_a_risk():
    state = mysql({'replica_preserve_commit_order': 'OFF'},
                  replica=gtid_replica_status())
    found = by_name(audit.crash_safety(state))
    f = found['replica_preserve_commit_order']
    assert f.level == 'risk' and 'gaps' in f.why and '4 appliers' in f.why
    assert '1872' in f.why


def test_single_worker_needs_no_commit_order():
    state = mysql({'replica_parallel_workers': '1',
                   'replica_preserve_commit_order': 'OFF'},
                  replica=gtid_replica_status())
    found = by_name(audit.crash_safety(state))
    assert found['replica_parallel_workers'].level == 'ok'
    assert 'replica_preserve_commit_order' not in found


def test_old_mysql_names_and_relay_log_info_repository():
    settings = {'sync_binlog': '1', 'innodb_flush_log_at_trx_commit': '1',
                'binlog_format': 'ROW', 'log_slave_updates': 'ON',
                'relay_log_recovery': 'ON', 'slave_parallel_workers': '8',
                'slave_preserve_commit_order': 'OFF',
                'relay_log_info_repository': 'FILE'}
    binlog_status = gtid_replica_status(auto_position=False,
                                        exec_log_file='mysql-bin.000002',
                                        exec_log_pos=120)
    state = ServerState(version=MY80, server_id=2, log_bin=True,
                        settings=settings, replica=binlog_status)
    found = by_name(audit.crash_safety(state))
    assert found['log_slave_updates'].level == 'ok'
    assert found['slave_preserve_commit_order'].level == 'risk'
    assert found['relay_log_info_repository'].level == 'risk'
    # With auto-positioning the file is only a warning.
    state = ServerState(version=MY80, server_id=2, log_bin=True,
                        settings=settings, replica=gtid_replica_status())
    found = by_name(audit.crash_safety(state))
    assert found['relay_log_info_repository'].level == 'warning'
    settings['relay_log_info_repository'] = 'TABLE'
    found = by_name(audit.crash_safety(state))
    assert found['relay_log_info_repository'].level == 'ok'


def test_parallel_workers_on_a_server_that_cannot_preserve_order():
    settings = dict(SAFE_MYSQL)
    del settings['replica_preserve_commit_order']
    state = ServerState(version=MY80, server_id=2, log_bin=True,
                        settings=settings, replica=gtid_replica_status())
    found = by_name(audit.crash_safety(state))
    assert found['replica_parallel_workers'].level == 'warning'


def test_replica_without_binary_log_cannot_be_promoted():
    state = mysql(log_bin=False, replica=gtid_replica_status())
    found = by_name(audit.crash_safety(state))
    assert found['log_bin'].level == 'warning'
    assert 'promoted' in found['log_bin'].why


def test_mariadb_gtid_replica():
    status = gtid_replica_status(auto_position=False, using_gtid='Slave_Pos')
    state = mariadb(replica=status)
    found = audit.crash_safety(state, {'gtid_slave_pos': 'InnoDB'})
    assert [f.name for f in found] == [
        'sync_binlog', 'binlog_format', 'innodb_flush_log_at_trx_commit',
        'log_slave_updates', 'MASTER_USE_GTID', 'relay_log_recovery',
        'mysql.gtid_slave_pos', 'slave_parallel_threads']
    # relay_log_recovery OFF is fine in GTID mode: MariaDB re-fetches.
    assert {f.level for f in found} == {'ok'}


@pytest.mark.parametrize('using, level', [
    ('Slave_Pos', 'ok'), ('Current_Pos', 'warning'), ('No', 'risk')])
def test_mariadb_master_use_gtid(using, level):
    status = gtid_replica_status(auto_position=False, using_gtid=using)
    found = by_name(audit.crash_safety(mariadb(replica=status)))
    assert found['MASTER_USE_GTID'].level == level
    # Binlog-position mode needs relay_log_recovery.
    assert found['relay_log_recovery'].level == (
        'risk' if using == 'No' else 'ok')


@pytest.mark.parametrize('engines, level', [
    ({'gtid_slave_pos': 'InnoDB'}, 'ok'),
    ({'gtid_slave_pos': 'InnoDB', 'gtid_slave_pos_Aria': 'Aria'}, 'risk'),
    ({'gtid_slave_pos': 'MyISAM'}, 'risk'),
    ({}, 'risk'),
])
def test_mariadb_gtid_slave_pos_engine(engines, level):
    status = gtid_replica_status(auto_position=False, using_gtid='Slave_Pos')
    found = by_name(audit.crash_safety(mariadb(replica=status), engines))
    assert found['mysql.gtid_slave_pos'].level == level


def test_mariadb_engines_not_read_are_not_audited():
    status = gtid_replica_status(auto_position=False, using_gtid='Slave_Pos')
    found = by_name(audit.crash_safety(mariadb(replica=status)))
    assert 'mysql.gtid_slave_pos' not in found


def test_mariadb_parallel_threads_commit_in_order():
    status = gtid_replica_status(auto_position=False, using_gtid='Slave_Pos')
    state = mariadb({'slave_parallel_threads': '8',
                     'slave_parallel_mode': 'optimistic'}, replica=status)
    found = by_name(audit.crash_safety(state))['slave_parallel_threads']
    assert found.level == 'ok' and 'optimistic' in found.why


def test_finding_to_dict():
    f = audit.Finding('sync_binlog', '0', 'risk', 'why')
    assert f.to_dict() == {'name': 'sync_binlog', 'value': '0',
                           'level': 'risk', 'why': 'why'}


def test_worst():
    assert audit.worst(()) == 'ok'
    levels = [audit.Finding('a', '', level, '') for level in
              ('ok', 'risk', 'warning')]
    assert audit.worst(levels) == 'risk'
    assert audit.worst(levels[:1] + levels[2:]) == 'warning'


# -- semi-sync ----------------------------------------------------------

def test_semi_sync_unavailable():
    found = audit.semi_sync({}, {})
    assert not found.available and 'not loaded' in found.running


def test_semi_sync_disabled_is_asynchronous():
    found = audit.semi_sync({'rpl_semi_sync_master_enabled': 'OFF',
                             'rpl_semi_sync_slave_enabled': 'OFF'},
                            {'rpl_semi_sync_master_status': 'OFF'})
    assert (found.available, found.running) == (True, 'asynchronous')
    assert found.findings == ()


def test_semi_sync_running_mysql_names():
    settings = {'rpl_semi_sync_source_enabled': 'ON',
                'rpl_semi_sync_source_wait_point': 'AFTER_SYNC',
                'rpl_semi_sync_source_timeout': '10000'}
    status = {'rpl_semi_sync_source_status': 'ON',
              'rpl_semi_sync_source_clients': '2'}
    found = audit.semi_sync(settings, status)
    assert found.running == 'semi-synchronous'
    assert (found.timeout_ms, found.clients, found.wait_point) == (
        10000, 2, 'AFTER_SYNC')
    assert [f.level for f in found.findings] == ['ok']
    assert found.to_dict()['findings'][0]['level'] == 'ok'


def test_semi_sync_fell_back_and_after_commit():
    settings = {'rpl_semi_sync_master_enabled': 'ON',
                'rpl_semi_sync_master_wait_point': 'AFTER_COMMIT',
                'rpl_semi_sync_master_timeout': '200'}
    found = audit.semi_sync(settings,
                            {'rpl_semi_sync_master_status': 'OFF'})
    assert found.source_enabled and found.source_active is False
    assert found.running.startswith('asynchronous (semi-synchronous is '
                                    'enabled but fell back')
    assert '200 ms' in found.running
    assert [(f.name, f.level) for f in found.findings] == [
        ('semi-sync', 'warning'), ('rpl_semi_sync_wait_point', 'warning')]


def test_semi_sync_replica_side():
    found = audit.semi_sync({'rpl_semi_sync_replica_enabled': 'ON'},
                            {'rpl_semi_sync_replica_status': 'ON'})
    assert found.available and found.replica_enabled
    assert found.replica_active and not found.source_enabled


# -- replication mode, lag ----------------------------------------------

def test_replication_mode():
    assert views.replication_mode(gtid_replica_status()) == (
        'mysql_gtid', 'Auto_Position = 1')
    status = gtid_replica_status(auto_position=False, using_gtid='Slave_Pos')
    assert views.replication_mode(status) == (
        'mariadb_gtid', 'Using_Gtid = Slave_Pos')
    status = gtid_replica_status(auto_position=False, using_gtid='No',
                                 exec_log_file='b.000003', exec_log_pos=9)
    assert views.replication_mode(status) == (
        'binlog', 'at b.000003:9 of the source (Using_Gtid = No)')
    status = gtid_replica_status(auto_position=False)
    assert views.replication_mode(status)[1].endswith('(Auto_Position = 0)')


def test_mysql_lag():
    status = gtid_replica_status(
        seconds_behind=7, retrieved_gtid_set=U1 + ':1-12',
        executed_gtid_set=U1 + ':1-8,\n' + U2 + ':1',
        read_log_file='b.000001', read_log_pos=900,
        exec_log_file='b.000001', exec_log_pos=100)
    replica = mysql(replica=status)
    source = mysql(server_id=1, server_uuid=U1,
                   gtid_executed=g(U1 + ':1-15'))
    found = views.lag(replica, source)
    assert (found.seconds, found.unapplied, found.behind_source) == (
        7, 4, 7)
    assert found.transactions == 7
    # GTID replicas are not judged by coordinates.
    assert found.unapplied_bytes is None
    alone = views.lag(replica)
    assert (alone.behind_source, alone.transactions) == (None, 4)
    assert alone.to_dict()['transactions'] == 4
    assert views.lag(mysql()) is None


def test_binlog_lag_in_bytes():
    status = gtid_replica_status(
        auto_position=False, read_log_file='b.000001', read_log_pos=900,
        exec_log_file='b.000001', exec_log_pos=100)
    replica = mysql(replica=status, gtid_mode='OFF')
    found = views.lag(replica, mysql(gtid_mode='OFF'))
    assert (found.unapplied, found.behind_source, found.unapplied_bytes) == (
        None, None, 800)
    status = gtid_replica_status(
        auto_position=False, read_log_file='b.000002', read_log_pos=900,
        exec_log_file='b.000001', exec_log_pos=100)
    assert views.lag(mysql(replica=status, gtid_mode='OFF')
                     ).unapplied_bytes is None


def test_mariadb_lag_per_domain():
    status = gtid_replica_status(auto_position=False, using_gtid='Slave_Pos',
                                 gtid_io_pos='0-1-12,1-5-40')
    replica = mariadb(replica=status, gtid_slave_pos=p('0-1-10,1-5-31'))
    source = mariadb(server_id=1, gtid_binlog_pos=p('0-1-15,1-5-40,2-9-3'))
    found = views.lag(replica, source)
    assert found.unapplied == 2 + 9
    assert found.behind_source == 5 + 9 + 3
    assert found.by_domain == {
        0: {'unapplied': 2, 'behind_source': 5},
        1: {'unapplied': 9, 'behind_source': 9},
        2: {'behind_source': 3}}
    assert found.to_dict()['by_domain']['2'] == {'behind_source': 3}


def test_mariadb_binlog_mode_lag():
    status = gtid_replica_status(auto_position=False, using_gtid='No',
                                 read_log_file='b.000001', read_log_pos=500,
                                 exec_log_file='b.000001', exec_log_pos=400)
    replica = mariadb(replica=status, gtid_slave_pos=p('0-1-10'))
    found = views.lag(replica, mariadb(server_id=1,
                                       gtid_binlog_pos=p('0-1-12')))
    assert (found.unapplied, found.behind_source, found.unapplied_bytes) == (
        None, 2, 100)


# -- topology ------------------------------------------------------------

ENDPOINTS = [views.Endpoint('a', '127.0.0.1', 3306, 1),
             views.Endpoint('b', '127.0.0.1', 3307, 2),
             views.Endpoint('c', '10.0.0.5', 3306, 3)]


@pytest.mark.parametrize('host, port, server_id, expected', [
    ('127.0.0.1', 3306, 1, 'a'),
    ('localhost', 3306, None, 'a'),       # I/O thread never connected
    ('10.0.0.5', 3306, None, 'c'),
    ('db.example', 3306, 3, 'c'),         # a name for the same server
    ('127.0.0.1', 3306, 9, None),         # another server on that port
    ('127.0.0.1', 3399, 1, None),
    ('db.example', 3306, None, None),
])
def test_find_source(host, port, server_id, expected):
    status = ReplicaStatus(source_host=host, source_port=port,
                           source_server_id=server_id)
    assert views.find_source(status, ENDPOINTS) == expected


def test_role():
    assert views.role(False, False) == 'standalone'
    assert views.role(False, True) == 'source'
    assert views.role(True, False) == 'replica'
    assert views.role(True, True) == 'both'


# -- check helpers --------------------------------------------------------

def test_unchecked():
    assert fixes.unchecked(mysql(), mysql()) == ()
    found = fixes.unchecked(mysql(gtid_mode='OFF'), mysql())
    assert found[0].startswith('errant transactions: the source has no')
    found = fixes.unchecked(ServerState(version=MY55, server_id=1),
                            ServerState(version=MY55, server_id=2))
    assert 'the source and the replica have no GTIDs' in found[0]


def test_gtid_comparison():
    source = mysql(server_id=1, gtid_executed=g(U1 + ':1-10'))
    assert fixes.gtid_comparison(source, mysql(
        gtid_executed=g(U1 + ':1-10'))) == (Verdict.IDENTICAL, '', '')
    assert fixes.gtid_comparison(source, mysql(
        gtid_executed=g(U1 + ':1-10,' + U2 + ':1'))) == (
            Verdict.DIVERGED, U2 + ':1', '')
    assert fixes.gtid_comparison(source, mysql(gtid_mode='OFF')) is None
    # MariaDB: the replica's own binlog writes count.
    assert fixes.gtid_comparison(
        mariadb(server_id=1, gtid_binlog_pos=p('0-1-10')),
        mariadb(gtid_binlog_pos=p('0-2-11')))[:2] == (
            Verdict.DIVERGED, '0-2-11')


def test_former_source():
    # MySQL: the source holds some of the replica's own transactions.
    replica = mysql(server_uuid=U2, gtid_executed=g(U2 + ':1-8'))
    assert fixes.former_source(
        mysql(server_id=1, gtid_executed=g(U2 + ':1-5')), replica)
    assert not fixes.former_source(
        mysql(server_id=1, gtid_executed=g(U1 + ':1-5')), replica)
    # A replica of this source holds its own GTIDs there once empty
    # transactions covered earlier errant writes: not a former source.
    assert not fixes.former_source(
        mysql(server_id=1, gtid_executed=g(U2 + ':1-5')), replica,
        replicating=True)
    # MariaDB: the source logged transactions of the replica's server_id.
    state = (MariaDBGtid(0, 2, 5), MariaDBGtid(0, 1, 9))
    assert fixes.former_source(mariadb(server_id=1, gtid_binlog_state=state),
                               mariadb(server_id=2))
    assert not fixes.former_source(
        mariadb(server_id=1, gtid_binlog_state=state[1:]),
        mariadb(server_id=2))


def test_errant_detail_mysql():
    source = mysql(server_id=1, server_uuid=U1)
    replica = mysql(server_uuid=U2)
    found = fixes.errant_detail(source, replica,
                                '%s:11-12,%s:1,%s:3-4' % (U1, U2, U3))
    assert found == (
        U1 + ':11-12: 2 transactions numbered by the source\'s own '
        'server_uuid, but not in its executed set',
        U2 + ':1: 1 transaction written on the replica itself',
        U3 + ':3-4: 2 transactions from server %s, which the source never '
        'received' % U3)
    assert fixes.errant_detail(source, replica, '') == ()


def test_errant_detail_tagged():
    found = fixes.errant_detail(mysql(server_id=1, server_uuid=U1),
                                mysql(server_uuid=U2),
                                U2 + ':1-2:fix:1')
    assert found == (U2 + ':1-2:fix:1: 3 transactions written on the '
                     'replica itself',)


def test_errant_detail_mariadb():
    source = mariadb(server_id=1, gtid_binlog_state=(
        MariaDBGtid(0, 2, 8), MariaDBGtid(0, 1, 20)))
    found = fixes.errant_detail(source, mariadb(server_id=2),
                                '0-2-11,1-7-3')
    # The replica applied up to 0-1-10 from its source: only 11 is its
    # own in domain 0.
    assert found == (
        '0-2-11: domain 0, transactions of the replica itself with seq_no '
        '11, after 0-2-8, the last of them the source logged',
        '1-7-3: domain 1, transactions of server_id 7 with seq_no 1 to 3, '
        'none of which the source logged')


def test_empty_transactions():
    source = mysql(server_id=1, server_uuid=U1)
    found = fixes.empty_transactions(source, U2 + ':1-2:fix:5')
    assert [s.replace('\\:', ':') for s in found] == [
        "SET gtid_next = '%s:1'" % U2, 'BEGIN', 'COMMIT',
        "SET gtid_next = '%s:2'" % U2, 'BEGIN', 'COMMIT',
        "SET gtid_next = '%s:fix:5'" % U2, 'BEGIN', 'COMMIT',
        "SET gtid_next = 'AUTOMATIC'"]
    too_many = '%s:1-%d' % (U2, fixes.MAX_INJECTED + 1)
    assert fixes.empty_transactions(source, too_many) == ()
    assert fixes.empty_transactions(mariadb(), '0-2-3') == ()


def problem(code):
    return topology.Problem(code, 'message of ' + code)


def test_remedy_for_local_errant_writes_injects_on_the_source():
    source = mysql(server_id=1, server_uuid=U1)
    replica = mysql(server_uuid=U2,
                    gtid_executed=g(U1 + ':1-10,' + U2 + ':1'))
    (found,) = fixes.remedies([problem('errant_transactions')], source,
                              replica, 'mysql_gtid', U2 + ':1')
    assert (found.problem, found.action, found.run_on) == (
        'errant_transactions', 'inject_empty_transactions', 'source')
    assert found.statements[0] == "SET gtid_next = '%s\\:1'" % U2
    assert 'changed nothing' in found.text and 're-seed' in found.text
    assert found.to_dict()['statements'] == list(found.statements)


def test_remedy_for_a_second_errant_write_after_an_injection():
    source = mysql(server_id=1, server_uuid=U1,
                   gtid_executed=g(U1 + ':1-10,' + U2 + ':1'))
    replica = mysql(server_uuid=U2,
                    gtid_executed=g(U1 + ':1-10,' + U2 + ':1-2'))
    (found,) = fixes.remedies([problem('errant_transactions')], source,
                              replica, 'mysql_gtid', U2 + ':2',
                              replicating=True)
    assert found.action == 'inject_empty_transactions'
    (found,) = fixes.remedies([problem('errant_transactions')], source,
                              replica, 'mysql_gtid', U2 + ':2')
    assert found.action == 'discard'


def test_remedy_for_foreign_errant_is_reseed():
    source = mysql(server_id=1, server_uuid=U1)
    replica = mysql(server_uuid=U2)
    (found,) = fixes.remedies([problem('errant_transactions')], source,
                              replica, 'mysql_gtid', U3 + ':1')
    assert (found.action, found.statements) == ('reseed', ())


def test_remedy_for_former_source_is_discard():
    source = mysql(server_id=1, server_uuid=U1,
                   gtid_executed=g(U2 + ':1-9'))
    replica = mysql(server_uuid=U2, gtid_executed=g(U2 + ':1-12'))
    (found,) = fixes.remedies([problem('errant_transactions')], source,
                              replica, 'mysql_gtid', U2 + ':10-12')
    assert found.action == 'discard'
    assert 'former source' in found.text and U2 + ':10-12' in found.text


def test_remedy_for_mariadb_errant_is_reseed():
    (found,) = fixes.remedies([problem('errant_transactions')],
                              mariadb(server_id=1), mariadb(server_id=2),
                              'mariadb_gtid', '0-2-11')
    assert found.action == 'reseed'


@pytest.mark.parametrize('code, action', [
    ('purged_binlogs', 'reseed'), ('seed_required', 'reseed'),
    ('behind_start_point', 'reseed'), ('unverifiable_start', 'reseed'),
    ('crash_unsafe', 'use_gtid_mode'), ('gtid_mode_off', 'enable_gtid_mode'),
    ('same_server_id', 'change_server_id'),
    ('flavor_mismatch', 'discard'), ('replica_older', 'upgrade_replica'),
    ('source_no_binlog', 'enable_source'), ('mode_mismatch', 'choose_mode'),
    ('something_new', 'see_problem'),
])
def test_one_remedy_per_problem(code, action):
    found = fixes.remedies([problem(code), problem('same_server_id')],
                           mysql(), mysql(), 'mysql_gtid', '')
    assert [(r.problem, r.action) for r in found] == [
        (code, action), ('same_server_id', 'change_server_id')]
    if action == 'see_problem':
        assert found[0].text == 'message of something_new'


def test_refine_binlog_verdict():
    status = gtid_replica_status(auto_position=False,
                                 exec_log_file='b.000002', exec_log_pos=500)
    replica = mysql(replica=status, gtid_mode='OFF')
    source = mysql(binlog_position=('b.000002', 500))
    assert fixes.refine_binlog_verdict(Verdict.RECOVERABLE, source,
                                       replica) is Verdict.IDENTICAL
    source = mysql(binlog_position=('b.000002', 900))
    assert fixes.refine_binlog_verdict(Verdict.RECOVERABLE, source,
                                       replica) is Verdict.RECOVERABLE
    assert fixes.refine_binlog_verdict(None, source, replica) is None
