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

"""Stock Trove 26.0.0, taskmanager to servers, on every line (see flows).

Trove's own taskmanager ``Manager``, ``BuiltInstanceTasks``, guest API,
guest managers, strategies (``MysqlGTIDReplication``,
``MariaDBGTIDReplication``) and App classes promote a replica, eject a
dead source and detach a replica of a source with two replicas. What
stock Trove does is asserted, its failures included.
"""

import re

import pytest

from flow_checks import one_lagging
from flow_checks import read_only
from flow_checks import replication_source_port
from flow_checks import replication_user
from flow_checks import rows_of
from flow_checks import stop_applier
import flows
import trove_support as ts


@pytest.fixture
def stock(sandbox, trove_line, workdir, trove_conf):
    """A source and two replicas, stock Trove's, attached by Trove."""
    box = sandbox(replicas=2)
    with flows.deployment(box, trove_line, workdir) as made:
        made.build()
        yield made


def test_stock_promote_to_replica_source(stock, trove_line):
    """Promote replica1 after 20 rows, then detach replica2 from it."""
    from trove.instance.tasks import InstanceTasks
    source, one, two = (stock.servers[name] for name in stock.ids)
    assert stock.slave_of(one.name) == stock.slave_of(two.name) == \
        source.name
    ts.make_data(source, 20)
    for replica in (one, two):
        ts.wait_caught_up(source, replica)
    calls = len(stock.calls)

    stock.promote(one.name)

    assert [stock.task_status(name) for name in stock.ids] == \
        [InstanceTasks.NONE] * 3
    assert stock.slave_of(one.name) is None
    assert stock.slave_of(source.name) == stock.slave_of(two.name) == \
        one.name
    assert stock.errors() == []
    assert not read_only(one)
    assert read_only(two) and read_only(source)
    assert replication_source_port(one) is None
    assert replication_source_port(two) == one.port
    assert replication_source_port(source) == one.port
    ts.make_data(one, 5, start=20)
    for replica in (source, two):
        ts.wait_caught_up(one, replica)
        assert rows_of(replica) == rows_of(one)
    assert ts.fingerprint(one) == (25, sum(range(25)))
    assert stock.events() == ['dbaas.instance_promote.end']
    # Trove's order (its NOTE in promote_to_replica_source).
    assert [(c.instance_id, c.method) for c in stock.calls[calls:]] == [
        (source.name, 'make_read_only'),
        (source.name, 'get_latest_txn_id'),
        (one.name, 'wait_for_txn'),
        (one.name, 'detach_replica'),
        (one.name, 'enable_as_master'),
        (one.name, 'make_read_only'),
        (two.name, 'detach_replica'),
        (one.name, 'get_replica_context'),
        (two.name, 'attach_replica'),
        (one.name, 'get_replica_context'),
        (source.name, 'attach_replica'),
        (source.name, 'demote_replication_master')]

    # Detach the other replica from the new source.
    user = replication_user(two)
    basename = ts.binlog_basename(two)
    stock.detach(two.name)
    assert stock.task_status(two.name) == InstanceTasks.NONE
    assert stock.slave_of(two.name) is None
    assert replication_source_port(two) is None
    assert not read_only(two)
    assert stock.calls[-1].method == 'detach_replica'
    assert stock.calls[-1].result == {'replication_user': user}
    # Trove's guest drops the account on the replica, with its binary
    # log on: a transaction of the replica's own (errant, were it ever
    # attached again); the taskmanager's detach does not call
    # cleanup_source_on_replica_detach: the account stays on the source.
    assert len(ts.own_transactions_in_binlog(two, basename)) == 1
    assert ts.query(one, 'SELECT user FROM mysql.user WHERE user = %s',
                    user) == ((user,),)
    assert stock.events() == ['dbaas.instance_promote.end',
                              'dbaas.instance_detach.end']


def test_stock_eject_replica_source(stock, trove_line):
    """The source killed (SIGKILL), replica1 behind replica2 (its
    applier stopped before the last rows): Trove's eject.
    """
    from trove.common import exception
    from trove.instance.tasks import InstanceTasks
    source, one, two = one_lagging(stock, stop=stop_applier)
    before = {s.name: rows_of(s) for s in (one, two)}
    assert len(before[one.name]) == 20 and len(before[two.name]) == 25
    if trove_line.flavor == 'mysql':
        uuid = ts.scalar(source, 'SELECT @@server_uuid')
        # Each replica executed the source's transactions 1-N only.
        last = {s.name: int(re.fullmatch(uuid + r':1-(\d+)',
                                         ts.executed(s)).group(1))
                for s in (one, two)}
    source.kill()
    calls = len(stock.calls)

    if trove_line.flavor == 'mariadb':
        # MariaDBApp._get_master_UUID reads SHOW SLAVE STATUS's Row by
        # column name: TypeError under SQLAlchemy 2, a GuestError at the
        # taskmanager, before anything changes.
        with pytest.raises(exception.GuestError) as raised:
            stock.eject(source.name)
        assert 'tuple indices must be integers or slices, not str' in \
            str(raised.value)
        assert [(c.instance_id, c.method, type(c.error).__name__)
                for c in stock.calls[calls:]] == [
            (one.name, 'get_last_txn', 'TypeError')]
        assert [stock.task_status(name) for name in stock.ids] == \
            [InstanceTasks.EJECTION_ERROR] * 3
        assert stock.slave_of(one.name) == stock.slave_of(two.name) == \
            source.name
        for replica in (one, two):
            assert replication_source_port(replica) == source.port
            assert read_only(replica)
            assert rows_of(replica) == before[replica.name]
        assert stock.events() == ['dbaas.instance_eject.error']
        return

    stock.eject(source.name)
    # Trove picks the replica with the highest transaction number of the
    # source: replica2.
    assert [(c.instance_id, c.method) for c in stock.calls[calls:]] == [
        (one.name, 'get_last_txn'),
        (two.name, 'get_last_txn'),
        (two.name, 'detach_replica'),
        (two.name, 'enable_as_master'),
        (two.name, 'make_read_only'),
        (one.name, 'detach_replica'),
        (two.name, 'get_replica_context'),
        (one.name, 'attach_replica')]
    # (master UUID, last transaction number) crossed RPC as a list.
    assert [c.result for c in stock.calls[calls:calls + 2]] == [
        [uuid, last[one.name]], [uuid, last[two.name]]]
    assert last[one.name] < last[two.name]
    assert [stock.task_status(name) for name in stock.ids] == \
        [InstanceTasks.NONE] * 3
    assert stock.slave_of(two.name) is None
    assert stock.slave_of(one.name) == two.name
    assert stock.errors() == []
    assert not read_only(two)
    assert replication_source_port(two) is None
    assert replication_source_port(one) == two.port
    ts.make_data(two, 5, start=25)
    ts.wait_caught_up(two, one)
    assert rows_of(one) == rows_of(two)
    assert ts.fingerprint(two) == (30, sum(range(30)))
    assert stock.events() == ['dbaas.instance_eject.end']


def test_stock_eject_spreads_an_errant_transaction(stock, trove_line):
    """replica2 holds every row of the source and one of its own; replica1
    lacks the last rows; the source is killed. Trove ranks by the
    source's last number: replica2, whose own row then reaches replica1,
    or, when replica2's UUID sorts before the source's, replica1, and the
    last rows are lost (MariaDB: its get_last_txn fails first, nothing
    changes).
    """
    from trove.common import exception
    from trove.instance.tasks import InstanceTasks
    source, one, two = one_lagging(stock, errant=True)
    assert len(ts.own_transactions(two)) == 1
    source.kill()
    if trove_line.flavor == 'mariadb':
        with pytest.raises(exception.GuestError):
            stock.eject(source.name)
        assert [stock.task_status(name) for name in stock.ids] == \
            [InstanceTasks.EJECTION_ERROR] * 3
        return

    uuid = ts.scalar(two, 'SELECT @@server_uuid')
    # MySQL prints a set of several UUIDs one per line, sorted, and
    # Trove's get_last_txn splits it on ',' without the newline: where
    # the source's UUID is not the first, replica2 reports 0.
    sorted_first = ts.executed(two).startswith(
        ts.executed(one).split(':')[0])

    stock.eject(source.name)

    assert [stock.task_status(name) for name in stock.ids] == \
        [InstanceTasks.NONE] * 3
    if sorted_first:
        # replica2 chosen: its own row now reaches replica1 too.
        assert stock.slave_of(two.name) is None
        assert stock.slave_of(one.name) == two.name
        ts.wait_caught_up(two, one)
        assert ts.query(one, 'SELECT v FROM app.t WHERE id = 1000') == \
            (('errant',),)
        assert uuid in ts.executed(one)
    else:
        # replica1 chosen, without the source's last 5 rows: lost from
        # the new source (only replica2, now its replica, holds them).
        assert stock.slave_of(one.name) is None
        assert stock.slave_of(two.name) == one.name
        assert ts.fingerprint(one) == (20, sum(range(20)))


def test_stock_promote_of_a_candidate_that_cannot_catch_up(stock,
                                                           trove_conf):
    """replica1's applier is held by a lock. Trove's wait_for_txn has no
    bound: the RPC gives up after agent_call_high_timeout (5 s here), the
    promotion fails, and no server takes writes: the source stays
    read-only, an outage until an operator steps in.
    """
    from trove.common import exception
    from trove.instance.tasks import InstanceTasks
    source, one, two = (stock.servers[name] for name in stock.ids)
    ts.make_data(source, 10)
    for replica in (one, two):
        ts.wait_caught_up(source, replica)
    trove_conf.set_override('agent_call_high_timeout', 5)
    blocker = ts.connect(one)
    with blocker, blocker.cursor() as cur:
        cur.execute('LOCK TABLES app.t READ')
        ts.make_data(source, 5, start=10)
        with pytest.raises(exception.GuestTimeout):
            stock.promote(one.name)
        # The guest still waits, with no bound, for what is held.
        assert [g.name for g in stock.orphans] == \
            ['guest replica1: wait_for_txn']
        assert all(read_only(s) for s in (source, one, two))
        cur.execute('UNLOCK TABLES')
    assert [stock.task_status(name) for name in stock.ids] == \
        [InstanceTasks.PROMOTION_ERROR] * 3
    assert stock.slave_of(one.name) == stock.slave_of(two.name) == \
        source.name
    assert read_only(source)
    assert stock.events() == ['dbaas.instance_promote.error']
