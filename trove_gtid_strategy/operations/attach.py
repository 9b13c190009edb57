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

"""Attaching a replica to a source outside Trove, all or nothing.

The order is what makes a refusal leave everything as it was:

1. the checks that need no account, with the administrator's view of
   both servers (versions, server ids, crash safety, errant and purged
   transactions, the seed): a refusal here changes nothing;
2. the settings both servers need: when one lacks them and nobody here
   can restart it, nothing is changed (or, with a ``conf.d`` directory,
   only the override files are written) and the exact settings are
   reported (:class:`RestartRequired`);
3. the source is enabled, the replica's account created (or its password
   reset on a repeated attach), and the attach checked again as the
   replica's I/O thread will log in;
4. any failure after the account was created drops it again.

Library function first: the ``trove-gtid attach`` command only parses,
calls and prints.
"""

import dataclasses

from oslo_log import log as logging

from trove_gtid_strategy import accounts
from trove_gtid_strategy import dialect
from trove_gtid_strategy import exceptions
from trove_gtid_strategy.guest import replication_accounts
from trove_gtid_strategy.guest import source_probe
from trove_gtid_strategy.modes import base as modes_base
from trove_gtid_strategy import seeding

LOG = logging.getLogger(__name__)


@dataclasses.dataclass
class AttachResult:
    """What an attach did (the command prints it)."""

    mode: str
    reason: str
    verdict: str
    replication_user: str
    #: Where the replica may log in from, and what it must present.
    account_host: str
    account_require: str
    account_created: bool
    start: str
    notes: list


def replica_identity(replica):
    """What names a replica's account: its address as the operator gave
    it, stable across restarts and server_id changes.
    """
    dsn = replica.dsn
    return dsn.unix_socket or '%s:%d' % (dsn.host, dsn.port)


def account_of(repl, replica, attempt):
    """The name of the replica's replication account."""
    return accounts.account_name(repl.options.replication_user_prefix,
                                 replica_identity(replica), attempt.caps)


def account_host(repl, source, replica):
    """The host pattern of the replica's account on ``source``: the
    ``replication_account_host`` option (``--account-host``) when given,
    ``%`` only then; else the address the replica connects from as the
    source sees it, learned when this process runs on the replica's host
    (a unix socket, or a client the replica sees as local) from a TCP
    connection to the address the replica is given. Elsewhere that
    address cannot be told from here: refused, naming the option, with
    nothing changed. Every attach then logs in as the replica will
    (:mod:`~trove_gtid_strategy.guest.source_probe`), so a pattern that
    does not admit it fails before the replica is changed.
    """
    given = repl.options.replication_account_host
    if given:
        return accounts.check_host_pattern(given, '--account-host')
    local = bool(replica.dsn.unix_socket) or \
        source_probe.client_host(replica) in source_probe.LOCAL_CLIENT
    if not local:
        raise exceptions.InvalidInput(
            'the address %s connects to the source from cannot be learned '
            'here (this process does not run on its host): give '
            '--account-host (replication_account_host) with the address '
            'or a pattern such as 10.0.0.%%; %% admits every address'
            % replica.dsn.redacted())
    host, port = repl.address(source)
    return source_probe.client_host_at(source.dsn, host, port)


def tls_of(tls_mode, ca_file='', cert_file='', key_file=''):
    """The :class:`~trove_gtid_strategy.dialect.Tls` of a command-line
    choice: ``required`` encrypts, ``verify`` also checks the source's
    certificate against ``ca_file`` (as Trove's ``verify_ca``).
    """
    if tls_mode in (None, 'off'):
        return dialect.Tls()
    return dialect.Tls(enabled=True, verify_server_cert=tls_mode == 'verify',
                       ca=ca_file or '', cert=cert_file or '',
                       key=key_file or '')


def preflight(repl, source, replica, seed=None, tls=None):
    """Decide the attach with the administrator's view; raise
    PrecheckFailed on a refusal. Returns both attempts and the plan.
    """
    src = repl.attempt(source)
    rep = repl.attempt(replica)
    if src.mode is not rep.mode:
        raise exceptions.PrecheckFailed(
            'source %s would replicate in %s mode but replica %s in %s '
            'mode' % (src.state.version, src.mode, rep.state.version,
                      rep.mode))
    source_state = src.state
    position = repl.position(source, src)
    if not source_state.log_bin:
        # Enabling the source turns its binary log on: judge the attach
        # as it will stand then, at the start of an empty binary log.
        source_state = dataclasses.replace(source_state, log_bin=True)
        position = seeding.StartPoint(
            'the source once its binary log is on', 'binlog.000001', 4,
            source_state.gtid_executed if source_state.has_gtids else None,
            source_state.gtid_binlog_pos)
    # The replica's account, not created yet: these checks come first.
    address = dialect.SourceAddress(source.dsn.host, source.dsn.port,
                                    account_of(repl, replica, rep), '')
    request = modes_base.AttachRequest(
        source=address, tls=tls or dialect.Tls(), seeded=seed is not None,
        seed=seed, position=position)
    plan = modes_base.plan_attach(
        rep.driver, source_state, rep.state, request,
        allow_crash_unsafe=repl.options.allow_crash_unsafe_binlog,
        connect_retry=repl.options.connect_retry)
    if not plan.ok:
        raise exceptions.PrecheckFailed(
            'refusing to attach %s to %s in %s mode: %s' % (
                replica.dsn.redacted(), source.dsn.redacted(), rep.mode,
                plan.result.describe()), plan.result)
    return src, rep, plan


def settings_needed(repl, source, replica, src, rep):
    """Raise RestartRequired, before anything changes, when a server lacks
    settings and nobody here can restart it; its override file is
    written first when its ``conf.d`` directory is known.
    """
    pending = []
    for svc, attempt, role in ((source, src, 'replica_source'),
                               (replica, rep, 'replica')):
        missing, _ = repl.config.missing_settings(svc, attempt, role)
        if missing and not svc.can_restart:
            pending.append((svc, attempt, role, missing))
    if not pending:
        return
    texts = []
    for svc, attempt, role, missing in pending:
        rendered = repl.config.render(role, svc, attempt)
        if role == 'replica_source':
            svc.write_replication_source_overrides(rendered.text)
        else:
            svc.write_replication_replica_overrides(rendered.text)
        texts.append(svc.pending_settings())
    names = ', '.join('%s (%s lacks %s)' % (
        svc.dsn.redacted(), 'source' if role == 'replica_source'
        else 'replica', ', '.join(missing))
        for svc, _, role, missing in pending)
    written = all(svc.conf_dir for svc, _, _, _ in pending)
    raise exceptions.RestartRequired(
        'restart needed: %s; %s, restart, then run the command again'
        % (names, 'the override files are written' if written
           else 'add the settings below to each my.cnf'),
        settings='\n'.join(texts))


def dry_run(repl, source, replica, src, rep, plan, host, tls):
    """What an attach would do, sending nothing: the decision, the
    settings each server lacks, and the replica's statements (the
    account's name and password are made at the real run).
    """
    steps = []
    for svc, attempt, role in ((source, src, 'replica_source'),
                               (replica, rep, 'replica')):
        restart, live = repl.config.missing_settings(svc, attempt, role)
        if restart:
            steps.append('%s: write the %s settings and restart (it lacks '
                         '%s)' % (svc.dsn.redacted(), role,
                                  ', '.join(restart)))
        for name in live:
            steps.append('%s: set %s live' % (svc.dsn.redacted(), name))
    require = accounts.tls_requirement(tls)
    steps.append('%s: create or reset the replication account %s@%s%s'
                 % (source.dsn.redacted(), account_of(repl, replica, rep),
                    host, '' if require == accounts.REQUIRE_NONE
                    else ' REQUIRE %s' % require))
    steps += ['%s: %s' % (replica.dsn.redacted(), stmt)
              for stmt in plan.statements]
    return AttachResult(
        mode=str(rep.mode), reason=rep.reason,
        verdict=str(plan.result.verdict), replication_user='',
        account_host=host, account_require=accounts.tls_requirement(tls),
        account_created=False,
        start=plan.start.describe() if plan.start is not None
        else 'the source sends what the replica lacks (GTIDs)',
        notes=list(plan.result.notes) + steps)


def attach(repl, source, replica, seed=None, tls_mode=None, ca_file='',
           cert_file='', key_file='', dry_run_only=False):
    """Attach ``replica`` to ``source`` (our services); see the module
    docstring for the order. Returns an :class:`AttachResult`;
    ``dry_run_only`` returns the plan (:func:`dry_run`) instead.
    """
    tls = tls_of(tls_mode, ca_file, cert_file, key_file)
    src, rep, plan = preflight(repl, source, replica, seed, tls)
    host = account_host(repl, source, replica)
    if dry_run_only:
        return dry_run(repl, source, replica, src, rep, plan, host, tls)
    settings_needed(repl, source, replica, src, rep)
    repl.enable_source(source)
    context = repl.source_context(source, replica_identity(replica), host,
                                  accounts.tls_requirement(tls))
    account = context.account
    request = dataclasses.replace(context.request, tls=tls,
                                  seeded=seed is not None, seed=seed)
    try:
        done = repl.attach(replica, request)
    except BaseException:
        if account.created:
            LOG.info('Attach failed: dropping the account %s it created on '
                     'the source', account.name)
            replication_accounts.drop_account(source, account.name,
                                              hosts=(account.host,))
        raise
    # Only now: a refused attach leaves the account it replaces as it was.
    replication_accounts.drop_account(source, account.name,
                                      hosts=account.replaced_hosts)
    # The plan made as the replica's I/O thread logs in, not the
    # administrator's preview.
    return AttachResult(
        mode=str(done.mode), reason=done.reason,
        verdict=str(done.plan.result.verdict),
        replication_user=account.name, account_host=account.host,
        account_require=account.require,
        account_created=account.created,
        start=done.plan.start.describe() if done.plan.start is not None
        else 'the source sends what the replica lacks (GTIDs)',
        notes=list(done.plan.result.notes))
