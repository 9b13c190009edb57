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

"""Trove 26.0.0's own promote and eject with our two options set (see
flows): ``taskmanager_manager = trove_gtid_strategy.trove.taskmanager.
Manager`` and ``datastore_registry_ext`` naming our guest managers, on
every line, with the histories Trove's own choice gets wrong. Stock
Trove on the same histories: test_trove_flows_stock.
"""

import json
import os
import sys

import pytest

from flow_checks import one_lagging
from flow_checks import read_only
from flow_checks import replication_source_port
from flow_checks import rows_of
import flows
import trove_support as ts

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..',
                                'functional'))
import support as functional_support  # noqa: E402  (the counting writer)

OURS = {
    'strategy': 'trove_gtid_strategy.strategy.AutoReplication',
    'taskmanager': 'trove_gtid_strategy.trove.taskmanager.Manager',
}
OUR_GUEST = {'mysql': 'trove_gtid_strategy.trove.guest.MySqlManager',
             'mariadb': 'trove_gtid_strategy.trove.guest.MariaDBManager'}


@pytest.fixture
def ours(sandbox, trove_line, workdir, trove_conf):
    """A source and two replicas, attached by Trove's taskmanager code,
    with our taskmanager, guest managers and strategy.
    """
    box = sandbox(replicas=2)
    with flows.deployment(box, trove_line, workdir,
                          guest_manager=OUR_GUEST[ts.manager_of(trove_line)],
                          **OURS) as made:
        made.build()
        yield made


def test_promote_under_writes_keeps_every_acknowledged_row(ours):
    """A writer with the sandbox's administrator (every privilege) keeps
    writing to the source until the fence stops it; every row it was
    told is committed is on the new source and every replica.
    """
    from trove.instance.tasks import InstanceTasks
    source, one, two = (ours.servers[name] for name in ours.ids)
    functional_support.Writer.create_table(source)
    writer = functional_support.Writer(source)
    writer.start()
    writer.wait_for(50)
    ours.promote(one.name)
    acknowledged = writer.stop()
    assert writer.error is not None, 'the fence never stopped the writer'
    assert [ours.task_status(name) for name in ours.ids] == \
        [InstanceTasks.NONE] * 3
    assert ours.slave_of(source.name) == ours.slave_of(two.name) == one.name
    assert not read_only(one) and read_only(source) and read_only(two)
    rows = {r[0] for r in ts.query(one, 'SELECT id FROM app.w')}
    assert set(writer.acknowledged) <= rows
    # At most the one commit whose answer the killed session never got.
    assert len(rows) - acknowledged <= 1
    ts.make_data(one, 5)
    for replica in (source, two):
        ts.wait_caught_up(one, replica)
        assert ts.fingerprint(replica, 'app.w') == \
            ts.fingerprint(one, 'app.w')
        assert rows_of(replica) == rows_of(one)
    # The fence's account locks are gone once the old source is demoted.
    assert ts.scalar(source, 'SELECT 1') == 1
    assert ours.events() == ['dbaas.instance_promote.end']


def test_eject_chooses_the_replica_holding_everything(ours, trove_line):
    """replica1 stopped receiving before the last rows (it lacks them);
    the source is killed: replica2 is the new source on every line (on
    MariaDB, Trove's own eject cannot run at all).
    """
    from trove.instance.tasks import InstanceTasks
    source, one, two = one_lagging(ours)
    source.kill()

    ours.eject(source.name)

    assert [ours.task_status(name) for name in ours.ids] == \
        [InstanceTasks.NONE] * 3
    assert ours.slave_of(two.name) is None
    assert ours.slave_of(one.name) == two.name
    assert not read_only(two) and read_only(one)
    assert replication_source_port(one) == two.port
    ts.make_data(two, 5, start=25)
    ts.wait_caught_up(two, one)
    assert rows_of(one) == rows_of(two)
    assert ts.fingerprint(two) == (30, sum(range(30)))
    facts = [c.result for c in ours.calls if c.method == 'get_last_txn']
    assert [f[2]['holding']['name'] for f in facts] == [one.name, two.name]
    assert ours.events() == ['dbaas.instance_eject.end']


def test_eject_refuses_an_errant_most_advanced_replica(ours, trove_line):
    """replica2 holds every row of the source and one of its own; replica1
    lacks the last rows: no replica is complete without errant
    transactions, so nothing changes and the task's error names the sets.
    """
    from trove.common import exception
    from trove.instance.tasks import InstanceTasks
    source, one, two = one_lagging(ours, errant=True)
    source.kill()
    before = {s.name: (rows_of(s), ts.executed(s)) for s in (one, two)}

    with pytest.raises(exception.TroveError) as refused:
        ours.eject(source.name)

    message = str(refused.value)
    assert 'no replica holds every transaction' in message
    election = json.loads(message.split('election: ', 1)[1])
    assert set(election['held']) == {one.name, two.name}
    assert list(election['errant']) == [two.name]
    assert [ours.task_status(name).action for name in ours.ids] == \
        [InstanceTasks.EJECTION_ERROR.action] * 3
    assert ours.slave_of(one.name) == ours.slave_of(two.name) == \
        source.name
    for replica in (one, two):
        assert replication_source_port(replica) == source.port
        assert read_only(replica)
        assert (rows_of(replica), ts.executed(replica)) == \
            before[replica.name]
    assert [c.method for c in ours.calls[-2:]] == ['get_last_txn'] * 2
    assert ours.events() == ['dbaas.instance_eject.error']


def test_eject_refused_while_the_replicas_still_receive(ours, trove_conf):
    """Trove asks to eject a source its replicas still receive from (the
    taskmanager lost it, they did not): each guest waits drain_timeout for
    its I/O thread to lose it, says it still receives, and the eject is
    refused with nothing changed.
    """
    from trove.common import exception
    source, one, two = (ours.servers[name] for name in ours.ids)
    ts.make_data(source, 3)
    for replica in (one, two):
        ts.wait_caught_up(source, replica)
    trove_conf.set_override('drain_timeout', 1,
                            group='trove_gtid_strategy')

    with pytest.raises(exception.TroveError) as refused:
        ours.eject(source.name)

    message = str(refused.value)
    assert 'still receives from it' in message, message
    assert one.name in message and two.name in message
    assert ours.slave_of(one.name) == ours.slave_of(two.name) == source.name
    assert not read_only(source)
    for replica in (one, two):
        assert replication_source_port(replica) == source.port
        assert read_only(replica)
    ts.make_data(source, 2, start=3)
    for replica in (one, two):
        ts.wait_caught_up(source, replica)
        assert rows_of(replica) == rows_of(source)
    assert ours.events() == ['dbaas.instance_eject.error']


def test_promote_of_a_candidate_that_cannot_catch_up_is_undone(
        ours, trove_conf):
    """replica1's applier is held by a lock: it cannot apply what the
    fenced source wrote within txn_wait_timeout. The source is unfenced,
    writable again, and replication goes on as before.
    """
    from trove.common import exception
    from trove.instance.tasks import InstanceTasks
    source, one, two = (ours.servers[name] for name in ours.ids)
    ts.make_data(source, 10)
    for replica in (one, two):
        ts.wait_caught_up(source, replica)
    trove_conf.set_override('txn_wait_timeout', 2,
                            group='trove_gtid_strategy')
    blocker = ts.connect(one)
    with blocker, blocker.cursor() as cur:
        cur.execute('LOCK TABLES app.t READ')
        ts.make_data(source, 5, start=10)
        with pytest.raises(exception.TroveError) as failed:
            ours.promote(one.name)
        cur.execute('UNLOCK TABLES')
    message = str(failed.value)
    assert 'did not apply what the source executed within 2s' in message
    assert 'writable again and nothing else changed' in message
    assert ours.task_status(one.name) == InstanceTasks.PROMOTION_ERROR
    assert ours.task_status(source.name) == \
        ours.task_status(two.name) == InstanceTasks.NONE
    assert ours.slave_of(one.name) == ours.slave_of(two.name) == source.name
    assert not read_only(source)
    assert read_only(one) and read_only(two)
    ts.make_data(source, 5, start=15)
    for replica in (one, two):
        ts.wait_caught_up(source, replica)
        assert rows_of(replica) == rows_of(source)
    assert [c.method for c in ours.calls if c.instance_id == source.name
            ][-2:] == ['get_latest_txn_id', 'make_read_only']
    assert ours.events() == ['dbaas.instance_promote.error']


def test_promote_with_an_unreachable_source_changes_nothing(ours):
    """The source's guest cannot reach its server: the promotion stops
    before any change, the candidate's task status saying it failed
    (promote is for a live source; eject is for a dead one).
    """
    from trove.common import exception
    from trove.instance.tasks import InstanceTasks
    source, one, two = (ours.servers[name] for name in ours.ids)
    ts.make_data(source, 5)
    for replica in (one, two):
        ts.wait_caught_up(source, replica)
    source.kill()
    with pytest.raises(exception.GuestError):
        ours.promote(one.name)
    assert [(c.instance_id, c.method) for c in ours.calls[-2:]] == [
        (one.name, 'get_latest_txn_id'), (source.name, 'get_latest_txn_id')]
    assert ours.task_status(one.name) == InstanceTasks.PROMOTION_ERROR
    assert ours.task_status(two.name) == ours.task_status(source.name) == \
        InstanceTasks.NONE
    for replica in (one, two):
        assert read_only(replica)
        assert replication_source_port(replica) == source.port
        assert rows_of(replica) == tuple((i, 'row %d' % i) for i in range(5))
    assert ours.events() == ['dbaas.instance_promote.error']


def test_eject_with_guests_that_cannot_say_what_they_hold(
        sandbox, trove_line, workdir, trove_conf):
    """Our taskmanager, Trove's own guest managers (the guest option not
    set): eject refuses before any change, naming the replica (on
    MariaDB, Trove's own get_last_txn fails first).
    """
    from trove.common import exception
    from trove.instance.tasks import InstanceTasks
    box = sandbox(replicas=2)
    with flows.deployment(box, trove_line, workdir, **OURS) as made:
        made.build()
        source, one, two = one_lagging(made)
        source.kill()
        calls = len(made.calls)
        with pytest.raises(exception.TroveError) as refused:
            made.eject(source.name)
        if trove_line.flavor == 'mysql':
            assert 'replica replica1 did not report its whole state' in \
                str(refused.value)
        assert [made.task_status(name) for name in made.ids] == \
            [InstanceTasks.EJECTION_ERROR] * 3
        assert {c.method for c in made.calls[calls:]} == {'get_last_txn'}
        for replica in (one, two):
            assert replication_source_port(replica) == source.port
            assert read_only(replica)
