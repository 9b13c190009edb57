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

"""Waits report progress naming the server, and stop at once on a
thread's error, on a scripted MariaDB 10.11 replica (the real-server
tests cannot make a wait last long enough to print, deterministically).
"""

import pytest

from trove_gtid_strategy import exceptions
from trove_gtid_strategy.gtid import MariaDBGtidPosition
from trove_gtid_strategy.guest import service as guest_service
from trove_gtid_strategy.guest import waits
from trove_gtid_strategy.seeding import StartPoint

NAME = '127.0.0.1:3307'


def status_row(io='Yes', sql='Yes', sql_errno=0, sql_error=''):
    return {'Master_Host': '127.0.0.1', 'Master_Port': '3306',
            'Slave_IO_Running': io, 'Slave_SQL_Running': sql,
            'Last_IO_Errno': '0', 'Last_IO_Error': '',
            'Last_SQL_Errno': str(sql_errno), 'Last_SQL_Error': sql_error,
            'Master_Log_File': 'mysql-bin.000001',
            'Read_Master_Log_Pos': '900',
            'Relay_Master_Log_File': 'mysql-bin.000001',
            'Exec_Master_Log_Pos': '400', 'Seconds_Behind_Master': '3',
            'Using_Gtid': 'Slave_Pos', 'Gtid_IO_Pos': '0-1-10'}


class ScriptedReplica:
    """A MariaDB 10.11 replica whose status rows and wait answers come
    from lists, one per read; the last one repeats.
    """

    def __init__(self, rows, waits_answers=(0,)):
        self.rows = list(rows)
        self.answers = list(waits_answers)
        self.sent = []

    @staticmethod
    def _next(items):
        return items.pop(0) if len(items) > 1 else items[0]

    def execute_sql(self, sql, use_flush=False):
        self.sent.append(sql)
        if sql.startswith('SHOW GLOBAL VARIABLES'):
            values = {'version': '10.11.19-MariaDB-log',
                      'version_comment': 'x'}
            return guest_service.Result(
                ['Variable_name', 'Value'],
                [(k, v) for k, v in values.items() if "'%s'" % k in sql])
        if sql in ('SHOW REPLICA STATUS', 'SHOW SLAVE STATUS'):
            row = self._next(self.rows)
            return guest_service.Result(list(row), [tuple(row.values())])
        if sql.startswith('SELECT MASTER_GTID_WAIT'):
            return guest_service.Result(['w'], [(self._next(self.answers),)])
        raise AssertionError('unexpected statement: %s' % sql)


def test_until_running_names_the_server_once_per_state():
    replica = ScriptedReplica([status_row(io='Connecting', sql='Yes'),
                               status_row(io='Connecting', sql='Yes'),
                               status_row(io='Yes', sql='No'),
                               status_row()])
    lines = []
    status = waits.until_running(replica, NAME, timeout=60, poll=0,
                                 progress=lines.append)
    assert status.running
    # Polls come quickly at first: a state is said once, not per poll.
    assert lines == ['%s: replication threads I/O Connecting, SQL Yes'
                     % NAME, '%s: replication threads I/O Yes, SQL No'
                     % NAME]


def test_pauses_start_short_and_grow_to_the_poll_interval():
    pauses = waits._pauses(0.5)
    assert [next(pauses) for _ in range(8)] == [
        0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.5, 0.5]


def test_until_applied_names_the_server_and_prints_positions():
    replica = ScriptedReplica([status_row()], waits_answers=[-1, -1, 0])
    start = StartPoint('test', mariadb_pos=MariaDBGtidPosition.parse(
        '0-1-10'))
    lines = []
    waits.until_applied(replica, NAME, start, timeout=60,
                        progress=lines.append)
    assert lines == ['%s: waiting to apply GTIDs 0-1-10; applied '
                     'mysql-bin.000001:400, lag 3s' % NAME] * 2


def test_until_applied_stops_at_once_on_the_sql_threads_error():
    replica = ScriptedReplica(
        [status_row(sql='No', sql_errno=1146,
                    sql_error="Table 'db.t' doesn't exist")],
        waits_answers=[None])
    start = StartPoint('test', mariadb_pos=MariaDBGtidPosition.parse(
        '0-1-10'))
    with pytest.raises(exceptions.ReplicationError) as caught:
        waits.until_applied(replica, NAME, start, timeout=3600,
                            progress=lambda line: None)
    message = str(caught.value)
    assert NAME in message and '1146' in message
    assert "Table 'db.t' doesn't exist" in message
    # One wait, one status read: no polling until the timeout.
    assert sum(s.startswith('SELECT MASTER_GTID_WAIT')
               for s in replica.sent) == 1
