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

"""Trove 26.0.0's own replication strategy and ours, side by side.

Usage (``tox -e bench``; needs ``trove==26.0.0`` and the server lines)::

    python benchmarks/trove_side_by_side.py [--lines NAME ...]
                                            [--rows N] [--json FILE]

On each server line where Trove's class applies (``MysqlGTIDReplication``
on MySQL, ``MariaDBGTIDReplication`` on MariaDB), each strategy runs the
same flows on a fresh sandbox of a source and two replicas, through the
same service object: our adapter
(``tests/trove/trove_compat.py``: ``TroveCompatService``), which
executes and waits as Trove's ``MySqlApp`` / ``MariaDBApp`` do (the
tests prove it sends the same statements as Trove's own App). Each
strategy is loaded by Trove's ``get_instance`` from the
``guest_info.conf`` its taskmanager writes; every guest's call runs with
that guest's ``guest_id``; replicas are given the source's address as
Trove gives it (network isolation, ``eth1.json``); the config texts are
Trove's rendered templates.

Flows, with Trove's call order:

* ``create``: ``trove create --replica_of``: the source's
  ``enable_as_master`` and ``snapshot_for_replication`` (a backup with
  the line's dump tool, the replication account), the new replica's
  restore, its ``enable_as_slave`` with the snapshot, until it has
  applied everything the source has (rows written after the backup
  included);
* ``attach``: a second replica restored from that backup, from the
  ``enable_as_slave`` call until caught up;
* ``promote``: Trove's promote of replica1 (old source read-only, wait
  for its last transaction, detach the candidate, enable it as source,
  writable; detach and re-attach replica2; attach the old source and
  demote it), and inside it ``re-point``: replica2 from its detach to
  caught up with the new source;
* ``detach``: replica2 detached for good (not a failover), then the
  transactions it wrote itself, which the next attach or promotion
  would carry as errant;
* ``password``: a new replication account whose password holds a quote
  (then one holding ``:name``), replica2 attached with it;
* ``quiet source`` (MariaDB): the first replica of a source whose binary
  log Trove turns on only at ``enable_as_master`` (its backup has no
  GTID position).

Measured per flow: wall time, server restarts, statements sent (every
statement this process sent to the servers, the strategy's own checks
included; the dump and load tools' are not counted), and the outcome.
Then findings from Trove's own code (its App classes on the sandbox):
which of its service methods fail on which line and label. Nothing is
simulated: every figure is a real server's.
"""

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.join(HERE, os.pardir)
sys.path.insert(0, REPO)
# Trove's taskmanager and guest code driven in this process (shared with
# the tests in tests/trove).
sys.path.insert(0, os.path.join(REPO, 'tests', 'trove'))
os.environ.setdefault('NO_EVENTLET_MONKEYPATCH', '1')

from machine import machine  # noqa: E402
import pymysql  # noqa: E402

import trove_compat  # noqa: E402
import trove_support as ts  # noqa: E402

from trove_gtid_strategy import accounts  # noqa: E402
from trove_gtid_strategy import exceptions  # noqa: E402
from trove_gtid_strategy.sandbox import lines  # noqa: E402
from trove_gtid_strategy.sandbox import servers  # noqa: E402

OURS = 'trove_gtid_strategy.strategy.AutoReplication'
QUOTE_PASSWORD = "Quo'te2x9Lm4Qa7Zt3Rv"
COLON_PASSWORD = ':name2x9Lm4Qa7Zt3Rv'
#: The wait of Trove's start_slave where a failure is expected (Trove:
#: 180 s), so a default run stays short; said in the output.
SHORT_WAIT = 15


# -- counting what reaches the servers -------------------------------------

class Counter:
    """Statements sent to each server by this process, by port."""

    def __init__(self):
        self.by_port = {}
        original = pymysql.connections.Connection.query
        counter = self

        def query(conn, sql, unbuffered=False):
            if not getattr(conn, '_bench_ignore', False):
                key = conn.port if not conn.unix_socket else conn.unix_socket
                counter.by_port[key] = counter.by_port.get(key, 0) + 1
            return original(conn, sql, unbuffered)
        pymysql.connections.Connection.query = query

    def total(self):
        return sum(self.by_port.values())


COUNTER = None


def quiet_connect(server):
    """A measuring connection, not counted."""
    conn = ts.connect(server)
    conn._bench_ignore = True
    return conn


def quiet_scalar(server, sql, *args):
    conn = quiet_connect(server)
    with conn, conn.cursor() as cur:
        cur.execute(sql, args or None)
        return cur.fetchone()[0]


def executed(server):
    name = ('gtid_executed' if server.line.flavor == 'mysql'
            else 'gtid_binlog_pos')
    return quiet_scalar(server, 'SELECT @@global.%s' % name)


def wait_caught_up(source, replica, timeout=120):
    """Until ``replica`` applied what ``source`` executed (server-side
    wait: no polling granularity); RuntimeError naming the replica's
    thread error otherwise.
    """
    fn = ('WAIT_FOR_EXECUTED_GTID_SET' if replica.line.flavor == 'mysql'
          else 'MASTER_GTID_WAIT')
    result = quiet_scalar(replica, 'SELECT %s(%%s, %%s)' % fn,
                          executed(source), timeout)
    if result != 0:
        conn = quiet_connect(replica)
        with conn, conn.cursor(pymysql.cursors.DictCursor) as cur:
            cur.execute('SHOW REPLICA STATUS')
            row = cur.fetchone() or {}
        errors = ['%s error %s: %s' % (thread, row.get(number),
                                       (row.get(text) or '')[:120])
                  for thread, number, text in (
                      ('I/O', 'Last_IO_Errno', 'Last_IO_Error'),
                      ('SQL', 'Last_SQL_Errno', 'Last_SQL_Error'))
                  if row.get(number)]
        raise RuntimeError('%s did not catch up with %s within %ss%s' % (
            replica.name, source.name, timeout,
            ': ' + '; '.join(errors) if errors else ''))


def write_rows(server, count, start, batch=False):
    """``count`` rows into app.t; one transaction each unless ``batch``."""
    conn = quiet_connect(server)
    with conn, conn.cursor() as cur:
        cur.execute('CREATE DATABASE IF NOT EXISTS app')
        cur.execute('CREATE TABLE IF NOT EXISTS app.t (id INT PRIMARY KEY, '
                    'v VARCHAR(40))')
        if batch:
            for first in range(start, start + count, 500):
                values = ','.join("(%d, 'row %d')" % (i, i) for i in range(
                    first, min(first + 500, start + count)))
                cur.execute('INSERT INTO app.t VALUES ' + values)
        else:
            for i in range(start, start + count):
                cur.execute('INSERT INTO app.t VALUES (%s, %s)',
                            (i, 'row %d' % i))


def fingerprint(server):
    conn = quiet_connect(server)
    with conn, conn.cursor() as cur:
        cur.execute('SELECT COUNT(*), COALESCE(SUM(id), 0) FROM app.t')
        return tuple(int(v) for v in cur.fetchone())


# -- one strategy on one sandbox -------------------------------------------

class Guests:
    """The servers of a sandbox, each a Trove guest: its service (our
    adapter), its admin object, its strategy instance (Trove caches one
    per guest process), its guest_id.
    """

    def __init__(self, box, strategy_path, label, workdir):
        self.box = box
        self.line = box.servers()[0].line
        self.manager = ts.manager_of(self.line)
        self.label = label
        conf_dir = os.path.join(workdir, 'conf.d')
        ts.write_guest_info(conf_dir, self.manager, label, strategy_path)
        first = ts.load_guest(conf_dir)
        self.cls = type(first)
        self.servers = {s.name: s for s in box.servers()}
        self.svc, self.adm, self.strategy = {}, {}, {}
        for name, server in self.servers.items():
            svc = ts.compat_service(server, os.path.join(workdir, 'backups'),
                                    label)
            self.svc[name] = svc
            self.adm[name] = trove_compat.TroveCompatAdmin(svc)
            self.strategy[name] = self.cls()

    def call(self, name, method, *args):
        """``strategy.method(*args)`` in guest ``name``'s process."""
        with ts.guest(name):
            return getattr(self.strategy[name], method)(*args)

    def config(self, role, name):
        return ts.trove_config(role, self.manager, self.label,
                               self.servers[name])

    def restarts(self):
        return sum(svc.restarts.count for svc in self.svc.values())

    def close(self):
        for svc in self.svc.values():
            svc.close()


class Window:
    """Wall time, restarts and statements of one measured flow; parts
    can be left out (``with window.paused():``).
    """

    def __init__(self, guests):
        self.guests = guests
        self.seconds = 0.0
        self._restarts = guests.restarts()
        self._statements = COUNTER.total()
        self._started = time.monotonic()
        self._paused_restarts = 0
        self._paused_statements = 0

    @contextlib.contextmanager
    def paused(self):
        self.seconds += time.monotonic() - self._started
        restarts, statements = self.guests.restarts(), COUNTER.total()
        try:
            yield
        finally:
            self._paused_restarts += self.guests.restarts() - restarts
            self._paused_statements += COUNTER.total() - statements
            self._started = time.monotonic()

    def result(self, outcome):
        self.seconds += time.monotonic() - self._started
        self._started = time.monotonic()
        return {
            'seconds': round(self.seconds, 2),
            'restarts': self.guests.restarts() - self._restarts
            - self._paused_restarts,
            'statements': COUNTER.total() - self._statements
            - self._paused_statements,
            'outcome': outcome}


def describe(exc):
    """An exception as one line, never quoting a password."""
    text = '%s: %s' % (type(exc).__name__, ' '.join(str(exc).split()))
    text = text.split(' [SQL:', 1)[0]
    for secret in (QUOTE_PASSWORD, COLON_PASSWORD):
        text = text.replace(secret, '***')
    text = re.sub(r"(PASSWORD\s*=\s*|IDENTIFIED BY\s*)'[^']*'", r"\1'***'",
                  text, flags=re.IGNORECASE)
    return text[:300]


def flows(guests, rows, backlog):
    """create, attach, promote (with re-point), detach, password."""
    g = guests
    source, one, two = 'source', 'replica1', 'replica2'
    S, R1, R2 = (g.servers[n] for n in (source, one, two))
    results = {}
    snapshot = {'id': 'snap-bench', 'storage_driver': 'swift'}

    # The source has been a replication source for a while: its binary
    # log holds the rows.
    g.call(source, 'enable_as_master', g.svc[source],
           g.config('replica_source', source))
    write_rows(S, rows, 0, batch=True)
    next_id = rows

    # -- create (trove create --replica_of) --------------------------------
    w = Window(g)
    try:
        g.call(source, 'enable_as_master', g.svc[source],
               g.config('replica_source', source))
        snapshot_id, replica_conf = g.call(
            source, 'snapshot_for_replication', None, g.svc[source],
            g.adm[source], None, dict(snapshot))
        master = g.call(source, 'get_master_ref', g.svc[source], snapshot)
        master_info = {'dataset': {'snapshot_id': snapshot_id},
                       'replication_strategy': g.cls.__name__,
                       'master': master, 'replica_conf': replica_conf}
        with w.paused():
            write_rows(S, backlog, next_id)     # after the backup
            next_id += backlog
        g.svc[one].restore_backup(None, {'id': snapshot_id}, None)
        g.call(one, 'enable_as_slave', g.svc[one], master_info,
               g.config('replica', one))
        wait_caught_up(S, R1)
        outcome = 'caught up' if fingerprint(R1) == fingerprint(S) \
            else 'DIFFERENT DATA'
    except Exception as exc:
        outcome = 'FAILED: ' + describe(exc)
        results['create'] = w.result(outcome)
        return results
    results['create'] = w.result(outcome)

    # -- attach from the backup ---------------------------------------------
    write_rows(S, backlog, next_id)
    next_id += backlog
    g.svc[two].restore_backup(None, {'id': snapshot_id}, None)
    w = Window(g)
    try:
        g.call(two, 'enable_as_slave', g.svc[two], master_info,
               g.config('replica', two))
        wait_caught_up(S, R2)
        outcome = 'caught up' if fingerprint(R2) == fingerprint(S) \
            else 'DIFFERENT DATA'
    except Exception as exc:
        outcome = 'FAILED: ' + describe(exc)
        results['attach'] = w.result(outcome)
        return results
    results['attach'] = w.result(outcome)

    # -- promote replica1; re-point replica2 ------------------------------
    write_rows(S, backlog, next_id)
    next_id += backlog
    w = Window(g)
    try:
        old, cand = g.svc[source], g.svc[one]
        old.make_read_only(True)
        latest = old.get_latest_txn_id()
        cand.wait_for_txn(latest)
        g.call(one, 'detach_slave', cand, True)
        g.call(one, 'enable_as_master', cand, g.config('replica_source',
                                                       one))
        cand.make_read_only(False)
        with w.paused():
            write_rows(R1, backlog, next_id)    # the new source's writes
            next_id += backlog
        started = time.monotonic()
        restarts, statements = g.restarts(), COUNTER.total()
        g.call(two, 'detach_slave', g.svc[two], True)
        context = g.call(one, 'get_replica_context', cand, g.adm[one])
        g.call(two, 'enable_as_slave', g.svc[two], context,
               g.config('replica', two))
        wait_caught_up(R1, R2)
        repoint = {
            'seconds': round(time.monotonic() - started, 2),
            'restarts': g.restarts() - restarts,
            'statements': COUNTER.total() - statements,
            'outcome': 'caught up' if fingerprint(R2) == fingerprint(R1)
            else 'DIFFERENT DATA'}
        context = g.call(one, 'get_replica_context', cand, g.adm[one])
        g.call(source, 'enable_as_slave', old, context,
               g.config('replica', source))
        g.call(source, 'demote_master', old)
        wait_caught_up(R1, S)
        same = fingerprint(S) == fingerprint(R1) == fingerprint(R2)
        outcome = 'all three agree' if same else 'DIFFERENT DATA'
    except Exception as exc:
        outcome = 'FAILED: ' + describe(exc)
        results['promote'] = w.result(outcome)
        results['re-point'] = {'outcome': 'not reached'}
        return results
    results['promote'] = w.result(outcome)
    results['re-point'] = repoint

    # -- passwords with a quote, with :name --------------------------------
    for key, password in (('password with a quote', QUOTE_PASSWORD),
                          ('password with :name', COLON_PASSWORD)):
        results[key] = password_flow(g, password)

    # -- detach for good, then attach again --------------------------------
    for svc in g.svc.values():
        svc.SLAVE_STATUS_TIMEOUT = SHORT_WAIT
    results['detach'] = detach_flow(g, cleanup=False)
    results['re-attach after detach'] = reattach_flow(g)
    results['detach + source cleanup'] = detach_flow(g, cleanup=True)
    results['re-attach after cleanup'] = reattach_flow(g)
    return results


def detach_flow(g, cleanup):
    """replica2 detached for good (not a failover), as Trove's detach
    does; with ``cleanup`` the source then drops its account through
    ``cleanup_source_on_replica_detach`` (in Trove's interface, called by
    no Trove 26 flow). Counts the transactions the replica wrote itself.
    """
    R2 = g.servers['replica2']
    basename = ts.binlog_basename(R2)
    w = Window(g)
    try:
        info = g.call('replica2', 'detach_slave', g.svc['replica2'], False)
        if cleanup:
            g.call('replica1', 'cleanup_source_on_replica_detach',
                   g.adm['replica1'], info)
        result = w.result(None)
        with w.paused():
            own = ts.own_transactions_in_binlog(R2, basename)
        result['outcome'] = ('detached; the replica wrote %d transaction(s) '
                             'of its own%s' % (len(own), ': errant' if own
                                               else ''))
        result['own_transactions'] = own
    except Exception as exc:
        result = w.result('FAILED: ' + describe(exc))
    return result


def reattach_flow(g):
    """replica2, detached, attached to replica1 (the source) again."""
    R1, R2 = g.servers['replica1'], g.servers['replica2']
    w = Window(g)
    try:
        context = g.call('replica1', 'get_replica_context', g.svc['replica1'],
                         g.adm['replica1'])
        g.call('replica2', 'enable_as_slave', g.svc['replica2'], context,
               g.config('replica', 'replica2'))
        with w.paused():
            write_rows(R1, 1, 2 * 10 ** 6 + int(time.time() * 1000) % 10 ** 6)
        wait_caught_up(R1, R2, timeout=SHORT_WAIT)
        outcome = 'caught up' if fingerprint(R2) == fingerprint(R1) \
            else 'DIFFERENT DATA'
    except Exception as exc:
        outcome = 'FAILED: ' + describe(exc)
        if 'Replication is not on' in outcome:
            outcome += ' (wait cut to %d s; Trove waits 180 s)' % SHORT_WAIT
    return w.result(outcome)


def password_flow(g, password):
    """replica2 attached to replica1 (the new source) with a replication
    account whose password is ``password``.
    """
    from trove.guestagent.strategies.replication import mysql_base
    one, two = 'replica1', 'replica2'
    R1, R2 = g.servers[one], g.servers[two]
    saved = (accounts.new_password, mysql_base.utils.generate_random_password)
    accounts.new_password = lambda: password
    mysql_base.utils.generate_random_password = lambda length=None: password
    w = Window(g)
    try:
        context = g.call(one, 'get_replica_context', g.svc[one], g.adm[one])
        g.call(two, 'detach_slave', g.svc[two], True)
        g.call(two, 'enable_as_slave', g.svc[two], context,
               g.config('replica', two))
        write_rows(R1, 1, 10 ** 6 + len(password) * 1000
                   + int(time.time() * 1000) % 1000)
        wait_caught_up(R1, R2, timeout=30)
        outcome = 'attached, replicating'
    except Exception as exc:
        outcome = 'FAILED: ' + describe(exc)
    finally:
        accounts.new_password, mysql_base.utils.generate_random_password = \
            saved
    return w.result(outcome)


def quiet_source(guests, rows):
    """The first replica of a source whose binary log Trove turns on only
    at enable_as_master (MariaDB: no log-bin in Trove's config.template).
    """
    g = guests
    S, R1 = g.servers['source'], g.servers['replica1']
    write_rows(S, rows, 0, batch=True)     # before any binary log
    w = Window(g)
    try:
        g.call('source', 'enable_as_master', g.svc['source'],
               g.config('replica_source', 'source'))
        snapshot = {'id': 'snap-quiet', 'storage_driver': 'swift'}
        snapshot_id, conf = g.call(
            'source', 'snapshot_for_replication', None, g.svc['source'],
            g.adm['source'], None, dict(snapshot))
        info = {'dataset': {'snapshot_id': snapshot_id},
                'master': g.call('source', 'get_master_ref',
                                 g.svc['source'], snapshot),
                'replica_conf': conf}
        g.svc['replica1'].restore_backup(None, {'id': snapshot_id}, None)
        g.call('replica1', 'enable_as_slave', g.svc['replica1'], info,
               g.config('replica', 'replica1'))
        wait_caught_up(S, R1)
        outcome = 'caught up' if fingerprint(R1) == fingerprint(S) \
            else 'DIFFERENT DATA'
    except Exception as exc:
        outcome = 'FAILED: ' + describe(exc)
    return w.result(outcome)


# -- findings from Trove's own code ----------------------------------------

def trove_service_matrix(line, label, template_dir, workdir):
    """Trove's own App methods on a replica of ``line`` with
    ``CONF.datastore_version = label``: which work, which fail and how.
    """
    found = {}
    conf = ts.trove()
    conf.set_override('datastore_version', label)
    box = servers.Sandbox(os.path.join(workdir, 'matrix'),
                          template_dir=template_dir, server=line.name)
    conf_d = dict(ts.guest_conf_d(line))
    conf_d['10-binlog.cnf'] = '[mysqld]\nlog_bin = binlog\n'
    try:
        box.up(1, conf_d=conf_d)
        source, replica = box.servers()
        app, _ = ts.trove_app(source, workdir, workdir + '/backups')
        rep, _ = ts.trove_app(replica, workdir, workdir + '/backups')
        # A running replica, set up with our adapter's statements,
        # starting where the source is now (both have Trove's os_admin).
        ours = ts.compat_service(replica, workdir + '/backups')
        src = ts.compat_service(source, workdir + '/backups')
        if line.flavor == 'mysql':
            gtids = src.execute_sql('SELECT @@global.gtid_executed').scalar()
            ours.execute_sql('RESET BINARY LOGS AND GTIDS')
            ours.execute_sql("SET GLOBAL gtid_purged = '%s'" % gtids)
        else:
            position = src.execute_sql(
                'SELECT @@global.gtid_binlog_pos').scalar()
            ours.execute_sql("SET GLOBAL gtid_slave_pos = '%s'" % position)
        accounts_sql = trove_compat.TroveCompatAdmin(src)
        accounts_sql.create_users([{'_name': 'slave_matrix',
                                    '_password': 'Pw0123456789abcd',
                                    '_host': '%'}])
        src.grant_replication_privilege({'name': 'slave_matrix'})
        if line.flavor == 'mysql':
            change = ("CHANGE REPLICATION SOURCE TO SOURCE_HOST='127.0.0.1',"
                      " SOURCE_PORT=%d, SOURCE_USER='slave_matrix', "
                      "SOURCE_PASSWORD='Pw0123456789abcd', "
                      "SOURCE_AUTO_POSITION=1, GET_SOURCE_PUBLIC_KEY=1"
                      % source.port)
        else:
            change = ("CHANGE MASTER TO MASTER_HOST='127.0.0.1', "
                      "MASTER_PORT=%d, MASTER_USER='slave_matrix', "
                      "MASTER_PASSWORD='Pw0123456789abcd', "
                      "MASTER_USE_GTID=slave_pos, MASTER_SSL=0"
                      % source.port)
        ours.execute_sql(change)
        calls = [
            ('start_slave()', lambda: rep.start_slave()),
            ('get_latest_txn_id() on the source',
             lambda: app.get_latest_txn_id()),
            ('wait_for_txn(source latest)',
             lambda: rep.wait_for_txn(app.get_latest_txn_id())),
            ('get_last_txn()', lambda: rep.get_last_txn()),
            ('make_read_only(True)', lambda: rep.make_read_only(True)),
            ('stop_slave(for_failover=True)',
             lambda: rep.stop_slave(True)),
            ('stop_master() (never called by Trove 26)',
             lambda: rep.stop_master()),
        ]
        for name, call in calls:
            started = time.monotonic()
            try:
                with watchdog(60):
                    value = call()
                found[name] = 'ok (%.1f s)%s' % (
                    time.monotonic() - started,
                    '' if value is None else ': %s' % (value,))
            except Exception as exc:
                found[name] = 'FAILS: ' + describe(exc)
        ours.close()
        src.close()
    finally:
        box.down(remove=True)
        conf.clear_override('datastore_version')
    return found


def label_findings():
    """Trove's version switch on labels an operator may have typed."""
    ts.trove()
    from trove.guestagent.datastore.mysql import service as mysql
    conf = ts.trove()
    found = {}
    for label in ('9.7.4', '8.0.36', 'mysql-5.5', None):
        conf.set_override('datastore_version', label)
        try:
            found[repr(label)] = 'is_mysql84: %s' % mysql.MySqlApp._is_mysql84(
                None)
        except Exception as exc:
            found[repr(label)] = 'FAILS: ' + describe(exc)
        finally:
            conf.clear_override('datastore_version')
    return found


# -- driver ------------------------------------------------------------------

class Watchdog(Exception):
    pass


@contextlib.contextmanager
def watchdog(seconds):
    """Stop a flow that hangs (Trove's wait_for_txn has no timeout)."""
    def expired(signum, frame):
        raise Watchdog('no result within %d s' % seconds)
    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run_line(line, args, template_dir, workdir):
    report = {'version': line.version(), 'strategies': {}, 'findings': {}}
    label = line.version()
    manager = ts.manager_of(line)
    conf = ts.trove()
    for name, path in (('trove', ts.TROVE_STRATEGY[manager]),
                       ('ours', OURS)):
        base = os.path.join(workdir, '%s-%s' % (line.name, name))
        box = servers.Sandbox(base + '-box', template_dir=template_dir,
                              server=line.name)
        guests = None
        try:
            box.up(2, conf_d=ts.guest_conf_d(line))
            guests = Guests(box, path, label, base)
            with ts.network_isolation(base), watchdog(600):
                results = flows(guests, args.rows, args.backlog)
            report['strategies'][name] = {'class': '%s.%s' % (
                guests.cls.__module__, guests.cls.__name__),
                'flows': results}
        except Exception:
            report['strategies'][name] = {'error': traceback.format_exc()}
        finally:
            if guests:
                guests.close()
            box.down(remove=True)
            conf.reset()
        if line.flavor == 'mariadb':
            box = servers.Sandbox(base + '-quiet', template_dir=template_dir,
                                  server=line.name)
            guests = None
            try:
                box.up(1, conf_d=ts.guest_conf_d(line))
                guests = Guests(box, path, label, base + '-q')
                with ts.network_isolation(base):
                    report['strategies'][name]['flows']['quiet source'] = \
                        quiet_source(guests, args.rows)
            finally:
                if guests:
                    guests.close()
                box.down(remove=True)
                conf.reset()
    labels = [label] + (['8.0.36'] if line.flavor == 'mysql' else [])
    for each in labels:
        report['findings']["Trove's own %s methods, datastore_version %s" % (
            'MySqlApp' if line.flavor == 'mysql' else 'MariaDBApp', each)] = \
            trove_service_matrix(line, each, template_dir,
                                 os.path.join(workdir, 'm-' + each))
        conf.reset()
    return report


FLOWS = ('create', 'attach', 'promote', 're-point', 'password with a quote',
         'password with :name', 'detach', 're-attach after detach',
         'detach + source cleanup', 're-attach after cleanup',
         'quiet source')


def print_line(name, report):
    print('\n%s (%s)' % (name, report['version']))
    header = '%-24s %-6s %8s %8s %10s  %s' % (
        'flow', 'whose', 'seconds', 'restarts', 'statements', 'outcome')
    print(header)
    print('-' * len(header))
    for flow in FLOWS:
        for who in ('trove', 'ours'):
            entry = report['strategies'].get(who, {})
            if 'error' in entry:
                if flow == FLOWS[0]:
                    print('%-24s %-6s  ERROR: %s' % (
                        flow, who, entry['error'].strip().splitlines()[-1]))
                continue
            result = entry.get('flows', {}).get(flow)
            if result is None:
                continue
            print('%-24s %-6s %8s %8s %10s  %s' % (
                flow, who, result.get('seconds', '-'),
                result.get('restarts', '-'), result.get('statements', '-'),
                result['outcome']))
    for title, found in report['findings'].items():
        print('\n  %s:' % title)
        if isinstance(found, dict):
            for call, outcome in found.items():
                print('    %-42s %s' % (call, outcome))
        else:
            print('    %s' % found)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--lines', nargs='*', default=None,
                        help='server lines (default: every provisioned '
                             'one of %s)' % ', '.join(lines.names()))
    parser.add_argument('--rows', type=int, default=2000,
                        help='rows on the source before the backup')
    parser.add_argument('--backlog', type=int, default=200,
                        help='rows (one transaction each) a replica must '
                             'catch up on in each flow')
    parser.add_argument('--json', metavar='FILE',
                        help='also write the results as JSON')
    args = parser.parse_args(argv)
    # Trove's leaked temporary files ([client] files with passwords)
    # go to a directory removed at the end.
    with ts.temporary_files():
        return _run(args)


def _run(args):
    global COUNTER
    COUNTER = Counter()
    ts.trove()
    from importlib import metadata
    report = {'machine': machine(), 'trove': metadata.version('trove'),
              'lines': {}, 'label_findings': label_findings()}
    print('machine: %(cpu)s, %(cores)s cores, %(memory_gib)s GiB, '
          'Python %(python)s' % report['machine'])
    print('trove %s; each strategy through our adapter (Trove\'s execute '
          'path, waits and statements)' % report['trove'])
    print("Trove's MySqlApp version switch (CONF.datastore_version): %s"
          % '; '.join('%s -> %s' % kv
                      for kv in report['label_findings'].items()))
    workdir = tempfile.mkdtemp(prefix='tg-bench-', dir='/tmp')
    template_dir = os.path.join(workdir, '.template')
    started = time.monotonic()
    try:
        for name in args.lines or lines.names():
            line = lines.get(name)
            try:
                servers.prepare_template(template_dir, line=line)
            except exceptions.SandboxError as exc:
                print('\n%s: not provisioned here, skipped: %s' % (name,
                                                                   exc))
                report['lines'][name] = {'skipped': str(exc)}
                continue
            report['lines'][name] = run_line(line, args, template_dir,
                                             workdir)
            print_line(name, report['lines'][name])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report['seconds'] = round(time.monotonic() - started, 1)
    print('\ntotal %.0f s' % report['seconds'])
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(report, f, indent=2, sort_keys=True, default=str)
    return 0


if __name__ == '__main__':
    sys.exit(main())
