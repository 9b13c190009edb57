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

"""The pure pieces of ``trove-gtid verify``: where a replica stands
against the snapshot's point, table names, key ranges, chunk sums and
the report (decisions/verify.py); the checksum statements
(checksum_sql.py); the snapshot and UNTIL statements (dialect/snapshot.py).
"""

import datetime
import decimal
import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st
import pytest

from trove_gtid_strategy.capabilities import capabilities_for
from trove_gtid_strategy import checksum_sql
from trove_gtid_strategy.decisions import verify as decision
from trove_gtid_strategy.dialect import Dialect
from trove_gtid_strategy import exceptions
from trove_gtid_strategy.gtid import GtidSet
from trove_gtid_strategy.gtid import MariaDBGtidPosition
from trove_gtid_strategy import literals
from trove_gtid_strategy.versions import Flavor
from trove_gtid_strategy.versions import ServerVersion

U1 = '3e11fa47-71ca-11e1-9e33-c80aa9429562'
U2 = '4e11fa47-71ca-11e1-9e33-c80aa9429562'


def dialect(flavor, *number):
    return Dialect(capabilities_for(ServerVersion(flavor, *number)))


MYSQL = dialect(Flavor.MYSQL, 9, 7, 4)
MYSQL57 = dialect(Flavor.MYSQL, 5, 7, 44)
MARIADB = dialect(Flavor.MARIADB, 10, 11, 6)


# -- purity -----------------------------------------------------------------

@pytest.mark.parametrize('module', ['checksum_sql', 'decisions.verify'])
def test_pure_pieces_import_no_io(module):
    code = ('import sys\nimport trove_gtid_strategy.%s\nprint(",".join('
            'n for n in ("pymysql", "socket", "subprocess", "sqlalchemy", '
            '"trove_gtid_strategy.guest", "trove_gtid_strategy.sandbox") '
            'if n in sys.modules))' % module)
    out = subprocess.run([sys.executable, '-c', code], capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == ''


# -- where the replica stands ----------------------------------------------

@pytest.mark.parametrize('applied, point, expected', [
    (GtidSet.parse(U1 + ':1-5'), GtidSet.parse(U1 + ':1-9'),
     (decision.BEHIND, U1 + ':6-9')),
    (GtidSet.parse(U1 + ':1-9'), GtidSet.parse(U1 + ':1-9'),
     (decision.AT, '')),
    (GtidSet.parse(U1 + ':1-9,' + U2 + ':1'), GtidSet.parse(U1 + ':1-9'),
     (decision.PAST, U2 + ':1')),
    # Errant and behind at once: past wins, it cannot be compared.
    (GtidSet.parse(U1 + ':1-3,' + U2 + ':1'), GtidSet.parse(U1 + ':1-9'),
     (decision.PAST, U2 + ':1')),
    (MariaDBGtidPosition.parse('0-1-5'), MariaDBGtidPosition.parse('0-1-9'),
     (decision.BEHIND, '0-1-9')),
    (MariaDBGtidPosition.parse('0-1-9'), MariaDBGtidPosition.parse('0-1-9'),
     (decision.AT, '')),
    (MariaDBGtidPosition.parse('0-1-9,1-2-3'),
     MariaDBGtidPosition.parse('0-1-9'), (decision.PAST, '1-2-3')),
    (('bin.000002', 400), ('bin.000003', 4),
     (decision.BEHIND, 'from bin.000002:400 to bin.000003:4')),
    (('bin.000003', 4), ('bin.000003', 4), (decision.AT, '')),
    (('bin.000010', 4), ('bin.000009', 900),
     (decision.PAST, 'from bin.000009:900 to bin.000010:4')),
])
def test_stance(applied, point, expected):
    assert decision.stance(applied, point) == expected


# -- table names ------------------------------------------------------------

def test_table_names():
    assert decision.parse_table_name('app.t') == ('app', 't')
    assert decision.parse_table_name('app.t.x') == ('app', 't.x')
    for bad in ('t', '.t', 'app.', ''):
        with pytest.raises(exceptions.InvalidInput, match='SCHEMA.TABLE'):
            decision.parse_table_name(bad)
    with pytest.raises(exceptions.InvalidInput, match='system schema'):
        decision.parse_table_name('MySQL.user')


def test_match_tables():
    source = [('a', 'x'), ('a', 'y')]
    replica = [('a', 'y'), ('a', 'z')]
    assert decision.match_tables(source, replica) == (
        [('a', 'y')], [('a', 'x')], [('a', 'z')])
    assert decision.match_tables(source, replica, [('a', 'x')]) == (
        [], [('a', 'x')], [])
    with pytest.raises(exceptions.InvalidInput, match='no table a.q'):
        decision.match_tables(source, replica, [('a', 'q'), ('a', 'y')])


# -- ranges, sums, tallies --------------------------------------------------

def test_key_range_text():
    assert decision.KeyRange().describe(('id',)) == 'every row'
    assert decision.KeyRange((5,), (9,)).describe(('id',)) == \
        'id > 5 and id <= 9'
    assert decision.KeyRange(None, (1, b'\x00\xff')).describe(
        ('a', 'b')) == '(a, b) <= (1, 00ff)'
    assert decision.KeyRange((datetime.date(2024, 1, 2),)).to_dict() == {
        'after': ['2024-01-02'], 'up_to': None}


def _sums(crcs):
    xor = 0
    for crc in crcs:
        xor ^= crc
    return decision.Sums(len(crcs), xor, sum(crcs))


@given(st.lists(st.integers(0, 2 ** 32 - 1), max_size=40),
       st.integers(1, 7))
def test_sums_do_not_depend_on_the_chunks(crcs, size):
    chunked = decision.Sums()
    for i in range(0, len(crcs), size):
        chunked += _sums(crcs[i:i + size])
    assert chunked == _sums(crcs)
    assert chunked.text() == _sums(crcs).text()


def test_sums_of_a_keyed_range_have_no_sum():
    assert decision.Sums.from_row((3, 5)) == decision.Sums(3, 5, 0)
    assert decision.Sums.from_row((3, 5)).text() == '00000005'
    assert decision.Sums.from_row((2, 0, 10)).text() == '00000000-a'


def test_tally_reports_the_first_differing_range():
    tally = decision.TableTally('app.t', key=('id',), chunked=True)
    same = decision.Sums(10, 7, 70)
    assert not tally.add(decision.KeyRange(None, (10,)), same, same)
    assert tally.add(decision.KeyRange((10,), (20,)), same,
                     decision.Sums(10, 8, 70))
    assert tally.add(decision.KeyRange((20,)), decision.Sums(1, 1, 1),
                     decision.Sums(2, 1, 2))
    result = tally.result()
    assert result.status == decision.DIFFERS
    assert (result.chunks, result.differing_chunks) == (3, 2)
    assert (result.source_rows, result.replica_rows) == (21, 22)
    assert result.first_difference == {
        'after': [10], 'up_to': [20], 'where': 'id > 10 and id <= 20',
        'source_rows': 10, 'replica_rows': 10}
    assert 'differs in 2 of 3 chunks; first where id > 10' in \
        result.to_text()


def test_tally_equal():
    tally = decision.TableTally('app.t', note='no primary key: whole')
    tally.add(decision.KeyRange(), decision.Sums(3, 5, 9),
              decision.Sums(3, 5, 9))
    result = tally.result()
    assert result.status == decision.EQUAL and result.checksum == \
        '00000005-9'
    assert result.to_text() == ('app.t: equal: 3 rows in 1 chunk (no '
                                'primary key: whole)')


def test_columns_differ():
    cols = [('id', 'int', None), ('v', 'varchar', 'utf8mb4')]
    assert decision.columns_differ('app.t', cols, list(cols)) is None
    found = decision.columns_differ('app.t', cols, cols[:1])
    assert found.status == decision.DIFFERS
    assert found.note == ('columns differ: source (id int, v varchar), '
                          'replica (id int)')


def test_report():
    equal = decision.TableResult('app.a', decision.EQUAL, chunks=1,
                                 source_rows=1)
    gone = decision.missing('app.b', decision.MISSING_ON_REPLICA)
    report = decision.VerifyReport('source', 'replica1', 'bin.000001:4',
                                   [equal], 'stopped; running again')
    assert report.equal and report.to_dict()['differing'] == []
    assert report.to_text().endswith('equal: 1 table')
    report.tables.append(gone)
    assert not report.equal and report.differing == ['app.b']
    assert 'app.b: missing on replica' in report.to_text()
    assert report.to_text().endswith('DIFFERS: app.b')


# -- the checksum statements ------------------------------------------------

def test_any_name_is_quoted():
    assert literals.quoted_name('a`b') == '`a``b`'
    assert literals.quoted_name('no key é') == '`no key é`'
    for bad in ('', 'a\0'):
        with pytest.raises(exceptions.InvalidInput):
            literals.quoted_name(bad)


@pytest.mark.parametrize('value, literal', [
    (5, '5'), (-5, '-5'), (decimal.Decimal('12.50'), '12.50'),
    ("it's", "'it\\'s'"), (b'\x00\xff', "X'00ff'"),
    (datetime.datetime(2024, 1, 2, 3, 4, 5, 6),
     "'2024-01-02 03\\:04\\:05.000006'"),
    (datetime.date(2024, 1, 2), "'2024-01-02'"),
    (-datetime.timedelta(hours=1, minutes=2, seconds=3),
     "'-1\\:02\\:03.000000'"),
    (datetime.timedelta(hours=838, minutes=59, seconds=59),
     "'838\\:59\\:59.000000'"),
])
def test_key_values(value, literal):
    assert checksum_sql.value(value) == literal


@pytest.mark.parametrize('value', [None, True, 1.5, object()])
def test_key_values_refused(value):
    with pytest.raises(exceptions.InvalidInput):
        checksum_sql.value(value)


def test_ranges_of_one_and_two_columns():
    assert checksum_sql.range_condition(('id',), None, None) == ''
    assert checksum_sql.range_condition(('id',), (5,), (9,)) == \
        ' WHERE (`id` > 5) AND (`id` <= 9)'
    assert checksum_sql.range_condition(('a', 'b'), (1, 'x'), None) == \
        " WHERE (`a` > 1 OR (`a` = 1 AND `b` > 'x'))"
    assert checksum_sql.range_condition(('a', 'b', 'c'), None,
                                        (1, 2, 3)) == (
        ' WHERE (`a` < 1 OR (`a` = 1 AND `b` < 2) OR '
        '(`a` = 1 AND `b` = 2 AND `c` <= 3))')


def test_row_checksum_forms():
    cols = [('id', 'int', None), ('name', 'varchar', 'latin1'),
            ('raw', 'varbinary', None), ('doc', 'json', None),
            ('at', 'timestamp', None)]
    assert checksum_sql.row_checksum(cols) == (
        "CRC32(CONCAT_WS('#', `id`, CAST(`name` AS BINARY), HEX(`raw`), "
        "CAST(`doc` AS BINARY), `at`, CONCAT(ISNULL(`id`), "
        "ISNULL(`name`), ISNULL(`raw`), ISNULL(`doc`), ISNULL(`at`))))")


def test_rangeable_keys():
    assert checksum_sql.rangeable(['int', 'VARCHAR', 'datetime'])
    assert not checksum_sql.rangeable([])
    assert not checksum_sql.rangeable(['int', 'double'])
    assert not checksum_sql.rangeable(['enum'])


def test_chunk_statements():
    cols = [('id', 'int', None)]
    assert checksum_sql.chunk_end('app', 't', ('id',), (10,), 100).sql == (
        'SELECT `id` FROM `app`.`t` FORCE INDEX (PRIMARY) WHERE (`id` > '
        '10) ORDER BY `id` LIMIT 1 OFFSET 99')
    # Rows of a primary key never repeat: COUNT and BIT_XOR suffice.
    assert checksum_sql.range_sums('app', 't', cols, ('id',), None,
                                   (10,)).sql == (
        "SELECT COUNT(*), COALESCE(BIT_XOR(CRC32(CONCAT_WS('#', `id`, "
        "CONCAT(ISNULL(`id`))))), 0) FROM `app`.`t` FORCE INDEX (PRIMARY) "
        "WHERE (`id` <= 10)")
    # Without one, two equal rows cancel out of a BIT_XOR: SUM too.
    assert checksum_sql.range_sums('app', 'no key', cols).sql == (
        "SELECT COUNT(*), COALESCE(BIT_XOR(c), 0), COALESCE(SUM(c), 0) "
        "FROM (SELECT CRC32(CONCAT_WS('#', `id`, CONCAT(ISNULL(`id`)))) AS "
        "c FROM `app`.`no key`) AS checksummed")
    assert "'mysql', 'performance_schema', 'sys'" in \
        checksum_sql.user_tables().sql


# -- snapshot and UNTIL statements ------------------------------------------

def _sql(stmts):
    return [s.sql for s in stmts]


def test_snapshot_mysql_locks_only_while_it_starts():
    assert not MYSQL.snapshot_reports_coordinates
    assert _sql(MYSQL.snapshot_lock(30)) == [
        'SET SESSION lock_wait_timeout = 30', 'FLUSH LOCAL TABLES',
        'FLUSH TABLES WITH READ LOCK']
    assert _sql(MYSQL.snapshot_unlock()) == ['UNLOCK TABLES']
    assert MYSQL.snapshot_coordinates().sql == 'SHOW BINARY LOG STATUS'
    assert MYSQL57.snapshot_coordinates().sql == 'SHOW MASTER STATUS'
    assert _sql(MYSQL.start_snapshot()) == [
        'SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ',
        'START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY']


def test_snapshot_mariadb_takes_no_lock():
    assert MARIADB.snapshot_reports_coordinates
    assert MARIADB.snapshot_lock(30) == []
    assert MARIADB.snapshot_unlock() == []
    assert 'binlog_snapshot_position' in MARIADB.snapshot_coordinates().sql


def test_until_statements():
    assert MYSQL.stop_applier(True).sql == 'STOP REPLICA SQL_THREAD'
    assert MYSQL.start_applier_until_gtids(
        GtidSet.parse(U1 + ':1-9')).sql == (
        "START REPLICA SQL_THREAD UNTIL SQL_AFTER_GTIDS = '%s\\:1-9'" % U1)
    assert MYSQL.start_applier_until_position('binlog.000002', 155).sql == (
        "START REPLICA SQL_THREAD UNTIL SOURCE_LOG_FILE = "
        "'binlog.000002', SOURCE_LOG_POS = 155")
    assert MYSQL57.start_applier_until_position('b.000002', 4).sql == (
        "START SLAVE SQL_THREAD UNTIL MASTER_LOG_FILE = 'b.000002', "
        "MASTER_LOG_POS = 4")
    # MariaDB's GTID form needs both threads stopped, and stops both.
    assert MARIADB.stop_applier(True).sql == 'STOP REPLICA'
    assert MARIADB.stop_applier(False).sql == 'STOP REPLICA SQL_THREAD'
    assert MARIADB.start_applier_until_gtids(
        MariaDBGtidPosition.parse('0-1-9')).sql == (
        "START REPLICA UNTIL MASTER_GTID_POS = '0-1-9'")
    assert MYSQL.start_threads(True, True).sql == 'START REPLICA'
    assert MYSQL.start_threads(False, True).sql == \
        'START REPLICA SQL_THREAD'
    assert MYSQL.start_threads(True, False).sql == 'START REPLICA IO_THREAD'


def test_until_gtids_needs_gtids():
    without = dialect(Flavor.MYSQL, 5, 5, 62)
    with pytest.raises(exceptions.UnsupportedMode):
        without.start_applier_until_gtids('x')
