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

"""What ``check`` and ``status`` conclude from server states. Pure.

Everything here reads :class:`~trove_gtid_strategy.state.ServerState`
values (and a few extra facts the operations read alongside them) and
returns plain data, so each conclusion is tested with hand-made states:

* the **crash-safety audit** of one server (:func:`crash_safety`): each
  setting that decides whether a crash loses, repeats or skips
  transactions, with a level and one sentence saying why (seed 003:
  "double 1", ``relay_log_recovery``, multi-threaded appliers);
* **semi-synchronous** replication as it runs now (:func:`semi_sync`): a
  source silently falls back to asynchronous after its timeout;
* **lag** in seconds and in transactions (:func:`lag`), how a replica
  replicates (:func:`replication_mode`) and from which of the given
  servers (:func:`find_source`);
* for ``check``: what could not be checked (:func:`unchecked`), the
  errant transactions described (:func:`errant_detail`) and one
  **remedy** per problem (:func:`remedies`), including the empty
  transactions to inject on a MySQL source for errant ones that changed
  nothing (seed 004).
"""

import dataclasses

from trove_gtid_strategy import capabilities
from trove_gtid_strategy import dialect
from trove_gtid_strategy import gtid as gtid_sets
from trove_gtid_strategy import topology

OK = 'ok'
WARNING = 'warning'
RISK = 'risk'
LEVELS = (OK, WARNING, RISK)

#: Most empty transactions a remedy lists; more errant transactions than
#: that were not maintenance slips.
MAX_INJECTED = 100

_ON = ('ON', '1', 'YES', 'TRUE')
_LOOPBACK = ('127.0.0.1', 'localhost', '::1', '')


def _on(value):
    return str(value or '').strip().upper() in _ON


def _int(value):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _is_mariadb(state):
    return not state.version.flavor.is_mysql_family


@dataclasses.dataclass(frozen=True)
class Finding:
    """One audited setting: its value, a level (ok, warning, risk) and
    why it matters, in one sentence.
    """

    name: str
    value: str
    level: str
    why: str

    def to_dict(self):
        return dataclasses.asdict(self)


def worst(findings):
    """The highest level among ``findings`` (``ok`` when there are none)."""
    levels = [f.level for f in findings] or [OK]
    return max(levels, key=LEVELS.index)


# -- crash safety -------------------------------------------------------

def crash_safety(state, gtid_slave_pos_engines=None):
    """The crash-safety findings of one server.

    Settings come from ``state.settings`` (the global variables read,
    lower-case names); a variable the server lacks is not audited.
    Replica rules apply when ``state.replica`` is set. On MariaDB
    replicas ``gtid_slave_pos_engines`` is ``{table: engine}`` of
    ``mysql.gtid_slave_pos*`` (None: not read).
    """
    found = []
    add = found.append
    s = state.settings
    if state.log_bin:
        add(_sync_binlog(s.get('sync_binlog')))
        if s.get('binlog_format'):
            add(_binlog_format(s['binlog_format']))
    if s.get('innodb_flush_log_at_trx_commit'):
        add(_flush_log(s['innodb_flush_log_at_trx_commit']))
    status = state.replica
    if status is None:
        return tuple(f for f in found if f is not None)
    add(_log_replica_updates(state))
    binlog_mode = replication_mode(status)[0] == 'binlog'
    if _is_mariadb(state):
        add(_master_use_gtid(status))
        add(_relay_log_recovery(s.get('relay_log_recovery'), binlog_mode,
                                mariadb=True))
        add(_gtid_slave_pos_engine(gtid_slave_pos_engines))
        add(_mariadb_parallel(s))
    else:
        add(_relay_log_recovery(s.get('relay_log_recovery'), binlog_mode,
                                mariadb=False))
        if s.get('relay_log_info_repository'):
            add(_relay_log_info_repository(s['relay_log_info_repository'],
                                           binlog_mode))
        add(_mysql_parallel(s))
    return tuple(f for f in found if f is not None)


def _sync_binlog(value):
    n = _int(value)
    if n is None:
        return None
    if n == 1:
        return Finding('sync_binlog', value, OK, 'every transaction is on '
                       'disk in the binary log before it is acknowledged, '
                       'so a crash never takes back what replicas received')
    if n == 0:
        return Finding('sync_binlog', value, RISK, 'the binary log reaches '
                       'the disk when the operating system decides, so after '
                       'an OS crash or power loss it can lack transactions '
                       'InnoDB committed and the GTIDs this server reports '
                       'no longer match its data (seed 003: "double 1")')
    return Finding('sync_binlog', value, WARNING, 'up to %d committed '
                   'transactions can be missing from the binary log after '
                   'an OS crash or power loss; 1 loses none' % (n - 1))


def _flush_log(value):
    n = _int(value)
    if n == 1:
        return Finding('innodb_flush_log_at_trx_commit', value, OK,
                       'every commit is durable in the InnoDB redo log '
                       'before it is acknowledged')
    if n == 2:
        why = ('commits reach the disk about once a second, so an OS crash '
               'or power loss loses up to a second of transactions the '
               'binary log (and replicas) already have: data and GTIDs '
               'disagree silently (seed 003: "double 1")')
    else:
        why = ('commits reach the disk about once a second, so even a '
               'server crash loses up to a second of transactions the '
               'binary log (and replicas) already have: data and GTIDs '
               'disagree silently (seed 003: "double 1")')
    return Finding('innodb_flush_log_at_trx_commit', value, RISK, why)


def _binlog_format(value):
    fmt = value.upper()
    if fmt == 'ROW':
        return Finding('binlog_format', value, OK, 'the binary log carries '
                       'the changed rows, so a replica applies exactly what '
                       'the source changed')
    if fmt == 'MIXED':
        return Finding('binlog_format', value, WARNING, 'statements the '
                       'server thinks deterministic are logged as text and '
                       're-executed on replicas, which can change other '
                       'rows there than on the source; ROW logs the rows')
    return Finding('binlog_format', value, RISK, 'statements are '
                   're-executed on replicas, where non-deterministic ones '
                   '(LIMIT without ORDER BY, UUID(), triggers) silently '
                   'change other rows than on the source')


def _log_replica_updates(state):
    s = state.settings
    name = ('log_replica_updates' if s.get('log_replica_updates')
            else 'log_slave_updates')
    value = s.get(name)
    if not state.log_bin:
        return Finding('log_bin', 'OFF', WARNING, 'the replica writes no '
                       'binary log, so it cannot be promoted: no other '
                       'server could replicate from it')
    if value is None:
        return None
    if _on(value):
        return Finding(name, value, OK, 'the replica logs what it applies, '
                       'so after a promotion the others find every '
                       'transaction in its binary log')
    return Finding(name, value, WARNING, 'applied transactions are not in '
                   'this replica\'s binary log, so once promoted, replicas '
                   'that lack them cannot get them from it (error 1236)')


def _relay_log_recovery(value, binlog_mode, mariadb):
    if value is None or value == '':
        return None
    if _on(value):
        return Finding('relay_log_recovery', value, OK, 'after a crash the '
                       'replica discards its relay log, which may be cut '
                       'short, and fetches again from what it applied')
    if mariadb and not binlog_mode:
        return Finding('relay_log_recovery', value, OK, 'in GTID mode '
                       'MariaDB restarts from gtid_slave_pos and fetches '
                       'again, whatever its relay log holds')
    return Finding('relay_log_recovery', value, RISK, 'after a crash the '
                   'replica trusts a relay log that may be cut short or '
                   'ahead of what it applied, and can stop or lose '
                   'transactions (seed 003)')


def _relay_log_info_repository(value, binlog_mode):
    if value.upper() == 'TABLE':
        return Finding('relay_log_info_repository', value, OK, 'the applier '
                       'position is committed in the same transaction as the '
                       'data it applied')
    return Finding('relay_log_info_repository', value,
                   RISK if binlog_mode else WARNING,
                   'the applier position is in a file written apart from '
                   'the data, so after a crash a transaction can be applied '
                   'twice or skipped%s' % (
                       '' if binlog_mode else
                       ' (GTID auto-positioning skips the ones it has)'))


def _master_use_gtid(status):
    use = status.using_gtid or 'No'
    if use.lower() == 'slave_pos':
        return Finding('MASTER_USE_GTID', use, OK, 'the replica resumes '
                       'from gtid_slave_pos, committed with the data it '
                       'applied')
    if use.lower() == 'current_pos':
        return Finding('MASTER_USE_GTID', use, WARNING, 'the replica\'s own '
                       'binary log writes count in where it resumes, so one '
                       'local write can stop replication (error 1236); '
                       'slave_pos ignores them')
    return Finding('MASTER_USE_GTID', use, RISK, 'binlog-position '
                   'replication keeps the applier position in relay-log.info,'
                   ' a file written apart from the data, so a crash can apply'
                   ' a transaction twice (error 1062) or skip one')


def _gtid_slave_pos_engine(engines):
    if engines is None:
        return None
    if not engines:
        return Finding('mysql.gtid_slave_pos', 'missing', RISK, 'without '
                       'the table the replica cannot record its GTID '
                       'position with the data')
    value = ', '.join('%s=%s' % (table, engine)
                      for table, engine in sorted(engines.items()))
    if all((engine or '').upper() == 'INNODB' for engine in engines.values()):
        return Finding('mysql.gtid_slave_pos', value, OK, 'the GTID '
                       'position is committed in the same InnoDB transaction '
                       'as the data')
    return Finding('mysql.gtid_slave_pos', value, RISK, 'a table of another '
                   'engine is not committed with the InnoDB data, so after a '
                   'crash the position can be behind or ahead of the data')


def _mysql_parallel(s):
    name = ('replica_parallel_workers' if s.get('replica_parallel_workers')
            else 'slave_parallel_workers')
    workers = _int(s.get(name))
    if workers is None:
        return None
    if workers <= 1:
        return Finding(name, str(workers), OK, 'one applier commits in the '
                       'source\'s order, so the executed set has no gaps')
    order = ('replica_preserve_commit_order'
             if s.get('replica_preserve_commit_order')
             else 'slave_preserve_commit_order')
    value = s.get(order)
    if value is None:
        return Finding(name, str(workers), WARNING, '%d appliers may commit '
                       'out of the source\'s order and this server cannot '
                       'preserve it: after a crash the executed set has gaps'
                       ' (seed 003)' % workers)
    if _on(value):
        return Finding(order, value, OK, 'the %d appliers commit in the '
                       'source\'s order, so a crash leaves no gaps in the '
                       'executed set' % workers)
    return Finding(order, value, RISK, 'the %d appliers commit out of the '
                   'source\'s order, so a crash leaves gaps in the executed '
                   'set, and with relay_log_recovery the restart can fail '
                   '(error 1872, seed 003)' % workers)


def _mariadb_parallel(s):
    threads = _int(s.get('slave_parallel_threads'))
    if threads is None:
        return None
    if threads <= 1:
        return Finding('slave_parallel_threads', str(threads), OK, 'one '
                       'applier commits in the source\'s order')
    mode = s.get('slave_parallel_mode') or 'conservative'
    return Finding('slave_parallel_threads', str(threads), OK, 'MariaDB\'s '
                   '%d appliers (slave_parallel_mode = %s) commit in the '
                   'source\'s order within each GTID domain, so '
                   'gtid_slave_pos has no gaps' % (threads, mode))


# -- semi-synchronous replication --------------------------------------

@dataclasses.dataclass(frozen=True)
class SemiSync:
    """Semi-synchronous replication on one server, as it runs now.

    ``running`` is what the source does at this moment: a source with it
    enabled falls back to asynchronous when no replica acknowledges
    within the timeout, and says so only in its status.
    """

    available: bool
    source_enabled: bool = False
    source_active: bool | None = None
    running: str = 'asynchronous'
    wait_point: str = ''
    timeout_ms: int | None = None
    clients: int | None = None
    replica_enabled: bool = False
    replica_active: bool | None = None
    findings: tuple = ()

    def to_dict(self):
        found = dataclasses.asdict(self)
        found['findings'] = [f.to_dict() for f in self.findings]
        return found


def _pick(mapping, *names):
    for name in names:
        if name in mapping:
            return mapping[name]
    return None


def semi_sync(settings, status):
    """:class:`SemiSync` from global variables and ``SHOW GLOBAL STATUS``
    (both with lower-case names). MySQL names them ``*_source_*`` /
    ``*_replica_*`` (older ``*_master_*`` / ``*_slave_*``, MariaDB's).
    """
    enabled = _pick(settings, 'rpl_semi_sync_source_enabled',
                    'rpl_semi_sync_master_enabled')
    replica_enabled = _pick(settings, 'rpl_semi_sync_replica_enabled',
                            'rpl_semi_sync_slave_enabled')
    if enabled is None and replica_enabled is None:
        return SemiSync(available=False, running='asynchronous (no '
                        'semi-synchronous replication on this server: '
                        'its plugin is not loaded)')
    source_on = _on(enabled)
    active = _pick(status, 'rpl_semi_sync_source_status',
                   'rpl_semi_sync_master_status')
    active = None if active is None else _on(active)
    replica_active = _pick(status, 'rpl_semi_sync_replica_status',
                           'rpl_semi_sync_slave_status')
    replica_active = None if replica_active is None else _on(replica_active)
    wait_point = _pick(settings, 'rpl_semi_sync_source_wait_point',
                       'rpl_semi_sync_master_wait_point') or ''
    timeout = _int(_pick(settings, 'rpl_semi_sync_source_timeout',
                         'rpl_semi_sync_master_timeout'))
    clients = _int(_pick(status, 'rpl_semi_sync_source_clients',
                         'rpl_semi_sync_master_clients'))
    findings = []
    if not source_on:
        running = 'asynchronous'
    elif active:
        running = 'semi-synchronous'
        findings.append(Finding('semi-sync', 'ON', OK, 'each commit waits '
                                'until a replica has received it, so a '
                                'failover to that replica loses none'))
    else:
        running = ('asynchronous (semi-synchronous is enabled but fell back: '
                   'no replica acknowledged within %s ms)' % timeout)
        findings.append(Finding('semi-sync', 'fell back', WARNING, 'the '
                                'source acknowledges commits no replica has '
                                'received, so a failover now can lose them; '
                                'it returns to semi-synchronous once a '
                                'semi-synchronous replica catches up'))
    if source_on and wait_point.upper() == 'AFTER_COMMIT':
        findings.append(Finding(
            'rpl_semi_sync_wait_point', wait_point, WARNING, 'other '
            'sessions see a transaction before a replica acknowledged it, '
            'so after a failover they may have read data that is gone; '
            'AFTER_SYNC waits before the commit becomes visible'))
    return SemiSync(
        available=True, source_enabled=source_on, source_active=active,
        running=running, wait_point=wait_point, timeout_ms=timeout,
        clients=clients, replica_enabled=_on(replica_enabled),
        replica_active=replica_active, findings=tuple(findings))


# -- how a replica replicates and how far behind it is -----------------

def replication_mode(status):
    """``(mode, detail)`` of a replica status: ``mysql_gtid``
    (``Auto_Position = 1``), ``mariadb_gtid`` (``Using_Gtid``) or
    ``binlog`` (file and position).
    """
    if status.auto_position:
        return 'mysql_gtid', 'Auto_Position = 1'
    use = status.using_gtid
    if use and use.lower() != 'no':
        return 'mariadb_gtid', 'Using_Gtid = %s' % use
    return 'binlog', 'at %s:%d of the source (%s)' % (
        status.exec_log_file or '?', status.exec_log_pos,
        'Using_Gtid = No' if use else 'Auto_Position = 0')


@dataclasses.dataclass(frozen=True)
class Lag:
    """How far a replica is behind.

    ``unapplied``: transactions received but not applied (MySQL: the
    retrieved GTIDs not executed; MariaDB: per domain, ``Gtid_IO_Pos``
    minus ``gtid_slave_pos`` sequence numbers). ``behind_source``: what
    the source executed that the replica has not, when the source is
    known. ``by_domain`` (MariaDB): ``{domain: {'unapplied': n,
    'behind_source': m}}``. ``unapplied_bytes``: binlog-position replicas
    reading and applying the same source file.
    """

    seconds: int | None = None
    unapplied: int | None = None
    behind_source: int | None = None
    by_domain: dict = dataclasses.field(default_factory=dict)
    unapplied_bytes: int | None = None

    @property
    def transactions(self):
        """The best count of transactions behind: against the source
        when known, else what was received and not applied.
        """
        if self.behind_source is not None:
            return self.behind_source
        return self.unapplied

    def to_dict(self):
        found = dataclasses.asdict(self)
        found['by_domain'] = {str(k): dict(v)
                              for k, v in sorted(self.by_domain.items())}
        found['transactions'] = self.transactions
        return found


def _parse_set(text):
    try:
        return gtid_sets.GtidSet.parse(text or '')
    except ValueError:
        return None


def _seq(position, domain):
    found = position.get(domain) if position is not None else None
    return found.seq_no if found is not None else 0


def lag(replica, source=None):
    """The :class:`Lag` of ``replica`` (a state with its replica status);
    ``source`` is the state of the server it replicates from, or None.
    """
    status = replica.replica
    if status is None:
        return None
    unapplied_bytes = None
    # Only binlog-position replicas are judged by coordinates: MySQL's
    # multi-threaded applier moves Exec_Source_Log_Pos at checkpoints.
    if replication_mode(status)[0] == 'binlog' and status.read_log_file \
            and status.read_log_file == status.exec_log_file:
        unapplied_bytes = max(0, status.read_log_pos - status.exec_log_pos)
    if replica.gtid_binlog_pos is not None or replica.gtid_slave_pos \
            is not None:
        return _mariadb_lag(replica, status, source, unapplied_bytes)
    unapplied = behind = None
    executed = _parse_set(status.executed_gtid_set) \
        if status.executed_gtid_set else replica.gtid_executed
    if executed is not None and replica.has_gtids:
        retrieved = _parse_set(status.retrieved_gtid_set)
        if retrieved is not None:
            unapplied = (retrieved - executed).count()
        if source is not None and source.has_gtids and \
                source.gtid_executed is not None:
            behind = (source.gtid_executed - executed).count()
    return Lag(seconds=status.seconds_behind, unapplied=unapplied,
               behind_source=behind, unapplied_bytes=unapplied_bytes)


def _mariadb_lag(replica, status, source, unapplied_bytes):
    applied = replica.gtid_slave_pos or gtid_sets.MariaDBGtidPosition()
    try:
        io_pos = gtid_sets.MariaDBGtidPosition.parse(status.gtid_io_pos)
    except ValueError:
        io_pos = gtid_sets.MariaDBGtidPosition()
    by_domain = {}
    unapplied = None
    if replication_mode(status)[0] == 'mariadb_gtid':
        unapplied = 0
        for g in io_pos:
            n = max(0, g.seq_no - _seq(applied, g.domain_id))
            by_domain.setdefault(g.domain_id, {})['unapplied'] = n
            unapplied += n
    behind = None
    if source is not None and source.gtid_binlog_pos is not None:
        behind = 0
        for g in source.gtid_binlog_pos:
            n = max(0, g.seq_no - _seq(applied, g.domain_id))
            by_domain.setdefault(g.domain_id, {})['behind_source'] = n
            behind += n
    return Lag(seconds=status.seconds_behind, unapplied=unapplied,
               behind_source=behind, by_domain=by_domain,
               unapplied_bytes=unapplied_bytes)


# -- who replicates from whom -------------------------------------------

@dataclasses.dataclass(frozen=True)
class Endpoint:
    """A server as replicas name their source: address and server_id
    (None when unknown: a server that could not be read).
    """

    name: str
    host: str
    port: int
    server_id: int | None


def _same_host(a, b):
    a, b = (a or '').lower(), (b or '').lower()
    return a == b or (a in _LOOPBACK and b in _LOOPBACK)


def find_source(status, endpoints):
    """The name of the endpoint ``status`` replicates from, or None.

    The port must match; then the source's ``server_id`` when both sides
    know it (the replica's I/O thread connected once), else the host
    (loopback names are one host).
    """
    found = []
    for e in endpoints:
        if e.port != status.source_port:
            continue
        if status.source_server_id and e.server_id is not None:
            if e.server_id == status.source_server_id:
                found.append(e)
        elif _same_host(e.host, status.source_host):
            found.append(e)
    return found[0].name if len(found) == 1 else None


def role(is_replica, has_replicas):
    """``source``, ``replica``, ``both`` or ``standalone``."""
    if is_replica and has_replicas:
        return 'both'
    if is_replica:
        return 'replica'
    return 'source' if has_replicas else 'standalone'


# -- check: what could not be checked, errant details, remedies --------

def gtid_comparison(source, replica):
    """``(verdict, errant, missing)`` by GTIDs whatever the mode, or None
    when either server has none. MariaDB compares the position the
    replica resumes from (its own writes included).
    """
    if source.gtid_binlog_pos is not None and \
            replica.gtid_binlog_pos is not None:
        return topology.classify_mariadb_positions(
            source.gtid_binlog_pos,
            source.purged_position or gtid_sets.MariaDBGtidPosition(),
            topology.mariadb_resume_position(replica),
            source.gtid_binlog_state or None)
    if source.has_gtids and replica.has_gtids and \
            source.gtid_executed is not None and \
            replica.gtid_executed is not None:
        verdict, errant, missing = topology.classify_gtid_sets(
            source.gtid_executed,
            source.gtid_purged or gtid_sets.GtidSet(),
            replica.gtid_executed)
        return verdict, str(errant), str(missing)
    return None


def unchecked(source, replica):
    """What cannot be checked between these two servers, in sentences."""
    if source.has_gtids and replica.has_gtids:
        return ()
    pairs = (('the source', source), ('the replica', replica))
    which = ' and '.join(name for name, state in pairs
                         if not state.has_gtids)
    return (
        'errant transactions: %s %s no GTIDs, so writes made on the replica '
        'alone cannot be told apart' % (
            which, 'have' if ' and ' in which else 'has'),
        'identical data: without GTIDs only binary log coordinates are '
        'compared, and they say nothing of data written outside '
        'replication',
    )


def former_source(source, replica, replicating=False):
    """True when the source holds some of the replica's own transactions
    and the replica does not replicate from it: the replica was once its
    source (or its source's source), so its own errant transactions are a
    former source's writes that never arrived. (A replica of this source
    whose earlier errant writes were covered by empty transactions holds
    its own GTIDs on the source too, but it replicates from it.)
    """
    if replicating:
        return False
    if replica.gtid_binlog_pos is not None:
        return any(g.server_id == replica.server_id
                   for g in source.gtid_binlog_state or ())
    uuid = (replica.server_uuid or '').lower()
    executed = source.gtid_executed
    return bool(uuid and executed is not None and uuid in executed.uuids())


def errant_detail(source, replica, errant):
    """The errant transactions named, one sentence per origin."""
    if not errant:
        return ()
    if replica.gtid_binlog_pos is not None:
        return _mariadb_errant_detail(source, replica, errant)
    errant_set = _parse_set(errant)
    if errant_set is None:
        return (errant,)
    own = (replica.server_uuid or '').lower()
    lines = []
    for uuid in errant_set.uuids():
        part = gtid_sets.GtidSet()
        for tag in errant_set.tags(uuid):
            part |= gtid_sets.GtidSet.from_intervals(
                uuid, errant_set.intervals(uuid, tag), tag)
        if uuid == own:
            origin = 'written on the replica itself'
        elif uuid == (source.server_uuid or '').lower():
            origin = ('numbered by the source\'s own server_uuid, but not '
                      'in its executed set')
        else:
            origin = 'from server %s, which the source never received' % uuid
        lines.append('%s: %d transaction%s %s' % (
            part, part.count(), '' if part.count() == 1 else 's', origin))
    return tuple(lines)


def _mariadb_errant_detail(source, replica, errant):
    """Per errant GTID, the sequence numbers it stands for: after the
    last one of that server the source logged, and after what the
    replica applied from a source (its ``gtid_slave_pos``), up to it.
    MariaDB numbers a domain's transactions one by one, so these are at
    most that many transactions, in the replica's binary log.
    """
    seen = {(g.domain_id, g.server_id): g.seq_no
            for g in source.gtid_binlog_state or ()}
    lines = []
    for g in gtid_sets.MariaDBGtidPosition.parse(errant):
        last = seen.get((g.domain_id, g.server_id))
        applied = _seq(replica.gtid_slave_pos, g.domain_id)
        first = max(last or 0, applied if applied < g.seq_no else 0) + 1
        who = ('the replica itself' if g.server_id == replica.server_id
               else 'server_id %d' % g.server_id)
        numbers = ('seq_no %d' % g.seq_no if first >= g.seq_no
                   else 'seq_no %d to %d' % (first, g.seq_no))
        if last is not None:
            after = ('after %d-%d-%d, the last of them the source logged'
                     % (g.domain_id, g.server_id, last))
        else:
            after = 'none of which the source logged'
        lines.append('%s: domain %d, transactions of %s with %s, %s'
                     % (g, g.domain_id, who, numbers, after))
    return tuple(lines)


@dataclasses.dataclass(frozen=True)
class Remedy:
    """What to do about one problem. ``statements`` (when given) are to
    run in order on the server named by ``run_on``.
    """

    problem: str
    action: str
    text: str
    run_on: str = ''
    statements: tuple = ()

    def to_dict(self):
        found = dataclasses.asdict(self)
        found['statements'] = list(self.statements)
        return found


def empty_transactions(source, errant):
    """Statements committing one empty transaction per errant GTID on a
    MySQL source, or () when there are too many (see
    :data:`MAX_INJECTED`) or the source has no MySQL GTIDs.
    """
    errant_set = _parse_set(errant)
    if not errant_set or source.gtid_executed is None or \
            errant_set.count() > MAX_INJECTED:
        return ()
    d = dialect.Dialect(capabilities.capabilities_for(source.version))
    statements = []
    for uuid in errant_set.uuids():
        for tag in errant_set.tags(uuid):
            for start, end in errant_set.intervals(uuid, tag):
                for n in range(start, end + 1):
                    name = '%s:%s%d' % (uuid, tag + ':' if tag else '', n)
                    statements += [s.sql for s in
                                   d.skip_transaction(name)[:3]]
    statements.append("SET gtid_next = 'AUTOMATIC'")
    return tuple(statements)


_REMEDIES = {
    'purged_binlogs': ('reseed', 'the transactions it lacks are gone from '
                       'the source\'s binary logs: restore a recent backup '
                       'of the source on the replica and attach with it as '
                       'the seed'),
    'seed_required': ('reseed', 'restore a backup of the source on the '
                      'replica and attach with it as the seed'),
    'behind_start_point': ('reseed', 'attach it in GTID mode (the source '
                           'sends what it lacks), or re-seed it from a '
                           'backup of the source'),
    'unverifiable_start': ('reseed', 'attach it from a backup of the source '
                           '(a seed): without GTIDs nothing else proves '
                           'where it stands'),
    'not_at_promotion_point': ('reseed', 're-seed it from a backup of the '
                               'new source'),
    'no_start_position': ('enable_source', 'enable the source\'s binary '
                          'log (attach enables it) and check again'),
    'source_no_binlog': ('enable_source', 'enable the source\'s binary log '
                         '(attach enables it) and check again'),
    'crash_unsafe': ('use_gtid_mode', 'check and attach in GTID mode '
                     '(--mode auto), or accept the risk with '
                     '--allow-crash-unsafe'),
    'gtid_mode_off': ('enable_gtid_mode', 'raise gtid_mode one step at a '
                      'time (OFF_PERMISSIVE, ON_PERMISSIVE, ON) on both '
                      'servers with enforce_gtid_consistency = ON, or check '
                      'in binlog mode'),
    'same_server_id': ('change_server_id', 'give one of the servers another '
                       'server_id (every server needs its own)'),
    'flavor_mismatch': ('discard', 'replicate MySQL from MySQL and MariaDB '
                        'from MariaDB: use another replica'),
    'replica_older': ('upgrade_replica', 'upgrade the replica to the '
                      'source\'s version or newer'),
    'no_backslash_escapes': ('fix_sql_mode', 'remove NO_BACKSLASH_ESCAPES '
                             'from the replica\'s global sql_mode'),
    'mode_mismatch': ('choose_mode', 'check both servers in one mode '
                      '(--mode binlog works on every server)'),
}


def remedies(problems, source, replica, mode, errant, replicating=False):
    """One :class:`Remedy` per problem (``topology.Problem`` values);
    ``replicating``: the replica replicates from this source now.
    """
    found = []
    for problem in problems:
        if problem.code == 'errant_transactions':
            found.append(_errant_remedy(source, replica, errant,
                                        replicating))
            continue
        action, text = _REMEDIES.get(problem.code, (
            'see_problem', problem.message))
        found.append(Remedy(problem.code, action, text))
    return tuple(found)


def _errant_remedy(source, replica, errant, replicating):
    if former_source(source, replica, replicating):
        return Remedy('errant_transactions', 'discard', (
            'the replica is a former source: its transactions %s never '
            'reached this source (lost in a failover) and cannot be replayed'
            ' in order now; save them from its binary log if they matter, '
            'then discard it and build a new replica from a backup of this '
            'source' % errant))
    own_only = False
    errant_set = _parse_set(errant) if replica.gtid_binlog_pos is None \
        else None
    if errant_set:
        own_only = set(errant_set.uuids()) <= {
            (replica.server_uuid or '').lower()}
    statements = empty_transactions(source, errant) if own_only else ()
    if statements:
        return Remedy('errant_transactions', 'inject_empty_transactions', (
            'if the transactions %s written on the replica changed nothing '
            'the source needs (maintenance run without sql_log_bin = 0, seed '
            '004), commit one empty transaction per GTID on the source so '
            'every server holds them; if they changed data, re-seed the '
            'replica from a backup of the source instead' % errant),
            run_on='source', statements=statements)
    return Remedy('errant_transactions', 'reseed', (
        'the replica holds transactions the source does not (%s): re-seed '
        'it from a backup of the source, or discard it' % errant))


def refine_binlog_verdict(verdict, source, replica):
    """Binlog mode names a replica resuming from its own applied position
    RECOVERABLE; it is IDENTICAL when it applied up to the source's own
    position.
    """
    status = replica.replica
    if verdict is not topology.Verdict.RECOVERABLE or status is None or \
            not source.binlog_position:
        return verdict
    if tuple(status.exec_coordinates) == tuple(source.binlog_position):
        return topology.Verdict.IDENTICAL
    return verdict
