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

"""Shared helpers of the real-server tests: services, data, writers.

* ``CountingService``: our adapter for a sandbox server, counting restarts.
* ``TroveLikeService``: ``execute_sql`` exactly as Trove's guest agent runs
  it (SQLAlchemy ``text()`` inside a transaction, a pooled connection per
  call), with ``get_engine`` as Trove's ``BaseMySqlApp`` has it.
* ``Writer``: a thread inserting one row per transaction and counting the
  commits the server acknowledged, so a test can stop it after N commits
  and compare what survived, without sleeping.
* dumps with each line's own tool.
"""

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time

import pymysql
import sqlalchemy

from trove_gtid_strategy.cmd import main as cli
from trove_gtid_strategy.guest import connection
from trove_gtid_strategy.guest import server_state
from trove_gtid_strategy.guest import service


class CountingService(service.MySQLService):
    """Our adapter, counting restarts so idempotence can be asserted."""

    def __init__(self, server):
        super().__init__(server.dsn, conf_dir=server.conf_dir,
                         restart=server.restart, instance_id=server.name)
        self.server = server
        self.restarts = 0

    def restart(self):
        self.restarts += 1
        super().restart()


class TroveLikeService(CountingService):
    """execute_sql as Trove's BaseMySqlApp does it: text() + transaction."""

    def __init__(self, server):
        super().__init__(server)
        dsn = server.dsn
        url = sqlalchemy.engine.URL.create(
            'mysql+pymysql', username=dsn.user, password=dsn.password,
            host=dsn.host, port=dsn.port, query={'charset': 'utf8mb4'})
        self.engine = sqlalchemy.create_engine(url, pool_recycle=120)

    # Trove's service has no run_unlogged: the strategy must take the
    # engine path, which this hides.
    run_unlogged = None

    def get_engine(self):
        return self.engine

    def execute_sql(self, sql_statement, use_flush=False):
        if isinstance(sql_statement, str):
            sql_statement = sqlalchemy.text(sql_statement)
        with self.engine.connect() as conn:
            with conn.begin():
                return conn.execute(sql_statement)

    def restart(self):
        super().restart()
        self.engine.dispose()


def connect(server, **kwargs):
    # The tests' own connections to local servers: without TLS, which
    # PyMySQL 1.2 otherwise tries on each (30 ms a connection, measured).
    options = dict(server.dsn.connect_kwargs(), autocommit=True,
                   charset='utf8mb4', connect_timeout=10, ssl_disabled=True)
    options.update(kwargs)
    return connection.connect(**options)


def query(server, sql, *args):
    conn = connect(server)
    with conn, conn.cursor() as cur:
        cur.execute(sql, args or None)
        return cur.fetchall()


def scalar(server, sql, *args):
    return query(server, sql, *args)[0][0]


def make_table(server, rows=10, start=0):
    query(server, 'CREATE DATABASE IF NOT EXISTS app')
    query(server, 'CREATE TABLE IF NOT EXISTS app.t (id INT PRIMARY KEY, '
                  'v VARCHAR(40))')
    for i in range(start, start + rows):
        query(server, 'INSERT INTO app.t VALUES (%s, %s)', i, 'row %d' % i)


def count_rows(server, table='app.t'):
    return scalar(server, 'SELECT COUNT(*) FROM %s' % table)


def checksum(server, table='app.t'):
    return query(server, 'CHECKSUM TABLE %s' % table)[0][1]


def fingerprint(server, table='app.t'):
    return count_rows(server, table), checksum(server, table)


def status(svc):
    """The replica status of a service's server, as plain data."""
    d = svc.dialect()
    return server_state.read_replica_status(svc, d)


def is_mysql(server):
    return server.line.flavor == 'mysql'


def attach(repl, source, replica, dataset=None):
    """Trove's attach: the source's replica context (with ``dataset``, a
    seed, when given), then ``enable_as_slave``; returns the context.
    """
    context = repl.get_replica_context(source, None)
    info = dict(context)
    if dataset is not None:
        info['dataset'] = dataset
    repl.enable_as_slave(replica, info, None)
    return context


def catch_up(repl, source, *replicas, timeout=None):
    """Wait until every replica applied the source's current position."""
    position = repl.current_position(source)
    for replica in replicas:
        repl.wait_until_applied(replica, position, timeout=timeout)


def attached(sandbox_factory, replicas=2):
    """A sandbox whose replicas ``trove-gtid attach`` attached, with the
    writers' table ``app.w`` applied everywhere (see :func:`topology`).
    """
    box = sandbox_factory(replicas=replicas)
    for server in box.replicas:
        code, result = run('attach', '--sandbox', box.base_dir, '--source',
                           'source', '--replica', server.name)
        assert code == 0, result
    Writer.create_table(box.source)
    settle(box)
    return box


def topology(sandbox_factory, options, mode='gtid', replicas=2):
    """A source and ``replicas`` replicas attached in ``mode``, with the
    writers' table ``app.w``, every replica caught up: a test's first
    read or write on a replica comes after all its setup arrived (a
    replica's own write before that stops MariaDB's SQL thread on its
    strict GTID order; a read finds no table).
    """
    from trove_gtid_strategy import strategy
    box = sandbox_factory(replicas=replicas)
    services = [CountingService(s) for s in box.servers()]
    options(replication_mode=mode)
    repl = strategy.AutoReplication()
    repl.enable_as_master(services[0], None)
    for svc in services[1:]:
        repl.enable_as_slave(svc, repl.get_replica_context(services[0],
                                                           None), None)
    Writer.create_table(box.source)
    catch_up(repl, services[0], *services[1:])
    return box, services, repl


@contextlib.contextmanager
def admin_writes(server):
    """An administrator writing on a replica anyway, the mistake a test
    needs: MySQL's ``super_read_only`` (which the replica settings turn
    on) is off for the block and on again after; ``read_only`` stays.
    """
    fenced = is_mysql(server) and \
        scalar(server, 'SELECT @@super_read_only') == 1
    if fenced:
        query(server, 'SET GLOBAL super_read_only = OFF')
    try:
        yield
    finally:
        if fenced:
            query(server, 'SET GLOBAL super_read_only = ON')


def until(read, done, what, timeout=120):
    """Read server state with ``read()`` until ``done(value)``; returns the
    value. The server decides when (the pause between reads only spares
    the CPU); ``timeout`` bounds a failure, which names ``what``.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if done(value):
            return value
        assert time.monotonic() < deadline, 'timed out waiting for %s: %r' \
            % (what, value)
        time.sleep(0.05)


def sql_error(replica, timeout=120):
    """The replica's status once its SQL thread stopped on an error."""
    return until(lambda: status(replica),
                 lambda found: found.last_sql_errno
                 and found.sql_running == 'No',
                 'the SQL thread to stop on an error', timeout)


def purge_to_newest(server):
    """Flush the binary log and purge every log before the new one.

    MariaDB keeps a binary log until its InnoDB checkpoint is done, so
    the purge is repeated until the server reports one log left.
    """
    query(server, 'FLUSH BINARY LOGS')
    newest = query(server, 'SHOW BINARY LOGS')[-1][0]

    def purged():
        query(server, 'PURGE BINARY LOGS TO %s', newest)
        return [row[0] for row in query(server, 'SHOW BINARY LOGS')]

    until(purged, lambda logs: logs == [newest],
          'the binary logs before %s to be purged' % newest)
    return newest


def _defaults_file(server):
    """A 0600 option file with the admin password (never on argv)."""
    path = os.path.join(server.base, 'client.cnf')
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'w') as f:
        f.write('[client]\nuser=%s\npassword="%s"\nhost=127.0.0.1\n'
                'port=%d\n' % (server.dsn.user, server.dsn.password,
                               server.port))
    return path


def dump(server, path, databases=('app',)):
    """A consistent dump with the start point, by the line's own tool."""
    flags = server.line.seed_dump_args()
    argv = server.line.tool_command('dump', _defaults_file(server))
    with open(path, 'w') as out:
        done = subprocess.run(argv + flags + ['--databases'] + list(databases),
                              stdout=out, stderr=subprocess.PIPE)
    assert done.returncode == 0, '%s\n%s' % (
        done.stderr.decode(errors='replace'), _log_tail(server))
    return path


def _log_tail(server, lines=30):
    """The end of a server's error log, to say why a client failed."""
    try:
        with open(server.error_log, errors='replace') as log:
            tail = ''.join(log.readlines()[-lines:])
        return 'end of %s:\n%s' % (server.error_log, tail)
    except OSError as exc:
        return 'no error log: %s' % exc


def load(server, path):
    argv = server.line.tool_command('client', _defaults_file(server))
    with open(path) as dump_file:
        done = subprocess.run(argv, stdin=dump_file, stderr=subprocess.PIPE)
    assert done.returncode == 0, done.stderr.decode(errors='replace')


class Writer(threading.Thread):
    """Inserts ``app.w`` rows, one per autocommit transaction, counting
    those the server acknowledged. Stops on ``stop()``, on an error (the
    server killed), or after ``limit`` commits.
    """

    def __init__(self, server, limit=None, start=0):
        super().__init__(daemon=True)
        self.server = server
        self.limit = limit
        self.next_id = start
        self.acknowledged = []
        self.error = None
        self._halt = threading.Event()
        self._progress = threading.Condition()

    @staticmethod
    def create_table(server):
        query(server, 'CREATE DATABASE IF NOT EXISTS app')
        query(server, 'CREATE TABLE IF NOT EXISTS app.w (id INT PRIMARY '
                      'KEY, v VARCHAR(40))')

    def run(self):
        try:
            conn = connect(self.server)
            with conn, conn.cursor() as cur:
                while not self._halt.is_set() and (
                        self.limit is None
                        or len(self.acknowledged) < self.limit):
                    cur.execute('INSERT INTO app.w VALUES (%s, %s)',
                                (self.next_id, 'w %d' % self.next_id))
                    with self._progress:
                        self.acknowledged.append(self.next_id)
                        self._progress.notify_all()
                    self.next_id += 1
        except pymysql.Error as exc:
            self.error = exc
        finally:
            with self._progress:
                self._halt.set()
                self._progress.notify_all()

    def wait_for(self, count, timeout=120):
        """Block until ``count`` commits were acknowledged; returns the
        number acknowledged. A writer that stopped (or a server that took
        ``timeout`` seconds) before that fails the test: a fault injected
        after fewer commits than the test says would prove less.
        """
        with self._progress:
            self._progress.wait_for(
                lambda: len(self.acknowledged) >= count
                or self._halt.is_set(), timeout)
            done = len(self.acknowledged)
        assert done >= count, ('the writer stopped after %d of %d commits '
                               '(%s)' % (done, count, self.error))
        return done

    def stop(self):
        self._halt.set()
        self.join(60)
        return len(self.acknowledged)


def follow_with_same_rows(repl, source, *followers, row_id=-1):
    """A row written on the new ``source`` (services) reaches each of
    ``followers``, which then hold exactly its ``app.w``: they replicate
    from it, and nothing is missing or twice.
    """
    query(source.server, "INSERT INTO app.w VALUES (%d, 'after')" % row_id)
    position = repl.current_position(source)
    for svc in followers:
        repl.wait_until_applied(svc, position)
        assert fingerprint(svc.server, 'app.w') == \
            fingerprint(source.server, 'app.w'), svc.server


def verified_equal(source, *replicas):
    """``trove-gtid verify`` of each replica (services) against its
    source at one point, every user table in key ranges: equal.
    """
    from trove_gtid_strategy.operations import verify as verify_op
    for replica in replicas:
        report = verify_op.verify(source, replica)
        assert report.equal, report.to_text()


def lag_then_kill(repl, source, lagging, shared, total, kill_at=None):
    """A source killed with one replica lagging, by counts: ``shared``
    commits every replica receives, then ``lagging`` stops receiving
    between two transactions (its I/O thread stopped while no writer
    runs: a transaction received in part would hold its applier for
    MySQL's 60 s group wait), then commits up to ``total`` and the kill
    after ``kill_at`` of them acknowledged (None: after all). Returns the
    second :class:`Writer`, stopped by the kill or done.
    """
    writer = Writer(source.server, limit=shared)
    writer.start()
    writer.join(60)
    catch_up(repl, source, lagging)
    query(lagging.server, 'STOP REPLICA IO_THREAD')
    writer = Writer(source.server, limit=total - shared, start=shared)
    writer.start()
    if kill_at is None:
        writer.join(60)
    else:
        writer.wait_for(kill_at - shared)
    source.server.kill()
    writer.join(60)
    assert not writer.is_alive(), 'the writer did not see the kill'
    return writer


class ReconnectingWriter(threading.Thread):
    """An application that will not stop writing: it inserts ``app.w``
    rows as ``user`` on one server, one per autocommit transaction, and
    on any error connects again and goes on, until ``stop()``. Records
    each acknowledged id.
    """

    def __init__(self, server, user, password, start=0):
        super().__init__(daemon=True)
        self.server = server
        self.kwargs = dict(server.dsn.connect_kwargs(), user=user,
                           password=password)
        self.next_id = start
        self.acknowledged = []
        self.errors = 0
        self._halt = threading.Event()
        self._progress = threading.Condition()

    def run(self):
        while not self._halt.is_set():
            try:
                conn = connection.connect(autocommit=True, connect_timeout=10,
                                          read_timeout=30, **self.kwargs)
                with conn, conn.cursor() as cur:
                    while not self._halt.is_set():
                        cur.execute('INSERT INTO app.w VALUES (%s, %s)',
                                    (self.next_id, 'w %d' % self.next_id))
                        with self._progress:
                            self.acknowledged.append(self.next_id)
                            self._progress.notify_all()
                        self.next_id += 1
            except pymysql.Error:
                # Committed or not, that id is never tried again.
                self.next_id += 1
                self.errors += 1
                # A client's retry cadence, not a synchronisation: the
                # test waits on acknowledged counts.
                self._halt.wait(0.01)

    def wait_for(self, count, timeout=120):
        with self._progress:
            self._progress.wait_for(
                lambda: len(self.acknowledged) >= count, timeout)
            assert len(self.acknowledged) >= count, self.errors

    def stop(self):
        self._halt.set()
        self.join(60)
        assert not self.is_alive()
        return list(self.acknowledged)


# -- the command line ---------------------------------------------------

def run(*argv):
    """The command in this process: ``(exit status, parsed JSON)``."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main(list(argv) + ['--json'])
    text = out.getvalue()
    return code, json.loads(text) if text.strip() else None


def run_process(*argv, env=None, ctrl_c=False):
    """The command as a separate process (for concurrency). ``ctrl_c``:
    with SIGINT as a terminal leaves it (pytest-xdist's workers ignore
    SIGINT, and a child inherits that: Python then never raises
    KeyboardInterrupt).
    """
    return subprocess.Popen(
        [sys.executable, '-m', 'trove_gtid_strategy.cmd.main'] + list(argv)
        + ['--json'], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env=env, preexec_fn=(
            lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        if ctrl_c else None)


def binlog_statements(server):
    """The ``Info`` of every event in the server's binary logs, oldest
    first.
    """
    found = []
    for log in query(server, 'SHOW BINARY LOGS'):
        found += [row[5] for row in query(server,
                                          'SHOW BINLOG EVENTS IN %s', log[0])]
    return found


def accounts(server):
    return sorted(query(server, 'SELECT User, Host FROM mysql.user'))


def settle(box, timeout=120):
    """Wait until no replica of ``box`` has anything left to do: each one
    whose threads run has applied all it received, and has received all
    its source (when the source is a server of ``box``) has logged.

    Only then are two snapshots of a topology comparable: a replica still
    applying moves its positions by itself, with nothing done to it.
    """
    by_port = {s.port: s for s in box.servers()}
    for server in box.servers():
        svc = CountingService(server)
        found = status(svc)
        if found is None or found.sql_running != 'Yes':
            continue
        source = by_port.get(found.source_port) \
            if found.io_running == 'Yes' else None

        def settled(found):
            applied = (found.exec_log_file, found.exec_log_pos) == (
                found.read_log_file, found.read_log_pos)
            if source is None:
                return applied
            logged = server_state.read_source_position(
                CountingService(source), CountingService(source).dialect())
            return applied and logged == (found.read_log_file,
                                          found.read_log_pos)

        until(lambda: status(svc), settled,
              '%s to apply all it received' % server.name, timeout)


# What a refused operation must leave as it was. Positions
# (Read/Exec_Source_Log_Pos, Relay_Log_File/Pos) and Seconds_Behind are
# left out: they move whenever a replica applies, rotates or reconnects,
# with nothing done to it; what a refusal could change shows in the
# source, the threads and the executed sets. Last_IO_Errno too: an I/O
# thread retrying a lost source moves between connection errors.
_REPLICA_FIELDS = ('source_host', 'source_port', 'source_user',
                   'io_running', 'sql_running', 'last_sql_errno',
                   'auto_position', 'using_gtid', 'sql_delay')


def replica_fields(svc):
    """What a refused operation must leave as it was of a replica's status
    (see ``_REPLICA_FIELDS``: not the positions, which move by
    themselves), or None for a server that is not a replica.
    """
    found = status(svc)
    return None if found is None else {
        name: getattr(found, name) for name in _REPLICA_FIELDS}


def everything(box, source_log=True):
    """All a refused operation must leave as it was, on every server, once
    the replicas settled (``source_log=False``: but for the source's
    executed sets and settings, where an account created and dropped
    again leaves its transactions): what each replicates from and how,
    threads, executed GTID sets, read_only, server_id, binary log,
    settings files, accounts and the server process.
    """
    settle(box)
    snapshot = []
    for server in box.servers():
        if server.name == 'source' and not source_log:
            snapshot.append((server.name, accounts(server), server.pid))
            continue
        replica = replica_fields(CountingService(server))
        names = (('gtid_executed', 'gtid_purged', 'super_read_only')
                 if is_mysql(server) else
                 ('gtid_slave_pos', 'gtid_binlog_pos', 'gtid_strict_mode'))
        snapshot.append((
            server.name, replica,
            query(server, 'SHOW GLOBAL VARIABLES WHERE Variable_name IN '
                          '(%s, %s, %s, %s, %s, %s)', *(names + (
                              'read_only', 'server_id', 'log_bin'))),
            {name: open(os.path.join(server.conf_dir, name)).read()
             for name in sorted(os.listdir(server.conf_dir))},
            accounts(server), server.pid))
    return snapshot
