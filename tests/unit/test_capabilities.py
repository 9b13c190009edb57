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

"""Tests of trove_gtid_strategy.capabilities and modes.

Each version row lists every Capabilities field, built from the previous
series' row plus what changed, so a wrong threshold shows up as one field
of one version. Each threshold is also tested on both of its sides.
"""

import dataclasses

import pytest

from trove_gtid_strategy.capabilities import capabilities_for
from trove_gtid_strategy import exceptions
from trove_gtid_strategy.modes import choose_mode
from trove_gtid_strategy.modes import Mode
from trove_gtid_strategy.modes import ModeChoice
from trove_gtid_strategy.versions import Flavor
from trove_gtid_strategy.versions import parse_label
from trove_gtid_strategy.versions import parse_server_version
from trove_gtid_strategy.versions import ServerVersion

MYSQL = Flavor.MYSQL
PERCONA = Flavor.PERCONA
MARIADB = Flavor.MARIADB


def version(flavor, text):
    return ServerVersion(flavor, *(int(n) for n in text.split('.')))


def fields(caps):
    """Every field but ``version``."""
    data = dataclasses.asdict(caps)
    del data['version']
    return data


MYSQL_55 = {
    'gtid_style': None,
    'tagged_gtids': False,
    'gtid_purged_append': False,
    'change_source': 'CHANGE MASTER TO',
    'option_prefix': 'MASTER_',
    'replica_word': 'SLAVE',
    'show_replica_status': 'SHOW SLAVE STATUS',
    'show_source_status': 'SHOW MASTER STATUS',
    'reset_binary_logs': 'RESET MASTER',
    'gtid_wait_function': None,
    'position_wait_function': 'MASTER_POS_WAIT',
    'log_replica_updates_option': 'log_slave_updates',
    'relay_log_info_repository': False,
    'public_key_option': None,
    'enforce_gtid_consistency': False,
    'binlog_expiry_option': 'expire_logs_days',
    'replication_privileges': ('REPLICATION SLAVE', 'REPLICATION CLIENT'),
    'skip_counter_variable': 'sql_slave_skip_counter',
    'drop_user_if_exists': False,
    'max_user_name_length': 16,
    'max_replication_password_length': 32,
    'password_hash_literal': True,
    'alter_user_require': False,
    'super_read_only': False,
    'read_only_bypass': ('SUPER',),
    'lockable_fence': False,
    'semi_sync_source': None,
    'semi_sync_replica': None,
    'semi_sync_plugins': (),
    'worker_error_table': False,
}
SEMI_OLD = {'semi_sync_source': 'rpl_semi_sync_master',
            'semi_sync_replica': 'rpl_semi_sync_slave',
            'semi_sync_plugins': (('rpl_semi_sync_master',
                                   'semisync_master.so'),
                                  ('rpl_semi_sync_slave',
                                   'semisync_slave.so'))}
MYSQL_56 = dict(MYSQL_55, gtid_style='mysql',
                gtid_wait_function='WAIT_UNTIL_SQL_THREAD_AFTER_GTIDS',
                relay_log_info_repository=True,
                enforce_gtid_consistency=True)
MYSQL_57 = dict(MYSQL_56, gtid_wait_function='WAIT_FOR_EXECUTED_GTID_SET',
                drop_user_if_exists=True, max_user_name_length=32,
                password_hash_literal=False, alter_user_require=True,
                super_read_only=True, worker_error_table=True,
                read_only_bypass=(), **SEMI_OLD)
MYSQL_8022 = dict(MYSQL_57, gtid_purged_append=True,
                  replica_word='REPLICA',
                  show_replica_status='SHOW REPLICA STATUS',
                  public_key_option='GET_MASTER_PUBLIC_KEY',
                  binlog_expiry_option='binlog_expire_logs_seconds')
MYSQL_8023 = dict(MYSQL_8022, change_source='CHANGE REPLICATION SOURCE TO',
                  option_prefix='SOURCE_',
                  public_key_option='GET_SOURCE_PUBLIC_KEY')
MYSQL_8026 = dict(MYSQL_8023, position_wait_function='SOURCE_POS_WAIT',
                  semi_sync_source='rpl_semi_sync_source',
                  semi_sync_replica='rpl_semi_sync_replica',
                  semi_sync_plugins=(('rpl_semi_sync_source',
                                      'semisync_source.so'),
                                     ('rpl_semi_sync_replica',
                                      'semisync_replica.so')),
                  log_replica_updates_option='log_replica_updates',
                  skip_counter_variable='sql_replica_skip_counter')
MYSQL_82 = dict(MYSQL_8026, show_source_status='SHOW BINARY LOG STATUS',
                reset_binary_logs='RESET BINARY LOGS AND GTIDS')
MYSQL_83 = dict(MYSQL_82, tagged_gtids=True,
                relay_log_info_repository=False)

MARIADB_55 = dict(MYSQL_55)  # before GTIDs: the 5.5 words
MARIADB_55 = dict(MARIADB_55, max_replication_password_length=96)
MARIADB_100 = dict(MARIADB_55, max_user_name_length=80)
MARIADB_104 = dict(MARIADB_100, gtid_style='mariadb', drop_user_if_exists=True,
                   semi_sync_source='rpl_semi_sync_master',
                   semi_sync_replica='rpl_semi_sync_slave',
                   gtid_wait_function='MASTER_GTID_WAIT',
                   lockable_fence=True, alter_user_require=True)
MARIADB_1052 = dict(MARIADB_104, replica_word='REPLICA',
                    read_only_bypass=('SUPER', 'READ_ONLY ADMIN'),
                    show_replica_status='SHOW REPLICA STATUS',
                    replication_privileges=('REPLICATION SLAVE',
                                            'BINLOG MONITOR'))
MARIADB_1011 = dict(MARIADB_1052,
                    binlog_expiry_option='binlog_expire_logs_seconds',
                    read_only_bypass=('READ_ONLY ADMIN',))


@pytest.mark.parametrize('flavor, number, expected', [
    (MYSQL, '5.5.62', MYSQL_55),
    (MYSQL, '5.6.51', MYSQL_56),
    (MYSQL, '5.7.44', MYSQL_57),
    (MYSQL, '8.0.22', MYSQL_8022),
    (MYSQL, '8.0.23', MYSQL_8023),
    (MYSQL, '8.0.26', MYSQL_8026),
    (MYSQL, '8.0.36', MYSQL_8026),
    (MYSQL, '8.2.0', MYSQL_82),
    (MYSQL, '8.3.0', MYSQL_83),
    (MYSQL, '8.4.3', MYSQL_83),
    (MYSQL, '9.1.0', MYSQL_83),
    (PERCONA, '5.7.44', MYSQL_57),
    (PERCONA, '8.0.36', MYSQL_8026),
    (MARIADB, '5.5.68', MARIADB_55),
    (MARIADB, '10.0.1', MARIADB_100),
    (MARIADB, '10.4.32', MARIADB_104),
    (MARIADB, '10.5.2', MARIADB_1052),
    (MARIADB, '10.11.6', MARIADB_1011),
    (MARIADB, '11.4.2', MARIADB_1011),
])
def test_capabilities_table(flavor, number, expected):
    v = version(flavor, number)
    caps = capabilities_for(v)
    assert fields(caps) == expected
    assert caps.version == v
    assert caps.flavor is flavor
    assert caps.gtid is (expected['gtid_style'] is not None)


def test_capabilities_from_reported_versions():
    caps = capabilities_for(parse_server_version('5.7.44-48-log',
                                                 'Percona Server (GPL)'))
    assert caps.flavor is PERCONA
    assert caps.gtid_style == 'mysql'
    caps = capabilities_for(parse_server_version('5.5.5-10.11.6-MariaDB'))
    assert caps.gtid_style == 'mariadb'
    assert caps.change_source == 'CHANGE MASTER TO'


# -- every threshold, from both sides -----------------------------------

def _field(flavor, number, name):
    return getattr(capabilities_for(version(flavor, number)), name)


@pytest.mark.parametrize('flavor, below, at, name, before, after', [
    # GTIDs: MySQL 5.6.10 GA (5.6.9 still had the old option names).
    (MYSQL, '5.6.9', '5.6.10', 'gtid_style', None, 'mysql'),
    (MYSQL, '5.6.9', '5.6.10', 'enforce_gtid_consistency', False, True),
    (MYSQL, '5.6.1', '5.6.2', 'relay_log_info_repository', False, True),
    (MYSQL, '5.7.4', '5.7.5', 'gtid_wait_function',
     'WAIT_UNTIL_SQL_THREAD_AFTER_GTIDS', 'WAIT_FOR_EXECUTED_GTID_SET'),
    (MYSQL, '8.0.0', '8.0.1', 'binlog_expiry_option', 'expire_logs_days',
     'binlog_expire_logs_seconds'),
    (MYSQL, '8.0.2', '8.0.3', 'gtid_purged_append', False, True),
    (MYSQL, '8.0.3', '8.0.4', 'public_key_option', None,
     'GET_MASTER_PUBLIC_KEY'),
    (MYSQL, '8.0.21', '8.0.22', 'replica_word', 'SLAVE', 'REPLICA'),
    (MYSQL, '8.0.21', '8.0.22', 'show_replica_status', 'SHOW SLAVE STATUS',
     'SHOW REPLICA STATUS'),
    (MYSQL, '8.0.22', '8.0.23', 'change_source', 'CHANGE MASTER TO',
     'CHANGE REPLICATION SOURCE TO'),
    (MYSQL, '8.0.22', '8.0.23', 'option_prefix', 'MASTER_', 'SOURCE_'),
    (MYSQL, '8.0.22', '8.0.23', 'public_key_option',
     'GET_MASTER_PUBLIC_KEY', 'GET_SOURCE_PUBLIC_KEY'),
    (MYSQL, '8.0.25', '8.0.26', 'position_wait_function', 'MASTER_POS_WAIT',
     'SOURCE_POS_WAIT'),
    (MYSQL, '8.0.25', '8.0.26', 'log_replica_updates_option',
     'log_slave_updates', 'log_replica_updates'),
    (MYSQL, '8.0.25', '8.0.26', 'skip_counter_variable',
     'sql_slave_skip_counter', 'sql_replica_skip_counter'),
    (MYSQL, '8.1.0', '8.2.0', 'show_source_status', 'SHOW MASTER STATUS',
     'SHOW BINARY LOG STATUS'),
    (MYSQL, '8.1.0', '8.2.0', 'reset_binary_logs', 'RESET MASTER',
     'RESET BINARY LOGS AND GTIDS'),
    (MYSQL, '8.2.0', '8.3.0', 'tagged_gtids', False, True),
    (MYSQL, '8.2.0', '8.3.0', 'relay_log_info_repository', True, False),
    (MARIADB, '10.0.9', '10.0.10', 'gtid_style', None, 'mariadb'),
    (MARIADB, '10.0.9', '10.0.10', 'gtid_wait_function', None,
     'MASTER_GTID_WAIT'),
    (MARIADB, '10.5.0', '10.5.1', 'replica_word', 'SLAVE', 'REPLICA'),
    (MARIADB, '10.5.1', '10.5.2', 'replication_privileges',
     ('REPLICATION SLAVE', 'REPLICATION CLIENT'),
     ('REPLICATION SLAVE', 'BINLOG MONITOR')),
    (MARIADB, '10.6.0', '10.6.1', 'binlog_expiry_option', 'expire_logs_days',
     'binlog_expire_logs_seconds'),
    (MYSQL, '5.7.7', '5.7.8', 'read_only_bypass', ('SUPER',), ()),
    (MYSQL, '5.7.1', '5.7.2', 'worker_error_table', False, True),
    (MARIADB, '10.4.1', '10.4.2', 'lockable_fence', False, True),
    (MYSQL, '5.7.5', '5.7.6', 'alter_user_require', False, True),
    (MARIADB, '10.1.48', '10.2.0', 'alter_user_require', False, True),
    (MARIADB, '10.5.1', '10.5.2', 'read_only_bypass', ('SUPER',),
     ('SUPER', 'READ_ONLY ADMIN')),
    (MARIADB, '10.10.7', '10.11.0', 'read_only_bypass',
     ('SUPER', 'READ_ONLY ADMIN'), ('READ_ONLY ADMIN',)),
])
def test_threshold(flavor, below, at, name, before, after):
    assert _field(flavor, below, name) == before
    assert _field(flavor, at, name) == after


def test_mariadb_never_uses_mysql_words():
    for number in ('10.4.32', '10.11.6', '11.4.2', '99.0.0'):
        caps = capabilities_for(version(MARIADB, number))
        assert caps.change_source == 'CHANGE MASTER TO'
        assert caps.option_prefix == 'MASTER_'
        assert caps.show_source_status == 'SHOW MASTER STATUS'
        assert caps.reset_binary_logs == 'RESET MASTER'
        assert not caps.relay_log_info_repository
        assert not caps.tagged_gtids


@pytest.mark.parametrize('label, datastore, gtid_style', [
    # A label without a patch level names the whole series.
    ('5.5', 'mysql', None),
    ('mysql-5.5', None, None),
    ('5.6', 'mysql', 'mysql'),
    ('5.6.9', 'mysql', None),
    ('10.0', 'mariadb', 'mariadb'),
    ('10.0.9', 'mariadb', None),
])
def test_gtid_from_labels(label, datastore, gtid_style):
    caps = capabilities_for(parse_label(label, datastore))
    assert caps.gtid_style == gtid_style


# -- modes.choose_mode --------------------------------------------------

def caps_of(flavor, number):
    return capabilities_for(version(flavor, number))


@pytest.mark.parametrize('requested, flavor, number, mode', [
    ('auto', MYSQL, '5.5.62', Mode.BINLOG),
    ('binlog', MYSQL, '5.5.62', Mode.BINLOG),
    ('auto', MYSQL, '5.6.51', Mode.MYSQL_GTID),
    ('gtid', MYSQL, '5.6.51', Mode.MYSQL_GTID),
    ('binlog', MYSQL, '5.6.51', Mode.BINLOG),
    ('auto', MYSQL, '5.7.44', Mode.MYSQL_GTID),
    ('gtid', MYSQL, '5.7.44', Mode.MYSQL_GTID),
    ('binlog', MYSQL, '5.7.44', Mode.BINLOG),
    ('auto', PERCONA, '5.7.44', Mode.MYSQL_GTID),
    ('auto', MYSQL, '8.4.3', Mode.MYSQL_GTID),
    ('auto', MARIADB, '10.11.6', Mode.MARIADB_GTID),
    ('gtid', MARIADB, '10.11.6', Mode.MARIADB_GTID),
    ('binlog', MARIADB, '10.11.6', Mode.BINLOG),
    ('auto', MARIADB, '10.0.1', Mode.BINLOG),
])
def test_choose_mode(requested, flavor, number, mode):
    choice = choose_mode(requested, caps_of(flavor, number))
    assert isinstance(choice, ModeChoice)
    assert choice.mode is mode
    assert choice.mode.uses_gtid is (mode is not Mode.BINLOG)


def test_choose_mode_reasons():
    assert choose_mode('auto', caps_of(MYSQL, '5.5.62')).reason == (
        'mysql 5.5.62 has no GTIDs, so auto uses binlog-position '
        'replication')
    assert choose_mode('auto', caps_of(MYSQL, '5.7.44')).reason == (
        'mysql 5.7.44 supports MySQL GTIDs, so auto uses them')
    assert choose_mode('auto', caps_of(MARIADB, '10.11.6')).reason == (
        'mariadb 10.11.6 supports MariaDB GTIDs, so auto uses them')
    assert choose_mode('gtid', caps_of(MYSQL, '8.4.3')).reason == (
        'GTID replication was requested and mysql 8.4.3 supports it')
    assert choose_mode('binlog', caps_of(MYSQL, '8.4.3')).reason == (
        'binlog-position replication was requested (works on mysql 8.4.3)')


def test_gtid_on_5_5_is_refused_with_why_and_what_to_do():
    with pytest.raises(exceptions.UnsupportedMode) as info:
        choose_mode('gtid', caps_of(MYSQL, '5.5.62'))
    message = str(info.value)
    # Why (no GTIDs before MySQL 5.6.x) and what to do.
    assert message.startswith(
        'GTID replication was requested but mysql 5.5.62 has no GTIDs '
        '(they start with MySQL 5.6')
    assert message.endswith(
        '): set replication_mode = binlog (or auto) or upgrade the server')
    # Not an input error: the request is well formed, the server is old.
    assert not isinstance(info.value, ValueError)


def test_gtid_on_5_5_label_is_refused():
    # Seed 000: 'mysql-5.5' must never lead to GTIDs.
    caps = capabilities_for(parse_label('mysql-5.5'))
    assert choose_mode('auto', caps).mode is Mode.BINLOG
    with pytest.raises(exceptions.UnsupportedMode, match='mysql 5.5.0'):
        choose_mode('gtid', caps)


def test_5_6_label_gets_gtids():
    caps = capabilities_for(parse_label('5.6', 'mysql'))
    assert choose_mode('auto', caps).mode is Mode.MYSQL_GTID
    assert choose_mode('gtid', caps).mode is Mode.MYSQL_GTID


def test_gtid_on_old_mariadb_is_refused():
    with pytest.raises(exceptions.UnsupportedMode) as info:
        choose_mode('gtid', caps_of(MARIADB, '5.5.68'))
    assert 'mariadb 5.5.68 has no GTIDs' in str(info.value)
    assert 'MariaDB 10.0' in str(info.value)
    assert 'replication_mode = binlog' in str(info.value)


@pytest.mark.parametrize('flavor, number, first', [
    (MYSQL, '5.6.9', 'MySQL 5.6.10'),
    (MARIADB, '10.0.5', 'MariaDB 10.0.10'),
])
def test_refusal_names_the_first_gtid_release(flavor, number, first):
    with pytest.raises(exceptions.UnsupportedMode) as info:
        choose_mode('gtid', caps_of(flavor, number))
    assert '(they start with %s)' % first in str(info.value)


@pytest.mark.parametrize('requested', [
    'GTID', 'Auto', 'mariadb_gtid', 'position', '', None, 1])
def test_unknown_request_is_invalid_input(requested):
    with pytest.raises(exceptions.InvalidInput) as info:
        choose_mode(requested, caps_of(MYSQL, '8.0.36'))
    assert repr(requested) in str(info.value)
    assert 'auto, binlog, gtid' in str(info.value)
    assert isinstance(info.value, ValueError)


def test_mode_strings():
    assert str(Mode.MYSQL_GTID) == 'mysql_gtid'
    assert str(Mode.MARIADB_GTID) == 'mariadb_gtid'
    assert '%s' % Mode.BINLOG == 'binlog'
