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

"""The replication strategies Trove's guest agent loads.

An operator points Trove at one class, usually :class:`AutoReplication`::

    trove-manage datastore_version_update ... \\
        --repl-strategy trove_gtid_strategy.strategy.AutoReplication

Trove builds it with no arguments and calls the methods below with its own
``service`` (MySqlApp / MariaDBApp) and ``adm`` objects; outside Trove the
same classes run on :mod:`trove_gtid_strategy.guest.service`.

This is Trove's door and nothing else: its dicts are read and written by
:mod:`trove_gtid_strategy.trove_contract`, and the work is done by the
typed verbs of :class:`~trove_gtid_strategy.replication.Replication`,
which the command line's operations call directly.
"""

from oslo_config import cfg
from oslo_log import log as logging

from trove_gtid_strategy import errcodes
from trove_gtid_strategy import exceptions
from trove_gtid_strategy.guest import replication_accounts
from trove_gtid_strategy import opts
from trove_gtid_strategy import replication
from trove_gtid_strategy import seeding
from trove_gtid_strategy import trove_contract

CONF = cfg.CONF
opts.register_opts(CONF)
LOG = logging.getLogger(__name__)

# Where Trove's backup containers see the database (the same mapping
# Trove's own MySQL strategies pass to service.create_backup).
_BACKUP_VOLUMES = {
    '/var/lib/mysql': {'bind': '/var/lib/mysql', 'mode': 'rw'},
    '/var/run/mysqld': {'bind': '/var/run/mysqld', 'mode': 'ro'},
    '/tmp': {'bind': '/tmp', 'mode': 'rw'},
}


def _position_dict(start, promoted_from=None, source_schemas=None):
    if start is None:
        return {}
    return trove_contract.position_dict(
        start.log_file, start.log_pos, start.gtid_set, start.mariadb_pos,
        promoted_from=promoted_from, source_schemas=source_schemas)


class ReplicationStrategy(replication.Replication):
    """Trove's replication interface, for MySQL, Percona and MariaDB.

    Subclasses pin the mode (``requested_mode``) or the flavor family;
    :class:`AutoReplication` takes the mode from the
    ``[trove_gtid_strategy] replication_mode`` option. Every constructor
    argument is optional, as Trove builds the class with none (the
    options are then Trove's guest ``CONF``).
    """

    def __init__(self, conf=None, renderer=None, progress=None,
                 probe=None):
        super().__init__(conf or CONF, renderer, progress, probe)
        #: The last attach's plan (for reports).
        self.last_plan = None

    def current_position(self, service, attempt=None):
        """The server's position as ``replica_conf['log_position']``:
        binlog coordinates with the GTIDs executed exactly there.
        """
        return _position_dict(self.position(service, attempt))

    # -- Trove's interface -----------------------------------------------
    def get_master_ref(self, service, snapshot_info):
        """Where replicas reach this source: ``{'host', 'port'}``."""
        host, port = self.address(service)
        return {'host': host, 'port': port}

    def backup_required_for_replication(self):
        return True

    def snapshot_for_replication(self, context, service, adm, location,
                                 snapshot_info):
        """Back up the source for a new replica and create its account.

        The backup tool records the exact start point inside the backup
        (``xtrabackup_binlog_info`` / ``mariadb_backup_binlog_info``); the
        position returned in ``log_position`` is the source's position
        after the backup, for information only, never used as a seed.
        """
        attempt = self.attempt(service)
        if not attempt.state.log_bin:
            raise exceptions.ReplicationError(
                'cannot snapshot %s for replication: it writes no binary '
                'log; enable it as a source first' % attempt.state.version)
        if snapshot_info.get('storage_driver') not in ('cinder',):
            self._report('Creating backup %s for replication',
                         snapshot_info.get('id'))
            service.create_backup(context, snapshot_info,
                                  volumes_mapping=_BACKUP_VOLUMES)
        position = self.current_position(service, attempt)
        # Named after the snapshot: the replicas built from it share the
        # account, and a retried snapshot reuses it.
        account = self.create_account(service, attempt,
                                      identity=snapshot_info.get('id'))
        return snapshot_info['id'], {'log_position': position,
                                     'replication_user':
                                     account.as_trove_user()}

    def enable_as_master(self, service, master_config):
        """Make the server a replication source; idempotent."""
        self.enable_source(service, master_config)

    def enable_as_slave(self, service, master_info, slave_config):
        """Attach this server as a replica of ``master_info['master']``.

        With ``master_info['dataset']`` the replica was restored from a
        backup and starts at the backup's recorded point; without it an
        existing replica is re-pointed, as its mode's driver allows.
        Everything is decided first; a refusal changes nothing.
        """
        caps = self.attempt(service).caps
        request = trove_contract.read_master_info(master_info, caps)
        self.last_plan = self.attach(service, request, slave_config).plan

    def detach_slave(self, service, for_failover):
        """Stop replicating and forget the source; safe to call twice.

        Returns ``{'replication_user': name}``. The account is dropped on
        this server unless the detach is part of a failover; the caller
        drops it on the source with
        :meth:`cleanup_source_on_replica_detach`.
        """
        return {'replication_user':
                self.detach(service, for_failover).replication_user}

    def get_replica_context(self, service, adm):
        """What an existing replica needs to re-point to this server:
        :meth:`source_context` as Trove's dict.
        """
        request = self.source_context(service).request
        return trove_contract.replica_context(
            {'host': request.source.host, 'port': request.source.port},
            _position_dict(request.position, request.promoted_from,
                           request.source_schemas),
            {'name': request.source.user,
             'password': request.source.password})

    def cleanup_source_on_replica_detach(self, admin_service, replica_info):
        """Drop the detached replica's user on the source; safe twice.

        With ``DROP USER IF EXISTS`` where the server has it: the detached
        replica dropped its copy already, and if it is attached again it
        replays this drop, which must not stop it (Trove's own
        ``delete_user_by_name`` sends a plain ``DROP USER``). The admin
        object's service (Trove's ``mysql_app``, our ``service``) runs it;
        an admin object without one is asked to delete the user.
        """
        name = (replica_info or {}).get('replication_user')
        if not name:
            return
        app = (getattr(admin_service, 'mysql_app', None)
               or getattr(admin_service, 'service', None))
        try:
            if app is not None and hasattr(app, 'execute_sql'):
                replication_accounts.drop_account(app, name)
            else:
                admin_service.delete_user_by_name(name)
        except Exception as exc:
            if errcodes.error_number(exc) != errcodes.ER_CANNOT_USER:
                raise
            LOG.info('Replication user %s was already gone', name)

    def demote_master(self, service):
        """Stop being a source: remove the source settings; safe twice."""
        self.demote_source(service)

    # -- beyond Trove ----------------------------------------------------
    def wait_until_applied(self, service, position, timeout=None, name=None):
        """Wait until the replica applied ``position``, a dict as in
        ``replica_conf['log_position']`` (GTIDs when present, else the
        source's file and position).
        """
        start = seeding.from_dataset(position, 'position to wait for')
        if start is None:
            raise exceptions.InvalidInput('no position to wait for: %r'
                                          % (position,))
        self.wait_until_at(service, start, timeout, name)


class AutoReplication(ReplicationStrategy):
    """The drop-in: mode from ``[trove_gtid_strategy] replication_mode``
    (default ``auto``), flavor from the server.
    """


class MysqlBinlogReplication(ReplicationStrategy):
    """Binary log file and position, on every MySQL, Percona and MariaDB
    version (MySQL 5.5 has nothing else).
    """

    requested_mode = 'binlog'


class MysqlGTIDReplication(ReplicationStrategy):
    """MySQL / Percona GTIDs with auto-positioning (5.6.10+)."""

    requested_mode = 'gtid'
    flavor_family = 'mysql'


class MariaDBGTIDReplication(ReplicationStrategy):
    """MariaDB GTIDs (``MASTER_USE_GTID = slave_pos``, 10.0.10+)."""

    requested_mode = 'gtid'
    flavor_family = 'mariadb'


__all__ = ['AutoReplication', 'MysqlBinlogReplication',
           'MysqlGTIDReplication', 'MariaDBGTIDReplication',
           'ReplicationStrategy']
