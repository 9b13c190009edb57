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

"""Inside Trove 26.0.0's own code, on real servers of every line.

Our AutoReplication, loaded by Trove's loader from the ``guest_info.conf``
its taskmanager writes, runs an attach from a snapshot, a detach, and a
re-point after a promotion on

* Trove's own ``MySqlApp`` / ``MariaDBApp`` and admin classes (their
  ``execute_sql``: ``text()``, a pooled connection and a transaction per
  call; their engine, override files, grants), see trove_support, and
* our adapter (``TroveCompatService``), which executes the same way,

with replication passwords holding quotes, backslashes, ``:name`` and
non-ASCII characters, with network isolation giving the address. Every
attribute our code takes from the service object and every method it
calls on an ``execute_sql`` result is recorded and must be in the list
read from our code (test_trove_interface checks that list against
Trove's classes).

Trove's own strategies run on our adapter and on Trove's App, and send
the same statements on both: the adapter is Trove's behaviour.
"""

import difflib
import itertools
import re

import pytest

import trove_support as ts
import usage

from trove_gtid_strategy import accounts

# Replication passwords: quotes, a backslash, ":name" (a bind parameter
# to SQLAlchemy's text()), non-ASCII; each at most 32 bytes in UTF-8
# (the MASTER_PASSWORD limit of MySQL before 8.0).
HOSTILE = ["q'u\"o\\te:name é密", ":pw\\' ü:x -- %s ;#"]

STRATEGY_USES, RESULT_METHODS = usage.strategy_uses(
    'trove_gtid_strategy.strategy')
KNOWN = {name for _, name in usage.summary(STRATEGY_USES)}


class Recorder:
    """A service object recording every attribute our code takes from
    it (found or not), and the methods called on execute_sql results.
    """

    def __init__(self, target, seen, results):
        self.__dict__.update(_target=target, _seen=seen, _results=results)

    def __getattr__(self, name):
        self._seen.add(name)
        value = getattr(self._target, name)
        if name == 'execute_sql':
            results = self._results

            def execute_sql(*args, **kwargs):
                return ResultRecorder(value(*args, **kwargs), results)
            return execute_sql
        return value


class ResultRecorder:
    def __init__(self, result, seen):
        self._result = result
        self._seen = seen

    def __getattr__(self, name):
        self._seen.add(name)
        return getattr(self._result, name)

    def __iter__(self):
        self._seen.add('__iter__')
        return iter(self._result)


def line_label(line):
    """The datastore version Trove's taskmanager writes: the version."""
    return line.version()


def make_services(kind, servers, workdir, label):
    backups = workdir + '/backups'
    made = {}
    for server in servers:
        if kind == 'trove-app':
            made[server.name] = ts.trove_app(server, workdir, backups)
        else:
            svc = ts.compat_service(server, backups, label)
            import trove_compat
            made[server.name] = (svc, trove_compat.TroveCompatAdmin(svc))
    return made


@pytest.mark.parametrize('kind', ['trove-app', 'adapter'])
def test_our_strategy_attach_detach_repoint(
        kind, sandbox, trove_line, workdir, trove_conf, monkeypatch):
    box = sandbox(replicas=2)
    source, one, two = box.servers()
    manager = ts.manager_of(trove_line)
    label = line_label(trove_line)
    ts.write_guest_info(workdir + '/conf.d', manager, label,
                        'trove_gtid_strategy.strategy.AutoReplication')
    strategy = ts.load_guest(workdir + '/conf.d')
    services = make_services(kind, (source, one, two), workdir, label)
    seen, results = set(), set()

    def svc(server):
        return Recorder(services[server.name][0], seen, results)

    def adm(server):
        return services[server.name][1]

    def cfg(role, server):
        return ts.trove_config(role, manager, label, server)

    passwords = itertools.cycle(HOSTILE)
    monkeypatch.setattr(accounts, 'new_password', lambda: next(passwords))
    with ts.network_isolation(workdir):
        with ts.guest(source.name):
            strategy.enable_as_master(svc(source),
                                      cfg('replica_source', source))
        # Written with the binary log on (see the test after this one).
        ts.make_data(source, 50)
        with ts.guest(source.name):
            snapshot_id, replica_conf = strategy.snapshot_for_replication(
                None, svc(source), adm(source), None,
                {'id': 'snap-1', 'storage_driver': 'swift'})
            master = strategy.get_master_ref(svc(source), None)
        assert master == {'host': '127.0.0.1', 'port': source.port}
        assert replica_conf['replication_user']['password'] == HOSTILE[0]
        ts.make_data(source, 20, start=50)     # written after the backup
        master_info = {'dataset': {'snapshot_id': snapshot_id},
                       'replication_strategy': 'AutoReplication',
                       'master': master, 'replica_conf': replica_conf}
        for replica in (one, two):
            services[replica.name][0].restore_backup(
                None, {'id': snapshot_id}, None)
            with ts.guest(replica.name):
                strategy.enable_as_slave(svc(replica), master_info,
                                         cfg('replica', replica))
            ts.wait_caught_up(source, replica)
            assert ts.fingerprint(replica) == ts.fingerprint(source) == \
                (70, sum(range(70)))

        # Promote replica1 (Trove's order), re-point replica2 to it.
        with ts.guest(one.name):
            strategy.detach_slave(svc(one), True)
            strategy.enable_as_master(svc(one), cfg('replica_source', one))
            context = strategy.get_replica_context(svc(one), adm(one))
        assert context['replica_conf']['replication_user']['password'] == \
            HOSTILE[1]
        assert context['master'] == {'host': '127.0.0.1', 'port': one.port}
        with ts.guest(two.name):
            strategy.detach_slave(svc(two), True)
            strategy.enable_as_slave(svc(two), context, cfg('replica', two))
        ts.make_data(one, 10, start=70)
        ts.wait_caught_up(one, two)
        assert ts.fingerprint(two) == ts.fingerprint(one) == \
            (80, sum(range(80)))

        # Detach: the account goes on the replica without a transaction
        # of its own, and on the source through Trove's admin object.
        user = context['replica_conf']['replication_user']['name']
        basename = ts.binlog_basename(two)
        with ts.guest(two.name):
            assert strategy.detach_slave(svc(two), False) == {
                'replication_user': user}
        assert ts.query(two, 'SHOW REPLICA STATUS') == ()
        assert ts.own_transactions_in_binlog(two, basename) == []
        with ts.guest(one.name):
            strategy.cleanup_source_on_replica_detach(adm(one), {
                'replication_user': user})
        assert ts.query(one, 'SELECT 1 FROM mysql.user WHERE user = %s',
                        user) == ()

        # Attached again, the replica replays that drop of an account it
        # no longer has: with IF EXISTS, it goes on.
        with ts.guest(one.name):
            context = strategy.get_replica_context(svc(one), adm(one))
        with ts.guest(two.name):
            strategy.enable_as_slave(svc(two), context, cfg('replica', two))
        ts.make_data(one, 5, start=80)
        ts.wait_caught_up(one, two)
        assert ts.fingerprint(two) == ts.fingerprint(one)

    assert seen <= KNOWN, 'used but not in the list read from our code: %s' \
        % sorted(seen - KNOWN)
    assert {'execute_sql', 'get_port', 'get_data_dir'} <= seen
    assert results <= RESULT_METHODS | {'__iter__'}, results
    if kind == 'trove-app':
        import sqlalchemy.engine
        engine = services[source.name][0].get_engine()
        assert isinstance(engine, sqlalchemy.engine.Engine)


def _normalise(statements):
    """Statements without what differs between runs (names, passwords,
    ports, GTIDs), repeated polls of one wait collapsed.
    """
    out = []
    for sql in statements:
        sql = ' '.join(str(sql).split())
        sql = re.sub(r'slave_[0-9a-f]{8}', 'slave_X', sql)
        sql = re.sub(r"(PASSWORD=)'[^']*'", r"\1'X'", sql)
        sql = re.sub(r"IDENTIFIED BY '[^']*'", "IDENTIFIED BY 'X'", sql)
        sql = re.sub(r'(PORT=)\d+', r'\1N', sql)
        sql = re.sub(r"'[0-9a-f-]{36}:[^']*'", "'GTIDS'", sql)
        sql = re.sub(r"'\d+-\d+-\d+(,\d+-\d+-\d+)*'", "'GTIDS'", sql)
        if not out or out[-1] != sql:
            out.append(sql)
    return out


def _trove_flow(kind, box, line, workdir, monkeypatch):
    """Trove's own strategy: a replica from a snapshot, a promotion's
    bookkeeping, a detach. Returns what happened and the statements each
    server got (restores aside).
    """
    from sqlalchemy import event
    from trove.guestagent.strategies.replication import mysql_base
    source, replica = box.servers()
    manager = ts.manager_of(line)
    label = line_label(line)
    ts.write_guest_info(workdir + '/conf.d', manager, label,
                        ts.TROVE_STRATEGY[manager])
    strategy = ts.load_guest(workdir + '/conf.d')
    assert type(strategy).__module__.startswith('trove.')
    monkeypatch.setattr(mysql_base.utils, 'generate_random_password',
                        lambda length=None: 'Pw0123456789abcd')
    services = make_services(kind, (source, replica), workdir, label)
    sent = {source.name: [], replica.name: []}
    recording = [True]
    for server in (source, replica):
        svc = services[server.name][0]
        engine = svc.get_engine()

        def record(conn, cursor, statement, *rest, _name=server.name):
            if recording[0]:
                sent[_name].append(statement)
        event.listen(engine, 'before_cursor_execute', record)
    s, sa = services[source.name]
    r, _ = services[replica.name]
    # The backup (Trove's container) is ours on both: not compared.
    backup = s.create_backup

    def create_backup(*args, **kwargs):
        recording[0] = False
        try:
            return backup(*args, **kwargs)
        finally:
            recording[0] = True
    s.create_backup = create_backup
    ts.make_data(source, 30)
    outcome = {}
    with ts.network_isolation(workdir):
        strategy.enable_as_master(
            s, ts.trove_config('replica_source', manager, label, source))
        snapshot_id, conf = strategy.snapshot_for_replication(
            None, s, sa, None, {'id': 'snap-t', 'storage_driver': 'swift'})
        info = {'dataset': {'snapshot_id': snapshot_id},
                'master': strategy.get_master_ref(s, None),
                'replica_conf': conf}
        recording[0] = False
        r.restore_backup(None, {'id': snapshot_id}, None)
        recording[0] = True
        ts.make_data(source, 5, start=30)
        strategy.enable_as_slave(
            r, info, ts.trove_config('replica', manager, label, replica))
        ts.wait_caught_up(source, replica)
        outcome['rows'] = ts.fingerprint(replica)
        s.make_read_only(True)
        latest = s.get_latest_txn_id()
        r.wait_for_txn(latest)
        s.make_read_only(False)
        try:
            master_uuid, last = r.get_last_txn()
            # The source's UUID and its last transaction number.
            outcome['last_txn'] = (
                master_uuid == ts.scalar(source, 'SELECT @@server_uuid')
                and last == int(latest.split('-')[-1]))
        except Exception as exc:
            outcome['last_txn'] = type(exc).__name__
        basename = ts.binlog_basename(replica)
        outcome['detach'] = strategy.detach_slave(r, False)
        outcome['errant'] = ts.own_transactions_in_binlog(replica, basename)
    # Trove reads the datadir from my.cnf, the adapter asks the server.
    return outcome, {name: _normalise(v for v in statements
                                      if v != 'SELECT @@datadir')
                     for name, statements in sent.items()}


def test_trove_strategy_same_on_adapter_as_on_trove_app(
        sandbox, trove_line, workdir, trove_conf, monkeypatch):
    """Trove's unmodified strategy runs on our adapter exactly as on its
    own App: the same outcome and the same statements to each server.
    """
    runs = {}
    for kind in ('trove-app', 'adapter'):
        box = sandbox(replicas=1)
        runs[kind] = _trove_flow(kind, box, trove_line,
                                 '%s/%s' % (workdir, kind), monkeypatch)
    (app_outcome, app_sent), (our_outcome, our_sent) = \
        runs['trove-app'], runs['adapter']
    assert app_outcome['rows'] == (35, sum(range(35)))
    if trove_line.flavor == 'mariadb':
        # Trove's MariaDBApp reads a Row by name: TypeError under
        # SQLAlchemy 2.
        assert app_outcome['last_txn'] == 'TypeError'
    else:
        assert app_outcome['last_txn'] is True
    # Trove's detach drops the account on the replica with binary
    # logging on: a transaction of the replica's own (errant).
    assert len(app_outcome['errant']) == 1
    app_outcome['errant'] = our_outcome['errant'] = None
    app_outcome['detach'] = our_outcome['detach'] = None
    assert our_outcome == app_outcome
    for name in our_sent:
        assert our_sent[name] == app_sent[name], '\n'.join(
            difflib.unified_diff(app_sent[name], our_sent[name],
                                 'Trove App', 'adapter', lineterm=''))


@pytest.mark.trove_lines('mariadb-10.11', 'mariadb-11.8')
def test_first_replica_of_a_quiet_mariadb_source(
        sandbox, trove_line, workdir, trove_conf):
    """Trove runs MariaDB without a binary log until enable_as_master,
    just before the backup, so the backup's GTID position is empty: a
    known empty history the replica starts from (this was refused once).
    """
    box = sandbox(replicas=1)
    source, replica = box.servers()
    manager = ts.manager_of(trove_line)
    label = line_label(trove_line)
    ts.write_guest_info(workdir + '/conf.d', manager, label,
                        'trove_gtid_strategy.strategy.AutoReplication')
    strategy = ts.load_guest(workdir + '/conf.d')
    (s, sa), (r, _) = make_services('adapter', (source, replica), workdir,
                                    label).values()
    ts.make_data(source, 20)        # before the binary log is on
    with ts.network_isolation(workdir):
        with ts.guest(source.name):
            strategy.enable_as_master(s, ts.trove_config(
                'replica_source', manager, label, source))
            snapshot_id, conf = strategy.snapshot_for_replication(
                None, s, sa, None, {'id': 'snap-q'})
            master = strategy.get_master_ref(s, None)
        r.restore_backup(None, {'id': snapshot_id}, None)
        with open(replica.datadir + '/mariadb_backup_binlog_info') as f:
            assert f.read().endswith('\t\n')        # no GTID position
        with ts.guest(replica.name):
            strategy.enable_as_slave(
                r, {'dataset': {'snapshot_id': snapshot_id},
                    'master': master, 'replica_conf': conf},
                ts.trove_config('replica', manager, label, replica))
        ts.wait_caught_up(source, replica)
        assert ts.fingerprint(replica) == ts.fingerprint(source)
