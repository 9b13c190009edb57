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
with no acknowledged transaction lost, resumable from any point.

Every run reads the servers and goes on from where they are
(:mod:`trove_gtid_strategy.decisions.switchover`), so a run stopped after
any statement (killed, a lost connection) is completed, or undone, by
running it again, from any machine. From the start:

1. Every server is checked first; if any would break (the candidate or
   a replica has errant transactions, does not replicate from the
   source, or stopped on an error; the candidate could not serve a
   follower from its binary log, :mod:`~trove_gtid_strategy.decisions.
   fitness`, judged at the source's position, which every follower
   reaches before it follows the candidate), nothing is changed.
2. The source is fenced (:mod:`trove_gtid_strategy.guest.fence`):
   ``super_read_only`` on MySQL; on MariaDB ``read_only``, and the
   accounts that write through it locked and their sessions ended.
3. The candidate waits until it has every transaction of the source
   (its set must contain the source's, never the reverse). If it does not
   within the timeout, the source is made writable again and the fence's
   locks lifted: nothing else was changed.
4. The candidate is promoted and made writable; the time from 2 to here
   is the time writes were refused.
5. The other replicas and the old source are pointed at it, then the
   fence's locks on the old source are lifted. From 4 on, a failure
   reports the new source and what is left (:class:`SwitchoverIncomplete`),
   never a refusal: something changed.
"""

import dataclasses
import time

from trove_gtid_strategy.decisions import election
from trove_gtid_strategy.decisions import fitness
from trove_gtid_strategy.decisions import switchover as decision
from trove_gtid_strategy import dialect
from trove_gtid_strategy import exceptions
from trove_gtid_strategy.guest import fence
from trove_gtid_strategy.guest import server as server_mod
from trove_gtid_strategy.guest import waits
from trove_gtid_strategy.modes import base as modes_base
from trove_gtid_strategy.operations import promotion
from trove_gtid_strategy import topology
from trove_gtid_strategy.topology import Verdict


@dataclasses.dataclass
class SwitchoverResult:
    new_source: str
    old_source: str
    writes_refused_ms: float
    before: list
    after: list
    steps: list
    #: The phase this run started from (decisions.switchover.Phase).
    resumed_from: str = decision.Phase.START.value

    def to_dict(self):
        return {'new_source': self.new_source,
                'old_source': self.old_source,
                'writes_refused_ms': round(self.writes_refused_ms, 1),
                'resumed_from': self.resumed_from,
                'before': [r.to_dict() for r in self.before],
                'after': [r.to_dict() for r in self.after],
                'steps': list(self.steps)}


class SwitchoverDiverged(exceptions.ReplicationError):
    """The switchover was done, but a server took writes the new source
    lacks; ``outcome`` is the :class:`SwitchoverResult`.
    """

    kind = 'diverged'

    def __init__(self, message, outcome):
        super().__init__(message)
        self.outcome = outcome


class SwitchoverIncomplete(exceptions.ReplicationError):
    """The candidate was promoted (it is the source now), but not every
    server follows it; ``outcome`` is the :class:`SwitchoverResult` and
    running the command again finishes it once the cause is fixed.
    """

    kind = 'incomplete'

    def __init__(self, message, outcome):
        super().__init__(message)
        self.outcome = outcome


class SwitchoverRolledBack(exceptions.ReplicationError):
    """A stopped run had detached a candidate lacking transactions of the
    source: the source takes writes again and the candidate follows it.
    """

    kind = 'rolled_back'

    def __init__(self, message, outcome):
        super().__init__(message)
        self.outcome = outcome


def _checks(repl, source, candidate, replicas):
    """Problems that refuse the switchover, before anything changes.

    The replicas were read before the source, so under writes the source
    is never behind what a replica is compared with (a replica ahead of
    a stale reading would look errant).
    """
    problems = []
    source_state = source.state()
    position = source.position()
    for server in [candidate] + replicas:
        state = server.state()
        status = state.replica
        if status is None or status.source_server_id not in (
                None, 0, source_state.server_id):
            problems.append('%s does not replicate from %s' % (
                server.name, source.name))
            continue
        if status.stopped_error:
            problems.append('%s: its %s thread stopped on error %d: %s'
                            % ((server.name,) + status.stopped_error))
        problems += ['%s: %s' % (server.name, p.message) for p in _against(
            repl, source, source_state, position, server, state)]
    return problems


def _fitness(source, candidate, replicas):
    """The candidate's :class:`~trove_gtid_strategy.decisions.fitness.
    Fitness` to serve the replicas and the old source, each as it will
    stand once caught up with the source.
    """
    source_holding = election.holding_of(source.name, source.state())
    followers = [fitness.caught_up(election.holding_of(
        server.name, server.state()), source_holding)
        for server in replicas] + [source_holding]
    holding = election.holding_of(candidate.name, candidate.state())
    holding = promotion.searched(candidate, holding, followers,
                                 candidate.state().binlog_files)
    return fitness.judge(holding, followers)


def _plan_against(repl, source, source_state, position, server, state):
    rep = repl.attempt(server.service, state)
    request = modes_base.AttachRequest(
        source=dialect.SourceAddress(*source.address, 'check', ''),
        position=position, source_schemas=source_state.user_schemas)
    return modes_base.plan_attach(rep.driver, source_state, state, request,
                                  allow_crash_unsafe=True)


def _against(repl, source, source_state, position, server, state):
    """What the mode's checks find wrong with ``server`` (read as
    ``state``) following ``source``: errant or purged transactions and
    the like.
    """
    plan = _plan_against(repl, source, source_state, position, server,
                         state)
    return [p for p in plan.result.problems if p.code != 'seed_required']


def _holds(repl, source, candidate):
    """How the detached candidate's transactions compare with the
    source's (decisions.switchover.SAME, LACKS or EXTRA).
    """
    verdict = _plan_against(repl, source, source.state(), source.position(),
                            candidate, candidate.state()).result.verdict
    if verdict is Verdict.IDENTICAL:
        return decision.SAME
    if verdict is Verdict.DIVERGED:
        return decision.EXTRA
    return decision.LACKS


def _diverged(repl, new_source, followers):
    """Each follower's transactions the new source lacks, after the
    switchover: none, unless something wrote to a fenced server.
    Followers are read before the source, which is never behind them.
    """
    states = [(server, server.refresh()) for server in followers]
    source_state = new_source.refresh()
    position = new_source.position()
    return ['%s: %s' % (server.name, p.message)
            for server, state in states
            for p in _against(repl, new_source, source_state, position,
                              server, state)
            if p.code in ('errant_transactions', 'purged_binlogs')]


def _member(server):
    state = server.state()
    status = state.replica
    return decision.Member(
        name=server.name, server_id=state.server_id,
        address=server.address, read_only=state.read_only,
        source_address=(status.source_host, status.source_port)
        if status is not None else None,
        source_server_id=status.source_server_id if status else None,
        running=bool(status and status.running))


def switchover(repl, source, candidate, replicas=(), timeout=60,
               dry_run=False, progress=lambda message: None,
               allow_unfenced=False):
    """Make ``candidate`` the source; see the module docstring. The
    servers are service objects or :class:`~trove_gtid_strategy.guest.
    server.Server` handles.
    """
    source = server_mod.handle(source, 'source')
    candidate = server_mod.handle(candidate, 'replica')
    replicas = [server_mod.handle(r, 'replica') for r in replicas]
    # Every server's state, the source read last (see _checks).
    for server in [candidate] + replicas + [source]:
        server.refresh()
    before = [promotion.report(s) for s in [source, candidate] + replicas]
    holds = None
    if candidate.state().replica is None and source.state().replica is None:
        holds = _holds(repl, source, candidate)
    found = decision.decide(_member(source), _member(candidate),
                            [_member(r) for r in replicas], holds)
    run = _Run(repl, source, candidate, replicas, timeout, progress,
               before, found.phase)
    if found.phase is decision.Phase.START:
        found_problems = [topology.Problem('switchover', p) for p in
                          _checks(repl, source, candidate, replicas)]
        fit = _fitness(source, candidate, replicas)
        if not fit.fit:
            found_problems.append(topology.Problem(
                'candidate_unfit', fitness.refusal(fit)))
        if found_problems:
            raise exceptions.PrecheckFailed(
                'refusing to switch over to %s: %s' % (
                    candidate.name,
                    '; '.join(p.message for p in found_problems)),
                topology.PrecheckResult(None, tuple(found_problems),
                                        missing='; '.join(
                                            '%s: %s' % kv for kv in sorted(
                                                fit.needs.items()))))
        if dry_run:
            return run.result(0.0, before, run.planned_steps())
        return run.from_start(allow_unfenced)
    progress(found.reason)
    if dry_run:
        return run.result(0.0, before, [
            '%s: %s' % (found.phase.value, found.reason)])
    if found.phase is decision.Phase.ROLLBACK:
        return run.roll_back(found.reason)
    if found.phase is decision.Phase.PROMOTE:
        promotion.promote(repl, candidate)
        run.steps.append('promote %s and make it writable' % run.new_name)
    return run.point_the_others(0.0)


class _Run:
    """One run's steps from its phase on, and its report."""

    def __init__(self, repl, source, candidate, replicas, timeout,
                 progress, before, phase):
        self.repl = repl
        self.source = source
        self.candidate = candidate
        self.replicas = replicas
        self.timeout = timeout
        self.progress = progress
        self.before = before
        self.phase = phase
        self.new_name = candidate.name
        self.old_name = source.name
        self.steps = []

    def planned_steps(self):
        steps = ['fence %s (%s)' % (self.old_name,
                                    self.source.dialect.fence()),
                 'wait until %s has every transaction of the source'
                 % self.new_name,
                 'promote %s and make it writable' % self.new_name]
        steps += ['point %s at %s' % (s.name, self.new_name)
                  for s in self.replicas + [self.source]]
        return steps + ['lift the fence\'s account locks on %s'
                        % self.old_name]

    def result(self, refused_ms, after, steps):
        return SwitchoverResult(self.new_name, self.old_name, refused_ms,
                                self.before, after, steps,
                                self.phase.value)

    def _after(self):
        return [promotion.report(s, s.refresh())
                for s in [self.candidate] + self.replicas + [self.source]]

    def from_start(self, allow_unfenced):
        self.progress('fencing %s' % self.old_name)
        fenced_at = time.monotonic()
        try:
            locked = fence.fence(self.source.service, self.progress,
                                 allow_unfenced)
        except exceptions.PrecheckFailed:
            raise   # decided before any change
        except Exception:
            self._unfence()
            raise
        self.steps.append('fence %s%s' % (self.old_name, (
            ' (locked %s)' % ', '.join(str(a) for a in locked))
            if locked else ''))
        final = self.source.position()
        try:
            waits.until_applied(self.candidate.service, self.new_name,
                                final, self.timeout, self.progress)
        except exceptions.TroveGtidError as exc:
            self._unfence()
            raise exceptions.ReplicationError(
                'switchover abandoned, %s is writable again: %s'
                % (self.old_name, exc))
        promotion.promote(self.repl, self.candidate)
        self.steps.append('promote %s and make it writable' % self.new_name)
        refused_ms = (time.monotonic() - fenced_at) * 1000
        return self.point_the_others(refused_ms, final)

    def _unfence(self):
        promotion.make_writable(self.source)
        fence.lift_locks(self.source.service, self.progress)

    def point_the_others(self, refused_ms, final=None):
        """Every other server follows the new source, then the fence's
        locks go; a failure here reports what is left.
        """
        left = []
        for server in self.replicas + [self.source]:
            try:
                if final is not None and server is not self.source:
                    waits.until_applied(server.service, server.name, final,
                                        self.timeout, self.progress)
                outcome = promotion.repoint(self.repl, self.candidate,
                                            server)
                self.steps.append('%s: %s' % (server.name, outcome))
            except exceptions.TroveGtidError as exc:
                left.append('%s: %s' % (server.name, exc))
        if not left:
            unlocked = fence.lift_locks(self.source.service, self.progress)
            if unlocked:
                self.steps.append('unlocked on %s: %s' % (
                    self.old_name, ', '.join(str(a) for a in unlocked)))
        result = self.result(refused_ms, self._after(), self.steps)
        if left:
            raise SwitchoverIncomplete(
                '%s is the source now, but not every server follows it '
                '(run the command again once fixed): %s'
                % (self.new_name, '; '.join(left)), result)
        diverged = _diverged(self.repl, self.candidate,
                             self.replicas + [self.source])
        if diverged:
            raise SwitchoverDiverged(
                'switched over to %s, but servers now hold transactions it '
                'lacks (written to them after they were fenced): %s'
                % (self.new_name, '; '.join(diverged)), result)
        return result

    def roll_back(self, reason):
        """The source takes writes again; the candidate follows it."""
        self._unfence()
        self.steps.append('%s is writable again' % self.old_name)
        outcome = promotion.repoint(self.repl, self.source, self.candidate)
        self.steps.append('%s: %s' % (self.new_name, outcome))
        raise SwitchoverRolledBack(
            'switchover rolled back: %s; %s is the source' % (
                reason, self.old_name),
            self.result(0.0, self._after(), self.steps))
