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

"""The skip decision on synthetic failures: the method each flavor and
position gets, and every refusal, without a server (the same cases run
on real servers in tests/functional/test_skip_repair.py).
"""

import pytest

from trove_gtid_strategy.binlog import errors
from trove_gtid_strategy.binlog import events
from trove_gtid_strategy.binlog import transactions
from trove_gtid_strategy.capabilities import capabilities_for
from trove_gtid_strategy.decisions import skip
from trove_gtid_strategy import flavors
from trove_gtid_strategy import literals
from trove_gtid_strategy import state as state_mod
from trove_gtid_strategy.versions import parse_label

U1 = '3e11fa47-71ca-11e1-9e33-c80aa9429562'


def _txn(gtid, pos=500, end=900, log='relay.000002'):
    return transactions.Transaction(
        gtid=gtid, log_name=log, pos=pos, server_id=1,
        events=(events.Event(log, pos, 'Query', 1, end, 'BEGIN'),
                events.Event(log, pos + 80, 'Query', 1, end,
                             'INSERT INTO t VALUES (1)')),
        complete=True)


def _failure(label, txn, mode, at_position=True, variables=None,
             error=''):
    caps = capabilities_for(parse_label(label))
    row = {'Relay_Log_File': txn.log_name,
           'Relay_Log_Pos': str(txn.pos if at_position else 4)}
    return skip.Failure(caps, state_mod.ReplicaStatus.from_row(row), row,
                        mode, variables or {}, txn, at_position,
                        errors.error_hint(error))


def test_mysql_with_gtids_commits_an_empty_transaction():
    txn = _txn('%s:13' % U1)
    method, statements, notes = skip.plan_skip(
        _failure('mysql-9.7', txn, 'mysql_gtid', at_position=False))
    assert method == skip.EMPTY_TRANSACTION
    # The colon escaped for SQLAlchemy's text(), Trove's execute path.
    assert statements == ['SET gtid_next = %s' % literals.quote(
        '%s:13' % U1), 'BEGIN', 'COMMIT', "SET gtid_next = 'AUTOMATIC'",
        'START REPLICA']
    assert notes == []


def test_mariadb_at_the_position_uses_the_counter_and_names_the_hole():
    txn = _txn('0-1-7')
    method, statements, notes = skip.plan_skip(_failure(
        'mariadb-11.8', txn, 'mariadb_gtid',
        variables={'gtid_slave_pos': '0-1-6'}))
    assert method == skip.SKIP_COUNTER
    assert statements == ['SET GLOBAL sql_slave_skip_counter = 1',
                          'START REPLICA']
    assert len(notes) == 1 and 'error 1236' in notes[0]


@pytest.mark.parametrize('at_position, threads, why', [
    (False, '0', 'is before the failed transaction'),
    (True, '4', 'refused with parallel replication')])
def test_mariadb_moves_the_slave_position_where_the_counter_is_unsafe(
        at_position, threads, why):
    txn = _txn('0-1-7')
    method, statements, notes = skip.plan_skip(_failure(
        'mariadb-11.8', txn, 'mariadb_gtid', at_position=at_position,
        variables={'gtid_slave_pos': '0-1-6,1-2-40',
                   'slave_parallel_threads': threads}))
    assert method == skip.GTID_SLAVE_POS
    assert statements == ['STOP REPLICA',
                          "SET GLOBAL gtid_slave_pos = '0-1-7,1-2-40'",
                          'START REPLICA']
    assert why in notes[0]


def test_mariadb_with_parallel_threads_and_one_domain_keeps_the_counter():
    method, _, _ = skip.plan_skip(_failure(
        'mariadb-10.11', _txn('0-1-7'), 'mariadb_gtid',
        variables={'gtid_slave_pos': '0-1-6',
                   'slave_parallel_threads': '4'}))
    assert method == skip.SKIP_COUNTER


def test_mysql_without_gtids_moves_a_checkpointed_applier_first():
    txn = _txn('', end=3882)
    method, statements, notes = skip.plan_skip(_failure(
        'mysql-9.7', txn, 'binlog', at_position=False,
        error="... the event's source log binlog.000001, end_log_pos 3882"))
    assert method == skip.SKIP_COUNTER
    assert statements == [
        'START REPLICA SQL_THREAD UNTIL SQL_AFTER_MTS_GAPS',
        'SET GLOBAL sql_replica_skip_counter = 1', 'START REPLICA']
    assert 'checkpoint' in notes[0]


@pytest.mark.parametrize('label, error', [
    ('mysql-9.7', ''),
    ('mariadb-11.8', "the event's master log b.000001, end_log_pos 3882")])
def test_the_counter_away_from_the_position_is_refused(label, error):
    """MySQL without the error's position, or MariaDB in position mode:
    the counter would skip another transaction.
    """
    with pytest.raises(skip.SkipRefused, match='re-seed') as caught:
        skip.plan_skip(_failure(label, _txn('', end=3882), 'binlog',
                                at_position=False, error=error), 'r1')
    assert caught.value.code == 'counter_unsafe'
    assert 'r1' in str(caught.value)


def test_choose_follows_the_error_and_the_callers_gtid():
    a, b = _txn('0-1-7', end=900), _txn('1-2-3', end=1200)
    hint = errors.error_hint('')
    with pytest.raises(skip.SkipRefused) as caught:
        skip.choose('r1', [a, b], hint, '')
    assert caught.value.code == 'ambiguous'
    assert skip.choose('r1', [a, b], hint, '1-2-3') is b
    by_position = errors.error_hint(
        "the event's master log b.000001, end_log_pos 1200")
    assert skip.choose('r1', [a, b], by_position, '') is b
    with pytest.raises(skip.SkipRefused) as caught:
        skip.choose('r1', [a, b], by_position, '0-1-7')
    assert caught.value.code == 'gtid_mismatch'
    named = errors.error_hint("Worker 1 failed executing transaction "
                              "'%s:9' at source log b.000001, end_log_pos "
                              "900" % U1)
    with pytest.raises(skip.SkipRefused) as caught:
        skip.choose('r1', [a], named, '')
    assert caught.value.code == 'error_disagrees'


def test_check_received_refuses_a_gtid_not_received_or_executed():
    status = state_mod.ReplicaStatus.from_row({
        'Retrieved_Gtid_Set': '%s:1-13' % U1,
        'Executed_Gtid_Set': '%s:1-12' % U1})
    mysql = flavors.of(capabilities_for(parse_label('mysql-9.7')))
    skip.check_received('r1', mysql, status, _txn('%s:13' % U1))
    with pytest.raises(skip.SkipRefused) as caught:
        skip.check_received('r1', mysql, status, _txn('%s:12' % U1))
    assert caught.value.code == 'error_disagrees'
