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

"""A sandbox: a source and N replicas on 127.0.0.1, each a server process.

Layout under a sandbox's ``base_dir``::

    sandbox.json          state: servers, lines, ports, pids, admin password,
                          the directories the sandbox created (0600)
    sandbox.json.lock     held while the state is read-modified-written
    sandbox.lock          held by up() and down()
    .template/            default template cache (see datadir.py)
    source/               one directory per server, the same for replicaN
        my.cnf            written here; the server runs --defaults-file=this
        conf.d/           override files (*.cnf), read at the next start
        data/             the datadir
        mysqld.sock       unix socket
        mysqld.pid        pid file
        error.log         log-error, plus the server's stdout and stderr
        server.lock       held around every start, stop and restart

Unix socket paths are limited to 107 bytes, so a ``base_dir`` too long for
``<base_dir>/replicaN/mysqld.sock`` is refused with an error asking for a
shorter directory (e.g. under ``/tmp``).

``up`` on an existing sandbox starts the servers that are not running, on
their ports, with their data; a datadir is never initialised twice.
``down`` stops the servers and keeps everything, state included; only
``down(remove=True)`` deletes, and only the directories the state records
as created by the sandbox. ``up`` refuses a directory that holds anything
but a sandbox.

The pieces, each importing only those before it: ``process`` (processes,
locks, connections), ``lines`` (server lines), ``state`` (the state
file), ``basedir`` (what in the base directory is the sandbox's),
``datadir`` (templates and ``my.cnf``), ``server`` (one server), this
module (the sandbox).
"""

import contextlib
import hashlib
import os
import time

from oslo_log import log as logging

from trove_gtid_strategy import exceptions
from trove_gtid_strategy.sandbox import basedir
from trove_gtid_strategy.sandbox import datadir
from trove_gtid_strategy.sandbox import lines
from trove_gtid_strategy.sandbox import ports
from trove_gtid_strategy.sandbox import process
from trove_gtid_strategy.sandbox import server as server_mod
from trove_gtid_strategy.sandbox import state as state_mod

LOG = logging.getLogger(__name__)

SOURCE = 'source'
REPLICA_PREFIX = 'replica'
DEFAULT_REPLICAS = 2
# Each server is a process with its own buffers: a bound keeps a typing
# slip (--replicas 300) from starting hundreds of them.
MAX_REPLICAS = 20
OPS_LOCK = basedir.OPS_LOCK
STATE_FILE = state_mod.STATE_FILE

# The names other code has always used from this module.
SandboxServer = server_mod.SandboxServer
ADMIN_USER = datadir.ADMIN_USER
TEMPLATE_ENV = datadir.TEMPLATE_ENV
find_mysqld = lines.find_mysqld
read_template = datadir.read_template


def prepare_template(template_dir, mysqld=None, timeout=120, line=None):
    """Make sure ``template_dir`` holds a template; returns its directory.

    ``line``: a :class:`lines.ServerLine` or a line name; else the line of
    ``mysqld`` (a host binary), else the default line.
    """
    if isinstance(line, str):
        line = lines.get(line)
    if line is None:
        line = (lines.for_binary(mysqld) if mysqld
                else lines.get(lines.DEFAULT_LINE))
    return datadir.prepare_template(template_dir, line, timeout)


def server_id_for(name):
    """A server_id in 1..2**32-1 that is stable for a server name.

    Derived with SHA-256, not hash(), which is salted per process: the
    same sandbox must get the same ids in every run.
    """
    digest = hashlib.sha256(name.encode('utf-8')).digest()
    return int.from_bytes(digest[:4], 'big') % (2 ** 32 - 1) + 1


def resolve_server(base_dir, name):
    """The :class:`SandboxServer` called ``name`` (``source``,
    ``replica1``...) in the sandbox at ``base_dir``.

    InvalidInput when there is no sandbox there or no such server.
    """
    box = Sandbox(base_dir)
    if not box.exists():
        raise exceptions.InvalidInput(
            'no sandbox in %s (no %s): create one with `trove-gtid sandbox '
            'up --base-dir %s`' % (box.base_dir, STATE_FILE, box.base_dir))
    server = box.named(name)
    if server is None:
        raise exceptions.InvalidInput(
            'sandbox %s has no server %r: it has %s'
            % (box.base_dir, name, ', '.join(s.name for s in box.servers())))
    return server


class Sandbox(object):
    """A source and replicas under ``base_dir`` (see the module docstring).

    ``server``: the line of the source, and of the replicas unless
    ``replica_server`` names another (default for a new sandbox:
    ``mariadb-10.11``; for an existing one: its own lines, and asking for
    others is refused). ``mysqld``: a host server binary instead of a line.
    ``template_dir``: the template cache (default: the environment
    variable ``TROVE_GTID_SANDBOX_TEMPLATE``, else the user's,
    ``~/.cache/trove-gtid/templates``); only one made inside ``base_dir``
    is removed with the sandbox. Unknown line names raise InvalidInput.
    """

    def __init__(self, base_dir, mysqld=None, template_dir=None,
                 server=None, replica_server=None):
        self.base_dir = os.path.abspath(base_dir)
        if mysqld and (server or replica_server):
            raise exceptions.InvalidInput(
                'give a server line or a server binary (--mysqld), not both')
        self.mysqld = lines.find_mysqld(mysqld) if mysqld else None
        for name in (server, replica_server):
            if name:
                lines.get(name)   # InvalidInput when unknown
        self.server = server
        self.replica_server = replica_server
        self.template_dir = os.path.abspath(
            template_dir or datadir.default_cache_dir())
        self._state = state_mod.StateFile(self.base_dir)
        self.state_file = self._state.path
        self._ports = ports.Reservations()
        #: Seconds spent in each phase of the last up() or down() of this
        #: object ('template', 'copy', 'start', 'stop'), for reports.
        self.timings = {}
        self.ops_lock = os.path.join(self.base_dir, OPS_LOCK)

    def __repr__(self):
        return '<Sandbox %s>' % self.base_dir

    def exists(self):
        """True if ``base_dir`` holds a sandbox (a state file)."""
        return self._state.exists()

    def read_state(self):
        return self._state.read()

    # -- up ---------------------------------------------------------------

    def up(self, replicas=None, timeout=60, conf_d=None):
        """Create and start ``source`` and ``replica1``..``replicaN``, or
        start the stopped servers of the existing sandbox.

        ``replicas`` None: the existing count, or 2 for a new sandbox; a
        count other than the existing one is refused, as are other lines.
        ``conf_d``: {file name: text} written into each new server's
        ``conf.d`` before its first start. Returns the servers, source
        first.
        """
        if replicas is not None and (isinstance(replicas, bool)
                                     or not isinstance(replicas, int)
                                     or not 0 <= replicas <= MAX_REPLICAS):
            raise exceptions.InvalidInput(
                'replicas must be a whole number from 0 to %d, not %.40r'
                % (MAX_REPLICAS, replicas))
        basedir.refuse_foreign(self.base_dir, self.template_dir)
        if not self._state.exists():
            # A new sandbox: refuse what cannot work before making
            # anything.
            for line in set(self._requested_lines()):
                line.check()
            basedir.check_socket_length(self.base_dir, '%s%d' % (
                REPLICA_PREFIX, DEFAULT_REPLICAS if replicas is None
                else max(replicas, 1)))
        created_base = basedir.make_base(self.base_dir)
        with process.flock(self.ops_lock):
            state = self._state.read()
            if state is not None:
                return self._up_existing(state, replicas, timeout)
            # A cache outside the sandbox is shared: never the sandbox's
            # to remove.
            template_existed = (
                os.path.lexists(self.template_dir)
                or os.path.dirname(self.template_dir) != self.base_dir)
            try:
                basedir.refuse_foreign(self.base_dir, self.template_dir)
                prepared = self._prepare_new(
                    DEFAULT_REPLICAS if replicas is None else replicas,
                    created_base, template_existed)
            except BaseException:
                basedir.undo_new(self.base_dir, self.template_dir,
                                 created_base, template_existed)
                self._ports.release(self.base_dir)
                raise
            return self._create_and_start(prepared, timeout, conf_d or {})

    def _requested_lines(self):
        if self.mysqld:
            source = lines.for_binary(self.mysqld)
            return source, source
        source = lines.get(self.server or lines.DEFAULT_LINE)
        replica = (lines.get(self.replica_server) if self.replica_server
                   else source)
        return source, replica

    def _prepare_new(self, replicas, created_base, template_existed):
        """Templates ready and the state written; nothing else made."""
        names = [SOURCE] + ['%s%d' % (REPLICA_PREFIX, n)
                            for n in range(1, replicas + 1)]
        basedir.check_socket_length(self.base_dir, names[-1])
        ids = [server_id_for(name) for name in names]
        if len(set(ids)) != len(ids):
            raise exceptions.InvalidInput(
                'server_id collision among %s: use fewer replicas'
                % ', '.join(names))
        source_line, replica_line = self._requested_lines()
        templates = {}
        started = time.monotonic()
        for line in {source_line, replica_line}:
            templates[line.name] = datadir.prepare_template(
                self.template_dir, line)
        self.timings['template'] = time.monotonic() - started
        created = [os.path.join(self.base_dir, name) for name in names]
        if not template_existed:
            created.append(self.template_dir)
        # The reservations hold once the state records the ports: keep
        # the reservation lock until it does.
        with self._ports.locked(), self._state.locked():
            servers = []
            for name, port, server_id in zip(
                    names, self._ports.claim_new(self.base_dir, len(names)),
                    ids):
                line = source_line if name == SOURCE else replica_line
                info = datadir.read_template(templates[line.name])
                servers.append(SandboxServer(
                    name, os.path.join(self.base_dir, name), port,
                    server_id, line, info['admin_user'],
                    info['admin_password'], state=self._state))
            self._state.write({
                'format': state_mod.FORMAT,
                'server': source_line.name,
                'replica_server': replica_line.name,
                'mysqld': self.mysqld,
                'admin_user': servers[0].dsn.user,
                'admin_password': servers[0].dsn.password,
                'template_dir': self.template_dir,
                'created': created,
                'base_dir_created': basedir.created_by_sandbox(
                    self.base_dir),
                'servers': [s.state_entry() for s in servers],
            })
        return servers, templates

    def _create_and_start(self, prepared, timeout, conf_d):
        servers, templates = prepared
        started = time.monotonic()
        for server in servers:
            # The state lists it already: down(remove=True) cleans up.
            os.makedirs(server.base, mode=0o700)
            datadir.copy_datadir(templates[server.line.name],
                                 server.datadir)
            server.write_my_cnf()
            for file_name, text in conf_d.items():
                with open(os.path.join(server.conf_dir, file_name),
                          'w') as f:
                    f.write(text)
        copied = time.monotonic()
        server_mod.start_all(servers, timeout)
        self.timings.update(copy=copied - started,
                            start=time.monotonic() - copied)
        LOG.info('Sandbox %s: %d servers up in %.1fs (copies %.1fs)',
                 self.base_dir, len(servers), time.monotonic() - started,
                 copied - started)
        return servers

    def _up_existing(self, state, replicas, timeout):
        current = (state.get('server'), state.get('replica_server')
                   or state.get('server'))
        count = len(state['servers']) - 1
        asked = []
        if self.mysqld:
            asked.append(('--mysqld', lines.for_binary(self.mysqld).name,
                          current[0]))
        if self.server:
            asked.append(('--server', self.server, current[0]))
        if self.replica_server:
            asked.append(('--replica-server', self.replica_server,
                          current[1]))
        if replicas is not None:
            asked.append(('--replicas', replicas, count))
        for option, wanted, existing in asked:
            if wanted != existing:
                raise exceptions.InvalidInput(
                    '%s holds a sandbox of a %s source and %d %s '
                    'replicas; refusing %s %s: remove it first with '
                    '`trove-gtid sandbox down --remove --base-dir %s`, or '
                    'use another directory'
                    % (self.base_dir, current[0], count, current[1], option,
                       wanted, self.base_dir))
        servers = self.servers()
        for server in servers:
            if not os.path.isdir(server.datadir):
                raise exceptions.SandboxError(
                    '%s: its datadir %s is gone (a datadir is never '
                    'initialised again): remove the sandbox with '
                    '`trove-gtid sandbox down --remove --base-dir %s`'
                    % (server.name, server.datadir, self.base_dir))
        stopped = [s for s in servers if not s.is_running()]
        with self._ports.locked():
            self._ports.claim_existing(
                self.base_dir, [(s.name, s.port) for s in stopped])
        for server in stopped:
            server.write_my_cnf()
        started = time.monotonic()
        server_mod.start_all(stopped, timeout)
        self.timings['start'] = time.monotonic() - started
        LOG.info('Sandbox %s: started %d of %d servers', self.base_dir,
                 len(stopped), len(servers))
        return self.servers()

    # -- reading ----------------------------------------------------------

    def servers(self):
        """The servers recorded in the state file, source first."""
        state = self._state.read()
        if not state:
            return []
        return [self._server_from(entry, state) for entry in state['servers']]

    def _server_from(self, entry, state):
        if state.get('format', 1) < 2:
            line = lines.from_state({'mysqld': state.get('mysqld')})
        else:
            line = lines.from_state(entry)
        return SandboxServer(
            entry['name'], entry['base'], entry['port'], entry['server_id'],
            line, entry.get('admin_user', state['admin_user']),
            entry.get('admin_password', state['admin_password']),
            pid=entry.get('pid'), state=self._state)

    def named(self, name):
        """The server called ``name``, or None."""
        for server in self.servers():
            if server.name == name:
                return server
        return None

    @property
    def source(self):
        """The ``source`` server; SandboxError if there is no sandbox."""
        server = self.named(SOURCE)
        if server is None:
            raise exceptions.SandboxError(
                'no sandbox in %s: create one with up()' % self.base_dir)
        return server

    @property
    def replicas(self):
        """The replica servers, ``replica1`` first."""
        return [s for s in self.servers() if s.name != SOURCE]

    def status(self):
        """One dict per server, for display.

        Keys: name, line, version (``SELECT @@version``; None when
        stopped or not answering), port, server_id, pid (None when
        stopped), running, dsn (password redacted), datadir.
        """
        result = []
        for server in self.servers():
            running = server.is_running()
            version = None
            if running:
                with contextlib.suppress(Exception):
                    version = process.query_version(server.socket_kwargs())
            result.append({
                'name': server.name,
                'line': server.line.name,
                'version': version,
                'port': server.port,
                'server_id': server.server_id,
                'pid': server.pid if running else None,
                'running': running,
                'dsn': server.dsn.redacted(),
                'datadir': server.datadir,
            })
        return result

    # -- down -------------------------------------------------------------

    def down(self, remove=False, timeout=60):
        """Stop this sandbox's servers.

        Only processes on the sandbox's own datadirs are signalled. The
        state and the data stay (``up`` starts them again); with
        ``remove=True`` the servers are killed instead (their data is
        deleted next, so a clean shutdown would buy nothing), the
        directories the sandbox created (server directories, a template
        cache made inside it) are deleted, then the state, and the base
        directory if the sandbox created it and it is empty.
        """
        if not self._state.exists():
            return
        with process.flock(self.ops_lock):
            state = self._state.read()
            if state is None:
                return
            servers = self.servers()
            started = time.monotonic()
            try:
                if remove:
                    # Nobody reads the data again: no clean shutdown
                    # (a MySQL source with replicas takes seconds).
                    server_mod.kill_all(servers)
                else:
                    server_mod.stop_all(servers, timeout)
            except exceptions.SandboxError as exc:
                raise exceptions.SandboxError(
                    'could not stop every server, state kept in %s: %s'
                    % (self.state_file, exc))
            self.timings['stop'] = time.monotonic() - started
            if remove:
                basedir.remove_created(self.base_dir, state, self._state)
                self._ports.release(self.base_dir)
        LOG.info('Sandbox %s down (%d servers%s)', self.base_dir,
                 len(servers), ', removed' if remove else '')
