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

"""Server ports: outside the kernel's ephemeral range, reserved per sandbox.

Why not port 0: the kernel hands out the ports of its ephemeral range
(``net.ipv4.ip_local_port_range``) to anyone who asks, including every
client's outgoing connection. A stopped sandbox server keeps its port in
``my.cnf``; while it is down, any connection on the machine may take it,
and the server cannot start again. So sandbox ports come from a range of
their own (``DEFAULT_RANGE``, or ``$TROVE_GTID_PORT_RANGE`` as
``LOW-HIGH``), less the ephemeral range, which the kernel never gives
out unasked.

Two sandboxes (two test workers, two users' sandboxes) must not choose
the same port either, even while one of them is stopped: a port is
reserved by a file in the reservation directory (``$TROVE_GTID_PORT_DIR``,
default ``/tmp/trove-gtid-ports``), named after the port and holding the
base directory of the sandbox that owns it. A reservation holds while
that sandbox's state file exists and records the port; once the sandbox
is removed (or its directory deleted) the port is free again. Every
claim runs under one lock on the directory, and the claimer writes its
state before letting go of it, so no claim is ever judged stale while it
is being made.

``usable`` and ``choose`` are pure (unit-tested against any range);
``Reservations`` reads and writes the directory.
"""

import contextlib
import json
import os

from trove_gtid_strategy import exceptions
from trove_gtid_strategy.sandbox import process
from trove_gtid_strategy.sandbox import state as state_mod

RANGE_ENV = 'TROVE_GTID_PORT_RANGE'
DIR_ENV = 'TROVE_GTID_PORT_DIR'
# Below Linux's default ephemeral range (32768-60999) and above the
# ports most services are configured on.
DEFAULT_RANGE = (20000, 32767)
DEFAULT_DIR = '/tmp/trove-gtid-ports'
EPHEMERAL_FILE = '/proc/sys/net/ipv4/ip_local_port_range'
# What Linux uses when the file cannot be read.
DEFAULT_EPHEMERAL = (32768, 60999)
LOCK_NAME = '.lock'


def parse_range(text, what):
    """``(low, high)`` from ``LOW-HIGH``; InvalidInput naming ``what``."""
    low, sep, high = (text or '').strip().partition('-')
    try:
        low, high = int(low), int(high)
    except ValueError:
        low = high = None
    if not sep or low is None or not 1024 <= low <= high <= 65535:
        raise exceptions.InvalidInput(
            '%s %r: give a port range LOW-HIGH within 1024-65535'
            % (what, text))
    return low, high


def configured_range(environ=None):
    environ = os.environ if environ is None else environ
    if environ.get(RANGE_ENV):
        return parse_range(environ[RANGE_ENV], RANGE_ENV)
    return DEFAULT_RANGE


def ephemeral_range(path=EPHEMERAL_FILE):
    """The kernel's ephemeral port range, ``(low, high)``."""
    try:
        with open(path) as f:
            low, high = (int(n) for n in f.read().split()[:2])
        return low, high
    except (OSError, ValueError):
        return DEFAULT_EPHEMERAL


def usable(port_range, ephemeral):
    """The ports of ``port_range`` the kernel never hands out unasked."""
    low, high = port_range
    e_low, e_high = ephemeral
    return [port for port in range(low, high + 1)
            if not e_low <= port <= e_high]


def choose(count, candidates, unavailable):
    """The first ``count`` of ``candidates`` not in ``unavailable``.

    SandboxError when there are not enough, naming how to widen the range.
    """
    chosen = []
    for port in candidates:
        if len(chosen) == count:
            break
        if port not in unavailable:
            chosen.append(port)
    if len(chosen) < count:
        raise exceptions.SandboxError(
            'only %d of the %d server ports needed are free in the sandbox '
            'port range (%s, less the ephemeral range): remove unused '
            'sandboxes, or set %s=LOW-HIGH to a wider range outside %s'
            % (len(chosen), count, _describe(candidates), RANGE_ENV,
               EPHEMERAL_FILE))
    return chosen


def _describe(candidates):
    if not candidates:
        return 'empty'
    return '%d ports between %d and %d' % (len(candidates), candidates[0],
                                           candidates[-1])


class Reservations(object):
    """The reservation directory (see the module docstring)."""

    def __init__(self, directory=None):
        self.directory = os.path.abspath(
            directory or os.environ.get(DIR_ENV) or DEFAULT_DIR)

    @contextlib.contextmanager
    def locked(self):
        """Hold the directory's lock: claims and checks take turns."""
        try:
            os.makedirs(self.directory, exist_ok=True)
            # Shared by every user's sandboxes, like /tmp itself.
            if os.stat(self.directory).st_uid == os.geteuid():
                os.chmod(self.directory, 0o1777)
        except OSError as exc:
            raise exceptions.SandboxError(
                'cannot use the port reservation directory %s (%s): set %s '
                'to a writable directory' % (self.directory, exc, DIR_ENV))
        with process.flock(os.path.join(self.directory, LOCK_NAME)):
            yield

    def _path(self, port):
        return os.path.join(self.directory, str(port))

    def owner(self, port):
        """The base directory holding ``port``, or None when it is free.

        Hold :meth:`locked`. A reservation whose sandbox is gone, or no
        longer records the port, is stale: it is removed here.
        """
        path = self._path(port)
        try:
            with open(path, encoding='utf-8') as f:
                base_dir = json.load(f)['base_dir']
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            base_dir = None
        if base_dir and _records(base_dir, port):
            return base_dir
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        return None

    def claim_new(self, base_dir, count, port_range=None, ephemeral=None):
        """Reserve ``count`` ports for the sandbox at ``base_dir``.

        Hold :meth:`locked` until the sandbox's state records them. A port
        reserved by another sandbox, or taken by a listener now, is
        skipped.
        """
        candidates = usable(port_range or configured_range(),
                            ephemeral or ephemeral_range())
        if not candidates:
            choose(count, candidates, ())   # raises, naming the range
        taken = set()
        chosen = []
        for port in candidates:
            if len(chosen) == count:
                break
            owner = self.owner(port)
            if (owner is not None and owner != base_dir) \
                    or not process.port_is_free(port):
                taken.add(port)
                continue
            chosen.append(port)
        chosen = choose(count, candidates, taken)
        for port in chosen:
            self._write(port, base_dir)
        return chosen

    def claim_existing(self, base_dir, named_ports):
        """Reserve the ports an existing sandbox records, before its
        servers start again. ``named_ports``: ``[(server name, port)]``.

        SandboxError, naming the holder, for a port another sandbox
        reserved or another process listens on.
        """
        for name, port in named_ports:
            owner = self.owner(port)
            if owner is not None and owner != base_dir:
                raise exceptions.SandboxError(
                    '%s: its port %d is reserved by the sandbox in %s: '
                    'remove one of the two sandboxes (`trove-gtid sandbox '
                    'down --remove --base-dir DIR`)' % (name, port, owner))
            if not process.port_is_free(port):
                raise exceptions.SandboxError(
                    '%s: its port %d is taken by %s: stop it, then run up '
                    'again' % (name, port, process.port_holder(port)))
        for _, port in named_ports:
            self._write(port, base_dir)

    def release(self, base_dir):
        """Drop every reservation of the sandbox at ``base_dir``."""
        if not os.path.isdir(self.directory):
            return
        with self.locked():
            for name in os.listdir(self.directory):
                if name.isdigit() and self._owner_name(name) == base_dir:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(os.path.join(self.directory, name))

    def _owner_name(self, name):
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            with open(os.path.join(self.directory, name),
                      encoding='utf-8') as f:
                return json.load(f)['base_dir']
        return None

    def _write(self, port, base_dir):
        path = self._path(port)
        tmp = '%s.tmp-%d' % (path, os.getpid())
        with open(tmp, 'w', encoding='utf-8') as f:
            json.dump({'base_dir': base_dir}, f)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)


def _records(base_dir, port):
    """True if the sandbox at ``base_dir`` records ``port`` (or cannot be
    read by us: another user's sandbox is never judged stale).
    """
    try:
        state = state_mod.StateFile(base_dir).read()
    except exceptions.SandboxError:
        return True
    if state is None:
        return False
    return any(entry.get('port') == port
               for entry in state.get('servers', ()))
