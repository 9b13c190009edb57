"""The replication strategies Trove's guest agent loads.

An operator points Trove at one class, usually :class:`AutoReplication`::

    trove-manage datastore_version_update ... \\
        --repl-strategy trove_gtid_strategy.strategy.AutoReplication

Trove builds it with no arguments and calls the methods below with its own
``service`` (MySqlApp / MariaDBApp) and ``adm`` objects; outside Trove the
same classes run on :mod:`trove_gtid_strategy.guest.service`.

These classes only coordinate: at every call the server is asked what it
is (the datastore version label is only a hint), the mode is chosen and
its driver (:mod:`trove_gtid_strategy.modes`) decides; Trove's dicts are
read by :mod:`trove_gtid_strategy.trove_contract`; the source is read by
an injected probe. Nothing is changed before an attach is decided: a
refusal raises :class:`~trove_gtid_strategy.exceptions.PrecheckFailed`
and leaves the replica as it was.
"""

import dataclasses
import socket

from oslo_config import cfg
from oslo_log import log as logging

from trove_gtid_strategy import accounts
from trove_gtid_strategy import capabilities
from trove_gtid_strategy import dialect
from trove_gtid_strategy import errcodes
from trove_gtid_strategy import exceptions
from trove_gtid_strategy.guest import backup_files
from trove_gtid_strategy.guest import durability
from trove_gtid_strategy.guest import server_state
from trove_gtid_strategy.guest import source_probe
from trove_gtid_strategy.guest import unlogged
from trove_gtid_strategy.guest import waits
from trove_gtid_strategy import modes
from trove_gtid_strategy.modes import base as modes_base
from trove_gtid_strategy import opts
from trove_gtid_strategy import rendering
from trove_gtid_strategy import seeding
from trove_gtid_strategy import trove_contract
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


@dataclasses.dataclass(frozen=True)
class Attempt:
    """The server facts one strategy call works with."""

    state: object
    caps: object
    mode: modes.Mode
    reason: str
    driver: modes_base.ModeDriver

    @property
    def dialect(self):
        return dialect.Dialect(self.caps)


class ReplicationStrategy:
    """Trove's replication interface, for MySQL, Percona and MariaDB.

    Subclasses pin the mode (``requested_mode``) or the flavor family;
    :class:`AutoReplication` takes the mode from the
    ``[trove_gtid_strategy] replication_mode`` option. Every constructor
    argument is optional, as Trove builds the class with none.
    """

    requested_mode = None
    flavor_family = None  # 'mysql' or 'mariadb' for pinned classes

    def __init__(self, conf=None, renderer=None, progress=None,
                 probe=None):
        self._conf = conf or CONF
        self._renderer = renderer
        self._probe = probe or source_probe.SourceProbe()
        #: Called with a message at every step and poll, when set (the
        #: command line shows these; Trove only logs them).
        self.progress = progress
        #: The mode the last call chose, and the last attach's plan (for
        #: reports).
        self.last_mode = None
        self.last_plan = None
        #: Binlog mode: where each server (by server_id) stood when it
        #: was detached for a promotion. Trove caches one strategy per
        #: guest, so the detach and the later get_replica_context of a
        #: promotion meet here.
        self._promotions = {}

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

    def attempt(self, service, state=None):
        """Ask the server what it is and choose the mode for it."""
        state = state or server_state.read_state(service)
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
        return Attempt(state, caps, choice.mode, choice.reason,
                       modes.load_driver(choice.mode))

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

    def render_config(self, role, service, attempt):
        """Our rendering of ``role``'s settings for this server."""
        if self._renderer is None:
            self._renderer = rendering.ConfigRenderer(
                self.options.template_dir)
        return self._renderer.render(
            role, attempt.caps, attempt.mode,
            server_id=self._server_id(service, attempt),
            binlog_format=self.options.binlog_format,
            semi_sync_timeout_ms=self._semi_sync_timeout(attempt),
            **_log_names(attempt.state))

    def _semi_sync_timeout(self, attempt):
        """The semi-sync timeout when semi_sync durability is configured
        and the server has it; None otherwise.
        """
        if self.options.replication_durability != 'semi_sync':
            return None
        if attempt.caps.semi_sync_source is None:
            raise exceptions.UnsupportedMode(
                '%s has no lossless semi-synchronous replication (MySQL '
                '5.7.2+, MariaDB 10.3.3+): set replication_durability = '
                'async' % attempt.state.version)
        return self.options.semi_sync_timeout_ms

    def _apply_durability(self, service, attempt, role):
        timeout = self._semi_sync_timeout(attempt)
        if timeout is not None:
            self._report('Enabling semi-synchronous replication (%s side, '
                         'AFTER_SYNC, timeout %d ms)', role, timeout)
            durability.enable(service, attempt.caps, role, timeout)

    def missing_settings(self, service, attempt, role):
        """Settings the running server lacks for ``role`` in its mode, as
        ``(needing a restart, settable live)``.
        """
        required = attempt.driver.required_settings(role, attempt.caps)
        missing = rendering.missing_settings(
            server_state.read_variables(service, tuple(required)), required)
        live = [name for name in missing if name in rendering.LIVE_SETTINGS]
        return [name for name in missing if name not in live], live

    def _usable_config(self, text, role, service, attempt):
        """``text`` if this server can start with it and it has what the
        mode needs; otherwise our own rendering, with a warning.
        """
        ours = self.render_config(role, service, attempt)
        if not (text or '').strip():
            return ours.text
        required = attempt.driver.required_settings(role, attempt.caps)
        problems = rendering.check_config(text, attempt.caps)
        problems += ['%s is not set' % name for name in
                     rendering.missing_settings(
                         rendering.parse_config(text), required,
                         from_file=True)]
        if problems:
            LOG.warning('The %s configuration given for %s cannot be used '
                        '(%s); using %s instead', role,
                        attempt.state.version, '; '.join(problems),
                        ours.template)
            return ours.text
        return text

    def _apply_config(self, service, role, text, attempt):
        """Write the override; restart only when the running server lacks
        a setting that cannot be changed live (``read_only`` can).
        """
        restart, live = self.missing_settings(service, attempt, role)
        # Always persist this role's settings: the running ones may come
        # from the other role's file, which demote_master / detach_slave
        # remove before the next restart.
        if role == 'replica_source':
            service.write_replication_source_overrides(text)
        else:
            service.write_replication_replica_overrides(text)
        if not restart:
            for name in live:
                self._run(service, rendering.LIVE_SETTINGS[name](
                    attempt.dialect))
            self._report('%s runs with the %s settings%s; no restart '
                         'needed', attempt.state.version, role,
                         ' (%s set live)' % ', '.join(live) if live else '')
            return False
        self._report('Writing %s settings (%s) and restarting', role,
                     ', '.join(restart + live))
        service.restart()
        still = sum(self.missing_settings(service, attempt, role), [])
        if still:
            raise exceptions.ReplicationError(
                'after the restart %s still lacks %s: another configuration '
                'file overrides the replication settings'
                % (attempt.state.version, ', '.join(still)))
        return True

    # -- replication accounts --------------------------------------------
    def create_account(self, service, attempt, identity=None):
        """The replication account of a replica, with a new password.

        ``identity`` (what identifies the replica) names the account, so
        a repeated attach of the same replica reuses it; None gives a new
        random name. Returns ``({'name', 'password'}, created)``.
        """
        d = attempt.dialect
        name = accounts.account_name(self.options.replication_user_prefix,
                                     identity, attempt.caps)
        password = accounts.new_password()
        exists = int(service.execute_sql(
            d.count_accounts(name).sql).scalar() or 0)
        if exists:
            self._run(service, d.set_replication_password(name, password))
            statements = d.create_replication_user(name, password)[1:]
        else:
            statements = d.create_replication_user(name, password)
        for stmt in statements:
            self._run(service, stmt)
        return {'name': name, 'password': password}, not exists

    def drop_account(self, service, name, on_replica=False):
        """Drop a replication account; one already gone is fine.

        ``on_replica``: the drop must not become a transaction of the
        replica's own (seed 004), so it runs without binary logging.
        """
        caps = server_state.read_version(service)[1]
        stmt = dialect.Dialect(caps).drop_user(name)
        LOG.debug('SQL: %s', stmt)
        try:
            if on_replica:
                unlogged.run(service, [stmt.sql])
            else:
                service.execute_sql(stmt.sql)
        except Exception as exc:
            if errcodes.error_number(exc) != errcodes.ER_CANNOT_USER:
                raise

    def current_position(self, service, attempt=None):
        """The server's position as ``replica_conf['log_position']``:
        binlog coordinates with the GTIDs executed exactly there.
        """
        caps = attempt.caps if attempt else \
            server_state.read_version(service)[1]
        start = server_state.current_position(service, caps)
        if start is None:
            return {}
        return trove_contract.position_dict(
            start.log_file, start.log_pos, start.gtid_set, start.mariadb_pos)

    def replica_context(self, service, identity=None):
        """What a replica needs to (re-)point to this server: where it is,
        where it stands (with its user schemas, read just after, so a
        binlog-position attach can tell an empty source), an account.
        The position is read before the account is created, so a replica
        starting there also gets the account.
        """
        attempt = self.attempt(service)
        start = server_state.current_position(service, attempt.caps)
        position = {}
        if start is not None:
            position = trove_contract.position_dict(
                start.log_file, start.log_pos, start.gtid_set,
                start.mariadb_pos,
                promoted_from=self._promotions.get(attempt.state.server_id),
                source_schemas=server_state.read_user_schemas(service))
        user, created = self.create_account(service, attempt, identity)
        return trove_contract.replica_context(
            self.get_master_ref(service, None), position, user), created

    # -- Trove's interface -----------------------------------------------
    def get_master_ref(self, service, snapshot_info):
        """Where replicas reach this source: ``{'host', 'port'}``, the
        address Trove's own strategies give (network isolation included,
        see :mod:`trove_gtid_strategy.guest.addresses`).
        """
        from trove_gtid_strategy.guest import addresses
        return {'host': addresses.replication_host(service, self._conf),
                'port': service.get_port()}

    def backup_required_for_replication(self):
        return True

    def snapshot_for_replication(self, context, service, adm, location,
                                 snapshot_info):
        """Back up the source for a new replica and create its account.

        The backup tool records the exact start point inside the backup
        (``xtrabackup_binlog_info`` / ``mariadb_backup_binlog_info``); the
        position returned in ``log_position`` is the source's position
        after the backup, for information only, never used as a seed.
        """
        attempt = self.attempt(service)
        if not attempt.state.log_bin:
            raise exceptions.ReplicationError(
                'cannot snapshot %s for replication: it writes no binary '
                'log; enable it as a source first' % attempt.state.version)
        if snapshot_info.get('storage_driver') not in ('cinder',):
            self._report('Creating backup %s for replication',
                         snapshot_info.get('id'))
            service.create_backup(context, snapshot_info,
                                  volumes_mapping=_BACKUP_VOLUMES)
        position = self.current_position(service, attempt)
        # Named after the snapshot: the replicas built from it share the
        # account, and a retried snapshot reuses it.
        user, _ = self.create_account(service, attempt,
                                      identity=snapshot_info.get('id'))
        return snapshot_info['id'], {'log_position': position,
                                     'replication_user': user}

    def enable_as_master(self, service, master_config):
        """Make the server a replication source; idempotent."""
        attempt = self.attempt(service)
        text = self._usable_config(master_config, 'replica_source', service,
                                   attempt)
        self._apply_config(service, 'replica_source', text, attempt)
        self._apply_durability(service, attempt, 'replica_source')

    def enable_as_slave(self, service, master_info, slave_config):
        """Attach this server as a replica of ``master_info['master']``.

        With ``master_info['dataset']`` the replica was restored from a
        backup and starts at the backup's recorded point; without it an
        existing replica is re-pointed, as its mode's driver allows.
        Everything is decided first; a refusal changes nothing.
        """
        attempt = self.attempt(service)
        plan = self.last_plan = self.plan_attach(service, attempt,
                                                 master_info)
        text = self._usable_config(slave_config, 'replica', service, attempt)
        self._apply_config(service, 'replica', text, attempt)
        self._apply_durability(service, attempt, 'replica')
        d = attempt.dialect
        if server_state.read_replica_status(service, d) is not None:
            self._run(service, d.stop_replica())
        for stmt in plan.statements:
            self._run(service, stmt)
        self._run(service, d.start_replica())
        self.wait_for_replica_running(service)

    def plan_attach(self, service, attempt, master_info):
        """Read, check and decide an attach; raise PrecheckFailed on a
        refusal. Nothing is changed here.
        """
        request = trove_contract.read_master_info(master_info, attempt.caps)
        if request.seeded:
            seed = request.seed or backup_files.read_start_point(
                service.get_data_dir())
            request = dataclasses.replace(request, seed=seed)
            self._report('Seeding from %s', seed.describe())
        source = self._probe.read(request.source, request.tls)
        plan = modes_base.plan_attach(
            attempt.driver, source, attempt.state, request,
            allow_crash_unsafe=self.options.allow_crash_unsafe_binlog,
            connect_retry=self.options.connect_retry)
        for note in plan.result.notes:
            self._report('Note: %s', note)
        if not plan.ok:
            raise exceptions.PrecheckFailed(
                'refusing to attach %s to %s:%s in %s mode: %s (the '
                'replication account %s on the source is unused)' % (
                    attempt.state.version, request.source.host,
                    request.source.port, attempt.mode,
                    plan.result.describe(), request.source.user),
                plan.result)
        self._report('Pre-checks passed: replica is %s', plan.result.verdict)
        return plan

    def detach_slave(self, service, for_failover):
        """Stop replicating and forget the source; safe to call twice.

        Returns ``{'replication_user': name}``. The account is dropped on
        this server unless the detach is part of a failover, without
        binary logging (a replica's own transaction would be errant); the
        caller drops it on the source with
        :meth:`cleanup_source_on_replica_detach`.
        """
        attempt = self.attempt(service)
        d = attempt.dialect
        status = attempt.state.replica
        user = None
        if status is not None:
            user = status.source_user or None
            self._run(service, d.stop_replica())
            self._remember_promotion(service, attempt)
            self._run(service, d.reset_replica_all())
            if user and not for_failover:
                self.drop_account(service, user, on_replica=True)
        service.remove_replication_replica_overrides()
        # The replica settings only added read_only that matters at run
        # time; clearing it live spares a restart.
        if attempt.state.read_only:
            self._run(service, d.set_read_only(False))
        return {'replication_user': user}

    def _remember_promotion(self, service, attempt):
        stopped = server_state.read_state(service, binlog_files=False)
        point = attempt.driver.promotion_point(stopped,
                                               stopped.binlog_position)
        if point is not None:
            self._report('Promotion point recorded: %s', point.describe())
            self._promotions[stopped.server_id] = point

    def get_replica_context(self, service, adm):
        """What an existing replica needs to re-point to this server."""
        context, _ = self.replica_context(service)
        return context

    def cleanup_source_on_replica_detach(self, admin_service, replica_info):
        """Drop the detached replica's user on the source; safe twice."""
        name = (replica_info or {}).get('replication_user')
        if not name:
            return
        try:
            admin_service.delete_user_by_name(name)
        except Exception as exc:
            if errcodes.error_number(exc) != errcodes.ER_CANNOT_USER:
                raise
            LOG.info('Replication user %s was already gone', name)

    def demote_master(self, service):
        """Stop being a source: remove the source settings; safe twice."""
        if service.exists_replication_source_overrides():
            service.remove_replication_source_overrides()
            service.restart()

    # -- beyond Trove ----------------------------------------------------
    def wait_for_replica_running(self, service, timeout=None, name=None):
        """Wait until both replication threads run; fail at once with the
        server's error when a thread stops on one.
        """
        return waits.until_running(
            service, name or _name(service),
            timeout or self.options.replica_start_timeout,
            self.options.poll_interval, self._progress)

    def wait_until_applied(self, service, position, timeout=None, name=None):
        """Wait until the replica applied ``position``, a dict as in
        ``replica_conf['log_position']`` (GTIDs when present, else the
        source's file and position).
        """
        start = seeding.from_dataset(position, 'position to wait for')
        if start is None:
            raise exceptions.InvalidInput('no position to wait for: %r'
                                          % (position,))
        waits.until_applied(service, name or _name(service), start,
                            timeout or self.options.catch_up_timeout,
                            self._progress)

    def _progress(self, message):
        LOG.debug(message)
        if self.progress is not None:
            self.progress(message)


def _log_names(state):
    """The binary and relay log names a server already uses (MySQL 8+
    starts with ``binlog`` and ``HOST-relay-bin``), so a rendered config
    keeps them.
    """
    names = {}
    for key, variable in (('log_bin_name', 'log_bin_basename'),
                          ('relay_log_name', 'relay_log_basename')):
        if state.setting(variable):
            names[key] = state.setting(variable)
    return names


def _name(service):
    """How progress names a server."""
    dsn = getattr(service, 'dsn', None)
    if dsn is not None:
        return '%s:%s' % (dsn.host, dsn.port)
    return 'this server (port %s)' % service.get_port()


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
    """MySQL / Percona GTIDs with auto-positioning (5.6.10+)."""

    requested_mode = 'gtid'
    flavor_family = 'mysql'


class MariaDBGTIDReplication(ReplicationStrategy):
    """MariaDB GTIDs (``MASTER_USE_GTID = slave_pos``, 10.0.10+)."""

    requested_mode = 'gtid'
    flavor_family = 'mariadb'


__all__ = ['AutoReplication', 'MysqlBinlogReplication',
           'MysqlGTIDReplication', 'MariaDBGTIDReplication',
           'ReplicationStrategy']
