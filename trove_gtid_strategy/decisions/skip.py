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

"""How to skip the one transaction a replica's SQL thread stopped on,
decided from what was read about it (a :class:`Failure`); pure. The
reading and the sending are :mod:`trove_gtid_strategy.operations.skip`.

The methods, each exact or refused:

``empty_transaction``
    MySQL with GTIDs: an empty transaction committed under the failed
    GTID, on one session (the skip counter is refused under GTIDs).
``skip_counter``
    ``sql_slave_skip_counter = 1``, where the SQL thread's position is
    the failed transaction: MariaDB (one whole event group, in either
    mode), MySQL without GTIDs (after ``UNTIL SQL_AFTER_MTS_GAPS`` moved
    a multi-threaded applier from its checkpoint to the failed
    transaction, when the error names its position).
``gtid_slave_pos``
    MariaDB in GTID mode where the counter is refused (parallel
    replication and several domains) or the position is not the failed
    transaction: the slave position moved to the failed GTID in its
    domain, so the source sends what follows it.
"""

import dataclasses

from trove_gtid_strategy.binlog import transactions
from trove_gtid_strategy import dialect
from trove_gtid_strategy import exceptions
from trove_gtid_strategy import flavors
from trove_gtid_strategy import gtid as gtid_sets
from trove_gtid_strategy import topology

EMPTY_TRANSACTION = 'empty_transaction'
SKIP_COUNTER = 'skip_counter'
GTID_SLAVE_POS = 'gtid_slave_pos'


class SkipRefused(exceptions.PrecheckFailed):
    """The skip was refused; nothing was changed. ``result`` is a
    :class:`~trove_gtid_strategy.topology.PrecheckResult` with the reason
    as its one problem.
    """

    def __init__(self, code, message):
        super().__init__(message, topology.PrecheckResult(
            None, (topology.Problem(code, message),)))
        self.code = code


@dataclasses.dataclass
class Failure:
    """A replica stopped on an SQL error, and the transaction it failed
    on (read by :func:`~trove_gtid_strategy.operations.skip.find_failure`).
    """

    caps: object
    status: object
    #: The raw status row (for ``Relay_Log_File`` / ``Relay_Log_Pos``).
    row: dict
    mode: str
    variables: dict
    transaction: transactions.Transaction
    #: True when the SQL thread's position is exactly at it.
    at_position: bool
    #: What the error message says
    #: (:func:`~trove_gtid_strategy.binlog.errors.error_hint`).
    hint: object = None


def choose(name, candidates, hint, wanted):
    """The failed transaction among the unapplied ``candidates`` found in
    the relay log: the one the error (``hint``) and the caller's GTID
    (``wanted``) agree on; any disagreement or doubt is refused.
    """
    if hint.gtid:
        chosen = [t for t in candidates if t.gtid == hint.gtid]
        if not chosen:
            raise SkipRefused(
                'error_disagrees', '%s: the SQL thread failed on %s, but '
                'the first unapplied transaction in the relay log is %s; '
                'nothing changed' % (name, hint.gtid, ', '.join(
                    t.gtid or 'anonymous' for t in candidates)))
        candidates = chosen
    if hint.end_log_pos:
        chosen = [t for t in candidates
                  if hint.end_log_pos in t.end_log_positions]
        if not chosen:
            raise SkipRefused(
                'error_disagrees', '%s: the SQL thread failed at source '
                'position %s:%d, which is in none of the unapplied '
                'transactions found (%s); nothing changed' % (
                    name, hint.log_name, hint.end_log_pos, ', '.join(
                        '%s at %s:%d' % (t.gtid or 'anonymous', t.log_name,
                                         t.pos) for t in candidates)))
        candidates = chosen
    if wanted:
        chosen = [t for t in candidates if t.gtid == wanted]
        if not chosen:
            raise SkipRefused(
                'gtid_mismatch', '%s: the SQL thread stopped on %s, not on '
                '%s: nothing changed' % (name, ' or '.join(
                    t.gtid or 'an anonymous transaction'
                    for t in candidates), wanted))
        candidates = chosen
    if len(candidates) > 1:
        raise SkipRefused(
            'ambiguous', '%s: several GTID domains have unapplied '
            'transactions (%s) and the error does not say which failed: '
            'give the GTID to skip; nothing changed' % (
                name, ', '.join(t.gtid for t in candidates)))
    return candidates[0]


def check_received(name, flavor, status, txn):
    """MySQL: the failed GTID was received and is not executed."""
    unexecuted = flavor.received_unexecuted(status)
    if unexecuted is None or not txn.gtid:
        return
    if txn.gtid not in unexecuted:
        raise SkipRefused(
            'error_disagrees', '%s: %s is not among the received, '
            'unexecuted transactions (%s); nothing changed'
            % (name, txn.gtid, unexecuted))


def plan_skip(failure, name='the replica'):
    """``(method, statements, notes)`` for a :class:`Failure`: the
    statements to run (on one session), the last one starting
    replication again. Raises :class:`SkipRefused` where no exact skip
    exists.
    """
    caps, txn = failure.caps, failure.transaction
    flavor = flavors.of(caps)
    d = dialect.Dialect(caps)
    notes = []
    if flavor.skips_by_empty_transaction and txn.gtid:
        return (EMPTY_TRANSACTION,
                [s.sql for s in d.skip_transaction(txn.gtid)]
                + [d.start_replica().sql], notes)
    if txn.gtid and failure.mode == flavor.mode:
        position = gtid_sets.MariaDBGtidPosition.parse(
            failure.variables.get('gtid_slave_pos', ''))
        domains = set(position.domains()) | {flavor.domain_of(txn.gtid)}
        refused = not flavor.applies_in_order(failure.variables) and \
            len(domains) > 1
        if refused or not failure.at_position:
            notes.append(
                'the skip counter is refused with parallel replication '
                'and several GTID domains' if refused else
                'the SQL thread\'s position (%s:%s) is before the failed '
                'transaction (%s:%d), so the counter would skip another '
                'one' % (failure.row.get('Relay_Log_File'),
                         failure.row.get('Relay_Log_Pos'), txn.log_name,
                         txn.pos))
            return (GTID_SLAVE_POS, moved_slave_pos(d, position, txn),
                    notes + binlog_hole(flavor, txn))
    steps = []
    if not failure.at_position:
        known = failure.hint.end_log_pos and failure.hint.end_log_pos in \
            txn.end_log_positions
        if not (known and caps.flavor.is_mysql_family):
            raise SkipRefused(
                'counter_unsafe', '%s: the SQL thread\'s position (%s:%s) '
                'is not the failed transaction (%s:%d), so the skip counter '
                'would skip another one; without GTIDs there is no exact '
                'way: re-seed the replica; nothing changed' % (
                    name, failure.row.get('Relay_Log_File'),
                    failure.row.get('Relay_Log_Pos'), txn.log_name,
                    txn.pos))
        # A multi-threaded applier's position is its last checkpoint:
        # this moves it to the first unapplied transaction (filling any
        # gaps) and stops; the skip goes on only if that is the failed
        # one.
        steps.append(mts_gaps_statement(caps))
        notes.append('the multi-threaded applier\'s position (%s:%s) was '
                     'its last checkpoint: moved to the failed transaction '
                     'first with %s' % (failure.row.get('Relay_Log_File'),
                                        failure.row.get('Relay_Log_Pos'),
                                        steps[0]))
    return (SKIP_COUNTER,
            steps + [s.sql for s in d.skip_transaction()]
            + [d.start_replica().sql], notes + binlog_hole(flavor, txn))


def binlog_hole(flavor, txn):
    """MariaDB skips leave the GTID out of the replica's binary log (it
    logs no empty transaction): say what that means if it is promoted.
    """
    if not flavor.skip_leaves_binlog_hole or not txn.gtid:
        return []
    return ['%s is not written to this replica\'s binary log: if it is '
            'ever promoted, a replica positioned exactly at %s cannot '
            'follow it (error 1236); re-seed such a replica, or promote '
            'another' % (txn.gtid, txn.gtid)]


def mts_gaps_statement(caps):
    """MySQL 5.6+: run the SQL thread until the multi-threaded applier
    has no gaps, then stop.
    """
    return 'START %s SQL_THREAD UNTIL SQL_AFTER_MTS_GAPS' % caps.replica_word


def moved_slave_pos(d, position, txn):
    """MariaDB: replication stopped, ``gtid_slave_pos`` moved to the
    failed GTID in its domain (other domains as they are), started: the
    source sends what follows it.
    """
    failed = gtid_sets.MariaDBGtid.parse(txn.gtid)
    moved = gtid_sets.MariaDBGtidPosition(
        [g for g in position if g.domain_id != failed.domain_id]
        + [failed])
    return [d.stop_replica().sql, d.set_gtid_slave_pos(moved).sql,
            d.start_replica().sql]
