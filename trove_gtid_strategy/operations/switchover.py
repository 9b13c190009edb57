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

"""Switchover: a replica becomes the source while the source is healthy,
with no acknowledged transaction lost.

1. Every server is checked first; if any would break (the candidate or
   a replica has errant transactions, does not replicate from the
   source, or stopped on an error), nothing is changed.
2. The source is fenced: ``super_read_only`` on MySQL; on MariaDB
   ``read_only`` and the sessions of accounts that write through it
   (READ ONLY ADMIN, SUPER) are ended.
3. The candidate waits until it has every transaction of the source
   (its set must contain the source's, never the reverse). If it does not
   within the timeout, the source is made writable again and the
   operation fails: nothing else was changed.
4. The candidate is promoted and made writable; the time from 2 to here
   is the time writes were refused.
5. The other replicas and the old source are pointed at it.
"""

import dataclasses
import time

from trove_gtid_strategy import dialect
from trove_gtid_strategy import exceptions
from trove_gtid_strategy.guest import server_state
from trove_gtid_strategy.guest import waits
from trove_gtid_strategy.modes import base as modes_base
from trove_gtid_strategy.operations import promotion
from trove_gtid_strategy import seeding
from trove_gtid_strategy import topology


@dataclasses.dataclass
class SwitchoverResult:
    new_source: str
    old_source: str
    writes_refused_ms: float
    before: list
    after: list
    steps: list

    def to_dict(self):
        return {'new_source': self.new_source,
                'old_source': self.old_source,
                'writes_refused_ms': round(self.writes_refused_ms, 1),
                'before': [r.to_dict() for r in self.before],
                'after': [r.to_dict() for r in self.after],
                'steps': list(self.steps)}


class SwitchoverDiverged(exceptions.ReplicationError):
    """The switchover was done, but a server took writes the new source
    lacks; ``outcome`` is the :class:`SwitchoverResult`.
    """

    def __init__(self, message, outcome):
        super().__init__(message)
        self.outcome = outcome


def _checks(repl, source, candidate, replicas):
    """Problems that refuse the switchover, before anything changes.

    The replicas are read before the source, so under writes the source
    is never behind what a replica is compared with (a replica ahead of
    a stale reading would look errant).
    """
    problems = []
    states = [(svc, server_state.read_state(svc))
              for svc in [candidate] + replicas]
    source_state = server_state.read_state(source)
    attempt = repl.attempt(source, source_state)
    position = server_state.current_position(source, attempt.caps)
    for svc, state in states:
        name = promotion.name_of(svc)
        status = state.replica
        if status is None or status.source_server_id not in (
                None, 0, source_state.server_id):
            problems.append('%s does not replicate from %s' % (
                name, promotion.name_of(source)))
            continue
        if status.stopped_error:
            problems.append('%s: its %s thread stopped on error %d: %s'
                            % ((name,) + status.stopped_error))
        problems += ['%s: %s' % (name, p.message) for p in _against(
            repl, source, source_state, position, svc, state)]
    return problems, source_state, position


def _against(repl, source, source_state, position, svc, state):
    """What the mode's checks find wrong with ``svc`` (read as ``state``)
    following ``source``: errant or purged transactions and the like.
    """
    rep = repl.attempt(svc, state)
    request = modes_base.AttachRequest(
        source=_address(source), position=position,
        source_schemas=source_state.user_schemas)
    plan = modes_base.plan_attach(rep.driver, source_state, state, request,
                                  allow_crash_unsafe=True)
    return [p for p in plan.result.problems if p.code != 'seed_required']


def _diverged(repl, new_source, followers):
    """Each follower's transactions the new source lacks, after the
    switchover: none, unless something wrote to a fenced server.
    Followers are read before the source, which is never behind them.
    """
    states = [(svc, server_state.read_state(svc)) for svc in followers]
    source_state = server_state.read_state(new_source)
    attempt = repl.attempt(new_source, source_state)
    position = server_state.current_position(new_source, attempt.caps)
    return ['%s: %s' % (promotion.name_of(svc), p.message)
            for svc, state in states
            for p in _against(repl, new_source, source_state, position,
                              svc, state)
            if p.code in ('errant_transactions', 'purged_binlogs')]


def _promoted_earlier(source, candidate):
    """The candidate is a writable source and the old source is fenced."""
    candidate_state = server_state.read_state(candidate, binlog_files=False)
    source_state = server_state.read_state(source, binlog_files=False)
    return (candidate_state.replica is None and not
            candidate_state.read_only and candidate_state.log_bin and
            source_state.read_only and source_state.replica is None)


def _address(svc):
    return dialect.SourceAddress(svc.dsn.host, svc.dsn.port, 'check', '')


def _fence(source, progress):
    """Stop writes on the source; returns its read_only before."""
    d = source.dialect()
    before = server_state.read_variables(source, ('read_only',))
    source.execute_sql(d.fence().sql)
    if not d.caps.super_read_only:
        # MariaDB: read_only does not stop these accounts' sessions.
        grantees = {str(row[0]).split('@')[0].strip("'")
                    for row in source.execute_sql(
                        d.accounts_writing_through_read_only().sql)}
        for session_id, user, command in source.execute_sql(
                d.client_sessions().sql).fetchall():
            if user in grantees and not str(command).startswith(
                    'Binlog Dump'):
                progress('ending session %s of %s on the fenced source'
                         % (session_id, user))
                try:
                    source.execute_sql(d.kill_session(session_id).sql)
                except Exception:
                    pass  # it ended by itself meanwhile
    return before.get('read_only', 'OFF').upper() in ('ON', '1')


def switchover(repl, source, candidate, replicas=(), timeout=60,
               dry_run=False, progress=lambda message: None):
    """Make ``candidate`` the source; see the module docstring."""
    replicas = list(replicas)
    everyone = [source, candidate] + replicas
    before = [promotion.report(s, server_state.read_state(s))
              for s in everyone]
    if _promoted_earlier(source, candidate) and not dry_run:
        # An earlier run fenced the source and promoted the candidate,
        # then stopped: finish it (the others follow the new source).
        progress('%s was promoted by an earlier run: pointing the others '
                 'at it' % promotion.name_of(candidate))
        for svc in replicas + [source]:
            promotion.repoint(repl, candidate, svc)
        after = [promotion.report(s, server_state.read_state(s))
                 for s in [candidate] + replicas + [source]]
        return SwitchoverResult(promotion.name_of(candidate),
                                promotion.name_of(source), 0.0, before,
                                after, ['resumed: point the others at %s'
                                        % promotion.name_of(candidate)])
    problems, source_state, _ = _checks(repl, source, candidate, replicas)
    if problems:
        raise exceptions.PrecheckFailed(
            'refusing to switch over to %s: %s' % (
                promotion.name_of(candidate), '; '.join(problems)),
            topology.PrecheckResult(None, tuple(
                topology.Problem('switchover', p) for p in problems)))
    steps = ['fence %s (%s)' % (promotion.name_of(source),
                                source.dialect().fence()),
             'wait until %s has every transaction of the source'
             % promotion.name_of(candidate),
             'promote %s and make it writable' % promotion.name_of(candidate)]
    steps += ['point %s at %s' % (promotion.name_of(s),
                                  promotion.name_of(candidate))
              for s in replicas + [source]]
    if dry_run:
        return SwitchoverResult(promotion.name_of(candidate),
                                promotion.name_of(source), 0.0, before,
                                before, steps)
    progress('fencing %s' % promotion.name_of(source))
    fenced_at = time.monotonic()
    was_read_only = _fence(source, progress)
    final = repl.current_position(source)
    try:
        waits.until_applied(
            candidate, promotion.name_of(candidate),
            _start(final), timeout, progress)
    except exceptions.TroveGtidError as exc:
        for stmt in source.dialect().unfence(was_read_only):
            source.execute_sql(stmt.sql)
        raise exceptions.ReplicationError(
            'switchover abandoned, %s is writable again: %s'
            % (promotion.name_of(source), exc))
    promotion.promote(repl, candidate)
    writable_at = time.monotonic()
    for svc in replicas:
        waits.until_applied(svc, promotion.name_of(svc), _start(final),
                            timeout, progress)
        promotion.repoint(repl, candidate, svc)
    promotion.repoint(repl, candidate, source)
    after = [promotion.report(s, server_state.read_state(s))
             for s in [candidate] + replicas + [source]]
    result = SwitchoverResult(promotion.name_of(candidate),
                              promotion.name_of(source),
                              (writable_at - fenced_at) * 1000, before,
                              after, steps)
    diverged = _diverged(repl, candidate, replicas + [source])
    if diverged:
        raise SwitchoverDiverged(
            'switched over to %s, but servers now hold transactions it '
            'lacks (written to them after they were fenced): %s'
            % (promotion.name_of(candidate), '; '.join(diverged)), result)
    return result


def _start(position):
    return seeding.from_dataset(position, 'the fenced source\'s position')
