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
