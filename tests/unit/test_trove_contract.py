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

"""Tests of Trove's dicts (trove_contract) and replication accounts.

Everything Trove hands the guest is checked before a server is contacted:
each bad value is InvalidInput naming the key, never a half-done attach.
"""

import pytest

from trove_gtid_strategy import accounts
from trove_gtid_strategy.capabilities import capabilities_for
from trove_gtid_strategy import exceptions
from trove_gtid_strategy.modes import base
from trove_gtid_strategy import trove_contract
from trove_gtid_strategy.versions import Flavor
from trove_gtid_strategy.versions import ServerVersion

MY55 = capabilities_for(ServerVersion(Flavor.MYSQL, 5, 5, 62))
MY97 = capabilities_for(ServerVersion(Flavor.MYSQL, 9, 7, 4))
MDB = capabilities_for(ServerVersion(Flavor.MARIADB, 10, 11, 6))


def info(**kw):
    master_info = {'master': {'host': '10.0.0.5', 'port': 3306},
                   'replica_conf': {'replication_user': {
                       'name': 'repl_x', 'password': 'secret'}}}
    master_info.update(kw)
    return master_info


# -- accounts -----------------------------------------------------------

@pytest.mark.parametrize('name', ["r'q\"b\\s;c", 'repl:user', 'a b', 'x'])
def test_printable_ascii_names_are_fine(name):
    assert accounts.check_user_name(name, MY97) == name


@pytest.mark.parametrize('name, words', [
    ('répl', "'é'"), ('用户', "'用'"), ('a\nb', "'\\n'"), ('a\0', "'\\x00'"),
    ('', 'is empty'),
])
def test_names_no_replication_connection_can_carry(name, words):
    with pytest.raises(exceptions.InvalidInput) as caught:
        accounts.check_user_name(name, MY97)
    assert words in str(caught.value)


def test_name_length_follows_the_server():
    accounts.check_user_name('a' * 16, MY55)
    with pytest.raises(exceptions.InvalidInput, match='allows 16'):
        accounts.check_user_name('a' * 17, MY55)
    accounts.check_user_name('a' * 32, MY97)
    accounts.check_user_name('a' * 80, MDB)
    with pytest.raises(exceptions.InvalidInput, match='allows 80'):
        accounts.check_user_name('a' * 81, MDB)


def test_account_name_is_stable_and_fits():
    first = accounts.account_name('repl_', 'replica-7', MY97)
    assert first == accounts.account_name('repl_', 'replica-7', MY97)
    assert first != accounts.account_name('repl_', 'replica-8', MY97)
    assert first.startswith('repl_') and len(first) == 21
    assert len(accounts.account_name('repl_', 'replica-7', MY55)) == 16
    assert accounts.account_name('repl_', None, MY97) != \
        accounts.account_name('repl_', None, MY97)
    with pytest.raises(exceptions.InvalidInput, match='shorten'):
        accounts.account_name('replication_', 'r', MY55)


def test_passwords():
    password = accounts.new_password()
    assert len(password) == 32 and password.isalnum()
    assert password != accounts.new_password()
    accounts.check_password('x' * 32, MY97)
    with pytest.raises(exceptions.InvalidInput) as caught:
        accounts.check_password('s3cret-' * 5, MY97)
    assert 'at most 32' in str(caught.value)
    assert 's3cret' not in str(caught.value)
    accounts.check_password('x' * 96, MDB)
    with pytest.raises(exceptions.InvalidInput, match='NUL'):
        accounts.check_password('a\0b', MDB)


# -- read_master_info ---------------------------------------------------

def test_reads_a_repoint():
    request = trove_contract.read_master_info(info(replica_conf={
        'replication_user': {'name': 'repl_x', 'password': 'p'},
        'log_position': {'log_file': 'mysql-bin.000002',
                         'log_position': 154, 'gtid_pos': '0-1-9'}}), MDB)
    assert request.source.host == '10.0.0.5'
    assert request.source.port == 3306
    assert not request.seeded and request.seed is None
    assert request.position.log_file == 'mysql-bin.000002'
    assert str(request.position.mariadb_pos) == '0-1-9'
    assert not request.tls.enabled


def test_reads_a_seeded_attach():
    request = trove_contract.read_master_info(info(dataset={
        'log_file': 'mysql-bin.000002', 'log_position': '154'}), MDB)
    assert request.seeded
    assert request.seed.log_pos == 154
    # A dataset without a start point: the caller reads the info file.
    request = trove_contract.read_master_info(
        info(dataset={'snapshot_id': 'x', 'dataset_size': 1}), MDB)
    assert request.seeded and request.seed is None


@pytest.mark.parametrize('master_info, words', [
    ('nope', 'master_info must be a dict'),
    (info(master=None), 'master_info master'),
    (info(master={'host': '', 'port': 3306}), 'master host'),
    (info(master={'host': 'a b', 'port': 3306}), 'blanks'),
    (info(master={'host': 'h', 'port': '3306; DROP'}), 'master port'),
    (info(master={'host': 'h', 'port': 0}), 'out of range'),
    (info(master={'host': 'h', 'port': 70000}), 'out of range'),
    (info(master={'host': 'h', 'port': True}), 'master port'),
    (info(master={'host': 'h', 'port': '\u0661'}), 'master port'),
    (info(replica_conf={}), 'replication_user'),
    (info(replica_conf={'replication_user': {'name': 'répl',
                                             'password': 'p'}}),
     "'é'"),
    (info(replica_conf={'replication_user': {'name': 'r',
                                             'password': 'p' * 40}}),
     'at most 32'),
    (info(dataset='x'), 'dataset'),
    (info(dataset={'log_file': 'x.000001', 'log_position': '1_000'}),
     'not a number of ASCII digits'),
    (info(replica_conf={'replication_user': {'name': 'r', 'password': 'p'},
                        'log_position': 'x'}), 'log_position'),
    (info(ssl_mode='bogus', cert_container='c'), 'ssl_mode'),
])
def test_bad_input_names_the_key(master_info, words):
    with pytest.raises(exceptions.InvalidInput) as caught:
        trove_contract.read_master_info(master_info, MY97)
    assert words in str(caught.value)


@pytest.mark.parametrize('ssl_mode, enabled, verify', [
    ('disabled', False, False), ('required', True, False),
    ('VERIFY_CA', True, True), ('verify_identity', True, True),
])
def test_tls_from_trove(ssl_mode, enabled, verify):
    request = trove_contract.read_master_info(
        info(ssl_mode=ssl_mode, cert_container='c', ssl_ca='/ca.pem'), MDB)
    assert request.tls.enabled is enabled
    assert request.tls.verify_server_cert is verify
    # ssl_mode without a certificate container: TLS stays off, as Trove.
    assert not trove_contract.read_master_info(
        info(ssl_mode=ssl_mode), MDB).tls.enabled


def test_promotion_point_round_trips():
    point = base.PromotionPoint(9, 'old-bin.000003', 5000,
                                'mysql-bin.000007', 120, '0-1-20')
    position = trove_contract.position_dict('mysql-bin.000007', 900,
                                            promoted_from=point)
    context = trove_contract.replica_context(
        {'host': 'h', 'port': 3306}, position, {'name': 'r', 'password': 'p'})
    request = trove_contract.read_master_info(context, MDB)
    assert request.promoted_from == point
    assert request.position.log_pos == 900


def test_bad_promotion_point():
    bad = info(replica_conf={
        'replication_user': {'name': 'r', 'password': 'p'},
        'log_position': {'log_file': 'mysql-bin.000007', 'log_position': 4,
                         'promoted_from': {'old_log_file': 'a.000001',
                                           'old_log_pos': 4,
                                           'log_file': 'b.000001',
                                           'log_pos': 4,
                                           'old_source_server_id': -1}}})
    with pytest.raises(exceptions.InvalidInput, match='server_id'):
        trove_contract.read_master_info(bad, MDB)


@pytest.mark.parametrize('text', ['mysql://u:secret@h:bad',
                                  'mysql://u:se@cr:et@h:1/x',
                                  'http://u:secret@h', 'mysql://u:sec/ret@'])
def test_dsn_errors_never_quote_the_password(text):
    from trove_gtid_strategy import dsn
    with pytest.raises(exceptions.InvalidDSN) as caught:
        dsn.parse_dsn(text)
    for piece in ('secret', 'se@cr', 'cr:et', 'sec/ret'):
        assert piece not in str(caught.value)


@pytest.mark.parametrize('text, named', [
    ('mysql://u:pw@h:0', 'from 1 to 65535'),
    ('mysql://u:%FFx@h', "password's percent-escapes are not UTF-8"),
    ('mysql://%FF:pw@h', "user's percent-escapes are not UTF-8"),
    ('mysql://u:pw@h#frag', 'unexpected #'),
    ('mysql://u:p#w@h', 'percent-encode / @ : ? #'),
])
def test_dsn_refuses_what_would_change_silently(text, named):
    from trove_gtid_strategy import dsn
    with pytest.raises(exceptions.InvalidDSN) as caught:
        dsn.parse_dsn(text)
    assert named in str(caught.value)
    assert 'pw' not in str(caught.value)


def test_a_dsn_repr_never_holds_the_password():
    from trove_gtid_strategy import dsn
    parsed = dsn.parse_dsn('mysql://u:s%C3%A9cret@h:3306')
    assert parsed.password == 'sécret'
    assert 'cret' not in repr(parsed)
    assert parsed == dsn.parse_dsn('mysql://u:s%C3%A9cret@h:3306')
    assert parsed != dsn.parse_dsn('mysql://u:other@h:3306')
