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

"""The Trove-facing classes as coordinators, on a scripted fake service.

No server here: the fake answers the reads the strategy makes and
records every statement, file write and restart, so the order of a
decision and its changes can be asserted exactly (the real-server tests
prove the statements work).
"""

import pymysql
import pytest

from trove_gtid_strategy import exceptions
from trove_gtid_strategy.gtid import MariaDBGtidPosition
from trove_gtid_strategy.guest import service as guest_service
from trove_gtid_strategy.state import ServerState
from trove_gtid_strategy import strategy
from trove_gtid_strategy.versions import Flavor
from trove_gtid_strategy.versions import ServerVersion

MDB = ServerVersion(Flavor.MARIADB, 10, 11, 19)


class FakeService:
    """Answers a MariaDB 10.11 replica's reads; records the rest."""

    def __init__(self, variables=None, schemas=(), replica_row=None):
        self.variables = dict({
            'version': '10.11.19-MariaDB-log', 'version_comment': 'x',
            'server_id': '2', 'log_bin': 'ON', 'read_only': 'ON',
            'log_slave_updates': 'ON',
            'sql_mode': '', 'gtid_binlog_pos': '', 'gtid_slave_pos': '',
            'gtid_binlog_state': ''}, **(variables or {}))
        self.schemas = list(schemas)
        self.replica_row = replica_row
        self.changes = []
        self.restarts = 0
        self.data_dir = '/nonexistent'

    def execute_sql(self, sql, use_flush=False):
        if sql.startswith('SHOW GLOBAL VARIABLES'):
            rows = [(k, v) for k, v in self.variables.items()
                    if "'%s'" % k in sql]
            return guest_service.Result(['Variable_name', 'Value'], rows)
        if 'information_schema.SCHEMATA' in sql:
            return guest_service.Result(
                ['SCHEMA_NAME'], [('mysql',)] + [(s,) for s in self.schemas])
        if sql in ('SHOW REPLICA STATUS', 'SHOW SLAVE STATUS'):
            row = self.replica_row
            return guest_service.Result(list(row or {}),
                                        [tuple(row.values())] if row else [])
        if sql == 'SHOW MASTER STATUS':
            return guest_service.Result(['File', 'Position'],
                                        [('mysql-bin.000001', 330)])
        if sql == 'SHOW BINARY LOGS':
            return guest_service.Result(['Log_name', 'File_size'],
                                        [('mysql-bin.000001', 330)])
        if sql.startswith('SELECT BINLOG_GTID_POS'):
            return guest_service.Result(['p'], [('',)])
        if sql.startswith('SELECT Host FROM mysql.user'):
            # The replica's copy of its account, created as '%'.
            return guest_service.Result(['Host'], [('%',)])
        if sql.startswith('SELECT'):
            raise AssertionError('unexpected read: %s' % sql)
        self.changes.append(sql)
        return guest_service.Result([], [])

    def get_port(self):
        return 3306

    def get_data_dir(self):
        return self.data_dir

    def write_replication_replica_overrides(self, text):
        self.changes.append('write replica overrides')

    def write_replication_source_overrides(self, text):
        self.changes.append('write source overrides')

    def remove_replication_replica_overrides(self):
        self.changes.append('remove replica overrides')

    def restart(self):
        self.restarts += 1
        self.changes.append('restart')


class FakeProbe:
    def __init__(self, state):
        self.state = state
        self.addresses = []

    def read(self, address, tls):
        self.addresses.append(address)
        return self.state


def source_state(**kw):
    fields = dict(version=MDB, server_id=1, log_bin=True,
                  gtid_binlog_pos=MariaDBGtidPosition.parse('0-1-10'),
                  purged_position=MariaDBGtidPosition.parse(''),
                  user_schemas=None)
    fields.update(kw)
    return ServerState(**fields)


def master_info(**kw):
    info = {'master': {'host': '10.0.0.1', 'port': 3306},
            'replica_conf': {
                'replication_user': {'name': 'repl_a', 'password': 'pw'},
                'log_position': {'log_file': 'mysql-bin.000001',
                                 'log_position': 330, 'gtid_pos': '0-1-10'}}}
    info.update(kw)
    return info


@pytest.fixture
def conf():
    overrides = []

    def set_option(name, value):
        strategy.CONF.set_override(name, value, group='trove_gtid_strategy')
        overrides.append(name)

    set_option('replica_start_timeout', 1)
    set_option('poll_interval', 0.05)
    yield set_option
    for name in overrides:
        strategy.CONF.clear_override(name, group='trove_gtid_strategy')


RUNNING = {'Slave_IO_Running': 'Yes', 'Slave_SQL_Running': 'Yes',
           'Master_User': 'repl_a', 'Master_Host': '10.0.0.1',
           'Master_Port': '3306'}


class AttachingFake(FakeService):
    """Becomes a running replica once START REPLICA was sent."""

    def execute_sql(self, sql, use_flush=False):
        result = super().execute_sql(sql, use_flush)
        if sql.startswith('START '):
            self.replica_row = dict(RUNNING)
        return result


def test_gtid_attach_order(conf):
    replica = AttachingFake()
    probe = FakeProbe(source_state())
    repl = strategy.MariaDBGTIDReplication(probe=probe)
    repl.enable_as_slave(replica, master_info(), None)
    # Probed as the replication account, at the source's address.
    assert probe.addresses[0].user == 'repl_a'
    assert probe.addresses[0].host == '10.0.0.1'
    # Nothing needed a restart (the fake already runs with the settings).
    assert replica.changes[0] == 'write replica overrides'
    assert replica.restarts == 0
    assert replica.changes[1].startswith('CHANGE MASTER TO')
    assert 'MASTER_USE_GTID = slave_pos' in replica.changes[1]
    assert replica.changes[2] == 'START REPLICA'
    assert len(replica.changes) == 3


@pytest.mark.parametrize('state, info, code', [
    (source_state(server_id=2), master_info(), 'same_server_id'),
    (source_state(log_bin=False), master_info(), 'source_no_binlog'),
    (source_state(gtid_binlog_pos=MariaDBGtidPosition.parse('0-1-3'),
                  gtid_binlog_state=()),
     master_info(), None),
])
def test_refusal_changes_nothing(conf, state, info, code):
    replica = FakeService(variables={'gtid_binlog_pos': '0-2-5'})
    repl = strategy.MariaDBGTIDReplication(probe=FakeProbe(state))
    with pytest.raises(exceptions.PrecheckFailed) as caught:
        repl.enable_as_slave(replica, info, None)
    if code:
        assert code in [p.code for p in caught.value.result.problems]
    assert 'repl_a' in str(caught.value)   # the account to clean up
    assert replica.changes == []
    assert replica.restarts == 0


def test_bad_input_changes_nothing_and_probes_nothing(conf):
    replica = FakeService()
    probe = FakeProbe(source_state())
    repl = strategy.MariaDBGTIDReplication(probe=probe)
    bad = master_info(dataset={'log_file': 'mysql-bin.000001',
                               'log_position': '\u0661\u0662'})
    with pytest.raises(exceptions.InvalidInput):
        repl.enable_as_slave(replica, bad, None)
    assert replica.changes == [] and probe.addresses == []


def test_binlog_mode_on_mariadb_is_refused_before_changes(conf):
    replica = FakeService(schemas=('app',))
    repl = strategy.MysqlBinlogReplication(probe=FakeProbe(source_state()))
    with pytest.raises(exceptions.PrecheckFailed) as caught:
        repl.enable_as_slave(replica, master_info(), None)
    assert 'crash_unsafe' in [p.code for p in caught.value.result.problems]
    assert replica.changes == []


def test_stopped_io_thread_is_reported_at_once(conf):
    class Failing(FakeService):
        def execute_sql(self, sql, use_flush=False):
            result = super().execute_sql(sql, use_flush)
            if sql.startswith('START '):
                self.replica_row = dict(
                    RUNNING, Slave_IO_Running='Connecting',
                    Last_IO_Errno='1045',
                    Last_IO_Error='Access denied for user')
            return result

    conf('replica_start_timeout', 3600)
    replica = Failing()
    repl = strategy.MariaDBGTIDReplication(probe=FakeProbe(source_state()))
    with pytest.raises(exceptions.ReplicationError) as caught:
        repl.enable_as_slave(replica, master_info(), None)
    assert 'last I/O error 1045: Access denied' in str(caught.value)


def test_detach_drops_the_account_without_binary_logging(conf):
    class Unlogged(FakeService):
        def run_unlogged(self, statements):
            self.changes.append(('unlogged', tuple(statements)))

    replica = Unlogged(replica_row=dict(RUNNING))
    result = strategy.AutoReplication().detach_slave(replica, False)
    assert result == {'replication_user': 'repl_a'}
    assert replica.changes[:2] == ['STOP REPLICA', 'RESET REPLICA ALL']
    # Writable first (MySQL's super_read_only would refuse the drop).
    assert replica.changes[2:5] == [
        'remove replica overrides', 'SET GLOBAL read_only = OFF',
        ('unlogged', ("DROP USER IF EXISTS 'repl_a'@'%'",))]
    assert 'DROP USER' not in ' '.join(
        c for c in replica.changes if isinstance(c, str))


class Demoted(FakeService):
    """An old source attached as a replica; after its restart the status
    row is ``after_restart``; START REPLICA fails ``refusals`` times with
    error 1201 before its threads run.
    """

    def __init__(self, after_restart, refusals=0, **row):
        super().__init__(replica_row=dict(RUNNING, **row))
        self.after_restart = after_restart
        self.refusals = refusals

    def exists_replication_source_overrides(self):
        return True

    def remove_replication_source_overrides(self):
        self.changes.append('remove source overrides')

    def restart(self):
        super().restart()
        self.replica_row = dict(self.replica_row, **self.after_restart)

    def execute_sql(self, sql, use_flush=False):
        if sql == 'START REPLICA':
            self.changes.append(sql)
            if self.refusals:
                self.refusals -= 1
                raise pymysql.err.OperationalError(
                    1201, "Could not initialize master info structure for "
                    "''")
            self.replica_row = dict(self.replica_row, **RUNNING)
            return guest_service.Result([], [])
        return super().execute_sql(sql, use_flush)


STOPPED = {'Slave_IO_Running': 'No', 'Slave_SQL_Running': 'No'}


def test_demote_starts_threads_the_restart_left_stopped(conf):
    old = Demoted(STOPPED)
    strategy.AutoReplication().demote_master(old)
    assert old.changes == ['remove source overrides', 'restart',
                           'START REPLICA']


def test_demote_resets_a_relay_log_state_that_did_not_load(conf):
    """Error 1201 on a replica replicating by GTID: its position is its
    GTID state, so the relay logs go and it starts again.
    """
    old = Demoted(STOPPED, refusals=1, Using_Gtid='Slave_Pos')
    strategy.AutoReplication().demote_master(old)
    assert old.changes == ['remove source overrides', 'restart',
                           'START REPLICA', 'RESET REPLICA', 'START REPLICA']


def test_demote_by_file_and_position_never_resets(conf):
    old = Demoted(STOPPED, refusals=1, Using_Gtid='No')
    with pytest.raises(pymysql.err.OperationalError, match='1201'):
        strategy.AutoReplication().demote_master(old)
    assert 'RESET REPLICA' not in old.changes


@pytest.mark.parametrize('after_restart', [
    {},
    dict(STOPPED, Last_SQL_Errno='1062', Last_SQL_Error='Duplicate entry')])
def test_demote_leaves_running_or_failed_threads_alone(after_restart):
    old = Demoted(after_restart)
    strategy.AutoReplication().demote_master(old)
    assert old.changes == ['remove source overrides', 'restart']


def test_strategy_is_built_with_no_arguments():
    for cls in (strategy.AutoReplication, strategy.MysqlBinlogReplication,
                strategy.MysqlGTIDReplication,
                strategy.MariaDBGTIDReplication):
        assert cls().progress is None


class MovingReplica(AttachingFake):
    """A running MariaDB replica that applies one more transaction of its
    source between the strategy's first read and the stop of its threads:
    the row arrives in its binary log first, its slave position a moment
    later (as MariaDB commits).
    """

    def __init__(self):
        super().__init__(variables={'gtid_slave_pos': '0-1-5',
                                    'gtid_binlog_pos': '0-1-6'},
                         replica_row=dict(RUNNING,
                                          Exec_Master_Log_Pos='100'))

    def execute_sql(self, sql, use_flush=False):
        if sql in ('STOP REPLICA', 'STOP SLAVE'):
            self.variables.update(gtid_slave_pos='0-1-7',
                                  gtid_binlog_pos='0-1-7')
            self.replica_row = dict(self.replica_row,
                                    Exec_Master_Log_Pos='200')
        return super().execute_sql(sql, use_flush)


def test_a_replica_moving_while_read_is_planned_again_stopped(conf):
    replica = MovingReplica()
    probe = FakeProbe(source_state(
        gtid_binlog_pos=MariaDBGtidPosition.parse('0-1-7')))
    repl = strategy.MariaDBGTIDReplication(probe=probe)
    repl.enable_as_slave(replica, master_info(), None)
    stop = replica.changes.index('STOP REPLICA')
    # Read mid-commit (binary log ahead of the slave position), the first
    # plan would have set the position back to 0-1-6, before the 0-1-7 it
    # applied before stopping: MariaDB would then stop on error 1950.
    assert not [c for c in replica.changes if 'gtid_slave_pos' in c]
    assert replica.changes[stop + 1].startswith('CHANGE MASTER TO')
    assert replica.changes[-1] == 'START REPLICA'
    assert len(probe.addresses) == 2   # checked again, as the account
    assert repl.last_plan.statements[-1].sql == replica.changes[stop + 1]
