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

"""Can a candidate serve every follower from its binary log? Pure.

A promoted replica sends each follower what it lacks from its own binary
log; what is not there stops the follower (error 1236) or, worse, is
never sent:

* MySQL with GTIDs: nothing the follower lacks may be in the candidate's
  ``gtid_purged`` (the source refuses a replica missing purged GTIDs).
* MariaDB: the follower resumes from one GTID per domain, which the
  candidate must find in its binary log. A transaction it skipped with
  the skip counter is applied (in its ``gtid_slave_pos``) but never
  logged; its ``gtid_binlog_state`` (the last GTID per domain and
  server) shows a GTID past it as certainly absent; one within it is in
  the binary log whose ``Gtid_list`` header and the next one bracket it,
  searched there (:func:`to_search`, :func:`locate`; the reading is
  :mod:`trove_gtid_strategy.operations.promotion`), the answer carried
  in :attr:`~trove_gtid_strategy.decisions.election.Holding.searched`.

What a follower lacks that the candidate does not hold either is not a
matter of fitness: the election refuses a candidate behind another
replica, and a switchover's candidate receives it from the source (and
logs it) before anyone follows it.
"""

import dataclasses

from trove_gtid_strategy import gtid as gtid_sets

FOUND = 'found'
ABSENT = 'absent'
SEARCH = 'search'

REMEDY = ('re-seed the follower from a backup of the new source after '
          'the promotion (leave it out of this operation), or promote '
          'another candidate')


@dataclasses.dataclass(frozen=True)
class Fitness:
    """What :func:`judge` found for one candidate."""

    candidate: str
    #: Per follower: the GTIDs it needs that the candidate cannot send,
    #: with why, as text.
    needs: dict = dataclasses.field(default_factory=dict)
    #: Per follower: GTIDs that could not be judged (a MariaDB GTID
    #: within the candidate's binary log state whose search result was
    #: not sent, as from an older guest), as text.
    unchecked: dict = dataclasses.field(default_factory=dict)

    @property
    def fit(self):
        return not self.needs

    def describe(self):
        return '%s cannot serve %s from its binary log' % (
            self.candidate, '; '.join(
                '%s, which needs %s' % kv for kv in sorted(
                    self.needs.items())))

    def to_dict(self):
        return {'candidate': self.candidate, 'fit': self.fit,
                'needs': dict(self.needs), 'unchecked': dict(self.unchecked)}


def _last_logged(holding):
    """``{(domain, server): seq_no}`` of a MariaDB binary log state."""
    return {(g.domain_id, g.server_id): g.seq_no
            for g in holding.binlog_state}


def _resume_gtids(candidate, follower):
    """The MariaDB GTIDs ``follower`` resumes from that ``candidate``
    holds (it received that far in the domain).
    """
    if not isinstance(follower.received, gtid_sets.MariaDBGtidPosition) \
            or not isinstance(candidate.received,
                              gtid_sets.MariaDBGtidPosition):
        return []
    wanted = []
    for g in follower.received:
        held = candidate.received.get(g.domain_id)
        if held is not None and held.seq_no >= g.seq_no:
            wanted.append(g)
    return wanted


def to_search(candidate, followers):
    """MariaDB GTIDs the followers resume from that lie within the
    candidate's binary log state (an earlier transaction of the same
    domain and server): only its binary logs can tell whether they are
    there. Sorted, each once.
    """
    logged = _last_logged(candidate)
    wanted = set()
    for follower in followers:
        for g in _resume_gtids(candidate, follower):
            last = logged.get((g.domain_id, g.server_id))
            if last is not None and last > g.seq_no:
                wanted.add(g)
    return sorted(wanted, key=lambda g: (g.domain_id, g.server_id,
                                         g.seq_no))


def locate(gtid, headers, final_state):
    """Where ``gtid`` could be in a MariaDB server's binary logs:
    ``(FOUND, why)``, ``(ABSENT, why)`` or ``(SEARCH, file)``.

    ``headers``: ``(file, Gtid_list GTIDs)`` of each binary log, oldest
    first (the binary log state when the file was started);
    ``final_state``: its ``gtid_binlog_state`` now. A GTID listed in a
    header is where that file starts (the server starts a replica
    there); one before the oldest header's is in a purged file.
    """
    pair = (gtid.domain_id, gtid.server_id)

    def seq(listed):
        return {(g.domain_id, g.server_id): g.seq_no
                for g in listed}.get(pair, 0)

    if not headers:
        return ABSENT, 'it has no binary logs'
    starts = [seq(listed) for _, listed in headers]
    if gtid.seq_no in starts:
        index = starts.index(gtid.seq_no)
        return FOUND, 'the state %s starts at' % headers[index][0]
    if starts[0] > gtid.seq_no:
        return ABSENT, ('purged: its oldest binary log %s starts past it'
                        % headers[0][0])
    ends = starts[1:] + [seq(final_state)]
    for (log_name, _), start, end in zip(headers, starts, ends):
        if start < gtid.seq_no <= end:
            return SEARCH, log_name
    return ABSENT, 'past its binary log state'


def _mariadb_needs(candidate, follower):
    logged = _last_logged(candidate)
    searched = {g: (found, where) for g, found, where in candidate.searched}
    needs, unchecked = [], []
    for g in _resume_gtids(candidate, follower):
        last = logged.get((g.domain_id, g.server_id))
        if last == g.seq_no:
            continue
        if last is None or last < g.seq_no:
            needs.append('%s (not in its binary log, which holds %s of '
                         'server %d in domain %d: applied without being '
                         'logged, as a skipped transaction is)' % (
                             g, 'nothing' if last is None else
                             'up to %d-%d-%d' % (g.domain_id, g.server_id,
                                                 last),
                             g.server_id, g.domain_id))
            continue
        if g not in searched:
            unchecked.append(str(g))
            continue
        found, where = searched[g]
        if not found:
            needs.append('%s (%s)' % (g, where))
    return needs, unchecked


def judge(candidate, followers):
    """The :class:`Fitness` of ``candidate`` (a
    :class:`~trove_gtid_strategy.decisions.election.Holding`) to serve
    each of ``followers`` (Holdings, as they will stand when they
    follow it).
    """
    needs, unchecked = {}, {}
    for follower in followers:
        if follower.name == candidate.name:
            continue
        if isinstance(candidate.received, gtid_sets.GtidSet) and \
                isinstance(follower.received, gtid_sets.GtidSet):
            if candidate.purged is None:
                continue
            missing = candidate.purged - follower.received
            if missing:
                needs[follower.name] = '%s (purged on %s)' % (
                    missing, candidate.name)
        elif isinstance(candidate.received, gtid_sets.MariaDBGtidPosition):
            found, open_ = _mariadb_needs(candidate, follower)
            if found:
                needs[follower.name] = ', '.join(found)
            if open_:
                unchecked[follower.name] = ','.join(open_)
    return Fitness(candidate.name, needs, unchecked)


def caught_up(follower, source):
    """``follower`` as it will stand once it applied everything
    ``source`` holds (a switchover's followers catch up from the source
    before they follow the candidate).
    """
    held, more = follower.received, source.received
    if isinstance(held, gtid_sets.GtidSet) and \
            isinstance(more, gtid_sets.GtidSet):
        held = held | more
    elif isinstance(held, gtid_sets.MariaDBGtidPosition) and \
            isinstance(more, gtid_sets.MariaDBGtidPosition):
        held = held.union(more)
    return dataclasses.replace(follower, received=held)


def refusal(fitness):
    """The message refusing a promotion of an unfit candidate."""
    return ('%s: %s' % (fitness.describe(), REMEDY))
