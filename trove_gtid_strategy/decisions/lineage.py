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

"""What a failover must keep: the lost source's lineage. Pure.

The source is gone, so the replicas are judged against each other, by
where each transaction could have come from.

**The lost source** is named by the replicas: MySQL, the ``Source_UUID``
most of them were configured with (where they ever connected); else the
UUID every replica holds that is no replica's own. Among several, the
one on which they differ most (the one still being written when the
source went). MariaDB
likewise, by ``Master_Server_Id``, else the server id every replica's
binary log state holds that is no replica's own. Unknown when nothing
names it.

**Errant** (MySQL): a transaction ``t`` whose UUID is not the lost
source's, held by replica H, is errant on H when another replica B
lacks ``t`` although B holds a transaction of the lost source that H
also holds. An earlier source's transactions reach the lost source's
replicas before its own later writes (a switchover hands everything
over before the new source writes), so a replica that received the lost
source's writes would have ``t`` had ``t`` come through the lost source.
**Errant** (MariaDB, sequence numbers order a domain): ``t = (d, X, n)``
in H's binary log state, ``X`` not the lost source's server id, is
errant on H when another replica B lacks it (its binary log state holds
server ``X`` in ``d`` below ``n``) although B's position in domain ``d``
is at or past ``n`` (it passed that point of the domain without ``t``),
or although B holds the lost source's transactions in ``d`` while ``t``
follows every lost-source transaction H holds there (an earlier
source's transaction would precede them: the MySQL rule, told by
order).

So a replica's own UUID (server id) from a time it was a source is
history, not errant, unless another replica contradicts it by that rule;
a local write on a replica that another replica holding the lost
source's transactions lacks is errant. With one replica nothing is. A
replica that lagged across an earlier switchover back to the lost source
(it holds the lost source's first term but not the next source's) is
taken as a witness all the same: the sets cannot tell it apart (Vitess
trusts only replicas that saw every promotion, issue 16724), and the
result is a refusal naming the sets, never a silent loss.

**The lineage** is every transaction any replica holds but the errant
ones. A candidate is complete when it holds the whole lineage and has no
errant transaction; choosing another loses what it lacks of the lineage
and spreads its errant transactions to every follower.
Without GTIDs, the lineage is the furthest coordinates.
"""

import collections
import dataclasses

from trove_gtid_strategy.decisions import handover
from trove_gtid_strategy import gtid as gtid_sets

CONFIGURED = 'configured'
SHARED = 'shared'
UNKNOWN = 'unknown'


@dataclasses.dataclass(frozen=True)
class LostSource:
    """Who the replicas' source was, and how that was decided."""

    #: MySQL: its ``server_uuid``.
    uuid: str = ''
    #: MariaDB: its ``server_id``, and the domains it wrote in.
    server_id: int | None = None
    domains: tuple = ()
    #: ``configured`` (the replicas' source settings), ``shared`` (from
    #: what every replica holds) or ``unknown``.
    how: str = UNKNOWN

    def to_dict(self):
        return {'uuid': self.uuid or None, 'server_id': self.server_id,
                'domains': list(self.domains), 'how': self.how}


def of_origin(gtids, uuid):
    """The transactions of ``uuid`` (every tag) in a MySQL GTID set."""
    found = gtid_sets.GtidSet()
    if uuid and uuid in gtids.uuids():
        for tag in gtids.tags(uuid):
            found = found | gtid_sets.GtidSet.from_intervals(
                uuid, gtids.intervals(uuid, tag), tag)
    return found


def _most_configured(values, own):
    """The values most replicas name (a tie keeps them all; none: empty);
    a replica's own identity is never the lost source.
    """
    votes = collections.Counter(v for v in values if v and v not in own)
    most = max(votes.values(), default=0)
    return sorted(v for v, n in votes.items() if n == most and most)


class _MySQL:
    """GTID sets: origins are UUIDs."""

    @staticmethod
    def lost_source(holdings):
        own = {h.server_uuid for h in holdings if h.server_uuid}
        own |= {u for h in holdings if h.own is not None
                for u in h.own.uuids()}
        named, how = _most_configured(
            [h.source_uuid for h in holdings], own), CONFIGURED
        if not named:
            named, how = sorted(set.intersection(*(
                set(h.received.uuids()) for h in holdings)) - own), SHARED

        def spread(uuid):
            sets = [of_origin(h.received, uuid) for h in holdings]
            union = sets[0]
            common = sets[0]
            for found in sets[1:]:
                union, common = union | found, common & found
            return (union - common).count(), union.count()

        if not named:
            return LostSource()
        return LostSource(uuid=max(named, key=spread), how=how)

    @staticmethod
    def errant(holding, others, lost):
        mine = of_origin(holding.received, lost.uuid)
        found = gtid_sets.GtidSet()
        for other in others:
            if of_origin(other.received, lost.uuid) & mine:
                found = found | (holding.received - other.received)
        return found - mine

    @staticmethod
    def holds(holding, errant):
        return holding.received - errant

    @staticmethod
    def lineage(held):
        union = gtid_sets.GtidSet()
        for found in held:
            union = union | found
        return union

    @staticmethod
    def missing(have, target):
        """``(text, how many)`` of what ``have`` lacks of ``target``."""
        lacks = target - have
        return str(lacks), lacks.count()

    @staticmethod
    def size(errant):
        return errant.count()


def _logged(holding):
    """``{(domain, server): seq_no}`` of a MariaDB binary log state."""
    return {(g.domain_id, g.server_id): g.seq_no
            for g in holding.binlog_state}


def _contradicts(other, gtid, follows_lost, lost):
    """``other`` lacks ``gtid`` although it passed its point of the
    domain, or, for a GTID that follows the lost source's transactions,
    although it holds the lost source's transactions in that domain.
    """
    theirs = _logged(other)
    at = other.received.get(gtid.domain_id)
    if theirs.get((gtid.domain_id, gtid.server_id), 0) >= gtid.seq_no or \
            at == gtid:
        return False
    passed = at is not None and at.seq_no >= gtid.seq_no
    holds_lost = theirs.get((gtid.domain_id, lost.server_id), 0) > 0
    return passed or (follows_lost and holds_lost)


class _MariaDB:
    """Positions and binary log states: origins are server ids, ordered
    within a domain by sequence number.
    """

    @staticmethod
    def lost_source(holdings):
        own = {h.server_id for h in holdings if h.server_id}
        named, how = _most_configured(
            [h.source_server_id for h in holdings], own), CONFIGURED
        if not named:
            named, how = sorted(set.intersection(*(
                {g.server_id for g in h.binlog_state} for h in holdings))
                - own), SHARED

        def spread(server_id):
            seqs = [max((g.seq_no for g in h.binlog_state
                         if g.server_id == server_id), default=0)
                    for h in holdings]
            return max(seqs) - min(seqs), max(seqs)

        if not named:
            return LostSource()
        chosen = max(named, key=spread)
        domains = sorted({g.domain_id for h in holdings
                          for g in h.binlog_state if g.server_id == chosen})
        return LostSource(server_id=chosen, domains=tuple(domains), how=how)

    @staticmethod
    def errant(holding, others, lost):
        mine = _logged(holding)
        found = []
        for g in holding.binlog_state:
            if g.server_id == lost.server_id:
                continue
            # Past every lost-source transaction it holds in the domain:
            # no earlier source's, which would come before them.
            follows_lost = 0 < mine.get(
                (g.domain_id, lost.server_id), 0) < g.seq_no
            if any(_contradicts(other, g, follows_lost, lost)
                   for other in others):
                found.append(g)
        return tuple(found)

    @staticmethod
    def holds(holding, errant):
        """Per domain, the furthest GTID it holds that is not errant."""
        kept = gtid_sets.MariaDBGtidPosition()
        for g in tuple(holding.received) + tuple(holding.binlog_state):
            if g not in errant:
                kept = kept.union(gtid_sets.MariaDBGtidPosition([g]))
        return kept

    @staticmethod
    def lineage(held):
        union = gtid_sets.MariaDBGtidPosition()
        for found in held:
            union = union.union(found)
        return union

    @staticmethod
    def missing(have, target):
        lacks, count = [], 0
        for g in target:
            mine = have.get(g.domain_id)
            if mine is None:
                lacks.append(str(g))
                count += g.seq_no
            elif mine.seq_no < g.seq_no:
                lacks.append(str(g))
                count += g.seq_no - mine.seq_no
            elif mine.seq_no == g.seq_no and mine != g:
                # Another transaction at that point of the domain.
                lacks.append(str(g))
                count += 1
        return ','.join(lacks), count

    @staticmethod
    def size(errant):
        return len(errant)


class _Coordinates:
    """Without GTIDs: one stream of the old source, measured in its
    binary log coordinates; nothing can be told errant.
    """

    @staticmethod
    def lost_source(holdings):
        return LostSource()

    @staticmethod
    def errant(holding, others, lost):
        return ()

    @staticmethod
    def holds(holding, errant):
        return tuple(holding.coords)

    @staticmethod
    def lineage(held):
        furthest = ()
        for coords in held:
            if handover.lacking(furthest, coords):
                furthest = coords
        return furthest

    @staticmethod
    def missing(have, target):
        lacks = handover.lacking(have, target)
        return lacks, 1 if lacks else 0

    @staticmethod
    def size(errant):
        return 0


def _kind(holdings):
    received = holdings[0].received
    if isinstance(received, gtid_sets.GtidSet):
        return _MySQL
    if isinstance(received, gtid_sets.MariaDBGtidPosition):
        return _MariaDB
    return _Coordinates


def _text(found):
    if isinstance(found, tuple) and found and isinstance(found[0], str):
        return '%s:%d' % found
    if isinstance(found, tuple):
        return ','.join(str(g) for g in found)
    return str(found)


@dataclasses.dataclass(frozen=True)
class Judgment:
    """What :func:`judge` found: the lost source, the lineage, and per
    replica what it lacks of it and holds beyond it (errant).
    """

    lost_source: LostSource
    lineage: object
    #: Per replica: its errant transactions (kind's own objects).
    errant: dict
    #: Per replica: the lineage transactions it holds.
    holds: dict
    kind: type

    def lacks(self, name):
        """What choosing ``name`` would lose, as text ('' nothing)."""
        return self.kind.missing(self.holds[name], self.lineage)[0]

    def spreads(self, name):
        """What choosing ``name`` would spread, as text ('' nothing)."""
        return _text(self.errant[name]) if self.errant[name] else ''

    def complete(self, name):
        return not self.lacks(name) and not self.spreads(name)

    def cost(self, name):
        """``(lost, spread)`` counts: which candidate does least harm."""
        return (self.kind.missing(self.holds[name], self.lineage)[1],
                self.kind.size(self.errant[name]))

    def ahead_of(self, name):
        """Per other replica: the lineage transactions it holds that
        ``name`` lacks (lost for good if ``name`` is promoted).
        """
        found = {other: self.kind.missing(self.holds[name], held)[0]
                 for other, held in self.holds.items() if other != name}
        return {other: text for other, text in found.items() if text}

    def to_dict(self):
        return {'lost_source': self.lost_source.to_dict(),
                'lineage': _text(self.lineage),
                'lacks': {name: self.lacks(name) for name in self.holds
                          if self.lacks(name)},
                'choices': {name: {'would_lose': self.lacks(name),
                                   'would_spread': self.spreads(name)}
                            for name in self.holds}}


def judge(holdings):
    """The :class:`Judgment` of ``holdings`` (Holdings of one kind, see
    :class:`~trove_gtid_strategy.decisions.election.Holding`), by the
    rule of this module.
    """
    kind = _kind(holdings)
    lost = kind.lost_source(holdings)
    errant = {h.name: kind.errant(h, [o for o in holdings if o is not h],
                                  lost)
              for h in holdings}
    holds = {h.name: kind.holds(h, errant[h.name]) for h in holdings}
    return Judgment(lost, kind.lineage(holds.values()), errant, holds, kind)
