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

"""A replica whose source is gone applies everything it received, and
says what it then holds.

The same steps whoever asks: ``trove-gtid failover`` on each replica it
reaches, or a guest answering Trove's ``get_last_txn`` (the taskmanager
extension's eject). Nothing here creates a transaction: only the SQL
thread is stopped and started.
"""

from trove_gtid_strategy import gtid as gtid_sets
from trove_gtid_strategy.guest import server_state
from trove_gtid_strategy.guest import statements
from trove_gtid_strategy.guest import waits
from trove_gtid_strategy import seeding


def start_stopped_sql_thread(svc, name, progress):
    """A replica's SQL thread stopped, not on an error (an earlier
    drain, stopped halfway), is started: the drain needs it.
    """
    d = server_state.dialect_of(svc)
    status = server_state.read_replica_status(svc, d)
    if status is not None and status.sql_running == 'No' and \
            not status.last_sql_errno:
        progress('%s: starting its SQL thread (stopped, not on an error)'
                 % name)
        statements.run(svc, d.start_sql_thread())


def drained_state(svc, name, timeout, poll, progress):
    """The replica's :class:`~trove_gtid_strategy.state.ServerState` once
    everything it fetched is applied.

    A multi-threaded applier's coordinator says it has read all its relay
    log while its workers may still be committing what it handed them.
    On MySQL with GTIDs the wait is for the received set itself, which
    holds only transactions received whole (a transaction cut off with
    its source never applies): measured on 9.7, a partial one stays out
    of Retrieved_Gtid_Set. Elsewhere the SQL thread is stopped, which
    waits for the workers (committing in order, leaving no gap), and
    started again. (MySQL's STOP waits 60 s for a group received in part:
    the GTID wait avoids it.)
    """
    start_stopped_sql_thread(svc, name, progress)
    waits.until_relay_log_applied(svc, name, timeout, poll, progress)
    state = server_state.read_state(svc)
    status = state.replica
    if status is not None and state.version.flavor.is_mysql_family and \
            state.has_gtids:
        received = gtid_sets.GtidSet.parse(status.retrieved_gtid_set)
        if received:
            waits.until_applied(svc, name, seeding.StartPoint(
                'what it received whole', gtid_set=received),
                timeout, progress)
        return server_state.read_state(svc)
    d = server_state.dialect_of(svc)
    statements.run(svc, d.stop_sql_thread())
    try:
        return server_state.read_state(svc)
    finally:
        statements.run(svc, d.start_sql_thread())
