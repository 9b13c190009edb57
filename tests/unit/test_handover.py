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

"""What a source hands over to a promoted replica, as text both ways."""

import pytest

from trove_gtid_strategy.decisions import handover
from trove_gtid_strategy import exceptions
from trove_gtid_strategy import gtid
from trove_gtid_strategy import state as state_mod
from trove_gtid_strategy import versions

S = '3e11fa47-71ca-11e1-9e33-c80aa9429562'
A = 'aaaaaaaa-0000-0000-0000-00000000000a'


def _state(version, **fields):
    return state_mod.ServerState(
        version=versions.parse_server_version(*version), server_id=1,
        **fields)


def test_mysql_hands_over_its_whole_executed_set():
    state = _state(('9.7.4', 'MySQL Community Server - GPL'),
                   gtid_mode='ON', log_bin=True,
                   gtid_executed=gtid.GtidSet.parse(
                       '%s:1-49:51-100,%s:1-3' % (S, A)))
    text = handover.executed_text(state)
    assert handover.parse_executed(text) == state.gtid_executed


def test_mariadb_hands_over_every_domain():
    state = _state(('11.8.9-MariaDB-0+deb13u1', 'Debian'),
                   gtid_binlog_pos=gtid.MariaDBGtidPosition.parse('0-1-9'),
                   gtid_slave_pos=gtid.MariaDBGtidPosition.parse(
                       '0-1-7,1-2-5'))
    assert handover.executed_text(state) == '0-1-9,1-2-5'


def test_without_gtids_coordinates_are_handed_over():
    state = _state(('5.5.62-log', 'MySQL Community Server (GPL)'),
                   log_bin=True, binlog_position=('mysql-bin.000012', 4077))
    text = handover.executed_text(state)
    assert text == 'binlog:mysql-bin.000012:4077'
    assert handover.parse_executed(text) == ('mysql-bin.000012', 4077)


def test_a_server_without_a_binary_log_hands_over_nothing():
    state = _state(('5.5.62', 'MySQL Community Server (GPL)'))
    with pytest.raises(exceptions.InvalidInput, match='no binary log'):
        handover.executed_text(state)


@pytest.mark.parametrize('text', [
    'binlog:mysql-bin.000001:', 'binlog::12', '%s:0' % S, '0-1', 7])
def test_malformed_state_is_refused_quoting_it(text):
    with pytest.raises(exceptions.InvalidInput):
        handover.parse_executed(text)


@pytest.mark.parametrize('have, target, lacks', [
    (S + ':1-90', S + ':1-100', S + ':91-100'),
    (S + ':1-100', S + ':1-100', ''),
    ('0-1-9,1-2-5', '0-1-10,1-2-5', '0-1-10'),
    ('binlog:b.000002:100', 'binlog:b.000010:4',
     'from b.000002:100 to b.000010:4'),
    ('binlog:b.000010:4', 'binlog:b.000002:100', ''),
])
def test_what_a_candidate_lacks(have, target, lacks):
    assert handover.lacking(handover.parse_executed(have),
                            handover.parse_executed(target)) == lacks


def test_different_kinds_cannot_be_compared():
    with pytest.raises(exceptions.InvalidInput, match='cannot compare'):
        handover.lacking(handover.parse_executed(S + ':1'),
                         handover.parse_executed('0-1-1'))


def test_a_candidate_s_own_transactions_are_errant():
    assert handover.errant_on_candidate(
        '%s:1-90,%s:1-2' % (S, A), S + ':1-100') == A + ':1-2'
    assert handover.errant_on_candidate(S + ':1-90', S + ':1-100') == ''
    assert handover.errant_on_candidate('0-1-12', '0-1-10') == '0-1-12'
    assert handover.errant_on_candidate('binlog:b.000009:4',
                                        'binlog:b.000002:4') == ''
