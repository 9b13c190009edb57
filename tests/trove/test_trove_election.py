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

"""The eject choice inside Trove's taskmanager, on the answers guests
send over RPC (JSON, as oslo.messaging carries them): Trove's own
``_most_current_replica`` beside ours, on the histories it ranks wrong.
"""

import json
import types

import pytest

import trove_support

S = '3e11fa47-71ca-11e1-9e33-c80aa9429562'
A = 'aaaaaaaa-0000-0000-0000-00000000000a'


@pytest.fixture(scope='module')
def managers():
    trove_support.trove()
    from trove.taskmanager import manager as stock
    from trove_gtid_strategy.trove import taskmanager
    return stock.Manager(), taskmanager.Manager()


def _replica(instance_id, answer):
    """An instance whose guest answers ``get_last_txn`` with ``answer``,
    through a JSON round trip as over RPC.
    """
    sent = json.loads(json.dumps(answer))
    return types.SimpleNamespace(id=instance_id, get_last_txn=lambda: sent)


def _ours(instance_id, received, own='', source='10.0.0.1:3306'):
    """What our guest manager answers for a MySQL replica holding
    ``received`` (its own transactions ``own``).
    """
    from trove_gtid_strategy.decisions import election
    from trove_gtid_strategy import gtid
    received = gtid.GtidSet.parse(received)
    holding = election.Holding(instance_id, received, gtid.GtidSet.parse(own))
    last = max((hi for _, hi in received.intervals(S)), default=0) \
        if S in received.uuids() else 0
    # Trove's answer first (here ranked like Trove: the last number of
    # the source's UUID), then the facts.
    return [source, last, {'holding': holding.to_dict(),
                           'replicating': True, 'source': source}]


OLD = types.SimpleNamespace(id='old-source')


def test_a_hole_fools_trove_and_is_refused_by_us(managers):
    stock, ours = managers
    holed = _replica('r1', _ours('r1', S + ':1-49:51-100'))
    whole = _replica('r2', _ours('r2', S + ':1-99'))
    # Trove ranks by the last number: r1 (100), which lacks 50.
    assert stock._most_current_replica(OLD, [holed, whole]).id == 'r1'
    from trove.common import exception
    with pytest.raises(exception.TroveError) as caught:
        ours._most_current_replica(OLD, [holed, whole])
    message = str(caught.value)
    assert 'no replica holds every transaction' in message
    assert 'r1 holds %s:1-49:51-100' % S in message
    election = json.loads(message.split('election: ', 1)[1])
    assert election['held'] == {'r1': S + ':1-49:51-100', 'r2': S + ':1-99'}


def test_an_errant_replica_is_not_chosen(managers):
    stock, ours = managers
    errant = _replica('r1', _ours('r1', '%s:1-100,%s:1-3' % (S, A),
                                  own=A + ':1-3'))
    other = _replica('r2', _ours('r2', S + ':1-100'))
    third = _replica('r3', _ours('r3', '%s:1-100,%s:1-3' % (S, A)))
    # r3 received A:1-3 too (r1 was once its source), but r2 holds the
    # lost source's transactions without them: they did not come through
    # it, so they are errant on r1 and r3, and r2 holds the lineage.
    assert ours._most_current_replica(OLD, [errant, other, third]).id == \
        'r2'
    assert ours._most_current_replica(OLD, [errant, other]).id == 'r2'
    # Both holding them with no witness against them: shared history.
    assert ours._most_current_replica(OLD, [errant, third]).id == 'r1'
    # Trove picks r1 either way (equal numbers, first wins).
    assert stock._most_current_replica(OLD, [errant, other]).id == 'r1'


def test_the_complete_replica_is_chosen_whatever_the_order(managers):
    _, ours = managers
    answers = [_replica('r1', _ours('r1', S + ':1-90')),
               _replica('r2', _ours('r2', S + ':1-100')),
               _replica('r3', _ours('r3', S + ':1-95'))]
    for order in (answers, answers[::-1], answers[1:] + answers[:1]):
        assert ours._most_current_replica(OLD, order).id == 'r2'


def test_trove_s_own_ranking_accepts_our_answer(managers):
    stock, _ = managers
    answers = [_replica('r1', _ours('r1', S + ':1-90')),
               _replica('r2', _ours('r2', S + ':1-100'))]
    assert stock._most_current_replica(OLD, answers).id == 'r2'


@pytest.mark.parametrize('answer, named', [
    ([S, 100], 'r1 did not report its whole state'),
    ([None, 0, {'holding': {'name': 'r1'}, 'replicating': False,
                'source': None}], 'r1 is not a replica of old-source'),
    ([S, 1, {'holding': {'name': 'r1', 'flavor': 'mysql',
                         'received': 'garbage'},
             'replicating': True, 'source': 'x'}], 'replica r1: r1: '),
])
def test_a_replica_that_cannot_be_judged_is_refused_by_name(managers,
                                                            answer, named):
    _, ours = managers
    from trove.common import exception
    good = _replica('r2', _ours('r2', S + ':1-100'))
    with pytest.raises(exception.TroveError) as caught:
        ours._most_current_replica(OLD, [_replica('r1', answer), good])
    assert named in str(caught.value)


def test_replicas_of_two_sources_are_refused(managers):
    _, ours = managers
    from trove.common import exception
    with pytest.raises(exception.TroveError, match='do not all replicate '
                       'from one source'):
        ours._most_current_replica(OLD, [
            _replica('r1', _ours('r1', S + ':1-9', source='a:3306')),
            _replica('r2', _ours('r2', S + ':1-9', source='b:3306'))])
