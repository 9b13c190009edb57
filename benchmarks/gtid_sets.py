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

"""Time GtidSet on fragmented GTID sets, against python-mysql-replication.

Usage::

    python benchmarks/gtid_sets.py [--uuids 1,100,10000]
                                   [--intervals 1000,10000,100000]
                                   [--repeat R] [--budget SECONDS]
                                   [--json FILE] [--ladder]

Replicas that skipped or filtered transactions have ``gtid_executed``
values with many holes, and the pre-checks compare such sets on every
attach and promotion, so set operations must stay linear. For every
combination of U UUIDs and N intervals (N >= U) this script builds:

* ``a``: every other transaction (``uuid:1:3:5:...``), N intervals in all;
* ``b``: the same offset by one (``uuid:2:4:6:...``), N intervals;
* ``u = a | b`` (one interval per UUID),

and times, for :class:`trove_gtid_strategy.gtid.GtidSet` (best of R
runs) and python-mysql-replication's ``pymysqlreplication.gtid.GtidSet``
on the same text: parse, union of disjoint sets (``a | b``), union of
overlapping sets (``u | a``), difference (``u - b``; the peer's GtidSet
has none, so it is done per UUID with its ``Gtid.__sub__``) and
containment (``a <= u``; the peer's ``a in u``). Every peer answer is
printed and read back with our parser and compared with ours: "WRONG"
marks a different answer, "raises" an exception where there is an
answer. The peer is quadratic in places: an operation that takes longer
than the budget is stopped and reported as such (its later operations on
those inputs are not reached). Then small cases where the peer's answer
is wrong whatever the size (tagged GTIDs of MySQL 8.3+, upper-case
UUIDs, overlapping unions, subset tests). ``--ladder`` adds the older
table: each peer operation on doubling sizes up to N until one takes
longer than the budget. Nothing here asserts on time.
"""

import argparse
import importlib
import json
import os
import signal
import sys
import time

from machine import machine

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_ours():
    """Import our gtid module, from the checkout if it is not installed."""
    try:
        return importlib.import_module('trove_gtid_strategy.gtid')
    except ImportError:
        sys.path.insert(0, REPO)
        return importlib.import_module('trove_gtid_strategy.gtid')


def load_theirs():
    """pymysqlreplication.gtid and its version, or (None, None)."""
    try:
        module = importlib.import_module('pymysqlreplication.gtid')
    except ImportError:
        return None, None
    try:
        from importlib import metadata
        version = metadata.version('mysql-replication')
    except Exception:
        version = '?'
    return module, version


def uuid_list(count):
    return ['%08x-71ca-11e1-9e33-%012x' % (0x3e11fa47 + i, 0xc80aa9429562 + i)
            for i in range(count)]


def fragmented_text(uuids, intervals, offset):
    """``uuid:(1+offset):(3+offset):...``, intervals spread over uuids."""
    per_uuid, extra = divmod(intervals, len(uuids))
    parts = []
    for index, uuid in enumerate(uuids):
        count = per_uuid + (1 if index < extra else 0)
        if count:
            parts.append(uuid + ':' + ':'.join(
                str(2 * k + 1 + offset) for k in range(count)))
    return ','.join(parts)


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout()


def timed(func, setup=None, repeat=1, budget=None):
    """Best wall time of ``func(setup())`` and its result.

    With ``budget`` (seconds, Unix only) a run that takes longer is
    interrupted and Timeout is raised. Repeats stop early once the runs
    so far used half the budget.
    """
    best = None
    result = None
    spent = 0.0
    for _ in range(repeat):
        arg = setup() if setup else None
        use_alarm = budget is not None and hasattr(signal, 'setitimer')
        if use_alarm:
            previous = signal.signal(signal.SIGALRM, _alarm)
            signal.setitimer(signal.ITIMER_REAL, budget)
        try:
            start = time.perf_counter()
            result = func(arg) if setup else func()
            elapsed = time.perf_counter() - start
        finally:
            if use_alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
        best = elapsed if best is None else min(best, elapsed)
        spent += elapsed
        if budget is not None and spent > budget / 2:
            break
    return best, result


class Inputs:
    """The texts and our parsed sets for one size."""

    def __init__(self, ours, uuids, intervals):
        self.intervals = intervals
        self.text_a = fragmented_text(uuids, intervals, 0)
        self.text_b = fragmented_text(uuids, intervals, 1)
        self.a = ours.GtidSet.parse(self.text_a)
        self.b = ours.GtidSet.parse(self.text_b)
        self.u = self.a | self.b
        self.text_u = str(self.u)


def our_operations(ours, inputs):
    """(name, func, setup) for our GtidSet. Setup keeps caches out."""
    parse = ours.GtidSet.parse
    i = inputs
    return [
        ('parse a', lambda: parse(i.text_a), None),
        ('str a', str, lambda: parse(i.text_a)),
        ('union a | b', lambda: i.a | i.b, None),
        ('difference u - b', lambda: i.u - i.b, None),
        ('difference a - b', lambda: i.a - i.b, None),
        ('intersection u & a', lambda: i.u & i.a, None),
        ('intersection a & b', lambda: i.a & i.b, None),
        ('subset a <= u', lambda: i.a <= i.u, None),
    ]


class TheirInputs:
    """The same texts parsed by pymysqlreplication, each within budget.

    Its parser is quadratic, so parsing alone can exceed the budget; then
    Timeout propagates and that size is out of reach. Its operations do
    not modify their operands, so the parsed sets are shared.
    """

    def __init__(self, theirs, inputs, budget):
        self.text_a = inputs.text_a

        def parse(text):
            return timed(lambda: theirs.GtidSet(text), budget=budget)[1]

        self.a = parse(inputs.text_a)
        self.b = parse(inputs.text_b)
        self.u = parse(inputs.text_u)


def their_operations(theirs, parsed):
    """The same operations with pymysqlreplication, where it has them.

    Its GtidSet has no difference and no intersection; difference is done
    per UUID with ``Gtid.__sub__``, which exists. Subset is done per UUID
    with ``Gtid.__contains__``: its ``GtidSet.__contains__(GtidSet)``
    tests each UUID's intervals for *equality* (``list.__contains__``), so
    ``a in u`` is False although a is a subset of u.
    """
    their_set = theirs.GtidSet
    i = parsed

    def difference(left, right):
        by_sid = {g.sid: g for g in right.gtids}
        return their_set([g - by_sid[g.sid] if g.sid in by_sid else g
                          for g in left.gtids])

    def subset(left, right):
        by_sid = {g.sid: g for g in right.gtids}
        return all(g.sid in by_sid and g in by_sid[g.sid]
                   for g in left.gtids)

    return {
        'parse a': lambda: their_set(i.text_a),
        'str a': lambda: str(i.a),
        'union a | b': lambda: i.a + i.b,
        'difference u - b': lambda: difference(i.u, i.b),
        'difference a - b': lambda: difference(i.a, i.b),
        'subset a <= u': lambda: subset(i.a, i.u),
    }


def same_result(ours, mine, theirs):
    """Compare results: theirs is printed and re-read with our parser."""
    if isinstance(mine, (bool, str)):
        return mine == theirs
    try:
        return ours.GtidSet.parse(str(theirs)) == mine
    except ValueError:
        return False


def ladder(limit, start=500):
    size = min(start, limit)
    while True:
        yield size
        if size >= limit:
            return
        size = min(size * 2, limit)


def old_ladder(args, ours, theirs, version):
    uuids = uuid_list(args.uuids_ladder)
    args.intervals = args.intervals_ladder
    print('Ladder: %d intervals over %d UUIDs' % (args.intervals, len(uuids)))
    inputs = Inputs(ours, uuids, args.intervals)
    print('trove_gtid_strategy.gtid.GtidSet, N = %d' % args.intervals)
    print('%-22s %12s' % ('operation', 'seconds'))
    ours_full = {}
    for name, func, setup in our_operations(ours, inputs):
        seconds, _result = timed(func, setup, args.repeat)
        ours_full[name] = seconds
        print('%-22s %12.4f' % (name, seconds))
    print()

    print('versus pymysqlreplication.gtid.GtidSet (mysql-replication %s)'
          % version)
    print('each of its operations runs on doubling N until one run takes '
          'over %.1f s; compared at the largest N it finished'
          % args.budget)
    header = '%-22s %8s %11s %11s %12s  %s' % (
        'operation', 'N', 'ours (s)', 'theirs (s)', 'theirs/ours', 'same')
    print(header)
    print('-' * len(header))
    notes = []
    ours_cache = {args.intervals: inputs}
    their_cache = {}
    for name, _func, _setup in our_operations(ours, inputs):
        if name not in their_operations(theirs, None):
            print('%-22s %8d %11.4f %11s' % (
                name, args.intervals, ours_full[name], 'n/a'))
            continue
        done = None
        steps = []
        for size in ladder(args.intervals):
            if size not in ours_cache:
                ours_cache[size] = Inputs(ours, uuids, size)
            if size not in their_cache:
                try:
                    their_cache[size] = TheirInputs(
                        theirs, ours_cache[size], args.budget)
                except Timeout:
                    their_cache[size] = None
            if their_cache[size] is None:
                steps.append('%d: parsing the inputs took over %g s'
                             % (size, args.budget))
                break
            their_func = their_operations(theirs, their_cache[size])[name]
            try:
                their_seconds, their_result = timed(
                    their_func, repeat=args.repeat, budget=args.budget)
            except Timeout:
                steps.append('%d: over %g s' % (size, args.budget))
                break
            mine = dict((n, (f, s)) for n, f, s in
                        our_operations(ours, ours_cache[size]))[name]
            mine_seconds, mine_result = timed(mine[0], mine[1], args.repeat)
            done = (size, mine_seconds, their_seconds,
                    same_result(ours, mine_result, their_result))
            steps.append('%d: %.3g s' % (size, their_seconds))
            if their_seconds > args.budget / 4:
                # Doubling N at least doubles the time: stop before the
                # next size certainly overruns.
                break
        if done is None:
            print('%-22s %8d %11.4f %11s' % (
                name, args.intervals, ours_full[name],
                'none within budget'))
            continue
        size, mine_seconds, their_seconds, same = done
        ratio = their_seconds / mine_seconds if mine_seconds else float('inf')
        print('%-22s %8d %11.4f %11.4f %12.4g  %s' % (
            name, size, mine_seconds, their_seconds, ratio,
            'yes' if same else 'NO'))
        if size < args.intervals:
            notes.append('%s, theirs by N: %s' % (name, ', '.join(steps)))
    if notes:
        print()
        print('pymysqlreplication stopped below N = %d:' % args.intervals)
        for note in notes:
            print('  ' + note)
    return 0


GRID_OPERATIONS = ('parse', 'union a | b', 'union u | a (overlapping)',
                   'difference u - b', 'containment a <= u')


def our_grid_operations(ours, i):
    parse = ours.GtidSet.parse
    return {
        'parse': (lambda: parse(i.text_a), i.a),
        'union a | b': (lambda: i.a | i.b, i.u),
        'union u | a (overlapping)': (lambda: i.u | i.a, i.u),
        'difference u - b': (lambda: i.u - i.b, i.a),
        'containment a <= u': (lambda: i.a <= i.u, True),
    }


def their_grid_operations(theirs, parsed):
    """The peer's own API for each operation (difference per UUID: its
    GtidSet has no difference).
    """
    i = parsed

    def difference(left, right):
        by_sid = {g.sid: g for g in right.gtids}
        return theirs.GtidSet([g - by_sid[g.sid] if g.sid in by_sid else g
                               for g in left.gtids])
    return {
        'union a | b': lambda: i.a + i.b,
        'union u | a (overlapping)': lambda: i.u + i.a,
        'difference u - b': lambda: difference(i.u, i.b),
        'containment a <= u': lambda: i.a in i.u,
    }


def judge(ours, expected, answer):
    """'same' or what is wrong with the peer's ``answer``."""
    if isinstance(expected, bool):
        return 'same' if answer == expected else \
            'WRONG: %r, should be %r' % (answer, expected)
    try:
        got = ours.GtidSet.parse(str(answer))
    except ValueError as exc:
        return 'WRONG: prints %r' % str(exc)[:60]
    entries = getattr(answer, 'gtids', None)
    if got == expected and entries is not None and \
            len(entries) != len(expected.uuids()):
        return 'WRONG: %d entries for %d server UUIDs' % (
            len(entries), len(expected.uuids()))
    if got == expected:
        return 'same'
    return 'WRONG: %d transactions, should be %d' % (got.count(),
                                                     expected.count())


def _their_call(func, budget, repeat):
    """``(seconds, answer, status)``; status 'ok', 'over budget' or
    'raises <exception>'.
    """
    try:
        seconds, answer = timed(func, repeat=repeat, budget=budget)
        return seconds, answer, 'ok'
    except Timeout:
        return None, None, 'over %g s budget' % budget
    except Exception as exc:
        return None, None, 'raises %s: %s' % (
            type(exc).__name__, str(exc)[:60])


def run_grid(args, ours, theirs):
    results = []
    for count in args.uuids:
        uuids = uuid_list(count)
        for intervals in args.intervals:
            if intervals < count:
                continue
            inputs = Inputs(ours, uuids, intervals)
            mine = our_grid_operations(ours, inputs)
            ours_seconds = {name: timed(func, repeat=args.repeat)[0]
                            for name, (func, _) in mine.items()}
            cell = {}
            if theirs is not None:
                seconds, parsed_a, status = _their_call(
                    lambda: theirs.GtidSet(inputs.text_a), args.budget,
                    args.repeat)
                cell['parse'] = (seconds, parsed_a, status)
                parsed = None
                if status == 'ok':
                    parsed = type('Parsed', (), {})()
                    parsed.a = parsed_a
                    for name, text in (('b', inputs.text_b),
                                       ('u', inputs.text_u)):
                        _, value, status_x = _their_call(
                            lambda text=text: theirs.GtidSet(text),
                            args.budget, 1)
                        if status_x != 'ok':
                            parsed = None
                            break
                        setattr(parsed, name, value)
                funcs = their_grid_operations(theirs, parsed) \
                    if parsed is not None else {}
                for name in GRID_OPERATIONS[1:]:
                    if name not in funcs:
                        cell[name] = (None, None, 'not reached (parsing '
                                      'the inputs took over %g s)'
                                      % args.budget)
                        continue
                    cell[name] = _their_call(funcs[name], args.budget,
                                             args.repeat)
            for name in GRID_OPERATIONS:
                entry = {'uuids': count, 'intervals': intervals,
                         'operation': name,
                         'ours_seconds': round(ours_seconds[name], 6)}
                if theirs is not None:
                    seconds, answer, status = cell[name]
                    entry['theirs_seconds'] = (None if seconds is None
                                               else round(seconds, 6))
                    entry['theirs_status'] = status
                    if status == 'ok':
                        entry['theirs_answer'] = judge(ours, mine[name][1],
                                                       answer)
                        # A ratio only where both gave the right answer.
                        if entry['theirs_answer'] == 'same' and \
                                ours_seconds[name]:
                            entry['ratio'] = round(
                                seconds / ours_seconds[name], 1)
                    elif status.startswith('raises'):
                        entry['theirs_answer'] = 'WRONG: ' + status
                results.append(entry)
                print_grid_row(entry)
    return results


def print_grid_row(e):
    theirs = e.get('theirs_seconds')
    print('%6d %7d  %-26s %10.4f %11s %9s  %s' % (
        e['uuids'], e['intervals'], e['operation'], e['ours_seconds'],
        '%.4f' % theirs if theirs is not None else '-',
        '%gx' % e['ratio'] if e.get('ratio') is not None else '-',
        e.get('theirs_answer') or e.get('theirs_status', '')))


WRONG_CASES = [
    ('subset: a in u (a is part of u)',
     '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-3',
     '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-10', 'contains'),
    ('union of overlapping sets',
     '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5',
     '3e11fa47-71ca-11e1-9e33-c80aa9429562:3-8', 'union'),
    ('tagged GTIDs (MySQL 8.3+)',
     '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:mytag:1-3', None, 'parse'),
    ('upper-case UUID (as users type it)',
     '3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5',
     '3e11fa47-71ca-11e1-9e33-c80aa9429562:6-8', 'union'),
    ('gtid_executed as MySQL prints it (",\\n")',
     '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5,\n'
     '4e11fa47-71ca-11e1-9e33-c80aa9429562:1-2', None, 'parse'),
]


def wrong_answers(ours, theirs):
    """Small inputs where the peer's answer differs from the right one."""
    rows = []
    for title, left, right, operation in WRONG_CASES:
        a = ours.GtidSet.parse(left)
        b = ours.GtidSet.parse(right) if right else None
        expected = {'contains': lambda: a <= b, 'union': lambda: a | b,
                    'parse': lambda: a}[operation]()
        try:
            ta = theirs.GtidSet(left)
            tb = theirs.GtidSet(right) if right else None
            answer = {'contains': lambda: ta in tb,
                      'union': lambda: ta + tb,
                      'parse': lambda: ta}[operation]()
            verdict = judge(ours, expected, answer)
            shown = str(answer)
        except Exception as exc:
            verdict = 'WRONG: raises %s: %s' % (
                type(exc).__name__, str(exc)[:70])
            shown = None
        rows.append({'case': title, 'expected': str(expected),
                     'theirs': shown, 'verdict': verdict})
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])

    def sizes(text):
        return [int(v) for v in text.split(',')]
    parser.add_argument('--uuids', type=sizes, default=[1, 100, 10000],
                        help='UUID counts, comma-separated (default '
                             '1,100,10000)')
    parser.add_argument('--intervals', type=sizes,
                        default=[1000, 10000, 100000],
                        help='interval counts per set, comma-separated '
                             '(default 1000,10000,100000)')
    parser.add_argument('--repeat', type=int, default=3,
                        help='runs per timing; the best counts')
    parser.add_argument('--budget', type=float, default=2.0,
                        help='seconds one pymysqlreplication operation may '
                             'take before it is stopped')
    parser.add_argument('--json', metavar='FILE',
                        help='also write the results as JSON')
    parser.add_argument('--ladder', action='store_true',
                        help='add the doubling-size table (one size: '
                             '--intervals-ladder over --uuids-ladder)')
    parser.add_argument('--intervals-ladder', type=int, default=100000)
    parser.add_argument('--uuids-ladder', type=int, default=4)
    args = parser.parse_args(argv)
    if min(args.uuids) < 1 or min(args.intervals) < 1:
        parser.error('sizes must be at least 1')

    ours = load_ours()
    theirs, version = load_theirs()
    report = {'machine': machine(), 'peer': version, 'budget': args.budget,
              'repeat': args.repeat}
    print('machine: %(cpu)s, %(cores)s cores, %(memory_gib)s GiB, '
          'Python %(python)s' % report['machine'])
    print('trove_gtid_strategy.gtid.GtidSet vs %s; best of %d; peer '
          'operations stopped after %g s'
          % ('pymysqlreplication.gtid.GtidSet (mysql-replication %s)'
             % version if theirs else 'nothing (pip install '
             'mysql-replication)', args.repeat, args.budget))
    print('a = every other transaction (1:3:5:...), b = a offset by one '
          '(2:4:6:...), u = a | b')
    print()
    header = '%6s %7s  %-26s %10s %11s %9s  %s' % (
        'UUIDs', 'ivals', 'operation', 'ours (s)', 'theirs (s)',
        'theirs/', "theirs' answer")
    print(header)
    print('%6s %7s  %-26s %10s %11s %9s' % ('', '', '', '', '', 'ours'))
    print('-' * len(header))
    report['grid'] = run_grid(args, ours, theirs)
    if theirs is not None:
        print()
        print("Small cases, the peer's answer checked (any size):")
        report['wrong_answers'] = wrong_answers(ours, theirs)
        for row in report['wrong_answers']:
            print('  %-40s %s' % (row['case'], row['verdict']))
        if args.ladder:
            print()
            old_ladder(args, ours, theirs, version)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(report, f, indent=2, sort_keys=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
