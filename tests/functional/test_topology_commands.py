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

"""``trove-gtid check|status|switchover|failover`` as an operator runs
them, on real servers of every line (issue 8).
"""


from trove_gtid_strategy import strategy

from support import admin_writes
from support import attached
from support import CountingService
from support import everything
from support import fingerprint
from support import query
from support import run
from support import scalar
from support import sql_error
from support import status


def test_check_and_status(sandbox_factory):
    box = attached(sandbox_factory, 1)
    code, result = run('check', '--sandbox', box.base_dir, '--source',
                       'source', '--replica', 'replica1')
    assert code == 0 and result['can_replicate'], result
    assert result['state'] in ('IDENTICAL', 'RECOVERABLE')
    # A local write on the replica: DIVERGED, named, exit 1.
    with admin_writes(box.replicas[0]):
        query(box.replicas[0], 'CREATE DATABASE local_only')
    code, result = run('check', '--sandbox', box.base_dir, '--source',
                       'source', '--replica', 'replica1')
    assert code == 1
    assert result['state'] == 'DIVERGED' and result['errant']
    assert result['remedies']
    code, result = run('status', '--sandbox', box.base_dir, 'source',
                       'replica1')
    assert code == 0, result
    roles = {s['name']: s['role'] for s in result['servers']}
    assert roles == {'source': 'source', 'replica1': 'replica'}
    assert result['topology'][0]['source'] == 'source'
    assert box.source.dsn.password not in str(result)


def test_switchover_then_failover_from_the_command_line(sandbox_factory):
    box = attached(sandbox_factory)
    query(box.source, "INSERT INTO app.w VALUES (1, 'before')")
    code, result = run('switchover', '--sandbox', box.base_dir, '--source',
                       'source', '--candidate', 'replica1', '--replica',
                       'replica2', '--dry-run')
    assert code == 0 and result['dry_run']
    assert scalar(box.source, 'SELECT @@read_only') == 0
    code, result = run('switchover', '--sandbox', box.base_dir, '--source',
                       'source', '--candidate', 'replica1', '--replica',
                       'replica2')
    assert code == 0, result
    assert result['writes_refused_ms'] > 0
    new = box.replicas[0]
    query(new, "INSERT INTO app.w VALUES (2, 'after switchover')")
    # The new source dies; the old source and replica2 follow replica1.
    code, result = run('status', '--sandbox', box.base_dir, 'replica1',
                       'replica2', 'source')
    assert code == 0
    assert {link['replica']: link['source'] for link in result['topology']
            } == {'replica2': 'replica1', 'source': 'replica1'}
    code, result = run('failover', '--sandbox', box.base_dir, '--replica',
                       'replica2', '--replica', 'source', '--source',
                       'replica1')
    assert code == 1 and 'still answers' in result['error']
    box.replicas[0].kill()
    code, result = run('failover', '--sandbox', box.base_dir, '--replica',
                       'replica2', '--replica', 'source', '--source',
                       'replica1')
    assert code == 0, result
    left = (box.replicas[1], box.source)
    # Sandbox servers are named as the sandbox names them.
    new_source = [s for s in left if s.name == result['new_source']][0]
    follower = [s for s in left if s is not new_source][0]
    repl = strategy.AutoReplication()
    repl.wait_until_applied(CountingService(follower), repl.current_position(
        CountingService(new_source)))
    rows = {fingerprint(s, 'app.w') for s in (box.source, box.replicas[1])}
    assert len(rows) == 1
    assert scalar(box.replicas[1], 'SELECT COUNT(*) FROM app.w') == 2


def test_failover_refused_while_replicas_still_receive(sandbox_factory):
    """The source is up, only out of reach from here (not given): every
    replica's I/O thread still receives from it, so it is not lost. The
    failover waits its --timeout for them to lose it, then refuses, and
    nothing changed; once the source is killed it goes ahead.
    """
    box = attached(sandbox_factory)
    before = everything(box)
    code, result = run('failover', '--sandbox', box.base_dir, '--replica',
                       'replica1', '--replica', 'replica2', '--timeout', '2')
    assert code == 1, result
    assert 'still receive from the source' in result['error'], result
    assert 'replica1' in result['error'] and 'replica2' in result['error']
    assert everything(box) == before
    # --force goes on and says so (a dry run here: the source is alive).
    code, result = run('failover', '--sandbox', box.base_dir, '--replica',
                       'replica1', '--replica', 'replica2', '--force',
                       '--dry-run')
    assert code == 0, result
    assert 'replica1, replica2 still received' in \
        result['election']['forced'], result
    assert everything(box) == before
    box.source.kill()
    code, result = run('failover', '--sandbox', box.base_dir, '--replica',
                       'replica1', '--replica', 'replica2')
    assert code == 0, result
    assert 'forced' not in result['election']


def test_skip_and_repair_errant_from_the_command_line(sandbox_factory):
    box = attached(sandbox_factory, 1)
    replica = CountingService(box.replicas[0])
    # A row the replica has and the source then writes: duplicate key.
    with admin_writes(box.replicas[0]):
        replica.run_unlogged(["INSERT INTO app.w VALUES (7, 'local')"])
    query(box.source, "INSERT INTO app.w VALUES (7, 'source')")
    assert sql_error(replica).last_sql_errno == 1062
    code, result = run('skip', '--sandbox', box.base_dir, '--replica',
                       'replica1', '--dry-run')
    assert code == 0 and result['dry_run'], result
    assert status(replica).last_sql_errno == 1062
    code, result = run('skip', '--sandbox', box.base_dir, '--replica',
                       'replica1')
    assert code == 0, result
    assert result['error_number'] == 1062
    query(box.source, "INSERT INTO app.w VALUES (8, 'next')")
    repl = strategy.AutoReplication()
    repl.wait_until_applied(replica, repl.current_position(
        CountingService(box.source)))
    assert scalar(box.replicas[0], 'SELECT v FROM app.w WHERE id = 8') == \
        'next'
    # A harmless errant transaction on the replica, then the repair.
    query(box.replicas[0], 'SET GLOBAL read_only = OFF')
    query(box.replicas[0], 'DROP USER IF EXISTS nobody_here')
    code, result = run('check', '--sandbox', box.base_dir, '--source',
                       'source', '--replica', 'replica1')
    assert code == 1 and result['state'] == 'DIVERGED'
    code, result = run('repair-errant', '--sandbox', box.base_dir,
                       '--source', 'source', '--replica', 'replica1')
    assert code == 0, result
    assert result['decision'] == 'repair'
    # Repaired, but still writable: check names that danger and exits 1
    # until the replica is read-only again.
    code, result = run('check', '--sandbox', box.base_dir, '--source',
                       'source', '--replica', 'replica1')
    assert code == 1 and result['state'] == 'IDENTICAL', result
    assert [d['code'] for d in result['dangers']] == ['writable_replica']
    query(box.replicas[0], 'SET GLOBAL read_only = ON')
    code, result = run('check', '--sandbox', box.base_dir, '--source',
                       'source', '--replica', 'replica1')
    assert code == 0, result
