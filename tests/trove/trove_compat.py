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

"""Trove 26's own service and admin methods, over the DSN adapter.

Trove's replication strategies (mysql_gtid, mariadb_gtid) call more of
the guest's service than ours does: a backup of the source, accounts
through the admin object, starting and stopping the replica threads and
waiting for them, the transaction ids of a promotion. The classes here
add those to :class:`~trove_gtid_strategy.guest.service.MySQLService`,
behaving as Trove 26's MySqlApp / MariaDBApp and MySqlAdmin do (same
statements, same waits, same version switch), so Trove's unmodified
strategies run on any server reached by a DSN, side by side with ours,
on the same execute path. Kept apart from the adapter itself: nothing
in the strategy needs them, only the Trove proof and the benchmarks.
"""

import contextlib
import hashlib
import os
import random
import re
import subprocess
import time
import urllib.parse

from oslo_log import log as logging
import pymysql

from trove_gtid_strategy import capabilities
from trove_gtid_strategy import dialect
from trove_gtid_strategy import errcodes
from trove_gtid_strategy import exceptions
from trove_gtid_strategy.guest import service
from trove_gtid_strategy import versions

LOG = logging.getLogger(__name__)

#: The schemas a backup leaves out: the server's own.
SYSTEM_SCHEMAS = ('mysql', 'information_schema', 'performance_schema', 'sys')
#: Where each flavor's backup tool records its start point in a restored
#: datadir (what Trove's strategies read back).
BINLOG_INFO_FILE = {'mysql': 'xtrabackup_binlog_info',
                    'mariadb': 'mariadb_backup_binlog_info'}
# Trove's MySQLUser refuses these in names and passwords
# (trove.common.db.mysql.models.MySQLUser.not_supported_chars).
_TROVE_UNSUPPORTED = re.compile(r"""^\s|\s$|'|"|;|`|,|/|\\""")
# semantic_version.Version.coerce: leading digits, up to three parts.
_COERCE = re.compile(r'^(\d+)(?:\.(\d+)(?:\.(\d+))?)?')


def coerce_version(label):
    """A datastore version label read as Trove's version switch reads it
    (``semantic_version.Version.coerce``): ``(major, minor, patch,
    release)``, ``release`` 0 for a pre-release (``8.4.0-rc`` sorts below
    ``8.4.0``), so tuples compare as Trove's versions do. TypeError for
    None, ValueError when the label does not start with a number
    (``mysql-5.5``).
    """
    if not isinstance(label, str):
        raise TypeError('cannot coerce %r to a version' % (label,))
    match = _COERCE.match(label)
    if not match:
        raise ValueError('version string %r cannot be coerced' % label)
    rest = label[match.end():]
    release = 0 if rest and rest[0] not in '+.' else 1
    return tuple(int(part or 0) for part in match.groups()) + (release,)


def trove_backoff_poll(check, sleep_time=3, time_out=180, sleep=time.sleep,
                       rng=None):
    """Poll ``check()`` as Trove's ``utils.poll_until`` does.

    That is oslo.service's ``BackOffLoopingCall`` with ``max_interval``
    30 and jitter 0.75: a first check at once, then waits of about 4.5,
    6.8, 10.1, 15.2, 22.8, 30... seconds (Gaussian jitter), and a
    timeout when the waits would exceed ``time_out``. Returns the number
    of checks; raises TimeoutError.
    """
    rng = rng or random.SystemRandom()
    interval = sleep_time
    waited = 0.0
    checks = 0
    while True:
        checks += 1
        if check():
            return checks
        jitter = abs(rng.gauss(0.75, 0.1))
        idle = min(max(interval * 2 * jitter, 0.001), 30)
        interval = max(interval * 2 * 0.75, 0.001)
        if time_out > 0 and waited + idle > time_out:
            raise TimeoutError('looping call timed out after %.02f seconds'
                               % (waited + idle))
        waited += idle
        sleep(idle)


def _option_value(value):
    """``value`` for a client option file, quoted."""
    for quote in ('"', "'"):
        if quote not in value:
            return quote + value.replace('\\', '\\\\') + quote
    raise exceptions.InvalidInput(
        'a password holding both quote characters cannot be written to a '
        'client option file for the backup tools')


class TroveCompatService(service.MySQLService):
    """A server reached by a DSN, with Trove 26's service methods.

    Statements run as in Trove's ``BaseMySqlApp.execute_sql``: through a
    SQLAlchemy engine (``pool_recycle=120``, the same checkout ping),
    wrapped in ``text()``, one pooled connection and transaction per call,
    the ``CursorResult`` returned. SQLAlchemy is imported on first use:
    it is Trove's dependency, present wherever Trove's strategies run.

    ``flavor`` ('mysql' or 'mariadb') picks Trove's ``MySqlApp`` or
    ``MariaDBApp`` behaviour (default: what the server reports);
    ``datastore_version`` is the label Trove reads from
    ``CONF.datastore_version`` to choose between the MySQL 8.4 and older
    statements (default: the server's own version), so a label that
    disagrees with the server shows the failure Trove would have.
    ``line`` is the server line whose dump and client tools make and
    restore backups (default: the provisioned line of the server's
    version); ``backup_dir`` holds the backups (one ``<id>.sql`` each).

    Every statement sent through the engine is appended to ``sent``.
    """

    #: Trove's service has no such method: the strategy takes the
    #: engine path (:mod:`trove_gtid_strategy.guest.unlogged`).
    run_unlogged = None
    #: Trove's start_slave / stop_slave wait this long (seconds).
    SLAVE_STATUS_TIMEOUT = 180

    def __init__(self, dsn, conf_dir=None, restart=None, connect_timeout=10,
                 ssl=None, instance_id=None, side='server', flavor=None,
                 datastore_version=None, line=None, backup_dir=None):
        super().__init__(dsn, conf_dir=conf_dir, restart=restart,
                         connect_timeout=connect_timeout, ssl=ssl,
                         instance_id=instance_id, side=side)
        self._flavor = flavor
        self.datastore_version = datastore_version
        self.line = line
        self.backup_dir = backup_dir
        self._engine = None
        self.sent = []

    # -- Trove's execute path ---------------------------------------------
    def get_engine(self):
        """The SQLAlchemy engine, built as Trove's ``get_engine`` builds
        it (the password percent-encoded into the URL).
        """
        if self._engine is None:
            import sqlalchemy
            from sqlalchemy import event
            dsn = self.dsn
            url = 'mysql+pymysql://%s:%s@%s/' % (
                dsn.user, urllib.parse.quote(dsn.password),
                'localhost' if dsn.unix_socket else '%s:%d' % (dsn.host,
                                                               dsn.port))
            if dsn.unix_socket:
                url += '?unix_socket=%s' % dsn.unix_socket
            # Without TLS, as the tests' other connections to local
            # servers (trove_support.connect): PyMySQL 1.2 otherwise
            # builds a TLS context per connection, loading the system's
            # CAs.
            engine = sqlalchemy.create_engine(
                url, pool_recycle=120, connect_args={'ssl_disabled': True})
            event.listen(engine, 'checkout', _connection_checkout)
            event.listen(engine, 'before_cursor_execute',
                         self._record_statement)
            self._engine = engine
        return self._engine

    def _record_statement(self, conn, cursor, statement, parameters,
                          context, executemany):
        self.sent.append(statement)

    @contextlib.contextmanager
    def _client(self, use_flush=False):
        """Trove's ``SqlClient``: one connection and transaction,
        committed (after ``FLUSH PRIVILEGES`` with ``use_flush``) on
        success, rolled back on an error. Yields ``execute(sql, **kw)``.
        """
        import sqlalchemy
        with self.get_engine().connect() as conn:
            trans = conn.begin()

            def execute(statement, **kwargs):
                if isinstance(statement, str):
                    statement = sqlalchemy.text(statement)
                return conn.execute(statement, kwargs)
            try:
                yield execute
            except BaseException:
                if trans.is_active:
                    trans.rollback()
                raise
            if trans.is_active:
                if use_flush:
                    execute('FLUSH PRIVILEGES;')
                trans.commit()

    def execute_sql(self, sql_statement, use_flush=False):
        """Trove's ``execute_sql``: the statement through ``text()`` on a
        pooled connection; returns SQLAlchemy's result (rows buffered).
        """
        with self._client(use_flush) as execute:
            return execute(sql_statement)

    def restart(self):
        """Restart through the hook. The engine is kept, as Trove keeps
        its module-wide engine: the checkout ping replaces the dead
        pooled connections.
        """
        super().restart()

    def close(self):
        super().close()
        if self._engine is not None:
            self._engine.dispose()

    # -- which of Trove's classes this server is --------------------------
    @property
    def flavor(self):
        """'mysql' (Trove's MySqlApp) or 'mariadb' (MariaDBApp)."""
        if self._flavor is None:
            row = self.execute_sql(
                'SELECT @@version, @@version_comment').first()
            version = versions.parse_server_version(row[0], row[1])
            self._flavor = ('mysql' if version.flavor.is_mysql_family
                            else 'mariadb')
        return self._flavor

    def version_label(self):
        """The label Trove's version switch reads (see the class)."""
        if self.datastore_version is not None:
            return self.datastore_version
        return self.execute_sql('SELECT @@version').scalar()

    def _is_mysql84(self):
        """Trove's ``MySqlApp._is_mysql84``: the label at least 8.4.0."""
        return coerce_version(self.version_label()) >= (8, 4, 0, 1)

    def _new_syntax(self):
        return self.flavor == 'mysql' and self._is_mysql84()

    # -- replication threads ------------------------------------------------
    def wait_for_slave_status(self, status, client, max_time):
        """Trove's wait: MySQL polls the I/O thread's connection state in
        ``performance_schema.replication_connection_status`` (no row is
        'OFF'; with performance_schema off there is never a row), MariaDB
        the ``Slave_running`` status; Trove's backoff; RuntimeError after
        ``max_time`` seconds.
        """
        def verify():
            if self.flavor == 'mariadb':
                actual = client(
                    'SHOW GLOBAL STATUS like "Slave_running";').first()[1]
            else:
                row = client('SELECT SERVICE_STATE FROM performance_schema.'
                             'replication_connection_status').first()
                actual = row[0] if row else 'OFF'
            return actual.upper() == status.upper()
        try:
            trove_backoff_poll(verify, sleep_time=3, time_out=max_time)
        except TimeoutError:
            raise RuntimeError('Replication is not %s after %d seconds.'
                               % (status.lower(), max_time))

    def start_slave(self):
        """``START REPLICA`` (MySQL, label 8.4+) or ``START SLAVE``, then
        Trove's wait for the I/O thread (up to 180 s).
        """
        with self._client() as client:
            client('START REPLICA' if self._new_syntax() else 'START SLAVE')
            self.wait_for_slave_status('ON', client,
                                       self.SLAVE_STATUS_TIMEOUT)

    def stop_slave(self, for_failover):
        """Trove's stop: stop and forget the source, wait for 'OFF', and
        unless failing over drop the replication user here, with binary
        logging (``DROP USER IF EXISTS name``, unquoted, as Trove sends
        it). Returns ``{'replication_user': name}``.
        """
        timeout = self.SLAVE_STATUS_TIMEOUT
        user = None
        with self._client() as client:
            if self._new_syntax():      # MySqlApp, label 8.4+
                row = client('SHOW REPLICA STATUS').mappings().first()
                if row:
                    user = row['Source_User']
                    client('STOP REPLICA')
                    client('RESET REPLICA ALL')
                self.wait_for_slave_status('OFF', client, timeout)
                if not for_failover and user:
                    client('DROP USER IF EXISTS ' + user)
            else:                       # BaseMySqlApp (and MariaDBApp)
                row = client('SHOW SLAVE STATUS').mappings().first()
                if row:
                    user = row['Master_User']
                    client('STOP SLAVE')
                    client('RESET SLAVE ALL')
                    self.wait_for_slave_status('OFF', client, timeout)
                    if not for_failover:
                        client('DROP USER IF EXISTS ' + user)
        return {'replication_user': user}

    def stop_master(self):
        with self._client() as client:
            client('RESET BINARY LOGS AND GTIDS' if self._new_syntax()
                   else 'RESET MASTER')

    def make_read_only(self, read_only):
        with self._client() as client:
            client('set global read_only = %s' % read_only)

    def grant_replication_privilege(self, replication_user):
        """Trove's grant, to an account that must exist already."""
        with self._client(use_flush=True) as client:
            client('GRANT REPLICATION SLAVE ON *.* TO `%s`@`%%`;'
                   % replication_user['name'])

    # -- promotion bookkeeping ----------------------------------------------
    def _slave_status_row(self):
        with self._client() as client:
            return client('SHOW REPLICA STATUS' if self._new_syntax()
                          else 'SHOW SLAVE STATUS').first()

    def get_latest_txn_id(self):
        """MySQL ``@@global.gtid_executed``, MariaDB ``gtid_binlog_pos``."""
        name = ('gtid_binlog_pos' if self.flavor == 'mariadb'
                else 'gtid_executed')
        with self._client() as client:
            return client('SELECT @@global.%s' % name).first()[0]

    def get_last_txn(self):
        """``(source id, last transaction number)`` as Trove computes it.

        MySQL: the source's UUID and the end of the last interval of its
        element of ``gtid_executed``, split on ``,`` (MySQL writes
        ``,\\n``). MariaDB: Trove 26 reads the status row by name
        (``row['Master_Server_Id']``), which SQLAlchemy 2 refuses with
        TypeError; done the same way here, so it fails where Trove's does.
        """
        row = self._slave_status_row()
        if self.flavor == 'mariadb':
            master = row and row['Master_Server_Id'] or None
            with self._client() as client:
                executed = client(
                    'SELECT @@global.gtid_slave_pos').first()[0]
            last = '0'
            for element in executed.split(','):
                parts = element.split('-')
                if str(parts[1]) == str(master):
                    last = parts[-1]
                    break
            return master, int(last)
        key = 'Source_UUID' if self._new_syntax() else 'Master_UUID'
        master = row and row._mapping[key] or None
        executed = self.get_latest_txn_id()
        last = '0'
        for element in executed.split(','):
            parts = element.split(':')
            if str(parts[0]) == str(master):
                last = parts[-1].split('-')[-1]
                break
        return master, int(last)

    def wait_for_txn(self, txn):
        """Wait, without a timeout, until ``txn`` is applied."""
        if self.flavor == 'mariadb':
            sql = "SELECT MASTER_GTID_WAIT('%s')" % txn
        elif self._is_mysql84():
            sql = "SELECT WAIT_FOR_EXECUTED_GTID_SET('%s')" % txn
        else:
            sql = "SELECT WAIT_UNTIL_SQL_THREAD_AFTER_GTIDS('%s')" % txn
        with self._client() as client:
            client(sql)

    # -- backups ------------------------------------------------------------
    def _line(self):
        if self.line is None:
            from trove_gtid_strategy.sandbox import lines
            self.line = lines.for_server_version(
                self.execute_sql('SELECT @@version').scalar())
        return self.line

    def _defaults_file(self):
        """A 0600 client option file with this service's account."""
        os.makedirs(self.backup_dir, mode=0o700, exist_ok=True)
        path = os.path.join(self.backup_dir, '.client-%s.cnf' % self.side)
        dsn = self.dsn
        text = '[client]\nuser=%s\npassword=%s\n' % (
            _option_value(dsn.user), _option_value(dsn.password))
        if dsn.unix_socket:
            text += 'socket=%s\n' % _option_value(dsn.unix_socket)
        else:
            text += 'host=%s\nport=%d\nprotocol=TCP\n' % (dsn.host, dsn.port)
        service.write_atomically(path, text, mode=0o600)
        return path

    def backup_path(self, backup_id):
        if not self.backup_dir:
            raise exceptions.InvalidInput(
                'this service has no backup_dir to keep backups in')
        return os.path.join(self.backup_dir, '%s.sql' % backup_id)

    def user_schemas(self):
        rows = self.execute_sql(
            'SELECT schema_name FROM information_schema.schemata').fetchall()
        return sorted(r[0] for r in rows if r[0].lower() not in
                      SYSTEM_SCHEMAS)

    def create_backup(self, context, backup_info, volumes_mapping={},
                      need_dbuser=True, extra_params=''):
        """A consistent snapshot of the user schemas with the server
        line's dump tool (``--single-transaction``), its start point in
        the header, to ``<backup_dir>/<backup_info['id']>.sql``.

        Trove runs its backup container (xtrabackup / mariabackup, to
        object storage) here; this is the same step for a server outside
        Trove: the data, and where the binary log stood, in one file.
        Returns ``{'location', 'checksum'}``.
        """
        path = self.backup_path(backup_info['id'])
        flags = self._line().seed_dump_args() + [
            '--routines', '--events', '--triggers']
        schemas = self.user_schemas()
        if not schemas:
            # Nothing to copy: the header alone records the start point.
            flags += ['--no-data', '--no-create-info', '--skip-triggers',
                      '--no-create-db']
            schemas = ['mysql']
        argv = self._line().tool_command('dump', self._defaults_file())
        tmp = path + '.tmp'
        with open(tmp, 'wb') as out:
            done = subprocess.run(argv + flags + ['--databases'] + schemas,
                                  stdout=out, stderr=subprocess.PIPE)
        if done.returncode != 0:
            os.unlink(tmp)
            raise exceptions.ReplicationError(
                'backup %s of %s failed: %s' % (
                    backup_info['id'], self.dsn.redacted(),
                    done.stderr.decode('utf-8', 'replace').strip()))
        os.replace(tmp, path)
        with open(path, 'rb') as f:
            checksum = hashlib.md5(f.read()).hexdigest()
        return {'location': path, 'checksum': checksum}

    def restore_backup(self, context, backup_info, restore_location=None):
        """Restore a backup of :meth:`create_backup` here, as a new
        replica's datadir is restored before Trove attaches it: this
        server's replication configuration, user schemas, binary logs and
        GTID state are cleared (a restore starts from an empty datadir),
        the dump is loaded without binary logging (a restored datadir has
        no transactions of its own), and the start point is written to
        the datadir as the backup tool writes it
        (``xtrabackup_binlog_info`` / ``mariadb_backup_binlog_info``:
        ``file<TAB>position<TAB>gtids``), where Trove's strategies (and
        ours) read it. Returns the start point.
        """
        from trove_gtid_strategy import seeding
        path = backup_info.get('location') or self.backup_path(
            backup_info['id'])
        with open(path, encoding='utf-8', errors='replace') as f:
            start = seeding.from_dump(f, path)
        caps = capabilities.capabilities_for(versions.parse_server_version(
            *self.execute_sql('SELECT @@version, @@version_comment').first()))
        d = dialect.Dialect(caps)
        if self.execute_sql(d.show_replica_status().sql).first():
            self.execute_sql(d.stop_replica().sql)
        self.execute_sql(d.reset_replica_all().sql)
        for schema in self.user_schemas():
            self.execute_sql('DROP DATABASE `%s`' % schema.replace('`', '``'))
        if int(self.execute_sql('SELECT @@log_bin').scalar() or 0):
            self.execute_sql(d.reset_binary_logs().sql)
        if self.flavor == 'mariadb':
            self.execute_sql("SET GLOBAL gtid_slave_pos = ''")
        argv = self._line().tool_command('client', self._defaults_file())
        with open(path, 'rb') as dump_file:
            done = subprocess.run(
                argv + ['--init-command=SET sql_log_bin = 0'],
                stdin=dump_file, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE)
        if done.returncode != 0:
            raise exceptions.ReplicationError(
                'restoring backup %s on %s failed: %s' % (
                    backup_info.get('id'), self.dsn.redacted(),
                    done.stderr.decode('utf-8', 'replace').strip()))
        gtids = start.gtid_set if self.flavor == 'mysql' else \
            start.mariadb_pos
        info = '%s\t%s\t%s\n' % (start.log_file or '', start.log_pos or '',
                                 '' if gtids is None else gtids)
        datadir = restore_location or self.get_data_dir()
        service.write_atomically(os.path.join(datadir, BINLOG_INFO_FILE[
            self.flavor]), info)
        return start


def _connection_checkout(dbapi_con, con_record, con_proxy):
    """Trove's pool checkout listener: ping, and hand a dead connection
    back to the pool as a disconnection (it is replaced).
    """
    from sqlalchemy import exc
    try:
        dbapi_con.ping(False)
    except pymysql.err.OperationalError as ex:
        if ex.args[0] in errcodes.TROVE_DISCONNECTED:
            raise exc.DisconnectionError()
        raise
    except pymysql.err.InternalError as ex:
        if ('Packet sequence number wrong' in str(ex)
                or 'Connection was killed' in str(ex)):
            raise exc.DisconnectionError()
        raise


class TroveCompatAdmin(service.MySQLAdmin):
    """Trove 26's ``MySqlAdmin`` methods its strategies use, for a
    :class:`TroveCompatService`.
    """

    def create_users(self, users):
        """Create each serialized user (Trove's ``MySQLUser`` dicts:
        ``_name``, ``_password``, ``_host``, ``_databases``) as Trove
        does: names and passwords checked as its ``MySQLUser`` checks
        them (ValueError), ``CREATE USER :user@:host IDENTIFIED BY
        '<password>'`` through ``text()`` with the name and host bound
        and the password interpolated, grants on the user's databases,
        then ``FLUSH PRIVILEGES``, in one transaction.
        """
        with self.service._client(use_flush=True) as client:
            for item in users:
                name = item.get('_name', item.get('name'))
                password = item.get('_password', item.get('password'))
                host = item.get('_host', item.get('host')) or '%'
                for what, value in (('user name', name),
                                    ('password', password)):
                    if (not value or _TROVE_UNSUPPORTED.search(value)
                            or '\\' in repr(value)):
                        raise ValueError("'%s' is not a valid %s."
                                         % ('***' if what == 'password'
                                            else value, what))
                client("CREATE USER :user@:host IDENTIFIED BY '%s';"
                       % password, user=name, host=host)
                for database in item.get('_databases') or ():
                    schema = database.get('_name', database.get('name'))
                    client('GRANT ALL PRIVILEGES ON `%s`.* TO `%s`@`%s`;'
                           % (schema, name, host))

    def delete_user_by_name(self, name, host='%'):
        """Trove's drop: ``DROP USER `name`@`host`;`` (no IF EXISTS)."""
        with self.service._client(use_flush=True) as client:
            client('DROP USER `%s`@`%s`;' % (name, host))

    def delete_user(self, user):
        self.delete_user_by_name(user.get('_name', user.get('name')),
                                 user.get('_host', user.get('host')) or '%')
