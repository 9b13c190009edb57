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

"""Trove's MySQL and MariaDB guest managers, with the replication calls
of its taskmanager's promote and eject decided as ``trove-gtid`` decides
them. Registered with ``datastore_registry_ext``; every other method is
Trove's, unchanged.

* ``make_read_only(True)`` fences as ``switchover`` does: MySQL's
  ``super_read_only``; on MariaDB, ``read_only`` plus locked (and marked)
  accounts that write through it, their sessions ended. ``False`` lifts
  exactly what a fence locked.
* ``get_latest_txn_id`` answers the whole executed state
  (:mod:`~trove_gtid_strategy.decisions.handover`): every GTID, every
  MariaDB domain, or binary log coordinates without GTIDs.
* ``wait_for_txn`` is bounded (``[trove_gtid_strategy] txn_wait_timeout``)
  and fails naming what the candidate still lacks.
* ``get_last_txn`` applies the relay log first (bounded by
  ``drain_timeout``) and answers Trove's ``(source, number)`` followed by
  everything the election needs (the taskmanager extension reads it;
  Trove's own taskmanager reads the first two and ranks by the number,
  here how many transactions the replica holds).
* ``demote_replication_master``, the promotion's last call on the old
  source, also unlocks what its fence locked.
"""

from oslo_config import cfg
from oslo_log import log as logging
from trove.guestagent.datastore.mariadb import manager as mariadb_manager
from trove.guestagent.datastore.mysql import manager as mysql_manager

from trove_gtid_strategy import accounts
from trove_gtid_strategy.decisions import election
from trove_gtid_strategy.decisions import handover
from trove_gtid_strategy import exceptions
from trove_gtid_strategy import gtid as gtid_sets
from trove_gtid_strategy.guest import drain
from trove_gtid_strategy.guest import fence
from trove_gtid_strategy.guest import replication_accounts
from trove_gtid_strategy.guest import server_state
from trove_gtid_strategy.guest import statements
from trove_gtid_strategy.guest import waits
from trove_gtid_strategy import opts
from trove_gtid_strategy import seeding
from trove_gtid_strategy import trove_contract

CONF = cfg.CONF
opts.register_opts(CONF)
LOG = logging.getLogger(__name__)


def _name():
    return 'instance %s' % CONF.guest_id


def _options():
    return getattr(CONF, opts.GROUP)


def _start_point(target):
    """A :class:`~trove_gtid_strategy.seeding.StartPoint` to wait for."""
    origin = 'what the fenced source executed'
    if isinstance(target, gtid_sets.GtidSet):
        return seeding.StartPoint(origin, gtid_set=target)
    if isinstance(target, gtid_sets.MariaDBGtidPosition):
        return seeding.StartPoint(origin, mariadb_pos=target)
    return seeding.StartPoint(origin, log_file=target[0], log_pos=target[1])


def _applied(state, target):
    """What the replica in ``state`` applied, in ``target``'s terms."""
    if isinstance(target, tuple):
        status = state.replica
        return tuple(status.exec_coordinates) if status is not None \
            else ('', 0)
    return handover.executed(state)


def _rank(holding):
    """How much a replica holds, as one number (Trove's own taskmanager
    sorts replicas by the second value of ``get_last_txn``).
    """
    received = holding.received
    if isinstance(received, gtid_sets.GtidSet):
        return received.count()
    if isinstance(received, gtid_sets.MariaDBGtidPosition):
        return sum(g.seq_no for g in received)
    return holding.coords[1] if holding.coords else 0


class ReplicationCalls:
    """The guest side of Trove's promote and eject (mixed into Trove's
    managers, whose ``app`` is the database).
    """

    def make_read_only(self, context, read_only):
        LOG.info('%s: %s', _name(), 'fencing' if read_only
                 else 'lifting the fence')
        if read_only:
            fence.fence(self.app, LOG.info)
            return
        fence.lift_locks(self.app, LOG.info)
        for stmt in server_state.dialect_of(self.app).unfence():
            statements.run(self.app, stmt)

    def get_replication_snapshot(self, context, snapshot_info,
                                 replica_source_config=None):
        snapshot = super().get_replication_snapshot(
            context, snapshot_info, replica_source_config)
        # Trove adds ssl_mode and the certificates when this server's TLS
        # is on: the new replica then connects encrypted (as
        # trove_contract.read_tls reads the same keys), so its account
        # requires it, and its password alone reads no binary log over
        # plaintext.
        requirement = accounts.tls_requirement(
            trove_contract.read_tls(snapshot))
        user = ((snapshot.get('replica_conf') or {}).get(
            'replication_user') or {}).get('name')
        if user and requirement != accounts.REQUIRE_NONE:
            LOG.info('%s: the replication account %s requires %s',
                     _name(), user, requirement)
            replication_accounts.require(self.app, user, requirement)
        return snapshot

    def get_latest_txn_id(self, context):
        return handover.executed_text(server_state.read_state(self.app))

    def wait_for_txn(self, context, txn):
        target = handover.parse_executed(txn)
        timeout = _options().txn_wait_timeout
        try:
            waits.until_applied(self.app, _name(), _start_point(target),
                                timeout, LOG.debug)
        except exceptions.ReplicationError as exc:
            lacks = handover.lacking(
                _applied(server_state.read_state(self.app), target), target)
            if not lacks:
                return
            raise exceptions.ReplicationError(
                '%s did not apply what the source executed within %ds: it '
                'lacks %s (%s)' % (_name(), timeout, lacks, exc))

    def get_last_txn(self, context):
        state = server_state.read_state(self.app)
        if state.replica is not None:
            options = _options()
            # A source this replica still receives from is not lost: the
            # answer says so (the taskmanager then refuses) once the I/O
            # thread kept receiving for the drain's bound.
            waits.until_source_lost(self.app, _name(), options.drain_timeout,
                                    options.poll_interval, LOG.info)
            state = drain.drained_state(self.app, _name(),
                                        options.drain_timeout,
                                        options.poll_interval, LOG.info)
        holding = election.holding_of(CONF.guest_id, state)
        status = state.replica
        source = ('%s:%s' % (status.source_host, status.source_port)
                  if status is not None else None)
        return [source, _rank(holding),
                {'holding': holding.to_dict(),
                 'replicating': status is not None, 'source': source}]

    def demote_replication_master(self, context):
        # The last call a promotion makes on the old source, now a
        # replica of the new one: what its fence locked is unlocked,
        # first, as the demotion may restart the server and whatever
        # waits for it to come back may log in with a fenced account.
        fence.lift_locks(self.app, LOG.info)
        super().demote_replication_master(context)


class MySqlManager(ReplicationCalls, mysql_manager.Manager):
    """Trove's MySQL guest manager with :class:`ReplicationCalls`."""


class MariaDBManager(ReplicationCalls, mariadb_manager.Manager):
    """Trove's MariaDB guest manager with :class:`ReplicationCalls`."""
