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

"""The one candidate choice, for the command line and Trove alike."""

from hypothesis import given
from hypothesis import strategies as st
import pytest

from trove_gtid_strategy.decisions import election
from trove_gtid_strategy import exceptions
from trove_gtid_strategy import gtid

S = '3e11fa47-71ca-11e1-9e33-c80aa9429562'   # the lost source
A = 'aaaaaaaa-0000-0000-0000-00000000000a'
B = 'bbbbbbbb-0000-0000-0000-00000000000b'


def mysql(name, received, own_uuid=None):
    received = gtid.GtidSet.parse(received)
    own = gtid.GtidSet()
    if own_uuid and own_uuid in received.uuids():
        for tag in received.tags(own_uuid):
            own = own | gtid.GtidSet.from_intervals(
                own_uuid, received.intervals(own_uuid, tag), tag)
    return election.Holding(name, received, own)


def mariadb(name, pos, binlog_state, server_id):
    return election.Holding(
        name, gtid.MariaDBGtidPosition.parse(pos), None,
        tuple(gtid.MariaDBGtid.parse(g) for g in binlog_state.split(',')
              if g), server_id)


def test_the_replica_holding_everything_is_chosen():
    chosen = election.elect([mysql('r1', S + ':1-90'),
                             mysql('r2', S + ':1-100'),
                             mysql('r3', S + ':1-95')])
    assert chosen.ok and chosen.candidate == 'r2'
    assert chosen.behind == {'r1': S + ':91-100', 'r3': S + ':96-100'}
    assert chosen.ahead == {} and chosen.would_lose == {}


def test_a_later_number_with_a_hole_is_not_ahead():
    # Trove's _most_current_replica ranks r1 first (100 > 99); r1 lacks
    # transaction 50, which r2 holds: neither holds everything.
    chosen = election.elect([mysql('r1', S + ':1-49:51-100'),
                             mysql('r2', S + ':1-99')])
    assert not chosen.ok and chosen.candidate is None
    [problem] = chosen.problems
    assert problem.code == 'no_complete_candidate'
    assert 'r1 holds %s:1-49:51-100' % S in problem.message
    assert 'r2 holds %s:1-99' % S in problem.message


def test_an_errant_replica_is_passed_over_and_named():
    errant_most_advanced = mysql('r1', '%s:1-100,%s:1-3' % (S, A), A)
    chosen = election.elect([errant_most_advanced,
                             mysql('r2', S + ':1-100')])
    # r1 holds A:1-3, which r2 lacks although it holds the lost source's
    # transactions r1 holds: errant on r1; r2 holds the whole lineage.
    assert chosen.ok and chosen.candidate == 'r2'
    assert chosen.errant == {'r1': A + ':1-3'}
    assert chosen.to_dict()['choices']['r1'] == {
        'would_lose': '', 'would_spread': A + ':1-3'}


def test_an_errant_candidate_needs_the_override():
    holdings = [mysql('r1', '%s:1-100,%s:1-3' % (S, A), A),
                mysql('r2', S + ':1-100')]
    refused = election.elect(holdings, requested='r1')
    assert [p.code for p in refused.problems] == ['errant_candidate']
    allowed = election.elect(holdings, requested='r1', allow_errant=True)
    assert allowed.ok and allowed.candidate == 'r1'


def test_a_former_source_shares_its_history_with_the_others():
    # r1 was a source once: its transactions reached r2, so not errant.
    chosen = election.elect([mysql('r1', '%s:1-5,%s:1-100' % (A, S), A),
                             mysql('r2', '%s:1-5,%s:1-100' % (A, S), B)])
    assert chosen.ok and chosen.errant == {}


def test_a_requested_candidate_behind_another_would_lose_it():
    holdings = [mysql('r1', S + ':1-90'), mysql('r2', S + ':1-100')]
    refused = election.elect(holdings, requested='r1')
    assert [p.code for p in refused.problems] == ['candidate_behind']
    assert refused.ahead == {'r2': S + ':91-100'}
    # Losing transactions is data loss, not an errant candidate.
    assert not election.elect(holdings, requested='r1',
                              allow_errant=True).ok
    allowed = election.elect(holdings, requested='r1', allow_data_loss=True)
    assert allowed.ok and allowed.would_lose == {'r2': S + ':91-100'}


def test_a_requested_name_not_among_the_replicas_is_bad_input():
    with pytest.raises(exceptions.InvalidInput, match='r9 is not among'):
        election.elect([mysql('r1', S + ':1')], requested='r9')


def test_mariadb_every_domain_counts():
    # r1 is ahead in domain 0, r2 in domain 1: neither is complete.
    chosen = election.elect([
        mariadb('r1', '0-1-10,1-2-5', '0-1-10,1-2-5', 11),
        mariadb('r2', '0-1-9,1-2-6', '0-1-9,1-2-6', 12)])
    assert chosen.candidate is None
    chosen = election.elect([
        mariadb('r1', '0-1-10,1-2-6', '0-1-10,1-2-6', 11),
        mariadb('r2', '0-1-9,1-2-6', '0-1-9,1-2-6', 12)])
    assert chosen.ok and chosen.candidate == 'r1'
    assert chosen.behind == {'r2': '0-1-10'}


def test_mariadb_own_writes_are_errant():
    # r2 went on to 0-1-12 of the lost source without r1's 0-11-12 (a
    # local write on r1): errant on r1, whose lineage stops at 0-1-10.
    chosen = election.elect([
        mariadb('r1', '0-11-12', '0-1-10,0-11-12', 11),
        mariadb('r2', '0-1-12', '0-1-12', 12)])
    assert chosen.errant == {'r1': '0-11-12'}
    assert chosen.ok and chosen.candidate == 'r2'
    assert chosen.lineage['lacks'] == {'r1': '0-1-12'}


def test_without_gtids_positions_must_match():
    at = election.Holding('r1', coords=('bin.000002', 400))
    behind = election.Holding('r2', coords=('bin.000002', 300))
    chosen = election.elect([at, behind])
    assert [p.code for p in chosen.problems] == ['positions_differ']
    assert election.elect([at, behind], allow_data_loss=True).ok
    same = election.Holding('r2', coords=('bin.000002', 400))
    assert election.elect([at, same]).ok


def test_replicas_of_different_kinds_cannot_be_compared():
    with pytest.raises(exceptions.InvalidInput, match='cannot be compared'):
        election.elect([mysql('r1', S + ':1'),
                        election.Holding('r2', coords=('bin.000001', 4))])


@pytest.mark.parametrize('holding', [
    mysql('r1', '%s:1-100,%s:1-3' % (S, A), A),
    mariadb('r2', '0-1-10,1-2-6', '0-1-10,1-2-6,0-12-3', 12),
    election.Holding('r3', coords=('mysql-bin.000007', 1234), server_id=3),
    election.Holding('r4', coords=('mysql-bin.000007', 9), receiving=True),
])
def test_holdings_cross_rpc_unchanged(holding):
    import json
    sent = json.loads(json.dumps(holding.to_dict()))
    assert election.Holding.from_dict(sent) == holding


@pytest.mark.parametrize('facts, named', [
    (['r1', 100], 'mapping'),
    ({'flavor': 'mysql'}, 'without a name'),
    ({'name': 'r1', 'flavor': 'oracle'}, "r1: unknown GTID flavor 'oracle'"),
    ({'name': 'r1', 'flavor': 'mysql', 'received': 'nonsense'}, 'r1: '),
    ({'name': 'r1', 'coords': ['f', '12']}, 'r1: coords'),
    ({'name': 'r1', 'server_id': '7'}, 'r1: server_id'),
    ({'name': 'r1', 'receiving': 'yes'}, 'r1: receiving'),
])
def test_malformed_facts_are_named(facts, named):
    with pytest.raises(exceptions.InvalidInput) as caught:
        election.Holding.from_dict(facts)
    assert named in str(caught.value)


def test_a_source_some_replica_still_receives_from_is_not_lost():
    older_guest = election.Holding.from_dict({'name': 'r0'})
    assert older_guest.receiving is False
    assert election.still_receiving([
        election.Holding('r1', receiving=True), older_guest,
        election.Holding('r2', receiving=True)]) == ['r1', 'r2']
    assert election.still_receiving([older_guest]) == []


# -- property: without an override, no lineage transaction is lost ---------

intervals = st.lists(st.tuples(st.integers(1, 40), st.integers(0, 5)),
                     min_size=0, max_size=3)


def _set(uuid, spans):
    text = ','.join('%s:%d-%d' % (uuid, lo, lo + n) for lo, n in spans)
    return gtid.GtidSet.parse(text)


@given(st.lists(st.tuples(intervals, intervals), min_size=1, max_size=4))
def test_an_elected_candidate_never_lacks_what_a_replica_holds(replicas):
    holdings = []
    for i, (from_source, own) in enumerate(replicas):
        uuid = '%08d-0000-0000-0000-000000000000' % i
        received = _set(S, from_source) | _set(uuid, own)
        holdings.append(mysql('r%d' % i, str(received), uuid))
    chosen = election.elect(holdings)
    if chosen.ok:
        winner = [h for h in holdings if h.name == chosen.candidate][0]
        for h in holdings:
            kept = h.received - gtid.GtidSet.parse(
                chosen.errant.get(h.name, ''))
            assert not (kept - winner.received)
        assert winner.name not in chosen.errant
    else:
        assert chosen.problems
