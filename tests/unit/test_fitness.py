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

"""Candidate fitness: can it serve every follower from its binary log
(issue 14, item 2)? Synthetic histories of both flavors.
"""

import dataclasses

from trove_gtid_strategy.decisions import election
from trove_gtid_strategy.decisions import fitness
from trove_gtid_strategy import exceptions
from trove_gtid_strategy import gtid

import pytest

S = '3e11fa47-71ca-11e1-9e33-c80aa9429562'   # the lost source


def mysql(name, received, purged=''):
    return election.Holding(name, gtid.GtidSet.parse(received),
                            gtid.GtidSet(), purged=gtid.GtidSet.parse(purged))


def g(text):
    return gtid.MariaDBGtid.parse(text)


def mariadb(name, pos, binlog_state, server_id, searched=()):
    return election.Holding(
        name, gtid.MariaDBGtidPosition.parse(pos), None,
        tuple(g(x) for x in binlog_state.split(',') if x), server_id,
        searched=tuple((g(x), found, where) for x, found, where in searched))


# -- MySQL ------------------------------------------------------------------

def test_mysql_nothing_a_follower_lacks_is_purged():
    found = fitness.judge(mysql('r1', S + ':1-100', S + ':1-50'),
                          [mysql('r2', S + ':1-60')])
    assert found.fit and found.needs == {}


def test_mysql_purged_what_a_lagging_follower_needs():
    found = fitness.judge(mysql('r1', S + ':1-100', S + ':1-90'),
                          [mysql('r2', S + ':1-60')])
    assert not found.fit
    assert found.needs == {'r2': '%s:61-90 (purged on r1)' % S}
    assert S + ':61-90' in found.describe()


def test_mysql_unknown_purged_is_not_judged():
    holding = dataclasses.replace(mysql('r1', S + ':1-100'), purged=None)
    assert fitness.judge(holding, [mysql('r2', S + ':1-10')]).fit


def test_mysql_unfit_complete_candidate_is_passed_over():
    chosen = election.elect([mysql('r1', S + ':1-100', S + ':1-90'),
                             mysql('r2', S + ':1-100', S + ':1-10'),
                             mysql('r3', S + ':1-60')])
    assert chosen.ok and chosen.candidate == 'r2'
    assert list(chosen.passed_over) == ['r1']
    assert S + ':61-90' in chosen.passed_over['r1']
    assert chosen.to_dict()['fitness']['fit'] is True


def test_mysql_no_fit_candidate_is_refused_with_the_gtids_and_remedy():
    chosen = election.elect([mysql('r1', S + ':1-100', S + ':1-90'),
                             mysql('r3', S + ':1-60')])
    assert not chosen.ok and chosen.candidate is None
    [problem] = chosen.problems
    assert problem.code == 'no_fit_candidate'
    assert 'r3, which needs %s:61-90 (purged on r1)' % S in problem.message
    assert 're-seed' in problem.message
    assert chosen.to_dict()['fitness']['r1']['needs'] == {
        'r3': '%s:61-90 (purged on r1)' % S}


def test_mysql_a_named_unfit_candidate_is_refused_naming_a_fit_one():
    chosen = election.elect([mysql('r1', S + ':1-100', S + ':1-90'),
                             mysql('r2', S + ':1-100'),
                             mysql('r3', S + ':1-60')], requested='r1')
    assert [p.code for p in chosen.problems] == ['candidate_unfit']
    assert 'or promote r2' in chosen.problems[0].message


# -- MariaDB ----------------------------------------------------------------

def test_mariadb_follower_at_the_candidates_last_logged_gtid_is_fine():
    found = fitness.judge(mariadb('r1', '0-1-12', '0-1-12', 11),
                          [mariadb('r2', '0-1-12', '0-1-12', 12)])
    assert found.fit


def test_mariadb_skipped_last_transaction_is_not_in_the_binlog():
    # r1 skipped 0-1-12: applied (slave position), never logged.
    skipper = mariadb('r1', '0-1-12', '0-1-11', 11)
    found = fitness.judge(skipper, [mariadb('r2', '0-1-12', '0-1-12', 12)])
    assert not found.fit
    assert found.needs['r2'].startswith('0-1-12 (not in its binary log, '
                                        'which holds up to 0-1-11')
    assert fitness.to_search(skipper, [mariadb('r2', '0-1-12', '0-1-12',
                                               12)]) == []


def test_mariadb_skipper_is_passed_over_for_the_other_replica():
    chosen = election.elect([mariadb('r1', '0-1-12', '0-1-11', 11),
                             mariadb('r2', '0-1-12', '0-1-12', 12)])
    assert chosen.ok and chosen.candidate == 'r2'
    assert '0-1-12' in chosen.passed_over['r1']


def test_mariadb_both_unfit_is_refused():
    # Each skipped the other's resume GTID: r2 skipped 0-1-12, r1 is at
    # 0-1-12 in domain 0; r1 skipped 1-1-5, r2 is at it in domain 1.
    chosen = election.elect([
        mariadb('r1', '0-1-12,1-1-5', '0-1-12,1-1-4', 11),
        mariadb('r2', '0-1-12,1-1-5', '0-1-11,1-1-5', 12)])
    assert not chosen.ok
    assert chosen.problems[0].code == 'no_fit_candidate'
    assert '1-1-5' in chosen.problems[0].message
    assert '0-1-12' in chosen.problems[0].message


def test_mariadb_gtid_within_the_state_is_searched():
    candidate = mariadb('r1', '0-1-20', '0-1-20', 11)
    lagging = mariadb('r2', '0-1-12', '0-1-12', 12)
    assert fitness.to_search(candidate, [lagging]) == [g('0-1-12')]
    # Not searched (an older guest): not judged, said so.
    found = fitness.judge(candidate, [lagging])
    assert found.fit and found.unchecked == {'r2': '0-1-12'}
    found = fitness.judge(dataclasses.replace(candidate, searched=(
        (g('0-1-12'), True, 'in bin.000002'),)), [lagging])
    assert found.fit and not found.unchecked
    found = fitness.judge(dataclasses.replace(candidate, searched=(
        (g('0-1-12'), False, 'not in its binary log bin.000002'),)),
        [lagging])
    assert found.needs == {'r2': '0-1-12 (not in its binary log '
                                 'bin.000002)'}


def test_mariadb_follower_lacking_what_the_candidate_lacks_is_no_matter():
    # The follower is ahead in a domain: the election's matter (behind).
    found = fitness.judge(mariadb('r1', '0-1-10', '0-1-10', 11),
                          [mariadb('r2', '0-1-12', '0-1-12', 12)])
    assert found.fit


@pytest.mark.parametrize('wanted, expected', [
    ('0-1-5', (fitness.ABSENT, 'purged: its oldest binary log b.2 starts '
                               'past it')),
    ('0-1-10', (fitness.FOUND, 'the state b.2 starts at')),
    ('0-1-15', (fitness.SEARCH, 'b.2')),
    ('0-1-20', (fitness.FOUND, 'the state b.3 starts at')),
    ('0-1-25', (fitness.SEARCH, 'b.3')),
    ('0-1-31', (fitness.ABSENT, 'past its binary log state')),
    ('0-2-3', (fitness.SEARCH, 'b.3')),
])
def test_locate_by_gtid_list_headers(wanted, expected):
    headers = [('b.2', (g('0-1-10'),)), ('b.3', (g('0-1-20'),))]
    final = (g('0-2-3'), g('0-1-30'))
    assert fitness.locate(g(wanted), headers, final) == expected


def test_switchover_followers_are_judged_caught_up_with_the_source():
    source = mariadb('s', '0-1-12', '0-1-12', 1)
    lagging = mariadb('r2', '0-1-8', '0-1-8', 12)
    # The candidate has not received 0-1-12 yet: it will log it.
    behind = mariadb('r1', '0-1-10', '0-1-10', 11)
    follower = fitness.caught_up(lagging, source)
    assert str(follower.received) == '0-1-12'
    assert fitness.judge(behind, [follower, source]).fit
    # It skipped 0-1-12: the caught-up follower would be stuck.
    skipper = mariadb('r1', '0-1-12', '0-1-11', 11)
    assert set(fitness.judge(skipper, [follower, source]).needs) == \
        {'r2', 's'}


# -- facts over RPC ---------------------------------------------------------

def test_new_facts_cross_rpc_and_older_guests_still_parse():
    holding = mysql('r1', S + ':1-100', S + ':1-90')
    assert election.Holding.from_dict(holding.to_dict()) == holding
    searched = mariadb('r2', '0-1-20', '0-1-20', 12, (
        ('0-1-12', False, 'not in b.2'),))
    assert election.Holding.from_dict(searched.to_dict()) == searched
    older = {'name': 'r3', 'flavor': 'mysql', 'received': S + ':1-5',
             'own': '', 'binlog_state': [], 'server_id': 3, 'coords': []}
    parsed = election.Holding.from_dict(older)
    assert parsed.purged is None and parsed.searched == ()


@pytest.mark.parametrize('bad', [
    {'searched': [['0-1-2', 'yes', '']]},
    {'searched': [['nope', True, '']]},
    {'searched': ['0-1-2']},
    {'purged': 'not a set'},
])
def test_malformed_new_facts_are_refused_naming_the_replica(bad):
    facts = dict({'name': 'r9', 'flavor': 'mysql' if 'purged' in bad
                  else 'mariadb', 'received': '', 'server_id': 9}, **bad)
    with pytest.raises(exceptions.InvalidInput) as caught:
        election.Holding.from_dict(facts)
    assert 'r9' in str(caught.value)
