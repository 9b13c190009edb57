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


def their_operations(theirs, inputs):
    """The same operations with pymysqlreplication, where it has them.

    It has no GtidSet difference or intersection; difference is done per
    UUID with Gtid.__sub__, which it does have. Subset is
    ``a in u`` (GtidSet.__contains__).
    """
    their_set = theirs.GtidSet
    i = inputs

    def parsed(text):
        return lambda: their_set(text)

    def difference(pair):
        left, right = pair
        by_sid = {g.sid: g for g in right.gtids}
        return their_set([g - by_sid[g.sid] if g.sid in by_sid else g
                          for g in left.gtids])

    return {
        'parse a': (lambda: their_set(i.text_a), None),
        'str a': (str, parsed(i.text_a)),
        'union a | b': (lambda pair: pair[0] + pair[1],
                        lambda: (their_set(i.text_a), their_set(i.text_b))),
        'difference u - b': (difference, lambda: (their_set(i.text_u),
                                                  their_set(i.text_b))),
        'difference a - b': (difference, lambda: (their_set(i.text_a),
                                                  their_set(i.text_b))),
        'subset a <= u': (lambda pair: pair[0] in pair[1],
                          lambda: (their_set(i.text_a),
                                   their_set(i.text_u))),
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
    cache = {args.intervals: inputs}
    for name, func, setup in our_operations(ours, inputs):
        done = None
        steps = []
        for size in ladder(args.intervals):
            if size not in cache:
                cache[size] = Inputs(ours, uuids, size)
            sized = cache[size]
            operations = their_operations(theirs, sized)
            if name not in operations:
                break
            their_func, their_setup = operations[name]
            try:
                their_seconds, their_result = timed(
                    their_func, their_setup, args.repeat, args.budget)
            except Timeout:
                steps.append('N=%d: over %.1f s' % (size, args.budget))
                break
            except Exception as exc:
                steps.append('N=%d: failed: %s' % (size, exc))
                break
            mine_func, mine_setup = [
                (f, s) for n, f, s in our_operations(ours, sized)
                if n == name][0]
            mine_seconds, mine_result = timed(mine_func, mine_setup,
                                              args.repeat)
            done = (size, mine_seconds, their_seconds,
                    same_result(ours, mine_result, their_result))
            steps.append('N=%d: %.3g s' % (size, their_seconds))
            if their_seconds > args.budget / 2:
                break
        if done is None:
            reason = ('not available' if not steps else
                      'no size finished: ' + steps[-1])
            print('%-22s %8s %11.4f %11s %12s  %s' % (
                name, args.intervals, ours_full[name], reason, '', ''))
            continue
        size, mine_seconds, their_seconds, same = done
        ratio = their_seconds / mine_seconds if mine_seconds else float('inf')
        print('%-22s %8d %11.4f %11.4f %12.1f  %s' % (
            name, size, mine_seconds, their_seconds, ratio,
            'yes' if same else 'NO'))
        if size < args.intervals:
            print('%-22s %8s theirs by N: %s' % ('', '', ', '.join(steps)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
