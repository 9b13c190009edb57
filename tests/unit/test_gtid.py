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

"""Tests of trove_gtid_strategy.gtid: examples, then property tests.

The property tests check GtidSet against a reference model, a plain Python
set of (uuid, tag, n) triples over small numbers, and MariaDB positions
against plain dicts, so a wrong merge shows up as a concrete
counterexample.
"""

import copy
import dataclasses
import pickle
import re
import sys

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
import pytest

from trove_gtid_strategy import exceptions
from trove_gtid_strategy import gtid
from trove_gtid_strategy.gtid import DomainState
from trove_gtid_strategy.gtid import GtidSet
from trove_gtid_strategy.gtid import MariaDBGtid
from trove_gtid_strategy.gtid import MariaDBGtidPosition

U1 = '3e11fa47-71ca-11e1-9e33-c80aa9429562'
U2 = '3e11fa47-71ca-11e1-9e33-c80aa9429563'
U3 = 'ffffffff-0000-4000-8000-000000000001'
MAX_GNO = 2 ** 63 - 2

Invalid = exceptions.InvalidGtidSet


def raises_naming(token):
    """pytest.raises for InvalidGtidSet whose message quotes ``token``."""
    return pytest.raises(Invalid, match=re.escape(token))


# -- GtidSet: parsing and canonical text ------------------------------------

def test_invalid_gtid_set_is_a_value_error():
    assert issubclass(Invalid, ValueError)


def test_parse_what_servers_print():
    text = ('3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5,\n'
            '3e11fa47-71ca-11e1-9e33-c80aa9429563:1-27:29')
    s = GtidSet.parse(text)
    assert str(s) == U1 + ':1-5,' + U2 + ':1-27:29'
    assert s.count() == 5 + 27 + 1
    assert len(s) == 33
    assert s.uuids() == (U1, U2)


@pytest.mark.parametrize('text', ['', ' ', '\n', ' \t\r\n '])
def test_empty_and_blank_text_is_the_empty_set(text):
    s = GtidSet.parse(text)
    assert s == GtidSet()
    assert str(s) == ''
    assert not s
    assert s.is_empty
    assert len(s) == 0
    assert s.uuids() == ()


@pytest.mark.parametrize('text, canonical', [
    (U1 + ':5-7:1-3:2-6', U1 + ':1-7'),
    (U1 + ':1-3:4-5', U1 + ':1-5'),
    (U1 + ':1-1', U1 + ':1'),
    (U1 + ':1:3:5', U1 + ':1:3:5'),
    (U1 + ':10-20:1-2:12-15:3', U1 + ':1-3:10-20'),
    (U1 + ':7,' + U1 + ':1-6', U1 + ':1-7'),
    (U2 + ':1,' + U1 + ':2', U1 + ':2,' + U2 + ':1'),
    (' ' + U1 + ' : 1 - 5 :\t7 ,\n ' + U2 + ':3 ', U1 + ':1-5:7,' + U2 + ':3'),
    (U1.upper() + ':1,' + U1 + ':2', U1 + ':1-2'),
    (U1 + ':' + str(MAX_GNO), U1 + ':' + str(MAX_GNO)),
    (U1 + ':1-' + str(MAX_GNO), U1 + ':1-' + str(MAX_GNO)),
])
def test_canonical_form(text, canonical):
    assert str(GtidSet.parse(text)) == canonical


@pytest.mark.parametrize('text, canonical', [
    (U1 + ':tag:1-5', U1 + ':tag:1-5'),
    (U1 + ':1-3:tag1:4-5:tag2:1', U1 + ':1-3:tag1:4-5:tag2:1'),
    (U1 + ':TaG:1-5', U1 + ':tag:1-5'),
    (U1 + ':_x:1', U1 + ':_x:1'),
    # Untagged first, then tags sorted; one uuid set per UUID.
    (U1 + ':zeta:1:Alpha:2,' + U1 + ':1-3', U1 + ':1-3:alpha:2:zeta:1'),
    (U1 + ':zeta:1:Alpha:2:1-3', U1 + ':alpha:1-3:zeta:1'),
    (U1 + ':a:1-2,' + U1 + ':A:3-4:7', U1 + ':a:1-4:7'),
    (U1 + ':t:1,' + U1 + ':1', U1 + ':1:t:1'),
    (U1 + ':t:1-3:t:4', U1 + ':t:1-4'),
    # MySQL bug #116789: what 9.1 prints for the manual's example.
    ('3E11FA47-71CA-11E1-9E33-C80AA9429562:Domain_1:1-3:15-21, '
     '3E11FA47-71CA-11E1-9E33-C80AA9429562:Domain_2:8-52',
     U1 + ':domain_1:1-3:15-21:domain_2:8-52'),
    (U2 + ':x:1,' + U1 + ':y:2:1', U1 + ':y:1-2,' + U2 + ':x:1'),
    (U2 + ':x:1,' + U1 + ':y:2,' + U1 + ':1', U1 + ':1:y:2,' + U2 + ':x:1'),
    (U1 + ':' + 'A' * 32 + ':1', U1 + ':' + 'a' * 32 + ':1'),
])
def test_canonical_form_of_tagged_sets(text, canonical):
    assert str(GtidSet.parse(text)) == canonical


def test_tag_applies_until_the_next_tag():
    s = GtidSet.parse(U1 + ':1-3:tag1:4-5:6:tag2:1')
    assert s.intervals(U1) == ((1, 3),)
    assert s.intervals(U1, 'tag1') == ((4, 6),)
    assert s.intervals(U1, 'TAG2') == ((1, 1),)
    assert s.tags(U1) == ('', 'tag1', 'tag2')


def test_tagged_and_untagged_are_different_transactions():
    untagged = GtidSet.parse(U1 + ':1-5')
    tagged = GtidSet.parse(U1 + ':t:1-5')
    assert untagged != tagged
    assert not untagged & tagged
    assert (untagged | tagged).count() == 10


@pytest.mark.parametrize('text, token', [
    ('garbage', "'garbage'"),
    (U1[:-1] + ':1', U1[:-1]),
    ('3e11fa47x71ca-11e1-9e33-c80aa9429562:1', '3e11fa47x71ca'),
    ('{' + U1 + '}:1', '{' + U1 + '}'),
    (U1, 'has no interval'),
    (U1 + ':', "stray ':'"),
    (U1 + '::1', "stray ':'"),
    (U1 + ':1::2', "stray ':'"),
    (U1 + ':1-', "'1-'"),
    (U1 + ':-5', "'-5'"),
    (U1 + ':5-3', "'5-3'"),
    (U1 + ':0', 'transaction number 0'),
    (U1 + ':0-3', "'0-3'"),
    (U1 + ':3-0', "'3-0'"),
    (U1 + ':01', "'01'"),
    (U1 + ':1-2-3', "'1-2-3'"),
    (U1 + ':1,,' + U2 + ':1', "',,'"),
    (',' + U1 + ':1', "leading ','"),
    (U1 + ':1,', "trailing ','"),
    (',', "leading ','"),
    (U1 + ':' + str(MAX_GNO + 1), str(MAX_GNO + 1)),
    (U1 + ':1-' + str(MAX_GNO + 1), str(MAX_GNO + 1)),
    (U1 + ':' + '9' * 20, '9' * 20),
    (U1 + ':+5', "'+5'"),
    (U1 + ':1#', "'1#'"),
    (U1 + ':0x10', "'0x10'"),
    (U1 + ':\u0661', "'\u0661'"),
    (U1 + ':tag', "'tag' in uuid set"),
    (U1 + ':1:tag', "'tag' in uuid set"),
    (U1 + ':a:b:1', "tag 'a'"),
    (U1 + ':1abc:1', "'1abc'"),
    (U1 + ':' + 'a' * 33 + ':1', 'a' * 33),
    (U1 + ':ta-g:1', "'ta-g'"),
    (U1 + ':t\u00e9:1', "'t\u00e9'"),
    (U1 + ':1 2', "'1 2'"),
    (U1 + ';1', U1 + ';1'),
])
def test_parse_rejects_naming_the_bad_part(text, token):
    with raises_naming(token):
        GtidSet.parse(text)


def test_messages_say_what_was_expected():
    with pytest.raises(Invalid, match='expected 8-4-4-4-12'):
        GtidSet.parse('nope:1')
    with pytest.raises(Invalid, match='n <= m'):
        GtidSet.parse(U1 + ':5-3')
    with pytest.raises(Invalid, match='start at 1'):
        GtidSet.parse(U1 + ':0')
    with pytest.raises(Invalid, match='at most %d' % MAX_GNO):
        GtidSet.parse(U1 + ':' + str(MAX_GNO + 1))
    with pytest.raises(Invalid, match='1 to 32 letters'):
        GtidSet.parse(U1 + ':' + 'a' * 33 + ':1')


def test_huge_number_is_rejected_cleanly():
    # Longer than int()'s default digit limit: still our error, named.
    with pytest.raises(Invalid, match='out of range'):
        GtidSet.parse(U1 + ':' + '1' * 5000)


def test_long_input_is_clipped_in_messages():
    text = ','.join('%s:%d' % (U1, n) for n in range(1, 2000)) + ',,'
    with pytest.raises(Invalid) as info:
        GtidSet.parse(text)
    assert len(str(info.value)) < 300


@pytest.mark.parametrize('value', [None, b'', 5, [U1 + ':1']])
def test_parse_rejects_non_text(value):
    with raises_naming(type(value).__name__):
        GtidSet.parse(value)


# -- GtidSet: algebra examples -----------------------------------------------

A = GtidSet.parse(U1 + ':1-10:20,' + U2 + ':5:t:1-3')
B = GtidSet.parse(U1 + ':5-25,' + U3 + ':1:t:2-4')


def test_union():
    assert str(A | B) == (U1 + ':1-25,' + U2 + ':5:t:1-3,' + U3 + ':1:t:2-4')


def test_difference():
    assert str(A - B) == U1 + ':1-4,' + U2 + ':5:t:1-3'
    assert str(B - A) == U1 + ':11-19:21-25,' + U3 + ':1:t:2-4'


def test_difference_splits_intervals():
    big = GtidSet.parse(U1 + ':1-100')
    holes = GtidSet.parse(U1 + ':1:10-20:50:99-200')
    assert str(big - holes) == U1 + ':2-9:21-49:51-98'


def test_intersection():
    assert str(A & B) == U1 + ':5-10:20'
    assert str(A & GtidSet.parse(U2 + ':t:2-9')) == U2 + ':t:2-3'


def test_subset_and_superset():
    small = GtidSet.parse(U1 + ':2-3:20')
    assert small <= A and small < A
    assert A >= small and A > small
    assert A <= A and A >= A
    assert not A < A and not A > A
    assert not A <= B and not B <= A
    assert not GtidSet.parse(U1 + ':9-11') <= A
    assert not GtidSet.parse(U1 + ':t:1') <= GtidSet.parse(U1 + ':1')
    assert GtidSet() <= A and GtidSet() < A


def test_adjacent_intervals_in_the_superset_are_merged():
    # 1-3 and 4-6 merge, so 2-5 is a subset of their union.
    union = GtidSet.parse(U1 + ':1-3') | GtidSet.parse(U1 + ':4-6')
    assert str(union) == U1 + ':1-6'
    assert GtidSet.parse(U1 + ':2-5') <= union


def test_operators_return_new_values_and_leave_operands_alone():
    before = str(A)
    A | B, A - B, A & B
    assert str(A) == before


def test_operators_refuse_other_types():
    assert (A == str(A)) is False
    assert A != str(A)
    for op in ('__or__', '__sub__', '__and__', '__le__', '__lt__',
               '__ge__', '__gt__'):
        assert getattr(A, op)(str(A)) is NotImplemented
    with pytest.raises(TypeError):
        A | str(A)
    with pytest.raises(TypeError):
        A <= {U1}


@pytest.mark.parametrize('single, expected', [
    (U1 + ':1', True),
    (U1 + ':10', True),
    (U1 + ':11', False),
    (U1 + ':20', True),
    (U1 + ':21', False),
    (U1.upper() + ':20', True),
    (' ' + U1 + ' : 7 ', True),
    (U2 + ':5', True),
    (U2 + ':4', False),
    (U2 + ':t:1', True),
    (U2 + ':T:3', True),
    (U2 + ':t:4', False),
    (U2 + ':t:5', False),
    (U2 + ':other:1', False),
    (U3 + ':1', False),
    (U1 + ':' + str(MAX_GNO), False),
])
def test_contains_a_single_gtid(single, expected):
    assert (single in A) is expected


@pytest.mark.parametrize('single, token', [
    (U1 + ':1-3', "'1-3'"),
    (U1 + ':0', 'transaction number 0'),
    (U1 + ':' + str(MAX_GNO + 1), str(MAX_GNO + 1)),
    (U1, U1),
    ('nope:1', "'nope'"),
    (U1 + ':1:2', "'1'"),
    (U1 + ':t', "'t'"),
    (U1 + ':1,' + U2 + ':1', U1 + ':1,'),
    ('', "''"),
])
def test_contains_rejects_bad_gtids(single, token):
    with raises_naming(token):
        single in A


def test_contains_wants_a_string():
    with pytest.raises(TypeError, match='<='):
        GtidSet() in A


def test_contains_on_the_empty_set():
    assert U1 + ':1' not in GtidSet()


# -- GtidSet: helpers --------------------------------------------------------

def test_helpers():
    assert A.uuids() == (U1, U2)
    assert A.tags(U2) == ('', 't')
    assert A.tags(U3) == ()
    assert A.intervals(U1) == ((1, 10), (20, 20))
    assert A.intervals(U1.upper()) == ((1, 10), (20, 20))
    assert A.intervals(U2, 'T') == ((1, 3),)
    assert A.intervals(U3) == ()
    assert A.intervals(U1, 'missing') == ()
    assert A.last(U1) == 20
    assert A.last(U2, 't') == 3
    assert A.last(U3) == 0
    assert A.count() == 11 + 1 + 3


def test_uuids_of_a_tag_only_set():
    s = GtidSet.parse(U1 + ':t:1')
    assert s.uuids() == (U1,)
    assert s.tags(U1) == ('t',)
    assert s.intervals(U1) == ()
    assert s.last(U1) == 0


@pytest.mark.parametrize('call, token', [
    (lambda: A.intervals('nope'), "'nope'"),
    (lambda: A.intervals(U1, '9x'), "'9x'"),
    (lambda: A.last(U1, 'a' * 33), 'a' * 33),
    (lambda: A.tags('nope'), "'nope'"),
    (lambda: A.intervals(None), 'None'),
])
def test_helpers_reject_bad_keys(call, token):
    with raises_naming(token):
        call()


def test_from_intervals():
    s = GtidSet.from_intervals(U1.upper(), [(7, 9), (1, 3), (4, 4), (2, 2)])
    assert str(s) == U1 + ':1-4:7-9'
    t = GtidSet.from_intervals(U1, [(1, 2)], tag='Ta')
    assert str(s | t) == U1 + ':1-4:7-9:ta:1-2'
    assert GtidSet.from_intervals(U1, []) == GtidSet()
    assert GtidSet.from_intervals(U1, iter([(1, MAX_GNO)])).last(U1) == MAX_GNO


@pytest.mark.parametrize('uuid, intervals, tag, token', [
    ('nope', [(1, 2)], '', "'nope'"),
    (U1, [(1, 2)], '1x', "'1x'"),
    (U1, [(0, 2)], '', '(0, 2)'),
    (U1, [(5, 3)], '', '(5, 3)'),
    (U1, [(1, MAX_GNO + 1)], '', str(MAX_GNO + 1)),
    (U1, [(1, 2.0)], '', '(1, 2.0)'),
    (U1, [(True, 2)], '', '(True, 2)'),
    (U1, [(1, 2, 3)], '', '(1, 2, 3)'),
    (U1, [5], '', '5'),
])
def test_from_intervals_rejects(uuid, intervals, tag, token):
    with raises_naming(token):
        GtidSet.from_intervals(uuid, intervals, tag=tag)


def test_len_overflow_and_count():
    s = GtidSet.parse('%s:1-%d,%s:1-%d' % (U1, MAX_GNO, U2, MAX_GNO))
    assert s.count() == 2 * MAX_GNO
    assert s.count() > sys.maxsize
    with pytest.raises(OverflowError):
        len(s)
    assert bool(s)


def test_immutable_and_hashable():
    s = GtidSet.parse(U1 + ':1-3')
    with pytest.raises(AttributeError):
        s._data = {}
    with pytest.raises(AttributeError):
        s.anything = 1
    with pytest.raises(AttributeError):
        del s._data
    same = GtidSet.parse(U1 + ':3:1-2')
    assert s == same and hash(s) == hash(same)
    assert len({s, same, GtidSet()}) == 2
    assert {s: 'x'}[same] == 'x'


def test_pickle_and_copy():
    for s in (A, GtidSet(), A | B):
        assert pickle.loads(pickle.dumps(s)) == s
        assert copy.copy(s) == s
        assert copy.deepcopy(s) == s


def test_repr():
    s = GtidSet.parse(U1 + ':1-3')
    assert repr(s) == "GtidSet.parse('%s:1-3')" % U1
    assert eval(repr(s), {'GtidSet': GtidSet}) == s
    big = GtidSet.from_intervals(U1, [(n, n) for n in range(1, 200, 2)])
    assert repr(big).startswith('<GtidSet ')
    assert '100 intervals' in repr(big)


def test_large_fragmented_sets():
    n = 100000
    odd = GtidSet.from_intervals(U1, [(k, k) for k in range(1, 2 * n, 2)])
    even = GtidSet.parse(U1 + ':' + ':'.join(
        str(k) for k in range(2 * n, 0, -2)))
    assert len(odd.intervals(U1)) == n
    assert str(odd | even) == U1 + ':1-%d' % (2 * n)
    assert not odd & even
    assert odd - even == odd
    assert odd <= odd | even
    assert not odd <= even
    assert GtidSet.parse(str(odd)) == odd


# -- GtidSet: property tests -------------------------------------------------

UUIDS = [U1, U2, U3]
TAGS = ['', 'a', 'tag_b']

pieces = st.lists(
    st.tuples(st.sampled_from(UUIDS), st.sampled_from(TAGS),
              st.integers(1, 40), st.integers(0, 6)),
    max_size=10)


def model_of(elements):
    """The reference model: a Python set of (uuid, tag, n)."""
    return {(uuid, tag, n)
            for uuid, tag, start, length in elements
            for n in range(start, start + length + 1)}


def text_of(elements, upper=False, sep=','):
    """A uuid set per element, in the given order; maybe messy."""
    parts = []
    for uuid, tag, start, length in elements:
        uuid = uuid.upper() if upper else uuid
        tag = tag.upper() if upper else tag
        interval = ('%d' % start if length == 0
                    else '%d-%d' % (start, start + length))
        parts.append(uuid + (':' + tag if tag else '') + ':' + interval)
    return sep.join(parts)


def expand(s):
    """The model of a GtidSet, read back through the public helpers."""
    return {(uuid, tag, n)
            for uuid in s.uuids() for tag in s.tags(uuid)
            for start, end in s.intervals(uuid, tag)
            for n in range(start, end + 1)}


def canonical_of(model):
    """MySQL's canonical text computed from the model, independently."""
    out = []
    for uuid in sorted({u for u, _t, _n in model}):
        text = uuid
        for tag in sorted({t for u, t, _n in model if u == uuid}):
            numbers = sorted(n for u, t, n in model if u == uuid and t == tag)
            runs = []
            for n in numbers:
                if runs and runs[-1][1] == n - 1:
                    runs[-1][1] = n
                else:
                    runs.append([n, n])
            if tag:
                text += ':' + tag
            for start, end in runs:
                text += ':%d' % start if start == end else ':%d-%d' % (
                    start, end)
        out.append(text)
    return ','.join(out)


@st.composite
def gtid_sets(draw):
    return GtidSet.parse(text_of(draw(pieces)))


@given(pieces, st.booleans(), st.sampled_from([',', ',\n', ' , ']))
def test_parse_matches_the_model(elements, upper, sep):
    s = GtidSet.parse(text_of(elements, upper, sep))
    model = model_of(elements)
    assert expand(s) == model
    assert s.count() == len(s) == len(model)
    assert bool(s) is bool(model)
    assert str(s) == canonical_of(model)


@given(pieces)
def test_representation_is_canonical(elements):
    s = GtidSet.parse(text_of(elements))
    for uuid in s.uuids():
        for tag in s.tags(uuid):
            intervals = s.intervals(uuid, tag)
            assert intervals
            for start, end in intervals:
                assert 1 <= start <= end
            for (_s1, e1), (s2, _e2) in zip(intervals, intervals[1:]):
                assert e1 + 1 < s2


@given(pieces, pieces)
def test_operations_match_the_model(x, y):
    a, b = GtidSet.parse(text_of(x)), GtidSet.parse(text_of(y))
    ma, mb = model_of(x), model_of(y)
    assert expand(a | b) == ma | mb
    assert expand(a - b) == ma - mb
    assert expand(a & b) == ma & mb
    assert (a <= b) is (ma <= mb)
    assert (a < b) is (ma < mb)
    assert (a >= b) is (ma >= mb)
    assert (a > b) is (ma > mb)
    assert (a == b) is (ma == mb)
    assert str(a | b) == canonical_of(ma | mb)
    assert str(a - b) == canonical_of(ma - mb)
    assert str(a & b) == canonical_of(ma & mb)


@given(pieces, st.sampled_from(UUIDS), st.sampled_from(TAGS),
       st.integers(1, 50))
def test_contains_matches_the_model(elements, uuid, tag, n):
    s = GtidSet.parse(text_of(elements))
    single = '%s:%s%d' % (uuid, tag + ':' if tag else '', n)
    assert (single in s) is ((uuid, tag, n) in model_of(elements))


@given(pieces, st.sampled_from(UUIDS), st.sampled_from(TAGS))
def test_from_intervals_matches_the_model(elements, uuid, tag):
    intervals = [(start, start + length)
                 for _u, _t, start, length in elements]
    s = GtidSet.from_intervals(uuid, intervals, tag)
    assert expand(s) == {(uuid, tag, n) for start, end in intervals
                         for n in range(start, end + 1)}


@given(gtid_sets(), gtid_sets())
def test_commutative(a, b):
    assert a | b == b | a
    assert a & b == b & a


@given(gtid_sets(), gtid_sets(), gtid_sets())
def test_associative_and_distributive(a, b, c):
    assert (a | b) | c == a | (b | c)
    assert (a & b) & c == a & (b & c)
    assert a & (b | c) == (a & b) | (a & c)
    assert a | (b & c) == (a | b) & (a | c)
    assert a - (b | c) == (a - b) & (a - c)


@given(gtid_sets(), gtid_sets())
def test_difference_and_intersection_laws(a, b):
    assert not (a - b) & b
    assert (a - b) | (a & b) == a
    assert a - a == GtidSet()
    assert a - GtidSet() == a
    assert a & a == a
    assert a | a == a


@given(gtid_sets(), gtid_sets())
def test_order_laws(a, b):
    assert a <= a | b
    assert a & b <= a
    assert a - b <= a
    assert (a <= b) is (a | b == b)
    assert (a <= b) is (a & b == a)
    assert (a <= b) is (b >= a)
    assert (a < b) is (a <= b and a != b)
    if a <= b and b <= a:
        assert a == b


@given(gtid_sets(), gtid_sets())
def test_counting(a, b):
    assert len(a | b) == len(a) + len(b) - len(a & b)
    assert len(a - b) == len(a) - len(a & b)


@given(gtid_sets())
def test_round_trip(a):
    text = str(a)
    assert GtidSet.parse(text) == a
    assert str(GtidSet.parse(text)) == text
    assert not re.search(r'\s', text)
    assert hash(GtidSet.parse(text)) == hash(a)
    assert pickle.loads(pickle.dumps(a)) == a


big_intervals = st.lists(
    st.tuples(st.sampled_from([1, 2 ** 40, MAX_GNO - 60]),
              st.integers(0, 30), st.integers(0, 30)),
    max_size=8)


@given(big_intervals, big_intervals)
@settings(max_examples=50)
def test_large_numbers_match_the_model(x, y):
    def build(items):
        intervals = [(base + off, min(base + off + length, MAX_GNO))
                     for base, off, length in items]
        model = {n for s, e in intervals for n in range(s, e + 1)}
        return GtidSet.from_intervals(U1, intervals), model
    (a, ma), (b, mb) = build(x), build(y)
    assert {n for s, e in (a | b).intervals(U1)
            for n in range(s, e + 1)} == ma | mb
    assert {n for s, e in (a - b).intervals(U1)
            for n in range(s, e + 1)} == ma - mb
    assert (a - b).count() == len(ma - mb)
    assert GtidSet.parse(str(a)) == a


# -- MariaDB: examples -------------------------------------------------------

def test_mariadb_gtid():
    g = MariaDBGtid.parse(' 0-1-100\n')
    assert g == MariaDBGtid(0, 1, 100)
    assert (g.domain_id, g.server_id, g.seq_no) == (0, 1, 100)
    assert str(g) == '0-1-100'
    assert str(MariaDBGtid.parse('007-01-0100')) == '7-1-100'
    top = '4294967295-4294967295-18446744073709551615'
    assert str(MariaDBGtid.parse(top)) == top
    with pytest.raises(dataclasses.FrozenInstanceError):
        g.seq_no = 5


@pytest.mark.parametrize('args, token', [
    ((-1, 1, 1), 'domain_id -1'),
    ((0, 2 ** 32, 1), 'server_id 4294967296'),
    ((0, 1, 2 ** 64), 'seq_no 18446744073709551616'),
    ((True, 1, 1), 'True'),
    (('0', 1, 1), "'0'"),
])
def test_mariadb_gtid_rejects_bad_numbers(args, token):
    with raises_naming(token):
        MariaDBGtid(*args)


def test_mariadb_position():
    p = MariaDBGtidPosition.parse('0-1-100,1-2-5')
    assert str(p) == '0-1-100,1-2-5'
    assert len(p) == 2
    assert p
    assert p.domains() == (0, 1)
    assert p.get(0) == MariaDBGtid(0, 1, 100)
    assert p.get(1) == MariaDBGtid(1, 2, 5)
    assert p.get(9) is None
    assert list(p) == [MariaDBGtid(0, 1, 100), MariaDBGtid(1, 2, 5)]
    assert repr(p) == "MariaDBGtidPosition.parse('0-1-100,1-2-5')"


def test_mariadb_position_canonical_form():
    p = MariaDBGtidPosition.parse(' 10-3-7 ,\n 2-1-00009,\t0-1-1\n')
    assert str(p) == '0-1-1,2-1-9,10-3-7'
    assert p == MariaDBGtidPosition.parse('0-1-1,2-1-9,10-3-7')
    assert hash(p) == hash(MariaDBGtidPosition.parse('0-1-1,2-1-9,10-3-7'))
    assert p != MariaDBGtidPosition.parse('0-1-1,2-1-9,10-4-7')
    assert p != str(p)


@pytest.mark.parametrize('text', ['', '  ', '\n'])
def test_mariadb_empty_position(text):
    p = MariaDBGtidPosition.parse(text)
    assert p == MariaDBGtidPosition()
    assert not p and len(p) == 0 and str(p) == '' and p.domains() == ()


@pytest.mark.parametrize('text, token', [
    ('0-1', "'0-1'"),
    ('0-1-2-3', "'0-1-2-3'"),
    ('a-b-c', "'a-b-c'"),
    ('0-1-1x', "'0-1-1x'"),
    ('-1-1-1', "negative number in MariaDB GTID '-1-1-1'"),
    ('0--1-5', "negative number in MariaDB GTID '0--1-5'"),
    ('0-1--5', "negative number in MariaDB GTID '0-1--5'"),
    ('4294967296-1-1', 'domain_id'),
    ('0-4294967296-1', "server_id '4294967296'"),
    ('0-1-18446744073709551616', "seq_no '18446744073709551616'"),
    ('0-1-' + '9' * 5000, 'out of range'),
    ('0-1-1,0-2-3', 'domain 0'),
    ('1-1-1,0-1-1,1-1-2', 'domain 1'),
    (',', "leading ','"),
    ('0-1-1,', "trailing ','"),
    (',0-1-1', "leading ','"),
    ('0-1-1,,1-1-1', "',,'"),
    ('0-1-1;1-1-1', "'0-1-1;1-1-1'"),
    ('0:1:1', "'0:1:1'"),
    (U1 + ':1-5', U1),
])
def test_mariadb_position_rejects(text, token):
    with raises_naming(token):
        MariaDBGtidPosition.parse(text)


def test_mariadb_position_rejects_non_text_and_non_gtids():
    with raises_naming('NoneType'):
        MariaDBGtidPosition.parse(None)
    with pytest.raises(TypeError):
        MariaDBGtidPosition(['0-1-1'])
    with raises_naming('domain 3'):
        MariaDBGtidPosition([MariaDBGtid(3, 1, 1), MariaDBGtid(3, 1, 1)])


def test_mariadb_position_is_immutable_value():
    p = MariaDBGtidPosition.parse('0-1-1')
    with pytest.raises(AttributeError):
        p._gtids = {}
    assert pickle.loads(pickle.dumps(p)) == p
    assert {p: 1}[MariaDBGtidPosition.parse('0-1-1')] == 1


def test_mariadb_compare():
    mine = MariaDBGtidPosition.parse('0-1-100,1-2-5,2-1-7,3-1-1')
    theirs = MariaDBGtidPosition.parse('0-1-101,1-3-5,2-1-6,4-1-1')
    assert mine.compare(theirs) == {
        0: DomainState.BEHIND,
        1: DomainState.EQUAL,
        2: DomainState.AHEAD,
        3: DomainState.MISSING_THERE,
        4: DomainState.MISSING_HERE,
    }
    assert mine.compare(theirs)[0] == 'behind'
    assert [s.value for s in theirs.compare(mine).values()] == [
        'ahead', 'equal', 'behind', 'missing_here', 'missing_there']


@pytest.mark.parametrize('mine, theirs, expected', [
    ('0-1-5', '0-1-9', True),
    ('0-1-9', '0-1-9', True),
    ('0-1-9', '0-2-9', True),  # same seq_no, other server: MariaDB says equal
    ('0-1-9', '0-2-10', True),
    ('0-1-5', '0-1-9,1-1-1', True),  # a domain only in theirs is fine
    ('', '0-1-1', True),
    ('', '', True),
    ('0-1-10', '0-1-9', False),
    ('0-1-5,1-1-1', '0-1-9', False),  # a domain only in mine is not
    ('0-1-1', '', False),
    ('0-1-5,1-1-3', '0-1-9,1-1-2', False),
])
def test_mariadb_is_at_or_behind(mine, theirs, expected):
    mine = MariaDBGtidPosition.parse(mine)
    theirs = MariaDBGtidPosition.parse(theirs)
    assert mine.is_at_or_behind(theirs) is expected


def test_mariadb_domains_ahead_of():
    mine = MariaDBGtidPosition.parse('0-1-100,1-2-5,2-1-7,3-1-1')
    theirs = MariaDBGtidPosition.parse('0-1-101,1-3-5,2-1-6,4-1-1')
    ahead = mine.domains_ahead_of(theirs)
    assert isinstance(ahead, MariaDBGtidPosition)
    assert str(ahead) == '2-1-7,3-1-1'
    assert str(theirs.domains_ahead_of(mine)) == '0-1-101,4-1-1'
    assert not mine.domains_ahead_of(mine)


def test_mariadb_compare_wants_a_position():
    p = MariaDBGtidPosition.parse('0-1-1')
    with pytest.raises(TypeError):
        p.compare('0-1-1')
    with pytest.raises(TypeError):
        p.is_at_or_behind('0-1-1')


@pytest.mark.parametrize('state, position', [
    ('0-1-100,0-2-90,1-3-5', '0-1-100,1-3-5'),
    ('0-2-90,0-1-100', '0-1-100'),
    ('1-1-5,0-3-2,1-2-8,1-4-7', '0-3-2,1-2-8'),
    ('0-1-7,0-2-7', '0-2-7'),  # tie: the later one, listed last by MariaDB
    ('', ''),
    ('0-1-1', '0-1-1'),
])
def test_mariadb_from_binlog_state(state, position):
    result = MariaDBGtidPosition.from_binlog_state(state)
    assert result == MariaDBGtidPosition.parse(position)


@pytest.mark.parametrize('state, token', [
    ('0-1-5,0-1-6', 'domain 0 server_id 1'),
    ('0-1-5,', "trailing ','"),
    ('0-1', "'0-1'"),
])
def test_mariadb_from_binlog_state_rejects(state, token):
    with raises_naming(token):
        MariaDBGtidPosition.from_binlog_state(state)


# -- MariaDB: property tests -------------------------------------------------

positions = st.dictionaries(
    st.integers(0, 6),
    st.tuples(st.integers(0, 3), st.integers(0, 20)),
    max_size=5)
wide_positions = st.dictionaries(
    st.integers(0, gtid.MAX_MARIADB_ID),
    st.tuples(st.integers(0, gtid.MAX_MARIADB_ID),
              st.integers(0, gtid.MAX_MARIADB_SEQ_NO)),
    max_size=5)


def position_text(model, order, sep=','):
    return sep.join('%d-%d-%d' % (d, model[d][0], model[d][1])
                    for d in order)


@given(st.one_of(positions, wide_positions), st.randoms(),
       st.sampled_from([',', ', ', ',\n', ' ,\t']))
def test_mariadb_parse_matches_the_model(model, random, sep):
    order = list(model)
    random.shuffle(order)
    p = MariaDBGtidPosition.parse(' ' + position_text(model, order, sep))
    assert str(p) == position_text(model, sorted(model))
    assert p.domains() == tuple(sorted(model))
    assert len(p) == len(model)
    for domain, (server, seq) in model.items():
        assert p.get(domain) == MariaDBGtid(domain, server, seq)
    assert MariaDBGtidPosition.parse(str(p)) == p


MIRROR = {
    DomainState.BEHIND: DomainState.AHEAD,
    DomainState.AHEAD: DomainState.BEHIND,
    DomainState.EQUAL: DomainState.EQUAL,
    DomainState.MISSING_HERE: DomainState.MISSING_THERE,
    DomainState.MISSING_THERE: DomainState.MISSING_HERE,
}


@given(positions, positions)
def test_mariadb_comparison_matches_the_model(x, y):
    a = MariaDBGtidPosition.parse(position_text(x, x))
    b = MariaDBGtidPosition.parse(position_text(y, y))
    states = a.compare(b)
    assert set(states) == set(x) | set(y)
    for domain, state in states.items():
        if domain not in y:
            assert state is DomainState.MISSING_THERE
        elif domain not in x:
            assert state is DomainState.MISSING_HERE
        else:
            mine, theirs = x[domain][1], y[domain][1]
            assert state is (DomainState.BEHIND if mine < theirs else
                             DomainState.AHEAD if mine > theirs else
                             DomainState.EQUAL)
    assert b.compare(a) == {d: MIRROR[s] for d, s in states.items()}
    behind = all(d in y and y[d][1] >= seq for d, (_srv, seq) in x.items())
    assert a.is_at_or_behind(b) is behind
    assert a.is_at_or_behind(b) is all(
        s in (DomainState.BEHIND, DomainState.EQUAL, DomainState.MISSING_HERE)
        for s in states.values())
    ahead = a.domains_ahead_of(b)
    assert bool(ahead) is not behind
    assert set(ahead.domains()) == {
        d for d, s in states.items()
        if s in (DomainState.AHEAD, DomainState.MISSING_THERE)}
    assert all(g == a.get(g.domain_id) for g in ahead)
    assert a.is_at_or_behind(a)
    if a.is_at_or_behind(b) and b.is_at_or_behind(a):
        assert set(x) == set(y)
        assert all(x[d][1] == y[d][1] for d in x)


@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4),
                          st.integers(0, 30)),
                unique_by=lambda t: (t[0], t[1]), max_size=12))
def test_mariadb_binlog_state_keeps_the_highest_seq_no(entries):
    text = ','.join('%d-%d-%d' % e for e in entries)
    p = MariaDBGtidPosition.from_binlog_state(text)
    assert set(p.domains()) == {d for d, _s, _n in entries}
    for gtid_ in p:
        same_domain = [n for d, _s, n in entries if d == gtid_.domain_id]
        assert gtid_.seq_no == max(same_domain)
        assert (gtid_.domain_id, gtid_.server_id, gtid_.seq_no) in entries


@pytest.mark.parametrize('a, b, union, intersection', [
    ('0-1-5,1-2-3', '0-1-7,2-3-1', '0-1-7,1-2-3,2-3-1', '0-1-5'),
    ('0-1-5', '', '0-1-5', ''),
    # A tie in seq_no keeps the left side's GTID, as MariaDB compares.
    ('0-1-5', '0-2-5', '0-1-5', '0-1-5'),
    ('0-2-5', '0-1-5', '0-2-5', '0-2-5'),
])
def test_mariadb_union_and_intersection(a, b, union, intersection):
    left, right = MariaDBGtidPosition.parse(a), MariaDBGtidPosition.parse(b)
    assert str(left.union(right)) == union
    assert str(left.intersection(right)) == intersection
