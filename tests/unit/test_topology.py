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

"""Tests of trove_gtid_strategy.topology: the comparisons pre-checks use.

Server states are built by hand, as the guest would read them, so each
verdict and each refusal code is reached on purpose.
"""

import dataclasses

import pytest

from trove_gtid_strategy.gtid import GtidSet
from trove_gtid_strategy.gtid import MariaDBGtidPosition
from trove_gtid_strategy.state import ServerState
from trove_gtid_strategy import topology
from trove_gtid_strategy.topology import classify_gtid_sets
from trove_gtid_strategy.topology import classify_mariadb_positions
from trove_gtid_strategy.topology import mariadb_resume_position
from trove_gtid_strategy.topology import Verdict
from trove_gtid_strategy.versions import Flavor
from trove_gtid_strategy.versions import ServerVersion

U1 = '3e11fa47-71ca-11e1-9e33-c80aa9429562'
U2 = 'b7d1a2c4-0f3e-11ef-8a7b-0242ac120003'

MY57 = ServerVersion(Flavor.MYSQL, 5, 7, 44)
MY80 = ServerVersion(Flavor.MYSQL, 8, 0, 36)
PC80 = ServerVersion(Flavor.PERCONA, 8, 0, 36)
MY55 = ServerVersion(Flavor.MYSQL, 5, 5, 62)
MDB = ServerVersion(Flavor.MARIADB, 10, 11, 6)


def g(text):
    return GtidSet.parse(text)


def p(text):
    return MariaDBGtidPosition.parse(text)


# -- classify_gtid_sets -------------------------------------------------

@pytest.mark.parametrize('executed, purged, replica, verdict, errant, '
                         'missing', [
                             (U1 + ':1-10', '', '', Verdict.NEW, '', ''),
                             (U1 + ':1-10', U1 + ':1-3', U1 + ':1-10',
                              Verdict.IDENTICAL, '', ''),
                             (U1 + ':1-10', U1 + ':1-3', U1 + ':1-5',
                              Verdict.RECOVERABLE, '', ''),
                             (U1 + ':1-10', U1 + ':1-5', U1 + ':1-5',
                              Verdict.RECOVERABLE, '', ''),
                             (U1 + ':1-10', U1 + ':1-7', U1 + ':1-5',
                              Verdict.IRRECOVERABLE, '', U1 + ':6-7'),
                             (U1 + ':1-10', U1 + ':1-3', '',
                              Verdict.IRRECOVERABLE, '', U1 + ':1-3'),
                             (U1 + ':1-10', U1 + ':1-3',
                              U1 + ':1-5,' + U2 + ':1-2',
                              Verdict.DIVERGED, U2 + ':1-2', ''),
                             (U1 + ':1-10', U1 + ':1-3', U1 + ':1-12',
                              Verdict.DIVERGED, U1 + ':11-12', ''),
                             # Errant wins over missing: both are wrong,
                             # but re-seeding is the only cure for both.
                             (U1 + ':1-10', U1 + ':1-7',
                              U1 + ':1-5,' + U2 + ':1',
                              Verdict.DIVERGED, U2 + ':1', U1 + ':6-7'),
                             # A hole the source never had is errant too.
                             (U1 + ':1-5:7-10', '', U1 + ':1-10',
                              Verdict.DIVERGED, U1 + ':6', ''),
                         ])
def test_classify_gtid_sets(executed, purged, replica, verdict, errant,
                            missing):
    got = classify_gtid_sets(g(executed), g(purged), g(replica))
    assert got == (verdict, g(errant), g(missing))


# -- classify_mariadb_positions -----------------------------------------

@pytest.mark.parametrize('source, purged, replica, verdict, errant, '
                         'missing', [
                             ('0-1-10', '', '', Verdict.NEW, '', ''),
                             ('0-1-10', '0-1-3', '0-1-10',
                              Verdict.IDENTICAL, '', ''),
                             ('0-1-10', '0-1-3', '0-1-5',
                              Verdict.RECOVERABLE, '', ''),
                             # At exactly the purged point: nothing needed
                             # is gone.
                             ('0-1-10', '0-1-5', '0-1-5',
                              Verdict.RECOVERABLE, '', ''),
                             ('0-1-10', '0-1-7', '0-1-5',
                              Verdict.IRRECOVERABLE, '', '0-1-7'),
                             ('0-1-10', '0-1-3', '',
                              Verdict.IRRECOVERABLE, '', '0-1-3'),
                             ('0-1-10,1-1-4', '0-1-3,1-1-2', '0-1-5',
                              Verdict.IRRECOVERABLE, '', '1-1-2'),
                             ('0-1-10', '0-1-3', '0-1-12',
                              Verdict.DIVERGED, '0-1-12', ''),
                             # Same sequence number, another server.
                             ('0-1-10', '0-1-3', '0-2-10',
                              Verdict.DIVERGED, '0-2-10', ''),
                             # A domain the source never had.
                             ('0-1-10', '', '0-1-5,1-2-3',
                              Verdict.DIVERGED, '1-2-3', ''),
                             ('0-1-10,1-1-4', '', '0-1-10,1-1-4',
                              Verdict.IDENTICAL, '', ''),
                         ])
def test_classify_mariadb_positions(source, purged, replica, verdict,
                                    errant, missing):
    got = classify_mariadb_positions(p(source), p(purged), p(replica))
    assert got == (verdict, errant, missing)


# -- mariadb_resume_position --------------------------------------------

@pytest.mark.parametrize('slave_pos, binlog_pos, expected', [
    ('0-1-10,1-2-3', '0-3-12,2-3-4', '0-3-12,1-2-3,2-3-4'),
    ('0-1-10', '0-1-8', '0-1-10'),
    # A demoted source: its own writes are only in its binary log.
    ('', '0-1-25', '0-1-25'),
    ('0-1-10', '', '0-1-10'),
    ('', '', ''),
])
def test_mariadb_resume_position(slave_pos, binlog_pos, expected):
    state = ServerState(MDB, 3, gtid_slave_pos=p(slave_pos),
                        gtid_binlog_pos=p(binlog_pos))
    assert mariadb_resume_position(state) == p(expected)


def test_mariadb_resume_position_without_state():
    assert mariadb_resume_position(ServerState(MDB, 3)) == p('')


# -- result objects ----------------------------------------------------

def test_results_are_frozen():
    result = topology.PrecheckResult(Verdict.IDENTICAL)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.verdict = Verdict.NEW
    assert topology.ATTACHABLE == (Verdict.NEW, Verdict.IDENTICAL,
                                   Verdict.RECOVERABLE)
    assert str(Verdict.DIVERGED) == 'DIVERGED'


def test_a_source_replicating_from_the_replica_is_a_loop():
    from trove_gtid_strategy.state import ReplicaStatus
    version = ServerVersion(Flavor.MARIADB, 10, 11, 19)
    replica = ServerState(version=version, server_id=2, log_bin=True)
    source = ServerState(version=version, server_id=1, log_bin=True)
    assert topology.common_problems(source, replica) == []
    looped = dataclasses.replace(source, replica=ReplicaStatus(
        source_host='10.0.0.2', source_port=3306, source_server_id=2))
    [problem] = topology.common_problems(looped, replica)
    assert problem.code == 'replication_loop'
    assert 'server_id 2' in problem.message
    # Replicating from another server is no loop.
    elsewhere = dataclasses.replace(source, replica=ReplicaStatus(
        source_host='10.0.0.9', source_port=3306, source_server_id=9))
    assert topology.common_problems(elsewhere, replica) == []
