"""What a server is and where its replication stands, read over SQL.

Only ``service.execute_sql`` is used, so this works on Trove's service
object (SQLAlchemy results) and on ours alike. The server is asked what it
is; nothing here trusts a version label.
"""

from trove_gtid_strategy import capabilities
from trove_gtid_strategy import dialect
from trove_gtid_strategy import gtid
from trove_gtid_strategy import topology
from trove_gtid_strategy import versions

_VARIABLES = ('version', 'version_comment', 'server_id', 'log_bin',
              'read_only', 'sql_mode', 'gtid_mode', 'gtid_executed',
              'gtid_purged', 'gtid_binlog_pos', 'gtid_slave_pos',
              'gtid_binlog_state')


def rows_as_dicts(result):
    """Rows of a SQLAlchemy or :class:`~guest.service.Result` result."""
    keys = list(result.keys())
    return [dict(zip(keys, row)) for row in result.fetchall()]


def _text(value):
    if isinstance(value, bytes):
        return value.decode('utf-8')
    return '' if value is None else str(value)


def read_variables(service, names):
    """Global variables by name; a variable the server lacks is absent."""
    stmt = dialect.show_variables(names)
    return {_text(row[0]).lower(): _text(row[1])
            for row in service.execute_sql(stmt.sql).fetchall()}


def read_version(service):
    """The server's :class:`ServerVersion` and :class:`Capabilities`."""
    variables = read_variables(service, ('version', 'version_comment'))
    version = versions.parse_server_version(
        variables.get('version', ''), variables.get('version_comment', ''))
    return version, capabilities.capabilities_for(version)


def read_state(service, binlog_files=True):
    """A :class:`topology.ServerState` of the server behind ``service``."""
    v = read_variables(service, _VARIABLES)
    version = versions.parse_server_version(v.get('version', ''),
                                            v.get('version_comment', ''))
    caps = capabilities.capabilities_for(version)
    on = {'ON', '1'}
    state = dict(
        version=version,
        server_id=int(v.get('server_id') or 0),
        log_bin=v.get('log_bin', '').upper() in on,
        read_only=v.get('read_only', '').upper() in on,
        no_backslash_escapes='NO_BACKSLASH_ESCAPES' in v.get(
            'sql_mode', '').upper(),
        gtid_mode=v.get('gtid_mode'),
    )
    if caps.gtid_style == 'mysql':
        state['gtid_executed'] = gtid.GtidSet.parse(
            v.get('gtid_executed', ''))
        state['gtid_purged'] = gtid.GtidSet.parse(v.get('gtid_purged', ''))
    elif caps.gtid_style == 'mariadb':
        state['gtid_binlog_pos'] = gtid.MariaDBGtidPosition.parse(
            v.get('gtid_binlog_pos', ''))
        state['gtid_slave_pos'] = gtid.MariaDBGtidPosition.parse(
            v.get('gtid_slave_pos', ''))
        state['gtid_binlog_state'] = tuple(
            gtid.MariaDBGtid.parse(item) for item in
            v.get('gtid_binlog_state', '').replace('\n', '').split(',')
            if item.strip())
    if binlog_files and state['log_bin']:
        files = tuple(_text(row[0]) for row in service.execute_sql(
            dialect.show_binary_logs().sql).fetchall())
        state['binlog_files'] = files
        if caps.gtid_style == 'mariadb' and files:
            # The GTID position at the start of the oldest binary log:
            # everything up to it is purged.
            oldest = dialect.Dialect(caps).binlog_gtid_pos(files[0], 4)
            state['purged_position'] = gtid.MariaDBGtidPosition.parse(
                _text(service.execute_sql(oldest.sql).scalar()))
    return topology.ServerState(**state)


def read_replica_status(service, dia):
    """``SHOW REPLICA STATUS`` as a dict, or None when not a replica."""
    rows = rows_as_dicts(service.execute_sql(dia.show_replica_status().sql))
    if not rows:
        return None
    return {k: _text(val) for k, val in rows[0].items()}


def read_source_position(service, dia):
    """The source's current binlog file and position, or (None, None)."""
    rows = rows_as_dicts(service.execute_sql(dia.show_source_status().sql))
    if not rows:
        return None, None
    return _text(rows[0].get('File')), int(rows[0].get('Position') or 0)
