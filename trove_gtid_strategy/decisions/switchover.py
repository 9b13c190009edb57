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


"""Where a switchover stands, decided from the servers alone.

A switchover changes several servers one statement at a time, and a run
can stop after any of them (killed, a lost connection, the operator's
machine gone). Nothing records its progress but the servers: who
replicates from whom, who is read-only, what each holds. So every run
reads them first and goes on from where they are, from any machine:

``START``
    The candidate replicates from the source, which is not a replica:
    fence the source (again), wait, promote, point the others at it. A
    source found read-only here was fenced by a stopped run; if this run
    gives up, the source is made writable, as a source is.
``PROMOTE``
    Both are read-only and neither replicates (a run stopped between the
    candidate's detach and making it writable: no writable server at
    all), and the candidate holds exactly what the source holds: finish
    the promotion.
``ROLLBACK``
    The same, but the candidate lacks some of the source's transactions:
    the source takes writes again and the candidate follows it again.
``REPOINT``
    The candidate is a writable source and the old source is fenced or
    already follows it: point whoever does not follow it yet.
``DONE``
    The candidate is the writable source and every other server follows
    it, running and read-only: nothing is left but lifting what the
    fence did.

Anything else (two writable servers, a candidate replicating from a third
server) is refused with what was seen: no rule here can know which
server's writes are the ones to keep.
"""

import dataclasses
import enum

from trove_gtid_strategy import exceptions
from trove_gtid_strategy import topology


class Phase(enum.Enum):
    START = 'start'
    PROMOTE = 'promote'
    ROLLBACK = 'rollback'
    REPOINT = 'repoint'
    DONE = 'done'


#: How the candidate's transactions compare with the source's, when
#: neither replicates: 'same', 'lacks' (some of the source's are missing)
#: or 'extra' (it has some the source lacks).
SAME, LACKS, EXTRA = 'same', 'lacks', 'extra'


@dataclasses.dataclass(frozen=True)
class Member:
    """One server as a switchover sees it."""

    name: str
    server_id: int
    #: ``(host, port)`` as the operator named it.
    address: tuple
    read_only: bool
    #: ``(host, port)`` of its source; None when it is not a replica.
    source_address: tuple | None = None
    #: ``Source_Server_Id``: 0 or None until its I/O thread connected.
    source_server_id: int | None = None
    running: bool = False

    @property
    def is_replica(self):
        return self.source_address is not None

    def follows(self, other):
        """True if this server replicates from ``other``."""
        if not self.is_replica:
            return False
        if self.source_server_id:
            return self.source_server_id == other.server_id
        return tuple(self.source_address) == tuple(other.address)

    def describe(self):
        role = ('replica of %s:%s' % tuple(self.source_address)
                if self.is_replica else 'not a replica')
        return '%s: %s, %s' % (self.name, role, 'read-only' if
                               self.read_only else 'writable')


@dataclasses.dataclass(frozen=True)
class Decision:
    phase: Phase
    reason: str
    #: Names of the servers that do not follow the candidate yet.
    pending: tuple = ()


def decide(source, candidate, replicas, holds=None):
    """The :class:`Decision` for these :class:`Member` states.

    ``holds``: how the candidate's transactions compare with the source's
    (:data:`SAME`, :data:`LACKS`, :data:`EXTRA`), needed only when
    neither replicates. Raises PrecheckFailed for a state no phase
    explains, naming what each server is.
    """
    others = list(replicas) + [source]
    if candidate.follows(source) and not source.is_replica:
        return Decision(Phase.START, '%s replicates from %s' % (
            candidate.name, source.name))
    if not candidate.is_replica and not candidate.read_only:
        if not source.is_replica and not source.read_only:
            _refuse('%s and %s are both writable sources' % (
                candidate.name, source.name), source, candidate, replicas)
        pending = tuple(m.name for m in others if not (
            m.follows(candidate) and m.running and m.read_only))
        if not pending:
            return Decision(Phase.DONE, '%s is the source and every other '
                            'server follows it' % candidate.name)
        return Decision(Phase.REPOINT, '%s was promoted by an earlier run'
                        % candidate.name, pending)
    if not candidate.is_replica and not source.is_replica and \
            candidate.read_only and source.read_only:
        if holds == SAME:
            return Decision(Phase.PROMOTE, 'an earlier run detached %s '
                            'holding every transaction of %s and stopped '
                            'before making it writable' % (candidate.name,
                                                           source.name))
        if holds == LACKS:
            return Decision(Phase.ROLLBACK, '%s is detached but lacks '
                            'transactions of %s: %s takes writes again and '
                            '%s follows it' % (candidate.name, source.name,
                                               source.name, candidate.name))
        _refuse('%s holds transactions %s lacks' % (
            candidate.name, source.name), source, candidate, replicas)
    _refuse('%s does not replicate from %s' % (candidate.name, source.name),
            source, candidate, replicas)


def _refuse(why, source, candidate, replicas):
    seen = '; '.join(m.describe() for m in [source, candidate]
                     + list(replicas))
    message = 'refusing to switch over to %s: %s (%s)' % (
        candidate.name, why, seen)
    raise exceptions.PrecheckFailed(message, topology.PrecheckResult(
        None, (topology.Problem('switchover', '%s (%s)' % (why, seen)),)))
