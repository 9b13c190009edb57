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

"""Operations killed (SIGKILL) after each change in turn, then run again
(issue 17), on every line.

``kill_after.py`` runs the command and kills it right after its Nth
change (a statement that can change a server, a settings file, a
restart). For every N of a whole run, the same command is then run again
and must end with exactly one writable server, the one asked for, every
other server following it, running and read-only, every acknowledged
row on all of them, and no account left locked by the fence.

Driven by counts of changes, never by time: the kill lands at the same
boundary on a fast or a loaded machine.
"""

import json
import os
import signal
import subprocess
import sys

import pytest

from trove_gtid_strategy import fencing
from trove_gtid_strategy import literals

from support import attached
from support import catch_up
from support import CountingService
from support import query
from support import run

from trove_gtid_strategy import strategy

HERE = os.path.dirname(os.path.abspath(__file__))
KILL_AFTER = os.path.join(HERE, 'kill_after.py')


@pytest.fixture
def killed_after(tmp_path):
    """Call with ``(limit, *argv)``: ``trove-gtid ARGV`` run in its own
    process and killed after its ``limit``th change (0: never); returns
    ``(exit status, changes made)``. The processes are forked by one
    ``kill_after.py --serve`` (see there).
    """
    server = subprocess.Popen([sys.executable, KILL_AFTER, '--serve'],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    count_file = str(tmp_path / 'changes')

    def run_killed(limit, *argv):
        with open(count_file, 'w'):
            pass
        server.stdin.write(json.dumps(
            [limit, count_file, list(argv) + ['--json']]) + '\n')
        server.stdin.flush()
        code = int(server.stdout.readline())
        with open(count_file) as f:
            changes = int(f.read() or 0)
        if code not in (0, -signal.SIGKILL):
            raise AssertionError('%s exited %s after %d changes'
                                 % (argv[0], code, changes))
        return code, changes

    yield run_killed
    server.stdin.close()
    assert server.wait(60) == 0


def assert_one_source(box, source_name, acknowledged):
    """``source_name`` is the one writable server, the others follow it
    (running, read-only), every acknowledged row is everywhere, and no
    account or role is left from a fence. One connection per server.
    """
    services = {s.name: CountingService(s) for s in box.servers()}

    def ask(name, sql, *args):
        if args:
            sql = sql % tuple(literals.quote(a) for a in args)
        return [tuple(row) for row in
                services[name].execute_sql(sql).fetchall()]

    try:
        assert [name for name in sorted(services)
                if ask(name, 'SELECT @@read_only')[0][0] == 0] == [
            source_name]
        assert ask(source_name, 'SHOW REPLICA STATUS') == []
        followers = [svc for name, svc in services.items()
                     if name != source_name]
        catch_up(strategy.AutoReplication(), services[source_name],
                 *followers)
        held = {row[0] for row in ask(source_name, 'SELECT id FROM app.w')}
        assert set(acknowledged) <= held
        checksum = ask(source_name, 'CHECKSUM TABLE app.w')[0][1]
        for svc in followers:
            assert len(ask(svc.server.name, 'SHOW REPLICA STATUS')) == 1
            assert ask(svc.server.name, 'CHECKSUM TABLE app.w')[0][1] == \
                checksum
        for name, svc in services.items():
            if svc.server.line.flavor == 'mysql':
                continue
            assert ask(name, 'SELECT User, Host FROM mysql.roles_mapping '
                             'WHERE Role = %s', fencing.FENCE_ROLE) == [], \
                name
            # MariaDB 10.4+ lists locked accounts in global_priv.
            assert ask(name, "SELECT User, Host FROM mysql.global_priv "
                             "WHERE JSON_VALUE(Priv, '$.account_locked') = "
                             "'true' AND User NOT IN ('mariadb.sys')") == []
    finally:
        for svc in services.values():
            svc.close()


def test_switchover_killed_after_each_change_completes_when_run_again(
        sandbox_factory, killed_after):
    box = attached(sandbox_factory)
    acknowledged = []
    roles = ['source', 'replica1']

    def switch(limit):
        old, new = roles
        return killed_after(limit, 'switchover', '--sandbox', box.base_dir,
                            '--source', old, '--candidate', new,
                            '--replica', 'replica2')

    def write(value):
        current = {s.name: s for s in box.servers()}[roles[0]]
        query(current, 'INSERT INTO app.w VALUES (%s, %s)', value,
              'row %d' % value)
        acknowledged.append(value)

    # Each boundary in turn, until a run ends before its limit: how many
    # changes a run makes depends on what an earlier one left (accounts
    # a killed fence had locked already are not locked again).
    limit = 0
    while True:
        limit += 1
        write(limit)
        code, changes = switch(limit)
        if code == 0:
            assert changes < limit and limit > 10, (changes, limit)
            roles.reverse()
            assert_one_source(box, roles[0], acknowledged)
            break
        assert changes == limit
        old, new = roles
        code, result = run('switchover', '--sandbox', box.base_dir,
                           '--source', old, '--candidate', new,
                           '--replica', 'replica2')
        assert code == 0, (limit, result)
        roles.reverse()
        assert_one_source(box, roles[0], acknowledged)
    # Run once more after it completed: it says so and changes nothing.
    old, new = reversed(roles)
    code, result = run('switchover', '--sandbox', box.base_dir, '--source',
                       old, '--candidate', new, '--replica', 'replica2')
    assert code == 0 and result['resumed_from'] == 'done', result


def test_failover_killed_after_each_change_completes_when_run_again(
        sandbox_factory, killed_after):
    """Each round: every replica caught up, the source killed (so the
    replicas hold the same), the failover killed after its Nth change,
    run again (it must promote one of the two and point the other at it),
    then the dead server restarted and attached to the new source, ready
    to be the next round's lost source.
    """
    box = attached(sandbox_factory)
    by_name = {s.name: s for s in box.servers()}
    acknowledged = []
    current = 'source'
    limit = 0
    while True:
        limit += 1
        source = by_name[current]
        query(source, 'INSERT INTO app.w VALUES (%s, %s)', limit,
              'row %d' % limit)
        acknowledged.append(limit)
        live = [name for name in by_name if name != current]
        catch_up(strategy.AutoReplication(), CountingService(source),
                 *[CountingService(by_name[n]) for n in live])
        source.kill()
        argv = ['failover', '--sandbox', box.base_dir]
        for name in live:
            argv += ['--replica', name]
        killed, changes = killed_after(limit, *argv)
        assert (killed, changes) == (-signal.SIGKILL, limit) or \
            (killed == 0 and changes < limit)
        code, result = run(*argv)
        assert code == 0, (limit, result)
        new = result['new_source']
        assert new in live
        source.start()
        code, attached_result = run('attach', '--sandbox', box.base_dir,
                                    '--source', new, '--replica', current)
        assert code == 0, (limit, attached_result)
        assert_one_source(box, new, acknowledged)
        current = new
        if killed == 0:
            # The run finished before its limit: every boundary was
            # covered.
            assert limit > 5
            break
    # The last round's topology, verified at one point from the command
    # line: every follower's data equals the new source's.
    for name in by_name:
        if name != current:
            code, verified = run('verify', '--sandbox', box.base_dir,
                                 '--source', current, '--replica', name)
            assert (code, verified['equal']) == (0, True), verified
