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

"""Reading a server's heartbeat table (:mod:`~trove_gtid_strategy.
heartbeat_lag`): one query, and nothing at all on a server without it.
"""

import datetime

from trove_gtid_strategy.dialect import heartbeat as heartbeat_sql
from trove_gtid_strategy import errcodes
from trove_gtid_strategy import heartbeat_lag
from trove_gtid_strategy import state as state_mod

#: No table (or no database), or an account that may not read it:
#: the server has no heartbeat for us, which is no failure of status.
_ABSENT = (errcodes.ER_NO_SUCH_TABLE, errcodes.ER_BAD_DB_ERROR,
           errcodes.ER_TABLEACCESS_DENIED_ERROR,
           errcodes.ER_DBACCESS_DENIED_ERROR)


def read(service):
    """The server's :class:`~trove_gtid_strategy.heartbeat_lag.Reading`,
    or None when it has no heartbeat table it lets us read.
    """
    try:
        rows = service.execute_sql(
            heartbeat_sql.read_beats().sql).fetchall()
    except Exception as exc:
        if errcodes.error_number(exc) not in _ABSENT:
            raise
        return None
    beats = {int(server_id): heartbeat_lag.Beat(_moment(ts), float(interval))
             for server_id, ts, interval, _ in rows}
    return heartbeat_lag.Reading(beats, _moment(rows[0][3]) if rows
                                 else None)


def _moment(value):
    """A DATETIME(6) as the driver gave it: a datetime, or its text."""
    if isinstance(value, datetime.datetime):
        return value
    return datetime.datetime.fromisoformat(state_mod.text(value))
