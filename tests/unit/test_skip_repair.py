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

"""skip and repair-errant decided on scripted fake servers.

No server here: a fake answers the reads (variables, replica status,
``SHOW BINLOG / RELAYLOG EVENTS`` paged as the servers page them, object
counts, binlog dump sessions) from the rows captured on the real servers
(``test_binlog``) and records every other statement, so each
decision and the exact statements sent (or, in a dry run, not sent) are
asserted. ``tests/functional/test_skip_repair.py`` proves them on real
servers.
"""

import re

import pymysql
import pytest

from trove_gtid_strategy import errcodes
from trove_gtid_strategy import gtid
from trove_gtid_strategy.guest import log_reader
from trove_gtid_strategy.guest import server_state
from trove_gtid_strategy.guest import service as guest_service
from trove_gtid_strategy import literals
from trove_gtid_strategy.operations import repair
from trove_gtid_strategy.operations.repair import mariadb as repair_mariadb
from trove_gtid_strategy.operations import skip
from trove_gtid_strategy.state import ReplicaStatus
from trove_gtid_strategy.state import ServerState
from trove_gtid_strategy import versions

from test_binlog import MARIADB_1011_FAILED
from test_binlog import MARIADB_1011_RELAY
from test_binlog import MARIADB_REPLICA_ERRANT
from test_binlog import MARIADB_REPLICA_ID
from test_binlog import MARIADB_SOURCE_ID
from test_binlog import MYSQL_FAILED
from test_binlog import MYSQL_RELAY
from test_binlog import MYSQL_REPLICA_ERRANT
from test_binlog import MYSQL_REPLICA_UUID
from test_binlog import MYSQL_UUID

_EVENTS = re.compile(r"SHOW (BINLOG|RELAYLOG) EVENTS IN '([^']*)'"
                     r"(?: FROM (\d+))?(?: LIMIT (\d+), (\d+))?$")
_READS = ('SHOW', 'SELECT')
S = MARIADB_SOURCE_ID
R = MARIADB_REPLICA_ID


class FakeServer:
    """A server's answers; every statement is recorded in ``sent``."""

    def __init__(self, version, variables=(), status=None, logs=None,
                 existing=(), sessions=(), refuse=None, on_start=None,
                 worker_errors=()):
        self.variables = dict(variables, version=version,
                              version_comment='')
        self.status = status
        self.logs = logs or {}
        self.existing = set(existing)
        self.sessions = list(sessions)
        self.refuse = refuse or {}
        self.on_start = on_start
        #: ``(number, message)`` per applier worker stopped on an error.
        self.worker_errors = list(worker_errors)
        self.sent = []

    @property
    def writes(self):
        return [s for s in self.sent if not s.startswith(_READS)]

    def execute_sql(self, sql, use_flush=False):
        self.sent.append(sql)
        if sql in self.refuse:
            raise pymysql.err.OperationalError(*self.refuse[sql])
        if sql.startswith('SHOW GLOBAL VARIABLES'):
            names = re.findall(r"'([^']*)'", sql)
            return guest_service.Result(
                ['Variable_name', 'Value'],
                [(n, self.variables[n]) for n in names
                 if n in self.variables])
        if sql in ('SHOW REPLICA STATUS', 'SHOW SLAVE STATUS'):
            if self.status is None:
                return guest_service.Result([], [])
            return guest_service.Result(list(self.status),
                                        [list(self.status.values())])
        found = _EVENTS.match(sql)
        if found:
            return self._events(*found.groups())
        if sql.startswith('SELECT GTID_SUBSET'):
            return guest_service.Result(['x'], [(1,)])
        if sql.startswith('SELECT COUNT(*)'):
            names = tuple(re.findall(r"'([^']*)'", sql))
            return guest_service.Result(['n'], [(int(
                names in self.existing),)])
        if 'replication_applier_status_by_worker' in sql:
            return guest_service.Result(
                ['LAST_ERROR_NUMBER', 'LAST_ERROR_MESSAGE'],
                self.worker_errors)
        if 'Binlog Dump' in sql:
            return guest_service.Result(['USER', 'HOST'], self.sessions)
        if sql.startswith('START') and self.on_start:
            self.on_start(self)
        return guest_service.Result([], [])

    def _events(self, kind, log_name, start, offset, count):
        if log_name not in self.logs:
            raise pymysql.err.OperationalError(
                1220, 'Error when executing command SHOW BINLOG EVENTS: '
                      'Could not find target log')
        rows = [r for r in self.logs[log_name]
                if start is None or r[1] >= int(start)]
        if offset is not None:
            rows = rows[int(offset):int(offset) + int(count)]
        return guest_service.Result(
            ['Log_name', 'Pos', 'Event_type', 'Server_id', 'End_log_pos',
             'Info'], rows)


def running(server):
    server.status = dict(server.status, Replica_SQL_Running='Yes',
                         Slave_SQL_Running='Yes', Last_SQL_Errno=0,
                         Last_SQL_Error='')


def quiet(message):
    pass


# -- skip: MySQL 9.7 -------------------------------------------------------

def mysql_replica(**status):
    base = dict(MYSQL_FAILED, Source_Host='127.0.0.1')
    base.update(status)
    return FakeServer(
        '9.7.4-2', {'gtid_mode': 'ON',
                    'gtid_executed': MYSQL_FAILED['Executed_Gtid_Set'],
                    'replica_parallel_workers': '4'},
        status=base, logs={'vm-relay-bin.000002': MYSQL_RELAY},
        on_start=running)


def test_mysql_finds_the_failed_gtid_past_the_checkpoint():
    """The multi-threaded applier's position (369) is its last
    checkpoint; the failed transaction is the first unapplied one after
    it, as the error says.
    """
    replica = mysql_replica()
    result = skip.skip(replica, dry_run=True)
    failed = MYSQL_UUID + ':13'
    assert result.gtid == failed
    assert (result.relay_log_file, result.relay_log_pos) == (
        'vm-relay-bin.000002', 3842)
    assert result.method == skip.EMPTY_TRANSACTION
    assert result.mode == 'mysql_gtid'
    assert result.statements == [
        'SET gtid_next = %s' % literals.quote(failed), 'BEGIN', 'COMMIT',
        "SET gtid_next = 'AUTOMATIC'", 'START REPLICA']
    assert result.transaction['row_events']['write'] == 1
    assert result.transaction['tables'] == ['app.t']
    assert replica.writes == []
    assert result.to_dict()['gtid'] == failed


#: What a worker that only stopped because an earlier one failed
#: reports: the next transaction (:14, end_log_pos 4194).
BYSTANDER = (
    errcodes.ER_REPLICA_WORKER_STOPPED_PREVIOUS_THD_ERROR,
    "Worker 3 failed executing transaction '%s:14' at source log "
    "binlog.000001, end_log_pos 4194; Could not execute Write_rows event on "
    "table app.t; Replica worker has stopped after at least one previous "
    "worker encountered an error when replica-preserve-commit-order was "
    "enabled." % MYSQL_UUID)
FAILED_WORKER = (
    errcodes.ER_DUP_ENTRY,
    "Worker 1 failed executing transaction '%s:13' at source log "
    "binlog.000001, end_log_pos 3882; Could not execute Write_rows event on "
    "table app.t; Duplicate entry '50' for key 't.PRIMARY'" % MYSQL_UUID)


def test_mysql_failed_worker_found_when_the_status_quotes_a_bystander():
    """``Last_SQL_Error`` quotes the worker that reported last: here the
    one stopped by commit order on :14. The workers' own errors name :13,
    the transaction that failed; skipping :14 would commit an empty
    transaction in place of one that did nothing wrong.
    """
    quoted = ('Coordinator stopped because there were error(s) in the '
              'worker(s). The most recent failure being: ' + BYSTANDER[1])
    replica = mysql_replica(Last_SQL_Error=quoted)
    # Without the workers' errors the status alone would name :14.
    assert skip.skip(replica, dry_run=True).gtid == MYSQL_UUID + ':14'
    replica.worker_errors = [BYSTANDER, FAILED_WORKER]
    result = skip.skip(replica, dry_run=True)
    assert result.gtid == MYSQL_UUID + ':13'
    assert replica.writes == []


def test_mysql_skip_sends_the_empty_transaction_then_starts():
    replica = mysql_replica()
    result = skip.skip(replica, progress=quiet, poll=0)
    failed = MYSQL_UUID + ':13'
    assert replica.writes == [
        'SET gtid_next = %s' % literals.quote(failed), 'BEGIN', 'COMMIT',
        "SET gtid_next = 'AUTOMATIC'", 'START REPLICA']
    # Recorded before replication starts again.
    check = [s for s in replica.sent if s.startswith('SELECT GTID_SUBSET')]
    assert replica.sent.index(check[0]) < replica.sent.index(
        'START REPLICA')
    assert result.sql_running == 'Yes' and not result.dry_run


def test_mysql_empty_transaction_failure_resets_gtid_next():
    failed = MYSQL_UUID + ':13'
    replica = mysql_replica()
    replica.refuse = {'COMMIT': (1290, 'super_read_only')}
    with pytest.raises(pymysql.err.OperationalError):
        skip.skip(replica, progress=quiet, poll=0)
    assert replica.writes == [
        'SET gtid_next = %s' % literals.quote(failed), 'BEGIN', 'COMMIT',
        'ROLLBACK', "SET gtid_next = 'AUTOMATIC'"]


def test_refused_when_the_sql_thread_runs():
    replica = mysql_replica(Replica_SQL_Running='Yes', Last_SQL_Errno=0,
                            Last_SQL_Error='')
    with pytest.raises(skip.SkipRefused) as caught:
        skip.skip(replica)
    assert caught.value.code == 'not_stopped_on_sql_error'
    assert caught.value.result.problems[0].code == \
        'not_stopped_on_sql_error'
    assert replica.writes == []


def test_refused_when_not_a_replica():
    replica = mysql_replica()
    replica.status = None
    with pytest.raises(skip.SkipRefused) as caught:
        skip.skip(replica)
    assert caught.value.code == 'not_a_replica'


def test_refused_for_another_gtid():
    replica = mysql_replica()
    with pytest.raises(skip.SkipRefused) as caught:
        skip.skip(replica, gtid=MYSQL_UUID + ':14')
    assert caught.value.code == 'gtid_mismatch'
    assert MYSQL_UUID + ':13' in str(caught.value)
    assert replica.writes == []
    assert skip.skip(replica, gtid=MYSQL_UUID.upper() + ':13',
                     dry_run=True).gtid == MYSQL_UUID + ':13'


def test_refused_when_the_error_names_another_transaction():
    error = MYSQL_FAILED['Last_SQL_Error'].replace(':13', ':14')
    replica = mysql_replica(Last_SQL_Error=error)
    with pytest.raises(skip.SkipRefused) as caught:
        skip.skip(replica)
    assert caught.value.code == 'error_disagrees'
    assert replica.writes == []


def test_refused_when_the_relay_log_is_gone():
    replica = mysql_replica(Relay_Log_File='vm-relay-bin.000009')
    with pytest.raises(skip.SkipRefused) as caught:
        skip.skip(replica)
    assert caught.value.code == 'failed_transaction_not_found'


def test_relay_log_read_in_pages_and_across_files():
    """The scan continues in the next relay log file, page by page."""
    first = [r for r in MYSQL_RELAY if r[1] < 3842]
    second = [('vm-relay-bin.000003',) + r[1:] for r in MYSQL_RELAY[:2]] + \
        [('vm-relay-bin.000003',) + r[1:] for r in MYSQL_RELAY
         if r[1] >= 3842]
    replica = mysql_replica()
    replica.logs = {'vm-relay-bin.000002': first,
                    'vm-relay-bin.000003': second}
    found = list(log_reader.relay_log_events(replica, 'vm-relay-bin.000002',
                                             369))
    assert [e.log_name for e in found].count('vm-relay-bin.000003') == \
        len(second)
    pages = [s for s in replica.sent if 'LIMIT' in s]
    assert all(s.endswith(', %d' % log_reader.PAGE) for s in pages)
    result = skip.skip(replica, dry_run=True)
    assert result.relay_log_file == 'vm-relay-bin.000003'
    assert result.gtid == MYSQL_UUID + ':13'


def test_mysql_without_gtids_runs_the_applier_to_its_gaps_first():
    rows = [r[:5] + ("SET @@SESSION.GTID_NEXT= 'ANONYMOUS'",)
            if r[2] == 'Gtid' else r for r in MYSQL_RELAY]
    rows = [r[:2] + ('Anonymous_Gtid',) + r[3:] if r[2] == 'Gtid' else r
            for r in rows]
    error = MYSQL_FAILED['Last_SQL_Error'].replace(
        MYSQL_UUID + ':13', 'ANONYMOUS')
    replica = FakeServer(
        '9.7.4-2', {'gtid_mode': 'OFF', 'gtid_executed': ''},
        status=dict(MYSQL_FAILED, Last_SQL_Error=error, Auto_Position=0),
        logs={'vm-relay-bin.000002': rows})
    result = skip.skip(replica, dry_run=True)
    assert result.gtid == '' and result.relay_log_pos == 3842
    assert result.mode == 'binlog'
    assert result.statements == [
        'START REPLICA SQL_THREAD UNTIL SQL_AFTER_MTS_GAPS',
        'SET GLOBAL sql_replica_skip_counter = 1', 'START REPLICA']
    assert 'checkpoint' in result.notes[0]


# -- skip: MariaDB -----------------------------------------------------------

def mariadb_replica(slave_pos='0-%d-12' % S, threads='0', **status):
    base = dict(MARIADB_1011_FAILED)
    base.update(status)
    return FakeServer(
        '10.11.19-MariaDB-0+deb12u1-log',
        {'gtid_slave_pos': slave_pos, 'slave_parallel_threads': threads},
        status=base, logs={'mysql-relay-bin.000002': MARIADB_1011_RELAY},
        on_start=running)


def test_mariadb_serial_applier_uses_the_skip_counter():
    replica = mariadb_replica()
    result = skip.skip(replica, progress=quiet, poll=0)
    assert result.gtid == '0-%d-13' % S
    assert result.mode == 'mariadb_gtid'
    assert result.method == skip.SKIP_COUNTER
    assert result.transaction['annotations'] == [
        "INSERT INTO app.t VALUES (50,'source')"]
    assert replica.writes == ['SET GLOBAL sql_slave_skip_counter = 1',
                              'START REPLICA']
    # The hole it leaves in the replica's binary log is said.
    assert result.notes[-1].startswith(
        "0-%d-13 is not written to this replica's binary log" % S)


def test_mariadb_parallel_domains_move_the_slave_position():
    replica = mariadb_replica('0-%d-12,1-%d-1' % (S, S), threads='4')
    result = skip.skip(replica, progress=quiet, poll=0)
    assert result.method == skip.GTID_SLAVE_POS
    assert replica.writes == [
        'STOP REPLICA',
        "SET GLOBAL gtid_slave_pos = '0-%d-13,1-%d-1'" % (S, S),
        'START REPLICA']


def test_mariadb_counter_refused_by_the_server_falls_back():
    replica = mariadb_replica()
    replica.refuse = {'SET GLOBAL sql_slave_skip_counter = 1': (
        errcodes.ER_SLAVE_SKIP_NOT_IN_GTID, 'When using parallel replication '
        'and GTID with multiple replication domains, ...')}
    result = skip.skip(replica, progress=quiet, poll=0)
    assert result.method == skip.GTID_SLAVE_POS
    assert replica.writes[1:] == [
        'STOP REPLICA', "SET GLOBAL gtid_slave_pos = '0-%d-13'" % S,
        'START REPLICA']
    assert any('refused the skip counter' in n for n in result.notes)


def test_mariadb_lagging_position_moves_the_slave_position():
    replica = mariadb_replica(threads='4', Relay_Log_Pos=2350)
    result = skip.skip(replica, dry_run=True)
    assert result.gtid == '0-%d-13' % S
    assert result.method == skip.GTID_SLAVE_POS
    assert 'before the failed transaction' in result.notes[0]


def test_mariadb_binlog_mode_lagging_position_is_refused():
    replica = mariadb_replica(threads='4', Relay_Log_Pos=2350,
                              Using_Gtid='No')
    with pytest.raises(skip.SkipRefused) as caught:
        skip.skip(replica)
    assert caught.value.code == 'counter_unsafe'
    assert replica.writes == []


def test_mariadb_several_domains_without_a_hint_is_ambiguous():
    rows = list(MARIADB_1011_RELAY) + [
        ('mysql-relay-bin.000002', 3375, 'Gtid', S, 0,
         'GTID 1-%d-2' % S),
        ('mysql-relay-bin.000002', 3417, 'Query', S, 0, 'FLUSH TABLES')]
    replica = mariadb_replica('0-%d-12,1-%d-1' % (S, S), threads='4',
                              Last_SQL_Error='Could not execute ...')
    replica.logs = {'mysql-relay-bin.000002': rows}
    with pytest.raises(skip.SkipRefused) as caught:
        skip.skip(replica)
    assert caught.value.code == 'ambiguous'
    result = skip.skip(replica, gtid='1-%d-2' % S, dry_run=True)
    assert result.transaction['effect'] == 'no_data'


# -- repair: MySQL -----------------------------------------------------------

MY97 = versions.parse_server_version('9.7.4-2')
MDB = versions.parse_server_version('10.11.19-MariaDB-0+deb12u1-log')
SOURCE_SET = MYSQL_UUID + ':1-14:100:mytag:1'


def mysql_states(replica_set, source_set=SOURCE_SET, files=(
        'binlog.000001',)):
    src = ServerState(MY97, 1104111509, MYSQL_UUID, log_bin=True,
                      gtid_mode='ON',
                      gtid_executed=gtid.GtidSet.parse(source_set),
                      gtid_purged=gtid.GtidSet())
    rep = ServerState(MY97, 3731444298, MYSQL_REPLICA_UUID, log_bin=True,
                      gtid_mode='ON',
                      gtid_executed=gtid.GtidSet.parse(replica_set),
                      gtid_purged=gtid.GtidSet(), binlog_files=files)
    return src, rep


@pytest.fixture
def states(monkeypatch):
    """``states[server] = ServerState`` read instead of the server."""
    found = {}
    monkeypatch.setattr(server_state, 'read_state',
                        lambda service, **kw: found[service])
    return found


def mysql_pair(states, replica_set, rows=MYSQL_REPLICA_ERRANT,
               existing=()):
    source = FakeServer('9.7.4-2', existing=existing)
    replica = FakeServer('9.7.4-2', logs={'binlog.000001': rows},
                         existing=existing)
    states[source], states[replica] = mysql_states(replica_set)
    return source, replica


HARMLESS = [r for r in MYSQL_REPLICA_ERRANT if r[1] < 3897]


def test_mysql_harmless_errant_is_reconciled_on_the_source(states):
    source, replica = mysql_pair(
        states, SOURCE_SET + ',' + MYSQL_REPLICA_UUID + ':1', HARMLESS)
    plan = repair.repair_errant(source, replica, dry_run=True)
    errant = MYSQL_REPLICA_UUID + ':1'
    assert plan.decision == repair.REPAIR
    assert plan.method == repair.EMPTY_ON_SOURCE
    assert plan.errant == errant
    [item] = plan.transactions
    assert (item.gtid, item.origin, item.effect, item.decision) == (
        errant, repair.OWN, 'drops_if_exists', repair.RECONCILE)
    assert item.log_name == 'binlog.000001'
    assert plan.statements == [
        {'server': 'source', 'sql': 'SET gtid_next = %s'
         % literals.quote(errant)},
        {'server': 'source', 'sql': 'BEGIN'},
        {'server': 'source', 'sql': 'COMMIT'},
        {'server': 'source', 'sql': "SET gtid_next = 'AUTOMATIC'"}]
    assert source.writes == [] and replica.writes == []
    # Both servers were asked whether the dropped account exists.
    assert any("User = 'nobody'" in s for s in source.sent)
    assert any("User = 'nobody'" in s for s in replica.sent)

    done = repair.repair_errant(source, replica, progress=quiet)
    assert done.applied
    assert source.writes == [s['sql'] for s in plan.statements]
    assert replica.writes == []


def test_mysql_only_the_files_holding_errant_gtids_are_read(states):
    older = [('binlog.000000', 4, 'Format_desc', 1, 127, 'x'),
             ('binlog.000000', 127, 'Previous_gtids', 1, 158, '')]
    header = [('binlog.000001', 127, 'Previous_gtids', 1, 158,
               MYSQL_UUID + ':1-14:100:mytag:1')]
    source, replica = mysql_pair(
        states, SOURCE_SET + ',' + MYSQL_REPLICA_UUID + ':1',
        header + [r for r in HARMLESS if r[1] >= 3711])
    replica.logs['binlog.000000'] = older
    states[replica] = mysql_states(
        SOURCE_SET + ',' + MYSQL_REPLICA_UUID + ':1',
        files=('binlog.000000', 'binlog.000001'))[1]
    plan = repair.repair_errant(source, replica, dry_run=True)
    assert plan.transactions[0].log_name == 'binlog.000001'
    full_reads = [s for s in replica.sent if 'binlog.000000' in s
                  and 'LIMIT 0, 4' not in s]
    assert full_reads == []


def test_mysql_data_changing_errant_is_refused(states):
    source, replica = mysql_pair(
        states, SOURCE_SET + ',' + MYSQL_REPLICA_UUID + ':1-2')
    with pytest.raises(repair.RepairRefused) as caught:
        repair.repair_errant(source, replica)
    result = caught.value.repair
    assert result.decision == repair.REFUSED
    assert [(t.gtid.rsplit(':', 1)[1], t.effect, t.decision)
            for t in result.transactions] == [
        ('1', 'drops_if_exists', repair.RECONCILE),
        ('2', 'data', repair.REFUSE)]
    assert '--accept-divergence' in str(caught.value)
    assert 're-seed' in str(caught.value)
    assert caught.value.result.verdict == 'DIVERGED'
    assert source.writes == [] and replica.writes == []
    accepted = repair.repair_errant(source, replica, accept_divergence=True,
                                    dry_run=True)
    assert accepted.decision == repair.REPAIR
    assert len(accepted.statements) == 7


def test_mysql_drop_of_an_existing_object_is_data(states):
    source, replica = mysql_pair(
        states, SOURCE_SET + ',' + MYSQL_REPLICA_UUID + ':1', HARMLESS,
        existing={('nobody', '%')})
    plan = repair.repair_errant(source, replica, dry_run=True)
    [item] = plan.transactions
    assert item.effect == 'data' and item.decision == repair.REFUSE
    assert "user 'nobody'@'%' on the source" in item.reason


def test_mysql_transactions_of_another_server_are_always_refused(states):
    other = '11111111-2222-3333-4444-555555555555'
    rows = [r[:5] + (r[5].replace(MYSQL_REPLICA_UUID, other),)
            for r in HARMLESS]
    source, replica = mysql_pair(states, SOURCE_SET + ',' + other + ':1',
                                 rows)
    with pytest.raises(repair.RepairRefused) as caught:
        repair.repair_errant(source, replica, accept_divergence=True)
    [item] = caught.value.repair.transactions
    assert item.origin == repair.OTHER_SERVER
    assert item.effect == 'drops_if_exists'
    assert 'another server' in str(caught.value)
    assert source.writes == []


def test_mysql_errant_no_longer_in_the_binary_log_is_unknown(states):
    source, replica = mysql_pair(
        states, SOURCE_SET + ',' + MYSQL_REPLICA_UUID + ':1',
        rows=[r for r in HARMLESS if r[1] < 3711])
    plan = repair.repair_errant(source, replica, dry_run=True)
    [item] = plan.transactions
    assert item.effect == repair.UNKNOWN and item.decision == repair.REFUSE
    assert plan.decision == repair.REFUSED
    accepted = repair.repair_errant(source, replica, accept_divergence=True,
                                    dry_run=True)
    assert accepted.transactions[0].decision == repair.RECONCILE


def test_mysql_former_source_writes_are_always_refused(states):
    """The source holds some of the replica's transactions and the
    replica does not replicate from it: the replica is a demoted former
    source, its errant transactions writes lost in a failover.
    """
    source, replica = mysql_pair(
        states, SOURCE_SET + ',' + MYSQL_REPLICA_UUID + ':1', HARMLESS)
    src, rep = states[source], states[replica]
    states[source] = ServerState(
        MY97, src.server_id, src.server_uuid, log_bin=True, gtid_mode='ON',
        gtid_executed=gtid.GtidSet.parse(
            SOURCE_SET + ',' + MYSQL_REPLICA_UUID + ':5'),
        gtid_purged=gtid.GtidSet())
    with pytest.raises(repair.RepairRefused) as caught:
        repair.repair_errant(source, replica, accept_divergence=True)
    [item] = caught.value.repair.transactions
    assert item.origin == repair.FORMER_SOURCE
    assert item.decision == repair.REFUSE
    assert 'lost in a failover' in caught.value.repair.remedy
    assert source.writes == []
    # Replicating from this source, it is not a former source.
    states[replica] = ServerState(
        MY97, rep.server_id, rep.server_uuid, log_bin=True, gtid_mode='ON',
        gtid_executed=rep.gtid_executed, gtid_purged=gtid.GtidSet(),
        binlog_files=rep.binlog_files,
        replica=ReplicaStatus(source_server_id=src.server_id))
    plan = repair.repair_errant(source, replica, dry_run=True)
    assert plan.transactions[0].origin == repair.OWN
    assert plan.decision == repair.REPAIR


def test_mysql_nothing_to_do(states):
    source, replica = mysql_pair(states, MYSQL_UUID + ':1-12')
    result = repair.repair_errant(source, replica)
    assert result.decision == repair.NOTHING_TO_DO
    assert result.transactions == [] and not result.applied


# -- repair: MariaDB -------------------------------------------------------

def mariadb_states(binlog_state, slave_pos='0-%d-12' % S,
                   source_state='0-%d-14' % S, running=True):
    def state(text):
        return tuple(gtid.MariaDBGtid.parse(x) for x in text.split(','))
    position = gtid.MariaDBGtidPosition.from_binlog_state
    src = ServerState(MDB, S, log_bin=True,
                      gtid_binlog_pos=position(source_state),
                      gtid_binlog_state=state(source_state))
    status = ReplicaStatus(io_running='Yes',
                           sql_running='Yes' if running else 'No')
    rep = ServerState(MDB, R, log_bin=True,
                      gtid_binlog_pos=position(binlog_state),
                      gtid_binlog_state=state(binlog_state),
                      gtid_slave_pos=gtid.MariaDBGtidPosition.parse(
                          slave_pos),
                      binlog_files=('mysql-bin.000001',), replica=status)
    return src, rep


def mariadb_pair(states, binlog_state, rows=MARIADB_REPLICA_ERRANT,
                 sessions=(), **kwargs):
    version = '10.11.19-MariaDB-0+deb12u1-log'
    source = FakeServer(version)
    replica = FakeServer(version, logs={'mysql-bin.000001': rows},
                         sessions=sessions, status=dict(
                             MARIADB_1011_FAILED, Slave_SQL_Running='Yes'))
    states[source], states[replica] = mariadb_states(binlog_state, **kwargs)
    return source, replica


MARIADB_HARMLESS = [r for r in MARIADB_REPLICA_ERRANT if r[1] < 2759]


def test_mariadb_harmless_errant_resets_the_replica_binlog(states):
    source, replica = mariadb_pair(
        states, '0-%d-12,0-%d-13' % (S, R), MARIADB_HARMLESS)
    plan = repair.repair_errant(source, replica, dry_run=True)
    assert plan.decision == repair.REPAIR
    assert plan.method == repair.RESET_REPLICA_BINLOG
    [item] = plan.transactions
    assert (item.gtid, item.origin, item.effect) == (
        '0-%d-13' % R, repair.OWN, 'drops_if_exists')
    assert [s['sql'] for s in plan.statements] == [
        'STOP REPLICA', 'RESET MASTER',
        "SET GLOBAL gtid_binlog_state = '0-%d-12'" % S, 'START REPLICA']
    assert all(s['server'] == 'replica' for s in plan.statements)
    assert 'seed taken after this repair' in plan.notes[0]
    assert source.writes == [] and replica.writes == []


def test_mariadb_data_changing_errant_is_refused(states):
    source, replica = mariadb_pair(states, '0-%d-12,0-%d-14' % (S, R))
    with pytest.raises(repair.RepairRefused) as caught:
        repair.repair_errant(source, replica)
    items = caught.value.repair.transactions
    assert [(t.gtid, t.effect, t.decision) for t in items] == [
        ('0-%d-13' % R, 'drops_if_exists', repair.RECONCILE),
        ('0-%d-14' % R, 'data', repair.REFUSE)]
    assert replica.writes == []


def test_mariadb_replica_with_replicas_of_its_own_is_refused(states):
    source, replica = mariadb_pair(
        states, '0-%d-12,0-%d-13' % (S, R), MARIADB_HARMLESS,
        sessions=[('repl_x', '127.0.0.1:5000')])
    plan = repair.repair_errant(source, replica, dry_run=True)
    assert plan.decision == repair.REFUSED
    assert 'replicas of its own' in plan.remedy
    assert plan.statements == []


def test_mariadb_other_server_id_is_refused(states):
    rows = [r[:3] + (4242,) + r[4:5] + (r[5].replace(str(R), '4242'),)
            for r in MARIADB_HARMLESS]
    source, replica = mariadb_pair(states, '0-%d-12,0-4242-13' % S, rows)
    plan = repair.repair_errant(source, replica, accept_divergence=True,
                                dry_run=True)
    [item] = plan.transactions
    assert item.gtid == '0-4242-13' and item.origin == repair.OTHER_SERVER
    assert plan.decision == repair.REFUSED


def test_mariadb_new_state_keeps_what_the_source_has_of_the_replica():
    src = mariadb_states('0-1-1', source_state='0-%d-3,0-%d-9' % (R, S))[0]
    errant = repair_mariadb.errant_test(src)
    state = repair_mariadb.state_without(
        (gtid.MariaDBGtid(0, R, 11), gtid.MariaDBGtid(0, S, 9),
         gtid.MariaDBGtid(5, R, 2)), src, errant)
    assert [str(g) for g in state] == ['0-%d-3' % R, '0-%d-9' % S]


def test_mariadb_slave_position_ahead_of_the_source_is_refused(states):
    """The replica applied a GTID of the replica's own server id from
    somewhere (its slave position): no reset of its binary log helps.
    """
    source, replica = mariadb_pair(
        states, '0-%d-12,0-%d-13' % (S, R), MARIADB_HARMLESS,
        slave_pos='0-%d-13' % R)
    plan = repair.repair_errant(source, replica, dry_run=True)
    assert plan.decision == repair.REFUSED
    assert 'gtid_slave_pos' in plan.remedy
    assert plan.statements == []
