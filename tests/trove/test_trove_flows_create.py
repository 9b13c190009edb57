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

"""Trove 26.0.0's own ``trove create --replica_of`` (see flows,
``Deployment.create_replica``): the taskmanager's ``create_instance`` with
``slave_of_id``, the source's replication snapshot (a backup), the new
instance's guest ``prepare`` restoring it and attaching the replica, on
every line; stock Trove, then with our options set.
"""

import pytest

from flow_checks import read_only
from flow_checks import replication_source_port
from flow_checks import rows_of
import flows
import trove_support as ts

OURS = {
    'strategy': 'trove_gtid_strategy.strategy.AutoReplication',
    'taskmanager': 'trove_gtid_strategy.trove.taskmanager.Manager',
}
OUR_GUEST = {'mysql': 'trove_gtid_strategy.trove.guest.MySqlManager',
             'mariadb': 'trove_gtid_strategy.trove.guest.MariaDBManager'}


def create_from_snapshot(made):
    """The source built alone with 20 rows; replica1 created from its
    snapshot; 5 more rows written once the snapshot is taken (while the
    taskmanager goes on). Returns (source, replica, seconds).
    """
    source, one = (made.servers[name] for name in made.ids)
    made.build(replicas=[])
    ts.make_data(source, 20)
    guests = made.guests
    snapshot = guests[source.name].get_replication_snapshot

    def snapshot_then_write(context, **kwargs):
        result = snapshot(context, **kwargs)
        ts.make_data(source, 5, start=20)
        return result
    guests[source.name].get_replication_snapshot = snapshot_then_write
    try:
        seconds = made.create_replica(one.name, source.name)
    finally:
        del guests[source.name].get_replication_snapshot
    return source, one, seconds


def assert_created(made, source, one, strategy):
    """What every create must leave: Trove's rows, calls and events,
    and a replica of the source holding all 25 rows.
    """
    from trove.instance import service_status
    from trove.instance.tasks import InstanceTasks
    assert made.errors() == [] and made.conductor_errors == []
    assert [(c.instance_id, c.method) for c in made.calls] == [
        (source.name, 'enable_as_master'),
        (source.name, 'backup_required_for_replication'),
        (source.name, 'get_replication_snapshot'),
        (one.name, 'prepare')]
    assert made.task_status(one.name) == InstanceTasks.NONE
    assert made.task_status(source.name) == InstanceTasks.NONE
    assert made.slave_of(one.name) == source.name
    assert made.row(one.name).compute_instance_id == 'server-' + one.name
    assert made.service_status(one.name) == \
        service_status.ServiceStatuses.HEALTHY
    # The new guest's configuration names the strategy.
    guest_info = made.injected_files[one.name][
        '/etc/trove/conf.d/guest_info.conf']
    assert 'replication_strategy=%s\n' % strategy in guest_info
    # The snapshot: a backup of the source, completed, then deleted.
    (backup,) = made.backups()
    assert (backup.instance_id, backup.state, backup.deleted) == \
        (source.name, 'COMPLETED', True)
    assert made.stand_ins[-1] == ('swift delete', backup.filename)
    assert made.events() == ['dbaas.instance_create.end',
                             'trove.instance.create']
    assert read_only(one) and not read_only(source)
    assert replication_source_port(one) == source.port
    ts.wait_caught_up(source, one)
    assert rows_of(one) == rows_of(source)
    assert ts.fingerprint(one) == (25, sum(range(25)))


@pytest.fixture
def stock(sandbox, trove_line, workdir, trove_conf):
    box = sandbox(replicas=1)
    with flows.deployment(box, trove_line, workdir) as made:
        yield made


@pytest.fixture
def ours(sandbox, trove_line, workdir, trove_conf):
    box = sandbox(replicas=1)
    with flows.deployment(box, trove_line, workdir,
                          guest_manager=OUR_GUEST[ts.manager_of(trove_line)],
                          **OURS) as made:
        yield made


def test_stock_create_replica_from_snapshot(stock, trove_line, record):
    """Stock Trove creates the replica on every line."""
    source, one, seconds = create_from_snapshot(stock)
    record(stock, seconds)
    assert_created(stock, source, one,
                   ts.TROVE_STRATEGY[ts.manager_of(trove_line)])
    assert ts.own_transactions(one) == []


def test_ours_create_replica_from_snapshot(ours, trove_line, record):
    """With our strategy, guest managers and taskmanager: the same, no
    transaction of the replica's own.
    """
    source, one, seconds = create_from_snapshot(ours)
    record(ours, seconds)
    assert_created(ours, source, one, OURS['strategy'])
    assert ts.own_transactions(one) == []


@pytest.fixture
def record(request, trove_line):
    """Call with (deployment, seconds): the create's time, its guest
    calls' times and the servers' restarts, in the test's report
    (``-rA`` or ``-s``).
    """
    def write(made, seconds):
        print('\n%s: create_instance %.2fs; guest calls %s; restarts %s' % (
            request.node.name, seconds,
            ', '.join('%s.%s %.2fs' % (c.instance_id, c.method, c.seconds)
                      for c in made.calls),
            {name: guest.app.restarts.count
             for name, guest in made.guests.items()}))
    return write
