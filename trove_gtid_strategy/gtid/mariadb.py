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

"""MariaDB GTID positions: ``domain-server-seq``, one per domain.

MariaDB remembers only the last GTID per replication domain, so replicas
are compared domain by domain, by ``seq_no``.
"""

import dataclasses
import enum
import re

from trove_gtid_strategy.gtid.common import _clip
from trove_gtid_strategy.gtid.common import _Immutable
from trove_gtid_strategy.gtid.common import _invalid
from trove_gtid_strategy.gtid.common import _stray_comma

#: Largest MariaDB ``domain_id`` and ``server_id`` (32-bit unsigned).
MAX_MARIADB_ID = 2 ** 32 - 1
#: Largest MariaDB ``seq_no`` (64-bit unsigned).
MAX_MARIADB_SEQ_NO = 2 ** 64 - 1

# MariaDB reads its numbers as decimal, so leading zeros are harmless.
_MARIADB_GTID_RE = re.compile(r'([0-9]+)-([0-9]+)-([0-9]+)\Z', re.ASCII)


@dataclasses.dataclass(frozen=True)
class MariaDBGtid:
    """One MariaDB GTID, ``domain_id-server_id-seq_no``.

    ``domain_id`` and ``server_id`` are 32-bit unsigned, ``seq_no`` 64-bit
    unsigned. Equality compares all three; ordering is deliberately not
    defined, because MariaDB orders GTIDs only by ``seq_no`` and only
    within one domain (see :class:`MariaDBGtidPosition`).
    """

    domain_id: int
    server_id: int
    seq_no: int

    def __post_init__(self):
        for name, limit in (('domain_id', MAX_MARIADB_ID),
                            ('server_id', MAX_MARIADB_ID),
                            ('seq_no', MAX_MARIADB_SEQ_NO)):
            value = getattr(self, name)
            if type(value) is not int:
                raise _invalid('MariaDB GTID %s must be an integer, not %r',
                               name, value)
            if not 0 <= value <= limit:
                raise _invalid('MariaDB GTID %s %d is out of range: '
                               'expected 0 to %d', name, value, limit)

    @classmethod
    def parse(cls, text):
        """Parse ``domain-server-seq``; surrounding whitespace is fine."""
        if not isinstance(text, str):
            raise _invalid('expected a MariaDB GTID as text, got %s',
                           type(text).__name__)
        token = text.strip()
        found = _MARIADB_GTID_RE.match(token)
        if not found:
            if token.startswith('-') or '--' in token:
                raise _invalid('negative number in MariaDB GTID %s: '
                               'expected domain-server-seq, three unsigned '
                               'integers', _clip(token))
            raise _invalid('bad MariaDB GTID %s: expected domain-server-seq,'
                           ' three unsigned decimal integers such as '
                           '0-1-100', _clip(token))
        values = []
        for name, digits, limit in zip(
                ('domain_id', 'server_id', 'seq_no'), found.groups(),
                (MAX_MARIADB_ID, MAX_MARIADB_ID, MAX_MARIADB_SEQ_NO)):
            digits = digits.lstrip('0') or '0'
            # The length test keeps int() away from absurdly long input.
            if len(digits) > 20 or int(digits) > limit:
                raise _invalid('%s %s in MariaDB GTID %s is out of range: '
                               'expected 0 to %d', name, _clip(digits),
                               _clip(token), limit)
            values.append(int(digits))
        return cls(*values)

    def __str__(self):
        return '%d-%d-%d' % (self.domain_id, self.server_id, self.seq_no)


class DomainState(str, enum.Enum):
    """Where one replication domain of a position stands against another.

    A ``str`` enum, so ``state == 'behind'`` works too.
    """

    #: Both have the domain; ours has the lower ``seq_no``.
    BEHIND = 'behind'
    #: Both have the domain with the same ``seq_no``.
    EQUAL = 'equal'
    #: Both have the domain; ours has the higher ``seq_no``.
    AHEAD = 'ahead'
    #: Only the other position has the domain.
    MISSING_HERE = 'missing_here'
    #: Only our position has the domain.
    MISSING_THERE = 'missing_there'


def _split_mariadb(text, what):
    """Yield the MariaDB GTIDs of a comma-separated list."""
    if not isinstance(text, str):
        raise _invalid('expected a MariaDB %s as text, got %s',
                       what, type(text).__name__)
    if not text.strip():
        return
    elements = text.split(',')
    last = len(elements) - 1
    for index, element in enumerate(elements):
        if not element.strip():
            raise _invalid("%s in MariaDB %s %s: expected a GTID "
                           "(domain-server-seq) on each side of every ','",
                           _stray_comma(index, last), what, _clip(text))
        yield MariaDBGtid.parse(element)


class MariaDBGtidPosition(_Immutable):
    """A MariaDB GTID position: at most one GTID per replication domain.

    What ``@@gtid_slave_pos``, ``@@gtid_current_pos`` and
    ``@@gtid_binlog_pos`` print, e.g. ``0-1-100,1-2-5``. Immutable and
    hashable. Iterating yields the :class:`MariaDBGtid` values sorted by
    domain; ``len()`` is the number of domains.

    Comparisons follow MariaDB: within a domain only ``seq_no`` counts,
    whatever the ``server_id``. So ``0-1-100`` and ``0-2-100`` are
    ``EQUAL`` although they name different transactions; spotting such
    diverged histories needs the binlogs (``gtid_strict_mode``), not the
    positions.
    """

    __slots__ = ('_gtids',)

    def __init__(self, gtids=()):
        """Build from :class:`MariaDBGtid` values, one per domain."""
        by_domain = {}
        for gtid in gtids:
            if not isinstance(gtid, MariaDBGtid):
                raise TypeError('expected MariaDBGtid, got %s'
                                % type(gtid).__name__)
            seen = by_domain.get(gtid.domain_id)
            if seen is not None:
                raise _invalid('two GTIDs for domain %d: %s and %s; a '
                               'position holds at most one per domain',
                               gtid.domain_id, seen, gtid)
            by_domain[gtid.domain_id] = gtid
        object.__setattr__(self, '_gtids', dict(sorted(by_domain.items())))

    @classmethod
    def parse(cls, text):
        """Parse a comma-separated position; ``''`` is the empty one.

        Whitespace and newlines around elements are fine. Malformed
        elements, negative or out-of-range numbers and two GTIDs for the
        same domain raise :class:`InvalidGtidSet`.
        """
        return cls(_split_mariadb(text, 'GTID position'))

    @classmethod
    def from_binlog_state(cls, text):
        """The position of ``@@gtid_binlog_state``.

        The binlog state keeps the last GTID of every (domain, server_id)
        pair; this keeps, per domain, the GTID with the highest
        ``seq_no`` (on a tie, the later one, which is how MariaDB lists the
        most recent last). The same (domain, server_id) twice is refused.
        """
        best = {}
        seen = set()
        for gtid in _split_mariadb(text, 'binlog state'):
            pair = (gtid.domain_id, gtid.server_id)
            if pair in seen:
                raise _invalid('domain %d server_id %d appears twice in '
                               'binlog state %s', gtid.domain_id,
                               gtid.server_id, _clip(text))
            seen.add(pair)
            current = best.get(gtid.domain_id)
            if current is None or gtid.seq_no >= current.seq_no:
                best[gtid.domain_id] = gtid
        return cls(best.values())

    def domains(self):
        """The domain ids present, sorted, as a tuple."""
        return tuple(self._gtids)

    def get(self, domain_id):
        """The :class:`MariaDBGtid` of ``domain_id``, or None."""
        return self._gtids.get(domain_id)

    def compare(self, other):
        """Return ``{domain_id: DomainState}`` over both positions' domains.

        States are read from ``self``'s side: ``BEHIND`` means ``self`` has
        a lower ``seq_no`` than ``other`` in that domain.
        """
        if not isinstance(other, MariaDBGtidPosition):
            raise TypeError('expected MariaDBGtidPosition, got %s'
                            % type(other).__name__)
        result = {}
        for domain in sorted(set(self._gtids) | set(other._gtids)):
            mine = self._gtids.get(domain)
            theirs = other._gtids.get(domain)
            if mine is None:
                state = DomainState.MISSING_HERE
            elif theirs is None:
                state = DomainState.MISSING_THERE
            elif mine.seq_no < theirs.seq_no:
                state = DomainState.BEHIND
            elif mine.seq_no > theirs.seq_no:
                state = DomainState.AHEAD
            else:
                state = DomainState.EQUAL
            result[domain] = state
        return result

    def is_at_or_behind(self, other):
        """True if ``other`` has every domain of ``self``, no lower.

        Domains only in ``other`` are fine. A domain only in ``self`` means
        ``self`` holds something ``other`` lacks, so the answer is False.
        """
        return not self.domains_ahead_of(other)

    def domains_ahead_of(self, other):
        """GTIDs of ``self`` that ``other`` has not reached.

        The MariaDB analogue of errant transactions: per domain, our GTID
        when ``other`` lacks the domain or has a lower ``seq_no``. Returns
        a :class:`MariaDBGtidPosition` (empty when there are none).
        """
        if not isinstance(other, MariaDBGtidPosition):
            raise TypeError('expected MariaDBGtidPosition, got %s'
                            % type(other).__name__)
        ahead = []
        for domain, mine in self._gtids.items():
            theirs = other._gtids.get(domain)
            if theirs is None or mine.seq_no > theirs.seq_no:
                ahead.append(mine)
        return MariaDBGtidPosition(ahead)

    def union(self, other):
        """Per domain of either, the GTID furthest on (``self``'s on a tie
        in ``seq_no``): where a server holding both would stand.
        """
        latest = dict(self._gtids)
        for domain, theirs in other._gtids.items():
            mine = latest.get(domain)
            if mine is None or mine.seq_no < theirs.seq_no:
                latest[domain] = theirs
        return MariaDBGtidPosition(latest.values())

    def intersection(self, other):
        """Per domain of both, the GTID less far on (``self``'s on a tie)."""
        return MariaDBGtidPosition(
            mine if mine.seq_no <= other._gtids[domain].seq_no
            else other._gtids[domain]
            for domain, mine in self._gtids.items()
            if domain in other._gtids)

    def __iter__(self):
        return iter(self._gtids.values())

    def __len__(self):
        return len(self._gtids)

    def __bool__(self):
        return bool(self._gtids)

    def __eq__(self, other):
        if not isinstance(other, MariaDBGtidPosition):
            return NotImplemented
        return self._gtids == other._gtids

    def __hash__(self):
        return hash(tuple(self._gtids.values()))

    def __str__(self):
        """Canonical text: sorted by domain, ``,`` between GTIDs."""
        return ','.join(map(str, self._gtids.values()))

    def __repr__(self):
        return 'MariaDBGtidPosition.parse(%r)' % str(self)

    def __reduce__(self):
        return (MariaDBGtidPosition.parse, (str(self),))
