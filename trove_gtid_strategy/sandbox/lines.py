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

"""Server lines: which server a sandbox runs, from where, with what quirks.

A line is one server series from one source of packages, described in
``lines.json`` (next to this module, also read by
``tools/provision-server-lines``):

* a line without a Debian ``suite`` is the host's own packages
  (``mariadb-10.11``: ``/usr/sbin/mariadbd``);
* a line with a suite runs from a Debian root built by debootstrap under
  ``$TROVE_GTID_ROOTS`` (default ``/var/cache/trove-gtid/roots``), e.g.
  ``mariadb-11.8`` (trixie) and ``mysql-9.7`` (sid).

How a binary of a root runs: through the root's own dynamic loader,
``ROOT/lib64/ld-linux-x86-64.so.2 --library-path ROOT/usr/lib/... BINARY``,
not through ``chroot``. Every library then comes from the root, while
every path the process sees is the host's: datadirs, sockets, ``my.cnf``
and ``conf.d`` stay where the sandbox made them, with no bind mount to
set up or to leak, no root privileges needed to run a server, and pids and
``/proc/PID/cmdline`` that name the host paths the sandbox checks. What
chroot gave for free is passed explicitly instead: the share directory
(error messages, character sets) and the plugin directory in the server's
``my.cnf``; ``--no-defaults`` or a ``--defaults-file`` on every tool, so
no tool reads the host's ``/etc/mysql``. The root's ``/etc`` is never
read (``mariadb-install-db`` runs with ``--force``, so it does not resolve
host names; the provisioning script still writes the root's
``/etc/hosts`` for anyone who chroots into it).

A custom server binary (``--mysqld PATH``) is a line too, named after its
flavor, series and path, with its tools found next to it or on PATH.
"""

import dataclasses
import functools
import json
import os
import platform
import shutil

from trove_gtid_strategy import exceptions
from trove_gtid_strategy.sandbox import process

LINES_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          'lines.json')
ROOTS_ENV = 'TROVE_GTID_ROOTS'
DEFAULT_ROOTS = '/var/cache/trove-gtid/roots'
STAMP = '.trove-gtid-stamp'
DEFAULT_LINE = 'mariadb-10.11'
PROVISION_TOOL = 'tools/provision-server-lines'
TOOLS = ('client', 'dump', 'backup')

SERVER_NAMES = ('mariadbd', 'mysqld')
SEARCH_DIRS = ('/usr/sbin', '/usr/local/sbin')
INSTALL_DB_NAMES = ('mariadb-install-db', 'mysql_install_db')
INSTALL_HINT = ('install MariaDB with `apt-get install -y mariadb-server` '
                '(Debian/Ubuntu)')

# The dynamic loader and multiarch directory of a Debian root, by machine.
_LOADERS = {
    'x86_64': ('lib64/ld-linux-x86-64.so.2', 'x86_64-linux-gnu'),
    'aarch64': ('lib/ld-linux-aarch64.so.1', 'aarch64-linux-gnu'),
}


@dataclasses.dataclass(frozen=True)
class Quirks:
    """What differs between the flavors, as data.

    ``init``: how a datadir is initialised: 'install-db' runs
    ``mariadb-install-db``, 'initialize' runs ``mysqld
    --initialize-insecure``. ``options``: extra ``my.cnf`` lines every
    server gets. ``template_options``: extra lines while the template is
    made (no binary log, so the admin account is in no binlog and no
    GTID set, and each copy starts its binary log empty).
    ``identity_files``: datadir files that make a server unique
    (MySQL's ``auto.cnf`` holds ``server_uuid``), deleted from the
    template so each copy makes its own. ``root_account``: what becomes of
    ``root@localhost`` ('unix_socket': OS root over the socket only;
    'drop': removed). ``end_dump_threads``: end the binlog dump threads
    (over SQL) before a stop: a MySQL source otherwise waits about 8 s at
    shutdown for the dump threads of its replicas, even disconnected ones.
    """

    init: str
    options: tuple
    template_options: tuple
    identity_files: tuple
    root_account: str
    end_dump_threads: bool = False


QUIRKS = {
    'mariadb': Quirks(
        init='install-db',
        # A binary log holding what it applies too, as a DBA sets up a
        # server that may become a source or a replica (MySQL 9.7 does
        # both by default): the settings replication needs that only a
        # restart applies.
        options=('innodb_log_file_size = 16M',
                 'aria_pagecache_buffer_size = 8M',
                 'log_bin = mariadb-bin',
                 'log_slave_updates = ON'),
        template_options=('skip-log-bin',),
        identity_files=(),
        root_account='unix_socket',
        end_dump_threads=False),
    'mysql': Quirks(
        init='initialize',
        # X Protocol would take a second port (33060) on every server;
        # the Debian build's secure_file_priv directory does not exist
        # outside a packaged install and would stop the server. Each
        # server is ready to be a crash-safe replica, as a DBA sets up a
        # MySQL server (9.7 logs binary logs with GTIDs by default): the
        # one setting a replica needs that only a restart applies.
        options=('innodb_redo_log_capacity = 16M',
                 'mysqlx = OFF',
                 'secure_file_priv =',
                 'relay_log_recovery = ON'),
        template_options=('skip-log-bin',),
        identity_files=('auto.cnf',),
        # The auth_socket plugin is not built in: root is dropped.
        root_account='drop',
        end_dump_threads=True),
}


@dataclasses.dataclass(frozen=True)
class ServerLine:
    """One server line; paths are inside ``root`` (None: the host)."""

    name: str
    flavor: str
    suite: object = None
    root: object = None
    server: str = '/usr/sbin/mariadbd'
    init: str = 'mariadb-install-db'
    client: object = None
    dump: object = None
    backup: object = None
    share: object = None
    plugins: object = None
    packages: tuple = ()
    custom: bool = False

    @property
    def quirks(self):
        return QUIRKS[self.flavor]

    @property
    def series(self):
        """'major.minor' the line's name promises (None when custom)."""
        return None if self.custom else self.name.rsplit('-', 1)[1]

    @property
    def provision_command(self):
        return '%s %s' % (PROVISION_TOOL, self.name)

    def host_path(self, path):
        """Where ``path`` of the line is on the host."""
        if path is None or not self.root:
            return path
        return os.path.join(self.root, path.lstrip('/'))

    @property
    def server_path(self):
        return self.host_path(self.server)

    def loader(self):
        """``(loader, library path)`` of the root; None on the host."""
        if not self.root:
            return None
        machine = platform.machine()
        if machine not in _LOADERS:
            raise exceptions.SandboxError(
                'line %s runs from a Debian root, which this sandbox only '
                'runs on %s, not %s' % (self.name, ', '.join(_LOADERS),
                                        machine))
        loader, triplet = _LOADERS[machine]
        dirs = ['usr/lib/' + triplet, 'lib/' + triplet, 'usr/lib', 'lib']
        return (os.path.join(self.root, loader),
                ':'.join(os.path.join(self.root, d) for d in dirs))

    def command(self, path):
        """The argv prefix that runs the line's binary ``path``."""
        found = self.loader()
        if found is None:
            return [path]
        loader, library_path = found
        return [loader, '--library-path', library_path, self.host_path(path)]

    def server_command(self):
        return self.command(self.server)

    def tool_command(self, kind, defaults_file=None):
        """argv running the line's ``client``, ``dump`` or ``backup`` tool.

        The tool reads ``defaults_file`` if given (a ``--defaults-file``,
        e.g. holding the password), else no option file at all
        (``--no-defaults``): never the host's ``/etc/mysql``. Append the
        tool's own arguments.
        """
        if kind not in TOOLS:
            raise exceptions.InvalidInput(
                'unknown tool %r: one of %s' % (kind, ', '.join(TOOLS)))
        path = getattr(self, kind)
        if not path:
            raise exceptions.SandboxError(
                'line %s has no %s tool' % (self.name, kind))
        if not os.path.exists(self.host_path(path)):
            raise exceptions.SandboxError(
                'line %s: %s is missing: %s' % (
                    self.name, self.host_path(path), self._fix_hint()))
        option = ('--defaults-file=%s' % defaults_file if defaults_file
                  else '--no-defaults')
        return self.command(path) + [option]

    def seed_dump_args(self):
        """The dump tool's arguments for a seed: one consistent snapshot
        that records where the binary log stood (MySQL: the
        ``CHANGE REPLICATION SOURCE`` comment and ``GTID_PURGED`` when
        GTIDs are on; MariaDB: the comment and ``gtid_slave_pos``).

        ``--no-tablespaces``: tablespace statements are for NDB only, and
        the query behind them (``INFORMATION_SCHEMA.FILES``) crashed a
        MariaDB 10.11.19 source once in a test run (signal in
        ``do_command``, the dump lost its connection); MySQL 8.0.21+ also
        needs the PROCESS privilege for it.
        """
        if self.flavor == 'mysql':
            return ['--single-transaction', '--source-data=2',
                    '--set-gtid-purged=AUTO', '--no-tablespaces']
        return ['--single-transaction', '--master-data=2', '--gtid',
                '--no-tablespaces']

    def server_settings(self):
        """``my.cnf`` lines a root's server needs to find its own files."""
        if not self.root:
            return []
        settings = ['basedir = %s' % self.host_path('/usr')]
        if self.share:
            share = self.host_path(self.share)
            settings += ['lc_messages_dir = %s' % share,
                         'character_sets_dir = %s' % os.path.join(
                             share, 'charsets')]
        if self.plugins:
            settings.append('plugin_dir = %s' % self.host_path(self.plugins))
        return settings

    def _fix_hint(self):
        if self.custom:
            return 'pass the path of an installed server binary'
        if self.root:
            return 'build it with `%s` (as root)' % self.provision_command
        return ('install it with `%s` (as root; it installs the packages '
                'bindep.txt lists)' % self.provision_command)

    def check(self):
        """Raise SandboxError, naming the command to fix it, unless the
        line's server can run here.
        """
        if self.root:
            stamp = os.path.join(self.root, STAMP)
            if not os.path.isfile(stamp):
                raise exceptions.SandboxError(
                    'server line %s is not provisioned (no root at %s): %s'
                    % (self.name, self.root, self._fix_hint()))
            if not os.path.exists(self.loader()[0]):
                raise exceptions.SandboxError(
                    'server line %s: the root %s has no dynamic loader %s: '
                    'rebuild it with `%s` (as root)' % (
                        self.name, self.root, self.loader()[0],
                        self.provision_command))
        path = self.server_path
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            raise exceptions.SandboxError(
                'server line %s: %s is missing: %s'
                % (self.name, path, self._fix_hint()))

    def version(self):
        """The server's version, e.g. '9.7.4' (from ``--version``)."""
        return _binary_version(tuple(self.server_command()),
                               self._fix_hint())[1]

    def state_entry(self):
        """What the state file records to find this line again."""
        return {'line': self.name, 'flavor': self.flavor,
                'mysqld': self.server_path if self.custom else None}

    def install_db_command(self):
        """argv of ``mariadb-install-db`` on the host (host lines only)."""
        if self.root:
            raise exceptions.SandboxError(
                'line %s: install-db of a root runs through its loader'
                % self.name)
        return [_find_install_db(self.server_path)]


@functools.lru_cache(maxsize=None)
def _binary_version(argv, hint):
    return process.binary_version(list(argv), hint)


def roots_dir():
    return os.path.abspath(os.environ.get(ROOTS_ENV) or DEFAULT_ROOTS)


def _load():
    try:
        with open(LINES_FILE, encoding='utf-8') as f:
            data = json.load(f)
    except (OSError, ValueError) as exc:
        raise exceptions.SandboxError('cannot read %s: %s' % (LINES_FILE,
                                                              exc))
    return {k: v for k, v in data.items() if not k.startswith('_')}


def names():
    """The line names of ``lines.json``, in its order."""
    return list(_load())


def get(name):
    """The :class:`ServerLine` named ``name``; InvalidInput if unknown."""
    known = _load()
    if name not in known:
        raise exceptions.InvalidInput(
            'unknown server line %r: one of %s' % (name, ', '.join(known)))
    entry = known[name]
    root = (os.path.join(roots_dir(), name) if entry.get('suite')
            else None)
    return ServerLine(
        name=name, flavor=entry['flavor'], suite=entry.get('suite'),
        root=root, server=entry['server'], init=entry['init'],
        client=entry.get('client'), dump=entry.get('dump'),
        backup=entry.get('backup'), share=entry.get('share'),
        plugins=entry.get('plugins'),
        packages=tuple(entry.get('packages') or ()))


def find_mysqld(mysqld=None):
    """The absolute path of a host server binary.

    ``mysqld`` given: it must be an executable file (InvalidInput if
    not). Otherwise look for ``mariadbd`` then ``mysqld`` on PATH, then in
    ``SEARCH_DIRS`` (sbin is often not on a user's PATH); SandboxError,
    saying how to install MariaDB, if none is found.
    """
    if mysqld:
        if os.path.isfile(mysqld) and os.access(mysqld, os.X_OK):
            return os.path.abspath(mysqld)
        raise exceptions.InvalidInput(
            'server binary %r is not an executable file: pass the path of '
            'mariadbd or mysqld, or %s' % (mysqld, INSTALL_HINT))
    for name in SERVER_NAMES:
        found = shutil.which(name)
        if found:
            return os.path.abspath(found)
    for directory in SEARCH_DIRS:
        for name in SERVER_NAMES:
            path = os.path.join(directory, name)
            if os.path.isfile(path) and os.access(path, os.X_OK):
                return path
    raise exceptions.SandboxError(
        'MariaDB server binary not found (looked for %s on PATH%s): %s, or '
        'pass its path' % (' and '.join(SERVER_NAMES),
                           ''.join(', ' + d for d in SEARCH_DIRS),
                           INSTALL_HINT))


def for_binary(mysqld, flavor=None):
    """The line of a host server binary (``--mysqld PATH``).

    The host line when ``mysqld`` is its binary; otherwise a custom line
    named ``FLAVOR-SERIES@PATH`` from the binary's ``--version``
    (``flavor`` given: no probe, for a line read back from a state file).
    """
    path = find_mysqld(mysqld)
    for name, entry in _load().items():
        if not entry.get('suite') and os.path.realpath(
                entry['server']) == os.path.realpath(path):
            return get(name)
    version = None
    if flavor is None:
        flavor, version = process.binary_version(
            [path], 'pass the path of a MariaDB or MySQL server binary')
    series = '.'.join(version.split('.')[:2]) if version else 'custom'
    prefix = os.path.dirname(os.path.dirname(path))
    tools = {
        'client': ('mariadb', 'mysql'),
        'dump': ('mariadb-dump', 'mysqldump'),
        'backup': ('mariadb-backup', 'mariabackup'),
    }
    if flavor == 'mysql':
        tools = {'client': ('mysql',), 'dump': ('mysqldump',),
                 'backup': ()}
    dirs = [os.path.dirname(path), os.path.join(prefix, 'bin')]
    found = {kind: _find_tool(candidates, dirs)
             for kind, candidates in tools.items()}
    return ServerLine(
        name='%s-%s@%s' % (flavor, series, path), flavor=flavor,
        server=path,
        init='mariadb-install-db' if flavor == 'mariadb'
        else 'mysqld-initialize',
        custom=True, **found)


def for_server_version(version):
    """The provisioned line of a running server's ``@@version`` (same
    flavor and major.minor); SandboxError when there is none.
    """
    flavor = 'mariadb' if 'mariadb' in version.lower() else 'mysql'
    series = '.'.join(version.split('-')[0].split('.')[:2])
    candidates = [get(name) for name in names()]
    candidates = [line for line in candidates
                  if line.flavor == flavor and line.series == series]
    for line in candidates:
        try:
            line.check()
        except exceptions.SandboxError:
            continue
        return line
    raise exceptions.SandboxError(
        'no provisioned server line for a %s %s server (version %s): '
        'known lines are %s; provision one with `%s NAME`'
        % (flavor, series, version, ', '.join(names()), PROVISION_TOOL))


def from_state(entry):
    """The line a state file entry recorded (see ``state_entry``)."""
    if entry.get('mysqld'):
        try:
            line = for_binary(entry['mysqld'], flavor=entry.get('flavor'))
        except exceptions.InvalidInput:
            # The binary is gone: status and down still work; a start
            # fails in check(), naming the path.
            line = ServerLine(name=entry.get('line') or entry['mysqld'],
                              flavor=entry.get('flavor') or 'mariadb',
                              server=entry['mysqld'], custom=True)
        if line.custom and entry.get('line'):
            line = dataclasses.replace(line, name=entry['line'])
        return line
    return get(entry.get('line') or DEFAULT_LINE)


def _find_tool(candidates, dirs):
    for name in candidates:
        for directory in dirs:
            path = os.path.join(directory, name)
            if os.path.isfile(path) and os.access(path, os.X_OK):
                return path
    for name in candidates:
        found = shutil.which(name)
        if found:
            return found
    return None


def _find_install_db(mysqld):
    bindir = os.path.dirname(mysqld)
    prefix = os.path.dirname(bindir)
    found = _find_tool(INSTALL_DB_NAMES, [bindir, os.path.join(prefix, 'bin'),
                                          os.path.join(prefix, 'scripts')])
    if not found:
        raise exceptions.SandboxError(
            'mariadb-install-db not found next to %s nor on PATH: %s'
            % (mysqld, INSTALL_HINT))
    return found
