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

"""The sandbox against real servers of every server line.

Tests parametrised by ``server_line`` run on each chosen line; those
marked ``any_line`` exercise process, lock and state handling, which do
not depend on the server, on the first chosen line only. Concurrency is
driven with real processes released together through a pipe (a barrier),
and checked by scanning ``/proc``, never by sleeping.
"""

import ast
import json
import os
import socket
import stat
import subprocess
import sys
import textwrap

import pytest

from trove_gtid_strategy import exceptions
from trove_gtid_strategy.sandbox import lines
from trove_gtid_strategy.sandbox import ports
from trove_gtid_strategy.sandbox import process
from trove_gtid_strategy.sandbox import servers
from trove_gtid_strategy.sandbox import state as state_mod


def _query(conn, sql):
    with conn.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def _cli(*args, env=None):
    """``trove-gtid ARGS`` in a new process: (status, stdout, stderr)."""
    done = subprocess.run(
        [sys.executable, '-m', 'trove_gtid_strategy.cmd.main'] + list(args),
        capture_output=True, text=True, env=env, timeout=300)
    return done.returncode, done.stdout, done.stderr


def _snapshot(top):
    """Every path under ``top`` with its bytes and mode."""
    found = {}
    for root, dirs, files in os.walk(top):
        for name in dirs + files:
            path = os.path.join(root, name)
            info = os.lstat(path)
            data = None
            if stat.S_ISREG(info.st_mode):
                with open(path, 'rb') as f:
                    data = f.read()
            found[os.path.relpath(path, top)] = (info.st_mode, data)
    return found


@pytest.fixture
def unrelated_process():
    """A process that is not ours: the sandbox must never signal it."""
    proc = subprocess.Popen(['sleep', '300'], stdin=subprocess.DEVNULL)
    yield proc
    proc.kill()
    proc.wait()


@pytest.fixture
def someones_dir(tmp_path):
    """A directory holding someone's data, some of it sandbox-like."""
    top = tmp_path / 'data'
    (top / 'source' / 'data').mkdir(parents=True)
    (top / 'source' / 'my.cnf').write_text('[mysqld]\n# not ours\n')
    (top / 'source' / 'data' / 'ibdata1').write_bytes(os.urandom(4096))
    (top / 'notes.txt').write_text('keep me\n')
    (top / 'sandbox.lock').write_text('not a lock\n')
    return str(top)


# -- every line -----------------------------------------------------------

def test_line_starts_answers_its_version_and_restarts_with_override(
        sandbox_factory, admin_conn, server_line):
    box = sandbox_factory(replicas=1)
    found = box.servers()
    assert [s.name for s in found] == ['source', 'replica1']
    assert [s.line.name for s in found] == [server_line.name] * 2
    assert len({s.port for s in found}) == 2
    assert len({s.server_id for s in found}) == 2
    assert len({s.pid for s in found}) == 2
    for server in found:
        assert server.is_running()
        assert server.dsn.host == '127.0.0.1'
        assert not server.dsn.unix_socket
        conn = admin_conn(server)
        (version, port, server_id), = _query(
            conn, 'SELECT @@version, @@port, @@server_id')
        assert version.startswith(server_line.series + '.')
        assert ('MariaDB' in version) == (server_line.flavor == 'mariadb')
        assert (port, server_id) == (server.port, server.server_id)
        (host,), = _query(
            conn, 'SELECT host FROM information_schema.processlist '
                  'WHERE id = CONNECTION_ID()')
        assert host.startswith('127.0.0.1:')
    if server_line.flavor == 'mysql':
        # Copies of one template, yet each server has its own identity,
        # and the admin account left no GTIDs behind.
        uuids = {_query(admin_conn(s), 'SELECT @@server_uuid')[0][0]
                 for s in found}
        assert len(uuids) == 2
        assert _query(admin_conn(found[1]), 'SELECT @@gtid_executed') == (
            ('',),)
    rows = {r['name']: r for r in box.status()}
    assert rows['source']['line'] == server_line.name
    assert rows['source']['version'].startswith(server_line.series + '.')
    assert stat.S_IMODE(os.stat(box.state_file).st_mode) == 0o600

    source = box.source
    my_cnf = source.my_cnf
    with open(os.path.join(source.conf_dir, 'test.cnf'), 'w') as f:
        f.write('[mysqld]\nmax_connections=77\n')
    old_pid = source.pid
    source.restart()
    assert source.pid != old_pid
    assert source.my_cnf == my_cnf
    assert box.source.pid == source.pid  # recorded in the state file
    (value,), = _query(admin_conn(source), 'SELECT @@max_connections')
    assert value == 77


def test_line_tools_run_from_the_host(sandbox_factory, admin_conn,
                                      server_line, tmp_path):
    box = sandbox_factory(replicas=1)
    source, replica = box.servers()
    _query(admin_conn(source), 'CREATE DATABASE tools')
    _query(admin_conn(source), "CREATE TABLE tools.t (v VARCHAR(20)) "
                               "ENGINE=InnoDB")
    _query(admin_conn(source), "INSERT INTO tools.t VALUES ('ünï')")
    options = tmp_path / 'client.cnf'
    options.write_text('[client]\nuser=%s\npassword="%s"\nhost=127.0.0.1\n'
                       % (source.dsn.user, source.dsn.password))
    options.chmod(0o600)
    dump = subprocess.run(
        server_line.tool_command('dump', str(options))
        + ['--port=%d' % source.port, '--single-transaction',
           '--databases', 'tools'],
        capture_output=True, check=True)
    assert b'INSERT INTO `t` VALUES' in dump.stdout
    subprocess.run(server_line.tool_command('client', str(options))
                   + ['--port=%d' % replica.port], input=dump.stdout,
                   capture_output=True, check=True)
    assert _query(admin_conn(replica), 'SELECT v FROM tools.t') == (
        ('ünï',),)


def test_kill_then_start_recovers(sandbox_factory, admin_conn):
    box = sandbox_factory(replicas=0)
    server = box.source
    conn = admin_conn(server)
    _query(conn, 'CREATE DATABASE crash')
    _query(conn, 'CREATE TABLE crash.t (id INT PRIMARY KEY) ENGINE=InnoDB')
    _query(conn, 'INSERT INTO crash.t VALUES (1), (2)')
    server.kill()
    assert not server.is_running()
    assert server.pid is None
    server.start()
    assert server.is_running()
    rows = _query(admin_conn(server), 'SELECT id FROM crash.t ORDER BY id')
    assert rows == ((1,), (2,))


def test_broken_config_raises_with_error_log_tail(sandbox_factory):
    box = sandbox_factory(replicas=0)
    server = box.source
    broken = os.path.join(server.conf_dir, 'broken.cnf')
    with open(broken, 'w') as f:
        f.write('[mysqld]\nno_such_option_for_tests=1\n')
    with pytest.raises(exceptions.SandboxError) as caught:
        server.restart(timeout=30)
    message = str(caught.value)
    assert 'no_such_option_for_tests' in message
    assert server.error_log in message
    assert not server.is_running()
    os.unlink(broken)
    server.start()
    assert server.is_running()


# -- process, lock and state handling (any one line) ----------------------

def test_server_ids_are_stable_across_processes():
    # hash() is salted per process; the sandbox must not depend on it.
    assert servers.server_id_for('source') == 1104111509
    assert 1 <= servers.server_id_for('replica1') <= 2 ** 32 - 1


@pytest.mark.any_line
def test_status_reports_running_and_stopped(sandbox_factory):
    box = sandbox_factory(replicas=1)
    replica = box.replicas[0]
    replica.stop()
    replica.stop()  # already stopped: harmless
    status = {entry['name']: entry for entry in box.status()}
    assert status['source']['running'] is True
    assert status['source']['pid'] == box.source.pid
    assert status['replica1']['running'] is False
    assert status['replica1']['pid'] is None
    assert status['replica1']['version'] is None
    for entry in status.values():
        assert entry['dsn'].startswith('mysql://admin:')
        assert box.source.dsn.password not in entry['dsn']
        assert entry['datadir'].startswith(box.base_dir)


@pytest.mark.any_line
def test_down_signals_only_its_own_processes(sandbox_factory,
                                             unrelated_process):
    box = sandbox_factory(replicas=0)
    source = box.source

    def add_stale(state):
        stale = dict(state['servers'][0], name='replica9',
                     pid=unrelated_process.pid)
        stale['base'] = os.path.join(box.base_dir, 'replica9')
        stale['my_cnf'] = os.path.join(stale['base'], 'my.cnf')
        state['servers'].append(stale)
    state_mod.StateFile(box.base_dir).update(add_stale)
    assert not box.replicas[0].is_running()

    box.down()

    assert unrelated_process.poll() is None
    assert not source.is_running()
    # down keeps the state and the data: up starts them again.
    assert [s.name for s in box.servers()] == ['source', 'replica9']
    assert os.path.isdir(os.path.join(box.base_dir, 'source', 'data'))


@pytest.mark.any_line
def test_stale_pid_is_never_signalled(sandbox_factory, unrelated_process):
    box = sandbox_factory(replicas=0)
    server = box.source
    server.kill()
    server.pid = unrelated_process.pid  # e.g. the pid was reused
    assert not server.is_running()
    server.stop()
    server.kill()
    assert unrelated_process.poll() is None


@pytest.fixture
def listener():
    """Call with a port: a socket of this process listening on it."""
    held = []

    def listen(port):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(('127.0.0.1', port))
        sock.listen()
        held.append(sock)
        return sock
    yield listen
    for sock in held:
        sock.close()


@pytest.mark.any_line
def test_port_taken_while_stopped_is_named_with_its_holder(
        sandbox_factory, listener):
    # Another process takes a stopped server's port: starting it again
    # names that process instead of trying another port, which the
    # clients of the server would not know.
    box = sandbox_factory(replicas=1)
    replica = box.replicas[0]
    port = replica.port
    replica.stop()
    listener(port)
    holder = r'its port %d is taken by pid %d \(' % (port, os.getpid())
    with pytest.raises(exceptions.SandboxError, match='replica1: ' + holder):
        servers.Sandbox(box.base_dir).up()
    assert not replica.is_running()
    # Started by itself, past the sandbox's check: the server's own bind
    # failure is reported the same way.
    with pytest.raises(exceptions.SandboxError, match='replica1: ' + holder):
        replica.start(timeout=60)
    assert not replica.is_running()
    assert box.replicas[0].port == port


@pytest.mark.any_line
def test_ports_are_outside_the_ephemeral_range(sandbox_factory):
    low, high = ports.ephemeral_range()
    box = sandbox_factory(replicas=1)
    for server in box.servers():
        assert not low <= server.port <= high, server
        with open(server.my_cnf) as f:
            assert 'port = %d\n' % server.port in f.read()


@pytest.mark.any_line
def test_two_sandboxes_started_at_once_never_share_a_port(
        server_line, sandbox_template_dir, tmp_path):
    bases = [str(tmp_path / 'one'), str(tmp_path / 'two')]
    third = str(tmp_path / 'three')
    try:
        procs = _workers(UPPER, [(base, server_line.name,
                                  sandbox_template_dir) for base in bases])
        _finish(procs)
        boxes = [servers.Sandbox(base) for base in bases]
        taken = [s.port for box in boxes for s in box.servers()]
        assert len(set(taken)) == 4
        assert all(s.is_running() for box in boxes for s in box.servers())
        # A stopped sandbox keeps its ports: a new one takes others.
        boxes[0].down()
        made = servers.Sandbox(third, server=server_line.name,
                               template_dir=sandbox_template_dir).up(1)
        assert not {s.port for s in made} & set(taken)
        assert [s.port for s in boxes[0].up()] == taken[:2]
    finally:
        for base in bases + [third]:
            servers.Sandbox(base).down(remove=True)


@pytest.mark.any_line
def test_up_on_existing_sandbox_keeps_data_and_ports(
        sandbox_factory, admin_conn, sandbox_template_dir):
    box = sandbox_factory(replicas=1)
    _query(admin_conn(box.source), 'CREATE DATABASE kept')
    before = {s.name: (s.port, s.pid) for s in box.servers()}

    # Running: nothing restarted.
    again = servers.Sandbox(box.base_dir, template_dir=sandbox_template_dir)
    assert {s.name: (s.port, s.pid) for s in again.up()} == before

    # One stopped: only it starts, on its port.
    box.replicas[0].stop()
    started = {s.name: (s.port, s.pid) for s in again.up(replicas=1)}
    assert started['source'] == before['source']
    assert started['replica1'][0] == before['replica1'][0]
    assert started['replica1'][1] != before['replica1'][1]

    # All stopped (down keeps the data): same ports, same data.
    box.down()
    assert not any(s.is_running() for s in box.servers())
    started = again.up()
    assert [(s.name, s.port) for s in started] == [
        (name, port) for name, (port, _) in before.items()]
    assert all(s.is_running() for s in started)
    dbs = _query(admin_conn(box.source), 'SHOW DATABASES')
    assert ('kept',) in dbs


@pytest.mark.any_line
def test_up_refuses_another_line_or_count(sandbox_factory, server_line):
    box = sandbox_factory(replicas=1)
    other = [n for n in lines.names() if n != server_line.name][0]
    with pytest.raises(exceptions.InvalidInput, match='refusing --server'):
        servers.Sandbox(box.base_dir, server=other).up()
    with pytest.raises(exceptions.InvalidInput,
                       match='refusing --replica-server'):
        servers.Sandbox(box.base_dir, replica_server=other).up()
    with pytest.raises(exceptions.InvalidInput, match='refusing --replicas'):
        servers.Sandbox(box.base_dir).up(replicas=2)
    status, out, err = _cli('sandbox', 'up', '--base-dir', box.base_dir,
                            '--server', other)
    assert status == 2
    assert len(err.strip().splitlines()) == 1
    assert 'Traceback' not in err
    status, out, err = _cli('sandbox', 'up', '--base-dir', box.base_dir,
                            '--replicas', '3')
    assert (status, len(err.strip().splitlines())) == (2, 1)
    assert [s.name for s in box.servers()] == ['source', 'replica1']
    assert all(s.is_running() for s in box.servers())


@pytest.mark.any_line
def test_cli_never_prints_the_password(server_line, sandbox_template_dir,
                                       tmp_path):
    base = str(tmp_path / 'box')
    env = dict(os.environ, TROVE_GTID_SANDBOX_TEMPLATE=sandbox_template_dir)
    try:
        status, out, err = _cli('sandbox', 'up', '--base-dir', base,
                                '--server', server_line.name,
                                '--replicas', '0', env=env)
        assert status == 0, err
        password = servers.Sandbox(base).source.dsn.password
        assert password not in out + err
        assert 'mysql://admin:***@127.0.0.1:' in out
        assert 'sandbox.json' in out
        status, out, err = _cli('sandbox', 'status', '--base-dir', base,
                                '--json', env=env)
        assert status == 0, err
        row, = json.loads(out)
        assert row['line'] == server_line.name
        assert row['version'].startswith(server_line.series + '.')
        assert password not in out + err
        status, out, err = _cli('sandbox', 'down', '--base-dir', base,
                                env=env)
        assert status == 0, err
        status, out, err = _cli('sandbox', 'status', '--base-dir', base,
                                env=env)
        assert 'stopped' in out and password not in out
    finally:
        servers.Sandbox(base).down(remove=True)
    assert not os.path.exists(base)


@pytest.mark.any_line
def test_down_remove_deletes_only_what_it_created(sandbox_factory):
    box = sandbox_factory(replicas=1)
    bases = [s.base for s in box.servers()]
    theirs = os.path.join(box.base_dir, 'theirs.txt')
    with open(theirs, 'w') as f:
        f.write('not the sandbox\'s\n')
    box.down(remove=True)
    assert not any(os.path.exists(base) for base in bases)
    assert box.status() == []
    with open(theirs) as f:
        assert f.read() == 'not the sandbox\'s\n'
    assert sorted(os.listdir(box.base_dir)) == ['theirs.txt']
    with pytest.raises(exceptions.SandboxError, match='up()'):
        box.source


def test_foreign_directory_is_refused_and_untouched(someones_dir):
    before = _snapshot(someones_dir)
    for args in (['sandbox', 'up'], ['demo'], ['sandbox', 'down'],
                 ['sandbox', 'down', '--remove']):
        status, out, err = _cli(*args, '--base-dir', someones_dir)
        assert 'Traceback' not in err
        if args[-1] in ('up', 'demo'):
            assert status == 2, (args, out, err)
            assert len(err.strip().splitlines()) == 1, err
            assert 'not empty' in err or 'holds' in err
        assert _snapshot(someones_dir) == before, args
    with pytest.raises(exceptions.InvalidInput, match='not a sandbox'):
        servers.Sandbox(someones_dir).up(0)
    assert _snapshot(someones_dir) == before


def test_long_base_dir_is_refused():
    box = servers.Sandbox('/tmp/' + 'x' * 100)
    with pytest.raises(exceptions.InvalidInput, match='shorter directory'):
        box.up(1)
    assert not os.path.exists(box.base_dir)


def test_bad_input_exits_2_with_one_line(tmp_path):
    base = str(tmp_path / 'box')
    for args in (['--server', 'no-such-line'], ['--replicas', '-1'],
                 ['--replicas', 'two'], ['--mysqld', str(tmp_path / 'x')]):
        status, out, err = _cli('sandbox', 'up', '--base-dir', base, *args)
        assert status == 2, (args, err)
        assert len(err.strip().splitlines()) == 1, err
        assert err.startswith('trove-gtid: error: ')
    assert not os.path.exists(base)


def test_unprovisioned_line_names_the_command(tmp_path, monkeypatch):
    monkeypatch.setenv(lines.ROOTS_ENV, str(tmp_path / 'no-roots'))
    base = str(tmp_path / 'box')
    with pytest.raises(exceptions.SandboxError) as caught:
        servers.Sandbox(base, server='mysql-9.7').up(1)
    assert 'tools/provision-server-lines mysql-9.7' in str(caught.value)
    assert not os.path.exists(base)
    status, out, err = _cli('sandbox', 'up', '--base-dir', base, '--server',
                            'mariadb-11.8', env=dict(os.environ))
    assert status == 1
    assert 'tools/provision-server-lines mariadb-11.8' in err
    assert len(err.strip().splitlines()) == 1
    assert not os.path.exists(base)


def test_missing_binary_gives_install_command(tmp_path):
    with pytest.raises(exceptions.InvalidInput) as caught:
        servers.Sandbox(str(tmp_path), mysqld=str(tmp_path / 'mariadbd'))
    assert 'apt-get install -y mariadb-server' in str(caught.value)


@pytest.mark.any_line
def test_resolve_server(sandbox_factory, tmp_path):
    box = sandbox_factory(replicas=1)
    replica = servers.resolve_server(box.base_dir, 'replica1')
    assert (replica.name, replica.port) == ('replica1', box.replicas[0].port)
    with pytest.raises(exceptions.InvalidInput, match='replica1'):
        servers.resolve_server(box.base_dir, 'replica7')
    with pytest.raises(exceptions.InvalidInput, match='no sandbox'):
        servers.resolve_server(str(tmp_path), 'source')


# -- concurrency, with real processes ------------------------------------

def _workers(code, args_list):
    """Start one Python process per args, each printing 'ready' then
    waiting on stdin; release them all at once. Returns the processes.
    """
    procs = [subprocess.Popen([sys.executable, '-c', textwrap.dedent(code)]
                              + [str(a) for a in args],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
             for args in args_list]
    for proc in procs:
        assert proc.stdout.readline().strip() == 'ready', proc.stderr.read()
    for proc in procs:  # the barrier: every worker waits on this byte
        proc.stdin.write('g')
        proc.stdin.flush()
    return procs


def _finish(procs):
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert 'Traceback' not in err
        results.append(out)
    return results


RESTARTER = """
    import sys
    from trove_gtid_strategy.sandbox import servers
    base, name, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    server = servers.resolve_server(base, name)
    print('ready', flush=True)
    sys.stdin.read(1)
    for _ in range(rounds):
        server.restart(timeout=60)
    print(server.pid, flush=True)
"""


@pytest.mark.any_line
def test_concurrent_restarts_never_run_two_servers(
        sandbox_factory, admin_conn):
    box = sandbox_factory(replicas=0)
    source = box.source
    procs = _workers(RESTARTER, [(box.base_dir, 'source', 3)] * 3)
    most = 0
    seen = set()
    while any(p.poll() is None for p in procs):
        pids = process.server_pids(source.my_cnf, source.datadir)
        most = max(most, len(pids))
        seen.update(pids)
    _finish(procs)
    assert most <= 1
    assert len(seen) >= 2   # the restarts did happen
    final = process.server_pids(source.my_cnf, source.datadir)
    assert len(final) == 1
    assert box.source.pid == final[0]
    with open(source.error_log, errors='replace') as f:
        log = f.read()
    for marker in ('Unable to lock', 'another mysqld',
                   'Check that you do not already have another'):
        assert marker not in log
    assert _query(admin_conn(box.source), 'SELECT 1') == ((1,),)


@pytest.mark.any_line
def test_stale_handle_never_starts_a_second_server(sandbox_factory):
    box = sandbox_factory(replicas=0)
    stale = box.source
    fresh = box.source
    fresh.restart()
    assert fresh.pid != stale.pid
    # Another process restarts it too: both handles are now stale.
    procs = _workers(RESTARTER, [(box.base_dir, 'source', 1)])
    _finish(procs)
    for handle in (stale, fresh):
        handle.start()     # running already: adopts, starts nothing
        handle.restart()
        pids = process.server_pids(handle.my_cnf, handle.datadir)
        assert pids == [handle.pid]
    # Even with no pid recorded anywhere, the /proc scan finds it.
    state_mod.StateFile(box.base_dir).update(
        lambda s: s['servers'][0].update(pid=None))
    lost = box.source
    assert lost.pid is None
    lost.start()
    assert process.server_pids(lost.my_cnf, lost.datadir) == [lost.pid]
    assert box.up()[0].pid == lost.pid


UPPER = """
    import sys
    from trove_gtid_strategy.sandbox import servers
    base, line, template = sys.argv[1:4]
    box = servers.Sandbox(base, server=line, template_dir=template)
    print('ready', flush=True)
    sys.stdin.read(1)
    print(' '.join('%s:%d:%d' % (s.name, s.port, s.pid) for s in box.up(1)))
"""


@pytest.mark.any_line
def test_concurrent_ups_make_one_sandbox(server_line, sandbox_template_dir,
                                         tmp_path):
    base = str(tmp_path / 'box')
    try:
        procs = _workers(UPPER, [(base, server_line.name,
                                  sandbox_template_dir)] * 2)
        first, second = _finish(procs)
        assert first == second     # the second up found the first's
        found = servers.Sandbox(base).servers()
        assert [s.name for s in found] == ['source', 'replica1']
        for server in found:
            assert server.server_pids() == [server.pid]
    finally:
        servers.Sandbox(base).down(remove=True)
    assert not os.path.exists(base)


STATE_WRITER = """
    import sys
    from trove_gtid_strategy.sandbox import state
    base, me, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    states = state.StateFile(base)
    print('ready', flush=True)
    sys.stdin.read(1)

    def change(s):
        s['counters'][me] = s['counters'].get(me, 0) + 1
        s['total'] += 1
    for _ in range(rounds):
        states.update(change)
"""


def test_concurrent_state_writes(tmp_path):
    states = state_mod.StateFile(str(tmp_path))
    with states.locked():
        states.write({'counters': {}, 'total': 0, 'servers': []})
    rounds, writers = 40, 4
    procs = _workers(STATE_WRITER, [(tmp_path, 'w%d' % n, rounds)
                                    for n in range(writers)])
    reads = 0
    while any(p.poll() is None for p in procs):
        assert states.read()['total'] >= 0   # always complete JSON
        reads += 1
    _finish(procs)
    final = states.read()
    assert final['total'] == rounds * writers
    assert final['counters'] == {'w%d' % n: rounds for n in range(writers)}
    assert stat.S_IMODE(os.stat(states.path).st_mode) == 0o600
    assert sorted(os.listdir(tmp_path)) == ['sandbox.json',
                                            'sandbox.json.lock']
    assert reads > 0


SANDBOX_MODULES = ('scratch', 'sparse', 'certificate', 'process', 'lines',
                   'state', 'ports', 'basedir', 'datadir', 'server',
                   'servers')


def test_sandbox_modules_import_one_way():
    """Each sandbox module imports only the ones before it."""
    package = os.path.dirname(servers.__file__)
    for index, name in enumerate(SANDBOX_MODULES):
        with open(os.path.join(package, name + '.py')) as f:
            tree = ast.parse(f.read())
        imported = {alias.name for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom)
                    and node.module == 'trove_gtid_strategy.sandbox'
                    for alias in node.names}
        assert imported <= set(SANDBOX_MODULES[:index]), name
    assert sorted(n[:-3] for n in os.listdir(package)
                  if n.endswith('.py') and n != '__init__.py') == sorted(
        SANDBOX_MODULES)
