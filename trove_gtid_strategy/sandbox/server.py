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

"""One sandbox server: its directory, its process, its lock.

A server is a directory (``my.cnf``, ``conf.d/``, ``data/``, socket, pid
file, error log, ``server.lock``) and at most one server process on it.
No pid is trusted: every start, stop, kill and status scans ``/proc`` for
the server processes on this server's ``my.cnf`` or datadir (see
process.py), under the server's lock, so two processes restarting one
server take turns and a stale handle never starts a second server on a
datadir. The pid and port seen last are recorded in the state file.
"""

import contextlib
import os
import signal

from oslo_log import log as logging

from trove_gtid_strategy import dsn as dsn_mod
from trove_gtid_strategy import exceptions
from trove_gtid_strategy.sandbox import certificate
from trove_gtid_strategy.sandbox import datadir
from trove_gtid_strategy.sandbox import process
from trove_gtid_strategy.sandbox import state as state_mod

LOG = logging.getLogger(__name__)

SERVER_LOCK = 'server.lock'
_BIND_ERRORS = ('Address already in use', 'Bind on TCP/IP port',
                'Do you already have another mysqld server running on port')


class SandboxServer(object):
    """One sandbox server: a server process of a line, and its directory.

    Build these through :class:`Sandbox`. ``pid`` is what was last seen;
    every action looks again in ``/proc`` under the server's lock.
    """

    def __init__(self, name, base, port, server_id, line, admin_user,
                 admin_password, pid=None, state=None):
        self.name = name
        self.base = base
        self.port = port
        self.server_id = server_id
        self.line = line
        self.datadir = os.path.join(base, 'data')
        self.conf_dir = os.path.join(base, 'conf.d')
        self.my_cnf = os.path.join(base, 'my.cnf')
        self.socket = os.path.join(base, 'mysqld.sock')
        self.pid_file = os.path.join(base, 'mysqld.pid')
        self.error_log = os.path.join(base, 'error.log')
        self.lock_file = os.path.join(base, SERVER_LOCK)
        self.pid = pid
        self._admin_user = admin_user
        self._admin_password = admin_password
        self._state = state
        self._log_offset = 0

    def __repr__(self):
        return '<SandboxServer %s %s port=%s pid=%s>' % (
            self.name, self.line.name, self.port, self.pid)

    @property
    def mysqld(self):
        """The server binary's path on the host."""
        return self.line.server_path

    @property
    def dsn(self):
        """The admin account over TCP to 127.0.0.1:port."""
        return dsn_mod.DSN(user=self._admin_user,
                           password=self._admin_password,
                           host='127.0.0.1', port=self.port)

    def socket_kwargs(self):
        """PyMySQL arguments for the admin over the unix socket."""
        return {'unix_socket': self.socket, 'user': self._admin_user,
                'password': self._admin_password.encode('utf-8')}

    def server_pids(self):
        """Every live server process on this server's my.cnf or datadir."""
        return process.server_pids(self.my_cnf, self.datadir)

    def is_running(self):
        """True if a server process runs on this datadir (a /proc scan:
        a stale or reused pid is never taken for ours).
        """
        pids = self.server_pids()
        self.pid = pids[0] if pids else None
        return bool(pids)

    def version(self):
        """``SELECT @@version`` over the socket; None when stopped."""
        if not self.is_running():
            return None
        return process.query_version(self.socket_kwargs())

    def start(self, timeout=60):
        """Start the server and wait until ``SELECT 1`` works.

        Does nothing if a server runs on this datadir already (whoever
        started it). Raises SandboxError, with the end of the error log,
        if the server exits or is not ready within ``timeout`` seconds (it
        is then killed).
        """
        with self.locked():
            self._start_locked(timeout)

    def stop(self, timeout=60):
        """SIGTERM, wait up to ``timeout`` seconds, then SIGKILL.

        Stops every server process on this datadir; safe when stopped.
        """
        with self.locked():
            self._stop_locked(timeout)

    def kill(self):
        """SIGKILL (a crash, for tests) and wait for the process to go."""
        with self.locked():
            self._kill_locked()

    def restart(self, timeout=60):
        """Stop then start, re-reading ``my.cnf`` and ``conf.d``; the lock
        is held throughout, so concurrent restarts take turns.
        """
        with self.locked():
            self._stop_locked(timeout)
            self._start_locked(timeout)

    @contextlib.contextmanager
    def locked(self):
        """Hold this server's lock (``server.lock`` in its directory).

        With the directory gone there is nothing to lock: stopping still
        works (a scan), starting fails (no ``my.cnf``).
        """
        if not os.path.isdir(self.base):
            yield
            return
        with process.flock(self.lock_file):
            yield

    def write_my_cnf(self):
        """(Re)write ``my.cnf``; its path never changes."""
        os.makedirs(self.conf_dir, exist_ok=True)
        tmpdir = os.path.join(self.base, 'tmp')
        os.makedirs(tmpdir, exist_ok=True)
        text = datadir.render_my_cnf(
            self.line, datadir=self.datadir, socket_path=self.socket,
            pid_file=self.pid_file, error_log=self.error_log,
            server_id=self.server_id, port=self.port, conf_dir=self.conf_dir,
            tmpdir=tmpdir, extra=(certificate.settings(self.datadir)
                                  if self.line.flavor == 'mariadb' else ()))
        tmp = self.my_cnf + '.tmp'
        with open(tmp, 'w') as f:
            f.write(text)
        os.replace(tmp, self.my_cnf)

    # -- with the lock held ---------------------------------------------

    def _start_locked(self, timeout):
        if self._adopt():
            LOG.debug('%s is already running (pid %d)', self.name, self.pid)
            return
        proc = self._spawn()
        self._wait_ready(proc, timeout)

    def _adopt(self):
        pids = self.server_pids()
        if len(pids) > 1:
            LOG.warning('%s: several server processes on %s: %s', self.name,
                        self.datadir, pids)
        if pids:
            self._set_pid(pids[0])
            return True
        return False

    def _spawn(self):
        if not os.path.isfile(self.my_cnf):
            raise exceptions.SandboxError(
                '%s has no %s: recreate the sandbox with up()'
                % (self.name, self.my_cnf))
        self.line.check()
        self._log_offset = process.file_size(self.error_log)
        argv = (self.line.server_command()
                + ['--defaults-file=%s' % self.my_cnf])
        if os.geteuid() == 0:
            argv.append('--user=root')
        proc = process.spawn(argv, self.error_log, self.base)
        LOG.debug('Started %s (pid %d, port %d)', self.name, proc.pid,
                  self.port)
        self._set_pid(proc.pid)
        return proc

    def _wait_ready(self, proc, timeout):
        try:
            process.wait_ready(proc, self.name, self.socket_kwargs(),
                               timeout, self.error_log, self.conf_dir)
        except exceptions.SandboxError as exc:
            self._kill_locked()
            if not self._bind_failed():
                raise
            # Never retried on another port: clients know this one.
            raise exceptions.SandboxError(
                '%s: its port %d is taken by %s: stop that process, then '
                'start the server again (its error log: %s)'
                % (self.name, self.port, process.port_holder(self.port),
                   self.error_log)) from exc

    def _stop_locked(self, timeout):
        self._wait_stopped(self._signal_stop(), timeout)

    def _feeds_replicas(self):
        """True if this server runs binlog dump threads the flavor's
        shutdown waits for (see ``Quirks.end_dump_threads``).
        """
        if not self.line.quirks.end_dump_threads or not self.server_pids():
            return False
        return process.count_dump_threads(self.socket_kwargs()) > 0

    def _signal_stop(self):
        """SIGTERM every server process on this datadir; their pids."""
        pids = self.server_pids()
        if pids and self.line.quirks.end_dump_threads:
            process.end_dump_threads(self.socket_kwargs())
        for pid in pids:
            LOG.debug('Stopping %s (pid %d)', self.name, pid)
            process.signal_pid(pid, signal.SIGTERM)
        return pids

    def _wait_stopped(self, pids, timeout):
        for pid in pids:
            if not process.wait_gone(pid, self.my_cnf, self.datadir,
                                     timeout):
                LOG.warning('%s (pid %d) did not stop within %ss: killing '
                            'it', self.name, pid, timeout)
                self._kill_locked()
                return
        self._set_pid(None)

    def _kill_locked(self):
        pids = self.server_pids()
        for pid in pids:
            LOG.debug('Killing %s (pid %d)', self.name, pid)
            process.signal_pid(pid, signal.SIGKILL)
        for pid in pids:
            if not process.wait_gone(pid, self.my_cnf, self.datadir, 30):
                raise exceptions.SandboxError(
                    '%s (pid %d) survived SIGKILL for 30s: check it with '
                    '`ps -o stat,cmd -p %d` (a process stuck in disk wait '
                    'needs its storage fixed)' % (self.name, pid, pid))
        self._set_pid(None)

    def _set_pid(self, pid):
        self.pid = pid
        self._record()

    def _record(self):
        if self._state is None:
            return

        def change(state):
            entry = state_mod.server_entry(state, self.name)
            if entry is not None:
                entry['pid'] = self.pid
                entry['port'] = self.port
        self._state.update(change)

    def _bind_failed(self):
        text = process.read_from(self.error_log, self._log_offset)
        return any(marker in text for marker in _BIND_ERRORS)

    def state_entry(self):
        """This server as the state file records it."""
        entry = {
            'name': self.name,
            'port': self.port,
            'socket': self.socket,
            'pid': self.pid,
            'server_id': self.server_id,
            'base': self.base,
            'datadir': self.datadir,
            'conf_dir': self.conf_dir,
            'my_cnf': self.my_cnf,
            'error_log': self.error_log,
            'pid_file': self.pid_file,
            'admin_user': self._admin_user,
            'admin_password': self._admin_password,
        }
        entry.update(self.line.state_entry())
        return entry


@contextlib.contextmanager
def _all_locked(servers):
    """Hold the locks of ``servers``, taken in name order (so concurrent
    callers cannot deadlock).
    """
    with contextlib.ExitStack() as stack:
        for server in sorted(servers, key=lambda s: s.name):
            stack.enter_context(server.locked())
        yield


def stop_all(servers, timeout):
    """Stop ``servers`` in parallel: every one signalled, then each waited
    for up to ``timeout``.

    Servers feeding replicas where the flavor needs it
    (``end_dump_threads``) are signalled last, just after their replicas:
    a replica already stopping does not reconnect once its source's dump
    threads are ended. (Two rounds, replicas first, took 1.6-2.2 s for a
    MySQL source and two replicas after writes; one takes 0.9-1.6 s.)
    """
    with _all_locked(servers):
        ordered = sorted(servers, key=lambda server: server._feeds_replicas())
        signalled = [(server, server._signal_stop()) for server in ordered]
        for server, pids in signalled:
            server._wait_stopped(pids, timeout)


def kill_all(servers):
    """SIGKILL ``servers`` (whose data nobody reads again)."""
    with _all_locked(servers):
        for server in servers:
            server._kill_locked()


def start_all(servers, timeout):
    """Start ``servers`` in parallel, each under its lock."""
    if not servers:
        return
    with _all_locked(servers):
        procs = {}
        try:
            # Spawn every server before waiting for any.
            for server in servers:
                if not server._adopt():
                    procs[server.name] = server._spawn()
            for server in servers:
                if server.name in procs:
                    server._wait_ready(procs[server.name], timeout)
        except BaseException:
            for server in servers:
                if server.name in procs:
                    with contextlib.suppress(exceptions.SandboxError):
                        server._kill_locked()
            raise
