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

"""The lost source's lineage (issue 14, item 1): which replica a failover
promotes when the replicas' histories hold more than one origin.

A table of synthetic histories, several drawn from public reports of
the tools that met them, then a property over random histories.
"""

import json
import random

import pytest

from trove_gtid_strategy.decisions import election
from trove_gtid_strategy.decisions import lineage
from trove_gtid_strategy import gtid

S = '3e11fa47-71ca-11e1-9e33-c80aa9429562'   # the lost source
X = '99999999-0000-0000-0000-000000000009'   # an earlier source, gone too
A = 'aaaaaaaa-0000-0000-0000-00000000000a'   # replicas' own UUIDs
B = 'bbbbbbbb-0000-0000-0000-00000000000b'
C = 'cccccccc-0000-0000-0000-00000000000c'


def mysql(name, received, uuid, source=S, purged=''):
    received = gtid.GtidSet.parse(received)
    return election.Holding(name, received, lineage.of_origin(received, uuid),
                            purged=gtid.GtidSet.parse(purged),
                            server_uuid=uuid, source_uuid=source)


def mariadb(name, pos, binlog_state, server_id, source=1):
    return election.Holding(
        name, gtid.MariaDBGtidPosition.parse(pos), None,
        tuple(gtid.MariaDBGtid.parse(g) for g in binlog_state.split(',')
              if g), server_id, source_server_id=source)


# Each case: holdings, overrides, then the expected candidate (None:
# refused, with the problem codes), errant per replica, and what the
# lineage says each lacks.
CASES = {
    # (a) A lone replica that was a source once (its own UUID A in its
    # set): nothing contradicts it, so it is history. Vitess ERS refused
    # exactly this: https://github.com/vitessio/vitess/issues/12023
    'lone_replica_once_a_source': (
        [mysql('r1', '%s:1-20,%s:1-50' % (A, S), A)], {},
        'r1', (), {}, {}),
    # (b) A lagging replica holds the earlier source's X:11, which the
    # lost source never had (it was promoted without it): the complete
    # replica is promoted, the lagging one named. The shape of
    # https://github.com/vitessio/vitess/issues/20676 (a server received
    # x before a replica without x was promoted).
    'lagging_replica_with_an_earlier_sources_transaction': (
        [mysql('r1', '%s:1-10,%s:1-100' % (X, S), A),
         mysql('r2', '%s:1-11,%s:1-60' % (X, S), B)], {},
        'r1', (), {'r2': X + ':11'}, {'r2': S + ':61-100'}),
    # (c) The most advanced replica holds it: promoting it would spread
    # X:11 to every follower, promoting r2 would lose S:91-100. Refused,
    # naming both. orchestrator promoted such a replica and lost every
    # other: https://github.com/openark/orchestrator/issues/1061
    'most_advanced_with_an_earlier_sources_transaction': (
        [mysql('r1', '%s:1-11,%s:1-100' % (X, S), A),
         mysql('r2', '%s:1-10,%s:1-90' % (X, S), B)], {},
        None, ('no_complete_candidate',), {'r1': X + ':11'},
        {'r2': S + ':91-100'}),
    'most_advanced_spreads_with_the_override': (
        [mysql('r1', '%s:1-11,%s:1-100' % (X, S), A),
         mysql('r2', '%s:1-10,%s:1-90' % (X, S), B)],
        {'allow_errant': True},
        'r1', (), {'r1': X + ':11'}, {'r2': S + ':91-100'}),
    'the_least_loss_with_the_data_loss_override': (
        [mysql('r1', '%s:1-11,%s:1-100' % (X, S), A),
         mysql('r2', '%s:1-10,%s:1-90' % (X, S), B)],
        {'allow_data_loss': True},
        'r2', (), {'r1': X + ':11'}, {'r2': S + ':91-100'}),
    # Two switchovers, S -> X -> S, every replica past both: one lineage.
    'interleaved_switchovers': (
        [mysql('r1', '%s:1-30,%s:1-5' % (S, X), A),
         mysql('r2', '%s:1-25,%s:1-5' % (S, X), B),
         mysql('r3', '%s:1-30,%s:1-5' % (S, X), C)], {},
        'r1', (), {}, {'r2': S + ':26-30'}),
    # r2 lagged across the switchover back to S (it holds S's first term
    # and X:1-2 only): the sets cannot tell it from a witness, so X:3-5
    # counts as errant on r1 and the failover is refused with the sets.
    # Vitess trusts only replicas that saw every promotion for this:
    # https://github.com/vitessio/vitess/issues/16724
    'interleaved_with_a_replica_lagging_across_them': (
        [mysql('r1', '%s:1-30,%s:1-5' % (S, X), A),
         mysql('r2', '%s:1-10,%s:1-2' % (S, X), B)], {},
        None, ('no_complete_candidate',), {'r1': X + ':3-5'},
        {'r2': S + ':11-30'}),
    # r2 was attached late from a backup (gtid_purged set at restore):
    # its set counts what it holds, purged or not.
    'replica_attached_late_with_gtid_purged': (
        [mysql('r1', S + ':1-100', A, purged=S + ':1-50'),
         mysql('r2', S + ':1-98', B, source='', purged=S + ':1-90')], {},
        'r1', (), {}, {'r2': S + ':99-100'}),
    # Both replicas hold the earlier source's X:11: nobody contradicts
    # it, so it is lineage (the lost source had it too, or both got it
    # the same way).
    'two_replicas_share_an_earlier_sources_transaction': (
        [mysql('r1', '%s:1-11,%s:1-100' % (X, S), A),
         mysql('r2', '%s:1-11,%s:1-90' % (X, S), B)], {},
        'r1', (), {}, {'r2': S + ':91-100'}),
    # A local write on the most advanced replica (its own UUID, after it
    # became a replica), lacked by one holding the lost source's
    # transactions: errant. Vitess met it on a demoted primary:
    # https://github.com/vitessio/vitess/issues/17254
    'errant_local_write_on_the_most_advanced': (
        [mysql('r1', '%s:1-100,%s:1' % (S, A), A),
         mysql('r2', S + ':1-99', B)], {},
        None, ('no_complete_candidate',), {'r1': A + ':1'},
        {'r2': S + ':100'}),
    'errant_local_write_spread_with_the_override': (
        [mysql('r1', '%s:1-100,%s:1' % (S, A), A),
         mysql('r2', S + ':1-99', B)], {'allow_errant': True},
        'r1', (), {'r1': A + ':1'}, {'r2': S + ':100'}),
    'requested_lagging_candidate_needs_the_data_loss_override': (
        [mysql('r1', S + ':1-100', A), mysql('r2', S + ':1-90', B)],
        {'requested': 'r2'}, 'r2', ('candidate_behind',), {},
        {'r2': S + ':91-100'}),
    'requested_errant_and_lagging_candidate_needs_both': (
        [mysql('r1', '%s:1-10,%s:1-100' % (X, S), A),
         mysql('r2', '%s:1-11,%s:1-60' % (X, S), B)],
        {'requested': 'r2', 'allow_data_loss': True},
        'r2', ('errant_candidate',), {'r2': X + ':11'},
        {'r2': S + ':61-100'}),
    # A local write on the most advanced MariaDB replica (0-11-12, after
    # the lost source's 0-1-10 it holds) that r2, holding the lost
    # source's transactions, lacks: errant, though r2 did not pass 12.
    'mariadb_errant_local_write_on_the_most_advanced': (
        [mariadb('r1', '0-11-12', '0-1-10,0-11-12', 11),
         mariadb('r2', '0-1-9', '0-1-9', 12)], {},
        None, ('no_complete_candidate',), {'r1': '0-11-12'},
        {'r2': '0-1-10'}),
    # MariaDB switchovers 1 -> 11 -> 1: r1 holds 11's term (11-15) and
    # the lost source's next one; r2 lagged before 11's term. Last GTIDs
    # per server order them: nothing errant.
    'mariadb_interleaved_switchovers': (
        [mariadb('r1', '0-1-30', '0-1-30,0-11-15', 21),
         mariadb('r2', '0-1-8', '0-1-8', 22)], {},
        'r1', (), {}, {'r2': '0-1-30'}),
    # MariaDB, several domains, as replication-manager met them (one
    # replica with a domain of its own, 2-21-18):
    # https://github.com/signal18/replication-manager/issues/30. Nobody
    # passed a point of domain 2 without it: its history, kept.
    'mariadb_a_domain_of_its_own': (
        [mariadb('r1', '0-203-4,1-11-13', '0-203-4,1-11-13', 12, 11),
         mariadb('r2', '0-203-4,1-11-13,2-21-18',
                 '0-203-4,1-11-13,2-21-18', 21, 11)], {},
        'r2', (), {}, {'r1': '2-21-18'}),
    # The earlier source (server 7) wrote domain 0 up to 40; r2 also got
    # 0-7-41, which the lost source (server 1) never had: r1 went on to
    # 0-1-100 without it.
    'mariadb_lagging_replica_with_an_earlier_sources_gtid': (
        [mariadb('r1', '0-1-100', '0-7-40,0-1-100', 11),
         mariadb('r2', '0-7-41', '0-7-41', 12)], {},
        'r1', (), {'r2': '0-7-41'}, {'r2': '0-1-100'}),
    'mariadb_ahead_in_different_domains': (
        [mariadb('r1', '0-1-10,1-1-5', '0-1-10,1-1-5', 11),
         mariadb('r2', '0-1-9,1-1-6', '0-1-9,1-1-6', 12)], {},
        None, ('no_complete_candidate',), {}, {'r1': '1-1-6',
                                               'r2': '0-1-10'}),
    # With the override, the least loss: r1 lacks one transaction of
    # domain 1, r2 three of domain 0.
    'mariadb_the_least_loss_with_the_data_loss_override': (
        [mariadb('r1', '0-1-10,1-1-5', '0-1-10,1-1-5', 11),
         mariadb('r2', '0-1-7,1-1-6', '0-1-7,1-1-6', 12)],
        {'allow_data_loss': True},
        'r1', (), {}, {'r1': '1-1-6', 'r2': '0-1-10'}),
    'mariadb_errant_candidate_spreads_with_the_override': (
        [mariadb('r1', '0-1-100', '0-7-40,0-1-100', 11),
         mariadb('r2', '0-7-41', '0-7-41', 12)],
        {'requested': 'r2', 'allow_errant': True, 'allow_data_loss': True},
        'r2', (), {'r2': '0-7-41'}, {'r2': '0-1-100'}),
    'mariadb_lone_replica_once_a_source': (
        [mariadb('r1', '0-11-20', '0-1-10,0-11-20', 11, None)], {},
        'r1', (), {}, {}),
}


@pytest.mark.parametrize('name', sorted(CASES))
def test_history(name):
    holdings, overrides, candidate, codes, errant, lacks = CASES[name]
    chosen = election.elect(holdings, **overrides)
    assert chosen.candidate == candidate, chosen.describe()
    assert [p.code for p in chosen.problems] == list(codes)
    assert chosen.errant == errant
    assert chosen.lineage['lacks'] == lacks
    # Every result and refusal carries the whole judgment, as JSON.
    document = json.loads(json.dumps(chosen.to_dict()))
    assert set(document['choices']) == {h.name for h in holdings}
    assert document['held'] == {h.name: str(h.received) for h in holdings}


def test_a_refusal_names_every_set_and_both_ways_out():
    holdings, *_ = CASES['most_advanced_with_an_earlier_sources_transaction']
    refused = election.elect(holdings)
    message = refused.describe()
    assert 'r1 holds %s:1-100,%s:1-11, errant %s:11' % (S, X, X) in message
    assert 'r2 holds %s:1-90,%s:1-10, lacking %s:91-100' % (S, X, S) \
        in message
    assert '--allow-data-loss' in message
    assert '--allow-errant-candidate' in message
    assert refused.to_dict()['choices'] == {
        'r1': {'would_lose': '', 'would_spread': X + ':11'},
        'r2': {'would_lose': S + ':91-100', 'would_spread': ''}}
    assert refused.to_dict()['lost_source'] == {
        'uuid': S, 'server_id': None, 'domains': [], 'how': 'configured'}


# -- who the lost source was -----------------------------------------------

def test_the_configured_source_names_the_lost_source():
    found = lineage.judge([mysql('r1', '%s:1-5,%s:1-9' % (X, S), A, X),
                           mysql('r2', '%s:1-5,%s:1-9' % (X, S), B, S),
                           mysql('r3', '%s:1-5,%s:1-8' % (X, S), C, S)])
    assert (found.lost_source.uuid, found.lost_source.how) == \
        (S, 'configured')


def test_without_a_configured_source_the_shared_uuid_that_moves():
    # X is shared and settled; S is shared and where they differ; A is a
    # replica's own.
    found = lineage.judge([
        mysql('r1', '%s:1-5,%s:1-9,%s:1' % (X, S, A), A, ''),
        mysql('r2', '%s:1-5,%s:1-7,%s:1' % (X, S, A), B, '')])
    assert (found.lost_source.uuid, found.lost_source.how) == (S, 'shared')
    assert lineage.judge([mysql('r1', A + ':1-3', A, '')]).lost_source == \
        lineage.LostSource()


def test_mariadb_lost_source_from_master_server_id_or_binlog_states():
    configured = lineage.judge([
        mariadb('r1', '0-1-10', '0-7-4,0-1-10', 11),
        mariadb('r2', '0-1-9', '0-7-4,0-1-9', 12)]).lost_source
    assert (configured.server_id, configured.domains, configured.how) == \
        (1, (0,), 'configured')
    shared = lineage.judge([
        mariadb('r1', '0-1-10', '0-7-4,0-1-10', 11, None),
        mariadb('r2', '0-1-9', '0-7-4,0-1-9', 12, 0)]).lost_source
    assert (shared.server_id, shared.how) == (1, 'shared')


# -- the facts cross RPC; an older guest's are unknown, not wrong ------------

def test_identity_crosses_rpc_and_an_older_guest_leaves_it_unknown():
    holding = mysql('r1', '%s:1-3,%s:1' % (S, A), A)
    sent = json.loads(json.dumps(holding.to_dict()))
    assert election.Holding.from_dict(sent) == holding
    for key in ('server_uuid', 'source_uuid', 'source_server_id'):
        del sent[key]
    older = election.Holding.from_dict(sent)
    assert (older.server_uuid, older.source_uuid,
            older.source_server_id) == ('', '', None)
    assert election.elect([older]).ok


# -- property: the overrides are the only way to lose or spread ------------

def _random_history(rng):
    """Two to four replicas of S after an earlier source X, each with its
    own UUID: lagging by random amounts, some holding X transactions the
    others lack, some a local write.
    """
    holdings = []
    for i in range(rng.randint(2, 4)):
        own = '%08d-0000-0000-0000-00000000000%d' % (i, i)
        parts = ['%s:1-%d' % (X, rng.choice((5, 5, 6, 7)))]
        if rng.random() < 0.9:
            parts.append('%s:1-%d' % (S, rng.randint(1, 30)))
        if rng.random() < 0.3:
            parts.append('%s:1-%d' % (own, rng.randint(1, 3)))
        holdings.append(mysql('r%d' % i, ','.join(parts), own,
                              rng.choice((S, '')) if i else S))
    return holdings


def _rule_errant(holding, others):
    """The module's rule, transaction by transaction."""
    mine = lineage.of_origin(holding.received, S)
    errant = gtid.GtidSet()
    for other in others:
        if lineage.of_origin(other.received, S) & mine:
            errant = errant | (holding.received - other.received - mine)
    return errant


def _elections(seed, history):
    """600 random histories, each elected with random overrides: yields
    ``(holdings, election, overrides, winner)`` where a candidate won.
    """
    rng = random.Random(seed)
    for _ in range(600):
        holdings = history(rng)
        overrides = {'allow_errant': rng.random() < 0.3,
                     'allow_data_loss': rng.random() < 0.3}
        chosen = election.elect(holdings, **overrides)
        if chosen.candidate is None or not chosen.ok:
            continue
        winner = [h for h in holdings if h.name == chosen.candidate][0]
        yield holdings, chosen, overrides, winner


def test_no_override_no_loss_and_no_spread():
    for holdings, chosen, overrides, winner in _elections(
            14, _random_history):
        others = [h for h in holdings if h is not winner]
        kept = gtid.GtidSet()
        for h in holdings:
            kept = kept | (h.received - _rule_errant(
                h, [o for o in holdings if o is not h]))
        if not overrides['allow_data_loss']:
            assert not (kept - winner.received), (holdings, chosen)
        if not overrides['allow_errant']:
            assert not _rule_errant(winner, others), (holdings, chosen)


def test_a_refused_failover_prints_the_election_in_json():
    from trove_gtid_strategy.cmd import failures
    from trove_gtid_strategy import exceptions
    from trove_gtid_strategy import topology
    holdings, *_ = CASES['most_advanced_with_an_earlier_sources_transaction']
    refused = election.elect(holdings)
    result = topology.PrecheckResult(None, refused.problems,
                                     election=refused.to_dict())
    exc = exceptions.PrecheckFailed('refusing to fail over', result)
    status, kind, message = failures.classify_failure(exc)
    document = failures.error_document(exc, kind, message)
    assert (status, document['kind']) == (1, 'refused')
    assert document['election']['choices']['r1']['would_spread'] == X + ':11'
    assert document['election']['lacks'] == {'r2': S + ':91-100'}


def test_a_tie_of_configured_sources_goes_to_the_one_still_written():
    # r2 last connected to X (a detour), r1 to S: S is where they differ.
    found = lineage.judge([mysql('r1', '%s:1-5,%s:1-9' % (X, S), A, S),
                           mysql('r2', '%s:1-5,%s:1-7' % (X, S), B, X)])
    assert (found.lost_source.uuid, found.lost_source.how) == \
        (S, 'configured')


def _random_mariadb_history(rng):
    """Replicas of server 1 in domain 0, after server 7 wrote up to 10:
    each at its own point, some with a GTID of server 7 the lost source
    never had, or a local write of their own, past it.
    """
    holdings = []
    for i in range(rng.randint(2, 4)):
        own = 20 + i
        at = rng.randint(10, 30)
        logged = ['0-7-10'] + (['0-1-%d' % at] if at > 10 else [])
        extra = rng.random()
        if extra < 0.2:
            logged.append('0-7-%d' % (at + 1))
        elif extra < 0.4:
            logged.append('0-%d-%d' % (own, at + 1))
        last = max(logged, key=lambda g: int(g.split('-')[2]))
        holdings.append(mariadb('r%d' % i, last, ','.join(logged), own,
                                1 if i == 0 else rng.choice((1, None))))
    return holdings


def _mariadb_rule_errant(holding, others):
    """The module's MariaDB rule, GTID by GTID (one domain, source 1)."""
    def last(h, server_id):
        return max([g.seq_no for g in h.binlog_state
                    if g.server_id == server_id], default=0)

    def lacks(other, g):
        return last(other, g.server_id) < g.seq_no and \
            other.received.get(0) != g

    def passed(other, g):
        return other.received.get(0).seq_no >= g.seq_no

    def follows_lost(g):
        return 0 < last(holding, 1) < g.seq_no

    return {g for g in holding.binlog_state if g.server_id != 1 and any(
        lacks(o, g) and (passed(o, g) or (follows_lost(g) and last(o, 1)))
        for o in others)}


def test_mariadb_no_override_no_loss_and_no_spread():
    for holdings, chosen, overrides, winner in _elections(
            1014, _random_mariadb_history):
        errant = {h.name: _mariadb_rule_errant(
            h, [o for o in holdings if o is not h]) for h in holdings}

        def furthest(h):
            return max((g for g in h.binlog_state
                        if g not in errant[h.name]), key=lambda g: g.seq_no)

        if not overrides['allow_data_loss']:
            assert all(furthest(h).seq_no <= furthest(winner).seq_no
                       for h in holdings), (holdings, chosen)
        if not overrides['allow_errant']:
            assert not errant[winner.name], (holdings, chosen)
