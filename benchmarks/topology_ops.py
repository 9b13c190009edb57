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

"""Time failover and switchover on real servers, per server line.

Usage::

    python benchmarks/topology_ops.py [--lines mysql-9.7 ...]
                                      [--runs N] [--json FILE]

For each line, N times (default 3), on a fresh sandbox of one source and
three replicas in GTID mode:

* failover: the source is killed (SIGKILL) after 200 commits of a
  writer; the time is measured from the call of
  :func:`trove_gtid_strategy.operations.failover.failover` to every
  replica replicating from the new source (the function returns once
  each re-pointed replica's threads run);
* switchover under writes: a writer commits continuously; the time
  writes were refused is measured from the fence to the candidate being
  writable (what the function reports), and, as the writer saw it, from
  its last commit on the old source to its first on the new one (after
  its first refused commit it retries on the candidate until that takes
  writes).

Prints min / median / max per line and operation, and the machine. The
target is under 2 s for both.
"""

import dataclasses
import os
import shutil
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, os.pardir))

from figures import line_parser  # noqa: E402
from figures import new_report  # noqa: E402
from figures import summary  # noqa: E402
from figures import write_json  # noqa: E402
import pymysql  # noqa: E402

from trove_gtid_strategy.guest import connection  # noqa: E402
from trove_gtid_strategy.guest import service  # noqa: E402
from trove_gtid_strategy.operations import failover as failover_op  # noqa
from trove_gtid_strategy.operations import switchover as switch_op  # noqa
from trove_gtid_strategy.sandbox import servers  # noqa: E402
from trove_gtid_strategy import strategy  # noqa: E402


def svc(server):
    return service.MySQLService(server.dsn, conf_dir=server.conf_dir,
                                restart=server.restart,
                                instance_id=server.name)


def topology(line, replicas=3):
    base = tempfile.mkdtemp(prefix='tg-bench-', dir='/tmp')
    box = servers.Sandbox(base, server=line)
    box.up(replicas)
    services = [svc(s) for s in box.servers()]
    repl = strategy.AutoReplication()
    repl.enable_as_master(services[0], None)
    for replica in services[1:]:
        repl.enable_as_slave(replica, repl.get_replica_context(
            services[0], None), None)
    conn = connection.connect(autocommit=True,
                              **box.source.dsn.connect_kwargs())
    with conn, conn.cursor() as cur:
        cur.execute('CREATE DATABASE bench')
        cur.execute('CREATE TABLE bench.t (id INT PRIMARY KEY, '
                    'at DOUBLE)')
        # The application's own account: read_only stops it on every
        # server line (on MariaDB an account with READ ONLY ADMIN, like
        # the sandbox admin, writes through read_only if it reconnects).
        cur.execute("CREATE USER app@'%' IDENTIFIED BY 'app-Pw-1'")
        cur.execute("GRANT SELECT, INSERT ON bench.* TO app@'%'")
    return box, services, repl


def app_dsn(server):
    return dataclasses.replace(server.dsn, user='app', password='app-Pw-1')


class Writer(threading.Thread):
    """Commits one row at a time, recording when each commit was
    acknowledged and where: to ``target``, and after an error to
    ``failover_target`` when set (as an application told where the new
    source will be retries there until it takes writes).
    """

    def __init__(self, server):
        super().__init__(daemon=True)
        self.target = server
        self.failover_target = None
        self.commits = []
        self.stop = threading.Event()
        self.count = 0

    def run(self):
        conn = None
        while not self.stop.is_set():
            if conn is None and self.failover_target is not None:
                self.target = self.failover_target
            server = self.target
            try:
                if conn is None or conn.server is not server:
                    conn = connection.connect(
                        autocommit=True, connect_timeout=2,
                        **app_dsn(server).connect_kwargs())
                    conn.server = server
                with conn.cursor() as cur:
                    self.count += 1
                    cur.execute('INSERT INTO bench.t VALUES (%s, %s)',
                                (self.count, time.time()))
                self.commits.append((time.monotonic(), server.name))
            except pymysql.Error:
                conn = None
                time.sleep(0.001)


def bench_failover(line):
    box, services, repl = topology(line)
    try:
        writer = Writer(box.source)
        writer.start()
        while len(writer.commits) < 200:
            time.sleep(0.01)
        box.source.kill()
        writer.stop.set()
        writer.join()
        started = time.monotonic()
        result = failover_op.failover(repl, services[1:], timeout=120)
        seconds = time.monotonic() - started
        assert result.complete, result.outcomes
        return seconds
    finally:
        box.down(remove=True)
        # down() removes what the sandbox made, not the directory
        # topology() made for it.
        shutil.rmtree(box.base_dir, ignore_errors=True)


def bench_switchover(line):
    box, services, repl = topology(line)
    try:
        writer = Writer(box.source)
        writer.start()
        while len(writer.commits) < 200:
            time.sleep(0.01)
        candidate = box.replicas[0]
        writer.failover_target = candidate
        result = switch_op.switchover(repl, services[0], services[1],
                                      services[2:], timeout=60)
        deadline = time.monotonic() + 30
        while not any(name == candidate.name for _, name in writer.commits):
            if time.monotonic() > deadline:
                raise RuntimeError('no commit on the new source')
            time.sleep(0.005)
        writer.stop.set()
        writer.join()
        last_old = max(t for t, name in writer.commits
                       if name == box.source.name)
        first_new = min(t for t, name in writer.commits
                        if name == candidate.name)
        return result.writes_refused_ms / 1000, first_new - last_old
    finally:
        box.down(remove=True)
        # down() removes what the sandbox made, not the directory
        # topology() made for it.
        shutil.rmtree(box.base_dir, ignore_errors=True)


def main(argv=None):
    parser = line_parser(__doc__.split('\n')[0], 'line and operation')
    args = parser.parse_args(argv)
    report = new_report(lines={})
    print('%-14s %-34s %8s %8s %8s' % ('line', 'measure (seconds)', 'min',
                                       'median', 'max'))
    for line in args.lines:
        failovers = [bench_failover(line) for _ in range(args.runs)]
        switches = [bench_switchover(line) for _ in range(args.runs)]
        figures = {
            'failover_to_all_replicating': summary(failovers),
            'switchover_writes_refused': summary([s[0] for s in switches]),
            'switchover_writer_gap': summary([s[1] for s in switches]),
        }
        report['lines'][line] = figures
        for name, values in figures.items():
            print('%-14s %-34s %8.3f %8.3f %8.3f' % (
                line, name, values['min'], values['median'], values['max']))
    write_json(args.json, report)
    return 0


if __name__ == '__main__':
    sys.exit(main())
