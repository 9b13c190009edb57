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
* the guest's status (its heartbeat to the conductor): recorded.

One process plays every guest: around each call, the per-guest options
(``guest_id``, the data volume ``mount_point``) are set to the called
guest's, and the templates' data directory (``/var/lib/mysql/data`` in
Trove's container) is mapped to the server's, as the container's volume
is. The guest managers are built without Docker: ``__new__`` and
``MySqlManager.__init__`` with Trove's App on the server, as their own
constructors do with a Docker client. The strategy is the one Trove's
guest loads from the ``guest_info.conf`` its taskmanager writes
(trove_support.write_guest_info / load_guest).

The servers start as if restored from one backup: Trove's guests each
make their own ``os_admin`` at prepare; that is not replicated history,
so MySQL's binary logs are reset after it (MariaDB's guests run without a
binary log until ``enable_as_master``). :meth:`Deployment.build` then
makes the first server a source and attaches the others with Trove's own
``enable_as_master`` and ``attach_replica`` (what promote and eject use).
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

    def __init__(self):
        self.rows = {}

    def save(self, model):
        key = (model._table_name, model.id)
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


class GuestStatus(object):
    """The guest's status object: what it would report to the
    conductor, recorded.
    """

    def __init__(self):
        self.statuses = []

    def set_status(self, status, force=False):
        self.statuses.append(status)


class _Flavors(object):
    def get(self, flavor_id):
        return types.SimpleNamespace(id=flavor_id, name='flows', ram=2048,
                                     vcpus=1, disk=10)


class _Nova(object):
    flavors = _Flavors()


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
        self.deployment.deliver(self.instance_id, ctxt, method, kwargs)


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
        self.db = MemoryDB()
        self.ds_version = types.SimpleNamespace(
            id='dsv-1', name=self.label, version=self.label,
            manager=self.manager, datastore_name=self.manager,
            datastore_id='ds-1')
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
        self._patch(self.tasks_class, 'load', classmethod(self._load))
        self._patch(rpc, 'get_notifier', self._get_notifier)
        self.taskmanager = self.taskmanager_class()

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
        status = GuestStatus()
        app.status = status
        guest = cls.__new__(cls)
        # What the datastore's own __init__ does, its Docker client aside.
        common.MySqlManager.__init__(guest, app, status, adm)
        self.statuses[name] = status
        return guest

    def _get_notifier(self, service=None, host=None, publisher_id=None):
        return _Notifier(self.notifications, service)

    # -- Trove's pieces ---------------------------------------------------

    def _load(self, cls, context, id, needs_server=True):
        """``BuiltInstanceTasks.load``: the instance from its row, its
        guest API and Nova client ready.
        """
        from trove.instance import models as instance_models
        db_info = instance_models.DBInstance.find_by(id=id, deleted=False)
        instance = cls(context, db_info, None, None)
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
        if name in ('slave_config', 'replica_source_config') and \
                isinstance(value, str):
            return value.replace(CONTAINER_DATADIR,
                                 self.servers[instance_id].datadir)
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
        with ts.guest(instance_id):
            yield

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
        replicas = replicas or [i for i in self.ids if i != source]
        master = self.load(source)
        master.enable_as_master()
        for replica in replicas:
            self.load(replica).attach_replica(master)

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
