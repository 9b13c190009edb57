"""The replication strategies Trove's guest agent loads.

An operator points Trove at one class, usually :class:`AutoReplication`::

    trove-manage datastore_version_update ... \\
        --repl-strategy trove_gtid_strategy.strategy.AutoReplication

Trove builds it with no arguments and calls the methods below with its own
``service`` (MySqlApp / MariaDBApp) and ``adm`` objects; outside Trove the
same classes run on :mod:`trove_gtid_strategy.guest.service`. At every
call the server is asked what it is; the datastore version label is only a
hint, and a disagreement is logged.

Nothing is changed before the checks pass: a refused attach raises
:class:`~trove_gtid_strategy.exceptions.PrecheckFailed` and leaves the
replica as it was.
"""

import os
import secrets
import socket
import string
import time

from oslo_config import cfg
from oslo_log import log as logging

from trove_gtid_strategy import capabilities
from trove_gtid_strategy import dialect
from trove_gtid_strategy import dsn
from trove_gtid_strategy import exceptions
from trove_gtid_strategy.guest import inspect
from trove_gtid_strategy.guest import service as guest_service
from trove_gtid_strategy import modes
from trove_gtid_strategy import opts
from trove_gtid_strategy import rendering
from trove_gtid_strategy import seeding
from trove_gtid_strategy import topology
from trove_gtid_strategy import versions

CONF = cfg.CONF
opts.register_opts(CONF)
LOG = logging.getLogger(__name__)

# Where Trove's backup containers see the database (the same mapping
# Trove's own MySQL strategies pass to service.create_backup).
_BACKUP_VOLUMES = {
    '/var/lib/mysql': {'bind': '/var/lib/mysql', 'mode': 'rw'},
    '/var/run/mysqld': {'bind': '/var/run/mysqld', 'mode': 'ro'},
    '/tmp': {'bind': '/tmp', 'mode': 'rw'},
}
_PASSWORD_ALPHABET = string.ascii_letters + string.digits
ER_CANNOT_USER = 1396  # DROP USER of an account that does not exist


def _error_code(exc):
    """The server error number of a PyMySQL or SQLAlchemy exception."""
    orig = getattr(exc, 'orig', exc)
    args = getattr(orig, 'args', ())
    return args[0] if args and isinstance(args[0], int) else None


def _field(status, *names):
    """A SHOW REPLICA STATUS column under its old or new name."""
    for name in names:
        if name in status:
            return status[name]
    return ''


class _Attempt:
    """The server facts one strategy call works with."""

    def __init__(self, state, caps, choice):
        self.state = state
        self.caps = caps
        self.mode = choice.mode
        self.reason = choice.reason
        self.dialect = dialect.Dialect(caps)


class ReplicationStrategy:
    """Trove's replication interface, for MySQL, Percona and MariaDB.

    Subclasses pin the mode (``requested_mode``) or the flavor family;
    :class:`AutoReplication` takes the mode from the
    ``[trove_gtid_strategy] replication_mode`` option.
    """

    requested_mode = None
    flavor_family = None  # 'mysql' or 'mariadb' for pinned classes

    def __init__(self, conf=None, renderer=None, progress=None):
        self._conf = (conf or CONF)
        self._renderer = renderer
        #: Called with a message at every step and poll, when set (the
        #: command line shows these; Trove only logs them).
        self.progress = progress
        #: The mode the last call chose (for reports).
        self.last_mode = None

    # -- helpers ---------------------------------------------------------
    @property
    def options(self):
        return getattr(self._conf, opts.GROUP)

    def _report(self, message, *args):
        LOG.info(message, *args)
        if self.progress is not None:
            self.progress(message % args if args else message)

    def _run(self, service, stmt):
        LOG.debug('SQL: %s', stmt)
        return service.execute_sql(stmt.sql)

    def _render(self, role, attempt, server_id):
        if self._renderer is None:
            self._renderer = rendering.ConfigRenderer(
                self.options.template_dir)
        return self._renderer.render(
            role, attempt.caps, attempt.mode, server_id=server_id,
            binlog_format=self.options.binlog_format)

    def _attempt(self, service):
        """Ask the server what it is and choose the mode for it."""
        state = inspect.read_state(service)
        caps = capabilities.capabilities_for(state.version)
        family = 'mysql' if state.version.flavor.is_mysql_family \
            else 'mariadb'
        if self.flavor_family and family != self.flavor_family:
            raise exceptions.UnsupportedMode(
                '%s cannot drive %s: use %s or AutoReplication'
                % (type(self).__name__, state.version,
                   'MariaDBGTIDReplication' if family == 'mariadb'
                   else 'MysqlGTIDReplication'))
        self._compare_label(state.version)
        choice = modes.choose_mode(
            self.requested_mode or self.options.replication_mode, caps)
        LOG.info('%s: %s', state.version, choice.reason)
        self.last_mode = choice.mode
        return _Attempt(state, caps, choice)

    def _compare_label(self, version):
        """Log when Trove's version label disagrees with the server."""
        label = getattr(self._conf, 'datastore_version', None)
        if not label:
            return
        manager = getattr(self._conf, 'datastore_manager', None)
        try:
            hinted = versions.parse_label(label, manager)
        except exceptions.InvalidVersion as exc:
            LOG.warning('Ignoring the datastore version label: %s; the '
                        'server reports %s', exc, version)
            return
        if (hinted.flavor.is_mysql_family != version.flavor.is_mysql_family
                or (hinted.major, hinted.minor) != (version.major,
                                                    version.minor)):
            LOG.warning('Datastore version label %r says %s but the server '
                        'reports %s: using what the server reports',
                        label, hinted, version)

    def _server_id(self, service, attempt):
        """Stable per instance: Trove's guest id, else the current id."""
        instance = (getattr(self._conf, 'guest_id', None)
                    or getattr(service, 'instance_id', None))
        if instance:
            return rendering.stable_server_id(instance)
        if attempt.state.server_id:
            return attempt.state.server_id
        return rendering.stable_server_id(
            '%s:%s' % (socket.gethostname(), service.get_port()))

    def _usable_config(self, text, role, service, attempt):
        """``text`` if this server can start with it and it has what the
        mode needs; otherwise our own rendering, with a warning.
        """
        ours = self._render(role, attempt, self._server_id(service, attempt))
        if not (text or '').strip():
            return ours.text
        problems = rendering.check_config(text, attempt.caps)
        problems += ['%s is not set' % name for name in
                     rendering.missing_settings(
                         rendering.parse_config(text), attempt.mode, role,
                         from_file=True)]
        if problems:
            LOG.warning('The %s configuration given for %s cannot be used '
                        '(%s); using %s instead', role,
                        attempt.state.version, '; '.join(problems),
                        ours.template)
            return ours.text
        return text

    def _apply_config(self, service, role, text, attempt):
        """Write the override and restart, unless the running server
        already has every setting the mode needs.
        """
        needed = rendering.missing_settings(
            inspect.read_variables(service, rendering.LIVE_SETTINGS),
            attempt.mode, role)
        # Always persist this role's settings: the running ones may come
        # from the other role's file, which demote_master / detach_slave
        # remove before the next restart.
        if role == 'replica_source':
            service.write_replication_source_overrides(text)
        else:
            service.write_replication_replica_overrides(text)
        if not needed:
            self._report('%s already runs with the %s settings; no restart '
                         'needed', attempt.state.version, role)
            return False
        self._report('Writing %s settings (%s) and restarting', role,
                     ', '.join(needed))
        service.restart()
        still = rendering.missing_settings(
            inspect.read_variables(service, rendering.LIVE_SETTINGS),
            attempt.mode, role)
        if still:
            raise exceptions.ReplicationError(
                'after the restart %s still lacks %s: another configuration '
                'file overrides the replication settings'
                % (attempt.state.version, ', '.join(still)))
        return True

    def _create_replication_user(self, service, attempt):
        """A user per replica, random name, strong random password, only
        the replication privileges.
        """
        user = {
            'name': '%s%s' % (self.options.replication_user_prefix,
                              secrets.token_hex(6)),
            'password': ''.join(secrets.choice(_PASSWORD_ALPHABET)
                                for _ in range(32)),
        }
        for stmt in attempt.dialect.create_replication_user(
                user['name'], user['password']):
            self._run(service, stmt)
        return user

    def current_position(self, service, attempt=None):
        """The source's current position in the mode's own terms, as in
        ``replica_conf['log_position']``.
        """
        attempt = attempt or self._attempt(service)
        log_file, log_pos = inspect.read_source_position(
            service, attempt.dialect)
        position = {'log_file': log_file, 'log_position': log_pos}
        if attempt.mode is modes.Mode.GTID:
            state = inspect.read_state(service, binlog_files=False)
            position['gtid_executed'] = str(state.gtid_executed)
        elif attempt.mode is modes.Mode.MARIADB_GTID:
            state = inspect.read_state(service, binlog_files=False)
            position['gtid_pos'] = str(state.gtid_binlog_pos)
        return position

    # -- Trove's interface -----------------------------------------------
    def get_master_ref(self, service, snapshot_info):
        """Where replicas reach this source: ``{'host', 'port'}``.
        """
        host = (getattr(service, 'replication_host', None)
                or _local_ipv4())
        return {'host': host, 'port': service.get_port()}

    def backup_required_for_replication(self):
        return True

    def snapshot_for_replication(self, context, service, adm, location,
                                 snapshot_info):
        """Back up the source for a new replica and create its user.

        The backup tool records the exact start point inside the backup
        (``xtrabackup_binlog_info`` / ``mariadb_backup_binlog_info``); the
        position returned in ``log_position`` is the source's position
        after the backup, for information only, never used as a seed.
        """
        attempt = self._attempt(service)
        if not attempt.state.log_bin:
            raise exceptions.ReplicationError(
                'cannot snapshot %s for replication: it writes no binary '
                'log; enable it as a source first' % attempt.state.version)
        if snapshot_info.get('storage_driver') not in ('cinder',):
            self._report('Creating backup %s for replication',
                         snapshot_info.get('id'))
            service.create_backup(context, snapshot_info,
                                  volumes_mapping=_BACKUP_VOLUMES)
        user = self._create_replication_user(service, attempt)
        replica_conf = {
            'log_position': self.current_position(service, attempt),
            'replication_user': user,
        }
        return snapshot_info['id'], replica_conf

    def enable_as_master(self, service, master_config):
        """Make the server a replication source; idempotent."""
        attempt = self._attempt(service)
        text = self._usable_config(master_config, 'replica_source', service,
                                   attempt)
        self._apply_config(service, 'replica_source', text, attempt)

    def enable_as_slave(self, service, master_info, slave_config):
        """Attach this server as a replica of ``master_info['master']``.

        With ``master_info['dataset']`` the replica was restored from a
        backup and starts at the backup's recorded point; without it an
        existing replica is re-pointed. Pre-checks run first and a failure
        changes nothing.
        """
        attempt = self._attempt(service)
        replica_conf = master_info.get('replica_conf') or {}
        user = replica_conf.get('replication_user') or {}
        tls = _tls_from(master_info)
        source_ref = master_info['master']
        address = dialect.SourceAddress(
            host=source_ref['host'], port=int(source_ref['port']),
            user=user.get('name', ''), password=user.get('password', ''))
        source_state = self._probe_source(address, tls)
        start = None
        if 'dataset' in master_info:
            start = self._seed_start_point(service, master_info['dataset'],
                                           attempt)
        elif attempt.mode is modes.Mode.BINLOG:
            start = seeding.from_dataset(replica_conf.get('log_position'),
                                         'replica_conf log_position')
            if start is None or not start.has_position:
                raise exceptions.InvalidSeed(
                    'binlog-position replication needs the source\'s '
                    'log_file and log_position in replica_conf')
        result = topology.precheck_attach(source_state, attempt.state,
                                          attempt.mode, start)
        if not result.ok:
            raise exceptions.PrecheckFailed(
                'refusing to attach %s to %s:%s: %s' % (
                    attempt.state.version, address.host, address.port,
                    result.describe()), result)
        self._report('Pre-checks passed: replica is %s', result.verdict)

        text = self._usable_config(slave_config, 'replica', service, attempt)
        self._apply_config(service, 'replica', text, attempt)
        d = attempt.dialect
        if inspect.read_replica_status(service, d) is not None:
            self._run(service, d.stop_replica())
        for stmt in self._start_point_statements(attempt, start):
            self._run(service, stmt)
        self._run(service, self._change_source(attempt, address, start, tls))
        self._run(service, d.start_replica())
        self.wait_for_replica_running(service)

    def detach_slave(self, service, for_failover):
        """Stop replicating and forget the source; safe to call twice.

        Returns ``{'replication_user': name}``; the user is dropped here
        unless the detach is part of a failover (the caller drops it on
        the source with :meth:`cleanup_source_on_replica_detach`).
        """
        attempt = self._attempt(service)
        d = attempt.dialect
        status = inspect.read_replica_status(service, d)
        user = None
        if status is not None:
            user = _field(status, 'Master_User', 'Source_User') or None
            self._run(service, d.stop_replica())
            self._run(service, d.reset_replica_all())
            if user and not for_failover:
                self._drop_user(service, d, user)
        service.remove_replication_replica_overrides()
        # The replica settings only added read_only that matters at run
        # time; clearing it live spares a restart.
        if attempt.state.read_only:
            self._run(service, d.set_read_only(False))
        return {'replication_user': user}

    def get_replica_context(self, service, adm):
        """What an existing replica needs to re-point to this server."""
        attempt = self._attempt(service)
        user = self._create_replication_user(service, attempt)
        return {
            'master': self.get_master_ref(service, None),
            'replica_conf': {
                'log_position': self.current_position(service, attempt),
                'replication_user': user,
            },
        }

    def cleanup_source_on_replica_detach(self, admin_service, replica_info):
        """Drop the detached replica's user on the source; safe twice."""
        name = (replica_info or {}).get('replication_user')
        if not name:
            return
        try:
            admin_service.delete_user_by_name(name)
        except Exception as exc:
            if _error_code(exc) != ER_CANNOT_USER:
                raise
            LOG.info('Replication user %s was already gone', name)

    def demote_master(self, service):
        """Stop being a source: remove the source settings; safe twice."""
        if service.exists_replication_source_overrides():
            service.remove_replication_source_overrides()
            service.restart()

    # -- beyond Trove ----------------------------------------------------
    def wait_for_replica_running(self, service, timeout=None):
        """Wait until both replication threads run; fail with the
        server's last I/O and SQL errors.
        """
        timeout = timeout or self.options.replica_start_timeout
        version, caps = inspect.read_version(service)
        d = dialect.Dialect(caps)
        deadline = time.monotonic() + timeout
        while True:
            status = inspect.read_replica_status(service, d) or {}
            io = _field(status, 'Slave_IO_Running', 'Replica_IO_Running')
            sql = _field(status, 'Slave_SQL_Running', 'Replica_SQL_Running')
            io_error = _field(status, 'Last_IO_Error')
            sql_error = _field(status, 'Last_SQL_Error')
            self._report('Replication threads: I/O %s, SQL %s',
                         io or '-', sql or '-')
            if io == 'Yes' and sql == 'Yes':
                return status
            stopped = (io == 'No' and io_error) or (sql == 'No' and sql_error)
            if stopped or time.monotonic() > deadline:
                raise exceptions.ReplicationError(
                    'replication on %s is not running (I/O %s, SQL %s)%s%s'
                    % (version, io or 'off', sql or 'off',
                       '; last I/O error: %s' % io_error if io_error else '',
                       '; last SQL error: %s' % sql_error if sql_error
                       else ''), io_error, sql_error)
            time.sleep(self.options.poll_interval)

    def wait_until_applied(self, service, position, timeout=None):
        """Wait until the replica applied ``position``, a dict as in
        ``replica_conf['log_position']`` (GTIDs when present, else the
        source's file and position).
        """
        timeout = timeout or self.options.catch_up_timeout
        version, caps = inspect.read_version(service)
        d = dialect.Dialect(caps)
        if position.get('gtid_executed') is not None and caps.gtid:
            stmt = d.wait_for_gtids(position['gtid_executed'], timeout)
        elif position.get('gtid_pos') is not None and caps.gtid:
            stmt = d.wait_for_gtids(position['gtid_pos'], timeout)
        else:
            stmt = d.wait_for_position(position['log_file'],
                                       position['log_position'], timeout)
        self._report('Waiting up to %ds for %s to apply %s', timeout,
                     version, {k: v for k, v in position.items() if v})
        value = service.execute_sql(stmt.sql).scalar()
        # 0 or more: applied; -1 or 1 (WAIT_FOR_EXECUTED_GTID_SET): timed
        # out; NULL: replication is not running.
        timed_out = value is None or int(value) < 0 or (
            caps.gtid_wait_function == 'WAIT_FOR_EXECUTED_GTID_SET'
            and stmt.sql.startswith('SELECT WAIT_FOR') and int(value) == 1)
        if timed_out:
            status = inspect.read_replica_status(service, d) or {}
            raise exceptions.ReplicationError(
                '%s did not apply %s within %ds'
                % (version, position, timeout),
                _field(status, 'Last_IO_Error'),
                _field(status, 'Last_SQL_Error'))

    # -- attach internals ------------------------------------------------
    def _probe_source(self, address, tls):
        """Read the source's state as the replication user, the way the
        replica's I/O thread will reach it.
        """
        probe = guest_service.MySQLService(
            dsn.DSN(user=address.user, password=address.password,
                    host=address.host, port=address.port),
            ssl=_pymysql_ssl(tls))
        try:
            return inspect.read_state(probe)
        except exceptions.TroveGtidError:
            raise
        except Exception as exc:
            raise exceptions.PrecheckFailed(
                'cannot reach the source %s:%s as %s to check it: %s'
                % (address.host, address.port, address.user, exc),
                topology.PrecheckResult(None, (topology.Problem(
                    'source_unreachable', str(exc)),)))
        finally:
            probe.close()

    def _seed_start_point(self, service, dataset, attempt):
        """Where a replica restored from a backup starts.
        """
        start = seeding.from_dataset(dataset)
        if start is None:
            datadir = service.get_data_dir()
            for name in seeding.BINLOG_INFO_FILES:
                path = os.path.join(datadir, name)
                if os.path.exists(path):
                    with open(path, encoding='utf-8') as f:
                        start = seeding.from_binlog_info(f.read(), path)
                    break
        if start is None:
            raise exceptions.InvalidSeed(
                'the replica was restored from a backup but no start point '
                'was found (dataset keys, %s in the data directory)'
                % ' or '.join(seeding.BINLOG_INFO_FILES))
        mode = attempt.mode
        if ((mode is modes.Mode.GTID and start.gtid_set is None)
                or (mode is modes.Mode.MARIADB_GTID
                    and start.mariadb_pos is None)
                or (mode is modes.Mode.BINLOG and not start.has_position)):
            raise exceptions.InvalidSeed(
                '%s has no start point usable in %s mode'
                % (start.describe(), mode))
        self._report('Seeding from %s', start.describe())
        return start

    def _start_point_statements(self, attempt, start):
        """Statements that make the replica start where it must."""
        d = attempt.dialect
        if start is not None and attempt.mode is modes.Mode.GTID:
            # The restored data replaces the replica's history.
            return [d.reset_binary_logs(), d.set_gtid_purged(start.gtid_set)]
        if attempt.mode is modes.Mode.MARIADB_GTID:
            if start is not None:
                return [d.reset_binary_logs(),
                        d.set_gtid_slave_pos(start.mariadb_pos)]
            # A demoted source's own transactions are in its binary log,
            # not in its slave position; the pre-checks proved them present
            # on the new source, so continue after them.
            position = topology.mariadb_resume_position(attempt.state)
            if position != attempt.state.gtid_slave_pos:
                return [d.set_gtid_slave_pos(position)]
        return []

    def _change_source(self, attempt, address, start, tls):
        d = attempt.dialect
        retry = self.options.connect_retry
        if attempt.mode is modes.Mode.GTID:
            return d.change_source_to_auto_position(address, retry, tls)
        if attempt.mode is modes.Mode.MARIADB_GTID:
            return d.change_source_to_mariadb_gtid(address, retry, tls)
        return d.change_source_to_position(address, start.log_file,
                                           start.log_pos, retry, tls)

    def _drop_user(self, service, d, user):
        try:
            self._run(service, d.drop_user(user))
        except Exception as exc:
            if _error_code(exc) != ER_CANNOT_USER:
                raise


def _tls_from(master_info):
    """TLS settings from Trove's snapshot (2026+: cert_container and
    ssl_mode), or TLS explicitly off.
    """
    if master_info.get('cert_container') and master_info.get('ssl_mode'):
        mode = str(master_info['ssl_mode']).lower()
        return dialect.Tls(enabled=True,
                           verify_server_cert=mode in ('verify_ca',
                                                       'verify_identity'),
                           ca=master_info.get('ssl_ca', ''),
                           cert=master_info.get('ssl_cert', ''),
                           key=master_info.get('ssl_key', ''))
    return dialect.Tls()


def _pymysql_ssl(tls):
    if not tls.enabled:
        return None
    ssl = {'check_hostname': False}
    if tls.ca:
        ssl['ca'] = tls.ca
    if tls.cert:
        ssl['cert'] = tls.cert
    if tls.key:
        ssl['key'] = tls.key
    return ssl


def _local_ipv4():
    """This host's address as its name resolves (Trove's guests resolve
    their own name to the instance address).
    """
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return '127.0.0.1'


class AutoReplication(ReplicationStrategy):
    """The drop-in: mode from ``[trove_gtid_strategy] replication_mode``
    (default ``auto``), flavor from the server.
    """


class MysqlBinlogReplication(ReplicationStrategy):
    """Binary log file and position, on every MySQL, Percona and MariaDB
    version (MySQL 5.5 has nothing else).
    """

    requested_mode = 'binlog'


class MysqlGTIDReplication(ReplicationStrategy):
    """MySQL / Percona GTIDs with auto-positioning (5.6.10+).
    """

    requested_mode = 'gtid'
    flavor_family = 'mysql'


class MariaDBGTIDReplication(ReplicationStrategy):
    """MariaDB GTIDs (``MASTER_USE_GTID = slave_pos``, 10.0.10+)."""

    requested_mode = 'gtid'
    flavor_family = 'mariadb'


__all__ = ['AutoReplication', 'MysqlBinlogReplication',
           'MysqlGTIDReplication', 'MariaDBGTIDReplication',
           'ReplicationStrategy']
