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

"""Failover: the source is gone; the most advanced replica takes over.

1. Refused while the old source still answers (given as ``source``),
   unless forced (then it is fenced first, as far as it answers); and
   refused while any replica's I/O thread still receives from its source
   (waited for up to the timeout: a crash shows within moments), unless
   forced. This process failing to reach the source is not the source
   being dead: a partition between here and the source would otherwise
   leave two writable servers (MaxScale's monitor and orchestrator's
   DeadMaster judge a source lost by its replicas too).
2. Every replica applies what its I/O thread fetched (a transaction
   fetched in part never applies, so the drain ends when the SQL thread
   waits for more, not when the received set is applied).
3. The candidate is a replica holding the lost source's whole lineage
   without errant transactions, judged on whole GTID sets or positions
   (never on one sequence number, as Trove's ``get_latest_txn_id``
   does) by where each transaction could have come from
   (:mod:`trove_gtid_strategy.decisions.lineage`: a transaction of
   another origin that a replica holding the lost source's later writes
   lacks is errant; a former source's own transactions nobody
   contradicts are history). A candidate that would lose lineage
   transactions is refused unless data loss is allowed, one that would
   spread errant transactions unless the operator allows it; without
   GTIDs, a failover where a replica holds more or less than the
   candidate is refused unless data loss is allowed. The result, and a
   refusal (``PrecheckResult.election``), carries the election: each
   replica's set, what it lacks and has extra, and what choosing each
   would lose or spread. A complete replica that
   could not serve another from its binary log (MySQL: purged what a
   follower lacks; MariaDB: a follower's resume GTID is not in its
   binary log, as a GTID it skipped is not) is passed over for a fit
   one; with none fit, or an unfit requested candidate, the failover is
   refused before any change, naming what each follower needs
   (:mod:`trove_gtid_strategy.decisions.fitness`).
4. The candidate is promoted and writable; the others are pointed at it
   (each through the mode's checks: in binlog-position mode only a
   replica at the promotion point can follow).

With semi-synchronous durability every commit acknowledged while the
source ran semi-synchronously is in some replica's relay log, so step 3
keeps it; where the source had fallen back to asynchronous, nothing can
be guaranteed, and the result says so.
"""

import dataclasses
import time

from trove_gtid_strategy.decisions import election as election_mod
from trove_gtid_strategy import exceptions
from trove_gtid_strategy.guest import drain
from trove_gtid_strategy.guest import server as server_mod
from trove_gtid_strategy.guest import waits
from trove_gtid_strategy.operations import promotion
from trove_gtid_strategy import topology


@dataclasses.dataclass
class FailoverResult:
    new_source: str | None
    durability: str
    durability_note: str
    before: list
    after: list
    election: dict
    outcomes: dict
    seconds: float = 0.0
    dry_run: bool = False
    #: What became of the lost source's settings (given with ``source``).
    old_source: str = ''

    @property
    def behind(self):
        """``{server: outcome}`` of the replicas that do not follow the
        new source (in a dry run: would not).
        """
        return {name: outcome for name, outcome in self.outcomes.items()
                if not outcome.startswith(('replicating', 'already',
                                           'promoted', 'would'))}

    @property
    def complete(self):
        return not self.behind

    def to_dict(self):
        return {'new_source': self.new_source,
                'durability': self.durability,
                'durability_note': self.durability_note,
                'before': [r.to_dict() for r in self.before],
                'after': [r.to_dict() for r in self.after],
                'election': self.election, 'outcomes': self.outcomes,
                'seconds': round(self.seconds, 3), 'dry_run': self.dry_run,
                'old_source': self.old_source}


def _source_answers(source):
    try:
        source.execute('SELECT 1')
        return True
    except Exception:
        return False


def _durability(repl):
    mode = repl.options.replication_durability
    if mode == 'semi_sync':
        return mode, ('every commit acknowledged while the source ran '
                      'semi-synchronously was in a replica\'s relay log and '
                      'is kept; commits after it fell back to asynchronous '
                      '(timeout %d ms) carry no guarantee'
                      % repl.options.semi_sync_timeout_ms)
    return mode, ('asynchronous: commits the source acknowledged but no '
                  'replica received are lost with it')


def failover(repl, replicas, candidate=None, source=None, force=False,
             allow_errant_candidate=False, allow_data_loss=False,
             timeout=60, dry_run=False, progress=lambda message: None):
    """Promote the most advanced replica; see the module docstring.
    ``replicas`` are service objects or :class:`~trove_gtid_strategy.
    guest.server.Server` handles (the candidate among them).
    """
    started = time.monotonic()
    replicas = [server_mod.handle(r, 'replica') for r in replicas]
    candidate = _among(replicas, candidate)
    source = server_mod.handle(source, 'source') if source is not None \
        else None
    if source is not None and _source_answers(source):
        if not force:
            raise exceptions.PrecheckFailed(
                'the source %s still answers: a failover now would leave '
                'two writable servers; use switchover, or --force to fence '
                'it and fail over anyway' % source.name)
        if not dry_run:
            source.run(source.dialect.fence())
    forced = _still_received(replicas, timeout, repl.options.poll_interval,
                             progress, force)
    before = [promotion.report(server) for server in replicas]
    resumed, writable = _earlier_candidate(replicas)
    if resumed is not None and writable:
        # An earlier run promoted it and stopped before every replica
        # followed: finish that run instead of electing again.
        progress('%s was promoted by an earlier run: pointing the others '
                 'at it' % resumed.name)
        return _finish(repl, resumed, replicas, before, dict(
            {'candidate': resumed.name, 'resumed': True},
            **forced), started, dry_run, _fence_when_back(source, dry_run))
    if resumed is not None and candidate is None:
        # An earlier run detached it and stopped before it took writes:
        # it is the candidate again, judged against the others like any.
        progress('%s was detached by an earlier run: it is the candidate '
                 'if it holds everything the others hold' % resumed.name)
        candidate = resumed
    states = {}
    for server in replicas:
        if dry_run or server is resumed:
            states[server.name] = server.state()
        else:
            states[server.name] = drain.drained_state(
                server.service, server.name, timeout,
                repl.options.poll_interval, progress)
    holdings = [election_mod.holding_of(name, state)
                for name, state in states.items()]
    # What each could not serve the others from its binary log (MariaDB:
    # GTIDs within its binary log state are looked for there).
    by_name = {server.name: server for server in replicas}
    holdings = [promotion.searched(
        by_name[h.name], h, [o for o in holdings if o is not h],
        states[h.name].binlog_files) for h in holdings]
    requested = candidate.name if candidate is not None else None
    election = election_mod.elect(
        holdings, requested, allow_errant=allow_errant_candidate,
        allow_data_loss=allow_data_loss)
    summary = dict(election.to_dict(), **forced)
    if election.problems:
        raise exceptions.PrecheckFailed(
            'refusing to fail over: %s' % election.describe(),
            topology.PrecheckResult(None, election.problems,
                                    missing=_needed(summary),
                                    election=summary))
    chosen = by_name[election.candidate]
    if dry_run:
        return _finish(repl, chosen, replicas, before, summary, started,
                       True, _fence_when_back(source, True))
    lost = _fence_when_back(source, False)
    progress('promoting %s' % election.candidate)
    promotion.promote(repl, chosen)
    return _finish(repl, chosen, replicas, before, summary, started, False,
                   lost)


def _needed(summary):
    """What followers need that an unfit candidate cannot send, as text
    (the refusal's ``missing``).
    """
    fitness = summary.get('fitness') or {}
    if 'candidate' in fitness:
        fitness = {fitness['candidate']: fitness}
    return '; '.join('%s -> %s: %s' % (name, follower, text)
                     for name, found in sorted(fitness.items())
                     for follower, text in sorted(found['needs'].items()))


def _still_received(replicas, timeout, poll, progress, force):
    """Refuse (nothing changed) while a replica still receives from its
    source after ``timeout``; with ``force``, look once and go on,
    returning ``{'forced': why}`` for the result to say so (else ``{}``).
    A replica following one of the given servers (an earlier run's new
    source) is not a witness of the lost one.
    """
    given = {int(server.variables(('server_id',))['server_id'])
             for server in replicas}
    receiving = []
    for server in replicas:
        status = server.replica_status()
        if status is None or status.source_server_id in given:
            continue
        if not waits.until_source_lost(server.service, server.name,
                                       0 if force else timeout, poll,
                                       progress):
            receiving.append(server.name)
    if not receiving:
        return {}
    names = ', '.join(receiving)
    if force:
        why = ('failed over with --force while %s still received from the '
               'source' % names)
        progress(why)
        return {'forced': why}
    raise exceptions.PrecheckFailed(
        'refusing to fail over: %s still receive%s from the source (I/O '
        'thread running after %ds), so it is not lost, only out of reach '
        'from here; a failover now would leave two writable servers. Use '
        'switchover from where the source answers, or --force once it is '
        'known to be down' % (names, 's' if len(receiving) == 1 else '',
                              timeout),
        topology.PrecheckResult(None, (topology.Problem(
            'source_still_seen', names),)))


def _among(replicas, candidate):
    """The handle in ``replicas`` of the requested ``candidate`` (a
    service or a handle), or None when none was requested.
    """
    if candidate is None:
        return None
    for server in replicas:
        if candidate is server or candidate is server.service:
            return server
    return server_mod.handle(candidate, 'replica')


def _earlier_candidate(replicas):
    """``(server, writable)``: the one given server that is not a replica
    (an earlier run's candidate, promoted or only detached), or
    ``(None, False)``. Two of them cannot be resolved safely.
    """
    detached = []
    for server in replicas:
        state = server.state()
        if state.replica is None:
            detached.append((server, state.log_bin and not state.read_only))
    if len(detached) > 1:
        raise exceptions.PrecheckFailed(
            'several of the given servers are not replicas (%s): a failover '
            'chooses among replicas of a lost source; resolve that by hand'
            % ', '.join('%s (%s)' % (s.name, 'writable' if w
                                     else 'read-only') for s, w in detached))
    return detached[0] if detached else (None, False)


def _fence_when_back(source, dry_run):
    """The lost source, given and not answering, must come back
    read-only, not as a second writable source: its settings say so
    where its conf dir is known. Returns what the result says of it.
    """
    if source is None:
        return ''
    name = source.name
    if dry_run:
        return '%s: would be kept read-only when it returns' % name
    if source.service.write_fence_overrides():
        return ('%s: settings written in %s keep it read-only when it '
                'restarts, until it is attached to the new source'
                % (name, source.service.conf_dir))
    return ('%s: its settings directory is not known (?conf_dir= in its '
            'DSN): it restarts writable, a second source; keep it from '
            'taking writes (read_only = ON) before it returns' % name)


def _finish(repl, chosen, replicas, before, summary, started, dry_run,
            lost=''):
    """Point every other replica at the new source; report each."""
    durability, note = _durability(repl)
    outcomes = {chosen.name: 'promoted'}
    if dry_run:
        for server in replicas:
            if server is not chosen:
                outcomes[server.name] = 'would follow'
        return FailoverResult(chosen.name, durability, note,
                              before, before, summary, outcomes,
                              dry_run=True, old_source=lost)
    for server in replicas:
        if server is chosen:
            continue
        try:
            outcomes[server.name] = promotion.repoint(repl, chosen, server)
        except exceptions.TroveGtidError as exc:
            # Reported, not hidden: the operator re-seeds this one, or
            # runs the command again once its cause is fixed.
            outcomes[server.name] = 'not re-pointed: %s' % exc
    after = [promotion.report(server, server.refresh()) for server in replicas]
    return FailoverResult(chosen.name, durability, note,
                          before, after, summary, outcomes,
                          seconds=time.monotonic() - started,
                          old_source=lost)
