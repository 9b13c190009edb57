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

"""MySQL and Percona GTIDs with auto-positioning (5.6.10+).

The replica sends its ``gtid_executed`` and the source sends what is
missing (seed 003), so there is no start position to get wrong: the
rules are about the sets. Crash safety comes from the GTIDs themselves
(``gtid_executed`` is recovered from the InnoDB table and the binary log)
with ``relay_log_recovery``, which every MySQL replica is required to run
with (see :meth:`ModeDriver.required_settings`).
"""

from trove_gtid_strategy import gtid as gtid_sets
from trove_gtid_strategy.modes import base
from trove_gtid_strategy.modes import Mode
from trove_gtid_strategy import topology


class MySQLGtidDriver(base.ModeDriver):

    mode = Mode.MYSQL_GTID
    seed_needs = 'a GTID set (gtid_purged)'

    def seed_usable(self, start):
        return start.gtid_set is not None

    def required_settings(self, role, caps):
        settings = super().required_settings(role, caps)
        settings.update(gtid_mode='ON', enforce_gtid_consistency='ON')
        return settings

    def classify(self, source, replica, request):
        problems = []
        for name, state in (('source', source), ('replica', replica)):
            if (state.gtid_mode or '').upper() != 'ON':
                problems.append(topology.Problem(
                    'gtid_mode_off', '%s has gtid_mode = %s: GTID '
                    'replication needs ON on both servers'
                    % (name, state.gtid_mode or 'unavailable')))
        if source.gtid_executed is None or replica.gtid_executed is None:
            return base.Classification(None, problems=tuple(problems))
        # A seeded replica's own history is replaced by the backup's.
        presented = (request.seed.gtid_set if request.seeded
                     else replica.gtid_executed)
        verdict, errant, missing = topology.classify_gtid_sets(
            source.gtid_executed, source.gtid_purged or gtid_sets.GtidSet(),
            presented)
        refusal = topology.verdict_problem(verdict, errant, missing)
        if refusal:
            problems.append(refusal)
        return base.Classification(
            verdict, str(errant), str(missing), tuple(problems),
            start=request.seed if request.seeded else None)

    def start_statements(self, d, replica, start, seeded):
        if seeded:
            return [d.reset_binary_logs(),
                    d.set_gtid_purged(start.gtid_set)]
        return []

    def change_source(self, d, request, start, connect_retry):
        return d.change_source_to_auto_position(request.source,
                                                connect_retry, request.tls)
