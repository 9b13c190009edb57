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

"""MySQL GTID sets: ``uuid:1-5:11-18,uuid2:tag:1-27`` and their algebra.

A MySQL server remembers sets of ``uuid:n`` (``uuid:tag:n`` since 8.3)
transactions, so replicas are compared with set algebra. Limits, from the
MySQL 8.4 source (``sequence_number_max_inclusive`` in
``mysql/gtids/sequence_number.h``; ``parse_gno`` in ``rpl_gtid_set.cc``
rejects anything ``>= INT64_MAX``): a transaction number lies in
``1 .. 2**63 - 2``. A tag is 1 to 32 ASCII letters, digits and
underscores and does not start with a digit (``mysql::gtid::tag_max_length
= 32``); tags are case-insensitive and MySQL prints them in lower case.
"""

import bisect
import re

from trove_gtid_strategy.gtid.common import _clip
from trove_gtid_strategy.gtid.common import _Immutable
from trove_gtid_strategy.gtid.common import _invalid
from trove_gtid_strategy.gtid.common import _stray_comma

#: Smallest MySQL transaction number (GNO).
MIN_GNO = 1
#: Largest MySQL transaction number the server accepts: ``2**63 - 2``.
#: ``2**63 - 1`` (INT64_MAX) is the server's one-past-the-end sentinel.
MAX_GNO = 2 ** 63 - 2
#: Longest MySQL GTID tag.
MAX_TAG_LENGTH = 32

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
