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

"""The accounts audit, from rows and SHOW GRANTS lines (issue 15, item 4).

The lines are those MariaDB 10.11.19, 11.8.9 and MySQL 9.7 printed for
accounts made by hand (tests/functional/test_secrets_and_audit.py makes
the same on every line).
"""

import pytest

from trove_gtid_strategy import account_audit as audit
from trove_gtid_strategy.versions import Flavor
from trove_gtid_strategy.versions import ServerVersion

MY97 = ServerVersion(Flavor.MYSQL, 9, 7, 0)
MY56 = ServerVersion(Flavor.MYSQL, 5, 6, 51)
MDB = ServerVersion(Flavor.MARIADB, 10, 11, 19)
MDB103 = ServerVersion(Flavor.MARIADB, 10, 3, 39)

MARIADB_GRANTS = {
    ('repl_0123', '%'): [
        "GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO `repl_0123`@`%` "
        "IDENTIFIED BY PASSWORD '*D203DF630759D0956401D4E84BCD2C8320069FC4'"],
    ('r1', '127.0.0.2'): [
        "GRANT REPLICATION SLAVE ON *.* TO `r1`@`127.0.0.2` IDENTIFIED BY "
        "PASSWORD '*D203DF630759D0956401D4E84BCD2C8320069FC4' REQUIRE SSL"],
    ('repl_admin', '10.0.0.%'): [
        "GRANT ALL PRIVILEGES ON *.* TO `repl_admin`@`10.0.0.%` IDENTIFIED "
        "BY PASSWORD '*D2' REQUIRE ISSUER '/CN=x' SUBJECT '/CN=y'"],
    ('repl_app', '%'): [
        "GRANT REPLICATION SLAVE ON *.* TO `repl_app`@`%`",
        "GRANT SELECT ON `app`.* TO `repl_app`@`%`"],
    ('r5', '%'): [
        'GRANT `replrole` TO `r5`@`%`',
        "GRANT USAGE ON *.* TO `r5`@`%` IDENTIFIED BY PASSWORD '*D2'",
        'SET DEFAULT ROLE `replrole` FOR `r5`@`%`'],
    ('replrole', ''): ['GRANT REPLICATION SLAVE ON *.* TO `replrole`'],
    ('app', '%'): ["GRANT SELECT, INSERT ON *.* TO `app`@`%`"],
    ('root', 'localhost'): [
        'GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` IDENTIFIED VIA '
        "unix_socket WITH GRANT OPTION",
        "GRANT PROXY ON ''@'%' TO 'root'@'localhost' WITH GRANT OPTION"],
}


def mariadb_rows():
    # As accounts_query returns them from mysql.global_priv.
    raw = [('repl_0123', '%', '0', '', '', '', 'false', 'false'),
           ('r1', '127.0.0.2', '1', '', '', '', 'false', 'false'),
           ('repl_admin', '10.0.0.%', '3', '', '/CN=x', '/CN=y', 'false',
            'true'),
           ('repl_app', '%', '2', '', '', '', 'false', 'false'),
           ('r5', '%', '0', '', '', '', 'false', 'false'),
           ('replrole', '', '0', '', '', '', 'true', 'false'),
           ('app', '%', '0', '', '', '', 'false', 'false'),
           ('root', 'localhost', '0', '', '', '', 'false', 'false')]
    return [audit.row_from(values, MDB) for values in raw]


def by_name(found):
    return {(a.name, a.host): a for a in found}


def test_queries_per_server():
    sql = audit.accounts_query(MDB)
    assert sql.startswith('SELECT User, Host, IFNULL(JSON_VALUE(Priv, '
                          "'$.ssl_type'), '0')")
    assert "JSON_VALUE(Priv, '$.is_role')" in sql
    assert sql.endswith('FROM mysql.global_priv')
    assert audit.accounts_query(MY97) == (
        'SELECT User, Host, ssl_type, ssl_cipher, x509_issuer, '
        "x509_subject, 'N', account_locked FROM mysql.user")
    assert "'N', 'N' FROM mysql.user" in audit.accounts_query(MY56)
    assert "is_role, 'N' FROM mysql.user" in audit.accounts_query(MDB103)


def test_show_grants_quotes_every_name():
    row = audit.AccountRow("o'brien", "10.0.0.%")
    assert audit.show_grants(row) == (
        "SHOW GRANTS FOR 'o\\'brien'@'10.0.0.%'")
    assert audit.show_grants(audit.AccountRow('r:x', '', is_role=True)) \
        == "SHOW GRANTS FOR 'r\\:x'"


def test_rows_from_each_server():
    mysql = audit.row_from(('r4', '%', 'SPECIFIED', b'AES256-SHA', b'',
                            b'', 'N', 'Y'), MY97)
    assert (mysql.ssl_type, mysql.cipher, mysql.locked) == (
        'SPECIFIED', 'AES256-SHA', True)
    # MariaDB stores numbers; absent (never set) reads as 0.
    for number, word in (('0', ''), ('1', 'ANY'), ('2', 'X509'),
                         ('3', 'SPECIFIED')):
        row = audit.row_from(('u', '%', number, '', '', '', 'false',
                              'false'), MDB)
        assert row.ssl_type == word
    assert audit.row_from(('r', '', '0', '', '', '', 'true', 'false'),
                          MDB).is_role


def test_grants_read():
    found = audit.read_grants(MARIADB_GRANTS[('r5', '%')])
    assert found.roles == {('replrole', '')}
    assert found.privileges == {'USAGE'} and not found.other
    mysql = audit.read_grants(['GRANT USAGE ON *.* TO `r5`@`%`',
                               'GRANT `replrole`@`%`,`o``r`@`h` TO '
                               '`r5`@`%`'])
    assert mysql.roles == {('replrole', '%'), ('o`r', 'h')}
    assert audit.read_grants(MARIADB_GRANTS[('repl_app', '%')]).other
    assert audit.read_grants(MARIADB_GRANTS[('root', 'localhost')]).other
    # MySQL 9.7's second line of dynamic privileges, without blanks.
    dynamic = audit.read_grants([
        'GRANT APPLICATION_PASSWORD_ADMIN,AUDIT_ADMIN ON *.* TO `a`@`%`'])
    assert dynamic.privileges == {'APPLICATION_PASSWORD_ADMIN',
                                  'AUDIT_ADMIN'}


def test_audit_lists_every_reader_and_tells_ours():
    grants = {key: audit.read_grants(lines)
              for key, lines in MARIADB_GRANTS.items()}
    found = by_name(audit.audit(mariadb_rows(), grants, 'repl_'))
    # Not app (no replication privilege), not the role itself.
    assert sorted(found) == [('r1', '127.0.0.2'), ('r5', '%'),
                             ('repl_0123', '%'), ('repl_admin', '10.0.0.%'),
                             ('repl_app', '%'), ('root', 'localhost')]
    ours = found[('repl_0123', '%')]
    assert (ours.ours, ours.tls, ours.flags, ours.via) == (
        True, 'NONE', ['any_host', 'plaintext'], 'direct')
    # A prefix is not enough: more than replication granted is not ours.
    assert not found[('repl_admin', '10.0.0.%')].ours
    assert not found[('repl_app', '%')].ours
    assert found[('repl_app', '%')].tls == 'X509'
    assert found[('repl_app', '%')].flags == ['any_host']
    admin = found[('repl_admin', '10.0.0.%')]
    assert admin.tls == "ISSUER '/CN=x' AND SUBJECT '/CN=y'"
    assert admin.flags == [] and admin.locked
    assert found[('r1', '127.0.0.2')].tls == 'SSL'
    assert found[('r1', '127.0.0.2')].flags == []
    assert found[('r5', '%')].via == 'role replrole'
    assert not found[('r5', '%')].ours


def test_roles_followed_transitively_and_mysql_roles_not_listed():
    rows = [audit.AccountRow('u', '%'),
            audit.AccountRow('outer', '%', locked=True),
            audit.AccountRow('inner', '%', locked=True),
            audit.AccountRow('loop', '%', locked=True)]
    grants = {('u', '%'): audit.read_grants(
        ['GRANT `outer`@`%` TO `u`@`%`']),
        ('outer', '%'): audit.read_grants(
            ['GRANT `inner`@`%`,`loop`@`%` TO `outer`@`%`']),
        ('loop', '%'): audit.read_grants(['GRANT `outer`@`%` TO `loop`@`%`']),
        ('inner', '%'): audit.read_grants(
            ['GRANT REPLICATION SLAVE ON *.* TO `inner`@`%`'])}
    found = audit.audit(rows, grants, 'repl_')
    assert [(a.name, a.via) for a in found] == [('u', 'role inner@%')]


@pytest.mark.parametrize('pattern, address, admits', [
    ('%', '192.0.2.7', True), ('', 'db1', True),
    ('127.0.0.2', '127.0.0.2', True), ('127.0.0.2', '127.0.0.1', False),
    ('127.0.0.%', '127.0.0.9', True), ('127.0.0._', '127.0.0.19', False),
    ('10.0.0.0/255.255.255.0', '10.0.0.77', True),
    ('10.0.0.0/255.255.255.0', '10.0.1.77', False),
    ('10.0.0.0/8', '10.200.0.1', True), ('10.0.0.0/8', 'db1', False),
    ('%.example.com', 'DB1.Example.com', True),
    ('db1.example.com', 'db2.example.com', False),
])
def test_host_patterns(pattern, address, admits):
    assert audit.host_matches(pattern, address) is admits


def test_sessions_go_to_the_account_the_server_chose():
    def accounts():
        return [audit.Audited('dup', host, 'NONE', 'direct', False, False,
                              []) for host in ('%', '127.0.0.%',
                                               '127.0.0.2')]
    found = accounts()
    audit.attribute_sessions(found, [('dup', '127.0.0.2:50225')])
    assert [a.used_by for a in found] == [
        [], [], ['connected from 127.0.0.2']]
    found = accounts()
    audit.attribute_sessions(found, [('dup', '127.0.0.3:1')])
    assert [a.used_by for a in found] == [
        [], ['connected from 127.0.0.3'], []]
    # An address no pattern visibly admits (a name the server resolved):
    # every account of that name counts as used, never as unused.
    found = accounts()[1:]
    audit.attribute_sessions(found, [('dup', 'replica7.example:4000')])
    assert all(a.used_by == ['connected from replica7.example']
               for a in found)
    audit.attribute_replica(found, 'dup', 'mysql://dup:***@r:3306')
    assert all(a.used_by[-1] == 'mysql://dup:***@r:3306' for a in found)


@pytest.mark.parametrize('host, address', [
    ('127.0.0.2:50225', '127.0.0.2'), ('localhost', 'localhost'),
    ('[::1]:4000', '::1'), ('::1:4000', '::1'), ('db1:3306', 'db1'),
])
def test_session_address(host, address):
    assert audit.session_address(host) == address
