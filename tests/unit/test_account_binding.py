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

"""Binding replication accounts: host patterns, TLS requirements, and
where the command line learns a replica's address (issue 15); the same
on real servers in tests/functional/test_least_privilege.py.
"""

import types

import pytest

from trove_gtid_strategy import accounts
from trove_gtid_strategy.capabilities import capabilities_for
from trove_gtid_strategy import dialect
from trove_gtid_strategy import dsn as dsn_mod
from trove_gtid_strategy import exceptions
from trove_gtid_strategy.guest import service as guest_service
from trove_gtid_strategy.operations import attach
from trove_gtid_strategy.versions import parse_server_version


@pytest.mark.parametrize('host', ['127.0.0.1', '10.0.0.%', '%', 'db-7',
                                  '10.0.0.0/255.255.255.0', 'fe80::1'])
def test_host_patterns_accepted(host):
    assert accounts.check_host_pattern(host) == host


@pytest.mark.parametrize('host, why', [
    ('', 'empty'), ('  ', 'empty'), ('10.0.0.% x', "' '"),
    ("o'k", '"\'"'), ('h@x', "'@'"), ('é', "'é'"), ('a' * 256, '256')])
def test_bad_host_patterns_name_the_option(host, why):
    with pytest.raises(exceptions.InvalidInput) as caught:
        accounts.check_host_pattern(host, '--account-host')
    assert '--account-host' in str(caught.value)
    assert why in str(caught.value)


def test_tls_requirement_follows_what_the_replica_presents():
    assert accounts.tls_requirement(dialect.Tls()) == 'NONE'
    assert accounts.tls_requirement(dialect.Tls(enabled=True)) == 'SSL'
    assert accounts.tls_requirement(dialect.Tls(
        enabled=True, verify_server_cert=True, ca='ca.pem')) == 'SSL'
    assert accounts.tls_requirement(dialect.Tls(
        enabled=True, cert='c.pem', key='k.pem')) == 'X509'


@pytest.mark.parametrize('reported, head', [
    ('9.7.4', 'ALTER USER'), ('5.7.6-log', 'ALTER USER'),
    ('5.7.5', 'GRANT USAGE ON *.* TO'),
    ('5.5.5-10.11.19-MariaDB', 'ALTER USER'),
    ('5.5.5-10.1.48-MariaDB', 'GRANT USAGE ON *.* TO')])
def test_require_statement_per_version(reported, head):
    d = dialect.Dialect(capabilities_for(parse_server_version(reported)))
    stmt = d.require("re'pl", '10.0.0.%', accounts.REQUIRE_SSL)
    assert stmt.sql == "%s 're\\'pl'@'10.0.0.%%' REQUIRE SSL" % head
    with pytest.raises(exceptions.InvalidInput):
        d.require('repl', '%', 'SSL; DROP TABLE t')


class _Replica:
    def __init__(self, seen_as, unix_socket=''):
        self.dsn = dsn_mod.DSN(user='admin', password='pw', host='10.1.1.9',
                               port=3306, unix_socket=unix_socket)
        self.seen_as = seen_as

    def execute_sql(self, sql, use_flush=False):
        assert sql == 'SELECT USER()'
        return guest_service.Result(['u'], [('admin@%s' % self.seen_as,)])


def _repl(option=None):
    return types.SimpleNamespace(options=types.SimpleNamespace(
        replication_account_host=option))


def test_account_host_from_elsewhere_is_refused_naming_the_option():
    with pytest.raises(exceptions.InvalidInput) as caught:
        attach.account_host(_repl(), object(), _Replica('10.9.9.9'))
    assert '--account-host' in str(caught.value)
    assert 'pw' not in str(caught.value)


def test_a_given_account_host_is_used_as_given():
    assert attach.account_host(_repl('10.0.0.%'), object(),
                               _Replica('10.9.9.9')) == '10.0.0.%'
    with pytest.raises(exceptions.InvalidInput, match='--account-host'):
        attach.account_host(_repl('a b'), object(), _Replica('10.9.9.9'))
