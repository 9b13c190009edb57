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

"""Can this replica replicate from that source? Read-only.

:func:`check` reads both servers (never changes either) and classifies
the replica against the source with the mode driver an attach would use
(:func:`~trove_gtid_strategy.modes.base.plan_attach`, so ``check`` and
``attach`` never disagree):

``NEW``           the replica has no transactions yet;
``IDENTICAL``     it holds exactly the source's;
``RECOVERABLE``   it is behind, and the source still has what it needs;
``IRRECOVERABLE`` it is behind, and the source purged some of it;
``DIVERGED``      it holds transactions the source does not have;
``UNKNOWN``       nothing can tell (binlog-position mode without GTIDs).

The result names the errant and missing transactions, gives one remedy
per problem, says what could not be checked, and, for a replica that
replicates from this source now, its threads and lag. ``can_replicate``
is the command's exit status (0 when True). The ``trove-gtid check``
command only parses, calls :func:`check` and prints :meth:`CheckResult.
to_text` or :meth:`CheckResult.to_dict`.
"""

import dataclasses

from trove_gtid_strategy import capabilities
from trove_gtid_strategy import dangers
from trove_gtid_strategy import dialect
from trove_gtid_strategy import exceptions
from trove_gtid_strategy.guest import fence
from trove_gtid_strategy.guest import server as server_mod
from trove_gtid_strategy import modes
from trove_gtid_strategy.modes import base as modes_base
from trove_gtid_strategy import remedies
from trove_gtid_strategy import replication_view
from trove_gtid_strategy import topology

UNKNOWN = 'UNKNOWN'


@dataclasses.dataclass
class CheckResult:
    """The outcome of :func:`check`; ``to_dict()`` is JSON-ready."""

    source: str
    replica: str
    state: str
    can_replicate: bool
    mode: str
    mode_reason: str
    source_version: str
    replica_version: str
    errant: str = ''
    errant_detail: tuple = ()
    missing_purged: str = ''
    problems: tuple = ()
    remedies: tuple = ()
    notes: tuple = ()
    unchecked: tuple = ()
    #: The replica replicates from this very source now.
    replicating: bool = False
    #: ``host:port`` the replica replicates from ('' when it does not).
    current_source: str = ''
    #: Threads and last errors of that replication, when replicating.
    replication: dict | None = None
    lag: replication_view.Lag | None = None
    #: What is dangerous on either server
    #: (:class:`~trove_gtid_strategy.dangers.Danger`).
    dangers: tuple = ()

    def to_dict(self):
        return {
            'source': self.source, 'replica': self.replica,
            'state': self.state, 'can_replicate': self.can_replicate,
            'mode': self.mode, 'mode_reason': self.mode_reason,
            'source_version': self.source_version,
            'replica_version': self.replica_version,
            'errant': self.errant, 'errant_detail': list(self.errant_detail),
            'missing_purged': self.missing_purged,
            'problems': [{'code': p.code, 'message': p.message}
                         for p in self.problems],
            'remedies': [r.to_dict() for r in self.remedies],
            'notes': list(self.notes), 'unchecked': list(self.unchecked),
            'replicating': self.replicating,
            'current_source': self.current_source,
            'replication': dict(self.replication) if self.replication
            else None,
            'lag': self.lag.to_dict() if self.lag is not None else None,
            'dangers': [d.to_dict() for d in self.dangers],
        }

    def to_text(self):
        """What ``trove-gtid check`` prints without ``--json``."""
        out = ['replica %s against source %s' % (self.replica, self.source),
               'state: %s' % self.state,
               'can replicate: %s' % ('yes' if self.can_replicate else 'no'),
               'mode: %s (%s)' % (self.mode, self.mode_reason),
               'versions: source %s, replica %s' % (self.source_version,
                                                    self.replica_version)]
        if self.errant:
            out.append('errant: %s' % self.errant)
            out += ['  %s' % line for line in self.errant_detail]
        if self.missing_purged:
            out.append('missing, purged on the source: %s'
                       % self.missing_purged)
        if self.replicating:
            r = self.replication
            line = ('replicating from this source: I/O %s, SQL %s'
                    % (r['io_running'], r['sql_running']))
            if self.lag is not None:
                line += ', lag %s' % _lag_text(self.lag)
            out.append(line)
            for thread in ('io', 'sql'):
                if r['last_%s_errno' % thread]:
                    out.append('  last %s error %d: %s' % (
                        'I/O' if thread == 'io' else 'SQL',
                        r['last_%s_errno' % thread],
                        r['last_%s_error' % thread]))
        elif self.current_source:
            out.append('replicates now from %s, not from this source'
                       % self.current_source)
        for problem, remedy in zip(self.problems, self.remedies):
            out.append('problem %s: %s' % (problem.code, problem.message))
            out.append('  remedy (%s%s): %s' % (
                remedy.action, ', on the %s' % remedy.run_on
                if remedy.run_on else '', remedy.text))
            out += ['    %s;' % sql for sql in remedy.statements]
        out += ['note: %s' % note for note in self.notes]
        out += ['not checked: %s' % item for item in self.unchecked]
        return '\n'.join(out)


def _lag_text(lag):
    parts = []
    if lag.seconds is not None:
        parts.append('%d s' % lag.seconds)
    if lag.transactions is not None:
        parts.append('%d transactions' % lag.transactions)
    if lag.unapplied_bytes and lag.transactions is None:
        parts.append('%d bytes unapplied' % lag.unapplied_bytes)
    return ', '.join(parts) or 'unknown'


def endpoint(service, state, name):
    """The :class:`~trove_gtid_strategy.replication_view.Endpoint`
    replicas of this server name: the host it is reached at, its port and
    server_id.
    """
    dsn = getattr(service, 'dsn', None)
    host = (getattr(service, 'replication_host', None)
            or (dsn.host if dsn is not None else '') or '')
    port = int(state.settings.get('port') or 0) or (
        dsn.port if dsn is not None else 0)
    return replication_view.Endpoint(name, host, port, state.server_id)


def check(source, replica, requested_mode='auto', allow_crash_unsafe=False):
    """Classify ``replica`` against ``source`` (service objects with
    ``execute_sql``, read as their administrator). Changes nothing.

    ``requested_mode`` is ``auto``, ``binlog`` or ``gtid`` as for an
    attach; asking for GTIDs on a server without them raises
    :class:`~trove_gtid_strategy.exceptions.UnsupportedMode`.
    """
    if requested_mode not in modes.REQUESTS:
        raise exceptions.InvalidInput(
            'unknown replication mode %r: choose one of %s'
            % (requested_mode, ', '.join(modes.REQUESTS)))
    src = server_mod.Server(source, 'source')
    rep = server_mod.Server(replica, 'replica')
    # The replica first: under writes the source is never behind it.
    rep.state()
    result = judge(src.state(), rep.state(), src.position(),
                   endpoint(source, src.state(), src.name),
                   requested_mode, allow_crash_unsafe,
                   source_name=src.name, replica_name=rep.name)
    # Two writable servers and a stopped thread are the check's own
    # problems (a new, empty replica is writable and no danger).
    result.dangers = tuple(
        d for d in dangers.find([_seen(src), _seen(rep)])
        if d.code not in ('several_writable', 'replica_stopped'))
    return result


def _seen(server):
    """What :mod:`~trove_gtid_strategy.dangers` needs of one server."""
    state = server.state()
    files = getattr(server.service, 'settings_files', None)
    return dangers.Seen(
        server.name, state.replica is not None, state.read_only,
        state.replica.stopped_error if state.replica else None,
        files() if files is not None else None,
        tuple(str(a) for a in fence.fenced_accounts(server.service)))


def judge(source, replica, position, source_endpoint, requested_mode='auto',
          allow_crash_unsafe=False, source_name='source',
          replica_name='replica'):
    """The :class:`CheckResult` of two states; no I/O.

    ``position`` is the source's current position (a
    :class:`~trove_gtid_strategy.seeding.StartPoint`, or None without a
    binary log), ``source_endpoint`` how its replicas name it.
    """
    rcaps = capabilities.capabilities_for(replica.version)
    scaps = capabilities.capabilities_for(source.version)
    choice = modes.choose_mode(requested_mode, rcaps)
    extra = []
    same_family = (source.version.flavor.is_mysql_family
                   == replica.version.flavor.is_mysql_family)
    try:
        source_choice = modes.choose_mode(requested_mode, scaps)
    except exceptions.UnsupportedMode as exc:
        source_choice = None
        extra.append(topology.Problem('mode_mismatch', 'the source: %s'
                                      % exc))
    if same_family and source_choice is not None and \
            source_choice.mode is not choice.mode:
        extra.append(topology.Problem(
            'mode_mismatch', 'the source would replicate in %s mode but the '
            'replica in %s mode' % (source_choice.mode, choice.mode)))
    driver = modes.load_driver(choice.mode)
    request = modes_base.AttachRequest(
        source=dialect.SourceAddress(
            source_endpoint.host or '127.0.0.1', source_endpoint.port,
            'check', ''),
        position=position)
    plan = modes_base.plan_attach(driver, source, replica, request,
                                  allow_crash_unsafe=allow_crash_unsafe)
    found = plan.result
    verdict, errant, missing = found.verdict, found.errant, found.missing
    problems = list(found.problems) + extra
    status = replica.replica
    replicating = bool(status is not None and replication_view.find_source(
        status, [source_endpoint]))
    if choice.mode is modes.Mode.BINLOG:
        verdict, errant, problems = _binlog_by_gtids(
            source, replica, verdict, errant, problems, replicating)
    replication = lag = None
    if replicating:
        replication = _threads(status)
        lag = replication_view.lag(replica, source)
        stopped = status.stopped_error
        if stopped and verdict not in (topology.Verdict.DIVERGED,
                                       topology.Verdict.IRRECOVERABLE):
            problems.append(topology.Problem(
                'replication_stopped', 'the replica\'s %s thread stopped on '
                'error %d: %s' % stopped))
    if _another_source(source, replica, verdict):
        problems.append(topology.Problem(
            'two_writable_sources', 'the replica takes writes and '
            'replicates from nobody, as the source does: it is a source '
            'of its own (an old source back after a failover?), and '
            'each write it takes is errant'))
    own = ('replication_stopped', 'two_writable_sources')
    found_remedies = list(remedies.remedies(
        [p for p in problems if p.code not in own],
        source, replica, choice.mode, errant, replicating))
    for p in problems:
        if p.code == 'replication_stopped':
            found_remedies.append(_stopped_remedy(status, choice.mode))
        elif p.code == 'two_writable_sources':
            found_remedies.append(remedies.Remedy(
                'two_writable_sources', 'fence', 'make the replica '
                'read-only now (SET GLOBAL read_only = ON; on MySQL '
                'super_read_only = ON), then attach it, or re-seed it '
                'if it took writes', run_on='replica'))
    current = ''
    if status is not None:
        current = '%s:%d' % (status.source_host, status.source_port)
    return CheckResult(
        source=source_name, replica=replica_name,
        state=str(verdict) if verdict is not None else UNKNOWN,
        can_replicate=verdict is not None and not problems,
        mode=str(choice.mode), mode_reason=choice.reason,
        source_version=_version(source), replica_version=_version(replica),
        errant=errant or '',
        errant_detail=remedies.errant_detail(source, replica, errant),
        missing_purged=missing or '', problems=tuple(problems),
        remedies=tuple(found_remedies), notes=tuple(found.notes),
        unchecked=remedies.unchecked(source, replica),
        replicating=replicating, current_source=current,
        replication=replication, lag=lag)


def _another_source(source, replica, verdict):
    """Both take writes and the replica replicates from nobody, holding
    transactions already: two sources (an empty new server is writable
    too, and is no danger).
    """
    return (replica.replica is None and not replica.read_only
            and not source.read_only and replica.log_bin
            and verdict is not topology.Verdict.NEW)


def _binlog_by_gtids(source, replica, verdict, errant, problems,
                     replicating):
    """Binlog-position mode trusts a replica resuming from its own
    position; where both servers keep GTIDs anyway, errant transactions
    still show, and are reported, and they tell an identical replica.
    Without GTIDs a replica of this source is identical when it applied
    up to the source's own coordinates.
    """
    compared = remedies.gtid_comparison(source, replica)
    if compared is None:
        if replicating:
            verdict = remedies.refine_binlog_verdict(verdict, source, replica)
        return verdict, errant, problems
    if verdict is topology.Verdict.DIVERGED:
        return verdict, errant, problems
    if compared[0] is topology.Verdict.DIVERGED:
        problem = topology.verdict_problem(compared[0], compared[1], '')
        return compared[0], compared[1], problems + [problem]
    if replicating and verdict is topology.Verdict.RECOVERABLE and \
            compared[0] is topology.Verdict.IDENTICAL:
        # MySQL's multi-threaded applier moves Exec_Source_Log_Pos only
        # at its checkpoints (replica_checkpoint_period), so coordinates
        # lag behind what GTIDs show applied.
        verdict = compared[0]
    return verdict, errant, problems


def _threads(status):
    return {
        'io_running': status.io_running, 'sql_running': status.sql_running,
        'last_io_errno': status.last_io_errno,
        'last_io_error': status.last_io_error,
        'last_sql_errno': status.last_sql_errno,
        'last_sql_error': status.last_sql_error,
        'replicating_in': replication_view.replication_mode(status)[0],
    }


def _stopped_remedy(status, mode):
    thread, errno, _ = status.stopped_error
    if thread == 'SQL':
        skip = ('commit an empty transaction under the failed GTID on the '
                'replica (seed 004)' if mode is modes.Mode.MYSQL_GTID
                else 'skip it with the skip counter')
        text = ('find why the transaction failed (error %d) and fix the '
                'replica\'s data; if the transaction must not apply there, '
                '%s; then START REPLICA, or re-seed the replica'
                % (errno, skip))
    else:
        text = ('fix the connection to the source (error %d: account, '
                'address, TLS), then START REPLICA' % errno)
    return remedies.Remedy('replication_stopped', 'repair', text,
                           run_on='replica')


def _version(state):
    raw = state.settings.get('version', '')
    return '%s (%s)' % (state.version, raw) if raw else str(state.version)
