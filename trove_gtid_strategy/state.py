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

"""What one server is and where its replication stands, as plain data.

:mod:`trove_gtid_strategy.guest.server_state` fills these from a live
server; everything that decides (pre-checks, mode drivers, topology
operations) reads them and never talks to a server itself, so each
decision can be tested with hand-made states.
"""

import dataclasses

from trove_gtid_strategy import gtid as gtid_sets

#: Schemas every server has; anything else is user data.
SYSTEM_SCHEMAS = frozenset(('mysql', 'information_schema',
                            'performance_schema', 'sys'))


def text(value):
    """A value as a server or driver returned it (``str``, ``bytes`` of a
    binary column or a bytes-returning driver, ``None``) as text; bytes
    that are not UTF-8 are shown, not refused (a message must never fail
    on them).
    """
    if isinstance(value, bytes):
        return value.decode('utf-8', 'replace')
    return '' if value is None else str(value)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _column(row, *names):
    """A SHOW REPLICA STATUS column under its old or new name."""
    for name in names:
        if name in row and row[name] is not None:
            return row[name]
    return ''


@dataclasses.dataclass(frozen=True)
class ReplicaStatus:
    """``SHOW REPLICA STATUS`` (or ``SHOW SLAVE STATUS``), one channel.

    Coordinates are the source's: ``read_*`` is how far the I/O thread
    has fetched, ``exec_*`` how far the SQL thread has applied.
    """

    source_host: str = ''
    source_port: int = 0
    source_user: str = ''
    source_server_id: int | None = None
    #: MySQL: the source's ``server_uuid`` as last connected (kept in the
    #: connection metadata after the source is gone); '' on MariaDB.
    source_uuid: str = ''
    io_running: str = 'No'
    sql_running: str = 'No'
    #: What the SQL thread is doing (``Replica_SQL_Running_State``).
    sql_state: str = ''
    last_io_errno: int = 0
    last_io_error: str = ''
    last_sql_errno: int = 0
    last_sql_error: str = ''
    read_log_file: str = ''
    read_log_pos: int = 0
    exec_log_file: str = ''
    exec_log_pos: int = 0
    seconds_behind: int | None = None
    #: MySQL: received and executed GTID sets (text as the server prints).
    retrieved_gtid_set: str = ''
    executed_gtid_set: str = ''
    auto_position: bool = False
    #: MariaDB: ``No``, ``Slave_Pos`` or ``Current_Pos``, and the last
    #: GTID the I/O thread received.
    using_gtid: str = ''
    gtid_io_pos: str = ''
    sql_delay: int = 0

    @classmethod
    def from_row(cls, row):
        """Build from one status row (a dict of column name to text)."""
        def text(*names):
            value = _column(row, *names)
            if isinstance(value, bytes):
                value = value.decode('utf-8', 'replace')
            return str(value)

        return cls(
            source_host=text('Master_Host', 'Source_Host'),
            source_port=_int(text('Master_Port', 'Source_Port')) or 0,
            source_user=text('Master_User', 'Source_User'),
            source_server_id=_int(text('Master_Server_Id',
                                       'Source_Server_Id')),
            source_uuid=text('Master_UUID', 'Source_UUID'),
            io_running=text('Slave_IO_Running', 'Replica_IO_Running') or 'No',
            sql_running=(text('Slave_SQL_Running', 'Replica_SQL_Running')
                         or 'No'),
            sql_state=text('Slave_SQL_Running_State',
                           'Replica_SQL_Running_State'),
            last_io_errno=_int(text('Last_IO_Errno')) or 0,
            last_io_error=text('Last_IO_Error'),
            last_sql_errno=_int(text('Last_SQL_Errno')) or 0,
            last_sql_error=text('Last_SQL_Error'),
            read_log_file=text('Master_Log_File', 'Source_Log_File'),
            read_log_pos=_int(text('Read_Master_Log_Pos',
                                   'Read_Source_Log_Pos')) or 0,
            exec_log_file=text('Relay_Master_Log_File',
                               'Relay_Source_Log_File'),
            exec_log_pos=_int(text('Exec_Master_Log_Pos',
                                   'Exec_Source_Log_Pos')) or 0,
            seconds_behind=_int(text('Seconds_Behind_Master',
                                     'Seconds_Behind_Source')),
            retrieved_gtid_set=text('Retrieved_Gtid_Set'),
            executed_gtid_set=text('Executed_Gtid_Set'),
            auto_position=text('Auto_Position') == '1',
            using_gtid=text('Using_Gtid'),
            gtid_io_pos=text('Gtid_IO_Pos'),
            sql_delay=_int(text('SQL_Delay')) or 0,
        )

    @property
    def running(self):
        return self.io_running == 'Yes' and self.sql_running == 'Yes'

    @property
    def stopped_error(self):
        """``(thread, errno, message)`` of a thread stopped on an error,
        or None. A thread still ``Connecting`` is not stopped.
        """
        if self.sql_running == 'No' and self.last_sql_errno:
            return 'SQL', self.last_sql_errno, self.last_sql_error
        if self.io_running == 'No' and self.last_io_errno:
            return 'I/O', self.last_io_errno, self.last_io_error
        return None

    @property
    def relay_log_applied(self):
        """The SQL thread has applied everything it has (it waits for
        more); a transaction the I/O thread fetched only in part never
        will be, so this, not the received set, ends a drain.
        """
        return self.sql_running == 'Yes' and (
            'read all relay log' in self.sql_state or self.fully_applied)

    @property
    def exec_coordinates(self):
        """``(file, position)`` of the source applied so far."""
        return self.exec_log_file, self.exec_log_pos

    @property
    def fully_applied(self):
        """The SQL thread applied everything the I/O thread fetched."""
        return (self.read_log_file, self.read_log_pos) == \
            self.exec_coordinates


@dataclasses.dataclass(frozen=True)
class ServerState:
    """What the decisions need to know of one server.

    GTID fields are None where the server has no such variable.
    ``purged_position`` is MariaDB's GTID position at the start of its
    oldest binary log (everything up to it is purged); ``binlog_files`` the
    binary logs, oldest first; ``settings`` the raw global variables read
    (lower-case names), for the crash-safety rules and audits.
    """

    version: object
    server_id: int
    server_uuid: str = ''
    log_bin: bool = False
    read_only: bool = False
    gtid_mode: str | None = None
    gtid_executed: gtid_sets.GtidSet | None = None
    gtid_purged: gtid_sets.GtidSet | None = None
    gtid_binlog_pos: gtid_sets.MariaDBGtidPosition | None = None
    gtid_slave_pos: gtid_sets.MariaDBGtidPosition | None = None
    #: MariaDB: the last GTID of every (domain, server) in the binary log.
    gtid_binlog_state: tuple = ()
    purged_position: gtid_sets.MariaDBGtidPosition | None = None
    binlog_files: tuple = ()
    #: ``(file, position)`` of its own binary log, where it writes one.
    binlog_position: tuple = ()
    no_backslash_escapes: bool = False
    #: Schemas other than the system ones (see :data:`SYSTEM_SCHEMAS`);
    #: None when the account that read the state cannot list them.
    user_schemas: tuple | None = ()
    settings: dict = dataclasses.field(default_factory=dict, compare=False)
    replica: ReplicaStatus | None = None

    def progress(self):
        """Everything that moves as the server applies or writes a
        transaction: two reads with equal progress saw one history.
        """
        applied = ((self.replica.exec_log_file, self.replica.exec_log_pos)
                   if self.replica is not None else ())
        return (str(self.gtid_executed), str(self.gtid_binlog_pos),
                str(self.gtid_slave_pos), self.gtid_binlog_state,
                self.binlog_position, applied)

    @property
    def has_gtids(self):
        """True when the server tracks GTIDs we can compare: MySQL with
        ``gtid_mode = ON``, or any MariaDB with GTID support.
        """
        if self.gtid_binlog_pos is not None:
            return True
        return (self.gtid_executed is not None
                and (self.gtid_mode or '').upper() == 'ON')

    def setting(self, name, default=''):
        return self.settings.get(name, default)
