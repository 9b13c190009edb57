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

"""Roles that survive a restart, and what status and check call dangerous
(issue 17), on every line.

Outside a sandbox the command learns where a server keeps its settings
from ``?conf_dir=`` in its DSN; with it, a switchover leaves each server
a settings file that restarts it in its new role. A lost source's
settings keep it read-only when it comes back. One directory for two
servers is refused.
"""

import os

from trove_gtid_strategy.guest import service
from trove_gtid_strategy import strategy

from support import admin_writes
from support import attached
from support import catch_up
from support import CountingService
from support import query
from support import run
from support import scalar
from support import sql_error

PASSWORD_ENV = 'TG_TEST_ADMIN_PASSWORD'


def dsn_of(server, conf_dir=None):
    os.environ[PASSWORD_ENV] = server.dsn.password
    text = 'mysql://%s@127.0.0.1:%d?password_env=%s' % (
        server.dsn.user, server.port, PASSWORD_ENV)
    if conf_dir:
        text += '&conf_dir=%s' % conf_dir
    return text


def dangers(box, *names):
    code, result = run('status', '--sandbox', box.base_dir,
                       *(names or [s.name for s in box.servers()]))
    return code, result, [(d['code'], d['servers'])
                          for d in result['dangers']]


def test_status_names_writable_replicas_two_sources_and_stopped_threads(
        sandbox_factory):
    box = attached(sandbox_factory)
    code, result, found = dangers(box)
    assert (code, found) == (0, []), result
    replica1, replica2 = box.replicas
    # (On MySQL this turns super_read_only off too.)
    query(replica1, 'SET GLOBAL read_only = OFF')
    # replica2 stops on an error: a row planted on it, then written on
    # the source.
    query(box.source, "INSERT INTO app.w VALUES (1, 'before')")
    with admin_writes(replica2):
        CountingService(replica2).run_unlogged(
            ["INSERT INTO app.w VALUES (2, 'planted')"])
    query(box.source, "INSERT INTO app.w VALUES (2, 'source')")
    sql_error(CountingService(replica2))
    code, result, found = dangers(box)
    assert code == 1 and result['kind'] == 'danger', result
    assert ('writable_replica', ['replica1']) in found
    assert ('replica_stopped', ['replica2']) in found
    # replica1 detached by hand and left writable: two sources.
    query(replica1, 'STOP REPLICA')
    query(replica1, 'RESET REPLICA ALL')
    code, result, found = dangers(box, 'source', 'replica1')
    assert ('several_writable', ['source', 'replica1']) in found


def test_status_says_when_a_restart_would_change_a_role(sandbox_factory):
    box = attached(sandbox_factory, replicas=1)
    replica = box.replicas[0]
    os.unlink(os.path.join(replica.conf_dir, service.REPLICA_OVERRIDES))
    code, result, found = dangers(box)
    assert code == 1
    assert found == [('restart_makes_writable', ['replica1'])]
    code, result = run('check', '--sandbox', box.base_dir, '--source',
                       'source', '--replica', 'replica1')
    assert code == 1 and result['can_replicate'], result
    assert [d['code'] for d in result['dangers']] == [
        'restart_makes_writable']
    # It was right: restarted, the replica takes writes.
    replica.restart()
    assert scalar(replica, 'SELECT @@read_only') == 0


def test_switchover_outside_a_sandbox_leaves_roles_a_restart_keeps(
        sandbox_factory):
    box = attached(sandbox_factory, replicas=1)
    source, replica = box.servers()
    code, result = run('switchover', '--source',
                       dsn_of(source, source.conf_dir), '--candidate',
                       dsn_of(replica, replica.conf_dir))
    assert code == 0, result
    for server in (source, replica):
        server.restart()
    # The new source comes back writable, the old one read-only and
    # replicating from it.
    assert scalar(replica, 'SELECT @@read_only') == 0
    assert scalar(source, 'SELECT @@read_only') == 1
    query(replica, "INSERT INTO app.w VALUES (1, 'after')")
    code, result, found = dangers(box)
    assert (code, found) == (0, []), result


def caught_up(box):
    repl = strategy.AutoReplication()
    catch_up(repl, CountingService(box.source),
             *[CountingService(s) for s in box.replicas])


def test_a_lost_source_comes_back_read_only(sandbox_factory):
    box = attached(sandbox_factory)
    source = box.source
    query(source, "INSERT INTO app.w VALUES (1, 'x')")
    # Both replicas hold the same: replica1 may be asked for.
    caught_up(box)
    source.kill()
    code, result = run('failover', '--sandbox', box.base_dir, '--source',
                       'source', '--replica', 'replica1', '--replica',
                       'replica2', '--candidate', 'replica1')
    assert code == 0, result
    assert 'read-only when it restarts' in result['old_source']
    box.up()     # the lost source comes back
    assert scalar(source, 'SELECT @@read_only') == 1
    # Not a second source: check finds no two writable servers, and
    # attaching it makes it a replica (its fence file gone).
    code, result = run('check', '--sandbox', box.base_dir, '--source',
                       'replica1', '--replica', 'source')
    assert 'two_writable_sources' not in [
        p['code'] for p in result['problems']], result
    code, result = run('attach', '--sandbox', box.base_dir, '--source',
                       'replica1', '--replica', 'source')
    assert code == 0, result
    assert service.FENCED_OVERRIDES not in os.listdir(source.conf_dir)


def test_check_names_an_old_source_that_came_back_writable(
        sandbox_factory):
    box = attached(sandbox_factory)
    query(box.source, "INSERT INTO app.w VALUES (1, 'x')")
    caught_up(box)
    box.source.kill()
    # Failed over without naming the old source: nothing kept it fenced.
    code, result = run('failover', '--sandbox', box.base_dir, '--replica',
                       'replica1', '--replica', 'replica2', '--candidate',
                       'replica1')
    assert code == 0, result
    box.up()
    code, result = run('check', '--sandbox', box.base_dir, '--source',
                       'replica1', '--replica', 'source')
    assert code == 1, result
    assert 'two_writable_sources' in [p['code'] for p in result['problems']]
    assert 'fence' in [r['action'] for r in result['remedies']]
    code, result, found = dangers(box, 'replica1', 'source')
    assert ('several_writable', ['replica1', 'source']) in found


def test_one_settings_directory_for_two_servers_is_refused(
        sandbox_factory, tmp_path):
    box = sandbox_factory(replicas=1)
    shared = tmp_path / 'conf.d'
    shared.mkdir()
    code, result = run('attach', '--source', dsn_of(box.source),
                       '--replica', dsn_of(box.replicas[0]),
                       '--conf-dir', str(shared))
    assert code == 2 and result['kind'] == 'bad_input', result
    assert 'would share the settings directory' in result['error']
    code, result = run('attach', '--source',
                       dsn_of(box.source, str(shared)), '--replica',
                       dsn_of(box.replicas[0], str(shared)))
    assert code == 2, result
    assert list(shared.iterdir()) == []
    assert query(box.replicas[0], 'SHOW REPLICA STATUS') == ()
