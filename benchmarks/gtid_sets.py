"""Time GtidSet on large fragmented GTID sets.

Usage::

    python benchmarks/gtid_sets.py [--intervals N] [--uuids U]
                                   [--repeat R] [--budget SECONDS]

Replicas that skipped or filtered transactions have ``gtid_executed``
values with many holes, and the pre-checks compare such sets on every
attach and promotion, so set operations must stay linear. This script
builds, over U UUIDs:

* ``a``: every other transaction (``uuid:1:3:5:...``), N intervals in all;
* ``b``: the same offset by one (``uuid:2:4:6:...``), N intervals;
* ``u = a | b`` (one interval per UUID),

then times parse, str, union, difference, intersection and subset for
:class:`trove_gtid_strategy.gtid.GtidSet` (best of R runs), and the same
operations on the same text with python-mysql-replication's
``pymysqlreplication.gtid.GtidSet`` where it has them. That library is
quadratic in places, so each of its operations runs on doubling sizes
until one takes longer than the budget; the table compares both libraries
at the largest size it finished. Nothing here asserts on time.
"""

import argparse
import importlib
import os
import signal
import sys
import time

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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--intervals', type=int, default=100000,
                        help='intervals per set (default 100000)')
    parser.add_argument('--uuids', type=int, default=4,
                        help='source UUIDs the intervals spread over')
    parser.add_argument('--repeat', type=int, default=3,
                        help='runs per timing; the best counts')
    parser.add_argument('--budget', type=float, default=5.0,
                        help='seconds one pymysqlreplication operation may '
                             'take before the size stops doubling')
    args = parser.parse_args(argv)
    if args.intervals < args.uuids or args.uuids < 1:
        parser.error('need --intervals >= --uuids >= 1')

    ours = load_ours()
    uuids = uuid_list(args.uuids)
    print('GtidSet benchmark: %d intervals per set over %d UUIDs, '
          'best of %d, Python %s'
          % (args.intervals, args.uuids, args.repeat,
             sys.version.split()[0]))
    print('a = every other transaction (1:3:5:...), b = a offset by one '
          '(2:4:6:...), u = a | b')
    print()

    inputs = Inputs(ours, uuids, args.intervals)
    print('trove_gtid_strategy.gtid.GtidSet, N = %d' % args.intervals)
    print('%-22s %12s' % ('operation', 'seconds'))
    ours_full = {}
    for name, func, setup in our_operations(ours, inputs):
        seconds, _result = timed(func, setup, args.repeat)
        ours_full[name] = seconds
        print('%-22s %12.4f' % (name, seconds))
    print()

    theirs, version = load_theirs()
    if theirs is None:
        print('pymysqlreplication.gtid: not installed '
              '(pip install mysql-replication)')
        return 0

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


if __name__ == '__main__':
    sys.exit(main())
