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

"""A read-only consistent snapshot of a source, with the point it is at.

The snapshot is a transaction on the service's one session (our
adapter's connection), so every read of the source made through the
service while it is open sees the same data. Trove's service takes a
pooled connection per statement and cannot hold one: this is for the
command line.
"""

import contextlib

from oslo_log import log as logging

from trove_gtid_strategy import exceptions
from trove_gtid_strategy import flavors
from trove_gtid_strategy.guest import server_state
from trove_gtid_strategy.guest import statements
from trove_gtid_strategy import seeding
from trove_gtid_strategy import state as state_mod

LOG = logging.getLogger(__name__)


def _point(service, dia):
    """The snapshot's binlog coordinates and GTIDs (a StartPoint)."""
    rows = server_state.rows_as_dicts(
        service.execute_sql(dia.snapshot_coordinates().sql))
    if dia.snapshot_reports_coordinates:
        found = {state_mod.text(r['Variable_name']).lower():
                 state_mod.text(r['Value']) for r in rows}
        row = {'File': found.get('binlog_snapshot_file', ''),
               'Position': found.get('binlog_snapshot_position', '0')}
    else:
        row = {k: state_mod.text(v) for k, v in rows[0].items()} \
            if rows else {}
    log_file, log_pos = row.get('File'), int(row.get('Position') or 0)
    if not log_file:
        raise exceptions.PrecheckFailed(
            'the source writes no binary log: there is no point a replica '
            'could be stopped at')
    flavor = flavors.of(dia.caps)
    at_coordinates = server_state.gtid_pos_at(
        service, dia, log_file, log_pos) \
        if flavor.position_at_coordinates else None
    gtid_set, mariadb_pos = flavor.start_gtids(row, at_coordinates)
    return seeding.StartPoint('the source\'s snapshot', log_file, log_pos,
                              gtid_set, mariadb_pos)


@contextlib.contextmanager
def consistent(service, dia, lock_timeout):
    """Open a read-only snapshot on ``service`` and yield its point; it
    is rolled back on leaving (a session that cannot roll back is
    closed, which ends the transaction too).
    """
    for stmt in dia.snapshot_lock(lock_timeout):
        statements.run(service, stmt)
    try:
        for stmt in dia.start_snapshot():
            statements.run(service, stmt)
        point = _point(service, dia)
    finally:
        for stmt in dia.snapshot_unlock():
            statements.run(service, stmt)
    try:
        yield point
    finally:
        try:
            statements.run(service, dia.end_snapshot())
        except Exception as exc:
            LOG.warning('Closing the session of %s: its snapshot did not '
                        'roll back: %s', service.dsn.redacted(), exc)
            service.close()
