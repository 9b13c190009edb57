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

"""Every replication statement, in the words a server version understands.

One :class:`Dialect` per server version; the words themselves come from
:mod:`trove_gtid_strategy.capabilities`, so this module never compares
version numbers. Statements are :class:`Statement` objects carrying the
text to send and a redacted text for logs; ``str()`` of a statement is the
redacted text, so a password never reaches a log by accident.

The statements of a fence (:mod:`.fencing`) and of verify's consistent
point (:mod:`.snapshot`) are parts of :class:`Dialect` kept in modules of
their own; the heartbeat table's (:mod:`.heartbeat`) are the same on
every version.
"""

import dataclasses

from trove_gtid_strategy import accounts
from trove_gtid_strategy.dialect import fencing as dialect_fencing
from trove_gtid_strategy.dialect import snapshot as dialect_snapshot
from trove_gtid_strategy.dialect.statement import account as _account
from trove_gtid_strategy.dialect.statement import plain as _plain
from trove_gtid_strategy.dialect.statement import REDACTED
from trove_gtid_strategy.dialect.statement import Statement
from trove_gtid_strategy import exceptions
from trove_gtid_strategy import flavors
from trove_gtid_strategy import literals


def show_variables(names):
    """Global variables by name, on every version. Absent ones are simply
    not returned, which is how a missing variable (``gtid_mode`` on 5.5)
    is told.
    """
    return _plain('SHOW GLOBAL VARIABLES WHERE Variable_name IN (%s)'
                  % ', '.join(literals.quote(n) for n in names))


def show_binary_logs():
    return _plain('SHOW BINARY LOGS')


def binlog_dump_sessions():
    """The sessions replicas read the binary log through, with the account
    and the address each replica connects from.
    """
    return _plain("SELECT USER, HOST FROM information_schema.PROCESSLIST "
                  "WHERE COMMAND LIKE 'Binlog Dump%'")


def client_account():
    """``user@host`` of this session as the server sees it: the host is
    where the connection comes from, in the form account hosts match.
    """
    return _plain('SELECT USER()')


def semi_sync_no_replica(prefix):
    """The variable saying whether a source with no semi-synchronous
    replica connected still waits the timeout on every commit.
    """
    return prefix + ('_wait_no_replica' if prefix.endswith('source')
                     else '_wait_no_slave')


@dataclasses.dataclass(frozen=True)
class SourceAddress:
    """Where a replica connects, and as whom.
    """

    host: str
    port: int
    user: str
    password: str


@dataclasses.dataclass(frozen=True)
class Tls:
    """TLS for the replication connection.

    ``enabled=False`` is sent explicitly (``MASTER_SSL = 0``) where the
    server would otherwise pick a default (MariaDB 11.4 verifies the
    source certificate by default, MDEV-31857).

    ``verify_server_cert``: the source's certificate must chain to ``ca``
    (Trove's ``verify_ca``); ``verify_identity``: and name the source's
    host. MySQL checks the chain whenever a CA is given and the host with
    ``SOURCE_SSL_VERIFY_SERVER_CERT``; MariaDB checks both with
    ``MASTER_SSL_VERIFY_SERVER_CERT`` and has no chain-only check.
    """

    enabled: bool = False
    verify_server_cert: bool = False
    verify_identity: bool = False
    ca: str = ''
    cert: str = ''
    key: str = ''


class Dialect(dialect_fencing.FencingStatements,
              dialect_snapshot.SnapshotStatements):
    """Builds statements for one server's :class:`Capabilities`."""

    def __init__(self, caps):
        self.caps = caps

    # -- replica threads -------------------------------------------------
    def start_replica(self):
        return _plain('START %s' % self.caps.replica_word)

    def stop_replica(self):
        return _plain('STOP %s' % self.caps.replica_word)

    def stop_sql_thread(self):
        return _plain('STOP %s SQL_THREAD' % self.caps.replica_word)

    def start_sql_thread(self):
        return _plain('START %s SQL_THREAD' % self.caps.replica_word)

    def reset_replica_all(self):
        return _plain('RESET %s ALL' % self.caps.replica_word)

    def reset_replica(self):
        """Drop the relay logs and the applier's file position, keeping
        the connection settings (MariaDB keeps them in memory, MySQL
        8.0.13+ in its repository).
        """
        return _plain('RESET %s' % self.caps.replica_word)

    def show_replica_status(self):
        return _plain(self.caps.show_replica_status)

    def show_source_status(self):
        return _plain(self.caps.show_source_status)

    def worker_errors(self):
        """Each applier worker's last error, ``(number, message)`` rows,
        on the default channel; None where the server keeps none.
        """
        if not self.caps.worker_error_table:
            return None
        return _plain(
            'SELECT LAST_ERROR_NUMBER, LAST_ERROR_MESSAGE FROM '
            'performance_schema.replication_applier_status_by_worker '
            "WHERE CHANNEL_NAME = '' AND LAST_ERROR_NUMBER <> 0 "
            'ORDER BY WORKER_ID')

    def reset_binary_logs(self):
        return _plain(self.caps.reset_binary_logs)

    # -- pointing a replica at a source ----------------------------------
    def change_source_to_position(self, source, log_file, log_pos,
                                  connect_retry, tls=None):
        """Binlog-position replication from ``log_file``:``log_pos``."""
        p = self.caps.option_prefix
        extra = [(p + 'LOG_FILE', literals.quote(log_file)),
                 (p + 'LOG_POS', literals.integer(log_pos, 'log position'))]
        extra += flavors.of(self.caps).position_options(p)
        return self._change_source(source, connect_retry, tls, extra)

    def change_source_to_auto_position(self, source, connect_retry,
                                       tls=None):
        """MySQL GTID replication: the replica sends its GTID set."""
        self._require_gtid('mysql')
        return self._change_source(
            source, connect_retry, tls,
            [(self.caps.option_prefix + 'AUTO_POSITION', '1')])

    def change_source_to_mariadb_gtid(self, source, connect_retry,
                                      tls=None, use_gtid='slave_pos'):
        """MariaDB GTID replication from ``gtid_slave_pos``.

        ``slave_pos`` (not ``current_pos``) so that local writes on the
        replica are never taken as a position: they are caught by the
        pre-checks instead.
        """
        self._require_gtid('mariadb')
        if use_gtid not in ('slave_pos', 'current_pos'):
            raise exceptions.InvalidInput(
                'MASTER_USE_GTID must be slave_pos or current_pos, not %r'
                % (use_gtid,))
        return self._change_source(source, connect_retry, tls,
                                   [('MASTER_USE_GTID', use_gtid)])

    def change_source_keeping_position(self, source, connect_retry,
                                       tls=None):
        """New credentials for the source a replica already follows, in
        binlog-position mode, keeping its position: without HOST and PORT
        the server keeps the coordinates it applied to, which a
        multi-threaded applier knows better than ``Exec_Source_Log_Pos``
        (only a checkpoint) says.
        """
        extra = flavors.of(self.caps).position_options(
            self.caps.option_prefix)
        return self._change_source(source, connect_retry, tls, extra,
                                   address=False)

    def _change_source(self, source, connect_retry, tls, extra,
                       address=True):
        p = self.caps.option_prefix
        options = []
        if address:
            options = [
                (p + 'HOST', literals.quote(source.host)),
                (p + 'PORT', literals.integer(source.port, 'source port'))]
        options += [
            (p + 'USER', literals.quote(source.user)),
            (p + 'PASSWORD', literals.quote(source.password)),
            (p + 'CONNECT_RETRY',
             literals.integer(connect_retry, 'connect retry')),
        ]
        options += extra + self._tls_options(tls or Tls())
        sql = '%s %s' % (self.caps.change_source,
                         ', '.join('%s = %s' % kv for kv in options))
        shown = [(k, literals.quote(REDACTED) if k == p + 'PASSWORD' else v)
                 for k, v in options]
        return Statement(sql, '%s %s' % (
            self.caps.change_source,
            ', '.join('%s = %s' % kv for kv in shown)))

    def _tls_options(self, tls):
        p = self.caps.option_prefix
        is_mariadb = self.caps.flavor.value == 'mariadb'
        if not tls.enabled:
            options = [(p + 'SSL', '0')]
            if is_mariadb:
                options.append((p + 'SSL_VERIFY_SERVER_CERT', '0'))
            if self.caps.public_key_option:
                # caching_sha2_password without TLS needs the source's RSA
                # key; asking for it is harmless with other plugins.
                options.append((self.caps.public_key_option, '1'))
            return options
        if is_mariadb:
            verify = tls.verify_server_cert or tls.verify_identity
        else:
            verify = tls.verify_identity
        options = [(p + 'SSL', '1'),
                   (p + 'SSL_VERIFY_SERVER_CERT', '1' if verify else '0')]
        for name, path in (('SSL_CA', tls.ca), ('SSL_CERT', tls.cert),
                           ('SSL_KEY', tls.key)):
            if path:
                options.append((p + name, literals.quote(path)))
        return options

    # -- start points seeded from a backup -------------------------------
    def set_gtid_purged(self, gtid_set, append=False):
        """Declare the transactions a restored backup already holds.

        Without ``append`` the server's ``gtid_executed`` must be empty
        (reset the binary logs first); ``+`` appends on MySQL 8.0.3+.
        """
        self._require_gtid('mysql')
        if append and not self.caps.gtid_purged_append:
            raise exceptions.UnsupportedMode(
                '%s cannot append to gtid_purged (MySQL 8.0.3+ can): reset '
                'the binary logs and set the whole set' % self.caps.version)
        text = ('+' if append else '') + str(gtid_set)
        return _plain('SET GLOBAL gtid_purged = %s' % literals.quote(text))

    def set_gtid_slave_pos(self, position):
        self._require_gtid('mariadb')
        return _plain('SET GLOBAL gtid_slave_pos = %s'
                      % literals.quote(str(position)))

    # -- skipping one transaction ----------------------------------------
    def skip_transaction(self, gtid=None):
        """Statements that skip one failed transaction, run in one session.

        MySQL GTID: commit an empty transaction under the failed GTID (the
        only safe skip, since sql_slave_skip_counter is refused). Binlog
        mode and MariaDB: the skip counter, which MariaDB allows with GTIDs
        because it skips a whole event group.
        """
        if flavors.of(self.caps).skips_by_empty_transaction and \
                gtid is not None:
            return [_plain('SET gtid_next = %s' % literals.quote(str(gtid))),
                    _plain('BEGIN'), _plain('COMMIT'),
                    _plain("SET gtid_next = 'AUTOMATIC'")]
        return [_plain('SET GLOBAL %s = 1' % self.caps.skip_counter_variable)]

    # -- waiting ---------------------------------------------------------
    def wait_for_gtids(self, gtids, timeout):
        """A SELECT returning 0 once ``gtids`` are applied (-1 or 1 on
        timeout, depending on the function).
        """
        function = self.caps.gtid_wait_function
        if function is None:
            self._require_gtid('mysql')
        return _plain('SELECT %s(%s, %s)' % (
            function, literals.quote(str(gtids)),
            literals.integer(timeout, 'timeout')))

    def wait_for_position(self, log_file, log_pos, timeout):
        return _plain('SELECT %s(%s, %s, %s)' % (
            self.caps.position_wait_function, literals.quote(log_file),
            literals.integer(log_pos, 'log position'),
            literals.integer(timeout, 'timeout')))

    # -- users -----------------------------------------------------------
    def create_replication_user(self, name, password, host='%'):
        """CREATE USER + GRANT of the replication privileges only.

        Where the server would write the password to its binary log as
        sent (MariaDB, MySQL before 5.7.6), its hash is sent instead.
        """
        account = _account(name, host)
        grant = _plain('GRANT %s ON *.* TO %s' % (
            ', '.join(self.caps.replication_privileges), account))
        return [self._password_statement(
            'CREATE USER %s IDENTIFIED BY ' % account, password), grant]

    def set_replication_password(self, name, password, host='%'):
        """A new password for an existing account (a repeated attach)."""
        account = _account(name, host)
        if self.caps.password_hash_literal:
            # SET PASSWORD ... = 'hash' exists on every MariaDB and on
            # MySQL before 5.7.6, which are the servers that need it.
            return self._password_statement(
                'SET PASSWORD FOR %s = ' % account, password, prefix='')
        return self._password_statement(
            'ALTER USER %s IDENTIFIED BY ' % account, password)

    def _password_statement(self, head, password, prefix='PASSWORD '):
        if self.caps.password_hash_literal:
            value = prefix + literals.quote(
                accounts.native_password_hash(password))
            shown = prefix + literals.quote(REDACTED)
        else:
            value = literals.quote(password)
            shown = literals.quote(REDACTED)
        return Statement(head + value, head + shown)

    def require(self, name, host, requirement):
        """An account's TLS requirement (``accounts.REQUIRE_*``): a login
        without it is refused by the server, whatever the password.
        """
        if requirement not in (accounts.REQUIRE_NONE, accounts.REQUIRE_SSL,
                               accounts.REQUIRE_X509):
            raise exceptions.InvalidInput('not a TLS requirement: %r'
                                          % (requirement,))
        if self.caps.alter_user_require:
            return _plain('ALTER USER %s REQUIRE %s'
                          % (_account(name, host), requirement))
        return _plain('GRANT USAGE ON *.* TO %s REQUIRE %s'
                      % (_account(name, host), requirement))

    def account_hosts(self, name):
        """SELECT of the hosts an account name exists with."""
        return _plain('SELECT Host FROM mysql.user WHERE User = %s ORDER BY '
                      'Host' % literals.quote(name))

    def count_accounts(self, name, host='%'):
        """SELECT returning 1 when the account exists, else 0."""
        return _plain('SELECT COUNT(*) FROM mysql.user WHERE User = %s AND '
                      'Host = %s' % (literals.quote(name),
                                     literals.quote(host)))

    def drop_user(self, name, host='%'):
        """Drop a user; callers ignore error 1396 where IF EXISTS is not
        available (MySQL before 5.7.8).
        """
        return _plain('DROP USER %s%s' % (
            'IF EXISTS ' if self.caps.drop_user_if_exists else '',
            _account(name, host)))

    # -- state -----------------------------------------------------------
    @staticmethod
    def set_global(name, value):
        """``SET GLOBAL name = value`` for one of the settings a written
        file holds and a running server takes live
        (:data:`~trove_gtid_strategy.rendering.LIVE_FROM_FILE`, whose
        values are checked there): a word or a number, never quoted text.
        """
        if not (name.replace('_', '').isalnum() and value.isalnum()):
            raise exceptions.InvalidInput('not a setting: %r = %r'
                                          % (name, value))
        return _plain('SET GLOBAL %s = %s' % (name, value))

    def set_read_only(self, read_only):
        return _plain('SET GLOBAL read_only = %s'
                      % ('ON' if read_only else 'OFF'))

    def set_super_read_only(self, on):
        """MySQL 5.7.8+: read-only for administrators too (turning it on
        turns ``read_only`` on; off leaves ``read_only`` as it is).
        """
        return _plain('SET GLOBAL super_read_only = %s'
                      % ('ON' if on else 'OFF'))

    # -- semi-synchronous replication ------------------------------------
    def semi_sync_source(self, enabled, timeout_ms, install=False):
        """Statements turning lossless semi-sync (wait point AFTER_SYNC)
        on or off on a source; ``install`` loads its plugin first.
        """
        p = self._semi_sync('semi_sync_source')
        stmts = self._semi_sync_plugin(0) if install else []
        stmts.append(_plain('SET GLOBAL %s_enabled = %s'
                            % (p, 'ON' if enabled else 'OFF')))
        if enabled:
            stmts += [_plain("SET GLOBAL %s_wait_point = 'AFTER_SYNC'" % p),
                      _plain('SET GLOBAL %s_timeout = %s' % (
                          p, literals.integer(timeout_ms, 'timeout'))),
                      _plain('SET GLOBAL %s = OFF' % semi_sync_no_replica(p))]
        return stmts

    def semi_sync_replica(self, enabled, install=False):
        p = self._semi_sync('semi_sync_replica')
        stmts = self._semi_sync_plugin(1) if install else []
        stmts.append(_plain('SET GLOBAL %s_enabled = %s'
                            % (p, 'ON' if enabled else 'OFF')))
        return stmts

    def semi_sync_plugin_loaded(self, index):
        """SELECT counting the active semi-sync plugin (0 source, 1
        replica); only where semi-sync is a plugin.
        """
        name = self.caps.semi_sync_plugins[index][0]
        return _plain("SELECT COUNT(*) FROM information_schema.PLUGINS WHERE "
                      "PLUGIN_NAME = %s AND PLUGIN_STATUS = 'ACTIVE'"
                      % literals.quote(name))

    def _semi_sync(self, which):
        prefix = getattr(self.caps, which)
        if prefix is None:
            raise exceptions.UnsupportedMode(
                '%s has no lossless semi-synchronous replication (MySQL '
                '5.7.2+, MariaDB 10.3.3+)' % self.caps.version)
        return prefix

    def _semi_sync_plugin(self, index):
        if not self.caps.semi_sync_plugins:
            return []
        name, library = self.caps.semi_sync_plugins[index]
        return [_plain('INSTALL PLUGIN %s SONAME %s'
                       % (name, literals.quote(library)))]

    def _require_gtid(self, style):
        if self.caps.gtid_style != style:
            raise exceptions.UnsupportedMode(
                '%s has no %s GTIDs: this statement needs them'
                % (self.caps.version, style))
