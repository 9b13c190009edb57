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

"""Trove 26.0.0 inside the tests: its loader, its service code, our servers.

* :func:`trove` imports Trove as its guest agent does (``trove.cmd.guest``
  registers the DEFAULT options the strategies read), without eventlet's
  monkey patching (``NO_EVENTLET_MONKEYPATCH``).
* :func:`injected_files` is Trove's taskmanager writing ``guest_info.conf``
  (``BaseInstance.get_injected_files``, called as it is, with only the
  database lookups replaced); :func:`load_guest` starts the guest's
  configuration from that file (``--config-dir``, as the guest agent
  service does) and builds the strategy with Trove's ``get_instance``.
* :func:`trove_app` is Trove's own ``MySqlApp`` / ``MariaDBApp`` and
  admin class on a sandbox server: everything is Trove's code (its
  ``execute_sql`` and ``SqlClient``, its engine from its ``get_engine``
  with the admin password it saved itself, its ``ConfigurationManager``
  writing the override files, its replication, read-only and transaction
  methods) except what needs Docker or object storage: ``restart`` (the
  sandbox restarts the server), ``create_backup`` / ``restore_backup``
  (the dump-based snapshot of our adapter). A server Trove runs in a
  container is a server the sandbox runs as a process; nothing else
  differs.
* :func:`compat_service`: our adapter
  (:class:`trove_compat.TroveCompatService`, tests/trove) on a
  sandbox server.
"""

import contextlib
import json
import os
import shutil
import tempfile
import warnings

os.environ.setdefault('NO_EVENTLET_MONKEYPATCH', '1')

TROVE_STRATEGY = {
    'mysql': 'trove.guestagent.strategies.replication.mysql_gtid.'
             'MysqlGTIDReplication',
    'mariadb': 'trove.guestagent.strategies.replication.mariadb_gtid.'
               'MariaDBGTIDReplication',
}
OUR_CLASSES = (
    'trove_gtid_strategy.strategy.AutoReplication',
    'trove_gtid_strategy.strategy.MysqlBinlogReplication',
    'trove_gtid_strategy.strategy.MysqlGTIDReplication',
    'trove_gtid_strategy.strategy.MariaDBGTIDReplication',
)


def guest_conf_d(line):
    """Override files making a sandbox server of ``line`` run as Trove's
    guests do: performance_schema on (its images' default; the sandbox
    turns it off to save memory, and Trove's start_slave polls one of its
    tables), and MariaDB without a binary log until enable_as_master
    (the sandbox starts one, as for a server that may replicate).
    """
    text = '[mysqld]\nperformance_schema = ON\n'
    if line.flavor == 'mariadb':
        text += 'skip-log-bin\n'
    return {'00-trove-guest.cnf': text}


def trove():
    """Import Trove as its guest agent does; returns ``cfg.CONF``."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        import trove.cmd.guest  # noqa: F401  (registers DEFAULT options)
        from trove.common import cfg
    return cfg.CONF


def manager_of(line):
    """Trove's datastore manager for a sandbox server line."""
    return 'mysql' if line.flavor == 'mysql' else 'mariadb'


def injected_files(manager, version, repl_strategy, instance_id,
                   network_isolation=False, ssl_mode=None):
    """The files Trove's taskmanager injects into a new guest, by its own
    ``BaseInstance.get_injected_files`` (its ``datastore_registry_ext``
    and ``datastore_repl_strategy`` too); the instance and datastore
    version rows it reads from its database are plain objects here, and
    the instance has no RPC encryption key.
    """
    from types import SimpleNamespace
    conf = trove()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        from trove.instance import models
    ds_version = SimpleNamespace(manager=manager, registry_ext=None,
                                 repl_strategy=repl_strategy)
    instance = SimpleNamespace(
        id=instance_id, tenant_id='tenant-1', ds_version=ds_version,
        db_info=SimpleNamespace(ssl_mode=ssl_mode), addresses=[])
    instance.datastore_registry_ext = \
        models.BaseInstance.datastore_registry_ext.fget(instance)
    instance.datastore_repl_strategy = \
        models.BaseInstance.datastore_repl_strategy.fget(instance)
    saved = models.get_instance_encryption_key
    models.get_instance_encryption_key = lambda instance_id: None
    conf.set_override('network_isolation', network_isolation,
                      group='network')
    try:
        return models.BaseInstance.get_injected_files(instance, manager,
                                                      version)
    finally:
        models.get_instance_encryption_key = saved
        conf.clear_override('network_isolation', group='network')


def write_guest_info(conf_dir, manager, version, repl_strategy,
                     instance_id='11111111-2222-3333-4444-555555555555',
                     network_isolation=False):
    """Trove's ``guest_info.conf`` for a guest, in ``conf_dir`` (the
    guest's ``/etc/trove/conf.d``); returns its path and text.
    """
    files = injected_files(manager, version, repl_strategy, instance_id,
                           network_isolation)
    text = files['/etc/trove/conf.d/guest_info.conf']
    os.makedirs(conf_dir, exist_ok=True)
    path = os.path.join(conf_dir, 'guest_info.conf')
    with open(path, 'w') as f:
        f.write(text)
    return path, text


def load_guest(conf_dir):
    """Parse the guest's configuration as the guest agent does
    (``--config-dir /etc/trove/conf.d``) and return the strategy Trove's
    ``get_instance`` builds for ``CONF.datastore_manager`` (its cached
    instance reset first).
    """
    conf = trove()
    from trove.guestagent.strategies import replication
    conf(args=['--config-dir', conf_dir], project='trove',
         default_config_files=[])
    setattr(replication, '__replication_instance', None)
    setattr(replication, '__replication_manager', None)
    return replication.get_instance(conf.datastore_manager)


@contextlib.contextmanager
def temporary_files(parent=None):
    """Trove's temporary files in a directory of their own, removed at
    the end: Trove 26's ``operating_system._write_file_as_root`` writes
    every file through a ``NamedTemporaryFile(delete=False)`` it never
    removes (its comment says the file "gets removed automatically"),
    ``[client]`` files with passwords among them. Trove runs in this
    process, so its ``tempfile`` calls land here.
    """
    path = tempfile.mkdtemp(prefix='tg-trove-tmp-', dir=parent)
    saved = tempfile.tempdir
    tempfile.tempdir = path
    try:
        yield path
    finally:
        tempfile.tempdir = saved
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def network_isolation(directory, address='127.0.0.1'):
    """Run as a guest with network isolation whose user port has
    ``address``: ``CONF.network_isolation`` on and an ``eth1.json`` where
    both Trove's strategies and ours read it.
    """
    from trove.common import constants
    from trove_gtid_strategy.guest import addresses
    conf = trove()
    path = os.path.join(directory, 'eth1.json')
    key = 'ipv6_address' if ':' in address else 'ipv4_address'
    with open(path, 'w') as f:
        json.dump({'mac_address': 'fa:16:3e:00:00:01', key: address}, f)
    saved = constants.ETH1_CONFIG_PATH, addresses.ETH1_CONFIG_PATH
    constants.ETH1_CONFIG_PATH = addresses.ETH1_CONFIG_PATH = path
    conf.set_override('network_isolation', True)
    try:
        yield path
    finally:
        constants.ETH1_CONFIG_PATH, addresses.ETH1_CONFIG_PATH = saved
        conf.clear_override('network_isolation')


@contextlib.contextmanager
def guest(instance_id):
    """One strategy call as the guest ``instance_id`` makes it (each
    guest has its own ``guest_id``; here one process plays every guest).
    """
    conf = trove()
    conf.set_override('guest_id', instance_id)
    try:
        yield
    finally:
        conf.clear_override('guest_id')


class Restarts:
    """A restart hook for a sandbox server, counting restarts."""

    def __init__(self, server):
        self.server = server
        self.count = 0

    def __call__(self):
        self.count += 1
        self.server.restart()


def compat_service(server, backup_dir, datastore_version=None, side=None):
    """Our adapter on a sandbox server (restarts counted in
    ``service.restarts.count``).
    """
    import trove_compat
    restarts = Restarts(server)
    svc = trove_compat.TroveCompatService(
        server.dsn, conf_dir=server.conf_dir, restart=restarts,
        instance_id=server.name, side=side or server.name,
        flavor=manager_of(server.line),
        datastore_version=datastore_version, line=server.line,
        backup_dir=backup_dir)
    svc.restarts = restarts
    svc.server = server
    return svc


# -- Trove's own service code on a sandbox server ---------------------------

def _admin_password():
    """A password as Trove generates its own (``os_admin``)."""
    from trove.common import utils
    return utils.generate_random_password()


def _trove_engine(app, server, mount_point):
    """An engine built by Trove's own ``BaseMySqlApp.get_engine``: it reads
    the ``os_admin`` password Trove's ``save_password`` wrote under the
    mount point, and connects over the server's socket. Trove keeps one
    engine per process (module global ``ENGINE``); each server gets its
    own here, the global left as it was.
    """
    from trove.guestagent.datastore.mysql_common import service as common
    saved = common.ENGINE, common.CONNECTION_STR_FORMAT
    common.ENGINE = None
    # Trove's string with this server's socket; TLS off over the socket,
    # as the tests' other connections (PyMySQL 1.2 would build a TLS
    # context, loading the system's CAs, for each connection).
    common.CONNECTION_STR_FORMAT = (
        'mysql+pymysql://%s:%s@localhost/?unix_socket=' + server.socket
        + '&ssl_disabled=1')
    try:
        return common.BaseMySqlApp.get_engine(app)
    finally:
        common.ENGINE, common.CONNECTION_STR_FORMAT = saved


def trove_app(server, workdir, backup_dir):
    """Trove's own App and Admin for a sandbox server: ``(app, admin)``.

    Trove's ``secure()`` creates ``os_admin@localhost`` (its
    ``_create_admin_user``, through its ``SqlClient``) and saves the
    password with its ``save_password``; the same code runs here, as the
    sandbox's administrator. ``workdir`` plays the guest's data volume
    (Trove's ``mount_point``).
    """
    import sqlalchemy
    conf = trove()
    from trove.guestagent.common.configuration import ConfigurationManager
    from trove.guestagent.common.configuration import ImportOverrideStrategy
    from trove.guestagent.datastore.mariadb import service as mariadb
    from trove.guestagent.datastore.mysql import service as mysql
    from trove.guestagent.datastore.mysql_common import service as common
    from trove.guestagent.datastore import service as base
    from trove.guestagent.utils import mysql as mysql_util

    manager = manager_of(server.line)
    app_class, admin_class = ((mysql.MySqlApp, mysql.MySqlAdmin)
                              if manager == 'mysql'
                              else (mariadb.MariaDBApp, mariadb.MariaDBAdmin))
    mount_point = os.path.join(workdir, 'volume-' + server.name)
    os.makedirs(mount_point, exist_ok=True)
    # A guest of this datastore, its data volume here.
    conf.set_override('datastore_manager', manager)
    conf.set_override('mount_point', mount_point, group=manager)
    ours = compat_service(server, backup_dir)

    class SandboxApp(app_class):
        """Trove's App; only Docker and object storage replaced."""

        def get_engine(self):
            return self._engine

        def restart(self):
            ours.restarts()

        def create_backup(self, context, backup_info, volumes_mapping={},
                          need_dbuser=True, extra_params=''):
            return ours.create_backup(context, backup_info, volumes_mapping,
                                      need_dbuser, extra_params)

        def restore_backup(self, context, backup_info, restore_location):
            return ours.restore_backup(context, backup_info,
                                       restore_location)

    app = SandboxApp(status=None, docker_client=None)
    app.server = server
    app.restarts = ours.restarts
    app._configuration_manager = ConfigurationManager(
        server.my_cnf, 'root', 'root', base.BaseDbApp.CFG_CODEC,
        requires_root=True,
        override_strategy=ImportOverrideStrategy(server.conf_dir, 'cnf'))
    password = _admin_password()
    dsn = server.dsn
    url = sqlalchemy.engine.URL.create(
        'mysql+pymysql', username=dsn.user, password=dsn.password,
        host=dsn.host, port=dsn.port)
    admin_engine = sqlalchemy.create_engine(
        url, connect_args={'ssl_disabled': True})
    try:
        with mysql_util.SqlClient(admin_engine, use_flush=True) as client:
            app._create_admin_user(client, password)
    finally:
        admin_engine.dispose()
    app.save_password(common.ADMIN_USER_NAME, password)
    app._engine = _trove_engine(app, server, mount_point)
    return app, admin_class(app)


# -- flows ------------------------------------------------------------------

def trove_config(kind, manager, label, server, datastore_name=None):
    """Trove's rendered ``replica_source`` or ``replica`` template for a
    datastore version ``label`` (what its taskmanager hands the guest),
    with Trove's data directory (``/var/lib/mysql/data``) mapped to the
    server's.
    """
    from trove.common import template
    from types import SimpleNamespace
    cls = {'replica_source': template.ReplicaSourceConfigTemplate,
           'replica': template.ReplicaConfigTemplate}[kind]
    version = SimpleNamespace(datastore_name=datastore_name or manager,
                              manager=manager, name=label, version=label)
    text = cls(version, {'ram': 2048}, server.name).render()
    return text.replace('/var/lib/mysql/data', server.datadir)


def connect(server, **kwargs):
    from trove_gtid_strategy.guest import connection
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


def executed(server):
    """The server's executed GTIDs: MySQL ``gtid_executed``, MariaDB
    ``gtid_binlog_pos`` (a source) or ``gtid_slave_pos`` (its replicas).
    """
    if server.line.flavor == 'mysql':
        return scalar(server, 'SELECT @@global.gtid_executed')
    return scalar(server, 'SELECT @@global.gtid_binlog_pos')


def wait_caught_up(source, replica, timeout=60):
    """Block until ``replica`` applied everything ``source`` executed
    (server-side waits, no polling); AssertionError on a timeout.
    """
    target = executed(source)
    if replica.line.flavor == 'mysql':
        sql = 'SELECT WAIT_FOR_EXECUTED_GTID_SET(%s, %s)'
    else:
        sql = 'SELECT MASTER_GTID_WAIT(%s, %s)'
    result = scalar(replica, sql, target, timeout)
    assert result == 0, '%s did not apply %s within %ss' % (
        replica.name, target, timeout)


def own_transactions(server):
    """GTIDs the server wrote itself (errant on a replica): MySQL's
    ``gtid_executed`` elements of its own UUID, MariaDB's
    ``gtid_binlog_state`` entries of its own server_id (binary log on).
    """
    if server.line.flavor == 'mysql':
        uuid = scalar(server, 'SELECT @@server_uuid')
        return [part.strip() for part in executed(server).split(',')
                if part.strip().startswith(uuid)]
    server_id = str(scalar(server, 'SELECT @@server_id'))
    state = scalar(server, 'SELECT @@global.gtid_binlog_state')
    return [part for part in state.split(',')
            if part and part.split('-')[1] == server_id]


def binlog_basename(server):
    return scalar(server, 'SELECT @@log_bin_basename')


def own_transactions_in_binlog(server, basename):
    """:func:`own_transactions`, after a detach turned the binary log off
    (a MariaDB replica's GTID state lives in its binary log): restarted
    once with the binary log it had (``basename``), then as it was.
    """
    if server.line.flavor == 'mysql' or scalar(server, 'SELECT @@log_bin'):
        return own_transactions(server)
    path = os.path.join(server.conf_dir, 'zz-check-binlog.cnf')
    with open(path, 'w') as f:
        f.write('[mysqld]\nlog_bin = %s\n' % basename)
    try:
        server.restart()
        return own_transactions(server)
    finally:
        os.unlink(path)
        server.restart()


def make_data(server, rows, start=0, table='app.t'):
    conn = connect(server)
    with conn, conn.cursor() as cur:
        cur.execute('CREATE DATABASE IF NOT EXISTS app')
        cur.execute('CREATE TABLE IF NOT EXISTS %s (id INT PRIMARY KEY, '
                    'v VARCHAR(40))' % table)
        for i in range(start, start + rows):
            cur.execute('INSERT INTO ' + table + ' VALUES (%s, %s)',
                        (i, 'row %d' % i))


def fingerprint(server, table='app.t'):
    return query(server, 'SELECT COUNT(*), SUM(id) FROM %s' % table)[0]
