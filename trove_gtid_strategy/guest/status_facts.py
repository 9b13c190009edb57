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

"""What ``status`` reads from one server, before any conclusion: one
:class:`ServerFacts` per server (:func:`read_facts`), for
:func:`~trove_gtid_strategy.operations.status.build_report`, which
decides with no I/O.
"""

import dataclasses

from trove_gtid_strategy import capabilities
from trove_gtid_strategy import dialect
from trove_gtid_strategy.guest import fence
from trove_gtid_strategy.guest import heartbeat
from trove_gtid_strategy.guest import server_state
from trove_gtid_strategy import heartbeat_lag
from trove_gtid_strategy import literals
from trove_gtid_strategy import state as state_mod

#: Read besides :data:`server_state.VARIABLES`.
EXTRA_VARIABLES = (
    'gtid_current_pos', 'rpl_semi_sync_source_wait_for_replica_count',
    'rpl_semi_sync_source_wait_no_replica',
    'rpl_semi_sync_master_wait_no_slave',
)
#: ``SHOW GLOBAL STATUS`` names of semi-synchronous replication.
SEMI_SYNC_STATUS = (
    'Rpl_semi_sync_source_status', 'Rpl_semi_sync_master_status',
    'Rpl_semi_sync_source_clients', 'Rpl_semi_sync_master_clients',
    'Rpl_semi_sync_replica_status', 'Rpl_semi_sync_slave_status',
)
_GTID_SLAVE_POS_ENGINES = (
    "SELECT TABLE_NAME, ENGINE FROM information_schema.TABLES WHERE "
    "TABLE_SCHEMA = 'mysql' AND LEFT(TABLE_NAME, 14) = 'gtid_slave_pos'")


@dataclasses.dataclass(frozen=True)
class ServerFacts:
    """Everything read from one server, before any conclusion."""

    name: str
    dsn: str
    host: str
    state: state_mod.ServerState
    #: ``Replica_IO_State`` / ``Replica_SQL_Running_State`` text.
    io_state: str = ''
    sql_state: str = ''
    #: ``SHOW GLOBAL STATUS`` values read (lower-case names).
    global_status: dict = dataclasses.field(default_factory=dict)
    #: MariaDB: ``{table: engine}`` of ``mysql.gtid_slave_pos*``.
    gtid_slave_pos_engines: dict | None = None
    #: Replicas connected now (binlog dump sessions).
    dump_sessions: int = 0
    #: Our settings files in its conf dir (None: conf dir unknown).
    settings_files: frozenset | None = None
    #: Accounts a fence locked and nobody unlocked.
    fence_locks: tuple = ()
    #: Its heartbeat table (:class:`~trove_gtid_strategy.heartbeat_lag.
    #: Reading`), None without one.
    heartbeat: heartbeat_lag.Reading | None = None


def _column(row, *names):
    for name in names:
        if row.get(name) is not None:
            return state_mod.text(row[name])
    return ''


def read_facts(service, name=None):
    """Read one server for :func:`~trove_gtid_strategy.operations.status.
    build_report` (as its administrator).
    """
    state = server_state.read_state(service)
    caps = capabilities.capabilities_for(state.version)
    d = dialect.Dialect(caps)
    rows = server_state.rows_as_dicts(service.execute_sql(
        d.show_replica_status().sql))
    io_state = sql_state = ''
    replica = None
    if rows:
        row = {k: state_mod.text(v) for k, v in rows[0].items()}
        replica = state_mod.ReplicaStatus.from_row(row)
        io_state = _column(row, 'Replica_IO_State', 'Slave_IO_State')
        sql_state = _column(row, 'Replica_SQL_Running_State',
                            'Slave_SQL_Running_State')
    extra = server_state.read_variables(service, EXTRA_VARIABLES)
    state = dataclasses.replace(state, replica=replica,
                                settings=dict(state.settings, **extra))
    global_status = {
        state_mod.text(r[0]).lower(): state_mod.text(r[1])
        for r in service.execute_sql(
            'SHOW GLOBAL STATUS WHERE Variable_name IN (%s)' % ', '.join(
                literals.quote(n) for n in SEMI_SYNC_STATUS)).fetchall()}
    engines = None
    if not state.version.flavor.is_mysql_family and replica is not None:
        rows = service.execute_sql(_GTID_SLAVE_POS_ENGINES).fetchall()
        engines = {state_mod.text(r[0]): state_mod.text(r[1])
                   for r in rows}
    sessions = len(service.execute_sql(
        dialect.binlog_dump_sessions().sql).fetchall())
    files = getattr(service, 'settings_files', None)
    return ServerFacts(
        name=name or _default_name(service), dsn=redacted(service),
        host=host(service), state=state, io_state=io_state,
        sql_state=sql_state, global_status=global_status,
        gtid_slave_pos_engines=engines, dump_sessions=sessions,
        settings_files=files() if files is not None else None,
        fence_locks=tuple(str(a) for a in fence.fenced_accounts(service)),
        heartbeat=heartbeat.read(service))


def redacted(service):
    """Its DSN without the password, or nothing."""
    dsn = getattr(service, 'dsn', None)
    return dsn.redacted() if dsn is not None else ''


def host(service):
    """Its address as replicas name their source."""
    dsn = getattr(service, 'dsn', None)
    return (getattr(service, 'replication_host', None)
            or (dsn.host if dsn is not None else '') or '')


def _default_name(service):
    dsn = getattr(service, 'dsn', None)
    if dsn is not None:
        return dsn.unix_socket or '%s:%d' % (dsn.host, dsn.port)
    return 'port %s' % service.get_port()
