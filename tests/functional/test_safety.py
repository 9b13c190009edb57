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

"""No silent data loss, proven with faults on real servers (issue 6).

Faults are driven by counts and server state, never by sleeps: a writer
counts the commits the source acknowledged, a replica is killed (SIGKILL)
after N of them, lag is made with ``STOP REPLICA IO_THREAD``, and every
wait is on positions. Data is compared with row counts and
``CHECKSUM TABLE``.
"""

import os

import pytest

from trove_gtid_strategy import exceptions
from trove_gtid_strategy.gtid import GtidSet
from trove_gtid_strategy import strategy

from support import attach
from support import catch_up
from support import CountingService
from support import fingerprint
from support import query
from support import scalar
from support import status
from support import Writer


def gtid_mode_off(svc):
    """A MySQL server running without GTIDs (binlog-position only), as
    MySQL 5.5 or an operator's gtid_mode = OFF server would be.
    """
    path = os.path.join(svc.conf_dir, 'zz-gtid-off.cnf')
    with open(path, 'w') as f:
        f.write('[mysqld]\ngtid_mode = OFF\nenforce_gtid_consistency = '
                'OFF\n')
    svc.restart()
    assert scalar(svc.server, 'SELECT @@gtid_mode') == 'OFF'


# Modes the project accepts by default, per flavor; 'binlog-nogtid' is
# binlog-position replication on MySQL servers with gtid_mode = OFF.
ACCEPTED = {'mysql': ('gtid', 'binlog', 'binlog-nogtid'),
            'mariadb': ('gtid',)}


def setup_mode(mode, services, options):
    options(replication_mode='binlog' if mode.startswith('binlog')
            else 'gtid')
    if mode == 'binlog-nogtid':
        for svc in services:
            gtid_mode_off(svc)


def test_replica_killed_five_times_under_writes(sandbox_factory,
                                                server_line, options):
    for mode in ACCEPTED[server_line.flavor]:
        box = sandbox_factory(replicas=1)
        source = CountingService(box.source)
        replica = CountingService(box.replicas[0])
        setup_mode(mode, (source, replica), options)
        repl = strategy.AutoReplication()
        repl.enable_as_master(source, None)
        attach(repl, source, replica)
        Writer.create_table(box.source)
        for cycle in range(5):
            writer = Writer(box.source, limit=400,
                            start=100000 * (cycle + 1))
            writer.start()
            # Kill while the replica is applying a stream of commits.
            writer.wait_for(150)
            box.replicas[0].kill()
            writer.join(120)
            assert writer.error is None
            box.replicas[0].start()
            repl.wait_for_replica_running(replica)
            catch_up(repl, source, replica)
            assert fingerprint(box.replicas[0], 'app.w') == \
                fingerprint(box.source, 'app.w'), (mode, cycle)
        assert scalar(box.source, 'SELECT COUNT(*) FROM app.w') == 2000


@pytest.mark.lines('mariadb-10.11', 'mariadb-11.8')
def test_binlog_mode_refused_on_mariadb_unless_allowed(
        sandbox_factory, options):
    box = sandbox_factory(replicas=1)
    source = CountingService(box.source)
    replica = CountingService(box.replicas[0])
    options(replication_mode='binlog')
    repl = strategy.AutoReplication()
    repl.enable_as_master(source, None)
    before = sorted(os.listdir(replica.conf_dir)), replica.restarts
    with pytest.raises(exceptions.PrecheckFailed) as caught:
        attach(repl, source, replica)
    assert [p.code for p in caught.value.result.problems] == ['crash_unsafe']
    assert 'relay-log.info' in str(caught.value)
    assert (sorted(os.listdir(replica.conf_dir)), replica.restarts) == before
    assert query(box.replicas[0], 'SHOW REPLICA STATUS') == ()
    options(allow_crash_unsafe_binlog=True)
    attach(repl, source, replica)
    assert status(replica).using_gtid == 'No'


def test_repoint_lagging_replica_after_source_killed(sandbox_factory,
                                                     server_line, options):
    """Source killed under writes with one replica lagging: after the
    other is promoted, re-pointing the lagging one either gives it the
    new source's data exactly, or is refused with the numbers.
    """
    outcomes = {}
    for mode in ACCEPTED[server_line.flavor]:
        box = sandbox_factory(replicas=2)
        old, new, lagging = (CountingService(s) for s in box.servers())
        setup_mode(mode, (old, new, lagging), options)
        repl = strategy.AutoReplication()
        repl.enable_as_master(old, None)
        attach(repl, old, new)
        attach(repl, old, lagging)
        Writer.create_table(box.source)
        catch_up(repl, old, new, lagging)
        writer = Writer(box.source, limit=600)
        writer.start()
        writer.wait_for(100)
        query(lagging.server, 'STOP REPLICA IO_THREAD')
        writer.wait_for(400)
        box.source.kill()
        writer.join(60)
        # The new source applies what it received, then is promoted.
        repl.wait_until_applied(new, received(new))
        repl.detach_slave(new, for_failover=True)
        repl.enable_as_master(new, None)
        new.make_read_only(False)
        lagging_before = fingerprint(lagging.server, 'app.w')
        context = repl.get_replica_context(new, None)
        try:
            repl.enable_as_slave(lagging, context, None)
        except exceptions.PrecheckFailed as exc:
            # Refused: with the numbers, and nothing changed.
            codes = [p.code for p in exc.result.problems]
            assert codes in (['behind_start_point'],
                             ['not_at_promotion_point']), codes
            assert fingerprint(lagging.server, 'app.w') == lagging_before
            outcomes[mode] = 'refused'
            continue
        catch_up(repl, new, lagging)
        assert fingerprint(lagging.server, 'app.w') == \
            fingerprint(new.server, 'app.w')
        outcomes[mode] = 'equal'
    # With GTIDs the lagging replica comes up to the new source (in
    # binlog-position mode it resumes where the new source's binary log
    # held exactly its set); without them it cannot, and must say so.
    assert outcomes == {mode: 'refused' if mode == 'binlog-nogtid'
                        else 'equal' for mode in ACCEPTED[server_line.flavor]}


def received(svc):
    """Everything a replica received from its source, as a position to
    wait for: its executed plus retrieved GTIDs, or the coordinates its
    I/O thread read to.
    """
    found = status(svc)
    if found.auto_position:
        return {'gtid_executed': str(
            GtidSet.parse(found.executed_gtid_set)
            | GtidSet.parse(found.retrieved_gtid_set))}
    if found.using_gtid not in ('', 'No'):
        return {'gtid_pos': found.gtid_io_pos}
    return {'log_file': found.read_log_file,
            'log_position': found.read_log_pos}
