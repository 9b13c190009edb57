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

"""Trove's taskmanager with our promote and eject decisions
(``taskmanager_manager = trove_gtid_strategy.trove.taskmanager.Manager``).

Trove's own flows run; two of their decisions are ours:

* **eject** chooses the new source with
  :func:`~trove_gtid_strategy.decisions.election.elect` (the choice
  ``trove-gtid failover`` makes) from each replica's whole state, which
  our guest manager carries in ``get_last_txn``'s answer; no replica
  holding the lost source's whole lineage without errant transactions,
  or a guest that cannot say: refused before anything changes, the
  error naming every replica's set, what it lacks and its errant
  transactions, and carrying the election as JSON.
* **promote** first checks the candidate for transactions the source
  never executed (they would spread everywhere), then fences the source
  and waits, bounded, for the candidate; if it does not catch up the
  source is unfenced and the promotion fails with what is missing, every
  server as it was. Then Trove's own promotion runs (its fence and wait
  find nothing left to do).

Only guest calls Trove 26 has are used.
"""

import json

from oslo_log import log as logging
from trove.common import exception
from trove.common.notification import EndNotification
from trove.instance.tasks import InstanceTasks
from trove.taskmanager import manager as trove_manager

from trove_gtid_strategy.decisions import election
from trove_gtid_strategy.decisions import handover
from trove_gtid_strategy import exceptions

LOG = logging.getLogger(__name__)


def holdings_of(old_master, answers):
    """The :class:`~trove_gtid_strategy.decisions.election.Holding` of
    each replica from ``[instance, *get_last_txn()]`` rows; a replica
    whose guest gave no facts, or that replicates from nobody or from
    another source than the others, is refused by name.
    """
    holdings, sources = [], {}
    for instance, *answer in answers:
        facts = answer[2] if len(answer) > 2 else None
        if not isinstance(facts, dict) or 'holding' not in facts:
            raise exception.TroveError(
                'replica %s did not report its whole state: its guest '
                'does not run trove_gtid_strategy.trove.guest (set '
                'datastore_registry_ext for its datastore)' % instance.id)
        if not facts.get('replicating'):
            raise exception.TroveError(
                'instance %s is not a replica of %s: it replicates from '
                'nobody' % (instance.id, old_master.id))
        sources.setdefault(facts.get('source'), []).append(instance.id)
        try:
            holdings.append(election.Holding.from_dict(
                dict(facts['holding'], name=instance.id)))
        except exceptions.InvalidInput as exc:
            raise exception.TroveError('replica %s: %s' % (instance.id, exc))
    if len(sources) > 1:
        raise exception.TroveError(
            'replicas of %s do not all replicate from one source: %s'
            % (old_master.id, '; '.join(
                '%s from %s' % (', '.join(ids), source)
                for source, ids in sorted(sources.items(), key=str))))
    return holdings


class Manager(trove_manager.Manager):
    """Trove's taskmanager Manager; promote and eject decide as
    ``trove-gtid`` does.
    """

    def _most_current_replica(self, old_master, replica_models):
        holdings = holdings_of(old_master,
                               self._get_replica_txns(replica_models))
        seen = election.still_receiving(holdings)
        if seen:
            raise exception.TroveError(
                'eject-replica-source %s: refusing to choose a new source: '
                'replica %s still receives from it, so it is not lost, only '
                'out of reach of the taskmanager; nothing changed'
                % (old_master.id, ', '.join(seen)))
        try:
            chosen = election.elect(holdings)
        except exceptions.InvalidInput as exc:
            raise exception.TroveError('eject-replica-source %s: %s'
                                       % (old_master.id, exc))
        if not chosen.ok:
            raise exception.TroveError(
                'eject-replica-source %s: refusing to choose a new source: '
                '%s; election: %s' % (old_master.id, chosen.describe(),
                                      json.dumps(chosen.to_dict(),
                                                 sort_keys=True)))
        LOG.info('eject-replica-source %s: %s holds the lost source\'s '
                 'whole lineage: %s', old_master.id, chosen.candidate,
                 json.dumps(chosen.to_dict(), sort_keys=True))
        return [r for r in replica_models if r.id == chosen.candidate][0]

    def promote_to_replica_source(self, context, instance_id):
        try:
            self._hand_over(context, instance_id)
        except Exception:
            with EndNotification(context):
                raise
        super().promote_to_replica_source(context, instance_id)

    def _hand_over(self, context, instance_id):
        """Check, fence and wait before Trove's promotion; on a refusal
        or a timeout everything is as it was and the candidate's task
        status says the promotion failed.
        """
        load = trove_manager.BuiltInstanceTasks.load
        candidate = load(context, instance_id)
        if not candidate.slave_of_id:
            raise exception.TroveError('instance %s is not a replica'
                                       % instance_id)
        old_master = load(context, candidate.slave_of_id)
        others = [load(context, info.id) for info in old_master.slaves
                  if info.id != instance_id]
        try:
            # The candidate first: read after it, the live source holds
            # all the candidate applied from it, so only errant is left.
            candidate_txn = candidate.get_latest_txn_id()
            errant = handover.errant_on_candidate(
                candidate_txn, old_master.get_latest_txn_id())
            if errant:
                raise exception.TroveError(
                    'promote-to-replica-source %s: it executed transactions '
                    'its source %s never did (%s): promoted, it would send '
                    'them to every replica; remove them first (trove-gtid '
                    'repair-errant) or rebuild the replica'
                    % (instance_id, old_master.id, errant))
            old_master.make_read_only(True)
            try:
                candidate.wait_for_txn(old_master.get_latest_txn_id())
            except Exception as exc:
                old_master.make_read_only(False)
                raise exception.TroveError(
                    'promote-to-replica-source %s: %s; the source %s is '
                    'writable again and nothing else changed'
                    % (instance_id, exc, old_master.id))
        except Exception:
            self._set_task_status([old_master] + others, InstanceTasks.NONE)
            self._set_task_status([candidate],
                                  InstanceTasks.PROMOTION_ERROR)
            raise
