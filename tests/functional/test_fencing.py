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

"""The fence against writers read_only does not stop, and what a
switchover reports once it changed something (issue 17), on every line.

The writer is an application holding ALL PRIVILEGES (READ_ONLY ADMIN on
MariaDB, SUPER and CONNECTION_ADMIN on MySQL) that reconnects the moment
its session ends: MySQL's super_read_only refuses it; on MariaDB the
fence locks its account until the old source follows the new one. The
writer is stopped when the switchover says it is lifting the locks (its
progress), so every row it wrote after the fence would show.
"""

import json

import pytest

from trove_gtid_strategy import fencing
from trove_gtid_strategy.guest import connection
from trove_gtid_strategy.operations import switchover as switchover_op

from support import admin_writes
from support import catch_up
from support import query
from support import ReconnectingWriter
from support import run
from support import run_process
from support import topology

APP_PASSWORD = 'App-adm1n-pw'


def ids(server):
    return {row[0] for row in query(server, 'SELECT id FROM app.w')}


def test_a_reconnecting_privileged_writer_lands_nothing_on_the_old_source(
        sandbox_factory, options):
    box, (old, new, other), repl = topology(sandbox_factory, options)
    query(box.source, "CREATE USER 'appadmin'@'%%' IDENTIFIED BY %s",
          APP_PASSWORD)
    query(box.source, "GRANT ALL PRIVILEGES ON *.* TO 'appadmin'@'%'")
    catch_up(repl, old, new, other)
    writer = ReconnectingWriter(box.source, 'appadmin', APP_PASSWORD)
    writer.start()
    writer.wait_for(200)
    lifted = []

    def progress(message):
        if message.startswith('unlocking') and not lifted:
            lifted.append(writer.stop())

    result = switchover_op.switchover(repl, old, new, [other], timeout=120,
                                      progress=progress)
    acknowledged = lifted[0] if lifted else writer.stop()
    assert len(acknowledged) >= 200
    catch_up(repl, new, old, other)
    # Every acknowledged row is on the new source, and the old source
    # holds nothing it lacks.
    assert set(acknowledged) <= ids(box.replicas[0])
    assert ids(box.source) == ids(box.replicas[0]) == ids(box.replicas[1])
    mariadb = box.source.line.flavor == 'mariadb'
    # MariaDB: the fence locked the application's account (and only
    # while it held); MySQL: super_read_only kept it out.
    assert bool(lifted) == mariadb
    assert any('appadmin' in step for step in result.steps) == mariadb
    assert query(box.source, 'SELECT User FROM mysql.roles_mapping WHERE '
                             'Role = %s', fencing.FENCE_ROLE) == () \
        if mariadb else True
    # The account works again on the old source (now a replica).
    conn = connection.connect(**dict(box.source.dsn.connect_kwargs(),
                                     user='appadmin', password=APP_PASSWORD))
    conn.close()


def test_a_failure_after_the_promotion_is_incomplete_not_refused(
        sandbox_factory, options):
    """replica2 takes an administrator's write once the source is fenced
    (after every check passed): the candidate is promoted, replica2 is
    refused as errant. The result names the new source and what is left,
    kind "incomplete"; nothing says the switchover was refused.
    """
    box, (old, new, other), repl = topology(sandbox_factory, options)

    def progress(message):
        if message.startswith('fencing'):
            with admin_writes(box.replicas[1]):
                query(box.replicas[1], 'CREATE DATABASE errant_after_checks')

    with pytest.raises(switchover_op.SwitchoverIncomplete) as caught:
        switchover_op.switchover(repl, old, new, [other], timeout=120,
                                 progress=progress)
    outcome = caught.value.outcome
    assert caught.value.kind == 'incomplete'
    assert outcome.new_source == 'replica1'
    assert 'replica2' in str(caught.value)
    assert 'errant' in str(caught.value)
    # The new source takes writes; the old source follows it.
    query(box.replicas[0], "INSERT INTO app.w VALUES (1, 'after')")
    catch_up(repl, new, old)
    assert ids(box.source) == {1}


def test_debug_shows_the_fence_and_results_use_sandbox_names(
        sandbox_factory):
    box = sandbox_factory(replicas=1)
    code, result = run('attach', '--sandbox', box.base_dir, '--source',
                       'source', '--replica', 'replica1')
    assert code == 0, result
    proc = run_process('--debug', 'switchover', '--sandbox', box.base_dir,
                       '--source', 'source', '--candidate', 'replica1')
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    result = json.loads(out)
    assert (result['new_source'], result['old_source']) == (
        'replica1', 'source')
    fence = ('SET GLOBAL super_read_only = ON' if box.source.line.flavor ==
             'mysql' else 'SET GLOBAL read_only = ON')
    assert [line for line in err.splitlines()
            if 'SQL on' in line and fence in line], err
    assert box.source.dsn.password not in err + out
