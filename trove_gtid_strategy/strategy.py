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

from oslo_config import cfg
from oslo_log import log as logging

from trove_gtid_strategy import capabilities
from trove_gtid_strategy import dialect
from trove_gtid_strategy import errcodes
from trove_gtid_strategy import exceptions
from trove_gtid_strategy.guest import backup_files
from trove_gtid_strategy.guest import replication_accounts
from trove_gtid_strategy.guest import server_config
from trove_gtid_strategy.guest import server_state
from trove_gtid_strategy.guest import source_probe
from trove_gtid_strategy.guest import waits
from trove_gtid_strategy import modes
from trove_gtid_strategy.modes import base as modes_base
from trove_gtid_strategy import opts
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
        self._probe = probe or source_probe.SourceProbe()
        #: The servers' replication settings (rendering, applying).
        self.config = server_config.ServerConfig(self._conf, self._report,
                                                 renderer)
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
        user, created = replication_accounts.create_account(
            service, attempt.caps, self.options.replication_user_prefix,
            identity)
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
        user, _ = replication_accounts.create_account(
            service, attempt.caps, self.options.replication_user_prefix,
            identity=snapshot_info.get('id'))
        return snapshot_info['id'], {'log_position': position,
                                     'replication_user': user}

    def enable_as_master(self, service, master_config):
        """Make the server a replication source; idempotent."""
        attempt = self.attempt(service)
        text = self.config.usable_config(master_config, 'replica_source',
                                         service, attempt)
        self.config.apply(service, 'replica_source', text, attempt)
        self.config.apply_durability(service, attempt, 'replica_source')

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
        text = self.config.usable_config(slave_config, 'replica', service,
                                         attempt)
        self.config.apply(service, 'replica', text, attempt)
        self.config.apply_durability(service, attempt, 'replica')
        d = attempt.dialect
        if server_state.read_replica_status(service, d) is not None:
            self._run(service, d.stop_replica())
            plan = self.last_plan = self._settled_plan(
                service, attempt, master_info, plan)
        for stmt in plan.statements:
            self._run(service, stmt)
        self._run(service, d.start_replica())
        self.wait_for_replica_running(service)

    def _settled_plan(self, service, attempt, master_info, plan):
        """``plan``, or a new one when the replica applied transactions
        between the read it was made from and the stop of its threads: a
        start point taken from a moving replica could send it back over
        what it has just applied (MariaDB then stops on error 1950). A
        refusal now starts its threads again, leaving it as it was.
        """
        settled = server_state.read_state(service)
        if settled.progress() == attempt.state.progress():
            return plan
        self._report('%s applied transactions while it was checked: '
                     'checking it again with its threads stopped',
                     _name(service))
        try:
            return self.plan_attach(service, self.attempt(service, settled),
                                    master_info)
        except BaseException:
            self._run(service, attempt.dialect.start_replica())
            raise

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
        service.remove_replication_replica_overrides()
        # The replica settings only added read_only (and MySQL's
        # super_read_only, which turning read_only off also turns off)
        # that matter at run time; clearing them live spares a restart,
        # and lets the account be dropped.
        if attempt.state.read_only:
            self._run(service, d.set_read_only(False))
        if user and not for_failover:
            replication_accounts.drop_account(service, user,
                                              on_replica=True)
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
        """Drop the detached replica's user on the source; safe twice.

        With ``DROP USER IF EXISTS`` where the server has it: the detached
        replica dropped its copy already, and if it is attached again it
        replays this drop, which must not stop it (Trove's own
        ``delete_user_by_name`` sends a plain ``DROP USER``). The admin
        object's service (Trove's ``mysql_app``, our ``service``) runs it;
        an admin object without one is asked to delete the user.
        """
        name = (replica_info or {}).get('replication_user')
        if not name:
            return
        app = (getattr(admin_service, 'mysql_app', None)
               or getattr(admin_service, 'service', None))
        try:
            if app is not None and hasattr(app, 'execute_sql'):
                replication_accounts.drop_account(app, name)
            else:
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


def _name(service):
    """How progress names a server."""
    dsn = getattr(service, 'dsn', None)
    if dsn is not None:
        return '%s:%s' % (dsn.host, dsn.port)
    return 'this server (port %s)' % service.get_port()


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
