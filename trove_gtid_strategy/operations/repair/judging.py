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

"""Errant transactions one by one: what each did, who wrote it, and
whether it may be reconciled (all or nothing: one refusal refuses the
repair). Shared by the MySQL and MariaDB plans.
"""

import dataclasses

from trove_gtid_strategy.binlog import transactions
from trove_gtid_strategy import exceptions
from trove_gtid_strategy import literals
from trove_gtid_strategy import remedies
from trove_gtid_strategy import topology

#: Decisions, for the whole repair and per transaction.
NOTHING_TO_DO = 'nothing_to_do'
REPAIR = 'repair'
REFUSED = 'refused'
RECONCILE = 'reconcile'
REFUSE = 'refuse'
#: Who wrote an errant transaction.
OWN = 'replica'
OTHER_SERVER = 'other_server'
#: The replica's own, but the replica is a former source of the source
#: (the source holds some of its transactions and it does not replicate
#: from it): writes lost in a failover.
FORMER_SOURCE = 'former_source'
#: How it is repaired.
EMPTY_ON_SOURCE = 'empty_transactions_on_source'
RESET_REPLICA_BINLOG = 'reset_replica_binlog'
#: Effect of a transaction no longer in the binary log.
UNKNOWN = 'unknown'

#: More errant transactions than this are not reconciled one by one.
MAX_ERRANT = 10000

RESEED = ('re-seed the replica from a backup of the source (restore it, '
          'then attach with it as the seed: trove-gtid attach '
          '--seed-from)')


@dataclasses.dataclass
class ErrantTransaction:
    """One errant transaction, what it did and what is decided for it."""

    gtid: str
    #: :data:`OWN`, :data:`OTHER_SERVER` or :data:`FORMER_SOURCE`.
    origin: str
    #: The replica's binary log holding it (``''`` when in none).
    log_name: str
    #: ``empty``, ``no_data``, ``drops_if_exists``, ``data`` or
    #: ``unknown`` (not in the binary log).
    effect: str
    #: :data:`RECONCILE` or :data:`REFUSE`, and why.
    decision: str = ''
    reason: str = ''
    #: :meth:`Transaction.to_dict`, when it was found.
    transaction: dict | None = None

    def to_dict(self):
        return dataclasses.asdict(self)


@dataclasses.dataclass
class RepairResult:
    """What repair-errant found, decided and did (or would do)."""

    source: str
    replica: str
    flavor: str
    #: The errant transactions as the attach check reports them.
    errant: str
    decision: str
    method: str
    transactions: list
    #: ``{'server': 'source' | 'replica', 'sql': ...}``, in order.
    statements: list
    dry_run: bool = False
    accept_divergence: bool = False
    applied: bool = False
    remedy: str = ''
    #: The attach check's verdict afterwards (when applied).
    verdict_after: str = ''
    notes: list = dataclasses.field(default_factory=list)

    def to_dict(self):
        return dataclasses.asdict(self)

    def describe(self):
        if self.decision == NOTHING_TO_DO:
            return '%s has no errant transactions against %s' % (
                self.replica, self.source)
        head = '%s: %d errant transaction(s) (%s): %s' % (
            self.replica, len(self.transactions), self.errant,
            self.decision)
        if self.remedy:
            head += '; %s' % self.remedy
        return head


class RepairRefused(exceptions.PrecheckFailed):
    """The repair was refused and nothing was sent. ``repair`` is the
    :class:`RepairResult`; ``result`` the attach check's
    :class:`~trove_gtid_strategy.topology.PrecheckResult` (``DIVERGED``,
    with the reasons as problems).
    """

    def __init__(self, message, repair):
        problems = tuple(topology.Problem(
            'errant_refused', '%s: %s' % (t.gtid, t.reason))
            for t in repair.transactions if t.decision == REFUSE)
        if repair.remedy and not problems:
            problems = (topology.Problem('errant_refused', repair.remedy),)
        super().__init__(message, topology.PrecheckResult(
            topology.Verdict.DIVERGED, problems, repair.errant))
        self.repair = repair


def _count(service, sql):
    return int(service.execute_sql(sql).scalar() or 0)


def _exists(service, drop):
    """Whether the object a ``DROP ... IF EXISTS`` names exists."""
    q = literals.quote
    if drop.kind == 'user':
        sql = ('SELECT COUNT(*) FROM mysql.user WHERE User = %s AND '
               'Host = %s' % (q(drop.name), q(drop.host)))
    elif drop.kind == 'database':
        sql = ('SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE '
               'SCHEMA_NAME = %s' % q(drop.name))
    else:
        sql = ('SELECT COUNT(*) FROM information_schema.TABLES WHERE '
               'TABLE_SCHEMA = %s AND TABLE_NAME = %s'
               % (q(drop.schema), q(drop.name)))
    return _count(service, sql) > 0


def judge(item, txn, source, replica, accept):
    """Fill ``item``'s effect and decision from its transaction."""
    if txn is not None:
        item.transaction = txn.to_dict()
        item.log_name = txn.log_name
        item.effect = txn.effect
        if txn.effect == transactions.DROPS_IF_EXISTS:
            present = ['%s on the %s' % (drop, side)
                       for drop in txn.drops
                       for side, svc in (('source', source),
                                         ('replica', replica))
                       if _exists(svc, drop)]
            if present:
                item.effect = transactions.DATA
                item.reason = ('it drops objects that exist now (%s): the '
                               'servers may differ in them'
                               % ', '.join(present))
    if item.origin == OTHER_SERVER:
        item.decision = REFUSE
        item.reason = ('written by another server, not by the replica (a '
                       'former source\'s write the source never got): '
                       'always refused; %s' % RESEED)
    elif item.origin == FORMER_SOURCE:
        item.decision = REFUSE
        item.reason = ('the replica is a former source of this source (it '
                       'holds some of the replica\'s transactions), so this '
                       'is a write lost in a failover: always refused; save '
                       'it from the replica\'s binary log if it matters, '
                       'then %s' % RESEED)
    elif item.effect in (transactions.DATA, UNKNOWN):
        why = item.reason or (
            'it is no longer in the replica\'s binary log, so what it '
            'changed is unknown' if item.effect == UNKNOWN
            else 'it changed data the source lacks')
        item.decision = RECONCILE if accept else REFUSE
        item.reason = '%s; %s' % (why, 'accepted (--accept-divergence)'
                                  if accept else
                                  'refused without --accept-divergence')
    else:
        item.decision = RECONCILE
        item.reason = {
            transactions.EMPTY: 'an empty transaction',
            transactions.NO_DATA: 'it changes no data',
            transactions.DROPS_IF_EXISTS:
                'it drops IF EXISTS objects that exist on neither server',
        }[item.effect]


def own_origin(source, src, rep):
    """:data:`FORMER_SOURCE` when the replica is a former source of the
    source (:func:`~trove_gtid_strategy.remedies.former_source`, as ``check``
    decides it), else :data:`OWN`.
    """
    status = rep.replica
    replicating = False
    if status is not None:
        if status.source_server_id:
            replicating = status.source_server_id == src.server_id
        else:
            dsn = getattr(source, 'dsn', None)
            replicating = dsn is not None and status.source_port == \
                dsn.port and status.source_host == dsn.host
    return FORMER_SOURCE if remedies.former_source(src, rep, replicating) \
        else OWN


def refused(result):
    refused = [t for t in result.transactions if t.decision == REFUSE]
    if not refused:
        return False
    result.decision = REFUSED
    others = [t.gtid for t in refused if t.origin == OTHER_SERVER]
    lost = [t.gtid for t in refused if t.origin == FORMER_SOURCE]
    if others or lost:
        kinds = []
        if others:
            kinds.append('transactions of another server (%s)'
                         % ', '.join(others))
        if lost:
            kinds.append('writes of the replica as a former source, lost '
                         'in a failover (%s)' % ', '.join(lost))
        result.remedy = '%s are always refused: %s' % (' and '.join(kinds),
                                                       RESEED)
    else:
        result.remedy = ('%d transaction(s) changed data the source lacks '
                         '(%s): %s, or repair with --accept-divergence to '
                         'keep the replica\'s different data' % (
                             len(refused), ', '.join(t.gtid for t in
                                                     refused), RESEED))
    return True
