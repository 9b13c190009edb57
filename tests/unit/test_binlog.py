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

"""Tests of trove_gtid_strategy.binlog_events on rows captured from the
real servers here.

Every ``*_RELAY`` / ``*_SOURCE`` / ``*_ERRANT`` / ``*_FILES`` list below
is the output of ``SHOW BINLOG EVENTS`` or ``SHOW RELAYLOG EVENTS`` as
PyMySQL returned it (``Log_name, Pos, Event_type, Server_id,
End_log_pos, Info``), captured once on 2026-12-01 from sandbox servers:
MySQL 9.7.4 (``9.7.4-2``), MariaDB 10.11.19 and 11.8.9, a source and a
replica attached with ``AutoReplication``. The source ran CREATE
DATABASE / TABLE, INSERT, UPDATE, DELETE, a two-statement transaction,
``DROP USER IF EXISTS nobody``, ``DROP TABLE IF EXISTS`` (with ``USE
app``), ``DROP DATABASE IF EXISTS``, ``FLUSH PRIVILEGES``, a tagged GTID
(MySQL) and an empty transaction under ``gtid_next`` (MySQL); then row
50 was planted on the replica without binary logging and written on the
source, with 51 after it: the replica stopped on error 1062, whose status
fields are ``*_FAILED``. ``*_ERRANT`` are the replica's own binary log
after ``DROP USER IF EXISTS nobody`` and an INSERT run on it, logged.
``*_TWO_FILES``: a log rotated with FLUSH BINARY LOGS (the second file's
header), with ``DROP USER IF EXISTS 'a'@'localhost', b`` and ``ANALYZE
TABLE``. Long ``Info`` texts are split over lines, not changed.
"""

import json

import pytest

from trove_gtid_strategy.binlog import errors as er
from trove_gtid_strategy.binlog import events as ev
from trove_gtid_strategy.binlog import statements as st
from trove_gtid_strategy.binlog import transactions as tx
from trove_gtid_strategy import gtid

MYSQL_UUID = '406cc160-ed43-11f1-8510-02fc00000001'
MYSQL_REPLICA_UUID = '406f682e-ed43-11f1-9035-02fc00000001'
MARIADB_SOURCE_ID = 1104111509
MARIADB_REPLICA_ID = 3731444298

MYSQL_SOURCE = [
    ('binlog.000001', 739, 'Gtid', 1104111509, 816,
     "SET @@SESSION.GTID_NEXT= '406cc160-ed43-11f1-8510-02fc00000001:3'"),
    ('binlog.000001', 816, 'Query', 1104111509, 921,
     'CREATE DATABASE app /* xid=40 */'),
    ('binlog.000001', 921, 'Gtid', 1104111509, 998,
     "SET @@SESSION.GTID_NEXT= '406cc160-ed43-11f1-8510-02fc00000001:4'"),
    ('binlog.000001', 998, 'Query', 1104111509, 1135,
     'CREATE TABLE app.t (id INT PRIMARY KEY, v VARCHAR(40)) /* xid=43 */'),
    ('binlog.000001', 1135, 'Gtid', 1104111509, 1214,
     "SET @@SESSION.GTID_NEXT= '406cc160-ed43-11f1-8510-02fc00000001:5'"),
    ('binlog.000001', 1214, 'Query', 1104111509, 1285, 'BEGIN'),
    ('binlog.000001', 1285, 'Table_map', 1104111509, 1339,
     'table_id: 94 (app.t)'),
    ('binlog.000001', 1339, 'Write_rows', 1104111509, 1388,
     'table_id: 94 flags: STMT_END_F USE_SQL_FOREIGN_KEY_F'),
    ('binlog.000001', 1388, 'Xid', 1104111509, 1419, 'COMMIT /* xid=46 */'),
    ('binlog.000001', 1419, 'Gtid', 1104111509, 1498,
     "SET @@SESSION.GTID_NEXT= '406cc160-ed43-11f1-8510-02fc00000001:6'"),
    ('binlog.000001', 1498, 'Query', 1104111509, 1578, 'BEGIN'),
    ('binlog.000001', 1578, 'Table_map', 1104111509, 1632,
     'table_id: 94 (app.t)'),
    ('binlog.000001', 1632, 'Update_rows', 1104111509, 1682,
     'table_id: 94 flags: STMT_END_F USE_SQL_FOREIGN_KEY_F'),
    ('binlog.000001', 1682, 'Xid', 1104111509, 1713, 'COMMIT /* xid=49 */'),
    ('binlog.000001', 1713, 'Gtid', 1104111509, 1792,
     "SET @@SESSION.GTID_NEXT= '406cc160-ed43-11f1-8510-02fc00000001:7'"),
    ('binlog.000001', 1792, 'Query', 1104111509, 1863, 'BEGIN'),
    ('binlog.000001', 1863, 'Table_map', 1104111509, 1917,
     'table_id: 94 (app.t)'),
    ('binlog.000001', 1917, 'Delete_rows', 1104111509, 1959,
     'table_id: 94 flags: STMT_END_F USE_SQL_FOREIGN_KEY_F'),
    ('binlog.000001', 1959, 'Xid', 1104111509, 1990, 'COMMIT /* xid=52 */'),
    ('binlog.000001', 1990, 'Gtid', 1104111509, 2069,
     "SET @@SESSION.GTID_NEXT= '406cc160-ed43-11f1-8510-02fc00000001:8'"),
    ('binlog.000001', 2069, 'Query', 1104111509, 2140, 'BEGIN'),
    ('binlog.000001', 2140, 'Table_map', 1104111509, 2194,
     'table_id: 94 (app.t)'),
    ('binlog.000001', 2194, 'Write_rows', 1104111509, 2236,
     'table_id: 94 flags: STMT_END_F USE_SQL_FOREIGN_KEY_F'),
    ('binlog.000001', 2236, 'Table_map', 1104111509, 2290,
     'table_id: 94 (app.t)'),
    ('binlog.000001', 2290, 'Update_rows', 1104111509, 2340,
     'table_id: 94 flags: STMT_END_F USE_SQL_FOREIGN_KEY_F'),
    ('binlog.000001', 2340, 'Xid', 1104111509, 2371, 'COMMIT /* xid=56 */'),
    ('binlog.000001', 2371, 'Gtid', 1104111509, 2448,
     "SET @@SESSION.GTID_NEXT= '406cc160-ed43-11f1-8510-02fc00000001:9'"),
    ('binlog.000001', 2448, 'Query', 1104111509, 2557,
     'DROP USER IF EXISTS nobody /* xid=59 */'),
    ('binlog.000001', 2557, 'Gtid', 1104111509, 2634,
     "SET @@SESSION.GTID_NEXT= '406cc160-ed43-11f1-8510-02fc00000001:10'"),
    ('binlog.000001', 2634, 'Query', 1104111509, 2762,
     'use `app`; DROP TABLE IF EXISTS `gone` /* generated by server */'),
    ('binlog.000001', 2762, 'Gtid', 1104111509, 2839,
     "SET @@SESSION.GTID_NEXT= '406cc160-ed43-11f1-8510-02fc00000001:11'"),
    ('binlog.000001', 2839, 'Query', 1104111509, 2953,
     'DROP DATABASE IF EXISTS gone_db'),
    ('binlog.000001', 2953, 'Gtid', 1104111509, 3030,
     "SET @@SESSION.GTID_NEXT= '406cc160-ed43-11f1-8510-02fc00000001:12'"),
    ('binlog.000001', 3030, 'Query', 1104111509, 3123,
     'use `app`; FLUSH PRIVILEGES'),
    ('binlog.000001', 3123, 'Gtid_tagged_log_event', 1104111509, 3202,
     "SET @@SESSION.GTID_NEXT= '406cc160-ed43-11f1-8510-02fc00000001:mytag"
     ":1'"),
    ('binlog.000001', 3202, 'Query', 1104111509, 3276, 'BEGIN'),
    ('binlog.000001', 3276, 'Table_map', 1104111509, 3330,
     'table_id: 94 (app.t)'),
    ('binlog.000001', 3330, 'Write_rows', 1104111509, 3374,
     'table_id: 94 flags: STMT_END_F USE_SQL_FOREIGN_KEY_F'),
    ('binlog.000001', 3374, 'Xid', 1104111509, 3405, 'COMMIT /* xid=65 */'),
    ('binlog.000001', 3405, 'Gtid', 1104111509, 3482,
     "SET @@SESSION.GTID_NEXT= '406cc160-ed43-11f1-8510-02fc00000001:100'"),
    ('binlog.000001', 3482, 'Query', 1104111509, 3556, 'BEGIN'),
    ('binlog.000001', 3556, 'Query', 1104111509, 3631, 'COMMIT'),
]

MYSQL_RELAY = [
    ('vm-relay-bin.000002', 4, 'Format_desc', 3731444298, 127,
     'Server ver: 9.7.4-2, Binlog ver: 4'),
    ('vm-relay-bin.000002', 127, 'Previous_gtids', 3731444298, 158, ''),
    ('vm-relay-bin.000002', 158, 'Rotate', 1104111509, 0,
     'binlog.000001;pos=4'),
    ('vm-relay-bin.000002', 202, 'Format_desc', 1104111509, 127,
     'Server ver: 9.7.4-2, Binlog ver: 4'),
    ('vm-relay-bin.000002', 325, 'Rotate', 0, 0, 'binlog.000001;pos=158'),
    ('vm-relay-bin.000002', 3616, 'Gtid', 1104111509, 3482,
     "SET @@SESSION.GTID_NEXT= '406cc160-ed43-11f1-8510-02fc00000001:100'"),
    ('vm-relay-bin.000002', 3693, 'Query', 1104111509, 3556, 'BEGIN'),
    ('vm-relay-bin.000002', 3767, 'Query', 1104111509, 3631, 'COMMIT'),
    ('vm-relay-bin.000002', 3842, 'Gtid', 1104111509, 3710,
     "SET @@SESSION.GTID_NEXT= '406cc160-ed43-11f1-8510-02fc00000001:13'"),
    ('vm-relay-bin.000002', 3921, 'Query', 1104111509, 3781, 'BEGIN'),
    ('vm-relay-bin.000002', 3992, 'Table_map', 1104111509, 3835,
     'table_id: 94 (app.t)'),
    ('vm-relay-bin.000002', 4046, 'Write_rows', 1104111509, 3882,
     'table_id: 94 flags: STMT_END_F USE_SQL_FOREIGN_KEY_F'),
    ('vm-relay-bin.000002', 4093, 'Xid', 1104111509, 3913,
     'COMMIT /* xid=81 */'),
    ('vm-relay-bin.000002', 4124, 'Gtid', 1104111509, 3992,
     "SET @@SESSION.GTID_NEXT= '406cc160-ed43-11f1-8510-02fc00000001:14'"),
    ('vm-relay-bin.000002', 4203, 'Query', 1104111509, 4063, 'BEGIN'),
    ('vm-relay-bin.000002', 4274, 'Table_map', 1104111509, 4117,
     'table_id: 94 (app.t)'),
    ('vm-relay-bin.000002', 4328, 'Write_rows', 1104111509, 4163,
     'table_id: 94 flags: STMT_END_F USE_SQL_FOREIGN_KEY_F'),
    ('vm-relay-bin.000002', 4374, 'Xid', 1104111509, 4194,
     'COMMIT /* xid=84 */'),
]

MYSQL_FAILED = {
    'Relay_Log_File': 'vm-relay-bin.000002',
    'Relay_Log_Pos': 369,
    'Last_SQL_Errno': 1062,
    'Last_SQL_Error': (
        'Coordinator stopped because there were error(s) in the worker(s). Th'
        "e most recent failure being: Worker 1 failed executing transaction '"
        "406cc160-ed43-11f1-8510-02fc00000001:13' at source log binlog.000001"
        ', end_log_pos 3882. See error log and/or performance_schema.replicat'
        'ion_applier_status_by_worker table for more details about this failu'
        're or others, if any.'
    ),
    'Retrieved_Gtid_Set': (
        '406cc160-ed43-11f1-8510-02fc00000001:1-14:100:mytag:1'
    ),
    'Executed_Gtid_Set': (
        '406cc160-ed43-11f1-8510-02fc00000001:1-12:100:mytag:1'
    ),
    'Replica_SQL_Running': 'No',
    'Replica_IO_Running': 'Yes',
    'Auto_Position': 1,
}

MYSQL_REPLICA_ERRANT = [
    ('binlog.000001', 4, 'Format_desc', 3731444298, 127,
     'Server ver: 9.7.4-2, Binlog ver: 4'),
    ('binlog.000001', 127, 'Previous_gtids', 3731444298, 158, ''),
    ('binlog.000001', 3478, 'Gtid', 1104111509, 3562,
     "SET @@SESSION.GTID_NEXT= '406cc160-ed43-11f1-8510-02fc00000001:100'"),
    ('binlog.000001', 3562, 'Query', 1104111509, 3636, 'BEGIN'),
    ('binlog.000001', 3636, 'Query', 1104111509, 3711, 'COMMIT'),
    ('binlog.000001', 3711, 'Gtid', 3731444298, 3788,
     "SET @@SESSION.GTID_NEXT= '406f682e-ed43-11f1-9035-02fc00000001:1'"),
    ('binlog.000001', 3788, 'Query', 3731444298, 3897,
     'DROP USER IF EXISTS nobody /* xid=62 */'),
    ('binlog.000001', 3897, 'Gtid', 3731444298, 3976,
     "SET @@SESSION.GTID_NEXT= '406f682e-ed43-11f1-9035-02fc00000001:2'"),
    ('binlog.000001', 3976, 'Query', 3731444298, 4047, 'BEGIN'),
    ('binlog.000001', 4047, 'Table_map', 3731444298, 4101,
     'table_id: 94 (app.t)'),
    ('binlog.000001', 4101, 'Write_rows', 3731444298, 4148,
     'table_id: 94 flags: STMT_END_F USE_SQL_FOREIGN_KEY_F'),
    ('binlog.000001', 4148, 'Xid', 3731444298, 4179, 'COMMIT /* xid=65 */'),
]

MYSQL_TWO_FILES = [
    ('binlog.000001', 4, 'Format_desc', 1104111509, 127,
     'Server ver: 9.7.4-2, Binlog ver: 4'),
    ('binlog.000001', 127, 'Previous_gtids', 1104111509, 158, ''),
    ('binlog.000001', 158, 'Gtid', 1104111509, 235,
     "SET @@SESSION.GTID_NEXT= '6b1e2c4b-ed45-11f1-b301-02fc00000001:1'"),
    ('binlog.000001', 235, 'Query', 1104111509, 340,
     'CREATE DATABASE app /* xid=14 */'),
    ('binlog.000001', 340, 'Gtid_tagged_log_event', 1104111509, 418,
     "SET @@SESSION.GTID_NEXT= '6b1e2c4b-ed45-11f1-b301-02fc00000001:mytag"
     ":1'"),
    ('binlog.000001', 418, 'Query', 1104111509, 540,
     'CREATE TABLE app.t (id INT PRIMARY KEY) /* xid=16 */'),
    ('binlog.000001', 540, 'Gtid', 1104111509, 617,
     "SET @@SESSION.GTID_NEXT= '6b1e2c4b-ed45-11f1-b301-02fc00000001:2'"),
    ('binlog.000001', 617, 'Query', 1104111509, 738,
     "DROP USER IF EXISTS 'a'@'localhost', b /* xid=20 */"),
    ('binlog.000001', 738, 'Gtid', 1104111509, 815,
     "SET @@SESSION.GTID_NEXT= '6b1e2c4b-ed45-11f1-b301-02fc00000001:3'"),
    ('binlog.000001', 815, 'Query', 1104111509, 900, 'ANALYZE TABLE app.t'),
    ('binlog.000001', 900, 'Rotate', 1104111509, 944, 'binlog.000002;pos=4'),
    ('binlog.000002', 4, 'Format_desc', 1104111509, 127,
     'Server ver: 9.7.4-2, Binlog ver: 4'),
    ('binlog.000002', 127, 'Previous_gtids', 1104111509, 245,
     '6b1e2c4b-ed45-11f1-b301-02fc00000001:1-3:mytag:1'),
]

MARIADB_1011_RELAY = [
    ('mysql-relay-bin.000002', 4, 'Format_desc', 3731444298, 256,
     'Server ver: 10.11.19-MariaDB-0+deb12u1-log, Binlog ver: 4'),
    ('mysql-relay-bin.000002', 256, 'Rotate', 1104111509, 0,
     'mysql-bin.000001;pos=4'),
    ('mysql-relay-bin.000002', 303, 'Format_desc', 1104111509, 256,
     'Server ver: 10.11.19-MariaDB-0+deb12u1-log, Binlog ver: 4'),
    ('mysql-relay-bin.000002', 555, 'Gtid_list', 1104111509, 285, '[]'),
    ('mysql-relay-bin.000002', 584, 'Binlog_checkpoint', 1104111509, 328,
     'mysql-bin.000001'),
    ('mysql-relay-bin.000002', 2350, 'Gtid', 1104111509, 2093,
     'GTID 0-1104111509-9'),
    ('mysql-relay-bin.000002', 2392, 'Query', 1104111509, 2182,
     'DROP USER IF EXISTS nobody'),
    ('mysql-relay-bin.000002', 2481, 'Gtid', 1104111509, 2224,
     'GTID 0-1104111509-10'),
    ('mysql-relay-bin.000002', 2523, 'Query', 1104111509, 2352,
     'use `app`; DROP TABLE IF EXISTS `gone` /* generated by server */'),
    ('mysql-relay-bin.000002', 2651, 'Gtid', 1104111509, 2394,
     'GTID 0-1104111509-11'),
    ('mysql-relay-bin.000002', 2693, 'Query', 1104111509, 2504,
     'DROP DATABASE IF EXISTS gone_db'),
    ('mysql-relay-bin.000002', 2803, 'Gtid', 1104111509, 2546,
     'GTID 0-1104111509-12'),
    ('mysql-relay-bin.000002', 2845, 'Query', 1104111509, 2628,
     'use `app`; FLUSH PRIVILEGES'),
    ('mysql-relay-bin.000002', 2927, 'Gtid', 1104111509, 2670,
     'BEGIN GTID 0-1104111509-13'),
    ('mysql-relay-bin.000002', 2969, 'Annotate_rows', 1104111509, 2731,
     "INSERT INTO app.t VALUES (50,'source')"),
    ('mysql-relay-bin.000002', 3030, 'Table_map', 1104111509, 2777,
     'table_id: 22 (app.t)'),
    ('mysql-relay-bin.000002', 3076, 'Write_rows_v1', 1104111509, 2822,
     'table_id: 22 flags: STMT_END_F'),
    ('mysql-relay-bin.000002', 3121, 'Xid', 1104111509, 2853,
     'COMMIT /* xid=71 */'),
    ('mysql-relay-bin.000002', 3152, 'Gtid', 1104111509, 2895,
     'BEGIN GTID 0-1104111509-14'),
    ('mysql-relay-bin.000002', 3194, 'Annotate_rows', 1104111509, 2955,
     "INSERT INTO app.t VALUES (51,'after')"),
    ('mysql-relay-bin.000002', 3254, 'Table_map', 1104111509, 3001,
     'table_id: 22 (app.t)'),
    ('mysql-relay-bin.000002', 3300, 'Write_rows_v1', 1104111509, 3045,
     'table_id: 22 flags: STMT_END_F'),
    ('mysql-relay-bin.000002', 3344, 'Xid', 1104111509, 3076,
     'COMMIT /* xid=74 */'),
]

MARIADB_1011_FAILED = {
    'Relay_Log_File': 'mysql-relay-bin.000002',
    'Relay_Log_Pos': 2927,
    'Last_SQL_Errno': 1062,
    'Last_SQL_Error': (
        'Could not execute Write_rows_v1 event on table app.t; Duplicate entr'
        "y '50' for key 'PRIMARY', Error_code: 1062; handler error HA_ERR_FOU"
        "ND_DUPP_KEY; the event's master log mysql-bin.000001, end_log_pos 28"
        '22'
    ),
    'Slave_SQL_Running': 'No',
    'Slave_IO_Running': 'Yes',
    'Using_Gtid': 'Slave_Pos',
}

MARIADB_118_RELAY = [
    ('mysql-relay-bin.000002', 4, 'Format_desc', 3731444298, 256,
     'Server ver: 11.8.9-MariaDB-0+deb13u1 from Debian-log, Binlog ver: 4'),
    ('mysql-relay-bin.000002', 256, 'Rotate', 1104111509, 0,
     'mysql-bin.000001;pos=285'),
    ('mysql-relay-bin.000002', 303, 'Format_desc', 1104111509, 0,
     'Server ver: 11.8.9-MariaDB-0+deb13u1 from Debian-log, Binlog ver: 4'),
    ('mysql-relay-bin.000002', 555, 'Gtid_list', 1104111509, 285, '[]'),
    ('mysql-relay-bin.000002', 584, 'Binlog_checkpoint', 1104111509, 328,
     'mysql-bin.000001'),
    ('mysql-relay-bin.000002', 2927, 'Gtid', 1104111509, 2670,
     'BEGIN GTID 0-1104111509-13'),
    ('mysql-relay-bin.000002', 2969, 'Annotate_rows', 1104111509, 0,
     "INSERT INTO app.t VALUES (50,'source')"),
    ('mysql-relay-bin.000002', 3030, 'Table_map', 1104111509, 0,
     'table_id: 19 (app.t)'),
    ('mysql-relay-bin.000002', 3076, 'Write_rows_v1', 1104111509, 0,
     'table_id: 19 flags: STMT_END_F'),
    ('mysql-relay-bin.000002', 3121, 'Xid', 1104111509, 2853,
     'COMMIT /* xid=71 */'),
    ('mysql-relay-bin.000002', 3152, 'Gtid', 1104111509, 2895,
     'BEGIN GTID 0-1104111509-14'),
    ('mysql-relay-bin.000002', 3194, 'Annotate_rows', 1104111509, 0,
     "INSERT INTO app.t VALUES (51,'after')"),
    ('mysql-relay-bin.000002', 3254, 'Table_map', 1104111509, 0,
     'table_id: 19 (app.t)'),
    ('mysql-relay-bin.000002', 3300, 'Write_rows_v1', 1104111509, 0,
     'table_id: 19 flags: STMT_END_F'),
    ('mysql-relay-bin.000002', 3344, 'Xid', 1104111509, 3076,
     'COMMIT /* xid=74 */'),
]

MARIADB_118_FAILED = {
    'Last_SQL_Error': (
        'Could not execute Write_rows_v1 event on table app.t; Duplicate entr'
        "y '50' for key 'PRIMARY', Error_code: 1062; handler error HA_ERR_FOU"
        "ND_DUPP_KEY; the event's master log mysql-bin.000001, end_log_pos 0"
    ),
}

MARIADB_REPLICA_ERRANT = [
    ('mysql-bin.000001', 4, 'Format_desc', 3731444298, 256,
     'Server ver: 10.11.19-MariaDB-0+deb12u1-log, Binlog ver: 4'),
    ('mysql-bin.000001', 256, 'Gtid_list', 3731444298, 285, '[]'),
    ('mysql-bin.000001', 285, 'Binlog_checkpoint', 3731444298, 328,
     'mysql-bin.000001'),
    ('mysql-bin.000001', 2504, 'Gtid', 1104111509, 2546,
     'GTID 0-1104111509-12'),
    ('mysql-bin.000001', 2546, 'Query', 1104111509, 2628,
     'use `app`; FLUSH PRIVILEGES'),
    ('mysql-bin.000001', 2628, 'Gtid', 3731444298, 2670,
     'GTID 0-3731444298-13'),
    ('mysql-bin.000001', 2670, 'Query', 3731444298, 2759,
     'DROP USER IF EXISTS nobody'),
    ('mysql-bin.000001', 2759, 'Gtid', 3731444298, 2801,
     'BEGIN GTID 0-3731444298-14'),
    ('mysql-bin.000001', 2801, 'Annotate_rows', 3731444298, 2862,
     "INSERT INTO app.t VALUES (60,'errant')"),
    ('mysql-bin.000001', 2862, 'Table_map', 3731444298, 2908,
     'table_id: 18 (app.t)'),
    ('mysql-bin.000001', 2908, 'Write_rows_v1', 3731444298, 2953,
     'table_id: 18 flags: STMT_END_F'),
    ('mysql-bin.000001', 2953, 'Xid', 3731444298, 2984, 'COMMIT /* xid=51 */'),
]

MARIADB_TWO_FILES = [
    ('mysql-bin.000001', 4, 'Format_desc', 1104111509, 256,
     'Server ver: 11.8.9-MariaDB-0+deb13u1 from Debian-log, Binlog ver: 4'),
    ('mysql-bin.000001', 256, 'Gtid_list', 1104111509, 285, '[]'),
    ('mysql-bin.000001', 285, 'Binlog_checkpoint', 1104111509, 328,
     'mysql-bin.000001'),
    ('mysql-bin.000001', 328, 'Gtid', 1104111509, 370, 'GTID 0-1104111509-1'),
    ('mysql-bin.000001', 370, 'Query', 1104111509, 455, 'CREATE DATABASE app'),
    ('mysql-bin.000001', 455, 'Gtid', 1104111509, 497, 'GTID 3-1104111509-1'),
    ('mysql-bin.000001', 497, 'Query', 1104111509, 608,
     'CREATE TABLE app.t (id INT PRIMARY KEY)'),
    ('mysql-bin.000001', 608, 'Gtid', 1104111509, 650, 'GTID 0-1104111509-2'),
    ('mysql-bin.000001', 650, 'Query', 1104111509, 751,
     "DROP USER IF EXISTS 'a'@'localhost', b"),
    ('mysql-bin.000001', 751, 'Gtid', 1104111509, 793, 'GTID 0-1104111509-3'),
    ('mysql-bin.000001', 793, 'Query', 1104111509, 875, 'ANALYZE TABLE app.t'),
    ('mysql-bin.000001', 875, 'Gtid', 1104111509, 917,
     'BEGIN GTID 0-1104111509-4'),
    ('mysql-bin.000001', 917, 'Annotate_rows', 1104111509, 0,
     'INSERT INTO app.t VALUES (1)'),
    ('mysql-bin.000001', 968, 'Table_map', 1104111509, 0,
     'table_id: 18 (app.t)'),
    ('mysql-bin.000001', 1011, 'Write_rows_v1', 1104111509, 0,
     'table_id: 18 flags: STMT_END_F'),
    ('mysql-bin.000001', 1049, 'Xid', 1104111509, 1080, 'COMMIT /* xid=18 */'),
    ('mysql-bin.000001', 1080, 'Rotate', 1104111509, 1127,
     'mysql-bin.000002;pos=4'),
    ('mysql-bin.000002', 4, 'Format_desc', 1104111509, 256,
     'Server ver: 11.8.9-MariaDB-0+deb13u1 from Debian-log, Binlog ver: 4'),
    ('mysql-bin.000002', 256, 'Gtid_list', 1104111509, 315,
     '[0-1104111509-4,3-1104111509-1]'),
    ('mysql-bin.000002', 315, 'Binlog_checkpoint', 1104111509, 358,
     'mysql-bin.000001'),
]


def events(rows):
    return ev.events_from_rows(rows)


def grouped(rows):
    return tx.transactions(events(rows))


def by_gtid(rows):
    return {t.gtid: t for t in grouped(rows)}


# -- events ----------------------------------------------------------------

def test_event_from_row_tuple_and_dict():
    row = MYSQL_SOURCE[0]
    from_tuple = ev.Event.from_row(row)
    from_dict = ev.Event.from_row(dict(zip(ev.COLUMNS, row)))
    assert from_tuple == from_dict
    assert from_tuple.pos == 739 and from_tuple.end_log_pos == 816
    assert from_tuple.event_type == 'Gtid'
    assert ev.Event.from_row(
        (b'binlog.000001', '4', b'Query', '1', '9', b'BEGIN')).info == 'BEGIN'


@pytest.mark.parametrize('row,expected', [
    (MYSQL_SOURCE[0], MYSQL_UUID + ':3'),
    (MYSQL_TWO_FILES[4], '6b1e2c4b-ed45-11f1-b301-02fc00000001:mytag:1'),
    (MARIADB_1011_RELAY[5], '0-%d-9' % MARIADB_SOURCE_ID),
    (MARIADB_1011_RELAY[13], '0-%d-13' % MARIADB_SOURCE_ID),
    (('bin.000001', 4, 'Anonymous_Gtid', 1, 9,
      "SET @@SESSION.GTID_NEXT= 'ANONYMOUS'"), ''),
    (MYSQL_SOURCE[1], None),
    (MYSQL_RELAY[0], None),
])
def test_gtid_of(row, expected):
    assert ev.gtid_of(ev.Event.from_row(row)) == expected


# -- MySQL 9.7 -------------------------------------------------------------

def test_mysql_binlog_grouped_by_gtid():
    found = grouped(MYSQL_SOURCE)
    assert [t.gtid for t in found] == [
        '%s:%d' % (MYSQL_UUID, n) for n in range(3, 13)] + [
        MYSQL_UUID + ':mytag:1', MYSQL_UUID + ':100']
    assert all(t.complete for t in found)
    assert all(t.server_id == 1104111509 for t in found)
    t = {x.gtid: x for x in found}
    ddl = t[MYSQL_UUID + ':3']
    assert ddl.statements == ('CREATE DATABASE app /* xid=40 */',)
    assert ddl.effect == tx.DATA and ddl.changes_data
    insert = t[MYSQL_UUID + ':5']
    assert insert.statements == ()
    assert insert.tables == ('app.t',)
    assert insert.row_events == {'write': 1, 'update': 0, 'delete': 0}
    assert insert.effect == tx.DATA
    assert insert.log_name == 'binlog.000001' and insert.pos == 1135
    assert t[MYSQL_UUID + ':6'].row_events['update'] == 1
    assert t[MYSQL_UUID + ':7'].row_events['delete'] == 1
    two = t[MYSQL_UUID + ':8']
    assert two.row_events == {'write': 1, 'update': 1, 'delete': 0}
    assert two.tables == ('app.t',)
    tagged = t[MYSQL_UUID + ':mytag:1']
    assert tagged.events[0].event_type == 'Gtid_tagged_log_event'
    assert tagged.row_events['write'] == 1


def test_mysql_harmless_transactions():
    t = by_gtid(MYSQL_SOURCE)
    drop_user = t[MYSQL_UUID + ':9']
    assert drop_user.effect == tx.DROPS_IF_EXISTS
    assert not drop_user.changes_data
    assert drop_user.drops == (st.Drop('user', 'nobody', '%'),)
    drop_table = t[MYSQL_UUID + ':10']
    assert drop_table.statements == (
        'use `app`; DROP TABLE IF EXISTS `gone` /* generated by server */',)
    assert drop_table.drops == (st.Drop('table', 'gone', schema='app'),)
    assert t[MYSQL_UUID + ':11'].drops == (st.Drop('database', 'gone_db'),)
    flush = t[MYSQL_UUID + ':12']
    assert flush.effect == tx.NO_DATA and flush.drops == ()
    empty = t[MYSQL_UUID + ':100']
    assert empty.effect == tx.EMPTY
    assert [e.event_type for e in empty.events] == [
        'Gtid', 'Query', 'Query']
    assert empty.describe() == (MYSQL_UUID + ':100: nothing (an empty '
                                'transaction)')


def test_mysql_relay_log_of_the_failed_replica():
    """File headers of the relay log (its own Format_desc and
    Previous_gtids, the source's Rotate and Format_desc) belong to no
    transaction; End_log_pos is the source's position.
    """
    found = grouped(MYSQL_RELAY)
    assert [t.gtid.rsplit(':', 1)[1] for t in found] == ['100', '13', '14']
    failed = found[1]
    assert failed.log_name == 'vm-relay-bin.000002' and failed.pos == 3842
    hint = er.error_hint(MYSQL_FAILED['Last_SQL_Error'])
    assert hint == er.ErrorHint(MYSQL_UUID + ':13', 'binlog.000001', 3882)
    assert hint.end_log_pos in failed.end_log_positions
    assert hint.end_log_pos not in found[2].end_log_positions
    # The multi-threaded applier's position is its last checkpoint, far
    # before the failed transaction (and before every row shown here).
    assert MYSQL_FAILED['Relay_Log_Pos'] == 369
    retrieved = gtid.GtidSet.parse(MYSQL_FAILED['Retrieved_Gtid_Set'])
    executed = gtid.GtidSet.parse(MYSQL_FAILED['Executed_Gtid_Set'])
    assert str(retrieved - executed) == MYSQL_UUID + ':13-14'


def test_mysql_errant_transactions_of_the_replica():
    t = by_gtid(MYSQL_REPLICA_ERRANT)
    mine = [g for g in t if g.startswith(MYSQL_REPLICA_UUID)]
    assert mine == [MYSQL_REPLICA_UUID + ':1', MYSQL_REPLICA_UUID + ':2']
    assert t[mine[0]].effect == tx.DROPS_IF_EXISTS
    assert t[mine[0]].server_id == 3731444298
    assert t[mine[1]].effect == tx.DATA
    assert t[mine[1]].tables == ('app.t',)


def test_mysql_previous_gtids_and_account_lists():
    first = [e for e in events(MYSQL_TWO_FILES)
             if e.log_name == 'binlog.000001']
    second = [e for e in events(MYSQL_TWO_FILES)
              if e.log_name == 'binlog.000002']
    assert ev.previous_gtids(first) == gtid.GtidSet()
    assert str(ev.previous_gtids(second)) == \
        '6b1e2c4b-ed45-11f1-b301-02fc00000001:1-3:mytag:1'
    assert ev.previous_gtids(events(MARIADB_TWO_FILES)) is None
    t = tx.transactions(first)
    assert t[2].drops == (st.Drop('user', 'a', 'localhost'),
                          st.Drop('user', 'b', '%'))
    assert t[3].statements == ('ANALYZE TABLE app.t',)
    assert t[3].effect == tx.NO_DATA


# -- MariaDB 10.11 and 11.8 --------------------------------------------------

def test_mariadb_relay_log_grouped():
    found = grouped(MARIADB_1011_RELAY)
    assert [t.gtid for t in found] == [
        '0-%d-%d' % (MARIADB_SOURCE_ID, n) for n in range(9, 15)]
    t = {x.gtid: x for x in found}
    failed = t['0-%d-13' % MARIADB_SOURCE_ID]
    assert failed.pos == int(MARIADB_1011_FAILED['Relay_Log_Pos'])
    assert failed.annotations == ("INSERT INTO app.t VALUES (50,'source')",)
    assert failed.statements == ()
    assert failed.tables == ('app.t',)
    assert failed.row_events == {'write': 1, 'update': 0, 'delete': 0}
    assert failed.describe() == (
        "0-1104111509-13: row events write 1 on app.t; INSERT INTO app.t "
        "VALUES (50,'source')")
    hint = er.error_hint(MARIADB_1011_FAILED['Last_SQL_Error'])
    assert hint == er.ErrorHint('', 'mysql-bin.000001', 2822)
    assert hint.end_log_pos in failed.end_log_positions
    assert t['0-%d-9' % MARIADB_SOURCE_ID].effect == tx.DROPS_IF_EXISTS
    assert t['0-%d-12' % MARIADB_SOURCE_ID].effect == tx.NO_DATA


def test_mariadb_118_row_events_have_no_end_position():
    found = grouped(MARIADB_118_RELAY)
    failed = found[0]
    assert failed.gtid == '0-%d-13' % MARIADB_SOURCE_ID
    assert [e.end_log_pos for e in failed.events] == [2670, 0, 0, 0, 2853]
    assert failed.end_log_positions == {2670, 2853}
    assert er.error_hint(MARIADB_118_FAILED['Last_SQL_Error']) == \
        er.ErrorHint('', 'mysql-bin.000001', 0)


def test_mariadb_errant_transactions_of_the_replica():
    t = by_gtid(MARIADB_REPLICA_ERRANT)
    drop = t['0-%d-13' % MARIADB_REPLICA_ID]
    insert = t['0-%d-14' % MARIADB_REPLICA_ID]
    assert drop.events[0].info == 'GTID 0-3731444298-13'
    assert drop.effect == tx.DROPS_IF_EXISTS
    assert insert.effect == tx.DATA
    assert insert.annotations == ("INSERT INTO app.t VALUES (60,'errant')",)
    assert ev.gtid_list(events(MARIADB_REPLICA_ERRANT)) == ()


def test_mariadb_gtid_list_of_two_domains():
    second = [e for e in events(MARIADB_TWO_FILES)
              if e.log_name == 'mysql-bin.000002']
    assert ev.gtid_list(second) == (
        gtid.MariaDBGtid(0, MARIADB_SOURCE_ID, 4),
        gtid.MariaDBGtid(3, MARIADB_SOURCE_ID, 1))
    assert ev.gtid_list(events(MYSQL_TWO_FILES)) is None
    t = by_gtid(MARIADB_TWO_FILES)
    assert t['3-%d-1' % MARIADB_SOURCE_ID].statements == (
        'CREATE TABLE app.t (id INT PRIMARY KEY)',)
    assert t['0-%d-2' % MARIADB_SOURCE_ID].drops == (
        st.Drop('user', 'a', 'localhost'), st.Drop('user', 'b', '%'))
    assert t['0-%d-3' % MARIADB_SOURCE_ID].effect == tx.NO_DATA


# -- grouping edge cases ---------------------------------------------------

def test_incomplete_transaction_counts_as_data():
    rows = [r for r in MARIADB_1011_RELAY if r[1] < 3121]   # no Xid
    last = grouped(rows)[-1]
    assert last.gtid == '0-%d-13' % MARIADB_SOURCE_ID
    assert not last.complete and last.effect == tx.DATA
    begun = [r for r in MYSQL_SOURCE if r[1] < 3556]   # BEGIN, no COMMIT
    assert grouped(begun)[-1].effect == tx.DATA


def test_events_before_the_first_gtid_form_an_anonymous_transaction():
    rows = [r for r in MYSQL_SOURCE if r[1] >= 1214][:4]
    [t] = grouped(rows)
    assert t.gtid == '' and t.complete and t.row_events['write'] == 1


def test_unknown_event_counts_as_data():
    rows = [MYSQL_SOURCE[-3],
            ('binlog.000001', 3482, 'Query', 1, 3556, 'BEGIN'),
            ('binlog.000001', 3556, 'Something_new', 1, 3600, ''),
            ('binlog.000001', 3600, 'Xid', 1, 3631, 'COMMIT /* xid=9 */')]
    [t] = grouped(rows)
    assert t.unknown_events == ('Something_new',)
    assert t.effect == tx.DATA


def test_iter_transactions_yields_as_each_ends():
    def stream():
        yield from events(MYSQL_SOURCE[:4])
        raise AssertionError('read past what was needed')
    first = next(tx.iter_transactions(stream()))
    assert first.gtid == MYSQL_UUID + ':3'


def test_to_dict_is_json_ready():
    for rows in (MYSQL_SOURCE, MARIADB_1011_RELAY, MARIADB_REPLICA_ERRANT):
        for t in grouped(rows):
            data = json.loads(json.dumps(t.to_dict()))
            assert data['gtid'] == t.gtid
            assert data['summary'] == t.describe()
    data = by_gtid(MYSQL_SOURCE)[MYSQL_UUID + ':9'].to_dict()
    assert data['drops'] == ["user 'nobody'@'%'"]
    assert data['effect'] == 'drops_if_exists'


# -- statements ------------------------------------------------------------

@pytest.mark.parametrize('sql,schema,expected', [
    ('DROP USER IF EXISTS nobody', '', [st.Drop('user', 'nobody', '%')]),
    ("DROP USER IF EXISTS 'a'@'localhost', `b`@`10.0.0.%`", '',
     [st.Drop('user', 'a', 'localhost'), st.Drop('user', 'b', '10.0.0.%')]),
    ("DROP USER IF EXISTS 'it''s'@'%'", '', [st.Drop('user', "it's", '%')]),
    ('DROP TABLE IF EXISTS `gone`', 'app',
     [st.Drop('table', 'gone', schema='app')]),
    ('DROP TABLE IF EXISTS a.b, c', 'app',
     [st.Drop('table', 'b', schema='a'), st.Drop('table', 'c',
                                                 schema='app')]),
    ('drop schema if exists `x``y`', '', [st.Drop('database', 'x`y')]),
    ('DROP TABLE IF EXISTS gone', '', None),        # no default schema
    ('DROP USER nobody', '', None),                 # no IF EXISTS
    ('DROP USER IF EXISTS a,', '', None),
    ('DROP USER IF EXISTS a b', '', None),
    ('DROP DATABASE IF EXISTS a, b', '', None),
    ('DELETE FROM t', '', None),
])
def test_parse_drop(sql, schema, expected):
    assert st.parse_drop(sql, schema) == expected


@pytest.mark.parametrize('info,effect', [
    ('FLUSH PRIVILEGES', tx.NO_DATA),
    ('use `app`; ANALYZE TABLE t', tx.NO_DATA),
    ('DROP /*!40005 TEMPORARY */ TABLE IF EXISTS `t` /* generated by '
     'server */', tx.NO_DATA),
    ('use `app`; DROP TABLE IF EXISTS `t` /* generated by server */',
     tx.DROPS_IF_EXISTS),
    ('DROP TABLE IF EXISTS `t` /* generated by server */', tx.DATA),
    ('CREATE USER x', tx.DATA),
    ('OPTIMIZE TABLE t', tx.DATA),
    ('GRANT SELECT ON *.* TO x', tx.DATA),
])
def test_statement_effects(info, effect):
    rows = [('b.000001', 4, 'Gtid', 1, 50, 'GTID 0-1-5'),
            ('b.000001', 50, 'Query', 1, 90, info)]
    assert grouped(rows)[0].effect == effect


def test_show_events_statements():
    assert ev.show_events(False, 'binlog.000001') == \
        "SHOW BINLOG EVENTS IN 'binlog.000001'"
    assert ev.show_events(True, 'vm-relay-bin.000002', 369, 1, 500) == \
        "SHOW RELAYLOG EVENTS IN 'vm-relay-bin.000002' FROM 369 LIMIT 1, 500"
    assert ev.show_events(False, "x'y.000001", None, 0, 4) == \
        "SHOW BINLOG EVENTS IN 'x\\'y.000001' LIMIT 0, 4"
    with pytest.raises(ValueError):
        ev.show_events(True, 'r.000001', '4; DROP TABLE t')


def test_next_log_name():
    assert ev.next_log_name('mysql-relay-bin.000009') == \
        'mysql-relay-bin.000010'
    assert ev.next_log_name('vm-relay-bin.999999') == 'vm-relay-bin.1000000'
    assert ev.next_log_name('nodot') is None


def test_error_hint_without_position():
    assert er.error_hint('') == er.ErrorHint()
    assert er.error_hint("Worker 1 failed executing transaction "
                         "'ANONYMOUS' at source log binlog.000002, "
                         "end_log_pos 6806") == \
        er.ErrorHint('', 'binlog.000002', 6806)


def _worker(number, name, log, pos):
    return (number, "Worker %d failed executing transaction '%s' at source "
                    "log %s, end_log_pos %d; ..." % (number % 7, name, log,
                                                     pos))


def test_failed_worker_message_skips_bystanders_and_takes_the_earliest():
    bystander = _worker(3030, 'ANONYMOUS', 'binlog.000002', 7417)
    first = _worker(1062, 'ANONYMOUS', 'binlog.000002', 7136)
    later_file = _worker(1032, 'ANONYMOUS', 'binlog.000010', 200)
    earlier_file = _worker(1032, 'ANONYMOUS', 'binlog.9', 900)
    quoted = 'The most recent failure being: ' + bystander[1]
    assert er.failed_worker_message(quoted, [bystander, first]) == first[1]
    assert er.failed_worker_message(
        quoted, [later_file, bystander, first]) == first[1]
    # Files by their number, not their text: 9 before 10.
    assert er.failed_worker_message(
        quoted, [_worker(1032, 'ANONYMOUS', 'binlog.10', 5),
                 earlier_file]) == earlier_file[1]
    # Nothing but bystanders, or no worker rows: the status as it is.
    assert er.failed_worker_message(quoted, [bystander]) == quoted
    assert er.failed_worker_message(quoted, []) == quoted
    # A worker's own error without a position still beats the status.
    assert er.failed_worker_message(quoted, [(1205, 'Lock wait')]) == \
        'Lock wait'


# Statements as the servers logged them (server-facts.md, item 4, and the
# MySQL 9.7 source above: its account's CREATE USER, hash bytes and all).
MYSQL_CREATE_USER = (
    "CREATE USER 'repl_26aaa3fc2e438a29'@'%' IDENTIFIED WITH "
    "'caching_sha2_password' AS '$A$00A$w\\\"C\x1d9\x02!\\'\x10UNj\x04f=Q="
    "\x0bH>k47Heou438zsw1JM2XOf0pXLFAX2k6GR//wVIQe38t8' /* xid=21 */")


@pytest.mark.parametrize('text,expected', [
    ("CREATE USER 'pw1'@'%' IDENTIFIED BY 'secret'",
     "CREATE USER 'pw1'@'%' IDENTIFIED BY '***'"),
    ("CREATE USER 'pw2'@'%' IDENTIFIED BY PASSWORD "
     "'*850BF038CFFD848B10CDDCFD984AB2E4F20463D4'",
     "CREATE USER 'pw2'@'%' IDENTIFIED BY PASSWORD '***'"),
    ("CREATE USER 'pw3'@'%' IDENTIFIED VIA mysql_native_password USING "
     "PASSWORD('viasecret')",
     "CREATE USER 'pw3'@'%' IDENTIFIED VIA mysql_native_password USING "
     "PASSWORD('***')"),
    (MYSQL_CREATE_USER,
     "CREATE USER 'repl_26aaa3fc2e438a29'@'%' IDENTIFIED WITH "
     "'caching_sha2_password' AS '***' /* xid=21 */"),
    ("SET PASSWORD FOR 'a'@'%' = 'it''s \\' secret'",
     "SET PASSWORD FOR 'a'@'%' = '***'"),
    ("CHANGE MASTER TO MASTER_HOST='h', MASTER_PASSWORD='p', "
     "MASTER_PORT=1", "CHANGE MASTER TO MASTER_HOST='h', "
     "MASTER_PASSWORD='***', MASTER_PORT=1"),
    ("Error 'x' on query. Default database: ''. Query: 'ALTER USER u "
     "IDENTIFIED BY \"pw\"'", "Error 'x' on query. Default database: ''. "
     "Query: 'ALTER USER u IDENTIFIED BY '***''"),
    ('DROP USER IF EXISTS nobody', 'DROP USER IF EXISTS nobody'),
])
def test_redact(text, expected):
    assert st.redact(text) == expected


def test_summaries_never_show_a_password():
    rows = [('b.000001', 4, 'Gtid', 1, 50, 'GTID 0-1-5'),
            ('b.000001', 50, 'Query', 1, 90,
             "CREATE USER 'pw1'@'%' IDENTIFIED BY 'secret'")]
    [t] = grouped(rows)
    assert 'secret' in t.statements[0]         # read as logged
    assert 'secret' not in t.describe()
    assert 'secret' not in json.dumps(t.to_dict())
