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

"""The start point a backup tool left in a restored data directory."""

import os

from trove_gtid_strategy import exceptions
from trove_gtid_strategy import seeding


def read_start_point(datadir):
    """The start point in ``mariadb_backup_binlog_info`` or
    ``xtrabackup_binlog_info`` under ``datadir``; InvalidSeed without one.
    """
    for name in seeding.BINLOG_INFO_FILES:
        path = os.path.join(datadir, name)
        try:
            with open(path, encoding='utf-8', errors='replace') as f:
                return seeding.from_binlog_info(f.read(), path)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise exceptions.InvalidSeed('cannot read %s: %s'
                                         % (path, exc.strerror))
    raise exceptions.InvalidSeed(
        'the replica was restored from a backup but no start point was '
        'found (dataset keys, %s in %s)'
        % (' or '.join(seeding.BINLOG_INFO_FILES), datadir))
