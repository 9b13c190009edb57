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

"""Which accounts a fence locks, from their grants (SHOW GRANTS lines as
MariaDB 10.11 and 11.8 print them), and the statements it sends.
"""

from trove_gtid_strategy.capabilities import capabilities_for
from trove_gtid_strategy.dialect import Dialect
from trove_gtid_strategy import fencing
from trove_gtid_strategy.fencing import Account
from trove_gtid_strategy.fencing import AccountRow
from trove_gtid_strategy.versions import Flavor
from trove_gtid_strategy.versions import ServerVersion

BYPASS = ('READ_ONLY ADMIN',)
ADMIN = Account('admin', '%')
GRANTS = {
    ADMIN: ["GRANT ALL PRIVILEGES ON *.* TO `admin`@`%` IDENTIFIED BY "
            "PASSWORD '*3B85' WITH GRANT OPTION"],
    Account('root', 'localhost'): [
        'GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` IDENTIFIED VIA '
        'unix_socket WITH GRANT OPTION',
        'GRANT PROXY ON \'\'@\'%\' TO \'root\'@\'localhost\' WITH GRANT '
        'OPTION'],
    Account("q'u", '%'): ["GRANT READ_ONLY ADMIN ON *.* TO `q'u`@`%`",
                          "GRANT INSERT ON `a`.* TO `q'u`@`%`"],
    Account('sup', '%'): ['GRANT SUPER ON *.* TO `sup`@`%`'],
    Account('app', '%'): ['GRANT USAGE ON *.* TO `app`@`%`',
                          'GRANT SELECT, INSERT, UPDATE ON `app`.* TO '
                          '`app`@`%`'],
    Account('rw', ''): ['GRANT READ_ONLY ADMIN ON *.* TO `rw`'],
    Account('viarole', '%'): ['GRANT `rw` TO `viarole`@`%`',
                              'GRANT USAGE ON *.* TO `viarole`@`%`'],
    Account('locked', '%'): ['GRANT ALL PRIVILEGES ON *.* TO `locked`@`%`'],
    Account('repl_x', '%'): ['GRANT REPLICATION SLAVE, BINLOG MONITOR ON '
                             '*.* TO `repl_x`@`%`'],
}
GRANTS[Account('admin', 'localhost')] = [
    'GRANT ALL PRIVILEGES ON *.* TO `admin`@`localhost`']
ROWS = [AccountRow(account, account.user == 'rw',
                   account.user == 'locked') for account in GRANTS]


def test_accounts_writing_through_read_only_are_locked_but_ours():
    # admin@localhost is the same operator as admin@% running it.
    assert fencing.accounts_to_lock(ROWS, GRANTS, BYPASS, ADMIN) == [
        Account("q'u", '%'), Account('root', 'localhost'),
        Account('viarole', '%')]


def test_before_10_11_super_writes_through_read_only_too():
    found = fencing.accounts_to_lock(ROWS, GRANTS,
                                     ('SUPER', 'READ_ONLY ADMIN'), ADMIN)
    assert Account('sup', '%') in found


def test_grants_parsed():
    assert fencing.global_privileges(GRANTS[Account('repl_x', '%')]) == {
        'REPLICATION SLAVE', 'BINLOG MONITOR'}
    # A schema grant is not a global one.
    assert fencing.global_privileges(GRANTS[Account('app', '%')]) == {
        'USAGE'}
    assert fencing.granted_roles(GRANTS[Account('viarole', '%')]) == {'rw'}
    assert fencing.granted_roles(["GRANT 'odd''role' TO `x`@`%`"]) == {
        "odd'role"}
    assert fencing.granted_roles(GRANTS[ADMIN]) == set()


def test_current_user_parsed():
    assert fencing.parse_current_user('admin@%') == ADMIN
    assert fencing.parse_current_user('a@b@localhost') == Account(
        'a@b', 'localhost')


def test_statements_mark_before_locking_and_unlock_before_unmarking():
    d = Dialect(capabilities_for(ServerVersion(Flavor.MARIADB, 10, 11, 19)))
    account = Account("q'u:x", '%')
    assert [s.sql for s in d.lock_fenced(account)] == [
        "CREATE ROLE IF NOT EXISTS 'trove_gtid_fence'",
        "GRANT 'trove_gtid_fence' TO 'q\\'u\\:x'@'%'",
        "ALTER USER 'q\\'u\\:x'@'%' ACCOUNT LOCK"]
    assert [s.sql for s in d.unlock_fenced(account)] == [
        "ALTER USER 'q\\'u\\:x'@'%' ACCOUNT UNLOCK",
        "REVOKE 'trove_gtid_fence' FROM 'q\\'u\\:x'@'%'"]
    assert d.show_grants(Account('rw', ''), role=True).sql == \
        "SHOW GRANTS FOR 'rw'"
