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

"""MariaDB's GTIDs (10.0.10+): ``domain-server-seq``, one position per
replication domain. The executed state is ``gtid_binlog_pos`` with
``gtid_slave_pos`` (and ``gtid_binlog_state``, the last GTID per domain
and server); at binlog coordinates it is ``BINLOG_GTID_POS``. Every
transaction gets a GTID, so no variable decides that. A failed
transaction is skipped with the skip counter (one whole event group),
which leaves its GTID out of the replica's binary log; a parallel
applier runs domains independently.
"""

from trove_gtid_strategy.flavors import base
from trove_gtid_strategy import gtid as gtid_sets
from trove_gtid_strategy import topology

_PARALLEL_THREADS = ('slave_parallel_threads', 'replica_parallel_threads')


class MariaDBGtids(base.NoGtids):

    style = 'mariadb'
    title = 'MariaDB'
    mode = 'mariadb_gtid'
    option_names = ('gtid_strict_mode', 'gtid_domain_id',
                    'gtid_ignore_duplicates')
    position_at_coordinates = True
    skip_leaves_binlog_hole = True
    until_gtids_option = 'MASTER_GTID_POS'
    until_gtids_stops_receiver = True

    def position_options(self, prefix):
        return [(prefix + 'USE_GTID', 'no')]

    def executed_fields(self, variables):
        return {
            'gtid_binlog_pos': gtid_sets.MariaDBGtidPosition.parse(
                variables.get('gtid_binlog_pos', '')),
            'gtid_slave_pos': gtid_sets.MariaDBGtidPosition.parse(
                variables.get('gtid_slave_pos', '')),
            'gtid_binlog_state': tuple(
                gtid_sets.MariaDBGtid.parse(item) for item in
                variables.get('gtid_binlog_state', '').replace(
                    '\n', '').split(',') if item.strip()),
        }

    def start_gtids(self, status_row, at_coordinates):
        return None, at_coordinates

    def wait_target(self, start):
        return start.mariadb_pos

    def gtids_assigned(self, variables):
        return True

    def applied_test(self, variables):
        position = gtid_sets.MariaDBGtidPosition.parse(
            variables.get('gtid_slave_pos', ''))

        def applied(txn):
            if not txn.gtid:
                return False
            g = gtid_sets.MariaDBGtid.parse(txn.gtid)
            known = position.get(g.domain_id)
            return known is not None and known.seq_no >= g.seq_no
        return applied

    def normalise_gtid(self, text):
        return str(gtid_sets.MariaDBGtid.parse(str(text).strip()))

    def domain_of(self, gtid_text):
        if '-' in gtid_text and ':' not in gtid_text:
            return gtid_sets.MariaDBGtid.parse(gtid_text).domain_id
        return None

    def applies_in_order(self, variables):
        return parallel_threads(variables) == 0

    def parse_received(self, text):
        return gtid_sets.MariaDBGtidPosition.parse(text)

    def attach_verdict(self, source, replica):
        verdict, errant, _ = topology.classify_mariadb_positions(
            source.gtid_binlog_pos,
            source.purged_position or gtid_sets.MariaDBGtidPosition(),
            topology.mariadb_resume_position(replica),
            source.gtid_binlog_state)
        return verdict, errant


def parallel_threads(variables):
    """The parallel applier's thread count (0: serial)."""
    return base.applier_threads(variables, _PARALLEL_THREADS)
