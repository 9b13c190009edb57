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

"""A stand-in for Trove's guest ``service`` and ``adm`` objects, over PyMySQL.

The strategy classes talk to a server only through the methods Trove's
``MySqlApp`` / ``MariaDBApp`` and ``MySqlAdmin`` have, with the same names
and arguments. This module offers those methods for a server reached by a
DSN, so the same strategy code drives any server outside Trove (the
``trove-gtid`` command, the sandbox, the tests; the tests' own
``tests/trove/trove_compat.py`` adds the rest of Trove's methods, so
Trove's own strategy classes run on it too).

Override files go to a ``conf.d`` directory the server includes, written
atomically. A restart goes through a hook; without one, a change that
needs a restart stops with :class:`RestartRequired` naming the files and
settings to apply. Without a ``conf.d`` directory the overrides are kept
in memory only: a server already running with what they say needs
nothing, and one that needs them gets the exact text to apply in the
:class:`RestartRequired` its restart raises.
"""

import contextlib
import os
import tempfile
import time

from oslo_log import log as logging
import pymysql

from trove_gtid_strategy import errcodes
from trove_gtid_strategy import exceptions
from trove_gtid_strategy.guest import connection
from trove_gtid_strategy.guest import server_state

LOG = logging.getLogger(__name__)

SOURCE_OVERRIDES = 'trove-gtid-replication-source.cnf'
REPLICA_OVERRIDES = 'trove-gtid-replication-replica.cnf'
#: Written for a lost source by a failover: restarted, it is read-only
#: instead of a second writable source. Any role written later replaces
#: it.
FENCED_OVERRIDES = 'trove-gtid-fenced.cnf'
_FENCED_TEXT = (
    '# Written by trove-gtid failover: this server was a source that\n'
    '# another server replaced; it must take no writes until it is\n'
    '# attached to the new source (or re-seeded).\n'
    '[mysqld]\nread_only = ON\n'
    '# MySQL 5.7.8+: administrators too (ignored where unknown).\n'
    'loose_super_read_only = ON\n')
_SETTINGS_FILES = {'source': SOURCE_OVERRIDES, 'replica': REPLICA_OVERRIDES,
                   'fenced': FENCED_OVERRIDES}


class Result:
    """The part of SQLAlchemy's ``CursorResult`` the strategy relies on."""

    def __init__(self, keys, rows):
        self._keys = list(keys)
        self._rows = [tuple(r) for r in rows]

    def keys(self):
        return list(self._keys)

    def fetchall(self):
        return list(self._rows)

    def first(self):
        return self._rows[0] if self._rows else None

    def scalar(self):
        return self._rows[0][0] if self._rows else None

    def __iter__(self):
        return iter(self._rows)


def write_atomically(path, text, mode=0o644):
    """Write ``text`` to ``path`` so readers see the old or the new file,
    never a half-written one.
    """
    directory = os.path.dirname(path) or '.'
    fd, tmp = tempfile.mkstemp(dir=directory, prefix='.tmp-')
    try:
        with os.fdopen(fd, 'w', encoding='utf-8') as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class MySQLService:
    """Trove's service methods for one server reached by a DSN.

    ``conf_dir`` is a directory the server's my.cnf includes
    (``!includedir``); ``restart`` a callable restarting the server, or
    None when nobody here can.
    """

    def __init__(self, dsn, conf_dir=None, restart=None, connect_timeout=10,
                 ssl=None, instance_id=None, side='server'):
        self.dsn = dsn
        #: What this server is to the operation (source, replica), for
        #: error messages.
        self.side = side
        self.conf_dir = conf_dir
        #: Replicas reach this server at the DSN's address.
        self.replication_host = dsn.host
        #: Stable identity for server_id (Trove uses its guest id).
        self.instance_id = instance_id
        self._ssl = ssl
        self._restart = restart
        self._connect_timeout = connect_timeout
        self._conn = None
        #: Overrides written without a conf.d directory: {file name: text}.
        self.pending_overrides = {}

    @property
    def can_restart(self):
        """True when a restart hook is configured (a sandbox server)."""
        return self._restart is not None

    # -- SQL -------------------------------------------------------------
    def _connection(self):
        if self._conn is None or not self._conn.open:
            self._conn = connection.connect(
                charset='utf8mb4', autocommit=True,
                connect_timeout=self._connect_timeout, ssl=self._ssl,
                **self.dsn.connect_kwargs())
        return self._conn

    def close(self):
        if self._conn is not None and self._conn.open:
            self._conn.close()
        self._conn = None

    def execute_sql(self, sql_statement, use_flush=False):
        """Run one statement and return its rows (Trove's signature).

        The statement must be a string, as Trove passes it to SQLAlchemy
        ``text()``; a connection lost by a restart is reopened once.
        """
        if not isinstance(sql_statement, str):
            raise TypeError('execute_sql takes the SQL text, not %s'
                            % type(sql_statement).__name__)
        try:
            return self._execute(sql_statement, use_flush)
        except pymysql.MySQLError as exc:
            # Name the server: a command reports "the replica at ...:
            # (1045) Access denied", never a bare driver error.
            exc.server = '%s %s' % (self.side, self.dsn.redacted())
            raise

    def _execute(self, sql_statement, use_flush):
        for attempt in (1, 2):
            try:
                with self._connection().cursor() as cursor:
                    cursor.execute(sql_statement)
                    keys = [d[0] for d in cursor.description or ()]
                    result = Result(keys, cursor.fetchall() if keys else ())
                    if use_flush:
                        cursor.execute('FLUSH PRIVILEGES')
                    return result
            except pymysql.err.OperationalError as exc:
                # The server went away (a restart): retry once on a fresh
                # connection. Anything else is the statement's.
                if attempt == 2 or exc.args[0] not in errcodes.CONNECTION_LOST:
                    raise
                self.close()

    def run_unlogged(self, statements):
        """Run ``statements`` with ``sql_log_bin = 0`` on this service's one
        connection, and set it back to 1 before anything else runs there.

        For maintenance on a replica (dropping its replication account,
        say) that must not become a transaction of its own: a replica's
        own binlogged transactions are errant (seed 004). If the reset
        fails the connection is closed, so no later statement runs
        unlogged.
        """
        conn = self._connection()
        try:
            with conn.cursor() as cursor:
                cursor.execute('SET SESSION sql_log_bin = 0')
                for sql in statements:
                    cursor.execute(sql)
        finally:
            try:
                with conn.cursor() as cursor:
                    cursor.execute('SET SESSION sql_log_bin = 1')
            except pymysql.MySQLError:
                self.close()

    def get_port(self):
        return int(self.execute_sql('SELECT @@port').scalar())

    def get_data_dir(self):
        return self.execute_sql('SELECT @@datadir').scalar()

    # -- configuration overrides -----------------------------------------
    def _write(self, name, text):
        if self.conf_dir:
            write_atomically(os.path.join(self.conf_dir, name), text)
        else:
            self.pending_overrides[name] = text

    def _remove(self, name):
        self.pending_overrides.pop(name, None)
        if self.conf_dir:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(self.conf_dir, name))

    def exists_replication_source_overrides(self):
        if self.conf_dir:
            return os.path.exists(os.path.join(self.conf_dir,
                                               SOURCE_OVERRIDES))
        return SOURCE_OVERRIDES in self.pending_overrides

    def write_replication_source_overrides(self, overrideValues):
        self._remove(FENCED_OVERRIDES)
        self._write(SOURCE_OVERRIDES, overrideValues)

    def write_replication_replica_overrides(self, overrideValues):
        self._remove(FENCED_OVERRIDES)
        self._write(REPLICA_OVERRIDES, overrideValues)

    def write_fence_overrides(self):
        """Settings keeping a lost source read-only when it comes back
        (it cannot be reached to fence it live); False without a conf dir.
        """
        if not self.conf_dir:
            return False
        self._write(FENCED_OVERRIDES, _FENCED_TEXT)
        return True

    def settings_files(self):
        """Which of our settings files the server reads at start
        (``'source'``, ``'replica'``, ``'fenced'``), or None when its conf
        dir is not known.
        """
        if not self.conf_dir:
            return None
        return frozenset(role for role, name in _SETTINGS_FILES.items()
                         if os.path.exists(os.path.join(self.conf_dir, name)))

    def remove_replication_source_overrides(self):
        self._remove(SOURCE_OVERRIDES)

    def remove_replication_replica_overrides(self):
        self._remove(REPLICA_OVERRIDES)

    def pending_settings(self):
        """The override texts a restart would apply, headed by where they
        go (the conf.d file, or a note to add them to my.cnf).
        """
        texts = []
        for name in (SOURCE_OVERRIDES, REPLICA_OVERRIDES):
            if self.conf_dir:
                path = os.path.join(self.conf_dir, name)
                if os.path.exists(path):
                    with open(path, encoding='utf-8') as f:
                        texts.append('# %s\n%s' % (path, f.read()))
            elif name in self.pending_overrides:
                texts.append('# for the my.cnf of %s\n%s' % (
                    self.dsn.redacted(), self.pending_overrides[name]))
        return '\n'.join(texts)

    def restart(self):
        """Restart through the hook, or say exactly what to apply."""
        self.close()
        if self._restart is None:
            raise exceptions.RestartRequired(
                '%s must be restarted with the replication settings below, '
                'and no restart hook is configured: %s, restart it, then '
                'run the command again' % (
                    self.dsn.redacted(),
                    'the files are written' if self.conf_dir
                    else 'add them to its my.cnf'),
                settings=self.pending_settings())
        LOG.info('Restarting %s', self.dsn.redacted())
        started = time.monotonic()
        self._restart()
        LOG.info('Restarted %s in %.1f s', self.dsn.redacted(),
                 time.monotonic() - started)

    # -- Trove's replication helpers -------------------------------------
    def dialect(self):
        """The SQL dialect of the server this service reaches."""
        return server_state.dialect_of(self)

    def grant_replication_privilege(self, replication_user):
        """Create the replication user if needed and grant it replication
        rights (Trove grants to an existing user; ours may not exist).
        """
        d = self.dialect()
        create, grant = d.create_replication_user(
            replication_user['name'], replication_user['password'])
        try:
            self.execute_sql(create.sql)
        except pymysql.err.OperationalError as exc:
            if exc.args[0] != errcodes.ER_CANNOT_USER:  # exists already
                raise
        self.execute_sql(grant.sql)

    def start_slave(self):
        self.execute_sql(self.dialect().start_replica().sql)

    def stop_slave(self, for_failover):
        """Stop and forget replication; drop its user unless failing over.

        Returns ``{'replication_user': name}`` as Trove's does.
        """
        d = self.dialect()
        status = self.execute_sql(d.show_replica_status().sql)
        row = status.first()
        user = None
        if row:
            user = dict(zip(status.keys(), row)).get(
                'Master_User', dict(zip(status.keys(), row)).get(
                    'Source_User'))
            self.execute_sql(d.stop_replica().sql)
            self.execute_sql(d.reset_replica_all().sql)
            if not for_failover and user:
                MySQLAdmin(self).delete_user_by_name(user)
        return {'replication_user': user}

    def stop_master(self):
        self.execute_sql(self.dialect().reset_binary_logs().sql)

    def make_read_only(self, read_only):
        self.execute_sql(self.dialect().set_read_only(read_only).sql)


class MySQLAdmin:
    """Trove's ``adm`` methods the strategy uses, for the same server."""

    def __init__(self, service):
        self.service = service

    def delete_user_by_name(self, name, host='%'):
        """Drop a user; a user already gone is not an error.

        ``IF EXISTS`` where the server has it: a replica re-attached later
        replays this drop, and must not stop on an account it lacks.
        """
        stmt = self.service.dialect().drop_user(name, host)
        try:
            self.service.execute_sql(stmt.sql)
        except pymysql.err.OperationalError as exc:
            if exc.args[0] != errcodes.ER_CANNOT_USER:
                raise
