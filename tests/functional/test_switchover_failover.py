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

"""Switchover and failover on real servers, with no acknowledged
transaction lost (issue 8).

Faults by counts and server state: a writer counts the commits the
source acknowledged; the source is killed (SIGKILL) after N of them;
lag is made with ``STOP REPLICA IO_THREAD``. Afterwards every
acknowledged (or, for failover, every received) row is looked for on the
new source and on every replica, and ``CHECKSUM TABLE`` compared.
"""

import pymysql
import pytest

from trove_gtid_strategy import exceptions
from trove_gtid_strategy.guest import server as server_mod
from trove_gtid_strategy.guest import waits
from trove_gtid_strategy.operations import failover as failover_op
from trove_gtid_strategy.operations import promotion
from trove_gtid_strategy.operations import switchover as switchover_op
from trove_gtid_strategy import strategy

from support import admin_writes
from support import catch_up
from support import CountingService
from support import everything
from support import fingerprint
from support import follow_with_same_rows
from support import lag_then_kill
from support import purge_to_newest
from support import query
from support import run
from support import scalar
from support import sql_error
from support import status
from support import topology
from support import until
from support import verified_equal
from support import Writer


MODES = {'mysql': ('gtid', 'binlog'), 'mariadb': ('gtid',)}


def ids(server):
    return {row[0] for row in query(server, 'SELECT id FROM app.w')}


def test_switchover_under_writes_loses_nothing(sandbox_factory, server_line,
                                               options):
    for mode in MODES[server_line.flavor]:
        box, (old, new, other), repl = topology(sandbox_factory, options,
                                                mode)
        writer = Writer(box.source)
        writer.start()
        writer.wait_for(200)
        result = switchover_op.switchover(repl, old, new, [other],
                                          timeout=120)
        writer.join(60)
        # The fence stopped the writer with a read-only error.
        assert writer.error is not None
        acknowledged = set(writer.acknowledged)
        assert len(acknowledged) >= 200
        assert result.writes_refused_ms > 0
        new_ids = ids(box.replicas[0])
        assert acknowledged <= new_ids
        # Everyone follows the new source and has the same data.
        follow_with_same_rows(repl, new, other, old)
        assert scalar(box.source, 'SELECT @@read_only') == 1
        roles = [r.role for r in result.after]
        assert roles == ['source', 'replica', 'replica']


def test_switchover_refused_with_an_errant_candidate(sandbox_factory,
                                                     options):
    box, (old, new, other), repl = topology(sandbox_factory, options,
                                            'gtid')
    with admin_writes(box.replicas[0]):
        query(box.replicas[0], 'CREATE DATABASE errant_here')
    before = [fingerprint(s, 'app.w') for s in box.servers()]
    with pytest.raises(exceptions.PrecheckFailed) as caught:
        switchover_op.switchover(repl, old, new, [other])
    assert 'errant' in str(caught.value)
    assert scalar(box.source, 'SELECT @@read_only') == 0
    assert [fingerprint(s, 'app.w') for s in box.servers()] == before


def test_switchover_times_out_and_unfences(sandbox_factory, options):
    box, (old, new, other), repl = topology(sandbox_factory, options,
                                            'gtid')
    query(box.replicas[0], 'STOP REPLICA SQL_THREAD')
    query(box.source, "INSERT INTO app.w VALUES (1, 'x')")
    with pytest.raises(exceptions.ReplicationError) as caught:
        switchover_op.switchover(repl, old, new, [other], timeout=2)
    assert 'writable again' in str(caught.value)
    assert scalar(box.source, 'SELECT @@read_only') == 0
    query(box.source, "INSERT INTO app.w VALUES (2, 'still writable')")


def test_failover_after_kill_keeps_everything_received(sandbox_factory,
                                                       server_line,
                                                       options):
    """Source killed during writes with one replica lagging (its I/O
    thread stopped after 100 commits, so the lag does not depend on
    timing): everything any replica had received is on the new source.

    The lagging replica is the one attached first: each attach starts at
    another point of the source's history (the later one's account is
    created after the first started), so without the history before
    their start points neither would hold everything the other has.

    In every mode the lagging replica follows the new source to the same
    data, nothing twice. Binlog-position mode (MySQL, GTIDs on the
    source): each attach recorded the history before its start point, so
    the sets are compared whole; the new source's position is past the
    lagging replica, which resumes where the new source's binary log held
    exactly its set.
    """
    for mode in MODES[server_line.flavor]:
        box, (old, lagging, first), repl = topology(sandbox_factory,
                                                    options, mode)
        lag_then_kill(repl, old, lagging, shared=100, total=800,
                      kill_at=500)
        # A live "source" is refused: give a replica as the source.
        with pytest.raises(exceptions.PrecheckFailed) as caught:
            failover_op.failover(repl, [first, lagging], source=first)
        assert 'still answers' in str(caught.value)
        # What each replica had received, once applied.
        held = {}
        for svc in (first, lagging):
            waits.until_relay_log_applied(svc, svc.server.name, 120, 0.05,
                                          lambda message: None)
            held[svc.server.name] = ids(svc.server)
        assert held[lagging.server.name] < held[first.server.name]
        result = failover_op.failover(repl, [first, lagging], source=old,
                                      timeout=120)
        assert result.new_source == first.server.name, result.election
        new_ids = ids(first.server)
        assert held[first.server.name] | held[lagging.server.name] <= \
            new_ids
        assert result.complete, result.outcomes
        # The other replica follows the new source to the same data,
        # nothing twice.
        follow_with_same_rows(repl, first, lagging)
        assert scalar(first.server, 'SELECT COUNT(*) FROM app.w') == \
            len(new_ids) + 1
        verified_equal(first, lagging)


@pytest.mark.lines('mysql-9.7')
def test_failover_refused_when_positions_differ_without_gtids(
        sandbox_factory, options):
    """Binlog-position mode on a source without GTIDs (MySQL 9.7 with
    gtid_mode = OFF): a lagging replica cannot follow, so the failover is
    refused with what it lacks. (MariaDB always has GTID positions, and
    refuses binlog-position mode by default: tests/functional/test_safety.)
    """
    box = sandbox_factory(replicas=2)
    from test_safety import gtid_mode_off
    services = [CountingService(s) for s in box.servers()]
    for svc in services:
        gtid_mode_off(svc)
    options(replication_mode='binlog')
    repl = strategy.AutoReplication()
    old, first, lagging = services
    repl.enable_as_master(old, None)
    for svc in (first, lagging):
        repl.enable_as_slave(svc, repl.get_replica_context(old, None), None)
    Writer.create_table(box.source)
    lag_then_kill(repl, old, lagging, shared=50, total=300)
    with pytest.raises(exceptions.PrecheckFailed) as caught:
        failover_op.failover(repl, [first, lagging], timeout=60)
    assert 'positions_differ' in [p.code for p in
                                  caught.value.result.problems]
    assert 'lacks from' in str(caught.value)


def test_semi_sync_failover_keeps_every_acknowledged_commit(sandbox_factory,
                                                            options):
    """Lossless semi-sync, the source killed under writes with every
    replica but one lagging: no acknowledged commit is missing on the new
    source.
    """
    box = sandbox_factory(replicas=2)
    services = [CountingService(s) for s in box.servers()]
    options(replication_mode='gtid', replication_durability='semi_sync',
            semi_sync_timeout_ms=600000)
    repl = strategy.AutoReplication()
    old, first, lagging = services
    repl.enable_as_master(old, None)
    for svc in (first, lagging):
        repl.enable_as_slave(svc, repl.get_replica_context(old, None), None)
    caps = old.dialect().caps
    status = query(box.source, "SHOW GLOBAL STATUS LIKE %s",
                   caps.semi_sync_source.capitalize() + '_status')
    assert status[0][1] == 'ON', status
    Writer.create_table(box.source)
    query(lagging.server, 'STOP REPLICA IO_THREAD')
    writer = Writer(box.source, limit=1000)
    writer.start()
    writer.wait_for(400)
    box.source.kill()
    writer.join(60)
    acknowledged = set(writer.acknowledged)
    result = failover_op.failover(repl, [first, lagging], timeout=120)
    assert result.new_source == first.server.name
    assert 'semi-synchronously' in result.durability_note
    missing = acknowledged - ids(box.replicas[0])
    assert not missing, sorted(missing)[:10]
    repl.wait_until_applied(lagging, repl.current_position(first))
    assert acknowledged <= ids(box.replicas[1])
    verified_equal(first, lagging)


def test_failover_run_again_completes_it(sandbox_factory, options):
    """A failover that stopped after the promotion (here: the promotion
    done by hand, as the first run would have) is completed by running
    it again: no second election, the others follow the new source.
    """
    box, (old, first, second), repl = topology(sandbox_factory, options,
                                               'gtid')
    query(box.source, "INSERT INTO app.w VALUES (1, 'x')")
    repl.wait_until_applied(first, repl.current_position(old))
    repl.wait_until_applied(second, repl.current_position(old))
    box.source.kill()
    promotion.promote(repl, server_mod.Server(first))
    result = failover_op.failover(repl, [first, second], timeout=60)
    assert result.election.get('resumed') is True
    assert result.new_source == first.server.name
    assert result.complete, result.outcomes
    follow_with_same_rows(repl, first, second, row_id=2)
    verified_equal(first, second)


def test_switchover_run_again_completes_it(sandbox_factory, options):
    box, (old, new, other), repl = topology(sandbox_factory, options,
                                            'gtid')
    query(box.source, "INSERT INTO app.w VALUES (1, 'x')")
    # What a first run had done when it stopped: fenced, promoted.
    old.execute_sql(old.dialect().fence().sql)
    repl.wait_until_applied(new, repl.current_position(old))
    promotion.promote(repl, server_mod.Server(new))
    result = switchover_op.switchover(repl, old, new, [other])
    assert result.resumed_from == 'repoint'
    follow_with_same_rows(repl, new, other, old, row_id=2)


@pytest.mark.lines('mysql-9.7')
def test_replicas_and_a_demoted_source_refuse_administrators(
        sandbox_factory, options):
    """read_only lets administrators (SUPER, CONNECTION_ADMIN) write:
    every MySQL replica runs super_read_only, from its settings file too,
    so the old source stays fenced through the restart its replica
    settings need, and an administrator's write lands nowhere.
    """
    box, (old, new, other), repl = topology(sandbox_factory, options,
                                            'gtid')
    for server in box.replicas:
        assert scalar(server, 'SELECT @@super_read_only') == 1
        with pytest.raises(pymysql.err.OperationalError) as caught:
            query(server, 'CREATE DATABASE not_here')
        assert caught.value.args[0] == 1290   # ER_OPTION_PREVENTS_STATEMENT
    switchover_op.switchover(repl, old, new, [other], timeout=120)
    assert scalar(box.source, 'SELECT @@super_read_only') == 1
    # From its settings file: a restart keeps it.
    old.restart()
    assert scalar(box.source, 'SELECT @@super_read_only') == 1
    with pytest.raises(pymysql.err.OperationalError) as caught:
        query(box.source, 'CREATE DATABASE not_here')
    assert caught.value.args[0] == 1290
    # The promoted one takes writes; detach makes a replica writable.
    query(box.replicas[0], 'CREATE DATABASE here')
    repl.detach_slave(other, for_failover=False)
    assert scalar(box.replicas[1], 'SELECT @@super_read_only') == 0
    assert scalar(box.replicas[1], 'SELECT @@read_only') == 0


# -- candidate fitness (issue 14, item 2) ------------------------------------

def _held_everywhere(repl, old, *replicas):
    for i in (1, 2, 3):
        query(old.server, 'INSERT INTO app.w VALUES (%s, %s)', i, 'r')
    catch_up(repl, old, *replicas)


def _skip_the_last_transaction(box, repl, old, skipper, other):
    """The source's last transaction fails on ``skipper`` (the row is
    there already, with the same value: the data stays equal) and is
    skipped with ``trove-gtid skip``: it is in the skipper's
    gtid_slave_pos, not in its binary log. Returns its GTID.
    """
    _held_everywhere(repl, old, skipper, other)
    skipper.run_unlogged(["INSERT INTO app.w VALUES (50, 'last')"])
    query(box.source, "INSERT INTO app.w VALUES (50, 'last')")
    assert sql_error(skipper).last_sql_errno == 1062
    code, skipped = run('skip', '--sandbox', box.base_dir, '--replica',
                        skipper.server.name)
    assert code == 0, skipped
    last = scalar(box.source, 'SELECT @@gtid_binlog_pos')
    assert skipped['gtid'] == last
    until(lambda: scalar(skipper.server, 'SELECT @@gtid_slave_pos'),
          lambda pos: pos == last, 'the skipper to move past %s' % last)
    assert last not in scalar(skipper.server, 'SELECT @@gtid_binlog_state')
    catch_up(repl, old, other)
    return last


@pytest.mark.lines('mariadb-10.11', 'mariadb-11.8')
def test_switchover_refuses_a_candidate_that_skipped_the_last_transaction(
        sandbox_factory, options):
    """Switchover judges the candidate at the source's position, which
    every follower reaches before it moves: a candidate that skipped the
    source's last transaction could not serve a follower positioned at
    it, so the switchover is refused naming the GTID and the remedy,
    before anything changed (the source still writable).
    """
    box, (old, skipper, other), repl = topology(sandbox_factory, options,
                                                'gtid')
    last = _skip_the_last_transaction(box, repl, old, skipper, other)
    before = everything(box)
    with pytest.raises(exceptions.PrecheckFailed) as caught:
        switchover_op.switchover(repl, old, skipper, [other])
    assert 'candidate_unfit' in [p.code for p in
                                 caught.value.result.problems]
    assert last in str(caught.value) and 're-seed' in str(caught.value)
    assert everything(box) == before
    query(box.source, "INSERT INTO app.w VALUES (51, 'still the source')")
    catch_up(repl, old, skipper, other)
    expected = fingerprint(box.source, 'app.w')
    assert [fingerprint(r, 'app.w') for r in box.replicas] == [expected] * 2


@pytest.mark.lines('mariadb-10.11', 'mariadb-11.8')
def test_failover_passes_over_a_replica_that_skipped_the_last_transaction(
        sandbox_factory, options):
    """MariaDB logs no empty transaction for a skipped one: a replica
    that skipped the source's last transaction with ``trove-gtid skip``
    holds it in gtid_slave_pos only, not in its binary log, so the other
    replica, positioned exactly at it, could not follow it. Listed first
    (the election's first choice among complete replicas), it is passed
    over for the other; both end up replicating with equal data.
    """
    box, (old, skipper, other), repl = topology(sandbox_factory, options,
                                                'gtid')
    last = _skip_the_last_transaction(box, repl, old, skipper, other)
    box.source.kill()
    result = failover_op.failover(repl, [skipper, other], timeout=60)
    assert result.new_source == other.server.name, result.election
    assert list(result.election['passed_over']) == [skipper.server.name]
    assert last in result.election['passed_over'][skipper.server.name]
    assert result.complete, result.outcomes
    follow_with_same_rows(repl, other, skipper)
    assert status(skipper).running
    assert scalar(box.replicas[0], 'SELECT COUNT(*) FROM app.w') == 5
    verified_equal(other, skipper)


@pytest.mark.lines('mysql-9.7')
def test_failover_passes_over_or_refuses_a_candidate_that_purged(
        sandbox_factory, options):
    """A complete replica that purged binary logs a lagging replica still
    needs cannot serve it: with no other complete replica the failover
    is refused naming the GTIDs, nothing changed; with one it is passed
    over for it, and the lagging replica follows with equal data.
    """
    box, (old, purger, second, lagging), repl = topology(
        sandbox_factory, options, 'gtid', replicas=3)
    _held_everywhere(repl, old, purger, second, lagging)
    query(lagging.server, 'STOP REPLICA IO_THREAD')
    for i in range(10, 20):
        query(box.source, 'INSERT INTO app.w VALUES (%s, %s)', i, 'later')
    catch_up(repl, old, purger, second)
    purge_to_newest(box.replicas[0])
    uuid = scalar(box.source, 'SELECT @@server_uuid')
    needed = query(box.source, 'SELECT GTID_SUBTRACT(@@gtid_executed, %s)',
                   scalar(lagging.server, 'SELECT @@gtid_executed'))[0][0]
    assert needed.startswith(uuid)
    box.source.kill()
    before = [(scalar(s, 'SELECT @@gtid_executed'),
               scalar(s, 'SELECT @@read_only')) for s in box.replicas]
    with pytest.raises(exceptions.PrecheckFailed) as caught:
        failover_op.failover(repl, [purger, lagging], timeout=60)
    assert [p.code for p in caught.value.result.problems] == \
        ['no_fit_candidate']
    assert needed in str(caught.value) and 're-seed' in str(caught.value)
    assert needed in caught.value.result.missing
    assert [(scalar(s, 'SELECT @@gtid_executed'),
             scalar(s, 'SELECT @@read_only')) for s in box.replicas] == \
        before
    # Named as the candidate: refused the same way.
    with pytest.raises(exceptions.PrecheckFailed) as caught:
        failover_op.failover(repl, [purger, second, lagging],
                             candidate=purger, timeout=60)
    assert 'candidate_unfit' in [p.code for p in
                                 caught.value.result.problems]
    assert second.server.name in str(caught.value)
    result = failover_op.failover(repl, [purger, second, lagging],
                                  timeout=60)
    assert result.new_source == second.server.name, result.election
    assert list(result.election['passed_over']) == [purger.server.name]
    assert result.complete, result.outcomes
    follow_with_same_rows(repl, second, purger, lagging)
    verified_equal(second, purger, lagging)
