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

"""Where the time of a sandbox goes, per server line.

Usage::

    python benchmarks/sandbox_up.py [--lines mysql-9.7 ...] [--runs N]
                                    [--replicas N] [--json FILE]

For each line, N times (default 3), a source and ``--replicas`` replicas
(default 2):

* ``initialise``: a datadir initialised into an empty template cache (what
  a user's first sandbox of a line pays, once);
* ``up``: ``sandbox up`` with that cache warm, and within it ``copy`` (the
  template's datadir copied per server) and ``start`` (from spawning the
  servers to every one answering ``SELECT 1`` on its socket);
* ``first connection``: the slowest server's first TCP login and
  ``SELECT 1`` after ``up``;
* ``down``: a clean stop of every server, idle; ``restart``: ``up`` of
  the stopped sandbox;
* ``down after writes``: the replicas attached (GTID mode) and 2,000
  commits replicated, then a clean stop (what a user's sandbox meets);
* ``down --remove``: servers killed and directories removed.

Prints min / median / max per line and phase, and the machine. Goals
(issue 16): ``up`` under 3 s on MariaDB and 6 s on MySQL 9.7, ``down``
under 2 s on every line.
"""

import os
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, os.pardir))

from figures import line_parser  # noqa: E402
from figures import new_report  # noqa: E402
from figures import summary  # noqa: E402
from figures import write_json  # noqa: E402

from trove_gtid_strategy.guest import connection  # noqa: E402
from trove_gtid_strategy.guest import service  # noqa: E402
from trove_gtid_strategy.sandbox import datadir  # noqa: E402
from trove_gtid_strategy.sandbox import lines  # noqa: E402
from trove_gtid_strategy.sandbox import servers  # noqa: E402
from trove_gtid_strategy import strategy  # noqa: E402

PHASES = ('initialise', 'up', 'copy', 'start', 'first connection', 'down',
          'restart', 'down after writes', 'down --remove')


def _timed(call):
    started = time.monotonic()
    call()
    return time.monotonic() - started


def first_connection(box):
    slowest = 0.0
    for server in box.servers():
        started = time.monotonic()
        conn = connection.connect(connect_timeout=10,
                                  **server.dsn.connect_kwargs())
        with conn, conn.cursor() as cursor:
            cursor.execute('SELECT 1')
            cursor.fetchall()
        slowest = max(slowest, time.monotonic() - started)
    return slowest


def _svc(server):
    return service.MySQLService(server.dsn, conf_dir=server.conf_dir,
                                restart=server.restart,
                                instance_id=server.name)


def replicate_writes(box, commits=2000):
    repl = strategy.AutoReplication()
    source = _svc(box.source)
    repl.enable_as_master(source, None)
    for replica in box.replicas:
        repl.enable_as_slave(_svc(replica),
                             repl.get_replica_context(source, None), None)
    conn = connection.connect(autocommit=True,
                              **box.source.dsn.connect_kwargs())
    with conn, conn.cursor() as cursor:
        cursor.execute('CREATE DATABASE IF NOT EXISTS bench')
        cursor.execute('CREATE TABLE bench.t (id INT PRIMARY KEY, '
                       'v VARCHAR(40))')
        for n in range(commits):
            cursor.execute('INSERT INTO bench.t VALUES (%s, %s)',
                           (n, 'row %d' % n))
    position = repl.current_position(source)
    for replica in box.replicas:
        repl.wait_until_applied(_svc(replica), position)


def one_run(line, replicas):
    figures = {}
    scratch = tempfile.mkdtemp(prefix='tg-bench-', dir='/tmp')
    try:
        cache = os.path.join(scratch, 'cache')
        figures['initialise'] = _timed(
            lambda: datadir.prepare_template(cache, lines.get(line)))
        box = servers.Sandbox(os.path.join(scratch, 'box'), server=line,
                              template_dir=cache)
        figures['up'] = _timed(lambda: box.up(replicas))
        figures['copy'] = box.timings.get('copy')
        figures['start'] = box.timings.get('start')
        figures['first connection'] = first_connection(box)
        figures['down'] = _timed(box.down)
        figures['restart'] = _timed(box.up)
        replicate_writes(box)
        figures['down after writes'] = _timed(box.down)
        box.up()
        figures['down --remove'] = _timed(lambda: box.down(remove=True))
    finally:
        servers.Sandbox(os.path.join(scratch, 'box')).down(remove=True)
        shutil.rmtree(scratch, ignore_errors=True)
    return figures


def main(argv=None):
    parser = line_parser(__doc__.split('\n')[0], 'line')
    parser.add_argument('--replicas', type=int, default=2,
                        help='replicas per sandbox (default: 2)')
    args = parser.parse_args(argv)
    report = new_report(replicas=args.replicas, lines={})
    print('%-14s %-24s %8s %8s %8s' % ('line', 'phase (seconds)', 'min',
                                       'median', 'max'))
    for line in args.lines:
        runs = [one_run(line, args.replicas) for _ in range(args.runs)]
        figures = {phase: summary([run.get(phase) for run in runs])
                   for phase in PHASES}
        report['lines'][line] = figures
        for phase in PHASES:
            values = figures[phase]
            if values is None:
                print('%-14s %-24s %8s' % (line, phase, 'n/a'))
                continue
            print('%-14s %-24s %8.3f %8.3f %8.3f' % (
                line, phase, values['min'], values['median'],
                values['max']))
    write_json(args.json, report)
    return 0


if __name__ == '__main__':
    sys.exit(main())
