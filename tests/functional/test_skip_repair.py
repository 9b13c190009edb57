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

"""Skipping a failed transaction and repairing errant transactions, on
real servers of every line.

Faults are made by server state, never by sleeps: a row planted on the
replica without binary logging (``run_unlogged``) and then written on the
source stops the replica's SQL thread on a duplicate key, and the tests
poll ``SHOW REPLICA STATUS`` until ``Last_SQL_Errno`` shows it. Replicas
are attached before any data is written (an empty replica of a source
holding data is refused without a seed).
"""


import pytest

from trove_gtid_strategy.decisions import skip as skip_decision
from trove_gtid_strategy import exceptions
from trove_gtid_strategy import literals
from trove_gtid_strategy.operations import repair
from trove_gtid_strategy.operations import skip
from trove_gtid_strategy import strategy

from support import admin_writes
from support import attach
from support import catch_up
from support import checksum
from support import connect
from support import CountingService
from support import is_mysql
from support import query
from support import replica_fields
from support import scalar
from support import sql_error
from support import status
from support import TroveLikeService
from support import until


@pytest.fixture
def mode(request):
    """The replication mode asked for (``auto`` unless a test is
    parametrised indirectly); MariaDB's binlog-position mode is allowed
    although not crash-safe (test_safety covers that refusal).
    """
    requested = getattr(request, 'param', 'auto')
    overrides = {'replication_mode': requested, 'replica_start_timeout': 60,
                 'allow_crash_unsafe_binlog': True}
    for name, value in overrides.items():
        strategy.CONF.set_override(name, value, group='trove_gtid_strategy')
    yield requested
    for name in overrides:
        strategy.CONF.clear_override(name, group='trove_gtid_strategy')


@pytest.fixture
def pair(sandbox_factory, mode):
    """A source and an attached replica, both empty of user data."""
    box = sandbox_factory(replicas=1)
    source, replica = (CountingService(s) for s in box.servers())
    repl = strategy.AutoReplication()
    repl.enable_as_master(source, None)
    attach(repl, source, replica)
    return repl, source, replica


def gtid_state(server):
    names = (('gtid_executed',) if is_mysql(server)
             else ('gtid_binlog_state', 'gtid_slave_pos'))
    return [scalar(server, 'SELECT @@GLOBAL.%s' % name) for name in names]


def make_conflict(repl, source, replica):
    """app.t with rows 1-3 everywhere; row 50 planted on the replica
    unlogged, then written on the source, then 51: the replica stops on
    the duplicate key of 50.
    """
    query(source.server, 'CREATE DATABASE app')
    query(source.server, 'CREATE TABLE app.t (id INT PRIMARY KEY, '
                         'v VARCHAR(40))')
    for i in (1, 2, 3):
        query(source.server, 'INSERT INTO app.t VALUES (%s, %s)', i, 'r')
    catch_up(repl, source, replica)
    with admin_writes(replica.server):
        replica.run_unlogged(["INSERT INTO app.t VALUES (50, 'planted')"])
    query(source.server, "INSERT INTO app.t VALUES (50, 'source')")
    query(source.server, "INSERT INTO app.t VALUES (51, 'after')")
    return sql_error(replica)


# -- skip ------------------------------------------------------------------

@pytest.mark.parametrize('mode', ['auto', 'binlog'], indirect=True)
def test_skip_skips_exactly_the_failed_transaction(pair, mode):
    repl, source, replica = pair
    failed = make_conflict(repl, source, replica)
    assert failed.last_sql_errno == 1062
    before = gtid_state(replica.server)

    result = skip.skip(replica)

    assert result.mode == ('binlog' if mode == 'binlog' else
                           'mysql_gtid' if is_mysql(source.server)
                           else 'mariadb_gtid')
    assert result.error_number == 1062
    assert result.transaction['tables'] == ['app.t']
    assert result.transaction['row_events']['write'] == 1
    assert result.transaction['changes_data'] is True
    if is_mysql(source.server):
        assert result.method == skip.EMPTY_TRANSACTION
        uuid = scalar(source.server, 'SELECT @@server_uuid')
        assert result.gtid.startswith(uuid + ':')
        assert result.statements[0] == 'SET gtid_next = %s' % \
            literals.quote(result.gtid)
    else:
        assert result.method == skip.SKIP_COUNTER
        assert 'INSERT INTO app.t VALUES (50' in result.transaction[
            'annotations'][0]
        assert result.statements[0] == 'SET GLOBAL sql_slave_skip_counter = 1'
    assert result.sql_running == 'Yes'
    # MariaDB's SQL thread skips the group once started, on its own time
    # (its position was seen unchanged 1 time in 10 right after): the
    # position moves on by itself.
    until(lambda: gtid_state(replica.server), lambda now: now != before,
          'the replica to move past the skipped transaction')
    # Replication goes on: 51 arrived, and later writes too.
    for i in range(52, 62):
        query(source.server, 'INSERT INTO app.t VALUES (%s, %s)', i, 'later')
    catch_up(repl, source, replica)
    assert status(replica).running
    assert scalar(replica.server, 'SELECT v FROM app.t WHERE id = 50') == \
        'planted'
    assert scalar(source.server, 'SELECT v FROM app.t WHERE id = 50') == \
        'source'
    assert scalar(replica.server, 'SELECT COUNT(*) FROM app.t') == \
        scalar(source.server, 'SELECT COUNT(*) FROM app.t') == 15
    # Everything but the planted row is the source's.
    with admin_writes(replica.server):
        replica.run_unlogged(["UPDATE app.t SET v = 'source' WHERE id = 50"])
    assert checksum(replica.server) == checksum(source.server)
    # Skipped once: the GTID is recorded as executed on the replica.
    if is_mysql(source.server):
        assert scalar(replica.server, 'SELECT GTID_SUBSET(%s, '
                      '@@GLOBAL.gtid_executed)', result.gtid) == 1


def test_skip_through_trove_pooled_service(pair):
    """Trove's service runs each statement on a pooled connection: the
    empty transaction still runs on one session (its engine's).
    """
    repl, source, replica = pair
    make_conflict(repl, source, replica)
    trove_like = TroveLikeService(replica.server)
    result = skip.skip(trove_like)
    assert result.sql_running == 'Yes'
    query(source.server, "INSERT INTO app.t VALUES (52, 'later')")
    catch_up(repl, source, replica)
    assert scalar(replica.server, 'SELECT COUNT(*) FROM app.t') == 6
    if is_mysql(source.server):
        # No session was left with a GTID of its own.
        assert scalar(replica.server, 'SELECT GTID_SUBSET(%s, '
                      '@@GLOBAL.gtid_executed)', result.gtid) == 1
    trove_like.engine.dispose()


def test_skip_refused_when_replica_runs(pair):
    repl, source, replica = pair
    query(source.server, 'CREATE DATABASE app')
    catch_up(repl, source, replica)
    before = gtid_state(replica.server), replica_fields(replica)
    with pytest.raises(skip.SkipRefused) as caught:
        skip.skip(replica)
    assert caught.value.code == 'not_stopped_on_sql_error'
    assert 'nothing changed' in str(caught.value)
    assert (gtid_state(replica.server), replica_fields(replica)) == before


def test_skip_refused_for_another_gtid_and_dry_run_sends_nothing(pair):
    repl, source, replica = pair
    make_conflict(repl, source, replica)
    before = gtid_state(replica.server), replica_fields(replica)
    plan = skip.skip(replica, dry_run=True)
    assert plan.dry_run and plan.gtid and plan.statements
    assert (gtid_state(replica.server), replica_fields(replica)) == before
    if is_mysql(source.server):
        uuid, number = plan.gtid.rsplit(':', 1)
        other = '%s:%d' % (uuid, int(number) + 1)
    else:
        domain, server_id, seq = plan.gtid.split('-')
        other = '%s-%s-%d' % (domain, server_id, int(seq) + 1)
    with pytest.raises(skip.SkipRefused) as caught:
        skip.skip(replica, gtid=other)
    assert caught.value.code == 'gtid_mismatch'
    assert (gtid_state(replica.server), replica_fields(replica)) == before
    # The right GTID given explicitly is skipped.
    assert skip.skip(replica, gtid=plan.gtid).gtid == plan.gtid


@pytest.mark.lines('mariadb-10.11', 'mariadb-11.8')
def test_mariadb_parallel_two_domains_moves_slave_pos(pair):
    """MariaDB refuses the skip counter with parallel replication and two
    GTID domains: the skip moves gtid_slave_pos past the failed GTID.
    """
    repl, source, replica = pair
    d = replica.dialect()
    replica.execute_sql(d.stop_replica().sql)
    replica.execute_sql('SET GLOBAL slave_parallel_threads = 4')
    replica.execute_sql(d.start_replica().sql)
    query(source.server, 'CREATE DATABASE app')
    query(source.server, 'CREATE TABLE app.t (id INT PRIMARY KEY, '
                         'v VARCHAR(40))')
    # Domains apply independently: the table must be there first.
    catch_up(repl, source, replica)
    conn_sql = ('SET SESSION gtid_domain_id = 1',
                "INSERT INTO app.t VALUES (1, 'domain 1')")
    for sql in conn_sql:
        source.execute_sql(sql)
    source.execute_sql('SET SESSION gtid_domain_id = 0')
    catch_up(repl, source, replica)
    with admin_writes(replica.server):
        replica.run_unlogged(["INSERT INTO app.t VALUES (50, 'planted')"])
    query(source.server, "INSERT INTO app.t VALUES (50, 'source')")
    query(source.server, "INSERT INTO app.t VALUES (51, 'after')")
    sql_error(replica)
    result = skip.skip(replica)
    assert result.method == skip.GTID_SLAVE_POS
    assert result.gtid.startswith('0-')
    assert any('gtid_slave_pos' in s for s in result.statements)
    catch_up(repl, source, replica)
    assert scalar(replica.server, 'SELECT v FROM app.t WHERE id = 51') == \
        'after'
    assert scalar(replica.server, 'SELECT v FROM app.t WHERE id = 50') == \
        'planted'
    replica.execute_sql(d.stop_replica().sql)
    replica.execute_sql('SET GLOBAL slave_parallel_threads = 0')
    replica.execute_sql(d.start_replica().sql)


# -- repair-errant -------------------------------------------------------

def errant_state(repl, source, replica, sql):
    """Run ``sql`` logged on the replica (errant), after some data."""
    query(source.server, 'CREATE DATABASE app')
    query(source.server, 'CREATE TABLE app.t (id INT PRIMARY KEY, '
                         'v VARCHAR(40))')
    query(source.server, "INSERT INTO app.t VALUES (1, 'r')")
    catch_up(repl, source, replica)
    with admin_writes(replica.server):
        query(replica.server, sql)


def attach_refused(repl, source, replica):
    with pytest.raises(exceptions.PrecheckFailed) as caught:
        attach(repl, source, replica)
    return caught.value


def test_repair_harmless_errant_transaction(pair):
    repl, source, replica = pair
    errant_state(repl, source, replica, 'DROP USER IF EXISTS nobody')
    query(source.server, "INSERT INTO app.t VALUES (2, 'r')")
    if not is_mysql(source.server):
        # gtid_strict_mode: the source's next GTID is out of order after
        # the replica's own one, so its SQL thread stops.
        assert sql_error(replica).last_sql_errno == 1950
    refused = attach_refused(repl, source, replica)
    assert 'errant' in str(refused)
    before = gtid_state(source.server), gtid_state(replica.server)

    plan = repair.repair_errant(source, replica, dry_run=True)
    assert plan.decision == repair.REPAIR
    assert (gtid_state(source.server), gtid_state(replica.server)) == before
    [txn] = plan.transactions
    assert txn.effect == 'drops_if_exists'
    assert txn.decision == repair.RECONCILE
    assert 'DROP USER IF EXISTS nobody' in txn.transaction['statements'][0]

    result = repair.repair_errant(source, replica)
    assert result.applied
    assert result.decision == repair.REPAIR
    if is_mysql(source.server):
        assert result.method == repair.EMPTY_ON_SOURCE
        assert gtid_state(source.server) != before[0]
    else:
        assert result.method == repair.RESET_REPLICA_BINLOG
    assert result.verdict_after in ('IDENTICAL', 'RECOVERABLE')
    # The attach is accepted now, and replication continues.
    attach(repl, source, replica)
    query(source.server, "INSERT INTO app.t VALUES (3, 'r')")
    catch_up(repl, source, replica)
    assert checksum(replica.server) == checksum(source.server)
    assert repair.repair_errant(source, replica).decision == \
        repair.NOTHING_TO_DO


def test_repair_refuses_data_changing_errant_transaction(pair):
    repl, source, replica = pair
    errant_state(repl, source, replica,
                 "INSERT INTO app.t VALUES (60, 'errant')")
    before = gtid_state(source.server), gtid_state(replica.server)
    with pytest.raises(repair.RepairRefused) as caught:
        repair.repair_errant(source, replica)
    result = caught.value.repair
    assert result.decision == repair.REFUSED
    [txn] = result.transactions
    assert txn.effect == 'data'
    assert txn.transaction['tables'] == ['app.t']
    assert '--accept-divergence' in str(caught.value)
    assert (gtid_state(source.server), gtid_state(replica.server)) == before
    # The operator accepts the divergence: reconciled, attach accepted.
    done = repair.repair_errant(source, replica, accept_divergence=True)
    assert done.applied
    attach(repl, source, replica)
    assert scalar(replica.server, 'SELECT COUNT(*) FROM app.t') == 2


@pytest.mark.lines('mariadb-10.11', 'mariadb-11.8')
def test_mariadb_repair_refused_for_a_replica_with_replicas(
        sandbox_factory, mode):
    """Resetting the binary log of a replica that feeds another would
    cut that one off: refused, nothing changed.
    """
    box = sandbox_factory(replicas=2)
    source, middle, leaf = (CountingService(s) for s in box.servers())
    repl = strategy.AutoReplication()
    repl.enable_as_master(source, None)
    attach(repl, source, middle)
    repl.enable_as_master(middle, None)
    # The leaf's account on the middle replica, unlogged (a logged one
    # would be errant itself).
    d = middle.dialect()
    with admin_writes(middle.server):
        middle.run_unlogged([stmt.sql for stmt in d.create_replication_user(
            'leaf_repl', 'leaf-password')])
    repl.enable_as_slave(leaf, {
        'master': {'host': '127.0.0.1', 'port': box.replicas[0].port},
        'replica_conf': {'log_position': {}, 'replication_user': {
            'name': 'leaf_repl', 'password': 'leaf-password'}}}, None)
    query(middle.server, 'DROP USER IF EXISTS nobody')
    before = gtid_state(middle.server), replica_fields(middle)
    plan = repair.repair_errant(source, middle, dry_run=True)
    assert plan.decision == repair.REFUSED
    assert 'replicas of its own' in plan.remedy
    with pytest.raises(repair.RepairRefused):
        repair.repair_errant(source, middle)
    assert (gtid_state(middle.server), replica_fields(middle)) == before
    assert status(leaf).running


def test_repair_refuses_a_demoted_source_lost_write(pair):
    """A promotion: the replica becomes the source; the old source wrote
    once more first (a write lost in the failover). Repairing the old
    source against the new one is always refused, even accepting
    divergence.
    """
    repl, source, replica = pair
    query(source.server, 'CREATE DATABASE app')
    query(source.server, 'CREATE TABLE app.t (id INT PRIMARY KEY, '
                         'v VARCHAR(40))')
    catch_up(repl, source, replica)
    repl.detach_slave(replica, for_failover=True)
    repl.enable_as_master(replica, None)
    query(source.server, "INSERT INTO app.t VALUES (1, 'lost')")
    new_source, old_source = replica, source
    before = gtid_state(new_source.server), gtid_state(old_source.server)
    with pytest.raises(repair.RepairRefused) as caught:
        repair.repair_errant(new_source, old_source,
                             accept_divergence=True)
    [txn] = caught.value.repair.transactions
    assert txn.origin == repair.FORMER_SOURCE
    assert txn.effect == 'data'
    assert txn.transaction['tables'] == ['app.t']
    assert 're-seed' in str(caught.value)
    assert (gtid_state(new_source.server),
            gtid_state(old_source.server)) == before


def test_repair_refuses_transactions_of_another_server(pair):
    """A GTID of neither server (a former source's write) is always
    refused, with the re-seed remedy.
    """
    repl, source, replica = pair
    query(source.server, 'CREATE DATABASE app')
    catch_up(repl, source, replica)
    if is_mysql(source.server):
        foreign = '11111111-2222-3333-4444-555555555555:7'
        replica.run_unlogged([])
        with admin_writes(replica.server):
            for sql in ("SET gtid_next = '%s'" % foreign,
                        'DROP USER IF EXISTS nobody',
                        "SET gtid_next = 'AUTOMATIC'"):
                replica.execute_sql(sql)
    else:
        replica.execute_sql('SET SESSION server_id = 4242')
        replica.execute_sql('DROP USER IF EXISTS nobody')
        replica.close()
    before = gtid_state(source.server), gtid_state(replica.server)
    with pytest.raises(repair.RepairRefused) as caught:
        repair.repair_errant(source, replica, accept_divergence=True)
    assert 're-seed' in str(caught.value)
    [txn] = caught.value.repair.transactions
    assert txn.origin == repair.OTHER_SERVER
    assert (gtid_state(source.server), gtid_state(replica.server)) == before


@pytest.mark.lines('mysql-9.7')
@pytest.mark.parametrize('mode', ['binlog'], indirect=True)
def test_skip_without_gtids_mysql(sandbox_factory, mode):
    """MySQL with gtid_mode = OFF: no GTID to skip under, so the skip
    counter, once the SQL thread's position is the failed transaction.
    Twenty commits just before the conflict may leave a multi-threaded
    applier's position at an earlier checkpoint (as measured, not every
    time); then the skip first runs it until it has no gaps, which stops
    it exactly there (the statements for that case are asserted on a
    scripted replica in tests/unit/test_skip_repair.py).
    """
    from test_safety import gtid_mode_off
    box = sandbox_factory(replicas=1)
    source, replica = (CountingService(s) for s in box.servers())
    for svc in (source, replica):
        gtid_mode_off(svc)
    repl = strategy.AutoReplication()
    repl.enable_as_master(source, None)
    attach(repl, source, replica)
    query(source.server, 'CREATE DATABASE app')
    query(source.server, 'CREATE TABLE app.t (id INT PRIMARY KEY, '
                         'v VARCHAR(40))')
    catch_up(repl, source, replica)
    with admin_writes(replica.server):
        replica.run_unlogged(["INSERT INTO app.t VALUES (50, 'planted')"])
    conn = connect(source.server)
    with conn, conn.cursor() as cur:
        for i in range(10, 30):
            cur.execute("INSERT INTO app.t VALUES (%s, 'r')", (i,))
        cur.execute("INSERT INTO app.t VALUES (50, 'source')")
        cur.execute("INSERT INTO app.t VALUES (51, 'after')")
    failed = sql_error(replica)
    assert 'ANONYMOUS' in failed.last_sql_error
    result = skip.skip(replica)
    assert result.method == skip.SKIP_COUNTER
    assert result.gtid == ''
    assert result.transaction['row_events']['write'] == 1
    if result.statements[0] == skip_decision.mts_gaps_statement(
            replica.dialect().caps):
        assert 'checkpoint' in result.notes[0]
    assert result.statements[-2:] == ['SET GLOBAL sql_replica_skip_counter '
                                      '= 1', 'START REPLICA']
    catch_up(repl, source, replica)
    assert scalar(replica.server, 'SELECT COUNT(*) FROM app.t') == 22
    assert scalar(replica.server, 'SELECT v FROM app.t WHERE id = 50') == \
        'planted'
