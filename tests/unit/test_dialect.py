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

"""Tests of trove_gtid_strategy.dialect: the exact statements per version.

Each statement is compared as a whole string, so a wrong keyword, a
missing option or a stray one shows up. Versions: MySQL 5.5, 5.6, 5.7,
8.0 (8.0.36), 8.4 and MariaDB 10.11.
"""

import pytest

from trove_gtid_strategy.accounts import native_password_hash
from trove_gtid_strategy.capabilities import capabilities_for
from trove_gtid_strategy import dialect
from trove_gtid_strategy.dialect import Dialect
from trove_gtid_strategy.dialect import SourceAddress
from trove_gtid_strategy.dialect import Statement
from trove_gtid_strategy.dialect import Tls
from trove_gtid_strategy import exceptions
from trove_gtid_strategy.gtid import GtidSet
from trove_gtid_strategy.gtid import MariaDBGtidPosition
from trove_gtid_strategy.versions import Flavor
from trove_gtid_strategy.versions import ServerVersion

U1 = '3e11fa47-71ca-11e1-9e33-c80aa9429562'
PASSWORD = 'Pw0rdXyZZy9q'
SOURCE = SourceAddress('10.0.0.5', 3306, 'repl_ab12', PASSWORD)
TLS = Tls(enabled=True, verify_server_cert=True, verify_identity=True,
          ca='/etc/trove/ca.pem')
TLS_NO_VERIFY = Tls(enabled=True, ca='/etc/trove/ca.pem',
                    cert='/etc/trove/client.pem', key='/etc/trove/key.pem')


def d(flavor, text):
    v = ServerVersion(flavor, *(int(n) for n in text.split('.')))
    return Dialect(capabilities_for(v))


MY55 = d(Flavor.MYSQL, '5.5.62')
MY56 = d(Flavor.MYSQL, '5.6.51')
MY57 = d(Flavor.MYSQL, '5.7.44')
MY80 = d(Flavor.MYSQL, '8.0.36')
MY84 = d(Flavor.MYSQL, '8.4.3')
MDB = d(Flavor.MARIADB, '10.11.6')
ALL = {'5.5': MY55, '5.6': MY56, '5.7': MY57, '8.0': MY80, '8.4': MY84,
       'mariadb': MDB}

OLD_HEAD = ("CHANGE MASTER TO MASTER_HOST = '10.0.0.5', MASTER_PORT = 3306, "
            "MASTER_USER = 'repl_ab12', MASTER_PASSWORD = '%s', "
            "MASTER_CONNECT_RETRY = 15, ")
NEW_HEAD = ("CHANGE REPLICATION SOURCE TO SOURCE_HOST = '10.0.0.5', "
            "SOURCE_PORT = 3306, SOURCE_USER = 'repl_ab12', "
            "SOURCE_PASSWORD = '%s', SOURCE_CONNECT_RETRY = 15, ")
OLD_POS = "MASTER_LOG_FILE = 'mysql-bin.000003', MASTER_LOG_POS = 154, "
NEW_POS = "SOURCE_LOG_FILE = 'mysql-bin.000003', SOURCE_LOG_POS = 154, "
OLD_TLS = ("MASTER_SSL = 1, MASTER_SSL_VERIFY_SERVER_CERT = 1, "
           "MASTER_SSL_CA = '/etc/trove/ca.pem'")
NEW_TLS = ("SOURCE_SSL = 1, SOURCE_SSL_VERIFY_SERVER_CERT = 1, "
           "SOURCE_SSL_CA = '/etc/trove/ca.pem'")

POSITION = {
    '5.5': (OLD_HEAD + OLD_POS + 'MASTER_SSL = 0',
            OLD_HEAD + OLD_POS + OLD_TLS),
    '5.6': (OLD_HEAD + OLD_POS + 'MASTER_AUTO_POSITION = 0, MASTER_SSL = 0',
            OLD_HEAD + OLD_POS + 'MASTER_AUTO_POSITION = 0, ' + OLD_TLS),
    '5.7': (OLD_HEAD + OLD_POS + 'MASTER_AUTO_POSITION = 0, MASTER_SSL = 0',
            OLD_HEAD + OLD_POS + 'MASTER_AUTO_POSITION = 0, ' + OLD_TLS),
    '8.0': (NEW_HEAD + NEW_POS + 'SOURCE_AUTO_POSITION = 0, SOURCE_SSL = 0, '
            'GET_SOURCE_PUBLIC_KEY = 1',
            NEW_HEAD + NEW_POS + 'SOURCE_AUTO_POSITION = 0, ' + NEW_TLS),
    '8.4': (NEW_HEAD + NEW_POS + 'SOURCE_AUTO_POSITION = 0, SOURCE_SSL = 0, '
            'GET_SOURCE_PUBLIC_KEY = 1',
            NEW_HEAD + NEW_POS + 'SOURCE_AUTO_POSITION = 0, ' + NEW_TLS),
    'mariadb': (OLD_HEAD + OLD_POS + 'MASTER_USE_GTID = no, MASTER_SSL = 0, '
                'MASTER_SSL_VERIFY_SERVER_CERT = 0',
                OLD_HEAD + OLD_POS + 'MASTER_USE_GTID = no, ' + OLD_TLS),
}
AUTO_POSITION = {
    '5.6': (OLD_HEAD + 'MASTER_AUTO_POSITION = 1, MASTER_SSL = 0',
            OLD_HEAD + 'MASTER_AUTO_POSITION = 1, ' + OLD_TLS),
    '5.7': (OLD_HEAD + 'MASTER_AUTO_POSITION = 1, MASTER_SSL = 0',
            OLD_HEAD + 'MASTER_AUTO_POSITION = 1, ' + OLD_TLS),
    '8.0': (NEW_HEAD + 'SOURCE_AUTO_POSITION = 1, SOURCE_SSL = 0, '
            'GET_SOURCE_PUBLIC_KEY = 1',
            NEW_HEAD + 'SOURCE_AUTO_POSITION = 1, ' + NEW_TLS),
    '8.4': (NEW_HEAD + 'SOURCE_AUTO_POSITION = 1, SOURCE_SSL = 0, '
            'GET_SOURCE_PUBLIC_KEY = 1',
            NEW_HEAD + 'SOURCE_AUTO_POSITION = 1, ' + NEW_TLS),
}
MARIADB_GTID = (
    OLD_HEAD + 'MASTER_USE_GTID = slave_pos, MASTER_SSL = 0, '
    'MASTER_SSL_VERIFY_SERVER_CERT = 0',
    OLD_HEAD + 'MASTER_USE_GTID = slave_pos, ' + OLD_TLS)


def check_redaction(stmt, sql):
    """``sql`` with the password; redacted text and str() without it."""
    assert isinstance(stmt, Statement)
    assert stmt.sql == sql % PASSWORD
    assert stmt.redacted == sql % '***'
    assert str(stmt) == stmt.redacted
    assert PASSWORD in stmt.sql
    assert PASSWORD not in stmt.redacted
    assert PASSWORD not in str(stmt)


# -- pointing a replica at a source --------------------------------------

@pytest.mark.parametrize('name', sorted(POSITION))
def test_change_source_to_position(name):
    plain, tls = POSITION[name]
    dia = ALL[name]
    check_redaction(dia.change_source_to_position(
        SOURCE, 'mysql-bin.000003', 154, 15), plain)
    check_redaction(dia.change_source_to_position(
        SOURCE, 'mysql-bin.000003', 154, 15, TLS), tls)
    # TLS explicitly off is the same as no TLS argument.
    assert dia.change_source_to_position(
        SOURCE, 'mysql-bin.000003', 154, 15, Tls()).sql == plain % PASSWORD


@pytest.mark.parametrize('name', sorted(AUTO_POSITION))
def test_change_source_to_auto_position(name):
    plain, tls = AUTO_POSITION[name]
    dia = ALL[name]
    check_redaction(dia.change_source_to_auto_position(SOURCE, 15), plain)
    check_redaction(dia.change_source_to_auto_position(SOURCE, 15, TLS),
                    tls)


def test_change_source_to_mariadb_gtid():
    plain, tls = MARIADB_GTID
    check_redaction(MDB.change_source_to_mariadb_gtid(SOURCE, 15), plain)
    check_redaction(MDB.change_source_to_mariadb_gtid(SOURCE, 15, TLS), tls)
    current = MDB.change_source_to_mariadb_gtid(SOURCE, 15,
                                                use_gtid='current_pos')
    assert 'MASTER_USE_GTID = current_pos, ' in current.sql


def test_mariadb_gtid_refuses_other_use_gtid():
    with pytest.raises(exceptions.InvalidInput, match="'no'"):
        MDB.change_source_to_mariadb_gtid(SOURCE, 15, use_gtid='no')
    with pytest.raises(exceptions.InvalidInput, match='slave_pos'):
        MDB.change_source_to_mariadb_gtid(
            SOURCE, 15, use_gtid="slave_pos, MASTER_HOST = 'evil'")


def test_tls_with_client_certificate_and_no_verification():
    stmt = MY80.change_source_to_auto_position(SOURCE, 15, TLS_NO_VERIFY)
    assert stmt.sql.endswith(
        "SOURCE_SSL = 1, SOURCE_SSL_VERIFY_SERVER_CERT = 0, "
        "SOURCE_SSL_CA = '/etc/trove/ca.pem', "
        "SOURCE_SSL_CERT = '/etc/trove/client.pem', "
        "SOURCE_SSL_KEY = '/etc/trove/key.pem'")


def test_public_key_option_on_8_0_22():
    # 8.0.22 has REPLICA words but not yet CHANGE REPLICATION SOURCE.
    dia = d(Flavor.MYSQL, '8.0.22')
    stmt = dia.change_source_to_auto_position(SOURCE, 15)
    assert stmt.sql.startswith('CHANGE MASTER TO MASTER_HOST = ')
    assert stmt.sql.endswith(
        'MASTER_AUTO_POSITION = 1, MASTER_SSL = 0, GET_MASTER_PUBLIC_KEY = 1')


def test_gtid_styles_do_not_mix():
    with pytest.raises(exceptions.UnsupportedMode,
                       match='mariadb 10.11.6 has no mysql GTIDs'):
        MDB.change_source_to_auto_position(SOURCE, 15)
    with pytest.raises(exceptions.UnsupportedMode,
                       match='mysql 8.0.36 has no mariadb GTIDs'):
        MY80.change_source_to_mariadb_gtid(SOURCE, 15)


def test_values_are_quoted_not_injected():
    evil = SourceAddress("h', MASTER_HOST = 'evil", '3306', "u'--",
                         "p'; DROP USER root; --:x")
    stmt = MY57.change_source_to_position(evil, "f'x", '154', '15')
    assert stmt.sql == (
        "CHANGE MASTER TO MASTER_HOST = 'h\\', MASTER_HOST = \\'evil', "
        "MASTER_PORT = 3306, MASTER_USER = 'u\\'--', "
        "MASTER_PASSWORD = 'p\\'; DROP USER root; --\\:x', "
        "MASTER_CONNECT_RETRY = 15, MASTER_LOG_FILE = 'f\\'x', "
        "MASTER_LOG_POS = 154, MASTER_AUTO_POSITION = 0, MASTER_SSL = 0")
    assert 'DROP USER' not in stmt.redacted


@pytest.mark.parametrize('port, pos, retry', [
    ('3306; DROP', 154, 15),
    (3306, '154 OR 1', 15),
    (3306, 154, -1),
    (True, 154, 15),
])
def test_numbers_are_checked(port, pos, retry):
    src = SourceAddress('h', port, 'u', 'p')
    with pytest.raises(exceptions.InvalidInput):
        MY80.change_source_to_position(src, 'f', pos, retry)


# -- replica threads, status, binary logs --------------------------------

@pytest.mark.parametrize('name, start, stop, reset, status, source, binlogs', [
    ('5.5', 'START SLAVE', 'STOP SLAVE', 'RESET SLAVE ALL',
     'SHOW SLAVE STATUS', 'SHOW MASTER STATUS', 'RESET MASTER'),
    ('5.6', 'START SLAVE', 'STOP SLAVE', 'RESET SLAVE ALL',
     'SHOW SLAVE STATUS', 'SHOW MASTER STATUS', 'RESET MASTER'),
    ('5.7', 'START SLAVE', 'STOP SLAVE', 'RESET SLAVE ALL',
     'SHOW SLAVE STATUS', 'SHOW MASTER STATUS', 'RESET MASTER'),
    ('8.0', 'START REPLICA', 'STOP REPLICA', 'RESET REPLICA ALL',
     'SHOW REPLICA STATUS', 'SHOW MASTER STATUS', 'RESET MASTER'),
    ('8.4', 'START REPLICA', 'STOP REPLICA', 'RESET REPLICA ALL',
     'SHOW REPLICA STATUS', 'SHOW BINARY LOG STATUS',
     'RESET BINARY LOGS AND GTIDS'),
    ('mariadb', 'START REPLICA', 'STOP REPLICA', 'RESET REPLICA ALL',
     'SHOW REPLICA STATUS', 'SHOW MASTER STATUS', 'RESET MASTER'),
])
def test_thread_and_log_statements(name, start, stop, reset, status, source,
                                   binlogs):
    dia = ALL[name]
    assert dia.start_replica().sql == start
    assert dia.stop_replica().sql == stop
    assert dia.reset_replica_all().sql == reset
    assert dia.show_replica_status().sql == status
    assert dia.show_source_status().sql == source
    assert dia.reset_binary_logs().sql == binlogs
    for stmt in (dia.start_replica(), dia.reset_binary_logs()):
        assert stmt.redacted == stmt.sql == str(stmt)


def test_read_only_and_variables():
    assert MY57.set_read_only(True).sql == 'SET GLOBAL read_only = ON'
    assert MY57.set_read_only(False).sql == 'SET GLOBAL read_only = OFF'
    assert dialect.show_variables(['gtid_mode', 'log_bin']).sql == (
        "SHOW GLOBAL VARIABLES WHERE Variable_name IN "
        "('gtid_mode', 'log_bin')")
    assert dialect.show_binary_logs().sql == 'SHOW BINARY LOGS'


# -- seeding start points -----------------------------------------------

@pytest.mark.parametrize('name', ['5.6', '5.7', '8.0', '8.4'])
def test_set_gtid_purged(name):
    stmt = ALL[name].set_gtid_purged(GtidSet.parse(U1 + ':1-5'))
    assert stmt.sql == "SET GLOBAL gtid_purged = '%s\\:1-5'" % U1


@pytest.mark.parametrize('name', ['8.0', '8.4'])
def test_set_gtid_purged_append(name):
    stmt = ALL[name].set_gtid_purged(U1 + ':1-5', append=True)
    assert stmt.sql == "SET GLOBAL gtid_purged = '+%s\\:1-5'" % U1


@pytest.mark.parametrize('flavor, number', [
    (Flavor.MYSQL, '5.6.51'),
    (Flavor.MYSQL, '5.7.44'),
    (Flavor.MYSQL, '8.0.2'),
])
def test_set_gtid_purged_append_refused_before_8_0_3(flavor, number):
    with pytest.raises(exceptions.UnsupportedMode) as info:
        d(flavor, number).set_gtid_purged(U1 + ':1-5', append=True)
    assert str(info.value) == (
        'mysql %s cannot append to gtid_purged (MySQL 8.0.3+ can): reset '
        'the binary logs and set the whole set' % number)


def test_set_gtid_purged_append_allowed_from_8_0_3():
    stmt = d(Flavor.MYSQL, '8.0.3').set_gtid_purged(U1 + ':1', append=True)
    assert stmt.sql == "SET GLOBAL gtid_purged = '+%s\\:1'" % U1


def test_set_gtid_slave_pos():
    stmt = MDB.set_gtid_slave_pos(MariaDBGtidPosition.parse('0-1-5,1-2-7'))
    assert stmt.sql == "SET GLOBAL gtid_slave_pos = '0-1-5,1-2-7'"
    assert MDB.binlog_gtid_pos('mysql-bin.000003', 154).sql == \
        "SELECT BINLOG_GTID_POS('mysql-bin.000003', 154)"


@pytest.mark.parametrize('call', [
    lambda dia: dia.set_gtid_purged(U1 + ':1-5'),
    lambda dia: dia.set_gtid_slave_pos('0-1-5'),
    lambda dia: dia.wait_for_gtids(U1 + ':1-5', 30),
    lambda dia: dia.binlog_gtid_pos('mysql-bin.000003', 4),
    lambda dia: dia.change_source_to_auto_position(SOURCE, 15),
    lambda dia: dia.change_source_to_mariadb_gtid(SOURCE, 15),
])
def test_gtid_statements_on_5_5_raise(call):
    with pytest.raises(exceptions.UnsupportedMode) as info:
        call(MY55)
    assert str(info.value).startswith('mysql 5.5.62 has no ')
    assert str(info.value).endswith('GTIDs: this statement needs them')


def test_mysql_gtid_statements_refused_on_mariadb():
    with pytest.raises(exceptions.UnsupportedMode):
        MDB.set_gtid_purged(U1 + ':1-5')
    with pytest.raises(exceptions.UnsupportedMode):
        MY80.set_gtid_slave_pos('0-1-5')
    with pytest.raises(exceptions.UnsupportedMode):
        MY80.binlog_gtid_pos('mysql-bin.000003', 4)


# -- skipping a transaction ----------------------------------------------

@pytest.mark.parametrize('name', ['5.6', '5.7', '8.0', '8.4'])
def test_skip_with_empty_transaction_on_mysql_gtid(name):
    stmts = ALL[name].skip_transaction(U1 + ':6')
    assert [s.sql for s in stmts] == [
        "SET gtid_next = '%s\\:6'" % U1, 'BEGIN', 'COMMIT',
        "SET gtid_next = 'AUTOMATIC'"]


@pytest.mark.parametrize('name, gtid, sql', [
    ('5.5', None, 'SET GLOBAL sql_slave_skip_counter = 1'),
    # 5.5 has no GTIDs: the counter, whatever was passed.
    ('5.5', U1 + ':6', 'SET GLOBAL sql_slave_skip_counter = 1'),
    ('5.7', None, 'SET GLOBAL sql_slave_skip_counter = 1'),
    ('8.0', None, 'SET GLOBAL sql_replica_skip_counter = 1'),
    ('8.4', None, 'SET GLOBAL sql_replica_skip_counter = 1'),
    ('mariadb', None, 'SET GLOBAL sql_slave_skip_counter = 1'),
    ('mariadb', '0-1-6', 'SET GLOBAL sql_slave_skip_counter = 1'),
])
def test_skip_with_counter(name, gtid, sql):
    assert [s.sql for s in ALL[name].skip_transaction(gtid)] == [sql]


# -- waiting ------------------------------------------------------------

@pytest.mark.parametrize('name, sql', [
    ('5.6', "SELECT WAIT_UNTIL_SQL_THREAD_AFTER_GTIDS('%s\\:1-5', 30)" % U1),
    ('5.7', "SELECT WAIT_FOR_EXECUTED_GTID_SET('%s\\:1-5', 30)" % U1),
    ('8.0', "SELECT WAIT_FOR_EXECUTED_GTID_SET('%s\\:1-5', 30)" % U1),
    ('8.4', "SELECT WAIT_FOR_EXECUTED_GTID_SET('%s\\:1-5', 30)" % U1),
])
def test_wait_for_gtids(name, sql):
    assert ALL[name].wait_for_gtids(GtidSet.parse(U1 + ':1-5'), 30).sql \
        == sql


def test_wait_for_mariadb_gtids():
    assert MDB.wait_for_gtids(MariaDBGtidPosition.parse('0-1-5'), 30).sql \
        == "SELECT MASTER_GTID_WAIT('0-1-5', 30)"


@pytest.mark.parametrize('name, function', [
    ('5.5', 'MASTER_POS_WAIT'),
    ('5.6', 'MASTER_POS_WAIT'),
    ('5.7', 'MASTER_POS_WAIT'),
    ('8.0', 'SOURCE_POS_WAIT'),
    ('8.4', 'SOURCE_POS_WAIT'),
    ('mariadb', 'MASTER_POS_WAIT'),
])
def test_wait_for_position(name, function):
    assert ALL[name].wait_for_position('mysql-bin.000003', 154, 30).sql == \
        "SELECT %s('mysql-bin.000003', 154, 30)" % function


def test_wait_timeout_is_checked():
    with pytest.raises(exceptions.InvalidInput, match='timeout'):
        MY80.wait_for_position('f', 4, '30; DROP')
    with pytest.raises(exceptions.InvalidInput, match='timeout'):
        MY80.wait_for_gtids(U1 + ':1', -5)


# -- users --------------------------------------------------------------

@pytest.mark.parametrize('name, privileges', [
    ('5.5', 'REPLICATION SLAVE, REPLICATION CLIENT'),
    ('5.6', 'REPLICATION SLAVE, REPLICATION CLIENT'),
    ('5.7', 'REPLICATION SLAVE, REPLICATION CLIENT'),
    ('8.0', 'REPLICATION SLAVE, REPLICATION CLIENT'),
    ('8.4', 'REPLICATION SLAVE, REPLICATION CLIENT'),
    ('mariadb', 'REPLICATION SLAVE, BINLOG MONITOR'),
])
def test_create_replication_user(name, privileges):
    dia = ALL[name]
    create, grant = dia.create_replication_user('repl_ab12', PASSWORD)
    if dia.caps.password_hash_literal:
        # The server would binlog a clear password as sent: only the
        # mysql_native_password hash goes out.
        assert create.sql == ("CREATE USER 'repl_ab12'@'%%' IDENTIFIED BY "
                              "PASSWORD '%s'" % native_password_hash(PASSWORD))
        assert create.redacted == ("CREATE USER 'repl_ab12'@'%' IDENTIFIED "
                                   "BY PASSWORD '***'")
        assert PASSWORD not in create.sql
    else:
        check_redaction(create,
                        "CREATE USER 'repl_ab12'@'%%' IDENTIFIED BY '%s'")
    assert grant.sql == grant.redacted == (
        "GRANT %s ON *.* TO 'repl_ab12'@'%%'" % privileges)


def test_native_password_hash_matches_the_server_function():
    # SELECT PASSWORD('secret') on MariaDB 10.11 and MySQL 5.7.
    assert native_password_hash('secret') == \
        '*14E65567ABDB5135D0CFD9A70B3032C179A49EE7'


@pytest.mark.parametrize('name, sql', [
    ('5.5', "SET PASSWORD FOR 'r'@'%%' = '%s'"),
    ('mariadb', "SET PASSWORD FOR 'r'@'%%' = '%s'"),
    ('5.7', "ALTER USER 'r'@'%%' IDENTIFIED BY '%s'"),
    ('8.4', "ALTER USER 'r'@'%%' IDENTIFIED BY '%s'"),
])
def test_set_replication_password(name, sql):
    stmt = ALL[name].set_replication_password('r', PASSWORD)
    if ALL[name].caps.password_hash_literal:
        assert stmt.sql == sql % native_password_hash(PASSWORD)
    else:
        assert stmt.sql == sql % PASSWORD
    assert stmt.redacted == sql % '***'


def test_account_queries_quote_their_input():
    assert MY80.count_accounts("a'b").sql == (
        "SELECT COUNT(*) FROM mysql.user WHERE User = 'a\\'b' AND Host = "
        "'%'")
    assert MY80.account_hosts("re'pl_").sql == (
        "SELECT Host FROM mysql.user WHERE User = 're\\'pl_' ORDER BY Host")


def test_create_replication_user_with_host_and_awkward_password():
    password = "a'b:c\\d%e"
    create, grant = MY80.create_replication_user('repl_x', password,
                                                 host='10.0.%')
    assert create.sql == ("CREATE USER 'repl_x'@'10.0.%' IDENTIFIED BY "
                          "'a\\'b\\:c\\\\d%e'")
    assert create.redacted == ("CREATE USER 'repl_x'@'10.0.%' IDENTIFIED "
                               "BY '***'")
    assert "a\\'b" not in str(create)
    assert grant.sql.endswith("TO 'repl_x'@'10.0.%'")


@pytest.mark.parametrize('name', ['5.7', '8.0', '8.4', 'mariadb'])
def test_drop_user(name):
    assert ALL[name].drop_user('repl_ab12').sql == \
        "DROP USER IF EXISTS 'repl_ab12'@'%'"
    assert ALL[name].drop_user('repl_ab12', host='10.0.0.%').sql == \
        "DROP USER IF EXISTS 'repl_ab12'@'10.0.0.%'"


@pytest.mark.parametrize('name', ['5.5', '5.6'])
def test_drop_user_before_5_7_has_no_if_exists(name):
    assert ALL[name].drop_user('repl_ab12').sql == \
        "DROP USER 'repl_ab12'@'%'"


@pytest.mark.parametrize('number', ['5.5.68', '10.0.1'])
def test_position_on_mariadb_without_gtids(number):
    stmt = d(Flavor.MARIADB, number).change_source_to_position(
        SOURCE, 'mysql-bin.000003', 154, 15)
    assert 'USE_GTID' not in stmt.sql


# -- redaction, across every statement ----------------------------------

def test_repr_does_not_leak_the_password():
    stmts = MY80.create_replication_user('repl_ab12', PASSWORD)
    assert PASSWORD not in repr(stmts[0])
    assert PASSWORD not in '%s' % (stmts,)


@pytest.mark.parametrize('name', sorted(ALL))
def test_no_statement_leaks_the_password(name):
    dia = ALL[name]
    stmts = list(dia.create_replication_user('repl_ab12', PASSWORD))
    stmts.append(dia.change_source_to_position(
        SOURCE, 'mysql-bin.000003', 154, 15, TLS))
    if dia.caps.gtid_style == 'mysql':
        stmts.append(dia.change_source_to_auto_position(SOURCE, 15, TLS))
    if dia.caps.gtid_style == 'mariadb':
        stmts.append(dia.change_source_to_mariadb_gtid(SOURCE, 15, TLS))
    for stmt in stmts:
        assert PASSWORD not in str(stmt)
        assert PASSWORD not in stmt.redacted
        assert PASSWORD not in '%s' % (stmt,)
    hashed = 1 if dia.caps.password_hash_literal else 0
    assert sum(PASSWORD in s.sql for s in stmts) == len(stmts) - 1 - hashed


def test_verify_ca_checks_the_chain_only_where_the_server_can():
    # MySQL verifies the chain whenever a CA is given; its
    # SOURCE_SSL_VERIFY_SERVER_CERT adds the host name check. MariaDB has
    # only the one switch.
    verify_ca = Tls(enabled=True, verify_server_cert=True,
                    ca='/etc/trove/ca.pem')
    mysql = MY80.change_source_to_auto_position(SOURCE, 15, verify_ca).sql
    assert 'SOURCE_SSL_VERIFY_SERVER_CERT = 0' in mysql
    assert "SOURCE_SSL_CA = '/etc/trove/ca.pem'" in mysql
    mariadb = ALL['mariadb'].change_source_to_mariadb_gtid(
        SOURCE, 15, verify_ca).sql
    assert 'MASTER_SSL_VERIFY_SERVER_CERT = 1' in mariadb
