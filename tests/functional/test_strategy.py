"""The strategy classes on real MariaDB source/replica pairs.

Every server here is a real ``mariadbd`` started by the sandbox fixtures.
Two service objects drive them: ours (PyMySQL) and ``TroveLikeService``,
which executes statements exactly as Trove's guest agent does (SQLAlchemy
``text()`` inside a transaction, one pooled connection per call).
"""

import os
import time

import pymysql
import pytest
import sqlalchemy

from trove_gtid_strategy.cmd import demo
from trove_gtid_strategy import dialect
from trove_gtid_strategy import exceptions
from trove_gtid_strategy.guest import server_state as inspect
from trove_gtid_strategy.guest import service
from trove_gtid_strategy import rendering
from trove_gtid_strategy import seeding
from trove_gtid_strategy import strategy


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

    def execute_sql(self, sql_statement, use_flush=False):
        if isinstance(sql_statement, str):
            sql_statement = sqlalchemy.text(sql_statement)
        with self.engine.connect() as conn:
            with conn.begin():
                return conn.execute(sql_statement)

    def restart(self):
        super().restart()
        self.engine.dispose()


def query(server, sql, *args):
    conn = pymysql.connect(autocommit=True, charset='utf8mb4',
                           **server.dsn.connect_kwargs())
    with conn, conn.cursor() as cur:
        cur.execute(sql, args or None)
        return cur.fetchall()


def make_table(server, rows=10, start=0):
    query(server, 'CREATE DATABASE IF NOT EXISTS app')
    query(server, 'CREATE TABLE IF NOT EXISTS app.t (id INT PRIMARY KEY, '
                  'v VARCHAR(40))')
    for i in range(start, start + rows):
        query(server, 'INSERT INTO app.t VALUES (%s, %s)', i, 'row %d' % i)


def count_rows(server):
    return query(server, 'SELECT COUNT(*) FROM app.t')[0][0]


def replica_snapshot(svc):
    """Everything a refused attach must leave as it was."""
    status = query(svc.server, 'SHOW ALL SLAVES STATUS')
    variables = dict(query(svc.server, "SHOW GLOBAL VARIABLES WHERE "
                           "Variable_name IN ('gtid_slave_pos', "
                           "'gtid_binlog_pos', 'read_only', 'server_id', "
                           "'log_bin')"))
    return (status, variables, sorted(os.listdir(svc.conf_dir)),
            svc.restarts)


@pytest.fixture(params=['auto', 'binlog'])
def mode(request):
    strategy.CONF.set_override('replication_mode', request.param,
                               group='trove_gtid_strategy')
    strategy.CONF.set_override('replica_start_timeout', 30,
                               group='trove_gtid_strategy')
    # MariaDB's binlog-position mode is not crash-safe: these tests are
    # about attaching, so they allow it.
    strategy.CONF.set_override('allow_crash_unsafe_binlog', True,
                               group='trove_gtid_strategy')
    yield request.param
    strategy.CONF.clear_override('allow_crash_unsafe_binlog',
                                 group='trove_gtid_strategy')
    strategy.CONF.clear_override('replication_mode',
                                 group='trove_gtid_strategy')
    strategy.CONF.clear_override('replica_start_timeout',
                                 group='trove_gtid_strategy')


@pytest.fixture
def pair(sandbox_factory):
    box = sandbox_factory(replicas=1)
    return CountingService(box.source), CountingService(box.replicas[0])


def attach(repl, source, replica, dataset=None):
    context = repl.get_replica_context(source, None)
    info = dict(context)
    if dataset is not None:
        info['dataset'] = dataset
    repl.enable_as_slave(replica, info, None)
    return context


def test_attach_replicates(pair, mode):
    source, replica = pair
    repl = strategy.AutoReplication()
    repl.enable_as_master(source, None)
    make_table(source.server, 5)
    attach(repl, source, replica, dataset=seeding.to_dataset(
        _dump_and_load(source.server, replica.server)))
    make_table(source.server, 5, start=5)
    repl.wait_until_applied(replica, repl.current_position(source))
    assert count_rows(replica.server) == 10
    expected = 'binlog' if mode == 'binlog' else 'mariadb_gtid'
    assert str(repl.last_mode) == expected
    status = inspect.read_replica_status(replica, _dialect(replica))
    assert status.using_gtid == ('No' if mode == 'binlog' else 'Slave_Pos')


def _dialect(svc):
    return dialect.Dialect(inspect.read_version(svc)[1])


def _dump_and_load(source_server, replica_server):
    path = os.path.join(os.path.dirname(source_server.base), 'seed.sql')
    demo.take_dump(source_server.dsn, path, databases=('app',))
    demo.load_dump(replica_server.dsn, path)
    with open(path, encoding='utf-8') as f:
        return seeding.from_dump(f, path)


def test_new_replica_repointed_gets_everything(pair):
    source, replica = pair
    repl = strategy.MariaDBGTIDReplication()
    repl.enable_as_master(source, None)
    make_table(source.server, 20)
    attach(repl, source, replica)
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
    gtids = str(start.mariadb_pos) if mode != 'binlog' else ''
    with open(os.path.join(replica.get_data_dir(), info_name), 'w') as f:
        f.write('%s\t%d\t%s\n' % (start.log_file, start.log_pos, gtids))
    attach(repl, source, replica, dataset={})
    repl.wait_until_applied(replica, repl.current_position(source))
    assert count_rows(replica.server) == 10
    # Nothing applied twice: every id exactly once and the SQL thread ok.
    assert query(replica.server, 'SELECT COUNT(DISTINCT id) FROM app.t'
                 )[0][0] == 10


def test_enable_as_master_is_idempotent(pair):
    source, _ = pair
    repl = strategy.AutoReplication()
    repl.enable_as_master(source, None)
    assert source.restarts == 1
    repl.enable_as_master(source, None)
    assert source.restarts == 1
    assert query(source.server, 'SELECT @@log_bin')[0][0] == 1


def test_enable_as_master_replaces_config_server_cannot_start_with(pair):
    """Seed 000: GTID settings a server does not know are not written."""
    source, _ = pair
    mysql_gtid_text = ('[mysqld]\nlog_bin = /var/lib/mysql/mysql-bin.log\n'
                       'gtid_mode = ON\nenforce_gtid_consistency = ON\n'
                       'relay_log_info_repository = TABLE\n')
    strategy.AutoReplication().enable_as_master(source, mysql_gtid_text)
    path = os.path.join(source.conf_dir, service.SOURCE_OVERRIDES)
    with open(path) as f:
        written = f.read()
    assert 'gtid_mode' not in written and 'gtid_strict_mode = ON' in written
    assert query(source.server, 'SELECT @@log_bin')[0][0] == 1


def test_detach_cleanup_and_demote_twice(pair):
    source, replica = pair
    repl = strategy.AutoReplication()
    repl.enable_as_master(source, None)
    context = attach(repl, source, replica)
    user = context['replica_conf']['replication_user']['name']
    info = repl.detach_slave(replica, for_failover=False)
    assert info == {'replication_user': user}
    assert repl.detach_slave(replica, for_failover=False) == {
        'replication_user': None}
    assert query(replica.server, 'SHOW ALL SLAVES STATUS') == ()
    assert query(replica.server, 'SELECT @@read_only')[0][0] == 0
    assert service.REPLICA_OVERRIDES not in os.listdir(replica.conf_dir)
    admin = service.MySQLAdmin(source)
    repl.cleanup_source_on_replica_detach(admin, info)
    repl.cleanup_source_on_replica_detach(admin, info)
    assert query(source.server, 'SELECT COUNT(*) FROM mysql.user WHERE '
                 'user = %s', user)[0][0] == 0
    restarts = source.restarts
    repl.demote_master(source)
    assert source.restarts == restarts + 1
    assert query(source.server, 'SELECT @@log_bin')[0][0] == 0
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
    make_table(old.server, 10)
    attach(repl, old, new)
    attach(repl, old, other)
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
    errant = query(replica.server, 'SELECT @@gtid_binlog_pos')[0][0]
    error = _refused(repl, source, replica, 'errant_transactions')
    assert errant in str(error)


def test_refused_purged_binlogs(pair):
    source, replica = pair
    repl = strategy.AutoReplication()
    repl.enable_as_master(source, None)
    make_table(source.server, 3)
    query(source.server, 'FLUSH BINARY LOGS')
    newest = query(source.server, 'SHOW BINARY LOGS')[-1][0]
    # MariaDB keeps a binary log until its InnoDB checkpoint is done.
    for _ in range(100):
        query(source.server, 'PURGE BINARY LOGS TO %s', newest)
        if len(query(source.server, 'SHOW BINARY LOGS')) == 1:
            break
        time.sleep(0.1)
    assert len(query(source.server, 'SHOW BINARY LOGS')) == 1
    error = _refused(repl, source, replica, 'purged_binlogs')
    assert 'purged' in str(error)


def test_refused_same_server_id(pair):
    source, replica = pair
    repl = strategy.AutoReplication()
    repl.enable_as_master(source, None)
    server_id = query(source.server, 'SELECT @@server_id')[0][0]
    query(replica.server, 'SET GLOBAL server_id = %s', server_id)
    _refused(repl, source, replica, 'same_server_id')


class OlderVersionReplica(CountingService):
    """A real replica whose version query answers an older release.

    MariaDB 10.11 is the only version installable here, so the version
    string is the one thing not real; everything the refusal must leave
    untouched is on the real server.
    """

    def execute_sql(self, sql_statement, use_flush=False):
        result = super().execute_sql(sql_statement, use_flush)
        if sql_statement.startswith('SHOW GLOBAL VARIABLES'):
            rows = [(k, '10.4.34-MariaDB' if k == 'version' else v)
                    for k, v in result.fetchall()]
            return service.Result(result.keys(), rows)
        return result


def test_refused_replica_older_than_source(sandbox_factory):
    box = sandbox_factory(replicas=1)
    source = CountingService(box.source)
    replica = OlderVersionReplica(box.replicas[0])
    repl = strategy.AutoReplication()
    repl.enable_as_master(source, None)
    _refused(repl, source, replica, 'replica_older')


AWKWARD = [
    ("r'q\"b\\s;c", "p'w\"d\\x;:name :: %s %(x)s ünï 密码"),
    ('repl:user', 'pw:bind\\:x\'--'),
]


@pytest.mark.parametrize('name,password', AWKWARD)
def test_awkward_user_and_password_through_trove_text_path(
        sandbox_factory, name, password):
    """Quotes, backslashes, ; :name and non-ASCII survive text()."""
    box = sandbox_factory(replicas=1)
    source, replica = (TroveLikeService(s) for s in box.servers())
    repl = strategy.MariaDBGTIDReplication()
    repl.enable_as_master(source, None)
    d = _dialect(source)
    for stmt in d.create_replication_user(name, password):
        source.execute_sql(stmt.sql)
    assert query(source.server, 'SELECT COUNT(*) FROM mysql.user WHERE '
                 'user = %s', name)[0][0] == 1
    make_table(source.server, 4)
    info = {'master': {'host': '127.0.0.1', 'port': box.source.port},
            'replica_conf': {'log_position': {},
                             'replication_user': {'name': name,
                                                  'password': password}}}
    repl.enable_as_slave(replica, info, None)
    status = inspect.read_replica_status(replica, _dialect(replica))
    assert status.source_user == name
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


@pytest.mark.parametrize('mode_name', ['binlog', 'mariadb_gtid'])
@pytest.mark.parametrize('role', rendering.ROLES)
def test_rendered_config_starts_server(sandbox_factory, mode_name, role):
    box = sandbox_factory(replicas=0)
    svc = CountingService(box.source)
    version, caps = inspect.read_version(svc)
    from trove_gtid_strategy import modes
    rendered = rendering.ConfigRenderer().render(
        role, caps, modes.Mode(mode_name), server_id=4242)
    svc.write_replication_replica_overrides(rendered.text)
    svc.restart()
    variables = inspect.read_variables(svc, (
        'server_id', 'log_bin', 'sync_binlog', 'relay_log_recovery',
        'innodb_flush_log_at_trx_commit', 'read_only', 'gtid_strict_mode',
        'log_slave_updates', 'binlog_format'))
    assert variables['server_id'] == '4242'
    for name in ('log_bin', 'relay_log_recovery', 'log_slave_updates'):
        assert variables[name] == 'ON'
    assert variables['sync_binlog'] == '1'
    assert variables['innodb_flush_log_at_trx_commit'] == '1'
    assert variables['binlog_format'] == 'ROW'
    assert variables['read_only'] == ('ON' if role == 'replica' else 'OFF')
    assert variables['gtid_strict_mode'] == (
        'ON' if mode_name == 'mariadb_gtid' else 'OFF')
