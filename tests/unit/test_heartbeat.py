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

"""The heartbeat: the lag decision (pure), its statements, the writing
loop on a scripted server (no real sleep), the command's input checks
and what status shows with hand-made facts.
"""

import datetime
import json

import pymysql
import pytest

from trove_gtid_strategy.cmd import heartbeat as heartbeat_cmd
from trove_gtid_strategy.dialect import heartbeat as heartbeat_sql
from trove_gtid_strategy import exceptions
from trove_gtid_strategy.guest import heartbeat as heartbeat_reader
from trove_gtid_strategy.guest import service as guest_service
from trove_gtid_strategy import heartbeat_lag as hb
from trove_gtid_strategy import literals
from trove_gtid_strategy.operations import heartbeat as heartbeat_op
from trove_gtid_strategy.operations import status as status_op

from test_check_status import facts
from test_check_status import replica_state
from test_check_status import replica_status
from test_check_status import source_state

T0 = datetime.datetime(2026, 12, 6, 12, 0, 0)


def at(seconds):
    return T0 + datetime.timedelta(seconds=seconds)


def reading(now, **beats):
    """A Reading at ``now`` seconds with beats ``s<server_id>=(ts,
    interval)``.
    """
    return hb.Reading({int(k[1:]): hb.Beat(at(ts), interval)
                       for k, (ts, interval) in beats.items()}, at(now))


# -- the decision -------------------------------------------------------

def test_no_table_or_no_row_of_its_source_measures_nothing():
    assert hb.judge(None, 1) is None
    assert hb.judge(reading(10, s7=(9, 1)), 1) is None
    assert hb.lag_from(None) == 'seconds_behind_source'


def test_source_clock_when_the_source_is_given():
    replica = reading(50, s1=(40, 1))
    source = reading(47.5, s1=(47, 1))
    found = hb.judge(replica, 1, source)
    assert (found.seconds, found.clock, found.used) == (7.0, 'source', True)
    assert not found.writer_stopped
    assert hb.lag_from(found) == 'heartbeat'
    # The replica's own clock (50) plays no part: no skew.
    assert hb.judge(reading(-100, s1=(40, 1)), 1, source).seconds == 7.0
    assert found.describe() == \
        '7.000 s behind (source clock, interval 1 s); lag from heartbeat'


def test_caught_up_is_zero_never_negative():
    source = reading(41, s1=(40, 1))
    assert hb.judge(reading(41, s1=(40, 1)), 1, source).seconds == 0.0


def test_a_stale_writer_is_said_not_reported_as_lag():
    # The newest beat is 6 intervals old on the source itself.
    source = reading(106, s1=(100, 1))
    found = hb.judge(reading(106, s1=(95, 1)), 1, source)
    assert found.writer_stopped and not found.used
    assert found.seconds == 5.0
    assert 'writer stopped' in found.note and '6.0 s old' in found.note
    assert hb.lag_from(found) == 'seconds_behind_source'
    assert found.describe().endswith('lag from Seconds_Behind_Source')
    # Five intervals is still a beating writer (a slow commit).
    assert hb.judge(reading(105, s1=(95, 1)), 1,
                    reading(105, s1=(100, 1))).used


def test_a_source_without_its_own_beat():
    found = hb.judge(reading(10, s1=(9, 1)), 1, reading(10, s5=(9, 1)))
    assert (found.seconds, found.used) == (None, False)
    assert 'no beat of its own' in found.describe()
    # A given source without the table is not a source not given.
    assert not hb.judge(reading(10, s1=(9, 1)), 1, hb.NO_BEATS).used


def test_replica_clock_without_the_source_says_skew():
    found = hb.judge(reading(12.25, s1=(10, 2)), 1)
    assert (found.seconds, found.clock, found.used) == (2.25, 'replica',
                                                        True)
    assert found.note == 'replica clock, skew not corrected'
    # A replica clock behind the source's: never a negative lag.
    found = hb.judge(reading(9, s1=(10, 2)), 1)
    assert found.seconds == 0.0
    assert 'clock is 1.000 s behind' in found.note


def test_table_mark():
    assert hb.mark_of(hb.table_mark(False)) == (True, False)
    assert hb.mark_of(hb.table_mark(True)) == (True, True)
    assert hb.mark_of('a table of the application') == (False, False)
    assert hb.mark_of('') == (False, False)


# -- statements ---------------------------------------------------------

def test_identifiers_are_quoted_or_refused():
    assert literals.identifier('trove_gtid') == '`trove_gtid`'
    for bad in ('', 'a`b', 'a:b', 'a b', 'é', 'x' * 65, None):
        with pytest.raises(exceptions.InvalidInput):
            literals.identifier(bad)


def test_beat_statement_carries_literals_not_variables():
    sql = heartbeat_sql.beat(7, "u'1", 0.5).sql
    assert sql == ("REPLACE INTO `trove_gtid`.`heartbeat` (server_id, "
                   "server_uuid, ts, interval_seconds) VALUES (7, 'u\\'1', "
                   "UTC_TIMESTAMP(6), 0.500)")
    assert '@@' not in sql
    with pytest.raises(exceptions.InvalidInput):
        heartbeat_sql.beat('1; DROP', '', 1)


# -- a scripted server ----------------------------------------------------

class ScriptedSource:
    """A MySQL 9.7 server answering the heartbeat's statements; ``sent``
    lists what changed it. ``replica`` / ``read_only`` change what the
    next look sees.
    """

    def __init__(self, comment=None, database=False, objects=0):
        self.comment = comment
        self.database = database
        self.objects = objects
        self.replica = False
        self.read_only = 'OFF'
        self.sent = []

    def execute_sql(self, sql, use_flush=False):
        if sql.startswith('SHOW GLOBAL VARIABLES'):
            values = {'version': '9.7.4', 'version_comment': 'x',
                      'server_id': '7', 'server_uuid': 'u-7',
                      'read_only': self.read_only,
                      'super_read_only': 'OFF'}
            return guest_service.Result(
                ['Variable_name', 'Value'],
                [(k, v) for k, v in values.items() if "'%s'" % k in sql])
        if sql == 'SHOW REPLICA STATUS':
            rows = [('127.0.0.1',)] if self.replica else []
            return guest_service.Result(['Source_Host'], rows)
        if 'TABLE_COMMENT' in sql:
            rows = [] if self.comment is None else [(self.comment,)]
            return guest_service.Result(['TABLE_COMMENT'], rows)
        if 'information_schema.ROUTINES' in sql:
            return guest_service.Result(['n'], [(self.objects,)])
        if sql.startswith('CREATE DATABASE') and self.database:
            raise pymysql.err.ProgrammingError(1007, 'database exists')
        self.sent.append(sql.split(' (')[0])
        return guest_service.Result([], [])


class Clock:
    """A clock that sleep moves: no real waiting."""

    def __init__(self):
        self.now = 100.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def test_prepare_creates_the_database_and_marks_it_ours():
    src = ScriptedSource()
    heartbeat_op.prepare(src)
    assert src.sent == ['CREATE DATABASE `trove_gtid`',
                        'CREATE TABLE `trove_gtid`.`heartbeat`']
    # An existing database: the mark says we did not create it.
    src = ScriptedSource(database=True)
    heartbeat_op.prepare(src)
    assert src.sent == ['CREATE TABLE `trove_gtid`.`heartbeat`']
    # Our table: nothing sent.
    src = ScriptedSource(comment=hb.table_mark(True))
    heartbeat_op.prepare(src)
    assert src.sent == []


def test_a_table_not_ours_is_refused():
    src = ScriptedSource(comment='the application\'s heartbeat')
    for operation in (heartbeat_op.prepare, heartbeat_op.remove):
        with pytest.raises(exceptions.PrecheckFailed, match='not ours'):
            operation(src)
    assert src.sent == []


def test_beats_counted_on_schedule_without_real_sleep():
    src, clock = ScriptedSource(comment=hb.table_mark(False)), Clock()
    done = heartbeat_op.beat(src, 0.5, count=3, clock=clock,
                             sleep=clock.sleep)
    assert (done.beats, done.stopped_by) == (3, 'count')
    assert src.sent == ['REPLACE INTO `trove_gtid`.`heartbeat`'] * 3
    assert clock.slept == [0.5, 0.5]
    assert json.loads(json.dumps(done.to_dict()))['table'] == \
        'trove_gtid.heartbeat'
    assert done.describe() == ('3 beats every 0.5 s on the source into '
                               'trove_gtid.heartbeat, stopped by --count')


def test_ctrl_c_ends_the_run_with_what_was_written():
    src, clock = ScriptedSource(), Clock()

    def interrupted(seconds):
        if len(clock.slept) == 1:
            raise KeyboardInterrupt
        clock.sleep(seconds)

    done = heartbeat_op.beat(src, 1, clock=clock, sleep=interrupted)
    assert (done.beats, done.stopped_by) == (2, 'interrupted')
    assert 'stopped by Ctrl-C or SIGTERM' in done.describe()


@pytest.mark.parametrize('change, why', [
    (lambda s: setattr(s, 'replica', True), 'it is a replica'),
    (lambda s: setattr(s, 'read_only', 'ON'), 'it is read-only')])
def test_a_replica_or_read_only_server_gets_no_beat(change, why):
    src = ScriptedSource()
    change(src)
    for operation in (heartbeat_op.prepare, heartbeat_op.remove,
                      lambda s: heartbeat_op.beat(s, 1, count=1)):
        with pytest.raises(exceptions.PrecheckFailed, match=why):
            operation(src)
    assert src.sent == []


def test_a_source_turned_replica_mid_run_stops_before_the_next_beat():
    src, clock = ScriptedSource(), Clock()

    def demoted(seconds):
        src.replica = True
        clock.sleep(seconds)

    with pytest.raises(exceptions.PrecheckFailed,
                       match='stopped after 1 beat: .*it is a replica'):
        heartbeat_op.beat(src, 1, count=5, clock=clock, sleep=demoted)
    assert len(src.sent) == 1


@pytest.mark.parametrize('comment, objects, sent, database', [
    (hb.table_mark(True), 0, ['DROP TABLE IF EXISTS `trove_gtid`.'
                              '`heartbeat`', 'DROP DATABASE IF EXISTS '
                              '`trove_gtid`'], True),
    (hb.table_mark(True), 2, ['DROP TABLE IF EXISTS `trove_gtid`.'
                              '`heartbeat`'], False),
    (hb.table_mark(False), 0, ['DROP TABLE IF EXISTS `trove_gtid`.'
                               '`heartbeat`'], False)])
def test_remove_drops_only_what_it_made(comment, objects, sent, database):
    src = ScriptedSource(comment=comment, objects=objects)
    removal = heartbeat_op.remove(src)
    assert src.sent == sent
    assert (removal.table_dropped, removal.database_dropped) == (
        True, database)


def test_remove_without_a_table_changes_nothing():
    src = ScriptedSource()
    removal = heartbeat_op.remove(src)
    assert not removal.table_dropped and src.sent == []
    assert 'no trove_gtid.heartbeat' in removal.note


# -- reading -------------------------------------------------------------

class Answering:
    def __init__(self, answer):
        self.answer = answer

    def execute_sql(self, sql, use_flush=False):
        if isinstance(self.answer, Exception):
            raise self.answer
        return guest_service.Result(['a', 'b', 'c', 'd'], self.answer)


def test_reading_a_server_without_the_table_is_none():
    for errno in (1146, 1049, 1142, 1044):
        assert heartbeat_reader.read(Answering(
            pymysql.err.ProgrammingError(errno, 'no'))) is None
    with pytest.raises(pymysql.err.OperationalError):
        heartbeat_reader.read(Answering(
            pymysql.err.OperationalError(2013, 'lost')))


def test_reading_rows_and_the_server_now():
    found = heartbeat_reader.read(Answering([
        (1, at(5), '1.000', at(6)), (2, '2026-12-06 12:00:03.500000',
                                     '0.500', at(6))]))
    assert found.now == at(6)
    assert found.beats == {1: hb.Beat(at(5), 1.0), 2: hb.Beat(at(3.5), 0.5)}
    assert heartbeat_reader.read(Answering([])) == hb.Reading({}, None)


# -- the command's input ----------------------------------------------------

@pytest.mark.parametrize('argv, bad', [
    (dict(interval=0.0), '--interval'), (dict(interval=3601.0), '--interval'),
    (dict(count=0), '--count'), (dict(remove=True, count=2), '--remove')])
def test_bad_input_names_the_bad_part(argv, bad):
    class Args:
        interval, count, remove = 1.0, None, False
    args = Args()
    for key, value in argv.items():
        setattr(args, key, value)
    with pytest.raises(exceptions.InvalidInput, match=bad):
        heartbeat_cmd._check_beats(args)


# -- status ---------------------------------------------------------------

def test_status_shows_the_heartbeat_beside_seconds_behind():
    lagging = replica_state(replica=replica_status(seconds_behind=0))
    report = status_op.build_report([
        facts('a', source_state(), dump_sessions=1,
              heartbeat=reading(20.5, s1=(20, 1))),
        facts('b', lagging, heartbeat=reading(21, s1=(17, 1)))])
    lag = report.servers[1].replication.lag
    assert (lag.seconds, lag.heartbeat.seconds, lag.lag_from) == (
        0, 3.0, 'heartbeat')
    data = json.loads(json.dumps(report.to_dict()))
    found = data['servers'][1]['replication']['lag']
    assert found['lag_from'] == 'heartbeat'
    assert found['heartbeat']['clock'] == 'source'
    assert found['seconds'] == 0 and found['transactions'] == 0
    text = report.to_text()
    assert '  lag: Seconds_Behind_Source 0' in text
    assert '  heartbeat: 3.000 s behind (source clock, interval 1 s); lag ' \
        'from heartbeat' in text
    # Its source not given: the replica's clock, said so.
    report = status_op.build_report([facts('b', lagging,
                                           heartbeat=reading(21, s1=(17, 1)))])
    assert 'replica clock, skew not corrected' in report.to_text()


def test_status_with_a_source_whose_table_is_gone():
    report = status_op.build_report([
        facts('a', source_state(), dump_sessions=1),
        facts('b', replica_state(replica=replica_status()),
              heartbeat=reading(21, s1=(17, 1)))])
    lag = report.servers[1].replication.lag
    assert (lag.heartbeat.seconds, lag.lag_from) == (
        None, 'seconds_behind_source')
    assert 'no beat of its own' in report.to_text()


def test_status_without_heartbeat_is_as_before():
    report = status_op.build_report([
        facts('a', source_state()),
        facts('b', replica_state(replica=replica_status()))])
    lag = report.servers[1].replication.lag
    assert (lag.heartbeat, lag.lag_from) == (None, 'seconds_behind_source')
    assert 'heartbeat' not in report.to_text()


@pytest.fixture
def default_signals():
    """SIGINT and SIGTERM as a terminal leaves them, whatever this
    process inherited (a test run started in the background has SIGINT
    ignored), restored afterwards.
    """
    import signal
    saved = {n: signal.getsignal(n) for n in (signal.SIGINT, signal.SIGTERM)}
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    yield
    for number, handler in saved.items():
        signal.signal(number, handler)


@pytest.mark.parametrize('signum', ['SIGINT', 'SIGTERM'])
def test_a_stop_while_a_beat_is_written_ends_after_it(signum,
                                                      default_signals):
    """Ctrl-C or SIGTERM arriving while a beat is written: the beat
    completes and counts (the server acknowledged it), then the run ends;
    arriving during a sleep it ends at once.
    """
    import os
    import signal

    from trove_gtid_strategy.cmd import heartbeat as heartbeat_cmd
    number = getattr(signal, signum)
    before = signal.getsignal(number)
    src = ScriptedSource()
    sent = src.execute_sql

    def signalled_mid_write(sql, *args):
        if sql.startswith('REPLACE'):
            os.kill(os.getpid(), number)
        return sent(sql, *args)

    src.execute_sql = signalled_mid_write
    with heartbeat_cmd.StopRequest() as stop:
        # count bounds the run should the stop be missed.
        done = heartbeat_op.beat(src, 0.01, count=3, sleep=stop.sleep,
                                 stopping=stop.stopping)
    assert (done.beats, done.stopped_by) == (1, 'interrupted')
    assert signal.getsignal(number) is before
    with heartbeat_cmd.StopRequest() as stop:
        with pytest.raises(KeyboardInterrupt):
            stop._sleeping = True
            os.kill(os.getpid(), number)


def test_sigint_ignored_by_the_parent_stays_ignored(default_signals):
    """A writer started in the background has SIGINT ignored: that stays
    so (SIGTERM stops it).
    """
    import signal

    from trove_gtid_strategy.cmd import heartbeat as heartbeat_cmd
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with heartbeat_cmd.StopRequest():
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
