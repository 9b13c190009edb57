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

"""Where a lagging binlog-position replica resumes in a MySQL source's
binary log (trove_gtid_strategy.binlog.resume), on event rows shaped as
MySQL 9.7's ``SHOW BINLOG EVENTS`` returns them.
"""

from trove_gtid_strategy.binlog import events
from trove_gtid_strategy.binlog import resume
from trove_gtid_strategy import gtid

OLD = '406cc160-ed43-11f1-8510-02fc00000001'
OTHER = '406f682e-ed43-11f1-9035-02fc00000001'


def g(text):
    return gtid.GtidSet.parse(text)


def log(name, *gtids, start=158):
    """A binary log's events: a transaction (GTID, write, commit) per
    GTID, ``''`` for an anonymous one.
    """
    found = [events.Event(name, 4, 'Format_desc', 1, 126, 'Server ver'),
             events.Event(name, 126, 'Previous_gtids', 1, start, '')]
    pos = start
    for one in gtids:
        info = "SET @@SESSION.GTID_NEXT= '%s'" % (one or 'ANONYMOUS')
        kind = 'Gtid' if one else 'Anonymous_Gtid'
        found += [events.Event(name, pos, kind, 1, pos + 80, info),
                  events.Event(name, pos + 80, 'Write_rows', 1, pos + 150,
                               'table_id: 90 flags: STMT_END_F'),
                  events.Event(name, pos + 150, 'Xid', 1, pos + 180,
                               'COMMIT /* xid=9 */')]
        pos += 180
    return found


def txns(uuid, first, last):
    return ['%s:%d' % (uuid, n) for n in range(first, last + 1)]


def test_resumes_at_the_first_transaction_the_replica_lacks():
    found = resume.resume_point(g(OLD + ':1-7'), g(OLD + ':1-10'),
                                log('b.000002', *txns(OLD, 5, 10)))
    # The replica holds 5-7 from this file: it starts at 8's GTID event.
    assert (found.log_file, found.log_pos) == ('b.000002', 158 + 3 * 180)
    assert found.rest == g(OLD + ':8-10')


def test_continues_into_the_next_files():
    logged = log('b.000002', *txns(OLD, 1, 3)) + \
        log('b.000003', *txns(OLD, 4, 6))
    found = resume.resume_point(g(OLD + ':1-2'), g(OLD + ':1-6'), logged)
    assert (found.log_file, found.log_pos) == ('b.000002', 158 + 2 * 180)
    assert found.rest == g(OLD + ':3-6')


def test_a_replica_holding_everything_starts_at_the_end():
    logged = log('b.000002', *txns(OLD, 1, 3))
    found = resume.resume_point(g(OLD + ':1-3'), g(OLD + ':1-3'), logged)
    assert (found.log_file, found.log_pos) == ('b.000002', 158 + 3 * 180)
    assert found.rest == g('')


def test_a_held_transaction_after_a_lacked_one_has_no_start_point():
    # Interleaved: the replica holds OTHER:1, logged after OLD:3 it lacks.
    logged = log('b.000002', *(txns(OLD, 1, 3) + [OTHER + ':1']))
    assert resume.resume_point(g(OLD + ':1-2,' + OTHER + ':1'),
                               g(OLD + ':1-3,' + OTHER + ':1'),
                               logged) is None


def test_an_anonymous_transaction_has_no_start_point():
    logged = log('b.000002', *(txns(OLD, 1, 2) + ['']))
    assert resume.resume_point(g(OLD + ':1-2'), g(OLD + ':1-2'),
                               logged) is None


def test_what_the_source_executed_outside_the_files_read_is_refused():
    # The source executed OLD:4 (say, set in gtid_purged) but no file read
    # logs it: starting here would never send it.
    logged = log('b.000002', *txns(OLD, 1, 3))
    assert resume.resume_point(g(OLD + ':1-2'), g(OLD + ':1-4'),
                               logged) is None


def test_no_events_no_start_point():
    assert resume.resume_point(g(OLD + ':1'), g(OLD + ':1'), []) is None


def test_first_file_is_the_newest_whose_previous_gtids_are_held():
    headers = [('b.000004', g(OLD + ':1-30')), ('b.000003', g(OLD + ':1-20')),
               ('b.000002', g(OLD + ':1-10'))]
    assert resume.first_file(g(OLD + ':1-25'), iter(headers)) == 'b.000003'
    assert resume.first_file(g(OLD + ':1-30'), iter(headers)) == 'b.000004'


def test_first_file_is_none_when_the_lacked_transactions_were_purged():
    headers = [('b.000009', g(OLD + ':1-30')), ('b.000008', g(OLD + ':1-20'))]
    assert resume.first_file(g(OLD + ':1-5'), iter(headers)) is None
    assert resume.first_file(g(OLD + ':1-5'), iter([('b.1', None)])) is None


def test_first_file_reads_headers_only_until_it_finds_one():
    read = []

    def headers():
        for name, previous in (('b.000003', OLD + ':1-20'),
                               ('b.000002', OLD + ':1-10'),
                               ('b.000001', '')):
            read.append(name)
            yield name, g(previous)
    assert resume.first_file(g(OLD + ':1-15'), headers()) == 'b.000002'
    assert read == ['b.000003', 'b.000002']
