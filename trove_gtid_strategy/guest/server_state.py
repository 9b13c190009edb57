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

"""What a server is and where its replication stands, read over SQL.

Only ``service.execute_sql`` is used, so this works on Trove's service
object (SQLAlchemy results) and on ours alike. The server is asked what it
is; nothing here trusts a version label. The results are the plain data
of :mod:`trove_gtid_strategy.state`, which the decisions read.
"""

from trove_gtid_strategy import capabilities
from trove_gtid_strategy import dialect
from trove_gtid_strategy import flavors
from trove_gtid_strategy import gtid
from trove_gtid_strategy import seeding
from trove_gtid_strategy import state as state_mod
from trove_gtid_strategy import versions

#: Variables read for every state: identity, GTIDs, and the settings the
#: crash-safety rules and the status audit look at.
VARIABLES = (
    'version', 'version_comment', 'server_id', 'server_uuid', 'log_bin',
    'read_only', 'super_read_only', 'sql_mode', 'port',
    'log_bin_basename', 'relay_log_basename', 'gtid_current_pos',
    'gtid_mode', 'enforce_gtid_consistency', 'gtid_executed', 'gtid_purged',
    'gtid_binlog_pos', 'gtid_slave_pos', 'gtid_binlog_state',
    'gtid_strict_mode', 'gtid_domain_id',
    'sync_binlog', 'innodb_flush_log_at_trx_commit', 'binlog_format',
    'log_slave_updates', 'log_replica_updates', 'relay_log_recovery',
    'relay_log_info_repository', 'master_info_repository',
    'slave_parallel_workers', 'replica_parallel_workers',
    'slave_parallel_threads', 'slave_parallel_mode',
    'slave_preserve_commit_order', 'replica_preserve_commit_order',
    'rpl_semi_sync_master_enabled', 'rpl_semi_sync_slave_enabled',
    'rpl_semi_sync_source_enabled', 'rpl_semi_sync_replica_enabled',
    'rpl_semi_sync_master_wait_point', 'rpl_semi_sync_source_wait_point',
    'rpl_semi_sync_master_timeout', 'rpl_semi_sync_source_timeout',
)
_ON = ('ON', '1')


def rows_as_dicts(result):
    """Rows of a SQLAlchemy or :class:`~guest.service.Result` result."""
    keys = list(result.keys())
    return [dict(zip(keys, row)) for row in result.fetchall()]


def read_variables(service, names):
    """Global variables by name; a variable the server lacks is absent."""
    stmt = dialect.show_variables(names)
    return {state_mod.text(row[0]).lower(): state_mod.text(row[1])
            for row in service.execute_sql(stmt.sql).fetchall()}


def read_version(service):
    """The server's :class:`ServerVersion` and :class:`Capabilities`."""
    variables = read_variables(service, ('version', 'version_comment'))
    version = versions.parse_server_version(
        variables.get('version', ''), variables.get('version_comment', ''))
    return version, capabilities.capabilities_for(version)


def dialect_of(service):
    """The SQL :class:`~trove_gtid_strategy.dialect.Dialect` of the server
    ``service`` reaches (our adapter or Trove's App alike).
    """
    return dialect.Dialect(read_version(service)[1])


def read_state(service, binlog_files=True, admin=True):
    """A :class:`~trove_gtid_strategy.state.ServerState` of the server
    behind ``service``, with its replica status when it is a replica.

    ``admin=False`` reads only what a replication account may see (the
    source probe): no schema list (``user_schemas`` is None, unknown) and
    no replica status.
    """
    v = read_variables(service, VARIABLES)
    version = versions.parse_server_version(v.get('version', ''),
                                            v.get('version_comment', ''))
    caps = capabilities.capabilities_for(version)
    d = dialect.Dialect(caps)
    state = dict(
        version=version,
        server_id=int(v.get('server_id') or 0),
        server_uuid=v.get('server_uuid', ''),
        log_bin=v.get('log_bin', '').upper() in _ON,
        read_only=v.get('read_only', '').upper() in _ON,
        no_backslash_escapes='NO_BACKSLASH_ESCAPES' in v.get(
            'sql_mode', '').upper(),
        gtid_mode=v.get('gtid_mode'),
        settings=v,
        user_schemas=read_user_schemas(service) if admin else None,
        replica=read_replica_status(service, d) if admin else None,
    )
    state.update(flavors.of(caps).executed_fields(v))
    if state['log_bin']:
        log_file, log_pos = read_source_position(service, d)
        if log_file:
            state['binlog_position'] = (log_file, log_pos)
    if binlog_files and state['log_bin']:
        files = tuple(state_mod.text(row[0]) for row in service.execute_sql(
            dialect.show_binary_logs().sql).fetchall())
        state['binlog_files'] = files
        if flavors.of(caps).position_at_coordinates and files:
            # The GTID position at the start of the oldest binary log:
            # everything up to it is purged.
            state['purged_position'] = gtid_pos_at(service, d, files[0], 4)
    return state_mod.ServerState(**state)


def read_user_schemas(service):
    """The schemas that hold user data (not the system ones)."""
    rows = service.execute_sql(
        'SELECT SCHEMA_NAME FROM information_schema.SCHEMATA').fetchall()
    return tuple(sorted(name for name in (state_mod.text(r[0]) for r in rows)
                        if name.lower() not in state_mod.SYSTEM_SCHEMAS))


def read_replica_status(service, dia):
    """:class:`~trove_gtid_strategy.state.ReplicaStatus`, or None when
    the server is not a replica.
    """
    rows = rows_as_dicts(service.execute_sql(dia.show_replica_status().sql))
    if not rows:
        return None
    return state_mod.ReplicaStatus.from_row(
        {k: state_mod.text(val) for k, val in rows[0].items()})


def read_source_position(service, dia):
    """The server's own binlog file and position, or (None, None)."""
    row = read_source_status(service, dia)
    if not row:
        return None, None
    return state_mod.text(row.get('File')), int(row.get('Position') or 0)


def read_source_status(service, dia):
    """``SHOW BINARY LOG STATUS`` / ``SHOW MASTER STATUS`` as a dict (the
    MySQL form carries ``Executed_Gtid_Set`` read with the position).
    """
    rows = rows_as_dicts(service.execute_sql(dia.show_source_status().sql))
    if not rows:
        return None
    return {k: state_mod.text(val) for k, val in rows[0].items()}


def gtid_pos_at(service, dia, log_file, log_pos):
    """MariaDB: the GTID position at a binlog file and offset."""
    stmt = dia.binlog_gtid_pos(log_file, log_pos)
    return gtid.MariaDBGtidPosition.parse(
        state_mod.text(service.execute_sql(stmt.sql).scalar()))


def current_position(service, caps):
    """The server's position as a start point: binlog coordinates with
    the GTIDs executed exactly there, where the server has GTIDs.

    MySQL reports its executed set in the same row as the coordinates;
    MariaDB computes the position at the coordinates with
    ``BINLOG_GTID_POS``. Either way the pair is consistent even while
    the source is being written to.
    """
    d = dialect.Dialect(caps)
    row = read_source_status(service, d)
    if not row or not row.get('File'):
        return None
    log_file = state_mod.text(row['File'])
    log_pos = int(row.get('Position') or 0)
    flavor = flavors.of(caps)
    at_coordinates = gtid_pos_at(service, d, log_file, log_pos) \
        if flavor.position_at_coordinates else None
    gtid_set, mariadb_pos = flavor.start_gtids(row, at_coordinates)
    return seeding.StartPoint('the source\'s position', log_file, log_pos,
                              gtid_set, mariadb_pos)
