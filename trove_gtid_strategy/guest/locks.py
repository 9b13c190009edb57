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

"""Serialising operations on one server, across processes.

Two ``trove-gtid`` runs touching the same server (two attaches to one
source, an attach and a detach) would interleave restarts, account
changes and ``CHANGE MASTER``. Each run takes an exclusive lock per
server it changes, in a fixed order (so two runs never wait on each
other in a circle), and a run that cannot get one within its timeout
stops before changing anything, naming the process that holds it.

Locks are ``flock`` locks on files named after the server's address in
``$TROVE_GTID_LOCK_DIR`` (default: a per-user directory under the system
temporary directory); the kernel releases them when a process dies, so a
killed run never leaves a stale lock.
"""

import contextlib
import fcntl
import json
import os
import socket
import tempfile
import time

from trove_gtid_strategy import exceptions

LOCK_DIR_ENV = 'TROVE_GTID_LOCK_DIR'
_POLL = 0.05


def lock_dir():
    return os.environ.get(LOCK_DIR_ENV) or os.path.join(
        tempfile.gettempdir(), 'trove-gtid-locks-%d' % os.getuid())


def server_key(dsn):
    """One name per server, whatever alias reaches it: the socket path,
    or the resolved address and the port.
    """
    if dsn.unix_socket:
        return 'socket' + os.path.realpath(dsn.unix_socket).replace('/', '_')
    try:
        address = socket.getaddrinfo(dsn.host, dsn.port,
                                     type=socket.SOCK_STREAM)[0][4][0]
    except OSError:
        address = dsn.host
    if address == '::1':
        # localhost may resolve to ::1 or to 127.0.0.1: one server.
        address = '127.0.0.1'
    return '%s_%d' % (address.replace(':', '-'), dsn.port)


def _holder(path):
    try:
        with open(path, encoding='utf-8') as f:
            info = json.load(f)
        return 'pid %s (%s) since %s' % (
            info['pid'], info['command'], info['since'])
    except (OSError, ValueError, KeyError):
        return 'another process'


@contextlib.contextmanager
def server_locks(servers, timeout, command):
    """Hold the lock of every ``(side, dsn)`` in ``servers`` while the
    block runs. Raises :class:`~trove_gtid_strategy.exceptions.Busy`,
    naming the side, the address and the holder, after ``timeout``
    seconds.
    """
    directory = lock_dir()
    os.makedirs(directory, mode=0o700, exist_ok=True)
    keyed = {}
    for side, dsn in servers:
        keyed.setdefault(server_key(dsn), (side, dsn))
    held = []
    try:
        for key in sorted(keyed):
            side, dsn = keyed[key]
            path = os.path.join(directory, key + '.lock')
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        holder = _holder(path)
                        os.close(fd)
                        raise exceptions.Busy(
                            'the %s %s:%s is locked by %s: try again when '
                            'it is done, or wait longer with '
                            '--lock-timeout' % (side, dsn.host, dsn.port,
                                                holder))
                    time.sleep(_POLL)
            held.append(fd)
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps({
                'pid': os.getpid(), 'command': command,
                'since': time.strftime('%H:%M:%S')}).encode('utf-8'), 0)
        yield
    finally:
        for fd in held:
            os.close(fd)
