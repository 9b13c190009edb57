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

"""Where a switchover stands, from the servers' states alone: every state
a run stopped after any statement can leave, and the ones no phase
explains.
"""

import pytest

from trove_gtid_strategy.decisions import switchover as decision
from trove_gtid_strategy.decisions.switchover import Member
from trove_gtid_strategy.decisions.switchover import Phase
from trove_gtid_strategy import exceptions

S_ADDR, C_ADDR, R_ADDR = ('h', 1), ('h', 2), ('h', 3)


def source(read_only=False, follows=None, running=True):
    return _member('S', 1, S_ADDR, read_only, follows, running)


def candidate(read_only=True, follows=S_ADDR, running=True):
    return _member('C', 2, C_ADDR, read_only, follows, running)


def replica(follows=S_ADDR, running=True, read_only=True):
    return _member('R', 3, R_ADDR, read_only, follows, running)


def _member(name, server_id, address, read_only, follows, running):
    ids = {S_ADDR: 1, C_ADDR: 2, R_ADDR: 3}
    return Member(name, server_id, address, read_only,
                  source_address=follows,
                  source_server_id=ids.get(follows) if follows else None,
                  running=bool(follows) and running)


def test_untouched_and_fenced_topologies_start_from_the_beginning():
    for fenced in (False, True):
        found = decision.decide(source(read_only=fenced), candidate(),
                                [replica()])
        assert found.phase is Phase.START


def test_a_replica_not_yet_connected_is_judged_by_its_address():
    found = decision.decide(source(), Member(
        'C', 2, C_ADDR, True, source_address=S_ADDR, source_server_id=0),
        [])
    assert found.phase is Phase.START


def test_no_writable_server_left_is_finished_or_rolled_back():
    """Killed after the candidate's RESET REPLICA ALL, before writes were
    allowed on it: both read-only, neither a replica.
    """
    args = (source(read_only=True), candidate(follows=None), [replica()])
    assert decision.decide(*args, holds=decision.SAME).phase is \
        Phase.PROMOTE
    assert decision.decide(*args, holds=decision.LACKS).phase is \
        Phase.ROLLBACK
    with pytest.raises(exceptions.PrecheckFailed, match='holds transactions'):
        decision.decide(*args, holds=decision.EXTRA)


def test_promoted_candidate_points_whoever_does_not_follow_it():
    found = decision.decide(source(read_only=True),
                            candidate(read_only=False, follows=None),
                            [replica()])
    assert found.phase is Phase.REPOINT
    assert found.pending == ('R', 'S')
    found = decision.decide(source(read_only=True, follows=C_ADDR),
                            candidate(read_only=False, follows=None),
                            [replica(follows=C_ADDR)])
    assert found.phase is Phase.DONE
    # A follower that is stopped, or writable, is not done.
    for follower in (replica(follows=C_ADDR, running=False),
                     replica(follows=C_ADDR, read_only=False)):
        found = decision.decide(source(read_only=True, follows=C_ADDR),
                                candidate(read_only=False, follows=None),
                                [follower])
        assert found.phase is Phase.REPOINT and found.pending == ('R',)


def test_two_writable_sources_are_refused_naming_every_server():
    with pytest.raises(exceptions.PrecheckFailed) as caught:
        decision.decide(source(), candidate(read_only=False, follows=None),
                        [replica()])
    text = str(caught.value)
    assert 'both writable sources' in text
    assert 'S: not a replica, writable' in text
    assert 'R: replica of h:1, read-only' in text


def test_a_candidate_of_another_source_is_refused():
    with pytest.raises(exceptions.PrecheckFailed,
                       match='C does not replicate from S'):
        decision.decide(source(), candidate(follows=R_ADDR), [])
