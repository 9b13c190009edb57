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

"""Repairing errant transactions: a replica's own transactions that its
source lacks (seed 004), which make every GTID attach and promotion
refuse or break.

First, what each errant transaction changed is listed from the replica's
binary log (:mod:`~trove_gtid_strategy.binlog`): the files holding
them are found from each file's header (MySQL ``Previous_gtids``, MariaDB
``Gtid_list``) and only those files are read. A transaction is harmless
when it changed no data the source lacks: an empty transaction, ``FLUSH
...`` / ``ANALYZE TABLE``, or ``DROP USER | DATABASE | TABLE IF EXISTS``
of objects that exist on neither server now (checked on both). Anything
else (row events, other statements, a transaction no longer in the binary
log) may have changed data.

Then, all or nothing (one refused transaction refuses the repair, and
nothing is sent):

* a transaction written by **another server** (a GTID whose
  ``server_uuid`` / ``server_id`` is not the replica's own: a former
  source's writes that never reached the current source) is always
  refused: re-seed the replica from a backup of the source, or apply
  those changes on the source by hand if they must be kept;
* so is every errant transaction of a replica that is itself a **former
  source** of this source (the source holds some of its transactions
  and it does not replicate from it, as ``check`` decides it with
  :func:`~trove_gtid_strategy.remedies.former_source`): a demoted source's
  writes lost in a failover;
* a **data-changing** transaction of the replica's own is refused unless
  ``accept_divergence`` (the replica keeps its different data, knowingly);
* the harmless ones (and the accepted ones) are reconciled.

**MySQL** (GTID sets): one empty transaction per errant GTID is committed
**on the source** (``SET gtid_next = 'uuid:n'; BEGIN; COMMIT``, then
``SET gtid_next = 'AUTOMATIC'``, on one session). The source's set then
contains them, so the replica attaches (``IDENTICAL`` or
``RECOVERABLE``); the empty transactions are binary-logged on the source
and reach its other replicas as no-ops, which is the point.

**MariaDB** (GTID positions) does not binary-log an empty transaction, so
the source cannot be given the replica's GTIDs that way (and logging a
no-op statement under the replica's ``server_id`` on the source would be
refused by ``gtid_strict_mode`` whenever the source's sequence numbers
have passed it, and would reach the replica itself again). Instead the
**replica's** history is made to match the source's:

* repaired: errant GTIDs of the replica's own ``server_id`` (in any
  domain), each harmless or accepted, on a replica with **no replicas of
  its own connected** (no binlog dump session on it): replication is
  stopped, ``RESET MASTER`` empties its binary logs and ``SET GLOBAL
  gtid_binlog_state`` sets their state to the replica's state without
  the errant GTIDs (for the replica's server: the last GTID the source
  has of it, if any), and replication is started again. Its data and
  ``gtid_slave_pos`` are untouched. This also unblocks a replica whose
  SQL thread stopped on error 1950 (``gtid_strict_mode``: the source's
  next GTID is out of order after the replica's own). Measured on 10.11
  and 11.8: the attach is accepted afterwards and replication continues;
* consequences, reported in the result's notes: the replica's old
  binary logs are deleted (no point-in-time recovery from them) and its
  binary log starts at the repair point, so a later replica of it must
  be seeded from a backup taken after the repair (an empty one is
  refused as ``purged_binlogs``, measured on 10.11);
* refused, with the re-seed remedy: errant GTIDs of another
  ``server_id``, or of a replica that is a former source; errant GTIDs
  in the replica's ``gtid_slave_pos`` (applied from a source whose
  history this source lacks, which no reset of the replica's binary log
  changes); errant GTIDs no longer in the binary log, unless
  ``accept_divergence``; and a replica with replicas of its own
  connected (resetting its binary log would cut them off, and those that
  received the errant GTIDs would need the same repair). Replicas of it
  disconnected at that moment cannot be seen: detach them first.

``dry_run=True`` returns the listing, the decision and every statement
without sending anything (the reads still happen). A refusal without
``dry_run`` raises :class:`RepairRefused` carrying the same result.
"""

import dataclasses

from oslo_log import log as logging

from trove_gtid_strategy.binlog import events as binlog_headers
from trove_gtid_strategy.binlog import transactions
from trove_gtid_strategy import capabilities
from trove_gtid_strategy import dialect
from trove_gtid_strategy import exceptions
from trove_gtid_strategy import gtid as gtid_sets
from trove_gtid_strategy.guest import log_reader
from trove_gtid_strategy.guest import one_session
from trove_gtid_strategy.guest import server_state
from trove_gtid_strategy.guest import waits
from trove_gtid_strategy import literals
from trove_gtid_strategy import remedies
from trove_gtid_strategy import topology

LOG = logging.getLogger(__name__)

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


def _name(service, side):
    dsn = getattr(service, 'dsn', None)
    return dsn.redacted() if dsn is not None else 'the %s' % side


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


def _judge(item, txn, source, replica, accept):
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


# -- MySQL ---------------------------------------------------------------

def _single_gtids(gtid_set):
    for uuid in gtid_set.uuids():
        for tag in gtid_set.tags(uuid):
            for start, end in gtid_set.intervals(uuid, tag):
                for number in range(start, end + 1):
                    yield '%s:%s%d' % (uuid, tag + ':' if tag else '',
                                       number)


def _mysql_transactions(replica, state, errant):
    """``{gtid: Transaction}`` of the errant GTIDs found in the replica's
    binary logs, reading only the files whose header says they hold some.
    """
    files = list(state.binlog_files or ())
    previous = [binlog_headers.previous_gtids(log_reader.header(replica, f))
                for f in files]
    found = {}
    for index, log_name in enumerate(files):
        before = previous[index]
        after = (previous[index + 1] if index + 1 < len(files)
                 else state.gtid_executed)
        if before is None or after is None:
            held = errant
        else:
            held = (after - before) & errant
        if not held:
            continue
        for txn in log_reader.transactions(replica, log_name,
                                           lambda g: g in held):
            found.setdefault(txn.gtid, txn)
    return found


def _mysql_plan(source, replica, src, rep, accept, result):
    if (src.gtid_mode or '').upper() != 'ON' or \
            (rep.gtid_mode or '').upper() != 'ON':
        result.decision = REFUSED
        result.remedy = ('errant transactions are told by GTIDs: both '
                         'servers need gtid_mode = ON (source %s, replica '
                         '%s)' % (src.gtid_mode, rep.gtid_mode))
        return
    errant = rep.gtid_executed - src.gtid_executed
    result.errant = str(errant)
    if not errant:
        result.decision = NOTHING_TO_DO
        return
    if errant.count() > MAX_ERRANT:
        result.decision = REFUSED
        result.remedy = ('%d errant transactions, more than %d to '
                         'reconcile one by one; %s' % (
                             errant.count(), MAX_ERRANT, RESEED))
        return
    found = _mysql_transactions(replica, rep, errant)
    own = _own_origin(source, src, rep)
    for gtid in _single_gtids(errant):
        origin = own if gtid.split(':')[0] == rep.server_uuid.lower() \
            else OTHER_SERVER
        item = ErrantTransaction(gtid, origin, '', UNKNOWN)
        _judge(item, found.get(gtid), source, replica, accept)
        result.transactions.append(item)
    if _refused(result):
        return
    result.decision = REPAIR
    result.method = EMPTY_ON_SOURCE
    d = dialect.Dialect(_caps(src))
    for item in result.transactions:
        for stmt in d.skip_transaction(item.gtid):
            if stmt.sql != "SET gtid_next = 'AUTOMATIC'":
                result.statements.append({'server': 'source',
                                          'sql': stmt.sql})
    result.statements.append({'server': 'source',
                              'sql': "SET gtid_next = 'AUTOMATIC'"})
    result.notes.append('the empty transactions are binary-logged on the '
                        'source and reach its other replicas as no-ops')


def _caps(state):
    return capabilities.capabilities_for(state.version)


def _own_origin(source, src, rep):
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


def _refused(result):
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


# -- MariaDB -------------------------------------------------------------

def _mariadb_errant_test(src):
    def errant(g):
        verdict = topology.classify_mariadb_positions(
            src.gtid_binlog_pos, gtid_sets.MariaDBGtidPosition(),
            gtid_sets.MariaDBGtidPosition([g]), src.gtid_binlog_state)[0]
        return verdict is topology.Verdict.DIVERGED
    return errant


def _mariadb_transactions(replica, rep, is_errant):
    """``(found, purged)``: ``{gtid: Transaction}`` of the errant GTIDs in
    the replica's binary logs (reading the files whose ``Gtid_list``
    shows an errant pair advancing), and the errant GTIDs known to be in
    purged files (the first file starting past them).
    """
    files = list(rep.binlog_files or ())
    if not files:
        return {}, []
    starts = []
    for log_name in files:
        listed = binlog_headers.gtid_list(
            log_reader.header(replica, log_name))
        starts.append({(g.domain_id, g.server_id): g
                       for g in listed or ()})
    final = {(g.domain_id, g.server_id): g for g in rep.gtid_binlog_state}
    purged = [g for g in starts[0].values() if is_errant(g)]
    found = {}
    for index, log_name in enumerate(files):
        after = starts[index + 1] if index + 1 < len(files) else final
        before = starts[index]
        if not any(is_errant(g) and (pair not in before or
                                     before[pair].seq_no < g.seq_no)
                   for pair, g in after.items()):
            continue

        def wanted(text):
            try:
                return is_errant(gtid_sets.MariaDBGtid.parse(text))
            except exceptions.InvalidGtidSet:
                return False
        for txn in log_reader.transactions(replica, log_name, wanted):
            found.setdefault(txn.gtid, txn)
    return found, purged


def _mariadb_plan(source, replica, src, rep, accept, result):
    is_errant = _mariadb_errant_test(src)
    resume = topology.mariadb_resume_position(rep)
    verdict, errant, _ = topology.classify_mariadb_positions(
        src.gtid_binlog_pos, gtid_sets.MariaDBGtidPosition(), resume,
        src.gtid_binlog_state)
    result.errant = errant
    if verdict is not topology.Verdict.DIVERGED:
        result.decision = NOTHING_TO_DO
        return
    found, purged = _mariadb_transactions(replica, rep, is_errant)
    items = {}

    own = _own_origin(source, src, rep)

    def origin(g):
        return own if g.server_id == rep.server_id else OTHER_SERVER

    for text, txn in found.items():
        g = gtid_sets.MariaDBGtid.parse(text)
        items[text] = (g, txn)
    for g in list(purged) + [g for g in resume if is_errant(g)]:
        items.setdefault(str(g), (g, None))
    for text, (g, txn) in sorted(items.items(), key=lambda kv: (
            kv[1][0].domain_id, kv[1][0].seq_no)):
        item = ErrantTransaction(text, origin(g), '', UNKNOWN)
        if txn is None and g in purged:
            item.reason = ('in a purged binary log (the replica\'s oldest '
                           'binary log starts after it)')
        _judge(item, txn, source, replica, accept)
        result.transactions.append(item)
    if _refused(result):
        return
    ahead = [str(g) for g in rep.gtid_slave_pos or () if is_errant(g)]
    if ahead:
        result.decision = REFUSED
        result.remedy = (
            'the replica applied %s from a source (its gtid_slave_pos), '
            'which this source does not have: its history is behind the '
            'replica\'s, and resetting the replica\'s binary log would not '
            'change that; %s' % (', '.join(ahead), RESEED))
        return
    downstream = replica.execute_sql(
        dialect.binlog_dump_sessions().sql).fetchall()
    if downstream:
        result.decision = REFUSED
        result.remedy = (
            'the replica has replicas of its own connected (%s): '
            'resetting its binary log would cut them off, and those that '
            'received the errant GTIDs would need the same repair; detach '
            'them first, or %s' % (', '.join(
                '%s from %s' % (_text(u), _text(h)) for u, h in downstream),
                RESEED))
        return
    caps = _caps(rep)
    d = dialect.Dialect(caps)
    state = _state_without(rep.gtid_binlog_state, src, is_errant)
    status = rep.replica
    restart = status is not None and (
        status.io_running != 'No' or status.sql_running != 'No'
        or status.last_sql_errno or status.last_io_errno)
    statements = []
    if status is not None:
        statements.append(d.stop_replica().sql)
    statements.append(d.reset_binary_logs().sql)
    if state:
        statements.append('SET GLOBAL gtid_binlog_state = %s'
                          % literals.quote(','.join(map(str, state))))
    if restart:
        statements.append(d.start_replica().sql)
    result.decision = REPAIR
    result.method = RESET_REPLICA_BINLOG
    result.statements = [{'server': 'replica', 'sql': sql}
                         for sql in statements]
    files = rep.binlog_files or ()
    result.notes.append(
        'RESET MASTER deletes the replica\'s %d binary log(s)%s: no '
        'point-in-time recovery from them; its binary log then starts at '
        '%s, so a new replica of it needs a seed taken after this repair'
        % (len(files), ' (%s to %s)' % (files[0], files[-1]) if files
           else '', ','.join(map(str, state)) or 'nothing'))


def _text(value):
    return value.decode('utf-8', 'replace') if isinstance(value, bytes) \
        else str(value)


def _state_without(binlog_state, src, is_errant):
    """The replica's ``gtid_binlog_state`` without its errant GTIDs: for
    an errant (domain, server) the last GTID the source has of that
    server, if any. Ordered by sequence number within each domain, so the
    last one listed is the domain's position.
    """
    seen = {(g.domain_id, g.server_id): g for g in src.gtid_binlog_state}
    kept = []
    for g in binlog_state:
        if not is_errant(g):
            kept.append(g)
        elif (g.domain_id, g.server_id) in seen:
            kept.append(seen[(g.domain_id, g.server_id)])
    return sorted(kept, key=lambda g: (g.domain_id, g.seq_no))


# -- the operation -------------------------------------------------------

def plan_repair(source, replica, accept_divergence=False):
    """Read both servers and decide: a :class:`RepairResult` with the
    listing, the decision and the statements. Sends nothing.
    """
    src = server_state.read_state(source)
    rep = server_state.read_state(replica)
    result = RepairResult(
        source=_name(source, 'source'), replica=_name(replica, 'replica'),
        flavor=rep.version.flavor.value, errant='', decision='', method='',
        transactions=[], statements=[],
        accept_divergence=accept_divergence)
    if src.version.flavor.is_mysql_family != \
            rep.version.flavor.is_mysql_family:
        result.decision = REFUSED
        result.remedy = ('source %s and replica %s are not the same flavor'
                         % (src.version, rep.version))
    elif _caps(rep).gtid_style == 'mysql' and \
            _caps(src).gtid_style == 'mysql':
        _mysql_plan(source, replica, src, rep, accept_divergence, result)
    elif _caps(rep).gtid_style == 'mariadb' and \
            _caps(src).gtid_style == 'mariadb':
        _mariadb_plan(source, replica, src, rep, accept_divergence, result)
    else:
        result.decision = REFUSED
        result.remedy = ('%s has no GTIDs: errant transactions cannot be '
                         'told apart' % rep.version)
    return result


def repair_errant(source, replica, accept_divergence=False, dry_run=False,
                  timeout=60, poll=0.5, progress=None):
    """List the replica's errant transactions against ``source`` and
    reconcile them where that is safe (see the module docstring).

    Returns a :class:`RepairResult`. ``dry_run``: decide and return the
    statements, send nothing. A refusal raises :class:`RepairRefused`
    (nothing sent) unless ``dry_run``.
    """
    progress = progress or (lambda message: LOG.info('%s', message))
    result = plan_repair(source, replica, accept_divergence)
    result.dry_run = dry_run
    if dry_run or result.decision == NOTHING_TO_DO:
        return result
    if result.decision == REFUSED:
        raise RepairRefused('refusing to repair the errant transactions of '
                            '%s: %s' % (result.replica, result.remedy),
                            result)
    progress('%s: reconciling %d errant transaction(s) by %s' % (
        result.replica, len(result.transactions),
        result.method.replace('_', ' ')))
    if result.method == EMPTY_ON_SOURCE:
        one_session.run(
            source, [s['sql'] for s in result.statements])
    else:
        for stmt in result.statements:
            replica.execute_sql(stmt['sql'])
    result.applied = True
    restarted = any(s['sql'].startswith('START') for s in result.statements)
    if restarted:
        waits.until_running(replica, result.replica, timeout, poll, progress)
    verdict, errant = attach_verdict(source, replica)
    result.verdict_after = str(verdict)
    if verdict is topology.Verdict.DIVERGED:
        result.notes.append('errant transactions remain after the repair '
                            '(written meanwhile?): %s' % errant)
    return result


def attach_verdict(source, replica):
    """``(verdict, errant)`` of the attach check between the two
    servers now (GTID modes).
    """
    src = server_state.read_state(source)
    rep = server_state.read_state(replica)
    if _caps(rep).gtid_style == 'mysql':
        verdict, errant, _ = topology.classify_gtid_sets(
            src.gtid_executed, src.gtid_purged or gtid_sets.GtidSet(),
            rep.gtid_executed)
        return verdict, str(errant)
    verdict, errant, _ = topology.classify_mariadb_positions(
        src.gtid_binlog_pos,
        src.purged_position or gtid_sets.MariaDBGtidPosition(),
        topology.mariadb_resume_position(rep), src.gtid_binlog_state)
    return verdict, errant
