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

"""The strategy classes on real source/replica pairs, on every line.

Every server here is a real ``mariadbd`` or ``mysqld`` started by the
sandbox fixtures, once per server line. Two service objects drive them:
ours (PyMySQL) and ``TroveLikeService``, which executes statements
exactly as Trove's guest agent does (SQLAlchemy ``text()`` inside a
transaction, one pooled connection per call).
"""

import os

import pytest

from trove_gtid_strategy import exceptions
from trove_gtid_strategy.guest import server_state
from trove_gtid_strategy.guest import service
from trove_gtid_strategy import modes
from trove_gtid_strategy import rendering
from trove_gtid_strategy import seeding
from trove_gtid_strategy import strategy

from support import attach
from support import count_rows
from support import CountingService
from support import dump
from support import is_mysql
from support import load
from support import make_table
from support import purge_to_newest
from support import query
from support import scalar
from support import status
from support import TroveLikeService


def replica_snapshot(svc):
    """Everything a refused attach must leave as it was."""
    names = (('gtid_executed', 'gtid_purged') if is_mysql(svc.server)
             else ('gtid_slave_pos', 'gtid_binlog_pos'))
    variables = dict(query(svc.server, 'SHOW GLOBAL VARIABLES WHERE '
                           'Variable_name IN (%s, %s, %s, %s, %s)',
                           *(names + ('read_only', 'server_id', 'log_bin'))))
    return (query(svc.server, 'SHOW REPLICA STATUS'), variables,
            sorted(os.listdir(svc.conf_dir)), svc.restarts)


@pytest.fixture(params=['auto', 'binlog'])
def mode(request):
    strategy.CONF.set_override('replication_mode', request.param,
                               group='trove_gtid_strategy')
    strategy.CONF.set_override('replica_start_timeout', 30,
                               group='trove_gtid_strategy')
    # MariaDB's binlog-position mode is not crash-safe: these tests are
    # about attaching, so they allow it (test_safety covers the refusal).
    strategy.CONF.set_override('allow_crash_unsafe_binlog', True,
                               group='trove_gtid_strategy')
    yield request.param
    for name in ('replication_mode', 'replica_start_timeout',
                 'allow_crash_unsafe_binlog'):
        strategy.CONF.clear_override(name, group='trove_gtid_strategy')


@pytest.fixture
def pair(sandbox_factory):
    box = sandbox_factory(replicas=1)
    return CountingService(box.source), CountingService(box.replicas[0])


def expected_mode(server, requested):
    if requested == 'binlog':
        return 'binlog'
    return 'mysql_gtid' if is_mysql(server) else 'mariadb_gtid'


def _dump_and_load(source_server, replica_server):
    path = os.path.join(os.path.dirname(source_server.base), 'seed.sql')
    dump(source_server, path)
    load(replica_server, path)
    with open(path, encoding='utf-8') as f:
        return seeding.from_dump(f, path)


def test_attach_seeded_from_dump_replicates(pair, mode):
    source, replica = pair
    repl = strategy.AutoReplication()
    repl.enable_as_master(source, None)
    make_table(source.server, 5)
    start = _dump_and_load(source.server, replica.server)
    attach(repl, source, replica, dataset=seeding.to_dataset(start))
    make_table(source.server, 5, start=5)
    repl.wait_until_applied(replica, repl.current_position(source))
    assert count_rows(replica.server) == 10
    assert str(repl.last_mode) == expected_mode(source.server, mode)
    found = status(replica)
    if is_mysql(source.server):
        assert found.auto_position is (mode != 'binlog')
        if mode != 'binlog':
            # mysqldump's SET GTID_PURGED ('+' on 8.0+) was the seed.
            assert start.gtid_set
    else:
        assert found.using_gtid == ('No' if mode == 'binlog'
                                    else 'Slave_Pos')


def test_new_empty_replica_in_gtid_mode(pair):
    """An empty replica of a source holding data is refused without a
    seed (the binary log need not hold that data); one attached before
    the data gets everything written after.
    """
    source, replica = pair
    repl = strategy.AutoReplication()
    repl.enable_as_master(source, None)
    make_table(source.server, 20)
    error = _refused(repl, source, replica, 'seed_required')
    assert 'data (app)' in str(error)
    query(source.server, 'DROP DATABASE app')
    attach(repl, source, replica)
    make_table(source.server, 20)
    repl.wait_until_applied(replica, repl.current_position(source))
    assert count_rows(replica.server) == 20


@pytest.mark.parametrize('info_name', seeding.BINLOG_INFO_FILES)
def test_seed_from_backup_binlog_info(pair, mode, info_name):
    """A backup tool's info file in the datadir gives the start point."""
    source, replica = pair
    repl = strategy.AutoReplication()
    repl.enable_as_master(source, None)
    make_table(source.server, 7)
    start = _dump_and_load(source.server, replica.server)
    make_table(source.server, 3, start=7)  # after the backup point
    gtids = ''
    if mode != 'binlog':
        gtids = str(start.gtid_set if is_mysql(source.server)
                    else start.mariadb_pos)
    with open(os.path.join(replica.get_data_dir(), info_name), 'w') as f:
        f.write('%s\t%d\t%s\n' % (start.log_file, start.log_pos, gtids))
    attach(repl, source, replica, dataset={})
    repl.wait_until_applied(replica, repl.current_position(source))
    assert count_rows(replica.server) == 10
    # Nothing applied twice: every id exactly once and the SQL thread ok.
    assert scalar(replica.server, 'SELECT COUNT(DISTINCT id) FROM app.t') \
        == 10


@pytest.fixture
def packaged_pair(sandbox_factory, server_line):
    """A source and a replica as their packages start them: MariaDB
    without a binary log, MySQL 9.7 with one (and without
    relay_log_recovery), where the sandbox's servers are ready to
    replicate.
    """
    box = sandbox_factory(replicas=1, conf_d={'packaged.cnf': (
        '[mysqld]\nrelay_log_recovery = OFF\n' if server_line.flavor ==
        'mysql' else '[mysqld]\nskip-log-bin\n')})
    return CountingService(box.source), CountingService(box.replicas[0])


def test_enable_as_master_is_idempotent(packaged_pair):
    source, _ = packaged_pair
    repl = strategy.AutoReplication()
    repl.enable_as_master(source, None)
    # MySQL 9.7 runs with a binary log and GTIDs by default: no restart;
    # MariaDB as packaged has no binary log: one.
    first = source.restarts
    assert first == (0 if is_mysql(source.server) else 1)
    repl.enable_as_master(source, None)
    assert source.restarts == first
    assert scalar(source.server, 'SELECT @@log_bin') == 1


def test_enable_as_master_replaces_config_server_cannot_start_with(pair):
    """Seed 000: settings a server does not know are never written."""
    source, _ = pair
    if is_mysql(source.server):
        # MySQL 8.3+ removed relay_log_info_repository.
        text = ('[mysqld]\nlog_bin = mysql-bin\ngtid_mode = ON\n'
                'enforce_gtid_consistency = ON\n'
                'relay_log_info_repository = TABLE\n')
        kept = 'gtid_mode = ON'
    else:
        text = ('[mysqld]\nlog_bin = /var/lib/mysql/mysql-bin.log\n'
                'gtid_mode = ON\nenforce_gtid_consistency = ON\n')
        kept = 'gtid_strict_mode = ON'
    strategy.AutoReplication().enable_as_master(source, text)
    path = os.path.join(source.conf_dir, service.SOURCE_OVERRIDES)
    with open(path) as f:
        written = f.read()
    assert 'relay_log_info_repository' not in written
    assert kept in written
    assert scalar(source.server, 'SELECT @@log_bin') == 1


def test_detach_cleanup_and_demote_twice(packaged_pair):
    source, replica = packaged_pair
    repl = strategy.AutoReplication()
    repl.enable_as_master(source, None)
    context = attach(repl, source, replica)
    user = context['replica_conf']['replication_user']['name']
    info = repl.detach_slave(replica, for_failover=False)
    assert info == {'replication_user': user}
    assert repl.detach_slave(replica, for_failover=False) == {
        'replication_user': None}
    assert query(replica.server, 'SHOW REPLICA STATUS') == ()
    assert scalar(replica.server, 'SELECT @@read_only') == 0
    assert service.REPLICA_OVERRIDES not in os.listdir(replica.conf_dir)
    admin = service.MySQLAdmin(source)
    repl.cleanup_source_on_replica_detach(admin, info)
    repl.cleanup_source_on_replica_detach(admin, info)
    assert scalar(source.server, 'SELECT COUNT(*) FROM mysql.user WHERE '
                  'user = %s', user) == 0
    restarts = source.restarts
    repl.demote_master(source)
    assert source.restarts == restarts + 1
    assert service.SOURCE_OVERRIDES not in os.listdir(source.conf_dir)
    # MySQL 8.0+ writes a binary log by default, MariaDB does not.
    assert scalar(source.server, 'SELECT @@log_bin') == (
        1 if is_mysql(source.server) else 0)
    repl.demote_master(source)
    assert source.restarts == restarts + 1


def test_promote_and_repoint(sandbox_factory):
    """Trove's promote: a replica becomes the source, the other replica
    and the demoted old source follow it, with no transaction lost.
    """
    box = sandbox_factory(replicas=2)
    old, new, other = (CountingService(s) for s in box.servers())
    repl = strategy.AutoReplication()
    repl.enable_as_master(old, None)
    attach(repl, old, new)
    attach(repl, old, other)
    make_table(old.server, 10)
    position = repl.current_position(old)
    for svc in (new, other):
        repl.wait_until_applied(svc, position)
    old.make_read_only(True)
    repl.detach_slave(new, for_failover=True)
    repl.enable_as_master(new, None)
    new.make_read_only(False)
    attach(repl, new, other)
    attach(repl, new, old)   # the old source's own GTIDs are on `new`
    repl.demote_master(old)
    repl.wait_for_replica_running(old)
    make_table(new.server, 5, start=10)
    position = repl.current_position(new)
    for svc in (other, old):
        repl.wait_until_applied(svc, position)
        assert count_rows(svc.server) == 15


def _refused(repl, source, replica, code, dataset=None):
    before = replica_snapshot(replica)
    with pytest.raises(exceptions.PrecheckFailed) as caught:
        attach(repl, source, replica, dataset)
    assert code in [p.code for p in caught.value.result.problems]
    assert replica_snapshot(replica) == before
    return caught.value


def test_refused_errant_transaction(pair):
    source, replica = pair
    repl = strategy.AutoReplication()
    repl.enable_as_master(source, None)
    repl.enable_as_master(replica, None)   # binary log on, as a replica has
    make_table(source.server, 3)
    query(replica.server, 'CREATE DATABASE local_only')   # errant
    if is_mysql(replica.server):
        errant = scalar(replica.server, 'SELECT @@server_uuid')
    else:
        errant = scalar(replica.server, 'SELECT @@gtid_binlog_pos')
    error = _refused(repl, source, replica, 'errant_transactions')
    assert errant in str(error)


def test_refused_purged_binlogs(pair):
    source, replica = pair
    repl = strategy.AutoReplication()
    repl.enable_as_master(source, None)
    make_table(source.server, 3)
    purge_to_newest(source.server)
    error = _refused(repl, source, replica, 'purged_binlogs')
    assert 'purged' in str(error)


def test_refused_same_server_id(pair):
    source, replica = pair
    repl = strategy.AutoReplication()
    repl.enable_as_master(source, None)
    server_id = scalar(source.server, 'SELECT @@server_id')
    query(replica.server, 'SET GLOBAL server_id = %s', server_id)
    _refused(repl, source, replica, 'same_server_id')


@pytest.mark.lines('mariadb-11.8')
def test_refused_replica_older_than_source(sandbox_factory):
    """A real MariaDB 11.8 source and a real 10.11 replica: refused."""
    box = sandbox_factory(replicas=1, server='mariadb-11.8',
                          replica_server='mariadb-10.11')
    source = CountingService(box.source)
    replica = CountingService(box.replicas[0])
    assert scalar(replica.server, 'SELECT @@version').startswith('10.11.')
    repl = strategy.AutoReplication()
    repl.enable_as_master(source, None)
    error = _refused(repl, source, replica, 'replica_older')
    assert 'older than source mariadb 11.8' in str(error)


@pytest.mark.lines('mariadb-10.11')
def test_newer_replica_follows_older_source(sandbox_factory):
    """The rolling-upgrade path: a 10.11 source, an 11.8 replica."""
    box = sandbox_factory(replicas=1, server='mariadb-10.11',
                          replica_server='mariadb-11.8')
    source = CountingService(box.source)
    replica = CountingService(box.replicas[0])
    assert scalar(replica.server, 'SELECT @@version').startswith('11.8.')
    repl = strategy.AutoReplication()
    repl.enable_as_master(source, None)
    attach(repl, source, replica)
    make_table(source.server, 10)
    repl.wait_until_applied(replica, repl.current_position(source))
    assert count_rows(replica.server) == 10


AWKWARD = [
    # At most 32 bytes: MySQL's limit for SOURCE_PASSWORD.
    ("r'q\"b\\s;c", "p'w\"d\\x;:nm %s %(x)s ü 密"),
    ('repl:user', 'pw:bind\\:x\'--'),
]


@pytest.mark.parametrize('name,password', AWKWARD)
def test_awkward_user_and_password_through_trove_text_path(
        sandbox_factory, name, password):
    """Quotes, backslashes, ; :name and non-ASCII survive text()."""
    box = sandbox_factory(replicas=1)
    source, replica = (TroveLikeService(s) for s in box.servers())
    repl = strategy.AutoReplication()
    repl.enable_as_master(source, None)
    d = source.dialect()
    for stmt in d.create_replication_user(name, password):
        source.execute_sql(stmt.sql)
    assert scalar(source.server, 'SELECT COUNT(*) FROM mysql.user WHERE '
                  'user = %s', name) == 1
    make_table(source.server, 4)
    info = {'master': {'host': '127.0.0.1', 'port': box.source.port},
            'replica_conf': {'log_position': {},
                             'replication_user': {'name': name,
                                                  'password': password}}}
    repl.enable_as_slave(replica, info, None)
    assert status(replica).source_user == name
    repl.wait_until_applied(replica, repl.current_position(source))
    assert count_rows(replica.server) == 4


def test_wrong_password_reports_server_error(pair):
    source, replica = pair
    repl = strategy.AutoReplication()
    repl.enable_as_master(source, None)
    context = repl.get_replica_context(source, None)
    context['replica_conf']['replication_user']['password'] = 'wrong'
    with pytest.raises(exceptions.PrecheckFailed) as caught:
        repl.enable_as_slave(replica, context, None)
    assert 'Access denied' in str(caught.value)


def _modes_of(server):
    return ('binlog', 'mysql_gtid') if is_mysql(server) else (
        'binlog', 'mariadb_gtid')


@pytest.mark.parametrize('role', rendering.ROLES)
def test_rendered_configs_start_the_server(sandbox_factory, role):
    box = sandbox_factory(replicas=0)
    svc = CountingService(box.source)
    version, caps = server_state.read_version(svc)
    for mode_name in _modes_of(box.source):
        rendered = rendering.ConfigRenderer().render(
            role, caps, modes.Mode(mode_name), server_id=4242)
        svc.write_replication_replica_overrides(rendered.text)
        svc.restart()
        variables = server_state.read_variables(svc, (
            'server_id', 'log_bin', 'sync_binlog', 'relay_log_recovery',
            'innodb_flush_log_at_trx_commit', 'read_only',
            'gtid_strict_mode', 'gtid_mode', 'log_slave_updates',
            'log_replica_updates', 'binlog_format'))
        assert variables['server_id'] == '4242'
        updates = variables.get('log_replica_updates',
                                variables.get('log_slave_updates'))
        for value in (variables['log_bin'], variables['relay_log_recovery'],
                      updates):
            assert value == 'ON'
        assert variables['sync_binlog'] == '1'
        assert variables['innodb_flush_log_at_trx_commit'] == '1'
        assert variables['binlog_format'] == 'ROW'
        assert variables['read_only'] == ('ON' if role == 'replica'
                                          else 'OFF')
        gtid = variables.get('gtid_mode', variables.get('gtid_strict_mode'))
        if mode_name != 'binlog':
            assert gtid == 'ON'
        elif not is_mysql(box.source):
            # Binlog mode asks nothing of GTIDs (MySQL 9.7 has them on by
            # default, which position replication does not mind).
            assert gtid == 'OFF'
