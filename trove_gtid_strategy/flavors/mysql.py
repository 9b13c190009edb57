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

"""MySQL's GTIDs (5.6.10+): ``uuid:n`` sets, tagged ``uuid:tag:n`` from
8.3. The executed set is ``gtid_executed`` (and, with the coordinates,
``Executed_Gtid_Set`` of the status row); a GTID is assigned only with
``gtid_mode = ON``; a failed transaction is skipped by committing an
empty one under its GTID, since the skip counter is refused under GTIDs
(seeds 003, 004).
"""

from trove_gtid_strategy import exceptions
from trove_gtid_strategy.flavors import base
from trove_gtid_strategy import gtid as gtid_sets
from trove_gtid_strategy import topology

_ON = ('ON', '1')


class MySQLGtids(base.NoGtids):

    style = 'mysql'
    title = 'MySQL'
    mode = 'mysql_gtid'
    option_names = ('gtid_mode', 'enforce_gtid_consistency',
                    'binlog_gtid_simple_recovery')
    skips_by_empty_transaction = True
    until_gtids_option = 'SQL_AFTER_GTIDS'

    def position_options(self, prefix):
        return [(prefix + 'AUTO_POSITION', '0')]

    def executed_fields(self, variables):
        parse = gtid_sets.GtidSet.parse
        return {'gtid_executed': parse(variables.get('gtid_executed', '')),
                'gtid_purged': parse(variables.get('gtid_purged', ''))}

    def start_gtids(self, status_row, at_coordinates):
        executed = status_row.get('Executed_Gtid_Set')
        if executed is None:
            return None, None
        return gtid_sets.GtidSet.parse(executed), None

    def wait_target(self, start):
        return start.gtid_set

    def gtids_assigned(self, variables):
        return (variables.get('gtid_mode') or '').upper() in _ON

    def applied_test(self, variables):
        if not self.gtids_assigned(variables):
            return None
        executed = gtid_sets.GtidSet.parse(
            variables.get('gtid_executed', '').replace('\n', ''))
        return lambda txn: bool(txn.gtid) and txn.gtid in executed

    def applies_in_order(self, variables):
        # The multi-threaded applier (replica_parallel_workers, 4 by
        # default since 8.0.27) commits in order but executes ahead: a
        # worker can fail on a later transaction while an earlier one is
        # not committed yet (seen on 9.7: stopped on :10 with :9 not in
        # gtid_executed), so the failed one is found by the error's
        # position, not as the first unapplied one.
        return parallel_workers(variables) == 0

    def normalise_gtid(self, text):
        text = str(text).strip()
        if gtid_sets.GtidSet.parse(text).count() != 1:
            raise exceptions.InvalidInput(
                'give one GTID to skip (uuid:n or uuid:tag:n), not %r'
                % (text,))
        return text.lower()

    def received_unexecuted(self, status):
        if not status.retrieved_gtid_set:
            return None
        return (gtid_sets.GtidSet.parse(status.retrieved_gtid_set)
                - gtid_sets.GtidSet.parse(status.executed_gtid_set))

    def settings_problems(self, options, version, is_on):
        def on(name):
            return is_on(options.get(name, 'off'))
        if not on('gtid_mode'):
            return []
        problems = []
        if not on('enforce_gtid_consistency'):
            problems.append('gtid_mode = ON needs '
                            'enforce_gtid_consistency = ON')
        if not version.at_least(5, 7) and (
                'log_bin' not in options
                or not (on('log_slave_updates') or on('log_replica_updates'))):
            problems.append('gtid_mode = ON on MySQL 5.6 needs log_bin '
                            'and log_slave_updates')
        return problems

    def parse_received(self, text):
        return gtid_sets.GtidSet.parse(text)

    def parse_own(self, text):
        return gtid_sets.GtidSet.parse(text)

    def parse_purged(self, text):
        return gtid_sets.GtidSet.parse(text)

    def attach_verdict(self, source, replica):
        verdict, errant, _ = topology.classify_gtid_sets(
            source.gtid_executed, source.gtid_purged or gtid_sets.GtidSet(),
            replica.gtid_executed)
        return verdict, str(errant)


def parallel_workers(variables):
    """The multi-threaded applier's worker count (0: one thread)."""
    return base.applier_threads(
        variables, ('replica_parallel_workers', 'slave_parallel_workers'))
