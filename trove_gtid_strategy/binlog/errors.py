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

"""What an SQL thread's error message says about where it failed. Pure."""

import dataclasses
import re

from trove_gtid_strategy import errcodes

_ERROR_GTID = re.compile(r"transaction '([^']+)'")
_ERROR_POSITION = re.compile(
    r'(?:source|master) log ([^\s,]+), end_log_pos (\d+)')


@dataclasses.dataclass(frozen=True)
class ErrorHint:
    """What an SQL thread's error message says about where it failed."""

    gtid: str = ''
    log_name: str = ''
    end_log_pos: int = 0


def error_hint(message):
    """Read ``Last_SQL_Error``: MySQL's multi-threaded applier names the
    failed transaction (``Worker 1 failed executing transaction
    'uuid:13' at source log binlog.000001, end_log_pos 3882``); both
    flavors name the source's position (``the event's master log
    mysql-bin.000001, end_log_pos 2822``; MariaDB 11.8 writes 0 there).
    """
    gtid = _ERROR_GTID.search(message or '')
    position = _ERROR_POSITION.search(message or '')
    return ErrorHint(
        gtid.group(1).lower() if gtid and gtid.group(1).upper() !=
        'ANONYMOUS' else '',
        position.group(1) if position else '',
        int(position.group(2)) if position else 0)


def failed_worker_message(last_sql_error, worker_errors):
    """The message naming the transaction MySQL's applier failed on.

    ``Last_SQL_Error`` quotes the worker that reported last ("The most
    recent failure being: Worker 3 ..."). With
    ``replica_preserve_commit_order`` that can be a worker that only
    stopped because an earlier one failed (error 3030), naming a later
    transaction that did nothing wrong (seen on 9.7: the duplicate key at
    end_log_pos 7136, the message naming 7417). ``worker_errors``:
    ``(number, message)`` of each worker that stopped on an error. The
    failed transaction is the earliest in the source's log among the
    workers' own errors; without any, ``last_sql_error`` as it is.
    """
    bystander = errcodes.ER_REPLICA_WORKER_STOPPED_PREVIOUS_THD_ERROR
    own = [(error_hint(message), message)
           for number, message in worker_errors
           if int(number) != bystander and message]
    located = [(hint, message) for hint, message in own
               if hint.end_log_pos]
    if not located:
        return own[0][1] if own else last_sql_error
    return min(located, key=lambda found: (_log_order(found[0].log_name),
                                           found[0].end_log_pos))[1]


def _log_order(log_name):
    """A binary log file name as a sortable key (its numbered suffix)."""
    stem, _, number = log_name.rpartition('.')
    return (stem, int(number)) if number.isdigit() else (log_name, -1)
