"""The sandbox against real MariaDB servers."""

import json
import os
import socket
import stat
import subprocess

import pytest

from trove_gtid_strategy import exceptions
from trove_gtid_strategy.sandbox import servers

INSTALL_COMMAND = 'apt-get install -y mariadb-server'


def _query(conn, sql):
    with conn.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


@pytest.fixture
def unrelated_process():
    """A process that is not ours: the sandbox must never signal it."""
    proc = subprocess.Popen(['sleep', '300'], stdin=subprocess.DEVNULL)
    yield proc
    proc.kill()
    proc.wait()


def test_up_gives_distinct_reachable_servers(sandbox_factory, admin_conn):
    box = sandbox_factory(replicas=2)
    found = box.servers()
    assert [s.name for s in found] == ['source', 'replica1', 'replica2']
    assert box.source.name == 'source'
    assert [s.name for s in box.replicas] == ['replica1', 'replica2']
    assert len({s.port for s in found}) == 3
    assert len({s.server_id for s in found}) == 3
    assert len({s.pid for s in found}) == 3
    for server in found:
        assert server.is_running()
        assert server.dsn.host == '127.0.0.1'
        assert not server.dsn.unix_socket
        conn = admin_conn(server)
        (port, server_id, log_bin), = _query(
            conn, 'SELECT @@port, @@server_id, @@log_bin')
        assert (port, server_id) == (server.port, server.server_id)
        # Binary logging is other code's job, through conf.d.
        assert log_bin == 0
        (host,), = _query(
            conn, 'SELECT host FROM information_schema.processlist '
                  'WHERE id = CONNECTION_ID()')
        assert host.startswith('127.0.0.1:')
    mode = os.stat(box.state_file).st_mode
    assert stat.S_IMODE(mode) == 0o600


def test_server_ids_are_stable_across_processes():
    # hash() is salted per process; the sandbox must not depend on it.
    assert servers.server_id_for('source') == 1104111509
    assert 1 <= servers.server_id_for('replica1') <= 2 ** 32 - 1


def test_conf_d_override_is_live_after_restart(sandbox_factory,
                                               admin_conn):
    box = sandbox_factory(replicas=0)
    server = box.source
    my_cnf = server.my_cnf
    with open(os.path.join(server.conf_dir, 'test.cnf'), 'w') as f:
        f.write('[mysqld]\nmax_connections=77\n')
    old_pid = server.pid
    server.restart()
    assert server.pid != old_pid
    assert server.my_cnf == my_cnf
    assert box.source.pid == server.pid  # recorded in the state file
    (value,), = _query(admin_conn(server), 'SELECT @@max_connections')
    assert value == 77


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
    for entry in status.values():
        assert entry['dsn'].startswith('mysql://admin:')
        assert box.source.dsn.password not in entry['dsn']
        assert entry['datadir'].startswith(box.base_dir)


def test_down_signals_only_its_own_processes(sandbox_factory,
                                             unrelated_process):
    box = sandbox_factory(replicas=0)
    source = box.source
    with open(box.state_file) as f:
        state = json.load(f)
    stale = dict(state['servers'][0], name='replica9',
                 pid=unrelated_process.pid)
    stale['base'] = os.path.join(box.base_dir, 'replica9')
    state['servers'].append(stale)
    with open(box.state_file, 'w') as f:
        json.dump(state, f)
    assert not box.replicas[0].is_running()

    box.down()

    assert unrelated_process.poll() is None
    assert not source.is_running()
    assert not os.path.exists(box.state_file)
    assert box.servers() == []
    assert os.path.isdir(os.path.join(box.base_dir, 'source', 'data'))


def test_stale_pid_is_never_signalled(sandbox_factory, unrelated_process):
    box = sandbox_factory(replicas=0)
    server = box.source
    server.kill()
    server.pid = unrelated_process.pid  # e.g. the pid was reused
    assert not server.is_running()
    server.stop()
    server.kill()
    assert unrelated_process.poll() is None


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


def test_port_taken_before_start_is_replaced(sandbox_factory,
                                             monkeypatch):
    # Another process may bind a chosen port before mariadbd does.
    blocker = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    blocker.bind(('127.0.0.1', 0))
    blocker.listen()
    busy = blocker.getsockname()[1]
    real_free_ports = servers._free_ports
    calls = []

    def rigged(count, exclude=()):
        ports = real_free_ports(count, exclude)
        if not calls:
            ports[0] = busy
        calls.append(count)
        return ports

    monkeypatch.setattr(servers, '_free_ports', rigged)
    try:
        box = sandbox_factory(replicas=1)
    finally:
        blocker.close()
    assert len(calls) == 2
    assert box.source.port != busy
    assert box.source.is_running()
    with open(box.source.my_cnf) as f:
        assert 'port = %d\n' % box.source.port in f.read()


def test_up_refuses_while_servers_run(sandbox_factory, sandbox_mysqld,
                                      sandbox_template_dir):
    box = sandbox_factory(replicas=0)
    again = servers.Sandbox(box.base_dir, mysqld=sandbox_mysqld,
                            template_dir=sandbox_template_dir)
    with pytest.raises(exceptions.SandboxError, match='already has running'):
        again.up(1)
    assert box.source.is_running()


def test_down_remove_deletes_server_directories(sandbox_factory):
    box = sandbox_factory(replicas=1)
    bases = [s.base for s in box.servers()]
    box.down(remove=True)
    assert not any(os.path.exists(base) for base in bases)
    assert box.status() == []
    with pytest.raises(exceptions.SandboxError, match='up()'):
        box.source


def test_long_base_dir_is_refused(sandbox_mysqld):
    box = servers.Sandbox('/tmp/' + 'x' * 100, mysqld=sandbox_mysqld)
    with pytest.raises(exceptions.SandboxError, match='shorter directory'):
        box.up(1)
    assert not os.path.exists(box.base_dir)


def test_missing_binary_gives_install_command(tmp_path, monkeypatch):
    with pytest.raises(exceptions.SandboxError) as caught:
        servers.Sandbox(str(tmp_path), mysqld=str(tmp_path / 'mariadbd'))
    assert INSTALL_COMMAND in str(caught.value)

    monkeypatch.setenv('PATH', str(tmp_path))
    monkeypatch.setattr(servers, 'SEARCH_DIRS', (str(tmp_path),))
    with pytest.raises(exceptions.SandboxError) as caught:
        servers.Sandbox(str(tmp_path))
    assert INSTALL_COMMAND in str(caught.value)
