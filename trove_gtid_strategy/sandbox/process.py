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

"""Server processes: spawn, find, signal, wait; and the small helpers
every other sandbox module stands on (file locks, connections, log tails,
port checks, version probes).

The lowest sandbox module: it imports no other module of the sandbox.

A process counts as a sandbox server on a datadir when it is a
``mysqld``/``mariadbd`` (by the program names in ``/proc/PID/cmdline``)
and its cmdline names the server's ``my.cnf`` (``--defaults-file=``) or
datadir (``--datadir=``), or its working directory is that datadir (both
servers ``chdir`` into their datadir at start, however they were
started). Clients and backup tools naming the datadir are not servers
and are never signalled. A pid alone is never
trusted: pids are reused, and a handle or a state file may be stale.
"""

import contextlib
import fcntl
import os
import re
import socket
import subprocess
import time

from oslo_log import log as logging
import pymysql

from trove_gtid_strategy import exceptions
from trove_gtid_strategy.guest import connection

LOG = logging.getLogger(__name__)

LOG_TAIL_LINES = 20
SERVER_PROGRAMS = (b'mysqld', b'mariadbd')
# Variables that would make a server from a root load the host's
# libraries into it.
UNSAFE_ENV = ('LD_PRELOAD', 'LD_LIBRARY_PATH', 'LD_AUDIT')

# Popen objects of the servers this process started, by pid: polling them
# reaps exited servers, which would otherwise linger as zombies.
_CHILDREN = {}


@contextlib.contextmanager
def flock(path):
    """Hold an exclusive ``flock`` on ``path`` (created 0600 if missing).

    Locks are per open file: two holders in one process (two threads, two
    handles) exclude each other too. Never nest two acquisitions of one
    path in one thread: that waits forever.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def clean_env(env=None):
    """``env`` (default: ours) without the dynamic-loader variables."""
    env = dict(os.environ if env is None else env)
    for name in UNSAFE_ENV:
        env.pop(name, None)
    return env


def spawn(argv, log_path, cwd):
    """Start a server in its own session; stdout and stderr go to the log.

    The server outlives this process. Raises SandboxError if ``argv``
    cannot be executed.
    """
    with open(log_path, 'ab') as log:
        try:
            proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, cwd=cwd, close_fds=True,
                start_new_session=True, env=clean_env())
        except OSError as exc:
            raise exceptions.SandboxError(
                'cannot run %s (%s): check the server line with '
                '`tools/provision-server-lines --check`' % (argv[0], exc))
    _CHILDREN[proc.pid] = proc
    return proc


def child(pid):
    """The Popen of a server this process started, if it is one."""
    return _CHILDREN.get(pid)


def forget_child(pid):
    _CHILDREN.pop(pid, None)


def _reap(pid):
    proc = _CHILDREN.get(pid)
    if proc is not None and proc.poll() is not None:
        del _CHILDREN[pid]


def _cmdline(pid):
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as f:
            return f.read().split(b'\0')
    except OSError:
        return []


def _cwd(pid):
    try:
        return os.readlink('/proc/%d/cwd' % pid)
    except OSError:
        return None


def _is_server_argv(args):
    return any(os.path.basename(a) in SERVER_PROGRAMS for a in args)


def _names_target(pid, args, my_cnf, datadir):
    """True if ``args`` (a cmdline) names this my.cnf or datadir."""
    wanted = {os.path.normpath(my_cnf), os.path.normpath(datadir)}
    cwd = None
    for arg in args:
        for prefix in (b'--defaults-file=', b'--datadir=',
                       b'--defaults-extra-file='):
            if arg.startswith(prefix):
                value = os.fsdecode(arg[len(prefix):])
                if not os.path.isabs(value):
                    cwd = cwd or _cwd(pid) or '/'
                    value = os.path.join(cwd, value)
                if os.path.normpath(value) in wanted:
                    return True
    return False


def server_pids(my_cnf, datadir):
    """Pids of every live server process on this my.cnf or datadir.

    Scans all of ``/proc``, not a recorded pid. Zombies (empty cmdline)
    and our own process do not count.
    """
    for pid in list(_CHILDREN):
        _reap(pid)
    found = []
    real_datadir = os.path.realpath(datadir)
    me = os.getpid()
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        pid = int(entry)
        if pid == me:
            continue
        args = _cmdline(pid)
        if not args or not args[0]:
            continue
        if not _is_server_argv(args):
            continue
        if (_names_target(pid, args, my_cnf, datadir)
                or _cwd(pid) == real_datadir):
            found.append(pid)
    return sorted(found)


def is_server(pid, my_cnf, datadir):
    """True if ``pid`` is alive and is a server on this my.cnf/datadir."""
    if not pid:
        return False
    _reap(pid)
    args = _cmdline(pid)
    if not args or not args[0] or not _is_server_argv(args):
        return False
    return (_names_target(pid, args, my_cnf, datadir)
            or _cwd(pid) == os.path.realpath(datadir))


def signal_pid(pid, signum):
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass
    except PermissionError as exc:
        raise exceptions.SandboxError(
            'cannot signal pid %d (%s): run as the user who started the '
            'sandbox' % (pid, exc))


def wait_gone(pid, my_cnf, datadir, timeout):
    """Wait until ``pid`` is no server of ours; False on timeout."""
    proc = _CHILDREN.get(pid)
    if proc is not None:
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        _CHILDREN.pop(pid, None)
        return True
    deadline = time.monotonic() + timeout
    delay = 0.01
    while is_server(pid, my_cnf, datadir):
        if time.monotonic() > deadline:
            return False
        time.sleep(delay)
        delay = min(delay * 1.5, 0.1)
    return True


def wait_ready(proc, name, connect_kwargs, timeout, error_log, conf_dir):
    """Poll over the unix socket until ``SELECT 1`` works.

    ``proc`` (a Popen, or None for a server another process started) is
    watched so an exit is reported at once, with the log's tail.
    """
    deadline = time.monotonic() + timeout
    delay = 0.02
    last_error = None
    while True:
        if proc is not None and proc.poll() is not None:
            raise exceptions.SandboxError(
                '%s exited with status %s while starting: fix the cause '
                'logged in %s (override files are in %s)\n%s'
                % (name, proc.returncode, error_log, conf_dir,
                   log_tail(error_log)))
        try:
            conn = connect(connect_kwargs)
            try:
                with conn.cursor() as cursor:
                    cursor.execute('SELECT 1')
                    cursor.fetchall()
            finally:
                conn.close()
            return
        except (pymysql.MySQLError, OSError) as exc:
            last_error = exc
        if time.monotonic() > deadline:
            raise exceptions.SandboxError(
                '%s did not accept connections within %ss (last error: %s) '
                'and was killed: see %s, or pass a longer timeout on a slow '
                'machine\n%s' % (name, timeout, last_error, error_log,
                                 log_tail(error_log)))
        time.sleep(delay)
        delay = min(delay * 1.5, 0.05)


def connect(connect_kwargs, **options):
    """A PyMySQL connection; over a unix socket, the socket never leaks."""
    return _open(connect_kwargs, options)[0]


def _open(connect_kwargs, options):
    """``(connection, socket)``: the unix socket connected here (None for
    TCP, which PyMySQL opens itself).
    """
    path = connect_kwargs.get('unix_socket')
    sock = None
    if path:
        # PyMySQL leaks its socket when connecting to a unix socket fails
        # (a ResourceWarning per poll while a server starts): connect it
        # here, so it is always closed.
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(5)
            sock.connect(path)
        except OSError:
            sock.close()
            raise
    if path:
        # A local socket gains nothing from TLS, and PyMySQL 1.2 tries it
        # by default: 45 ms per connection loading the system's CAs.
        options.setdefault('ssl_disabled', True)
    conn = connection.connect(connect_timeout=5, defer_connect=True,
                              **dict(connect_kwargs, **options))
    if sock is not None:
        # What PyMySQL marks on a unix socket it opens itself: the
        # password may cross it in full (caching_sha2_password's full
        # authentication, without TLS).
        conn._secure = True
    try:
        conn.connect(sock)
    except BaseException:
        if sock is not None:
            sock.close()
        raise
    return conn, sock


@contextlib.contextmanager
def session(connect_kwargs, timeout=2.0, **options):
    """A connection over the server's unix socket, closed on exit once
    the server has ended its side (bounded by ``timeout``).

    For a server about to be signalled to stop: a connection thread still
    ending when MySQL's shutdown counts its clients makes it sleep 2 s
    ("Giving 1 client threads a chance to die gracefully"), which a
    PyMySQL ``close()`` followed at once by SIGTERM met every time on
    MySQL 9.7. The server closes its end of the socket as its thread
    ends the connection: seen here as end of file on a duplicate of the
    socket kept past ``close()``.
    """
    conn, sock = _open(connect_kwargs, options)
    watch = sock.dup() if sock is not None else None
    try:
        yield conn
    finally:
        conn.close()
        if watch is not None:
            with watch:
                _until_closed_by_peer(watch, timeout)


def _until_closed_by_peer(sock, timeout):
    deadline = time.monotonic() + timeout
    with contextlib.suppress(OSError):
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            sock.settimeout(left)
            if not sock.recv(4096):
                return


def query_version(connect_kwargs):
    """``SELECT @@version`` of a running server."""
    conn = connect(connect_kwargs)
    try:
        with conn.cursor() as cursor:
            cursor.execute('SELECT @@version')
            return cursor.fetchone()[0]
    finally:
        conn.close()


_DUMP_THREADS = ("SELECT id FROM information_schema.processlist "
                 "WHERE command LIKE 'Binlog Dump%'")


def count_dump_threads(connect_kwargs):
    """How many binlog dump threads a running server has (0 on error)."""
    with contextlib.suppress(pymysql.MySQLError, OSError):
        with session(connect_kwargs) as conn, conn.cursor() as cursor:
            cursor.execute(_DUMP_THREADS)
            return len(cursor.fetchall())
    return 0


def end_dump_threads(connect_kwargs):
    """KILL the binlog dump threads of a running server (best effort)."""
    with contextlib.suppress(pymysql.MySQLError, OSError):
        with session(connect_kwargs, autocommit=True) as conn, \
                conn.cursor() as cursor:
            cursor.execute(_DUMP_THREADS)
            for (thread_id,) in cursor.fetchall():
                with contextlib.suppress(pymysql.MySQLError):
                    cursor.execute('KILL %d' % int(thread_id))


def binary_version(argv, hint):
    """``(flavor, version)`` from ``ARGV --version``.

    ``flavor`` is 'mariadb' or 'mysql'; ``version`` like '10.11.19'.
    ``hint`` ends the error message (how to install or provision).
    """
    try:
        done = subprocess.run(list(argv) + ['--version'],
                              capture_output=True, text=True, timeout=60,
                              env=clean_env())
    except (OSError, subprocess.SubprocessError) as exc:
        raise exceptions.SandboxError(
            'cannot run `%s --version` (%s): %s'
            % (argv[-1], exc, hint))
    match = re.search(r'Ver\s+(\d+\.\d+\.\d+)(\S*)', done.stdout)
    if done.returncode or not match:
        raise exceptions.SandboxError(
            '`%s --version` failed (status %d: %s): %s'
            % (argv[-1], done.returncode,
               (done.stdout + done.stderr).strip()[:300], hint))
    flavor = 'mariadb' if 'mariadb' in done.stdout.lower() else 'mysql'
    return flavor, match.group(1)


def log_tail(path, lines=LOG_TAIL_LINES):
    text = read_from(path, max(0, file_size(path) - 32768))
    if not text:
        return '--- %s is empty or missing ---' % path
    tail = text.splitlines()[-lines:]
    return '--- last %d lines of %s ---\n%s' % (len(tail), path,
                                                '\n'.join(tail))


def file_size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def read_from(path, offset):
    try:
        with open(path, 'rb') as f:
            f.seek(offset)
            return f.read().decode('utf-8', 'replace')
    except OSError:
        return ''


def port_is_free(port):
    """True if a server could listen on 127.0.0.1:``port`` now (as the
    servers do, with SO_REUSEADDR: connections in TIME_WAIT are no
    obstacle, a listener is).
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(('127.0.0.1', port))
        return True
    except OSError:
        return False
    finally:
        sock.close()


def port_holder(port):
    """Who listens on TCP ``port``: ``pid N (program)``, from ``/proc``.

    The listening socket's inode is found in ``/proc/net/tcp{,6}``, then
    the process holding it among the ``/proc/PID/fd`` we may read.
    """
    inodes = set()
    for table in ('/proc/net/tcp', '/proc/net/tcp6'):
        with contextlib.suppress(OSError):
            with open(table) as f:
                next(f, None)
                for row in f:
                    fields = row.split()
                    # local_address is HEX_IP:HEX_PORT; state 0A: LISTEN.
                    if (len(fields) > 9 and fields[3] == '0A'
                            and int(fields[1].rsplit(':', 1)[1], 16)
                            == port):
                        inodes.add('socket:[%s]' % fields[9])
    if not inodes:
        return ('a socket bound but not listening (find it with '
                '`ss -tanp sport = :%d`)' % port)
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        fd_dir = '/proc/%s/fd' % entry
        with contextlib.suppress(OSError):
            for fd in os.listdir(fd_dir):
                with contextlib.suppress(OSError):
                    if os.readlink(os.path.join(fd_dir, fd)) in inodes:
                        args = _cmdline(int(entry))
                        program = os.fsdecode(args[0]) if args and args[0] \
                            else '?'
                        return 'pid %s (%s)' % (entry, program)
    return ('a process we may not inspect (another user\'s: find it with '
            '`ss -ltnp sport = :%d` as root)' % port)
