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

"""Tests of trove_gtid_strategy.seeding: start points in backups and dumps.

The dumps below follow what mysqldump 8.0 and mariadb-dump write with
``--source-data=2`` / ``--master-data=2 --gtid``: a start point must be
found wherever the tool put it, and its absence must be an error that
says how to make a usable dump.
"""

import pytest

from trove_gtid_strategy import exceptions
from trove_gtid_strategy.gtid import GtidSet
from trove_gtid_strategy.gtid import MariaDBGtidPosition
from trove_gtid_strategy import seeding
from trove_gtid_strategy.seeding import from_binlog_info
from trove_gtid_strategy.seeding import from_dataset
from trove_gtid_strategy.seeding import from_dump
from trove_gtid_strategy.seeding import parse_seed_text
from trove_gtid_strategy.seeding import StartPoint

U1 = '3e11fa47-71ca-11e1-9e33-c80aa9429562'
U2 = 'b7d1a2c4-0f3e-11ef-8a7b-0242ac120003'
MYSQL_SET = GtidSet.parse('%s:1-5,%s:1-3' % (U1, U2))

MYSQLDUMP_80 = """\
-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)
--
-- Host: localhost    Database: shop
-- ------------------------------------------------------
-- Server version\t8.0.36

/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!50503 SET NAMES utf8mb4 */;
SET @MYSQLDUMP_TEMP_LOG_BIN = @@SESSION.SQL_LOG_BIN;
SET @@SESSION.SQL_LOG_BIN= 0;

--
-- GTID state at the beginning of the backup
--

SET @@GLOBAL.GTID_PURGED=/*!80000 '+'*/ '%s:1-5,
%s:1-3';

--
-- Position to start replication or point-in-time recovery from
--

-- CHANGE REPLICATION SOURCE TO SOURCE_LOG_FILE='binlog.000002', \
SOURCE_LOG_POS=157;

--
-- Table structure for table `t`
--

DROP TABLE IF EXISTS `t`;
CREATE TABLE `t` (`a` int NOT NULL);
INSERT INTO `t` VALUES (1),(2),(3);
SET @@SESSION.SQL_LOG_BIN = @MYSQLDUMP_TEMP_LOG_BIN;
-- Dump completed on 2024-03-01 10:00:00
""" % (U1, U2)

MARIADB_DUMP = """\
-- MariaDB dump 10.19  Distrib 10.11.6-MariaDB, for debian-linux-gnu (x86_64)
--
-- Host: localhost    Database: shop
-- ------------------------------------------------------
-- Server version\t10.11.6-MariaDB-0+deb12u1-log

/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;

--
-- Position to start replication or point-in-time recovery from
--

-- CHANGE MASTER TO MASTER_LOG_FILE='mysql-bin.000001', MASTER_LOG_POS=765;

--
-- Table structure for table `t`
--

CREATE TABLE `t` (`a` int NOT NULL, `b` text);
INSERT INTO `t` VALUES (1,'-- SET GLOBAL gtid_slave_pos=\\'9-9-9\\';');
INSERT INTO `t` VALUES (2,'SET x'),(3,'CHANGE');
-- a comment between the data
INSERT INTO `t` VALUES (4,NULL);
/*!40101 SET CHARACTER_SET_CLIENT = @OLD_CHARACTER_SET_CLIENT */;

--
-- GTID to start replication from
--

-- CHANGE MASTER TO MASTER_USE_GTID=slave_pos;
-- SET GLOBAL gtid_slave_pos='0-7-3';

-- Dump completed on 2024-03-01 10:00:00
"""


def lines(text):
    return text.splitlines(keepends=True)


# -- from_dataset -------------------------------------------------------

def test_dataset_with_mysql_gtids():
    start = from_dataset({'log_file': 'mysql-bin.000003',
                          'log_position': 154,
                          'log_executed_gtid_set': U1 + ':1-5'})
    assert start == StartPoint('snapshot dataset', 'mysql-bin.000003', 154,
                               GtidSet.parse(U1 + ':1-5'), None)
    assert start.has_position
    assert start.describe() == (
        'mysql-bin.000003:154, GTIDs %s:1-5 (snapshot dataset)' % U1)


def test_dataset_with_mariadb_position():
    start = from_dataset({'log_file': 'mysql-bin.000003',
                          'log_position': '385', 'gtid_pos': '0-1-5'},
                         origin='backup 42')
    assert start.log_pos == 385
    assert start.gtid_set is None
    assert start.mariadb_pos == MariaDBGtidPosition.parse('0-1-5')
    assert start.describe() == \
        'mysql-bin.000003:385, GTID position 0-1-5 (backup 42)'


@pytest.mark.parametrize('key', ['log_executed_gtid_set', 'gtid_executed',
                                 'gtid_pos'])
def test_dataset_gtid_keys(key):
    start = from_dataset({key: U1 + ':7'})
    assert start.gtid_set == GtidSet.parse(U1 + ':7')
    assert not start.has_position


def test_dataset_key_priority():
    start = from_dataset({'log_executed_gtid_set': U1 + ':1-2',
                          'gtid_executed': U1 + ':1-9'})
    assert start.gtid_set == GtidSet.parse(U1 + ':1-2')


def test_dataset_empty_gtid_set_is_a_start_point():
    # A source with GTIDs on but no transaction yet: start from nothing.
    start = from_dataset({'gtid_executed': ''})
    assert start is not None
    assert start.gtid_set == GtidSet()
    # Empty is an empty history of either kind (a quiet MariaDB source's
    # backup records an empty position the same way).
    assert start.mariadb_pos == MariaDBGtidPosition()
    assert start.describe() == \
        "GTIDs '', GTID position '' (snapshot dataset)"


@pytest.mark.parametrize('dataset', [None, {}, {'other': 1},
                                     {'log_file': '', 'log_position': None}])
def test_dataset_without_start_point(dataset):
    assert from_dataset(dataset) is None


@pytest.mark.parametrize('dataset, words', [
    ({'log_file': 'mysql-bin.000003'}, "binlog position None is not a "
     "number"),
    ({'log_position': 154}, "None is not a binary log file name"),
    ({'log_file': 'f', 'log_position': 30}, "'f' is not a binary log file"),
    ({'log_file': 'mysql-bin.000003', 'log_position': 3},
     "binlog position 3 is out of range (4 to 2^64-1)"),
    ({'log_file': 'f', 'log_position': 'x'}, "binlog position 'x'"),
    ({'gtid_executed': 'junk'}, "snapshot dataset gtid_executed: "),
])
def test_dataset_errors(dataset, words):
    with pytest.raises(exceptions.InvalidSeed) as info:
        from_dataset(dataset)
    assert words in str(info.value)
    assert isinstance(info.value, ValueError)


# -- binlog info files --------------------------------------------------

def test_xtrabackup_binlog_info_multi_line_gtid_set():
    text = 'mysql-bin.000003\t154\t%s:1-5,\n%s:1-3\n' % (U1, U2)
    start = from_binlog_info(text, 'xtrabackup_binlog_info')
    assert start == StartPoint('xtrabackup_binlog_info', 'mysql-bin.000003',
                               154, MYSQL_SET, None)


def test_mariadb_backup_binlog_info():
    start = from_binlog_info('mysql-bin.000003\t385\t0-1-5\n',
                             'mariadb_backup_binlog_info')
    assert start == StartPoint('mariadb_backup_binlog_info',
                               'mysql-bin.000003', 385, None,
                               MariaDBGtidPosition.parse('0-1-5'))
    start = from_binlog_info('mysql-bin.000003\t385\t0-1-5,1-2-7',
                             'mariadb_backup_binlog_info')
    assert start.mariadb_pos == MariaDBGtidPosition.parse('0-1-5,1-2-7')


def test_binlog_info_without_gtids():
    # Two fields: the backup tool recorded no GTIDs (a server without).
    start = from_binlog_info('mysql-bin.000003\t385\n',
                             'xtrabackup_binlog_info')
    assert (start.log_file, start.log_pos) == ('mysql-bin.000003', 385)
    assert start.gtid_set is None and start.mariadb_pos is None
    assert start.describe() == \
        'mysql-bin.000003:385 (xtrabackup_binlog_info)'


@pytest.mark.parametrize('text', ['mysql-bin.000003\t385\t\n',
                                  'mysql-bin.000003\t385\t  \n'])
def test_binlog_info_with_an_empty_gtid_field(text):
    # Three fields, the last empty: the source had logged no GTID yet
    # (mariadb-backup of a quiet source), a known empty history.
    start = from_binlog_info(text, 'mariadb_backup_binlog_info')
    assert start.mariadb_pos == MariaDBGtidPosition()
    assert start.gtid_set == GtidSet()


@pytest.mark.parametrize('text, words', [
    ('', "expected FILE<tab>POSITION[<tab>GTIDS], got ''"),
    ('garbage', "got 'garbage'"),
    ('mysql-bin.000003 154', "got 'mysql-bin.000003 154'"),
    ('mysql-bin.000003\tabc', "binlog position 'abc' is not a number"),
    ('mysql-bin.000003\t2', "binlog position 2 is out of range"),
    ('\t154', "'' is not a binary log file name"),
    ('mysql-bin.000003\t154\tnot-a-gtid', "'not-a-gtid'"),
    ('mysql-bin.000003\t154\t0-1', "'0-1'"),
])
def test_binlog_info_errors_name_the_file(text, words):
    with pytest.raises(exceptions.InvalidSeed) as info:
        from_binlog_info(text, '/backup/xtrabackup_binlog_info')
    message = str(info.value)
    assert message.startswith('/backup/xtrabackup_binlog_info: ')
    assert words in message


def test_binlog_info_file_names():
    assert seeding.BINLOG_INFO_FILES == ('mariadb_backup_binlog_info',
                                         'xtrabackup_binlog_info')


# -- dumps --------------------------------------------------------------

def test_mysqldump_80_multi_line_gtid_purged():
    start = from_dump(lines(MYSQLDUMP_80), 'shop.sql')
    assert start == StartPoint('shop.sql', 'binlog.000002', 157, MYSQL_SET,
                               None)


@pytest.mark.parametrize('line', [
    "SET @@GLOBAL.GTID_PURGED='%s:1-5';\n" % U1,
    "SET @@GLOBAL.GTID_PURGED=/*!80000 '+'*/ '%s:1-5';\n" % U1,
    "SET @@GLOBAL.gtid_purged = '%s:1-5';\n" % U1,
])
def test_dump_single_line_gtid_purged(line):
    start = from_dump([line], 'd.sql')
    assert start.gtid_set == GtidSet.parse(U1 + ':1-5')
    assert not start.has_position


def test_dump_gtid_purged_over_three_lines():
    dump = ["SET @@GLOBAL.GTID_PURGED=/*!80000 '+'*/ '%s:1-5,\n" % U1,
            '%s:1-3,\n' % U2,
            "ffffffff-0000-4000-8000-000000000001:9';\n"]
    start = from_dump(dump, 'd.sql')
    assert start.gtid_set == GtidSet.parse(
        '%s:1-5,%s:1-3,ffffffff-0000-4000-8000-000000000001:9' % (U1, U2))


def test_dump_unterminated_gtid_purged():
    dump = ["SET @@GLOBAL.GTID_PURGED=/*!80000 '+'*/ '%s:1-5,\n" % U1]
    with pytest.raises(exceptions.InvalidSeed) as info:
        from_dump(dump, 'cut.sql')
    assert str(info.value) == \
        'cut.sql: GTID_PURGED value is not terminated'


@pytest.mark.parametrize('line, log_file, log_pos', [
    ("-- CHANGE REPLICATION SOURCE TO SOURCE_LOG_FILE='binlog.000002', "
     "SOURCE_LOG_POS=157;\n", 'binlog.000002', 157),
    ("-- CHANGE MASTER TO MASTER_LOG_FILE='mysql-bin.000001', "
     "MASTER_LOG_POS=765;\n", 'mysql-bin.000001', 765),
    # --master-data=1: not commented out.
    ("CHANGE MASTER TO MASTER_LOG_FILE='mysql-bin.000001', "
     "MASTER_LOG_POS=765;\n", 'mysql-bin.000001', 765),
])
def test_dump_position_lines(line, log_file, log_pos):
    start = from_dump(['-- MySQL dump\n', line, 'INSERT INTO t VALUES (1);\n'],
                      'd.sql')
    assert (start.log_file, start.log_pos) == (log_file, log_pos)
    assert start.gtid_set is None and start.mariadb_pos is None


def test_mariadb_dump_gtid_after_the_data():
    start = from_dump(lines(MARIADB_DUMP), 'shop.sql')
    assert start == StartPoint('shop.sql', 'mysql-bin.000001', 765, None,
                               MariaDBGtidPosition.parse('0-7-3'))
    assert start.describe() == \
        'mysql-bin.000001:765, GTID position 0-7-3 (shop.sql)'


def test_mariadb_dump_uncommented_gtid():
    dump = ["CHANGE MASTER TO MASTER_LOG_FILE='mysql-bin.000001', "
            "MASTER_LOG_POS=765;\n",
            "SET GLOBAL gtid_slave_pos='0-7-3,1-2-9';\n"]
    start = from_dump(dump, 'd.sql')
    assert start.mariadb_pos == MariaDBGtidPosition.parse('0-7-3,1-2-9')


def test_dump_lines_without_newlines():
    # An iterable of lines need not keep the line ends.
    start = from_dump(MARIADB_DUMP.splitlines(), 'shop.sql')
    assert start.mariadb_pos == MariaDBGtidPosition.parse('0-7-3')
    assert start.log_pos == 765


def test_dump_without_start_point():
    dump = ('-- MySQL dump 10.13\n'
            'CREATE TABLE t (a int);\n'
            'INSERT INTO t VALUES (1);\n')
    with pytest.raises(exceptions.InvalidSeed) as info:
        from_dump(lines(dump), 'plain.sql')
    assert str(info.value) == (
        'plain.sql: no start point found: dump with --master-data=2 (and '
        '--gtid for MariaDB, or with GTIDs on for MySQL)')


def test_empty_dump():
    with pytest.raises(exceptions.InvalidSeed, match='--master-data=2'):
        from_dump([], 'empty.sql')


def test_dump_with_bad_position():
    dump = ["-- CHANGE MASTER TO MASTER_LOG_FILE='mysql-bin.000001', "
            "MASTER_LOG_POS=3;\n"]
    with pytest.raises(exceptions.InvalidSeed,
                       match="d.sql: binlog position 3 is out of range"):
        from_dump(dump, 'd.sql')


def test_dump_with_bad_gtids():
    with pytest.raises(exceptions.InvalidSeed) as info:
        from_dump(["SET GLOBAL gtid_slave_pos='0-7-x';\n"], 'd.sql')
    assert str(info.value).startswith('d.sql: ')


# -- parse_seed_text ----------------------------------------------------

@pytest.mark.parametrize('text, expected', [
    ('mysql-bin.000003\t154\t%s:1-5,\n%s:1-3\n' % (U1, U2),
     StartPoint('f', 'mysql-bin.000003', 154, MYSQL_SET, None)),
    ('mysql-bin.000003\t385\t0-1-5\n',
     StartPoint('f', 'mysql-bin.000003', 385, None,
                MariaDBGtidPosition.parse('0-1-5'))),
    ('\n  mysql-bin.000003\t385\n',
     StartPoint('f', 'mysql-bin.000003', 385, None, None)),
    (MYSQLDUMP_80,
     StartPoint('f', 'binlog.000002', 157, MYSQL_SET, None)),
    (MARIADB_DUMP,
     StartPoint('f', 'mysql-bin.000001', 765, None,
                MariaDBGtidPosition.parse('0-7-3'))),
])
def test_parse_seed_text(text, expected):
    assert parse_seed_text(text, 'f') == expected


def test_parse_seed_text_dump_starting_with_a_comment_block():
    # The first line has a tab but is a comment: still a dump.
    text = ("/*!999999\\- enable the sandbox mode */ \t\n"
            "-- CHANGE MASTER TO MASTER_LOG_FILE='mysql-bin.000009', "
            "MASTER_LOG_POS=4;\n")
    assert parse_seed_text(text, 'f').log_file == 'mysql-bin.000009'


def test_parse_seed_text_without_start_point():
    with pytest.raises(exceptions.InvalidSeed, match='no start point'):
        parse_seed_text('', 'f')
    with pytest.raises(exceptions.InvalidSeed, match='no start point'):
        parse_seed_text('hello world\n', 'f')


# Issue 6, item 8: forms int() would accept, or a literal would carry.
BAD_POSITIONS = ['\u0661\u0662\u0663', '1_000', str(2 ** 64), '+154',
                 '-154', '0x9a', '1e3', '1 54', '', ' ']
BAD_FILES = ['mysql-bin.000001\0', 'mysql-bin.000001\n',
             "mysql-bin'.000001", 'mysql-bin.000001"', 'mysql-bin',
             '../mysql-bin.000001', 'mysql bin.000001',
             'mysql-bin.\u0661\u0662\u0663\u0664\u0665\u0666', '']


@pytest.mark.parametrize('position', BAD_POSITIONS)
def test_bad_positions_are_refused_everywhere(position):
    for parse in (
            lambda: from_binlog_info('mysql-bin.000003\t%s\n' % position,
                                     'info'),
            lambda: from_dataset({'log_file': 'mysql-bin.000003',
                                  'log_position': position}),
            lambda: from_dump(["-- CHANGE MASTER TO MASTER_LOG_FILE="
                               "'mysql-bin.000003', MASTER_LOG_POS=%s;\n"
                               % position], 'd.sql')):
        with pytest.raises(exceptions.InvalidSeed):
            parse()


@pytest.mark.parametrize('log_file', BAD_FILES)
def test_bad_file_names_are_refused(log_file):
    with pytest.raises(exceptions.InvalidSeed):
        from_dataset({'log_file': log_file, 'log_position': 154})
    if '\t' not in log_file and '\n' not in log_file:
        with pytest.raises(exceptions.InvalidSeed):
            from_binlog_info('%s\t154\n' % log_file, 'info')


def test_largest_position_is_accepted():
    start = from_dataset({'log_file': 'mysql-bin.000003',
                          'log_position': str(2 ** 64 - 1)})
    assert start.log_pos == 2 ** 64 - 1
