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

"""Trove's own promote and eject, stock beside ours, per server line.

Usage (``tox -e bench``; needs ``trove==26.0.0`` and the server lines)::

    python benchmarks/trove_flows.py [--lines NAME ...] [--json FILE]

Trove 26.0.0's taskmanager runs in this process on a fresh sandbox of a
source and two replicas per scenario (the harness of the tests,
``tests/trove/flows.py``): once with Trove's own taskmanager and guest
managers and strategy, once with ours (``taskmanager_manager`` and
``datastore_registry_ext`` set, ``AutoReplication``). Scenarios:

* ``promote under writes``: a writer (the sandbox administrator, every
  privilege) commits on the source until it is stopped; replica1 is
  promoted after 200 acknowledged commits;
* ``eject, one lagging``: replica1 stops receiving before the last 5
  rows, the source is killed (SIGKILL), then eject;
* ``eject, errant leader``: as above, and replica2 (the most advanced)
  also holds a row of its own;
* ``promote, stuck candidate``: replica1's applier is held by a table
  lock; the RPC gives up after 10 s (``agent_call_high_timeout``), our
  wait after 5 s (``txn_wait_timeout``).

Measured: wall time of the taskmanager call, acknowledged rows missing
from the new source, the instance chosen, whether a row of the errant
replica reached another, the servers taking writes after, and the final
task statuses (or the error).
"""

import argparse
import contextlib
import json
import logging
import os
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.join(HERE, os.pardir)
sys.path[:0] = [REPO, os.path.join(REPO, 'tests', 'trove'),
                os.path.join(REPO, 'tests', 'functional')]
os.environ.setdefault('NO_EVENTLET_MONKEYPATCH', '1')

from machine import machine  # noqa: E402

import flow_checks  # noqa: E402
import flows  # noqa: E402
import support as functional_support  # noqa: E402
import trove_support as ts  # noqa: E402

from trove_gtid_strategy.sandbox import datadir  # noqa: E402
from trove_gtid_strategy.sandbox import lines  # noqa: E402
from trove_gtid_strategy.sandbox import servers  # noqa: E402

OURS = {'strategy': 'trove_gtid_strategy.strategy.AutoReplication',
        'taskmanager': 'trove_gtid_strategy.trove.taskmanager.Manager'}
OUR_GUEST = {'mysql': 'trove_gtid_strategy.trove.guest.MySqlManager',
             'mariadb': 'trove_gtid_strategy.trove.guest.MariaDBManager'}


@contextlib.contextmanager
def deployment(line, side, template_dir):
    """A built source and two replicas of ``line``, ``side`` 'stock' or
    'ours'; everything removed after.
    """
    conf = ts.trove()
    workdir = tempfile.mkdtemp(prefix='tg-bench-flows-', dir='/tmp')
    box = servers.Sandbox(os.path.join(workdir, 'box'),
                          template_dir=template_dir, server=line.name)
    kwargs = {} if side == 'stock' else dict(
        OURS, guest_manager=OUR_GUEST[ts.manager_of(line)])
    try:
        box.up(2, conf_d=ts.guest_conf_d(line))
        with flows.deployment(box, line, workdir, **kwargs) as made:
            made.build()
            yield made
    finally:
        box.down(remove=True)
        shutil.rmtree(workdir, ignore_errors=True)
        from trove.guestagent.strategies import replication
        setattr(replication, '__replication_instance', None)
        setattr(replication, '__replication_manager', None)
        conf.reset()


def _timed(call):
    started = time.monotonic()
    try:
        call()
        error = None
    except Exception as exc:
        error = '%s: %s' % (type(exc).__name__, str(exc).splitlines()[0]
                            if str(exc) else '')
    return round(time.monotonic() - started, 2), error


def _outcome(made, seconds, error, **extra):
    writable = []
    for name in made.ids:
        server = made.servers[name]
        if server.is_running() and not flow_checks.read_only(server):
            writable.append(name)
    return dict({'seconds': seconds, 'error': error,
                 'writable': writable,
                 'tasks': {name: _task(made.task_status(name))
                           for name in made.ids}}, **extra)


def _task(status):
    return status.action + ('_ERROR' if status.is_error else '')


def promote_under_writes(made):
    source, one, _ = (made.servers[n] for n in made.ids)
    functional_support.Writer.create_table(source)
    writer = functional_support.Writer(source)
    writer.start()
    writer.wait_for(200)
    seconds, error = _timed(lambda: made.promote(one.name))
    writer.stop()
    new = made.servers[one.name]
    held = {r[0] for r in ts.query(new, 'SELECT id FROM app.w')}
    return _outcome(made, seconds, error,
                    acknowledged=len(writer.acknowledged),
                    lost=len(set(writer.acknowledged) - held))


def _eject(made, errant):
    source, one, two = flow_checks.one_lagging(made, errant)
    source.kill()
    seconds, error = _timed(lambda: made.eject(source.name))
    chosen = [n for n in made.ids[1:] if made.slave_of(n) is None]
    new = made.servers[chosen[0]] if chosen else None
    lost = None
    spread = False
    if new is not None:
        lost = 25 - ts.scalar(new, 'SELECT COUNT(*) FROM app.t '
                                   'WHERE id < 25')
        other = one if new is two else two
        ts.wait_caught_up(new, other)
        spread = errant and bool(ts.query(
            one, 'SELECT 1 FROM app.t WHERE id = 1000'))
    return _outcome(made, seconds, error, chosen=chosen[0] if chosen
                    else None, lost=lost, errant_spread=spread)


def eject_one_lagging(made):
    return _eject(made, errant=False)


def eject_errant_leader(made):
    return _eject(made, errant=True)


def promote_stuck_candidate(made):
    source, one, two = (made.servers[n] for n in made.ids)
    ts.make_data(source, 10)
    for replica in (one, two):
        ts.wait_caught_up(source, replica)
    made.conf.set_override('agent_call_high_timeout', 10)
    made.conf.set_override('txn_wait_timeout', 5,
                           group='trove_gtid_strategy')
    blocker = ts.connect(one)
    with blocker, blocker.cursor() as cur:
        cur.execute('LOCK TABLES app.t READ')
        ts.make_data(source, 5, start=10)
        seconds, error = _timed(lambda: made.promote(one.name))
        outcome = _outcome(made, seconds, error)
        cur.execute('UNLOCK TABLES')
    return outcome


SCENARIOS = [('promote under writes', promote_under_writes),
             ('eject, one lagging', eject_one_lagging),
             ('eject, errant leader', eject_errant_leader),
             ('promote, stuck candidate', promote_stuck_candidate)]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--lines', nargs='+', default=lines.names(),
                        choices=lines.names(), metavar='NAME')
    parser.add_argument('--json', metavar='FILE',
                        help='also write the results as JSON to FILE')
    args = parser.parse_args(argv)
    # Trove's leaked temporary files ([client] files with passwords)
    # go to a directory removed at the end.
    with ts.temporary_files():
        return _run(args)


def _run(args):
    # Trove logs every failure with its traceback; the results say them.
    logging.getLogger().setLevel(logging.CRITICAL)
    template_dir = os.environ.get(servers.TEMPLATE_ENV) or \
        datadir.default_cache_dir()
    results = {'machine': machine(), 'lines': {}}
    for name in args.lines:
        line = lines.get(name)
        line.check()
        servers.prepare_template(template_dir, line=line)
        per_line = results['lines'][name] = {}
        for title, scenario in SCENARIOS:
            per_line[title] = {}
            for side in ('stock', 'ours'):
                with deployment(line, side, template_dir) as made:
                    per_line[title][side] = scenario(made)
                print('%-13s %-26s %-5s %s' % (
                    name, title, side, json.dumps(per_line[title][side],
                                                  sort_keys=True)),
                      flush=True)
    if args.json:
        with open(args.json, 'w') as out:
            json.dump(results, out, indent=2, sort_keys=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
