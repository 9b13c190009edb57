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

"""Skipping the one transaction a replica's SQL thread stopped on.

Only the transaction that failed is skipped, the way its mode allows,
and the report says exactly what it was (its GTID and what it did, read
from the relay log, passwords redacted):

* **MySQL with GTIDs** (auto-position, or position mode with ``gtid_mode
  = ON``: every transaction has a GTID): an empty transaction committed
  under the failed GTID, ``SET gtid_next = 'uuid:n'; BEGIN; COMMIT; SET
  gtid_next = 'AUTOMATIC'`` on one session (seeds 003, 004: the skip
  counter is refused under GTIDs), checked in ``gtid_executed`` before
  replication starts again; the source never sends it again. Works with
  ``super_read_only = ON`` too (measured on 9.7);
* **MariaDB**: ``sql_slave_skip_counter = 1`` skips one whole event group
  (a transaction), in GTID and in position mode. Where MariaDB refuses
  the counter (error 1966: parallel replication with several GTID
  domains), or in GTID mode where the SQL thread's position is not the
  failed transaction (a parallel applier's), ``gtid_slave_pos`` is moved
  to the failed GTID in its domain instead (replication stopped, other
  domains as they were, started), so the source sends what follows it;
  in position mode such a position is refused;
* **MySQL without GTIDs** (``gtid_mode = OFF``, position mode): the
  counter, once the SQL thread's position is the failed transaction: a
  multi-threaded applier's position is its last checkpoint, so it is
  first run with ``START REPLICA SQL_THREAD UNTIL SQL_AFTER_MTS_GAPS``,
  which stops it exactly there (measured on 9.7), and the skip goes on
  only if it did.

The failed transaction is the first one in the relay log, from the SQL
thread's position on, that the replica has not applied (MySQL: not in
``gtid_executed``; MariaDB: past ``gtid_slave_pos`` in its domain, the
first of each domain under parallel replication; without GTIDs: the one
holding the failed event). A MySQL 9.7 multi-threaded replica's position
is its last checkpoint, measured far before the failed transaction,
hence the scan (following the relay log into its next files). The choice
is checked against the SQL thread's error (MySQL names the failed GTID;
both name the source position of the failed event, MariaDB 11.8 as 0),
against ``Retrieved_Gtid_Set``, and against the GTID the caller expects;
any disagreement, several candidates the error cannot tell apart, or a
replica that is not stopped on an SQL error is refused with nothing
changed (:class:`SkipRefused`).

Afterwards replication is started and waited for
(:func:`~trove_gtid_strategy.guest.waits.until_running`, which fails at
once if a thread stops on an error again).
"""

import dataclasses
import time

from oslo_log import log as logging

from trove_gtid_strategy.binlog import errors as binlog_errors
from trove_gtid_strategy.binlog import statements as binlog_text
from trove_gtid_strategy.binlog import transactions
from trove_gtid_strategy.decisions import skip as decision
from trove_gtid_strategy import dialect
from trove_gtid_strategy import errcodes
from trove_gtid_strategy import exceptions
from trove_gtid_strategy import flavors
from trove_gtid_strategy import gtid as gtid_sets
from trove_gtid_strategy.guest import log_reader
from trove_gtid_strategy.guest import one_session
from trove_gtid_strategy.guest import server as server_mod
from trove_gtid_strategy.guest import server_state
from trove_gtid_strategy.guest import waits
from trove_gtid_strategy import literals
from trove_gtid_strategy import replication_view
from trove_gtid_strategy import state as state_mod

LOG = logging.getLogger(__name__)

# The names callers use, from where they live.
EMPTY_TRANSACTION = decision.EMPTY_TRANSACTION
SKIP_COUNTER = decision.SKIP_COUNTER
GTID_SLAVE_POS = decision.GTID_SLAVE_POS
SkipRefused = decision.SkipRefused


@dataclasses.dataclass
class SkipResult:
    """What a skip did, or (``dry_run``) would do."""

    #: The replica, as ``dsn.redacted()`` or the name given.
    replica: str
    #: ``mysql_gtid``, ``mariadb_gtid`` or ``binlog``: how it replicates.
    mode: str
    #: ``empty_transaction``, ``skip_counter`` or ``gtid_slave_pos``.
    method: str
    #: The skipped transaction's GTID (``''`` without GTIDs).
    gtid: str
    #: The SQL thread's error it stopped on.
    error_number: int
    error: str
    #: Where the skipped transaction starts in the relay log.
    relay_log_file: str
    relay_log_pos: int
    #: What it did: :meth:`Transaction.to_dict` of the relay log events.
    transaction: dict
    #: Every statement sent (or, in a dry run, to send), in order.
    statements: list
    dry_run: bool = False
    #: After the skip: the SQL thread's state (``Yes`` once it runs).
    sql_running: str = ''
    notes: list = dataclasses.field(default_factory=list)

    def to_dict(self):
        return dataclasses.asdict(self)

    def describe(self):
        what = self.transaction.get('summary', '')
        return '%s %s on %s by %s: %s' % (
            'would skip' if self.dry_run else 'skipped',
            self.gtid or 'the transaction at %s:%d' % (
                self.relay_log_file, self.relay_log_pos),
            self.replica, self.method.replace('_', ' '), what)


# -- finding the failed transaction -------------------------------------

def find_failure(server, gtid=None):
    """The :class:`Failure` of a replica (a :class:`~trove_gtid_strategy.
    guest.server.Server`) stopped on an SQL error; raises
    :class:`SkipRefused` when it is not, or when the failed transaction
    cannot be told for certain. Reads only.
    """
    name, replica, caps, d = (server.name, server.service, server.caps,
                              server.dialect)
    rows = server_state.rows_as_dicts(
        replica.execute_sql(d.show_replica_status().sql))
    if not rows:
        raise SkipRefused('not_a_replica', '%s is not a replica: nothing '
                          'to skip' % name)
    row = {k: state_mod.text(v) for k, v in rows[0].items()}
    status = state_mod.ReplicaStatus.from_row(row)
    if status.sql_running != 'No' or not status.last_sql_errno:
        raise SkipRefused(
            'not_stopped_on_sql_error', '%s is not stopped on an SQL error '
            '(SQL thread %s, last SQL error %d%s): nothing to skip, nothing '
            'changed' % (name, status.sql_running, status.last_sql_errno,
                         ': %s' % binlog_text.redact(status.last_sql_error)
                         if status.last_sql_error else ''))
    variables = server.variables((
        'gtid_mode', 'gtid_executed', 'gtid_slave_pos',
        'slave_parallel_threads', 'replica_parallel_threads',
        'replica_parallel_workers', 'slave_parallel_workers'))
    flavor = flavors.of(caps)
    applied = flavor.applied_test(variables)
    relay_file = row.get('Relay_Log_File', '')
    relay_pos = int(row.get('Relay_Log_Pos') or 0)
    hint = binlog_errors.error_hint(binlog_errors.failed_worker_message(
        status.last_sql_error, _worker_errors(replica, d)))
    wanted = flavor.normalise_gtid(gtid) if gtid else ''
    candidates = _scan(replica, flavor, relay_file, relay_pos, applied,
                       hint, wanted, flavor.applies_in_order(variables))
    if not candidates:
        raise SkipRefused(
            'failed_transaction_not_found', '%s: no unapplied transaction '
            'found in the relay log from %s:%d on, so what the SQL thread '
            'failed on cannot be told; nothing changed (error %d: %s)'
            % (name, relay_file, relay_pos, status.last_sql_errno,
               binlog_text.redact(status.last_sql_error)))
    txn = decision.choose(name, candidates, hint, wanted)
    decision.check_received(name, flavor, status, txn)
    return decision.Failure(
        caps, status, row, replication_view.replication_mode(status)[0],
        variables, txn, (txn.log_name, txn.pos) == (relay_file, relay_pos),
        hint)


def _worker_errors(replica, d):
    """``(number, message)`` of each applier worker stopped on an error
    (MySQL 5.7.2+; none elsewhere).
    """
    statement = d.worker_errors()
    if statement is None:
        return []
    return [tuple(row) for row in replica.execute_sql(statement.sql)]


def _scan(replica, flavor, relay_file, relay_pos, applied, hint, wanted,
          serial):
    """Unapplied transactions from the SQL thread's position: the first
    one (a serial applier, or MySQL's, which commits in order), or the
    first of each GTID domain (MariaDB's parallel applier runs domains
    independently). Without GTIDs (``applied`` None) the first one.
    """
    if not relay_file:
        return []
    found = {}
    events = log_reader.relay_log_events(replica, relay_file, relay_pos)
    for txn in transactions.iter_transactions(events):
        if applied is not None and applied(txn):
            continue
        if applied is None and hint.end_log_pos:
            # Without GTIDs: the transaction holding the failed event,
            # wherever the position is (plan_skip refuses the counter
            # unless it is at the position).
            if hint.end_log_pos in txn.end_log_positions:
                return [txn]
            found.setdefault(None, txn)
            continue
        found.setdefault(flavor.domain_of(txn.gtid), txn)
        if serial:
            break
        # Stop as soon as the transaction is certain.
        if (hint.end_log_pos and hint.end_log_pos in
                txn.end_log_positions) or (wanted and txn.gtid == wanted):
            return [txn]
    return list(found.values())


# -- skipping -----------------------------------------------------------

def skip(replica, gtid=None, dry_run=False, timeout=60, poll=0.5,
         progress=None):
    """Skip the one transaction ``replica``'s SQL thread stopped on.

    ``gtid``: the GTID the caller expects to skip; refused if the SQL
    thread stopped on another. ``dry_run``: decide and return the
    statements, send nothing. Returns a :class:`SkipResult`; raises
    :class:`SkipRefused` (nothing changed) when the replica is not
    stopped on an SQL error or the failed transaction is not certain,
    and :class:`~trove_gtid_strategy.exceptions.ReplicationError` when
    replication does not run again after the skip.
    """
    server = server_mod.handle(replica, 'replica')
    name, replica = server.name, server.service
    progress = progress or (lambda message: LOG.info('%s', message))
    failure = find_failure(server, gtid)
    method, statements, notes = decision.plan_skip(failure, name)
    txn = failure.transaction
    result = SkipResult(
        replica=name, mode=failure.mode, method=method, gtid=txn.gtid,
        error_number=failure.status.last_sql_errno,
        error=binlog_text.redact(failure.status.last_sql_error),
        relay_log_file=txn.log_name,
        relay_log_pos=txn.pos, transaction=txn.to_dict(),
        statements=list(statements), dry_run=dry_run, notes=notes)
    if dry_run:
        return result
    progress('%s: skipping %s' % (name, txn.describe()))
    d = dialect.Dialect(failure.caps)
    start = statements[-1]
    if method == EMPTY_TRANSACTION:
        one_session.run(replica, statements[:-1])
        _check_executed(replica, name, txn.gtid)
        replica.execute_sql(start)
    elif method == SKIP_COUNTER:
        if statements[0] == decision.mts_gaps_statement(failure.caps):
            _to_failed_transaction(replica, name, failure, statements[0],
                                   timeout, poll, progress)
        counter = statements[-2]
        try:
            replica.execute_sql(counter)
        except Exception as exc:
            refused = (errcodes.error_number(exc)
                       == errcodes.ER_SLAVE_SKIP_NOT_IN_GTID)
            if not refused or failure.mode != 'mariadb_gtid':
                raise
            position = gtid_sets.MariaDBGtidPosition.parse(
                failure.variables.get('gtid_slave_pos', ''))
            statements = decision.moved_slave_pos(d, position, txn)
            result.method = GTID_SLAVE_POS
            result.statements = list(statements)
            result.notes.append('MariaDB refused the skip counter (error '
                                '%d); moved gtid_slave_pos instead'
                                % errcodes.ER_SLAVE_SKIP_NOT_IN_GTID)
            for sql in statements:
                replica.execute_sql(sql)
        else:
            replica.execute_sql(start)
    else:
        for sql in statements:
            replica.execute_sql(sql)
    status = waits.until_running(replica, name, timeout, poll, progress)
    result.sql_running = status.sql_running
    return result


def _to_failed_transaction(replica, name, failure, statement, timeout,
                           poll, progress):
    """Run ``START ... UNTIL SQL_AFTER_MTS_GAPS`` and wait for the SQL
    thread to stop exactly at the failed transaction.
    """
    d = dialect.Dialect(failure.caps)
    replica.execute_sql(statement)
    txn = failure.transaction
    deadline = time.monotonic() + timeout
    while True:
        rows = server_state.rows_as_dicts(
            replica.execute_sql(d.show_replica_status().sql))
        row = {k: state_mod.text(v) for k, v in rows[0].items()}
        status = state_mod.ReplicaStatus.from_row(row)
        if status.sql_running == 'No':
            break
        if time.monotonic() > deadline:
            raise exceptions.ReplicationError(
                '%s: the SQL thread did not stop after %s within %ds'
                % (name, statement, timeout))
        progress('%s: waiting for the applier to fill its gaps' % name)
        time.sleep(poll)
    where = (row.get('Relay_Log_File'), int(row.get('Relay_Log_Pos') or 0))
    if status.last_sql_errno or where != (txn.log_name, txn.pos):
        raise exceptions.ReplicationError(
            '%s: after %s the SQL thread stands at %s:%d (error %d: %s), not '
            'at the failed transaction %s:%d; nothing was skipped: run the '
            'skip again' % (name, statement, where[0], where[1],
                            status.last_sql_errno,
                            binlog_text.redact(status.last_sql_error),
                            txn.log_name, txn.pos),
            sql_error=binlog_text.redact(status.last_sql_error))


def _check_executed(replica, name, gtid):
    """MySQL: the empty transaction is in ``gtid_executed`` before
    replication starts again.
    """
    done = replica.execute_sql('SELECT GTID_SUBSET(%s, @@GLOBAL.gtid_executed)'
                               % literals.quote(gtid)).scalar()
    if not done or int(done) != 1:
        raise exceptions.ReplicationError(
            '%s: the empty transaction %s was not recorded in gtid_executed;'
            ' replication was not started again' % (name, gtid))
