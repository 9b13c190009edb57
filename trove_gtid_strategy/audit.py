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

"""The crash-safety audit and semi-synchronous state of a server. Pure.

Reads :class:`~trove_gtid_strategy.state.ServerState` values (and a few
facts read alongside them) and returns findings, each with a level and
one sentence saying why it matters, so every conclusion is tested with
hand-made states:

* the **crash-safety audit** (:func:`crash_safety`): each setting that
  decides whether a crash loses, repeats or skips transactions (seed 003:
  "double 1", ``relay_log_recovery``, multi-threaded appliers);
* **semi-synchronous** replication as it runs now (:func:`semi_sync`): a
  source silently falls back to asynchronous after its timeout.

How a replica replicates and how far behind it is are in
:mod:`trove_gtid_strategy.replication_view`; what ``check`` concludes
(errant detail, remedies) in :mod:`trove_gtid_strategy.remedies`.
"""

import dataclasses

from trove_gtid_strategy import replication_view

OK = 'ok'
WARNING = 'warning'
RISK = 'risk'
LEVELS = (OK, WARNING, RISK)

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
    binlog_mode = replication_view.replication_mode(status)[0] == 'binlog'
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
