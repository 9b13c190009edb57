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

"""GTID-set algebra for MySQL and GTID positions for MariaDB.

Pure code: nothing here talks to a server. Callers read text such as
``@@gtid_executed`` or ``@@gtid_slave_pos`` themselves and pass it in.

MySQL identifies a transaction as ``uuid:n`` (or ``uuid:tag:n`` since
8.3), and a server remembers *sets* of them, so replicas are compared with
set algebra (:class:`GtidSet`). MariaDB identifies a transaction as
``domain-server-seq`` and remembers only the last one per replication
domain, so replicas are compared domain by domain
(:class:`MariaDBGtidPosition`). The two formats are not compatible.

Every malformed input raises :class:`~trove_gtid_strategy.exceptions.
InvalidGtidSet` (a :class:`ValueError`) whose message quotes the offending
token and says what was expected.

Limits, from the MySQL 8.4 source (``sequence_number_max_inclusive`` in
``mysql/gtids/sequence_number.h``; ``parse_gno`` in ``rpl_gtid_set.cc``
rejects anything ``>= INT64_MAX``): a transaction number lies in
``1 .. 2**63 - 2``. A tag is 1 to 32 ASCII letters, digits and
underscores and does not start with a digit (``mysql::gtid::tag_max_length
= 32``); tags are case-insensitive and MySQL prints them in lower case.
"""

import bisect
import dataclasses
import enum
import re

from trove_gtid_strategy import exceptions

#: Smallest MySQL transaction number (GNO).
MIN_GNO = 1
#: Largest MySQL transaction number the server accepts: ``2**63 - 2``.
#: ``2**63 - 1`` (INT64_MAX) is the server's one-past-the-end sentinel.
MAX_GNO = 2 ** 63 - 2
#: Longest MySQL GTID tag.
MAX_TAG_LENGTH = 32
#: Largest MariaDB ``domain_id`` and ``server_id`` (32-bit unsigned).
MAX_MARIADB_ID = 2 ** 32 - 1
#: Largest MariaDB ``seq_no`` (64-bit unsigned).
MAX_MARIADB_SEQ_NO = 2 ** 64 - 1

_UUID_RE = re.compile(
    r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z',
    re.ASCII | re.IGNORECASE)
_TAG_RE = re.compile(r'[a-z_][a-z0-9_]{0,%d}\Z' % (MAX_TAG_LENGTH - 1),
                     re.ASCII | re.IGNORECASE)
# Fast path for well-formed intervals. At most 19 digits keeps int() cheap
# and bounded; anything else goes to _interval_error for a precise message.
# Leading zeros are refused: MySQL reads numbers with strtoll(base=0), so
# it would take "010" as octal 8.
_INTERVAL_RE = re.compile(
    r'([1-9][0-9]{0,18})(?:\s*-\s*([1-9][0-9]{0,18}))?\Z', re.ASCII)
_SINGLE_GTID_RE = re.compile(
    r'\s*([^:\s]+)\s*(?::\s*([^:\s]+)\s*)?:\s*([^:\s]+)\s*\Z')
# MariaDB reads its numbers as decimal, so leading zeros are harmless.
_MARIADB_GTID_RE = re.compile(r'([0-9]+)-([0-9]+)-([0-9]+)\Z', re.ASCII)

_CLIP = 60


def _clip(text):
    """Quote ``text`` for a message, shortened: GTID sets can be huge."""
    if len(text) > _CLIP:
        text = text[:_CLIP - 3] + '...'
    return repr(text)


def _invalid(message, *args):
    return exceptions.InvalidGtidSet(message % args)


def _stray_comma(index, last):
    """Name the stray comma before empty element ``index`` of ``last``."""
    if index == 0:
        return "leading ','"
    if index == last:
        return "trailing ','"
    return "empty element between ',,'"


def _check_uuid(token, context=''):
    """Return ``token`` as a lower-case UUID or raise naming it."""
    if not isinstance(token, str) or not _UUID_RE.match(token):
        raise _invalid('bad UUID %s%s: expected 8-4-4-4-12 hexadecimal '
                       'digits such as 3e11fa47-71ca-11e1-9e33-c80aa9429562',
                       _clip(token) if isinstance(token, str)
                       else repr(token), context)
    return token.lower()


def _check_tag(token, context=''):
    """Return ``token`` as a lower-case tag ('' is untagged) or raise."""
    if token == '':
        return ''
    if not isinstance(token, str) or not _TAG_RE.match(token):
        raise _invalid('bad tag %s%s: expected 1 to %d letters, digits or '
                       'underscores, starting with a letter or underscore',
                       _clip(token) if isinstance(token, str)
                       else repr(token), context, MAX_TAG_LENGTH)
    return token.lower()


def _interval_error(token, context):
    """Build the error for an interval token the fast path refused."""
    if token == '':
        return _invalid("empty part%s: stray ':' (expected an interval "
                        "n or n-m, or a tag, between colons)", context)
    start, dash, end = token.partition('-')
    start, end = start.strip(), end.strip()
    if dash and not start:
        return _invalid('interval %r%s has no start: expected n-m with '
                        '1 <= n <= m', token, context)
    if dash and not end:
        return _invalid('interval %r%s has no end: expected n-m with '
                        '1 <= n <= m', token, context)
    numbers = [start, end] if dash else [start]
    for number in numbers:
        if not number.isascii() or not number.isdigit():
            return _invalid('bad part %s%s: expected an interval n or n-m '
                            '(decimal transaction numbers) or a tag',
                            _clip(token), context)
    for number in numbers:
        if number.strip('0') == '':
            return _invalid('transaction number 0 in interval %r%s: '
                            'transaction numbers start at 1', token, context)
        if number.startswith('0'):
            return _invalid('leading zero in %r of interval %r%s: MySQL '
                            'would read it as octal; expected a decimal '
                            'number', number, token, context)
    for number in numbers:
        if len(number) > 19 or int(number) > MAX_GNO:
            return _invalid('transaction number %s in interval %s%s is out '
                            'of range: expected at most %d',
                            _clip(number), _clip(token), context, MAX_GNO)
    return _invalid('reversed interval %r%s: expected n-m with n <= m',
                    token, context)


def _coalesce(intervals):
    """Merge a list of (start, end) sorted by start into canonical form.

    Canonical: sorted, disjoint and not adjacent (1-3 and 4-5 become 1-5).
    One pass, so linear.
    """
    out = []
    append = out.append
    it = iter(intervals)
    for cur_start, cur_end in it:
        break
    else:
        return ()
    for start, end in it:
        if start <= cur_end + 1:
            if end > cur_end:
                cur_end = end
        else:
            append((cur_start, cur_end))
            cur_start, cur_end = start, end
    append((cur_start, cur_end))
    return tuple(out)


def _union(a, b):
    """Union of two canonical interval tuples: one two-pointer pass."""
    out = []
    append = out.append
    i = j = 0
    na, nb = len(a), len(b)
    if a[0][0] <= b[0][0]:
        cur_start, cur_end = a[0]
        i = 1
    else:
        cur_start, cur_end = b[0]
        j = 1
    while i < na or j < nb:
        if j >= nb or (i < na and a[i][0] <= b[j][0]):
            start, end = a[i]
            i += 1
        else:
            start, end = b[j]
            j += 1
        if start <= cur_end + 1:
            if end > cur_end:
                cur_end = end
        else:
            append((cur_start, cur_end))
            cur_start, cur_end = start, end
    append((cur_start, cur_end))
    return tuple(out)


def _difference(a, b):
    """``a`` minus ``b`` for canonical interval tuples, in one pass.

    ``j`` only moves forward, so every interval of ``b`` is looked at a
    bounded number of times: linear in ``len(a) + len(b)``.
    """
    out = []
    append = out.append
    j = 0
    nb = len(b)
    for start, end in a:
        while j < nb and b[j][1] < start:
            j += 1
        cur = start
        while j < nb and b[j][0] <= end:
            b_start, b_end = b[j]
            if b_start > cur:
                append((cur, b_start - 1))
            if b_end >= end:
                # b[j] may also cover the next interval of a: keep j.
                cur = end + 1
                break
            cur = b_end + 1
            j += 1
        if cur <= end:
            append((cur, end))
    return tuple(out)


def _intersection(a, b):
    """Intersection of canonical interval tuples: one two-pointer pass."""
    out = []
    append = out.append
    i = j = 0
    na, nb = len(a), len(b)
    while i < na and j < nb:
        a_start, a_end = a[i]
        b_start, b_end = b[j]
        start = a_start if a_start > b_start else b_start
        end = a_end if a_end < b_end else b_end
        if start <= end:
            append((start, end))
        if a_end < b_end:
            i += 1
        else:
            j += 1
    return tuple(out)


def _is_subset(a, b):
    """True if canonical intervals ``a`` all lie within ``b``; linear.

    ``b`` has no adjacent intervals, so each interval of ``a`` must fit
    inside a single interval of ``b``.
    """
    j = 0
    nb = len(b)
    for start, end in a:
        while j < nb and b[j][1] < start:
            j += 1
        if j == nb or b[j][0] > start or b[j][1] < end:
            return False
    return True


def _format_intervals(intervals):
    return ':'.join(['%d' % s if s == e else '%d-%d' % (s, e)
                     for s, e in intervals])


class _Immutable:
    """Refuse attribute assignment so instances can be hashed safely."""

    __slots__ = ()

    def __setattr__(self, name, value):
        raise AttributeError('%s is immutable' % type(self).__name__)

    def __delattr__(self, name):
        raise AttributeError('%s is immutable' % type(self).__name__)


class GtidSet(_Immutable):
    """An immutable set of MySQL GTIDs, tagged or not.

    Build one with :meth:`parse` (what servers print) or
    :meth:`from_intervals`; ``GtidSet()`` is the empty set. Combine with
    ``|`` (union), ``-`` (difference) and ``&`` (intersection), compare
    with ``<=``/``<`` (subset) and ``>=``/``>`` (superset), test a single
    GTID with ``'uuid:n' in s`` or ``'uuid:tag:n' in s``.

    Internally each (uuid, tag) pair maps to a tuple of sorted, disjoint,
    non-adjacent inclusive ``(start, end)`` intervals, so equal sets have
    equal representations and every operation is a linear merge of two
    sorted lists: sets of 100,000 intervals stay fast. Nothing ever loops
    over single transactions.

    ``len(s)`` is the number of transactions. Several UUIDs with huge
    ranges can exceed ``sys.maxsize``; then ``len()`` raises
    :class:`OverflowError` (Python's own limit) and :meth:`count` still
    answers.
    """

    __slots__ = ('_data', '_hash', '_str')

    def __init__(self):
        """The empty set. Use :meth:`parse` or :meth:`from_intervals`."""
        object.__setattr__(self, '_data', {})
        object.__setattr__(self, '_hash', None)
        object.__setattr__(self, '_str', None)

    @classmethod
    def _from_data(cls, data):
        """Wrap canonical ``{(uuid, tag): intervals}`` without checks."""
        self = cls.__new__(cls)
        object.__setattr__(self, '_data', dict(sorted(data.items())))
        object.__setattr__(self, '_hash', None)
        object.__setattr__(self, '_str', None)
        return self

    @classmethod
    def parse(cls, text):
        """Parse a GTID set as MySQL prints or accepts it.

        Accepts upper or lower case, whitespace (spaces, tabs, newlines)
        around every part, ``,\\n`` between uuid sets, the same UUID in
        several uuid sets, unordered and overlapping intervals, and tags
        (MySQL 8.3+): in ``uuid:1-3:tag1:4-5:tag2:1`` a tag applies to the
        intervals after it until the next tag. ``''`` (or only whitespace)
        is the empty set.

        Refuses, naming the offending token: a bad UUID, a UUID with no
        interval, transaction number 0, numbers above :data:`MAX_GNO` or
        with leading zeros, reversed ranges (``5-3``), stray separators
        (``uuid:``, ``uuid::1``, ``,,``, a leading or trailing ``,``,
        ``1-``, ``-5``), a tag with no interval after it, and anything
        else.

        Cost: one pass over the text, then one sort per (uuid, tag).
        """
        if not isinstance(text, str):
            raise _invalid('expected a GTID set as text, got %s',
                           type(text).__name__)
        if not text.strip():
            return cls()
        chunks = text.split(',')
        buckets = {}
        last = len(chunks) - 1
        for index, chunk in enumerate(chunks):
            if not chunk.strip():
                raise _invalid("%s in GTID set %s: expected a uuid set "
                               "(UUID:interval) on each side of every ','",
                               _stray_comma(index, last), _clip(text))
            cls._parse_uuid_set(chunk, buckets)
        return cls._from_data(
            {key: _coalesce(sorted(intervals))
             for key, intervals in buckets.items() if intervals})

    @staticmethod
    def _parse_uuid_set(chunk, buckets):
        """Add the intervals of one ``uuid[:tag]:interval...`` to buckets."""
        parts = chunk.split(':')
        context = ' in uuid set %s' % _clip(chunk.strip())
        uuid = _check_uuid(parts[0].strip(), context)
        if len(parts) == 1:
            raise _invalid("uuid set %s has no interval: expected "
                           "UUID:interval, e.g. %s:1-5",
                           _clip(chunk.strip()), uuid)
        bucket = buckets.setdefault((uuid, ''), [])
        append = bucket.append
        open_tag = None
        match = _INTERVAL_RE.match
        for part in parts[1:]:
            token = part.strip()
            found = match(token)
            if found:
                start = int(found.group(1))
                end = found.group(2)
                end = start if end is None else int(end)
                if end > MAX_GNO or end < start:
                    raise _interval_error(token, context)
                append((start, end))
                open_tag = None
            elif token[:1].isalpha() or token[:1] == '_':
                if open_tag is not None:
                    raise _invalid('tag %r%s has no interval after it: '
                                   'expected tag:interval', open_tag,
                                   context)
                tag = _check_tag(token, context)
                open_tag = token
                bucket = buckets.setdefault((uuid, tag), [])
                append = bucket.append
            else:
                raise _interval_error(token, context)
        if open_tag is not None:
            raise _invalid('tag %r%s has no interval after it: expected '
                           'tag:interval', open_tag, context)

    @classmethod
    def from_intervals(cls, uuid, intervals, tag=''):
        """The set of ``uuid[:tag]`` transactions in ``intervals``.

        ``intervals`` is an iterable of inclusive ``(start, end)`` pairs
        of ints, in any order, overlapping or not. Use ``|`` to combine
        sets built for several UUIDs or tags.
        """
        uuid = _check_uuid(uuid)
        tag = _check_tag(tag)
        checked = []
        for interval in intervals:
            try:
                start, end = interval
            except (TypeError, ValueError):
                raise _invalid('bad interval %r: expected a (start, end) '
                               'pair', interval)
            for number in (start, end):
                if type(number) is not int:
                    raise _invalid('bad interval %r: expected integers',
                                   interval)
            if not MIN_GNO <= start <= end <= MAX_GNO:
                raise _invalid('bad interval %r: expected (start, end) '
                               'with %d <= start <= end <= %d',
                               interval, MIN_GNO, MAX_GNO)
            checked.append((start, end))
        if not checked:
            return cls()
        checked.sort()
        return cls._from_data({(uuid, tag): _coalesce(checked)})

    def uuids(self):
        """The source UUIDs present (lower case, sorted), as a tuple."""
        return tuple(sorted({uuid for uuid, _tag in self._data}))

    def tags(self, uuid):
        """The tags present for ``uuid``, sorted; ``''`` means untagged."""
        uuid = _check_uuid(uuid)
        return tuple(tag for u, tag in self._data if u == uuid)

    def intervals(self, uuid, tag=''):
        """Inclusive ``(start, end)`` intervals of ``uuid[:tag]``, sorted.

        Empty tuple when absent.
        """
        return self._data.get((_check_uuid(uuid), _check_tag(tag)), ())

    def last(self, uuid, tag=''):
        """Highest transaction number of ``uuid[:tag]``, or 0 if none."""
        intervals = self.intervals(uuid, tag)
        return intervals[-1][1] if intervals else 0

    def count(self):
        """Number of transactions, as an int of any size."""
        return sum(end - start + 1
                   for intervals in self._data.values()
                   for start, end in intervals)

    @property
    def is_empty(self):
        """True if the set holds no transaction."""
        return not self._data

    def __len__(self):
        # Raises OverflowError if the count exceeds sys.maxsize.
        return self.count()

    def __bool__(self):
        return bool(self._data)

    def __contains__(self, gtid):
        """``'uuid:n' in s`` or ``'uuid:tag:n' in s`` for one GTID.

        Use ``<=`` to test a whole set.
        """
        if not isinstance(gtid, str):
            raise TypeError("'in <GtidSet>' needs a single GTID string "
                            "such as 'uuid:5'; use <= for a GtidSet, not "
                            "%s" % type(gtid).__name__)
        found = _SINGLE_GTID_RE.match(gtid)
        if not found:
            raise _invalid('bad GTID %s: expected one transaction, '
                           'UUID:n or UUID:tag:n', _clip(gtid))
        uuid_token, tag_token, number = found.groups()
        context = ' in GTID %s' % _clip(gtid)
        uuid = _check_uuid(uuid_token, context)
        tag = _check_tag(tag_token or '', context)
        single = _INTERVAL_RE.match(number)
        if not single or single.group(2) is not None:
            if single or '-' in number:
                raise _invalid('bad GTID %s: expected one transaction '
                               'number, not the range %r',
                               _clip(gtid), number)
            raise _interval_error(number, context)
        gno = int(single.group(1))
        if gno > MAX_GNO:
            raise _interval_error(number, context)
        intervals = self._data.get((uuid, tag), ())
        index = bisect.bisect_left(intervals, (gno + 1,)) - 1
        return index >= 0 and intervals[index][1] >= gno

    def __or__(self, other):
        if not isinstance(other, GtidSet):
            return NotImplemented
        if not other._data:
            return self
        if not self._data:
            return other
        data = dict(self._data)
        for key, theirs in other._data.items():
            mine = data.get(key)
            data[key] = _union(mine, theirs) if mine else theirs
        return GtidSet._from_data(data)

    def __sub__(self, other):
        if not isinstance(other, GtidSet):
            return NotImplemented
        if not other._data or not self._data:
            return self
        data = {}
        for key, mine in self._data.items():
            theirs = other._data.get(key)
            rest = _difference(mine, theirs) if theirs else mine
            if rest:
                data[key] = rest
        return GtidSet._from_data(data)

    def __and__(self, other):
        if not isinstance(other, GtidSet):
            return NotImplemented
        data = {}
        for key, mine in self._data.items():
            theirs = other._data.get(key)
            if theirs:
                common = _intersection(mine, theirs)
                if common:
                    data[key] = common
        return GtidSet._from_data(data)

    def _issubset(self, other):
        """True if every GTID of ``self`` is in ``other``."""
        if len(self._data) > len(other._data):
            return False
        for key, mine in self._data.items():
            theirs = other._data.get(key)
            if theirs is None or not _is_subset(mine, theirs):
                return False
        return True

    def __le__(self, other):
        if not isinstance(other, GtidSet):
            return NotImplemented
        return self._issubset(other)

    def __lt__(self, other):
        if not isinstance(other, GtidSet):
            return NotImplemented
        return self != other and self._issubset(other)

    def __ge__(self, other):
        if not isinstance(other, GtidSet):
            return NotImplemented
        return other._issubset(self)

    def __gt__(self, other):
        if not isinstance(other, GtidSet):
            return NotImplemented
        return self != other and other._issubset(self)

    def __eq__(self, other):
        if not isinstance(other, GtidSet):
            return NotImplemented
        return self._data == other._data

    def __hash__(self):
        if self._hash is None:
            object.__setattr__(self, '_hash',
                               hash(tuple(self._data.items())))
        return self._hash

    def __str__(self):
        """Canonical text, as MySQL 8.4 prints one uuid set per UUID.

        UUIDs sorted; per UUID the untagged intervals first, then each tag
        in sorted order followed by its intervals, e.g.
        ``uuid:1-5:tag_a:1-3:tag_b:7``. Intervals sorted and merged, single
        transactions as ``n``, ``,`` (no newline) between uuid sets.
        """
        if self._str is None:
            parts = []
            current = None
            for (uuid, tag), intervals in self._data.items():
                if uuid != current:
                    parts.append(',%s' % uuid if parts else uuid)
                    current = uuid
                if tag:
                    parts.append(':' + tag)
                parts.append(':' + _format_intervals(intervals))
            object.__setattr__(self, '_str', ''.join(parts))
        return self._str

    def __repr__(self):
        text = str(self)
        if len(text) <= 200:
            return 'GtidSet.parse(%r)' % text
        return '<GtidSet %s, %d intervals, %d UUIDs>' % (
            _clip(text), sum(map(len, self._data.values())),
            len(self.uuids()))

    def __reduce__(self):
        return (GtidSet.parse, (str(self),))


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
