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

"""Trove 26.0.0's own taskmanager flows, in one process, on sandbox servers.

:func:`deployment` makes the servers of a sandbox Trove instances, and
runs Trove's taskmanager ``Manager`` (``promote_to_replica_source``,
``eject_replica_source``, ``detach_replica``) on them. Trove's code runs
unmodified from the taskmanager down to the servers: its ``Manager``, its
``BuiltInstanceTasks`` methods (``detach_replica``, ``attach_replica``,
``enable_as_master`` with its rendered templates, the transaction
methods), its ``DBInstance`` rows (``update_db``, ``slaves``, ``save``,
task statuses), its guest ``API`` (``_call`` and its error handling), its
notifications, its guest managers, strategies and App classes
(trove_support.trove_app). Only what needs a cloud is replaced:

* the database under the rows: ``CONF.db_api_implementation`` names
  :class:`MemoryDB` (Trove's ``save``, ``find_by`` and ``list``, over
  rows in memory, each read a fresh copy as from a database);
* ``BuiltInstanceTasks.load`` (Nova, Neutron and the service status
  table): the instance is built from its row as ``load_instance`` does,
  its datastore version a plain object;
* Nova's flavors (``nova_client.flavors.get``);
* the message bus: the guest ``API``'s ``get_client`` (the one method
  reaching for the transport) returns :class:`_LocalClient`, which does
  what oslo.messaging does around a call: Trove's context and entity
  serializers, a JSON round trip of the arguments and of the result
  (tuples arrive as lists), the call on the guest manager with the
  arguments Trove's ``api.py`` names, and an exception turned into what
  the caller receives (oslo.messaging's own ``serialize_remote_exception``
  and ``deserialize_remote_exception`` with Trove's allowed modules: a
  ``trove.common.exception`` or builtin one rebuilt, anything else a
  ``RemoteError``; Trove's ``_call`` then raises ``GuestError``);
* the notifier (``trove.rpc.get_notifier``): events are recorded;
* the guest's status: Trove's ``BaseDbStatus``, its marker files in the
  work directory and the database's state read from the server (not
  Docker); its heartbeats reach Trove's conductor ``Manager`` in-process
  (:class:`_ConductorClient`), which stores them in the service status
  rows; each status is recorded.

One process plays every guest: around each call, the per-guest options
(``guest_id``, the data volume ``mount_point``) are set to the called
guest's, and the templates' data directory (``/var/lib/mysql/data`` in
Trove's container) is mapped to the server's, as the container's volume
is. The guest managers are built without Docker: ``__new__`` and
``MySqlManager.__init__`` with Trove's App on the server, as their own
constructors do with a Docker client. The strategy is the one Trove's
guest loads from the ``guest_info.conf`` its taskmanager writes
(trove_support.write_guest_info / load_guest).

Trove's create of a replica (:meth:`Deployment.create_replica`, ``trove
create --replica_of``) runs its taskmanager ``create_instance`` unmodified
down to the guest (``_create_replication_slave``,
``get_replication_master_snapshot`` with its ``DBBackup`` row,
``get_replication_snapshot`` in ``run_with_quotas``, the new instance's
``create_instance``, ``_prepare_networks_for_instance``,
``get_injected_files``, ``_create_server_volume``, ``_build_volume``,
``_render_config``, ``_guest_prepare``, ``wait_for_instance`` with
``_service_is_active``, the snapshot's ``BackupTasks.delete_backup``);
the guest's ``prepare`` (Trove's ``_prepare``, ``perform_restore``,
``attach_replica``), its status (Trove's ``BaseDbStatus``) and the
conductor (Trove's ``heartbeat``, ``update_backup``, ``notify_end``, its
``LastSeen`` rows) too. Replaced besides the above: the new instance's
security group, Cinder volume and Nova server (``_create_secgroup``,
``_create_volume``, ``_create_server``: the sandbox server exists),
``FreshInstanceTasks.load`` (as ``BuiltInstanceTasks.load``), Nova's
server groups, the Swift client (its URL), the three ``Backup`` class
methods that run SQLAlchemy queries (``get_last_completed``,
``running``, ``delete``'s children; ``delete`` otherwise as Trove's),
the object store's deletion of the dump, the guest's
``_create_guest_queue`` (an RPC server), the conductor's transport, the
container steps of the guest's ``do_prepare`` (:func:`_sandbox_do_prepare`)
and the backup container (trove_support's dump, with the conductor
reports of Trove's ``BaseDbApp.create_backup``). Casts return once sent.

The servers start as if restored from one backup: Trove's guests each
make their own ``os_admin`` at prepare; that is not replicated history,
so MySQL's binary logs are reset after it (MariaDB's guests run without a
binary log until ``enable_as_master``). :meth:`Deployment.build` then
makes the first server a source and attaches the others with Trove's own
``enable_as_master`` and ``attach_replica`` (what promote and eject use);
``build(replicas=[])`` makes the source alone, the others left for
:meth:`Deployment.create_replica`.
"""

import contextlib
import copy
import os
import sys
import threading
import time
import types

import trove_support as ts

STOCK_GUEST_MANAGER = {
    'mysql': 'trove.guestagent.datastore.mysql.manager.Manager',
    'mariadb': 'trove.guestagent.datastore.mariadb.manager.Manager',
}
STOCK_TASKMANAGER = 'trove.taskmanager.manager.Manager'
STOCK_TASKS = 'trove.taskmanager.models.BuiltInstanceTasks'
TENANT = 'tenant-1'
CONTAINER_DATADIR = '/var/lib/mysql/data'
# Trove's data volume (CONF.<manager>.mount_point's default).
CONTAINER_MOUNT_POINT = '/var/lib/mysql'
# The name CONF.db_api_implementation gives the MemoryDB (sys.modules).
DB_API_MODULE = 'trove_flows_memory_db'
# A guest call left behind by an RPC timeout ends once the test lets it.
ORPHAN_JOIN_TIMEOUT = 60


def import_class(path_or_class):
    if not isinstance(path_or_class, str):
        return path_or_class
    from oslo_utils import importutils
    return importutils.import_class(path_or_class)


def class_path(cls):
    return '%s.%s' % (cls.__module__, cls.__qualname__)


class MemoryDB(object):
    """Trove's db_api (``CONF.db_api_implementation``) over rows in
    memory: what its models call here. A row is saved whole (as
    SQLAlchemy's ``merge`` does) and every read returns a fresh copy.
    """

    #: Tables whose primary key is not ``id`` (Trove's migrations).
    KEYS = {'conductor_lastseen': ('instance_id', 'method_name')}

    def __init__(self):
        self.rows = {}

    def save(self, model):
        fields = self.KEYS.get(model._table_name)
        key = (model._table_name,
               tuple(getattr(model, f) for f in fields) if fields
               else model.id)
        self.rows[key] = copy.deepcopy(
            {k: v for k, v in vars(model).items() if not k.startswith('_')})
        return model

    def _matching(self, model, conditions):
        found = []
        for (table, _), values in self.rows.items():
            if table != model._table_name:
                continue
            if all(values.get(k) == v for k, v in conditions.items()):
                obj = model.__new__(model)
                # Every column of the table, NULL unless set.
                obj.__dict__.update(dict.fromkeys(
                    getattr(model, '_data_fields', ())))
                obj.__dict__.update(copy.deepcopy(values))
                found.append(obj)
        return found

    def find_by(self, model, **conditions):
        found = self._matching(model, conditions)
        return found[0] if found else None

    def find_all(self, model, **conditions):
        return self._matching(model, conditions)

    def list(self, query_func, model, **conditions):
        return query_func(model, **conditions)

    def __getattr__(self, name):
        raise AttributeError('MemoryDB: Trove called db_api.%s, not '
                             'modelled here' % name)


def guest_status(server, guestagent_dir):
    """The guest's status object: Trove's own ``BaseDbStatus`` (its
    ``set_status`` heartbeat to the conductor, ``begin_install`` /
    ``end_install`` / ``set_ready`` with their marker files), the
    marker files in ``guestagent_dir`` (Trove's /opt/trove-guestagent)
    and the database's state read from the server (Trove asks Docker
    for the container's health). Every status set is recorded in
    ``statuses``.
    """
    from trove.guestagent.datastore import service as base
    from trove.instance import service_status

    class GuestStatus(base.BaseDbStatus):
        GUESTAGENT_DIR = guestagent_dir

        def __init__(self):
            super(GuestStatus, self).__init__(None)
            self.statuses = []

        def set_status(self, status, force=False):
            self.statuses.append(status)
            super(GuestStatus, self).set_status(status, force=force)

        def get_actual_db_status(self):
            try:
                ts.query(server, 'SELECT 1')
            except Exception:
                return service_status.ServiceStatuses.SHUTDOWN
            return service_status.ServiceStatuses.HEALTHY

    os.makedirs(guestagent_dir, exist_ok=True)
    return GuestStatus()


class _Flavors(object):
    def get(self, flavor_id):
        return types.SimpleNamespace(id=flavor_id, name='flows', ram=2048,
                                     vcpus=1, disk=10)


class _Servers(object):
    def get(self, server_id):
        return types.SimpleNamespace(id=server_id, status='ACTIVE',
                                     addresses={})


class _ServerGroups(object):
    def list(self):
        return []


class _Nova(object):
    flavors = _Flavors()
    servers = _Servers()
    server_groups = _ServerGroups()


class _Notifier(object):
    def __init__(self, events, service):
        self.events = events
        self.service = service

    def info(self, context, event_type, payload):
        self.events.append((event_type, copy.deepcopy(payload)))


class _LocalClient(object):
    """The RPC client of one guest's API: oslo.messaging's ``prepare``
    and ``call``/``cast``, delivered to the guest manager in-process.

    A call with a timeout (Trove's ``_call`` always gives one) gives up
    as oslo.messaging does: ``MessagingTimeout`` after that many seconds,
    while the guest goes on with the call (its thread is kept in
    ``deployment.orphans`` and joined at close).
    """

    def __init__(self, deployment, instance_id, timeout=None):
        self.deployment = deployment
        self.instance_id = instance_id
        self.timeout = timeout

    def prepare(self, timeout=None, **kwargs):
        return _LocalClient(self.deployment, self.instance_id, timeout)

    def can_send_version(self, version):
        return True

    def call(self, ctxt, method, **kwargs):
        if self.timeout is None:
            return self.deployment.deliver(self.instance_id, ctxt, method,
                                           kwargs)
        outcome = {}

        def deliver():
            try:
                outcome['result'] = self.deployment.deliver(
                    self.instance_id, ctxt, method, kwargs)
            except BaseException as exc:
                outcome['error'] = exc

        guest = threading.Thread(target=deliver, daemon=True,
                                 name='guest %s: %s' % (self.instance_id,
                                                        method))
        guest.start()
        guest.join(self.timeout)
        if guest.is_alive():
            import oslo_messaging
            self.deployment.orphans.append(guest)
            raise oslo_messaging.MessagingTimeout(
                'Timed out waiting for a reply to %s' % method)
        if 'error' in outcome:
            raise outcome['error']
        return outcome['result']

    def cast(self, ctxt, method, **kwargs):
        # A cast returns once sent: what the guest raised stays there
        # (recorded on its Call).
        try:
            self.deployment.deliver(self.instance_id, ctxt, method, kwargs)
        except Exception:
            pass


class _ConductorClient(object):
    """The conductor API's RPC client: each cast delivered to Trove's
    conductor ``Manager`` in-process, after a JSON round trip with
    Trove's context serializer; what it raises is recorded in
    ``deployment.conductor_errors`` (a cast's errors stay with the
    conductor).
    """

    def __init__(self, deployment):
        self.deployment = deployment

    def prepare(self, **kwargs):
        return self

    def can_send_version(self, version):
        return True

    def cast(self, ctxt, method, **kwargs):
        from oslo_serialization import jsonutils
        from trove.common.rpc import serializer as trove_serializer
        ser = trove_serializer.TroveRequestContextSerializer(None)
        wire = jsonutils.loads(jsonutils.dumps(
            {'context': ser.serialize_context(ctxt), 'args': kwargs}))
        self.deployment.conductor_calls.append((method, wire['args']))
        try:
            getattr(self.deployment.conductor, method)(
                ser.deserialize_context(wire['context']), **wire['args'])
        except Exception as exc:
            self.deployment.conductor_errors.append((method, exc))


class Call(object):
    """One guest call: instance, method, arguments as delivered, the
    result as returned or the exception the guest raised, seconds.
    """

    def __init__(self, instance_id, method, kwargs):
        self.instance_id = instance_id
        self.method = method
        self.kwargs = kwargs
        self.result = None
        self.error = None
        self.seconds = None

    def __repr__(self):
        return '<Call %s.%s %s>' % (
            self.instance_id, self.method,
            'error %r' % self.error if self.error else 'ok')


def _sandbox_do_prepare(self, context, packages, databases, memory_mb,
                        users, device_path, mount_point, backup_info,
                        config_contents, root_password, overrides,
                        cluster_config, snapshot, ds_version=None):
    """The guest's ``do_prepare`` (Trove's ``MySqlManager.do_prepare``)
    on a sandbox server that is already running: its steps that set up
    the container are left out (stop it, make the data directory and
    hand it to the database user, write ``my.cnf`` from
    ``config_contents``, reset the root password in a throwaway
    container, start it, ``secure()`` with a new ``os_admin``:
    trove_support.trove_app made its ``os_admin`` as ``secure()`` does);
    the rest is Trove's, in its order: ``perform_restore`` into the
    data directory of the data volume (its ``restore_backup`` the dump
    restore of trove_support), then, for a replica, ``attach_replica``
    with the snapshot and its ``config``.
    """
    data_dir = mount_point + '/data'
    if backup_info:
        self.perform_restore(context, data_dir, backup_info)
    if snapshot:
        # This instance is a replication slave
        self.attach_replica(context, snapshot, snapshot['config'])


class Deployment(object):
    """Trove instances on the servers of a sandbox; see the module.

    ``box``: an up sandbox (its first server the future source);
    ``line``: its server line; ``workdir``: a directory for the guests'
    volumes and configuration. ``strategy``: the class path the
    taskmanager writes in ``guest_info.conf`` (default: Trove's for the
    datastore, trove_support.TROVE_STRATEGY). ``guest_manager``: the guest
    manager class or path (default Trove's for the datastore, or a
    subclass not overriding ``__init__``); ``taskmanager``: the
    taskmanager Manager class or path (default Trove's);
    ``tasks_class``: the BuiltInstanceTasks class whose ``load`` is
    replaced (default Trove's; its subclasses inherit the replacement).
    """

    def __init__(self, box, line, workdir, strategy=None,
                 guest_manager=None, taskmanager=None, tasks_class=None):
        self.box = box
        self.line = line
        self.workdir = workdir
        self.manager = ts.manager_of(line)
        self.label = line.version()
        self.strategy_path = strategy or ts.TROVE_STRATEGY[self.manager]
        self.guest_manager_class = import_class(
            guest_manager or STOCK_GUEST_MANAGER[self.manager])
        self.taskmanager_class = import_class(
            taskmanager or STOCK_TASKMANAGER)
        self.tasks_class = import_class(tasks_class or STOCK_TASKS)
        self.servers = {server.name: server for server in box.servers()}
        self.ids = [server.name for server in box.servers()]
        self.guests = {}
        self.statuses = {}
        self.calls = []
        #: Guest calls the caller gave up on (RPC timeout), still running.
        self.orphans = []
        self.notifications = []
        #: Casts to the conductor: [(method, arguments)], and what the
        #: conductor raised: [(method, exception)].
        self.conductor_calls = []
        self.conductor_errors = []
        #: What create_replica stood in for: [(what, detail)].
        self.stand_ins = []
        #: The files Trove's taskmanager gave Nova for a new server.
        self.injected_files = {}
        self.db = MemoryDB()
        self.ds_version = types.SimpleNamespace(
            id='dsv-1', name=self.label, version=self.label,
            manager=self.manager, datastore_name=self.manager,
            datastore_id='ds-1', packages=None, registry_ext=None,
            repl_strategy=self.strategy_path)
        self._stack = contextlib.ExitStack()
        self.conf = ts.trove()

    # -- set up and tear down -------------------------------------------

    def open(self):
        try:
            self._open()
        except BaseException:
            self.close()
            raise
        return self

    def _open(self):
        from trove.instance import models as instance_models
        from trove.instance import service_status
        from trove.instance.tasks import InstanceTasks
        from trove import rpc
        conf_dir = os.path.join(self.workdir, 'conf.d')
        ts.write_guest_info(conf_dir, self.manager, self.label,
                            self.strategy_path, instance_id=self.ids[0])
        # Parsing the guest's configuration resets every override: first.
        self.strategy = ts.load_guest(conf_dir)
        self._stack.enter_context(ts.network_isolation(self.workdir))
        backups = os.path.join(self.workdir, 'backups')
        for name in self.ids:
            server = self.servers[name]
            app, adm = ts.trove_app(server, self.workdir, backups)
            app.create_backup = self._reported_backup(app.create_backup)
            self.guests[name] = self._guest_manager(name, app, adm)
            if self.line.flavor == 'mysql':
                # Its own os_admin is no transaction of the replication
                # set (a restored replica has the source's).
                ts.query(server, 'RESET BINARY LOGS AND GTIDS')
        sys.modules[DB_API_MODULE] = self.db
        self._stack.callback(sys.modules.pop, DB_API_MODULE, None)
        self.conf.set_override('db_api_implementation', DB_API_MODULE)
        self._stack.callback(self.conf.clear_override,
                             'db_api_implementation')
        for name in self.ids:
            instance_models.DBInstance(
                InstanceTasks.NONE, id=name, name=name, tenant_id=TENANT,
                flavor_id='flows-flavor', volume_size=1,
                compute_instance_id='server-' + name,
                server_status='ACTIVE', datastore_version_id=None,
                slave_of_id=None, region_id='RegionOne', created=None,
                updated=None).save()
            # Running, prepared guests (their heartbeats update this row).
            instance_models.InstanceServiceStatus(
                service_status.ServiceStatuses.HEALTHY, id='status-' + name,
                instance_id=name).save()
            self.statuses[name].set_ready()
        self._patch(self.tasks_class, 'load', classmethod(self._load))
        self._patch(rpc, 'get_notifier', self._get_notifier)
        self._patch_create()
        from trove.conductor import manager as conductor_manager
        self.conductor = conductor_manager.Manager()
        self.taskmanager = self.taskmanager_class()
        # trove_app left the last server's data volume set: outside a guest
        # call the options are the taskmanager's.
        self.conf.clear_override('mount_point', group=self.manager)

    def _patch(self, owner, name, value):
        had = name in vars(owner)
        saved = vars(owner).get(name)
        setattr(owner, name, value)

        def undo():
            if had:
                setattr(owner, name, saved)
            else:
                delattr(owner, name)
        self._stack.callback(undo)

    def close(self):
        for guest in self.orphans:
            # A guest call outlives its RPC; the test must have let it end
            # (a stuck one is a failure, not something to leave running).
            guest.join(ORPHAN_JOIN_TIMEOUT)
        stuck = [g.name for g in self.orphans if g.is_alive()]
        self._stack.close()
        if stuck:
            raise AssertionError('guest calls still running at close: %s'
                                 % ', '.join(stuck))

    def _guest_manager(self, name, app, adm):
        from trove.guestagent.datastore.mysql_common import manager as common
        cls = self.guest_manager_class
        if not issubclass(cls, common.MySqlManager):
            raise TypeError('%s is no MySqlManager' % class_path(cls))
        status = guest_status(self.servers[name], os.path.join(
            self.workdir, 'guestagent-' + name))
        app.status = status
        guest = cls.__new__(cls)
        # What the datastore's own __init__ does, its Docker client aside.
        common.MySqlManager.__init__(guest, app, status, adm)
        guest.do_prepare = types.MethodType(_sandbox_do_prepare, guest)
        self.statuses[name] = status
        return guest

    def _get_notifier(self, service=None, host=None, publisher_id=None):
        return _Notifier(self.notifications, service)

    def _reported_backup(self, create_backup):
        """The App's ``create_backup`` (trove_support's dump in place of
        Trove's backup container) with the reports Trove's
        ``BaseDbApp.create_backup`` casts to the conductor around its
        container: BUILDING, then COMPLETED with location and checksum
        (or FAILED, raising a TroveError as it does).
        """
        def reported(context, backup_info, volumes_mapping={},
                     need_dbuser=True, extra_params=''):
            from oslo_utils import timeutils
            from trove.backup.state import BackupState
            from trove.common import cfg
            from trove.common import exception
            from trove.conductor import api as conductor_api
            from trove.guestagent.common import guestagent_utils
            conductor = conductor_api.API(context)
            stats = guestagent_utils.get_filesystem_volume_stats(
                cfg.get_configuration_property('mount_point'))
            state = {'backup_id': backup_info['id'],
                     'size': stats.get('used', 0.0),
                     'state': BackupState.BUILDING,
                     'backup_type': ('incremental' if backup_info.get(
                         'parent') else 'full')}
            conductor.update_backup(
                self.conf.guest_id,
                sent=timeutils.utcnow_ts(microsecond=True), **state)
            try:
                result = create_backup(context, backup_info,
                                       volumes_mapping=volumes_mapping,
                                       need_dbuser=need_dbuser,
                                       extra_params=extra_params)
                state.update({'checksum': result['checksum'],
                              'location': result['location'],
                              'success': True,
                              'state': BackupState.COMPLETED})
            except Exception as err:
                state.update({'success': False,
                              'state': BackupState.FAILED})
                raise exception.TroveError(
                    'Failed to create backup %s, error: %s'
                    % (backup_info['id'], err))
            finally:
                conductor.update_backup(
                    self.conf.guest_id,
                    sent=timeutils.utcnow_ts(microsecond=True), **state)
            return result
        return reported

    def _patch_create(self):
        """The stand-ins Trove's create (of a replica) needs, besides
        those of the other flows; see :meth:`create_replica`.
        """
        from trove.backup import models as backup_models
        from trove.common import clients
        from trove.common import server_group
        from trove.conductor import api as conductor_api
        from trove.taskmanager import models as task_models
        deployment = self
        fresh = task_models.FreshInstanceTasks
        self._patch(fresh, 'load', classmethod(self._load))
        self._patch(server_group, 'create_nova_client',
                    lambda context, region_name=None: _Nova())
        self._patch(conductor_api.API, 'get_client',
                    lambda api, target, version_cap, serializer=None:
                    _ConductorClient(deployment))

        def create_secgroup(instance, datastore_manager, allowed_cidrs):
            deployment.stand_ins.append(('neutron security group',
                                         instance.id))
            return 'secgroup-' + instance.id

        def create_volume(instance, volume_size, volume_type,
                          datastore_manager, availability_zone,
                          snapshot_id=None):
            deployment.stand_ins.append(('cinder volume', instance.id))
            instance.update_db(volume_id='volume-' + instance.id)
            return instance._build_volume(types.SimpleNamespace(
                id='volume-' + instance.id, size=volume_size),
                datastore_manager)

        def create_server(instance, flavor_id, image_id, datastore_manager,
                          block_device_mapping_v2, availability_zone, nics,
                          files={}, scheduler_hints=None):
            deployment.stand_ins.append(('nova server', instance.id))
            deployment.injected_files[instance.id] = files
            return types.SimpleNamespace(id='server-' + instance.id)

        self._patch(fresh, '_create_secgroup', create_secgroup)
        self._patch(fresh, '_create_volume', create_volume)
        self._patch(fresh, '_create_server', create_server)
        self._patch(clients, 'swift_client',
                    lambda context, region_name=None: types.SimpleNamespace(
                        url='http://swift.flows/v1/AUTH_' + TENANT))
        self._patch(backup_models.Backup, 'get_last_completed',
                    classmethod(self._last_completed_backup))
        self._patch(backup_models.Backup, 'running',
                    classmethod(self._running_backup))
        self._patch(backup_models.Backup, 'delete',
                    classmethod(self._delete_backup))
        self._patch(task_models.BackupTasks, 'delete_files_from_swift',
                    classmethod(self._delete_backup_file))

    def _backups(self, **conditions):
        from trove.backup import models as backup_models
        return self.db.find_all(backup_models.DBBackup, **conditions)

    def _last_completed_backup(self, cls, context, instance_id,
                               include_incremental=True):
        """``Backup.get_last_completed`` (an SQLAlchemy query) over the
        rows here, with its conditions.
        """
        from trove.backup.state import BackupState
        last = None
        for backup in self._backups(instance_id=instance_id,
                                    tenant_id=context.project_id,
                                    deleted=False):
            if backup.state == BackupState.COMPLETED and (
                    include_incremental or not backup.parent_id):
                if not last or backup.updated > last.updated:
                    last = backup
        return last

    def _running_backup(self, cls, instance_id, exclude=None):
        """``Backup.running`` (an SQLAlchemy query) over the rows here."""
        from trove.backup.state import BackupState
        for backup in self._backups(instance_id=instance_id, deleted=False):
            if backup.state in BackupState.RUNNING_STATES and \
                    backup.id != exclude:
                return backup
        return None

    def _delete_backup(self, cls, context, backup_id):
        """``Backup.delete``: its children (an SQLAlchemy query) from the
        rows here, then as Trove: in quotas (Trove's
        ``run_with_quotas``), refused while running, and the cast to the
        taskmanager's ``delete_backup`` run as Trove's ``BackupTasks``
        does it (the object store's deletion a stand-in).
        """
        from trove.common import exception
        from trove.common import timeutils
        from trove.quota.quota import run_with_quotas
        from trove.taskmanager import models as task_models
        for child in self._backups(parent_id=backup_id, deleted=False):
            cls.delete(context, child.id)

        def delete_resources():
            backup = cls.get_by_id(context, backup_id)
            if backup.is_running:
                delta = (timeutils.utcnow_aware() - backup.created).days
                if delta < self.conf.running_backups_expires:
                    raise exception.UnprocessableEntity(
                        'Backup %s cannot be deleted because it is '
                        'running.' % backup_id)
            task_models.BackupTasks.delete_backup(context, backup_id)
        return run_with_quotas(context.project_id, {'backups': -1},
                               delete_resources)

    def _delete_backup_file(self, cls, context, container, filename):
        self.stand_ins.append(('swift delete', filename))
        os.unlink(os.path.join(self.workdir, 'backups', filename))

    # -- Trove's pieces ---------------------------------------------------

    def _load(self, cls, context, id, needs_server=True):
        """``BuiltInstanceTasks.load``: the instance from its row, its
        guest API and Nova client ready.
        """
        from trove.instance import models as instance_models
        db_info = instance_models.DBInstance.find_by(id=id, deleted=False)
        status = self.db.find_by(instance_models.InstanceServiceStatus,
                                 instance_id=id)
        instance = cls(context, db_info, None, status)
        instance.ds_version = self.ds_version
        instance.ds = types.SimpleNamespace(id='ds-1', name=self.manager)
        instance._guest = self.guest_api(context, id)
        instance._nova_client = _Nova()
        return instance

    def guest_api(self, context, instance_id):
        """Trove's guest API for an instance, its client in-process."""
        from trove.guestagent import api
        deployment = self

        class LocalGuestAPI(api.API):
            def get_client(self, target, version_cap, serializer=None):
                return _LocalClient(deployment, self.id)

            def _create_guest_queue(self):
                # An RPC server started and stopped to create the guest's
                # queue: the in-process client needs none.
                pass

        return LocalGuestAPI(context, instance_id)

    def deliver(self, instance_id, ctxt, method, kwargs):
        """One RPC call, as oslo.messaging carries it (see the module)."""
        from oslo_messaging._drivers import common as driver_common
        from oslo_serialization import jsonutils
        from trove.common.rpc import secure_serializer
        from trove.common.rpc import serializer as trove_serializer
        from trove import rpc
        ser = secure_serializer.SecureSerializer(
            trove_serializer.TroveRequestContextSerializer(None), None)
        wire = jsonutils.loads(jsonutils.dumps({
            'context': ser.serialize_context(ctxt),
            'method': method,
            'args': {k: ser.serialize_entity(ctxt, v)
                     for k, v in kwargs.items()}}))
        guest_ctxt = ser.deserialize_context(wire['context'])
        args = {k: self._mapped(instance_id, k,
                                ser.deserialize_entity(guest_ctxt, v))
                for k, v in wire['args'].items()}
        call = Call(instance_id, method, args)
        self.calls.append(call)
        guest = self.guests[instance_id]
        started = time.monotonic()
        failure = None
        with self.as_guest(instance_id):
            try:
                result = getattr(guest, wire['method'])(guest_ctxt, **args)
            except Exception as exc:
                call.error = exc
                failure = driver_common.serialize_remote_exception(
                    sys.exc_info())
            finally:
                call.seconds = time.monotonic() - started
        if failure is not None:
            raise driver_common.deserialize_remote_exception(
                failure, rpc.get_allowed_exmods()) from None
        reply = jsonutils.loads(jsonutils.dumps(
            ser.serialize_entity(guest_ctxt, result)))
        call.result = ser.deserialize_entity(ctxt, reply)
        return call.result

    def _mapped(self, instance_id, name, value):
        datadir = self.servers[instance_id].datadir
        if name in ('slave_config', 'replica_source_config',
                    'config_contents') and isinstance(value, str):
            return value.replace(CONTAINER_DATADIR, datadir)
        if name == 'mount_point' and value == CONTAINER_MOUNT_POINT:
            # The data volume: its data directory is the server's.
            return os.path.dirname(datadir)
        if name == 'snapshot' and isinstance(value, dict) and \
                isinstance(value.get('config'), str):
            value['config'] = value['config'].replace(CONTAINER_DATADIR,
                                                      datadir)
        return value

    def mount_point(self, instance_id):
        # trove_support.trove_app's volume for the server.
        return os.path.join(self.workdir, 'volume-' + instance_id)

    @contextlib.contextmanager
    def as_guest(self, instance_id):
        """The options that differ per guest, set to this guest's."""
        self.conf.set_override('datastore_manager', self.manager)
        self.conf.set_override('mount_point', self.mount_point(instance_id),
                               group=self.manager)
        try:
            with ts.guest(instance_id):
                yield
        finally:
            # The taskmanager has Trove's own (CONTAINER_MOUNT_POINT).
            self.conf.clear_override('mount_point', group=self.manager)

    # -- what a test does -------------------------------------------------

    def context(self, notification=None, **payload):
        """A request context as the taskmanager receives it, with Trove's
        notification ``notification`` (a class of
        trove.common.notification, routed to the taskmanager).
        """
        from trove.common.context import TroveContext
        ctxt = TroveContext(user_id='user-1', project_id=TENANT)
        if notification is not None:
            ctxt.notification = notification(
                ctxt, request_id=ctxt.request_id, server_type='taskmanager',
                tenant_id=TENANT, client_ip='127.0.0.1',
                server_ip='127.0.0.1', **payload)
        return ctxt

    def load(self, instance_id, context=None):
        return self.tasks_class.load(context or self.context(),
                                     instance_id)

    def row(self, instance_id):
        """The instance's row, as now stored."""
        from trove.instance import models as instance_models
        return instance_models.DBInstance.find_by(id=instance_id,
                                                  deleted=False)

    def task_status(self, instance_id):
        return self.row(instance_id).task_status

    def slave_of(self, instance_id):
        return self.row(instance_id).slave_of_id

    def set_task_status(self, instance_ids, status):
        for instance_id in instance_ids:
            row = self.row(instance_id)
            row.task_status = status
            row.save()

    def build(self, source=None, replicas=None):
        """``source`` (default the first server) made a replication
        source and the others (or ``replicas``) attached to it, by Trove's
        ``BuiltInstanceTasks.enable_as_master`` and ``attach_replica``.
        """
        source = source or self.ids[0]
        if replicas is None:
            replicas = [i for i in self.ids if i != source]
        master = self.load(source)
        master.enable_as_master()
        for replica in replicas:
            self.load(replica).attach_replica(master)

    def create_replica(self, replica_id, source_id, name=None):
        """``trove create --replica_of source_id``: the API's part (the
        replica's row, BUILDING with ``slave_of_id``, and its service
        status NEW, as ``Instance.create`` makes them; the request's
        notification), then Trove's taskmanager ``create_instance``
        (``_create_replication_slave``: the source's snapshot, the new
        instance's ``create_instance`` whose guest ``prepare`` restores it
        and attaches the replica, ``wait_for_instance``, the snapshot's
        deletion). ``replica_id`` is a sandbox server that is no instance
        yet: not replicating, no user schema. Returns the seconds the
        taskmanager's call took.
        """
        from oslo_utils import timeutils
        from trove.common import notification
        from trove.instance import models as instance_models
        from trove.instance import service_status
        from trove.instance.tasks import InstanceTasks
        server = self.servers[replica_id]
        if ts.query(server, 'SHOW REPLICA STATUS'
                    if self.line.flavor == 'mysql'
                    else 'SHOW SLAVE STATUS'):
            raise ValueError('%s already replicates' % replica_id)
        if ts.query(server, "SELECT 1 FROM information_schema.schemata "
                            "WHERE schema_name = 'app'"):
            raise ValueError('%s is not empty (schema app)' % replica_id)
        name = name or replica_id
        flavor = {'id': 'flows-flavor', 'name': 'flows', 'ram': 2048,
                  'vcpus': 1, 'disk': 10}
        instance_models.DBInstance(
            InstanceTasks.BUILDING, id=replica_id, name=name,
            tenant_id=TENANT, flavor_id=flavor['id'], volume_size=1,
            compute_instance_id=None, server_status=None,
            datastore_version_id=None, slave_of_id=source_id,
            region_id='RegionOne', created=timeutils.utcnow(),
            updated=None).save()
        row = self.db.find_by(instance_models.InstanceServiceStatus,
                              instance_id=replica_id)
        row.set_status(service_status.ServiceStatuses.NEW)
        row.save()
        ctxt = self.context(
            notification.DBaaSInstanceCreate, name=name,
            flavor_id=flavor['id'], datastore=self.manager,
            datastore_version=self.label, image_id=None,
            availability_zone=None, region_name='RegionOne',
            replica_of=source_id, volume_size=1)
        started = time.monotonic()
        try:
            self.taskmanager.create_instance(
                ctxt, replica_id, name, flavor, None, [], [], self.manager,
                None, 1, None, None, None, [], {}, source_id, None, None,
                None, None, access=None, ds_version=self.label)
        finally:
            self.create_seconds = time.monotonic() - started
        return self.create_seconds

    def service_status(self, instance_id):
        """The guest's status as the conductor stored it."""
        from trove.instance import models as instance_models
        return self.db.find_by(instance_models.InstanceServiceStatus,
                               instance_id=instance_id).get_status()

    def backups(self, **conditions):
        """The backup rows (Trove's ``DBBackup``)."""
        return self._backups(**conditions)

    def replicas_of(self, instance_id):
        return [row.id for row in self.load(instance_id).slaves]

    def promote(self, instance_id):
        """The API's promote: the set marked PROMOTING, then Trove's
        taskmanager ``promote_to_replica_source``.
        """
        from trove.common import notification
        from trove.instance.tasks import InstanceTasks
        master = self.slave_of(instance_id)
        self.set_task_status([master] + self.replicas_of(master),
                             InstanceTasks.PROMOTING)
        ctxt = self.context(notification.DBaaSInstancePromote,
                            instance_id=instance_id)
        return self.taskmanager.promote_to_replica_source(ctxt, instance_id)

    def eject(self, instance_id):
        """The API's eject: the set marked EJECTING, then Trove's
        taskmanager ``eject_replica_source``.
        """
        from trove.common import notification
        from trove.instance.tasks import InstanceTasks
        self.set_task_status([instance_id] + self.replicas_of(instance_id),
                             InstanceTasks.EJECTING)
        ctxt = self.context(notification.DBaaSInstanceEject,
                            instance_id=instance_id)
        return self.taskmanager.eject_replica_source(ctxt, instance_id)

    def detach(self, instance_id):
        """The API's detach: the replica marked DETACHING, then Trove's
        taskmanager ``detach_replica``.
        """
        from trove.common import notification
        from trove.instance.tasks import InstanceTasks
        self.set_task_status([instance_id], InstanceTasks.DETACHING)
        ctxt = self.context(notification.DBaaSInstanceDetach,
                            instance_id=instance_id)
        return self.taskmanager.detach_replica(ctxt, instance_id)

    def errors(self):
        """The guest calls that raised: [(instance, method, exception)]."""
        return [(c.instance_id, c.method, c.error) for c in self.calls
                if c.error is not None]

    def events(self):
        return [event_type for event_type, _ in self.notifications]


@contextlib.contextmanager
def deployment(box, line, workdir, **kwargs):
    """A :class:`Deployment` (same arguments), undone after."""
    made = Deployment(box, line, workdir, **kwargs).open()
    try:
        yield made
    finally:
        made.close()
