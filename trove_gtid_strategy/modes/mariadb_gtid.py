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

"""MariaDB GTIDs (``MASTER_USE_GTID = slave_pos``, 10.0.10+).

The replica resumes from ``gtid_slave_pos``, which MariaDB updates in
the same transaction as the data it applies (the ``mysql.gtid_slave_pos``
table), so a replica killed under writes resumes exactly where its data
is. Positions keep one GTID per domain, so comparisons are per domain,
and the source's ``gtid_binlog_state`` tells a replica's own writes apart
from transactions the source logged.
"""

from trove_gtid_strategy import gtid as gtid_sets
from trove_gtid_strategy.modes import base
from trove_gtid_strategy.modes import Mode
from trove_gtid_strategy import topology


class MariaDBGtidDriver(base.ModeDriver):

    mode = Mode.MARIADB_GTID
    seed_needs = 'a MariaDB GTID position (gtid_slave_pos)'

    def seed_usable(self, start):
        return start.mariadb_pos is not None

    def classify(self, source, replica, request):
        if source.gtid_binlog_pos is None:
            return base.Classification(None)
        if request.seeded:
            presented = request.seed.mariadb_pos
        else:
            # Local writes show in the replica's own binary log, not in
            # its slave position: check the position it will resume from.
            presented = topology.mariadb_resume_position(replica)
        verdict, errant, missing = topology.classify_mariadb_positions(
            source.gtid_binlog_pos,
            source.purged_position or gtid_sets.MariaDBGtidPosition(),
            presented, source.gtid_binlog_state or None)
        refusal = topology.verdict_problem(verdict, errant, missing)
        return base.Classification(
            verdict, errant, missing, (refusal,) if refusal else (),
            start=request.seed if request.seeded else None)

    def start_statements(self, d, replica, start, seeded):
        if seeded:
            # The restored data replaces the replica's history.
            return [d.reset_binary_logs(),
                    d.set_gtid_slave_pos(start.mariadb_pos)]
        # A demoted source's own transactions are in its binary log, not
        # in its slave position; the checks proved them present on the
        # source, so continue after them.
        position = topology.mariadb_resume_position(replica)
        if position != replica.gtid_slave_pos:
            return [d.set_gtid_slave_pos(position)]
        return []

    def change_source(self, d, request, start, connect_retry):
        return d.change_source_to_mariadb_gtid(request.source, connect_retry,
                                               request.tls)
