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

"""Rows of ``SHOW BINLOG EVENTS`` / ``SHOW RELAYLOG EVENTS``: the statement
that lists them, the rows as :class:`Event` objects, and what a file's
header says (``Previous_gtids``, ``Gtid_list``). Pure: callers run the
statements and pass the rows in.

Both statements return ``Log_name, Pos, Event_type, Server_id,
End_log_pos, Info`` on MySQL 9.7 and MariaDB 10.11 / 11.8. Observed on
the servers here (rows in ``tests/unit/test_binlog.py``): in a
relay log ``End_log_pos`` is the *source's* position (0 for MariaDB
11.8's row events), ``Pos`` the relay log's own.
"""

import dataclasses
import re

from trove_gtid_strategy import gtid as gtid_sets
from trove_gtid_strategy import literals
from trove_gtid_strategy.state import text as _text

COLUMNS = ('Log_name', 'Pos', 'Event_type', 'Server_id', 'End_log_pos',
           'Info')
GTID_EVENTS = ('Gtid', 'Gtid_tagged_log_event', 'Gtid_log_event',
               'Anonymous_Gtid', 'Anonymous_Gtid_log_event')
#: Events outside transactions: file headers, rotations, bookkeeping.
FILE_EVENTS = frozenset((
    'Format_desc', 'Previous_gtids', 'Rotate', 'Stop', 'Gtid_list',
    'Binlog_checkpoint', 'Start_encryption', 'Heartbeat',
    'Heartbeat_log_event', 'Heartbeat_log_event_v2'))
_MYSQL_GTID = re.compile(r"GTID_NEXT\s*=\s*'([^']*)'", re.IGNORECASE)
_MARIADB_GTID = re.compile(r'\bGTID (\d+-\d+-\d+)')


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@dataclasses.dataclass(frozen=True)
class Event:
    """One row of ``SHOW BINLOG EVENTS`` or ``SHOW RELAYLOG EVENTS``."""

    log_name: str
    pos: int
    event_type: str
    server_id: int
    end_log_pos: int
    info: str

    @classmethod
    def from_row(cls, row):
        """From a dict keyed by column name, or a sequence in
        :data:`COLUMNS` order.
        """
        if isinstance(row, dict):
            row = [row.get(name) for name in COLUMNS]
        log_name, pos, event_type, server_id, end_log_pos, info = row
        return cls(_text(log_name), _int(pos), _text(event_type),
                   _int(server_id), _int(end_log_pos), _text(info))

    def to_dict(self):
        return dataclasses.asdict(self)


def events_from_rows(rows):
    return [Event.from_row(row) for row in rows]


def gtid_of(event):
    """The GTID an event starts a transaction with: ``'uuid:n'``,
    ``'uuid:tag:n'`` or ``'0-1-5'``; ``''`` for an anonymous one; None
    when the event starts no transaction.
    """
    if event.event_type not in GTID_EVENTS:
        return None
    found = _MYSQL_GTID.search(event.info)
    if found:
        value = found.group(1)
        return '' if value.upper() == 'ANONYMOUS' else value.lower()
    found = _MARIADB_GTID.search(event.info)
    if found:
        return found.group(1)
    return ''


def previous_gtids(events):
    """MySQL: the set of its ``Previous_gtids`` event (what the server
    had executed before the file), or None when the file has none.
    """
    for event in events:
        if event.event_type == 'Previous_gtids':
            return gtid_sets.GtidSet.parse(event.info.replace('\n', ''))
    return None


def gtid_list(events):
    """MariaDB: the GTIDs of its ``Gtid_list`` event (the binary log
    state when the file was started: the last GTID of every domain and
    server), or None when there is none.
    """
    for event in events:
        if event.event_type == 'Gtid_list':
            body = event.info.strip().strip('[]')
            return tuple(gtid_sets.MariaDBGtid.parse(item)
                         for item in body.split(',') if item.strip())
    return None


def show_events(relay, log_name, pos=None, offset=0, limit=None):
    """The text of ``SHOW BINLOG EVENTS`` (``relay=False``) or ``SHOW
    RELAYLOG EVENTS`` in ``log_name`` from ``pos``, skipping ``offset``
    events and returning at most ``limit``.
    """
    sql = 'SHOW %s EVENTS IN %s' % ('RELAYLOG' if relay else 'BINLOG',
                                    literals.quote(log_name))
    if pos is not None:
        sql += ' FROM %s' % literals.integer(pos, 'log position')
    if limit is not None:
        sql += ' LIMIT %s, %s' % (literals.integer(offset, 'offset'),
                                  literals.integer(limit, 'limit'))
    return sql


def next_log_name(log_name):
    """``name.000007`` for ``name.000006``: the file a log continues in."""
    stem, dot, number = log_name.rpartition('.')
    if not dot or not number.isdigit():
        return None
    return '%s.%0*d' % (stem, len(number), int(number) + 1)
