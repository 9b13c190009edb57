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

"""Typed verbs on a server: enable a source, describe it to a replica,
attach, detach, wait. They take and return dataclasses; Trove's dicts
are read and written only at its door (:mod:`trove_gtid_strategy.strategy`,
with :mod:`trove_gtid_strategy.trove_contract`), and the command line's
operations (:mod:`trove_gtid_strategy.operations`) call these directly.

At every call the server is asked what it is (a datastore version label
is only a hint), the mode is chosen and its driver
(:mod:`trove_gtid_strategy.modes`) decides; the source is read by an
injected probe. Nothing is changed before an attach is decided: a
refusal raises :class:`~trove_gtid_strategy.exceptions.PrecheckFailed`
and leaves the replica as it was.
"""

import dataclasses

from oslo_log import log as logging

from trove_gtid_strategy import accounts
from trove_gtid_strategy import capabilities
from trove_gtid_strategy import dialect
from trove_gtid_strategy import exceptions
from trove_gtid_strategy.guest import backup_files
from trove_gtid_strategy.guest import naming
from trove_gtid_strategy.guest import replication_accounts
from trove_gtid_strategy.guest import restart_recovery
from trove_gtid_strategy.guest import server_config
from trove_gtid_strategy.guest import server_state
from trove_gtid_strategy.guest import source_probe
from trove_gtid_strategy.guest import waits
from trove_gtid_strategy import modes
from trove_gtid_strategy.modes import base as modes_base
from trove_gtid_strategy import opts
from trove_gtid_strategy import seeding
from trove_gtid_strategy import versions

LOG = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Attempt:
    """The server facts one call works with."""

    state: object
    caps: object
    mode: modes.Mode
    reason: str
    driver: modes_base.ModeDriver

    @property
    def dialect(self):
        return dialect.Dialect(self.caps)


@dataclasses.dataclass(frozen=True)
class SourceContext:
    """What a replica needs to (re-)point to a source: the request to
    attach with (address, account, position, promotion point, user
    schemas; TLS and seed are the caller's to add), and the account as
    created (a failed attach drops it when it was created by this call).
    """

    request: modes_base.AttachRequest
    account: replication_accounts.Account


@dataclasses.dataclass(frozen=True)
class AttachOutcome:
    """An attach done: the mode chosen and the plan that ran (made with
    the replica's threads stopped, as its I/O thread logs in).
    """

    mode: modes.Mode
    reason: str
    plan: modes_base.AttachPlan


@dataclasses.dataclass(frozen=True)
class DetachOutcome:
    """A detach done: the account the replica used (None if it was not a
    replica) and, in binlog-position mode, where it stood when detached
    for a promotion.
    """

    replication_user: str | None
    promotion_point: modes_base.PromotionPoint | None = None


class Replication:
    """The verbs, with their options (``conf``, an oslo.config object with
    the ``[trove_gtid_strategy]`` group registered) passed in.

    ``requested_mode`` pins the mode (else the ``replication_mode``
    option); ``flavor_family`` ('mysql' or 'mariadb') refuses servers of
    the other family.
    """

    requested_mode = None
    flavor_family = None

    def __init__(self, conf, renderer=None, progress=None, probe=None):
        self._conf = conf
        self._probe = probe or source_probe.SourceProbe()
        #: The servers' replication settings (rendering, applying).
        self.config = server_config.ServerConfig(conf, self._report,
                                                 renderer)
        #: Called with a message at every step and poll, when set (the
        #: command line shows these; Trove only logs them).
        self.progress = progress
        #: The mode the last call chose (for reports).
        self.last_mode = None
        #: Binlog mode: where each server (by server_id) stood when it
        #: was detached for a promotion, until it describes itself to its
        #: new replicas (Trove caches one strategy per guest, so the
        #: detach and the later context of a promotion meet here).
        self._promotions = {}

    @property
    def options(self):
        return getattr(self._conf, opts.GROUP)

    def _report(self, message, *args):
        LOG.info(message, *args)
        if self.progress is not None:
            self.progress(message % args if args else message)

    def _progress(self, message):
        LOG.debug(message)
        if self.progress is not None:
            self.progress(message)

    def _run(self, service, stmt):
        LOG.debug('SQL: %s', stmt)
        return service.execute_sql(stmt.sql)

    # -- what the server is ----------------------------------------------
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

    def position(self, service, attempt=None):
        """The server's position: a
        :class:`~trove_gtid_strategy.seeding.StartPoint` with the GTIDs
        executed exactly at its binlog coordinates, or None without a
        binary log.
        """
        caps = attempt.caps if attempt else \
            server_state.read_version(service)[1]
        return server_state.current_position(service, caps)

    def address(self, service):
        """``(host, port)`` where replicas reach this source: the address
        Trove's own strategies give (network isolation included, see
        :mod:`trove_gtid_strategy.guest.addresses`).
        """
        # Imported here: oslo.utils' netutils costs every command ~50 ms
        # at start, and only an attach needs it.
        from trove_gtid_strategy.guest import addresses
        return (addresses.replication_host(service, self._conf),
                service.get_port())

    def create_account(self, service, attempt, identity=None, host=None,
                       require=accounts.REQUIRE_NONE):
        """The replication :class:`~trove_gtid_strategy.guest.
        replication_accounts.Account` of ``identity`` (a replica's
        address, a snapshot id) on this source, created, or its password
        reset when it exists. ``host``: its host pattern, default the
        ``replication_account_host`` option, else the host the account
        has, else any host.
        """
        return replication_accounts.create_account(
            service, attempt.caps, self.options.replication_user_prefix,
            identity, host or self.options.replication_account_host,
            require)

    # -- the verbs ---------------------------------------------------------
    def enable_source(self, service, settings_text=None):
        """Make the server a replication source; idempotent.
        ``settings_text``: the caller's ``my.cnf`` text (Trove's
        ``master_config``), used where this server can start with it.
        """
        attempt = self.attempt(service)
        text = self.config.usable_config(settings_text, 'replica_source',
                                         service, attempt)
        self.config.apply(service, 'replica_source', text, attempt)
        self.config.apply_durability(service, attempt, 'replica_source')

    def source_context(self, service, identity=None, host=None,
                       require=accounts.REQUIRE_NONE):
        """What a replica needs to (re-)point to this server: where it
        is, where it stands (with its user schemas, read just after, so a
        binlog-position attach can tell an empty source), an account
        (see :meth:`create_account`). The position is read before the
        account is created, so a replica starting there also gets the
        account.
        """
        attempt = self.attempt(service)
        start = self.position(service, attempt)
        schemas = None
        if start is not None:
            schemas = server_state.read_user_schemas(service)
        account = self.create_account(service, attempt, identity, host,
                                      require)
        address, port = self.address(service)
        return SourceContext(modes_base.AttachRequest(
            source=dialect.SourceAddress(address, port, account.name,
                                         account.password),
            position=start,
            promoted_from=self._promotions.get(attempt.state.server_id)
            if start is not None else None,
            source_schemas=schemas), account)

    def attach(self, service, request, settings_text=None):
        """Attach this server as a replica, as ``request`` (an
        :class:`~trove_gtid_strategy.modes.base.AttachRequest`) says.

        A seeded request was restored from a backup and starts at the
        backup's recorded point (read from the data directory when the
        request does not carry it); otherwise an existing replica is
        re-pointed, as its mode's driver allows. Everything is decided
        first; a refusal changes nothing.
        """
        attempt = self.attempt(service)
        plan = self.plan_attach(service, attempt, request)
        text = self.config.usable_config(settings_text, 'replica', service,
                                         attempt)
        self.config.apply(service, 'replica', text, attempt)
        self.config.apply_durability(service, attempt, 'replica')
        d = attempt.dialect
        if server_state.read_replica_status(service, d) is not None:
            self._run(service, d.stop_replica())
            plan = self._settled_plan(service, attempt, request, plan)
        for stmt in plan.statements:
            self._run(service, stmt)
        self._run(service, d.start_replica())
        self.wait_for_replica_running(service)
        return AttachOutcome(attempt.mode, attempt.reason, plan)

    def _settled_plan(self, service, attempt, request, plan):
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
                     naming.name_of(service))
        try:
            return self.plan_attach(service, self.attempt(service, settled),
                                    request)
        except BaseException:
            self._run(service, attempt.dialect.start_replica())
            raise

    def plan_attach(self, service, attempt, request):
        """Read, check and decide an attach; raise PrecheckFailed on a
        refusal. Nothing is changed here.
        """
        if request.seeded:
            seed = request.seed or backup_files.read_start_point(
                service.get_data_dir())
            request = dataclasses.replace(request, seed=seed)
            self._report('Seeding from %s', seed.describe())
        source = self._probe.read(request.source, request.tls)
        plan = self._plan(attempt, source, request)
        if not plan.ok and plan.resume_from is not None:
            plan = self._plan_resume(attempt, source, request, plan)
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

    def _plan(self, attempt, source, request):
        return modes_base.plan_attach(
            attempt.driver, source, attempt.state, request,
            allow_crash_unsafe=self.options.allow_crash_unsafe_binlog,
            connect_retry=self.options.connect_retry)

    def _plan_resume(self, attempt, source, request, refused):
        """A binlog-position replica behind the source's position resumes
        where the source's binary log has exactly what it holds, when
        there is such a point; else the refusal stands.
        """
        found = self._probe.resume_point(request.source, request.tls,
                                         refused.resume_from)
        if found is None:
            self._report('Note: the source\'s binary logs have no point '
                         'where it held exactly %s', refused.resume_from)
            return refused
        self._report('Resuming at %s:%d of the source, where it held '
                     'exactly what the replica holds; it receives %s',
                     found.log_file, found.log_pos, found.rest or 'nothing')
        return self._plan(attempt, source, dataclasses.replace(
            request, position=seeding.StartPoint(
                'the source\'s binary log where it held what the replica '
                'holds', found.log_file, found.log_pos,
                gtid_set=refused.resume_from)))

    def detach(self, service, for_failover):
        """Stop replicating and forget the source; safe to call twice.

        The account is dropped on this server unless the detach is part
        of a failover, without binary logging (a replica's own
        transaction would be errant); the caller drops it on the source.
        """
        attempt = self.attempt(service)
        d = attempt.dialect
        status = attempt.state.replica
        user = point = None
        if status is not None:
            user = status.source_user or None
            self._run(service, d.stop_replica())
            point = self._promotion_point(service, attempt)
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
        return DetachOutcome(user, point)

    def _promotion_point(self, service, attempt):
        stopped = server_state.read_state(service, binlog_files=False)
        point = attempt.driver.promotion_point(stopped,
                                               stopped.binlog_position)
        if point is not None:
            self._report('Promotion point recorded: %s', point.describe())
            self._promotions[stopped.server_id] = point
        return point

    def demote_source(self, service):
        """Stop being a source: remove the source settings; safe twice.

        A server attached as a replica before (Trove's promote attaches
        the old source, then demotes it) replicates again after the
        restart (see :mod:`~trove_gtid_strategy.guest.restart_recovery`).
        """
        if not service.exists_replication_source_overrides():
            return
        service.remove_replication_source_overrides()
        service.restart()
        restart_recovery.resume_replication(service,
                                            self.wait_for_replica_running)

    # -- waits -------------------------------------------------------------
    def wait_for_replica_running(self, service, timeout=None, name=None):
        """Wait until both replication threads run; fail at once with the
        server's error when a thread stops on one.
        """
        return waits.until_running(
            service, name or naming.name_of(service),
            timeout or self.options.replica_start_timeout,
            self.options.poll_interval, self._progress)

    def wait_until_at(self, service, start, timeout=None, name=None):
        """Wait until the replica applied ``start`` (a
        :class:`~trove_gtid_strategy.seeding.StartPoint`: its GTIDs where
        both sides have them, else the source's file and position).
        """
        waits.until_applied(service, name or naming.name_of(service),
                            start, timeout or self.options.catch_up_timeout,
                            self._progress)
