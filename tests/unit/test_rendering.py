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

"""Tests of trove_gtid_strategy.rendering: server ids and my.cnf settings.

Rendered configs are read back with parse_config and checked setting by
setting; every one of them must pass check_config, and check_config must
flag the settings a version cannot start with (Trove's own GTID template
on MySQL 5.5 being the seed 000 case).
"""

import os
import subprocess
import sys

import pytest

from trove_gtid_strategy.capabilities import capabilities_for
from trove_gtid_strategy.dialect import Dialect
from trove_gtid_strategy import exceptions
from trove_gtid_strategy.modes import choose_mode
from trove_gtid_strategy.modes import load_driver
from trove_gtid_strategy.modes import Mode
from trove_gtid_strategy import rendering
from trove_gtid_strategy.rendering import check_config
from trove_gtid_strategy.rendering import ConfigRenderer
from trove_gtid_strategy.rendering import missing_settings
from trove_gtid_strategy.rendering import parse_config
from trove_gtid_strategy.rendering import stable_server_id
from trove_gtid_strategy.versions import Flavor
from trove_gtid_strategy.versions import parse_label
from trove_gtid_strategy.versions import ServerVersion

INSTANCE = '7f6b2c3e-51a4-4b0e-9a61-0c1d2e3f4a5b'

# What Trove's mysql replica template renders for a GTID datastore.
TROVE_GTID_REPLICA = """\
[mysqld]
log_bin = /var/lib/mysql/data/mysql-bin.log
binlog_format = MIXED
relay_log = /var/lib/mysql/data/mysql-relay-bin.log
relay_log_info_repository = TABLE
relay_log_recovery = 1
relay_log_purge = 1
log_slave_updates = ON
enforce_gtid_consistency = ON
gtid_mode = ON
read_only = true
"""


def caps(flavor, text):
    v = ServerVersion(flavor, *(int(n) for n in text.split('.')))
    return capabilities_for(v)


MY55 = caps(Flavor.MYSQL, '5.5.62')
MY56 = caps(Flavor.MYSQL, '5.6.51')
MY57 = caps(Flavor.MYSQL, '5.7.44')
MY80 = caps(Flavor.MYSQL, '8.0.36')
MY82 = caps(Flavor.MYSQL, '8.2.0')
MY84 = caps(Flavor.MYSQL, '8.4.3')
PC57 = caps(Flavor.PERCONA, '5.7.44')
MDB = caps(Flavor.MARIADB, '10.11.6')


# -- stable_server_id ---------------------------------------------------

def _server_id_in_subprocess(instance_id, hash_seed):
    env = dict(os.environ, PYTHONHASHSEED=str(hash_seed))
    out = subprocess.run(
        [sys.executable, '-c',
         'import sys\n'
         'from trove_gtid_strategy.rendering import stable_server_id\n'
         'print(stable_server_id(sys.argv[1]))\n', instance_id],
        env=env, capture_output=True, text=True, check=True)
    return int(out.stdout)


def test_server_id_is_the_same_in_every_process():
    here = stable_server_id(INSTANCE)
    # Different hash seeds: Trove's hash()-based id changed with them.
    assert _server_id_in_subprocess(INSTANCE, 1) == here
    assert _server_id_in_subprocess(INSTANCE, 4242) == here


def test_server_id_is_pinned():
    # A change of algorithm would renumber every existing replica.
    assert stable_server_id(INSTANCE) == 3876478772
    assert stable_server_id('') == 3820012611


def test_server_id_range_and_spread():
    ids = [stable_server_id('instance-%d' % n) for n in range(2000)]
    assert all(1 <= i <= 2 ** 32 - 1 for i in ids)
    assert len(set(ids)) == len(ids)
    assert stable_server_id('a') != stable_server_id('b')
    # Not just small numbers: the whole range is used.
    assert max(ids) > 2 ** 31
    assert min(ids) < 2 ** 31


def test_server_id_accepts_non_strings():
    assert stable_server_id(12345) == stable_server_id('12345')


# -- render -------------------------------------------------------------

def render(c, mode, role, server_id=7, **kw):
    return ConfigRenderer(**kw).render(role, c, mode, server_id=server_id)


COMMON = {
    'server_id': '7',
    'log_bin': 'mysql-bin',
    'binlog_format': 'ROW',
    'sync_binlog': '1',
    'innodb_flush_log_at_trx_commit': '1',
    'relay_log': 'mysql-relay-bin',
    'relay_log_recovery': 'ON',
}
TABLE_REPOSITORIES = {'relay_log_info_repository': 'TABLE',
                      'master_info_repository': 'TABLE'}
MYSQL_GTID = {'gtid_mode': 'ON', 'enforce_gtid_consistency': 'ON'}
SLAVE_UPDATES = {'log_slave_updates': 'ON'}
REPLICA_UPDATES = {'log_replica_updates': 'ON'}


@pytest.mark.parametrize('c, mode, expected', [
    (MY55, Mode.BINLOG, dict(COMMON, **SLAVE_UPDATES)),
    (MY56, Mode.BINLOG, dict(COMMON, **SLAVE_UPDATES, **TABLE_REPOSITORIES)),
    (MY56, Mode.MYSQL_GTID, dict(COMMON, **SLAVE_UPDATES,
                                 **TABLE_REPOSITORIES, **MYSQL_GTID)),
    (MY57, Mode.MYSQL_GTID, dict(COMMON, **SLAVE_UPDATES,
                                 **TABLE_REPOSITORIES, **MYSQL_GTID)),
    (PC57, Mode.MYSQL_GTID, dict(COMMON, **SLAVE_UPDATES,
                                 **TABLE_REPOSITORIES, **MYSQL_GTID)),
    (MY80, Mode.MYSQL_GTID, dict(COMMON, **REPLICA_UPDATES,
                                 **TABLE_REPOSITORIES, **MYSQL_GTID)),
    (MY84, Mode.MYSQL_GTID, dict(COMMON, **REPLICA_UPDATES, **MYSQL_GTID)),
    (MY84, Mode.BINLOG, dict(COMMON, **REPLICA_UPDATES)),
    (MDB, Mode.MARIADB_GTID, dict(COMMON, **SLAVE_UPDATES,
                                  gtid_strict_mode='ON')),
    (MDB, Mode.BINLOG, dict(COMMON, **SLAVE_UPDATES)),
])
@pytest.mark.parametrize('role', ['replica_source', 'replica'])
def test_render(c, mode, expected, role):
    rendered = render(c, mode, role)
    wanted = dict(expected)
    if role == 'replica':
        wanted['read_only'] = 'ON'
        if c.super_read_only:
            wanted['super_read_only'] = 'ON'
    assert parse_config(rendered.text) == wanted
    assert rendered.role == role
    assert rendered.template == '%s.cnf.j2' % mode
    assert rendered.text.endswith('\n') and not rendered.text.endswith('\n\n')
    assert rendered.text.startswith(
        '# Written by trove_gtid_strategy for %s (%s, %s).\n[mysqld]\n'
        % (c.version, mode, role))
    assert check_config(rendered.text, c) == []
    assert missing(parse_config(rendered.text), mode, role, c,
                   from_file=True) == []


def test_render_server_id_and_binlog_format():
    rendered = ConfigRenderer().render('replica_source', MY57, Mode.MYSQL_GTID,
                                       server_id=4000000000,
                                       binlog_format='MIXED')
    options = parse_config(rendered.text)
    assert options['server_id'] == '4000000000'
    assert options['binlog_format'] == 'MIXED'


@pytest.mark.parametrize('label', ['mysql-5.5', '5.5', 'MySQL 5.5'])
@pytest.mark.parametrize('role', ['replica_source', 'replica'])
def test_mysql_5_5_label_never_yields_gtid_settings(label, role):
    # Seed 000: Trove read 'mysql-5.5' as 0.0.0 and rendered a GTID
    # template for a 5.5 server, which then did not start.
    c = capabilities_for(parse_label(label, 'mysql'))
    choice = choose_mode('auto', c)
    assert choice.mode is Mode.BINLOG
    options = parse_config(render(c, choice.mode, role).text)
    for name in ('gtid_mode', 'enforce_gtid_consistency',
                 'relay_log_info_repository', 'master_info_repository',
                 'gtid_strict_mode', 'log_replica_updates'):
        assert name not in options
    with pytest.raises(exceptions.ConfigError, match='gtid_mode'):
        render(c, Mode.MYSQL_GTID, role)


def test_unknown_role():
    with pytest.raises(exceptions.ConfigError) as info:
        render(MY57, Mode.MYSQL_GTID, 'primary')
    assert str(info.value) == ("unknown config role 'primary' (expected "
                               "replica_source or replica)")


def test_template_candidates():
    assert rendering.template_candidates(PC57, Mode.MYSQL_GTID, 'replica') == [
        'percona/5.7/mysql_gtid/replica.cnf.j2',
        'percona/5/mysql_gtid/replica.cnf.j2',
        'percona/mysql_gtid/replica.cnf.j2',
        'mysql/5.7/mysql_gtid/replica.cnf.j2',
        'mysql/5/mysql_gtid/replica.cnf.j2',
        'mysql/mysql_gtid/replica.cnf.j2',
        'mysql_gtid/replica.cnf.j2',
        'mysql_gtid.cnf.j2',
    ]
    assert rendering.template_candidates(
        MDB, Mode.MARIADB_GTID, 'replica_source') == [
        'mariadb/10.11/mariadb_gtid/replica_source.cnf.j2',
        'mariadb/10/mariadb_gtid/replica_source.cnf.j2',
        'mariadb/mariadb_gtid/replica_source.cnf.j2',
        'mariadb_gtid/replica_source.cnf.j2',
        'mariadb_gtid.cnf.j2',
    ]


# -- template overrides -------------------------------------------------

def _write(root, name, text):
    path = root.joinpath(*name.split('/'))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_override_wins_over_packaged_template(tmp_path):
    _write(tmp_path, 'mysql/5.7/mysql_gtid/replica.cnf.j2',
           '{% extends "mysql_gtid.cnf.j2" %}\n'
           '{% block mode_settings %}{{ super() }}\n'
           'slave_parallel_workers = 4\n{% endblock %}\n')
    renderer = ConfigRenderer(template_dir=str(tmp_path))
    rendered = renderer.render('replica', MY57, Mode.MYSQL_GTID, server_id=9)
    assert rendered.template == 'mysql/5.7/mysql_gtid/replica.cnf.j2'
    options = parse_config(rendered.text)
    assert options['slave_parallel_workers'] == '4'
    assert options['gtid_mode'] == 'ON'
    assert options['read_only'] == 'ON'
    # Other roles, versions and flavors still use the packaged ones.
    assert renderer.render('replica_source', MY57, Mode.MYSQL_GTID,
                           server_id=9).template == 'mysql_gtid.cnf.j2'
    assert renderer.render('replica', MY80, Mode.MYSQL_GTID,
                           server_id=9).template == 'mysql_gtid.cnf.j2'


def test_percona_falls_back_to_mysql_override(tmp_path):
    _write(tmp_path, 'mysql/5.7/mysql_gtid/replica.cnf.j2',
           '[mysqld]\nserver_id = {{ server_id }}\nlog_bin = b\n')
    rendered = ConfigRenderer(str(tmp_path)).render(
        'replica', PC57, Mode.MYSQL_GTID, server_id=3)
    assert rendered.template == 'mysql/5.7/mysql_gtid/replica.cnf.j2'
    assert rendered.text == '[mysqld]\nserver_id = 3\nlog_bin = b\n'


def test_override_with_gtid_mode_on_5_5_is_refused(tmp_path):
    _write(tmp_path, 'mysql/5.5/binlog/replica_source.cnf.j2',
           '[mysqld]\nserver_id = {{ server_id }}\nlog_bin = mysql-bin\n'
           'gtid_mode = ON\nenforce_gtid_consistency = ON\n')
    renderer = ConfigRenderer(template_dir=str(tmp_path))
    with pytest.raises(exceptions.ConfigError) as info:
        renderer.render('replica_source', MY55, Mode.BINLOG, server_id=1)
    message = str(info.value)
    assert 'mysql/5.5/binlog/replica_source.cnf.j2' in message
    assert 'gtid_mode (mysql 5.5.62 has no MySQL GTIDs)' in message
    assert 'enforce_gtid_consistency' in message


def test_override_with_undefined_variable_is_a_config_error(tmp_path):
    _write(tmp_path, 'mysql/5.7/mysql_gtid/replica.cnf.j2',
           '[mysqld]\nserver_id = {{ no_such_variable }}\n')
    with pytest.raises(exceptions.ConfigError, match='no_such_variable'):
        ConfigRenderer(str(tmp_path)).render('replica', MY57,
                                             Mode.MYSQL_GTID, 1)


def test_template_dir_must_exist(tmp_path):
    missing = str(tmp_path / 'nope')
    with pytest.raises(exceptions.ConfigError, match='is not a directory'):
        ConfigRenderer(template_dir=missing)


def test_no_template_found(tmp_path, monkeypatch):
    monkeypatch.setattr(rendering, 'PACKAGED_TEMPLATES', str(tmp_path))
    with pytest.raises(exceptions.ConfigError) as info:
        ConfigRenderer().render('replica', MY57, Mode.MYSQL_GTID, 1)
    assert str(info.value).startswith(
        'no template for mysql 5.7.44 (mysql_gtid, replica); searched '
        'mysql/5.7/mysql_gtid/replica.cnf.j2, ')


# -- parse_config -------------------------------------------------------

def test_parse_config():
    text = """\
!includedir /etc/mysql/conf.d/
# a comment
[client]
port = 3307
[mysqld]
Log-Bin = /var/lib/mysql/mysql-bin   # trailing comment
server-id=12
gtid_mode = "ON"
skip_name_resolve
; also a comment
[mysqld_safe]
gtid_mode = OFF
[mariadb]
gtid_strict_mode = 'ON'
"""
    assert parse_config(text) == {
        'log_bin': '/var/lib/mysql/mysql-bin',
        'server_id': '12',
        'gtid_mode': 'ON',
        'skip_name_resolve': '',
        'gtid_strict_mode': 'ON',
    }
    assert parse_config('') == {}
    assert parse_config(None) == {}
    # Options before any section are not the server's.
    assert parse_config('gtid_mode = ON\n') == {}


# -- check_config -------------------------------------------------------

def test_trove_gtid_template_on_5_5():
    assert check_config(TROVE_GTID_REPLICA, MY55) == [
        'gtid_mode (mysql 5.5.62 has no MySQL GTIDs)',
        'enforce_gtid_consistency (mysql 5.5.62 has no MySQL GTIDs)',
        'relay_log_info_repository (not a variable of mysql 5.5.62)',
    ]


def test_trove_gtid_template_on_8_4():
    assert check_config(TROVE_GTID_REPLICA, MY84) == [
        'relay_log_info_repository (not a variable of mysql 8.4.3)',
    ]


@pytest.mark.parametrize('c', [MY56, MY57, MY80])
def test_trove_gtid_template_where_it_works(c):
    assert check_config(TROVE_GTID_REPLICA, c) == []


def test_trove_gtid_template_on_mariadb():
    assert check_config(TROVE_GTID_REPLICA, MDB) == [
        'gtid_mode (mariadb 10.11.6 has no MySQL GTIDs)',
        'enforce_gtid_consistency (mariadb 10.11.6 has no MySQL GTIDs)',
        'relay_log_info_repository (not a variable of mariadb 10.11.6)',
    ]


@pytest.mark.parametrize('c, problems', [
    (MY80, []),
    (MY82, ['expire_logs_days (removed in MySQL 8.2.0)']),
    (MY84, ['expire_logs_days (removed in MySQL 8.2.0)']),
])
def test_expire_logs_days(c, problems):
    assert check_config('[mysqld]\nexpire_logs_days = 7\n', c) == problems


@pytest.mark.parametrize('text, c, problem', [
    ('[mysqld]\nbinlog_expire_logs_seconds = 86400\n', MY57,
     'binlog_expire_logs_seconds (MySQL 8.0.1+ only)'),
    ('[mysqld]\nlog_replica_updates = ON\n', MY57,
     'log_replica_updates (MySQL 8.0.26+ only)'),
    ('[mysqld]\ngtid_strict_mode = ON\n', MY80,
     'gtid_strict_mode (mysql 8.0.36 has no MariaDB GTIDs)'),
    ('[mysqld]\nmaster-info-repository = TABLE\n', MY84,
     'master_info_repository (not a variable of mysql 8.4.3)'),
    ('[mysqld]\ngtid_mode = ON\n', MY57,
     'gtid_mode = ON needs enforce_gtid_consistency = ON'),
    ('[mysqld]\ngtid_mode = ON\nenforce_gtid_consistency = ON\n', MY56,
     'gtid_mode = ON on MySQL 5.6 needs log_bin and log_slave_updates'),
])
def test_check_config_problems(text, c, problem):
    assert check_config(text, c) == [problem]


def test_check_config_ignores_other_sections_and_loose_options():
    text = ('[mysqld_safe]\ngtid_mode = ON\n'
            '[mysqld]\nloose_gtid_mode = ON\n')
    assert check_config(text, MY55) == []


def test_check_config_5_7_gtid_without_binlog_is_fine():
    # 5.7.5+ keeps GTIDs in a table: no log_bin requirement.
    text = '[mysqld]\ngtid_mode = ON\nenforce_gtid_consistency = ON\n'
    assert check_config(text, MY57) == []


# -- missing_settings ---------------------------------------------------

def missing(settings, mode, role, caps, from_file=False):
    """What the mode's driver requires of ``role`` on ``caps`` and
    ``settings`` lack.
    """
    required = load_driver(mode).required_settings(role, caps)
    return missing_settings(settings, required, from_file=from_file)


LIVE_GTID_REPLICA = {'log_bin': 'ON', 'server_id': '7', 'gtid_mode': 'ON',
                     'enforce_gtid_consistency': 'ON', 'read_only': 'ON',
                     'super_read_only': 'ON', 'relay_log_recovery': 'ON',
                     'log_slave_updates': 'ON', 'log_replica_updates': 'ON'}
#: What every replica logs (both names: the server shows the one of its
#: version).
UPDATES = {'log_slave_updates': 'ON', 'log_replica_updates': 'ON'}


@pytest.mark.parametrize('settings, mode, role, caps, expected', [
    (LIVE_GTID_REPLICA, Mode.MYSQL_GTID, 'replica', MY80, []),
    (LIVE_GTID_REPLICA, Mode.MYSQL_GTID, 'replica_source', MY80, []),
    (dict(LIVE_GTID_REPLICA, read_only='OFF'), Mode.MYSQL_GTID, 'replica',
     MY80, ['read_only']),
    # read_only does not stop administrators: super_read_only does.
    (dict(LIVE_GTID_REPLICA, super_read_only='OFF'), Mode.MYSQL_GTID,
     'replica', MY80, ['super_read_only']),
    (dict(LIVE_GTID_REPLICA, read_only='OFF'), Mode.MYSQL_GTID,
     'replica_source', MY80, []),
    (dict(LIVE_GTID_REPLICA, gtid_mode='ON_PERMISSIVE',
          enforce_gtid_consistency='WARN'), Mode.MYSQL_GTID,
     'replica_source', MY80, ['gtid_mode', 'enforce_gtid_consistency']),
    ({'log_bin': 'OFF', 'server_id': '0'}, Mode.BINLOG, 'replica_source',
     MY55, ['log_bin', 'server_id']),
    # MySQL 5.5 has no GTID variables: nothing GTID is asked of it.
    ({'log_bin': 'ON', 'server_id': '1'}, Mode.BINLOG, 'replica_source',
     MY55, []),
    ({}, Mode.MYSQL_GTID, 'replica', MY80,
     ['log_bin', 'server_id', 'log_replica_updates', 'read_only',
      'super_read_only', 'relay_log_recovery', 'gtid_mode',
      'enforce_gtid_consistency']),
    # A replica that does not log what it applies cannot serve the others
    # once promoted: a restart for it.
    (dict(LIVE_GTID_REPLICA, log_replica_updates='OFF'), Mode.MYSQL_GTID,
     'replica', MY80, ['log_replica_updates']),
    ({'log_bin': 'ON', 'server_id': '3', 'read_only': 'ON',
      'log_slave_updates': 'OFF'}, Mode.MARIADB_GTID, 'replica', MDB,
     ['log_slave_updates']),
    # MySQL GTID replicas recover their relay log too (seed 003).
    (dict(LIVE_GTID_REPLICA, relay_log_recovery='OFF'), Mode.MYSQL_GTID,
     'replica', MY84, ['relay_log_recovery']),
    (dict(UPDATES, log_bin='ON', server_id='3', read_only='ON'),
     Mode.MARIADB_GTID, 'replica', MDB, []),
    ({'log_bin': '', 'server_id': ''}, Mode.BINLOG, 'replica_source', MDB,
     ['log_bin', 'server_id']),
    # Binlog-position replicas on MySQL are crash-safe only with the
    # applier position in a table and relay log recovery.
    (dict(UPDATES, log_bin='ON', server_id='3', read_only='ON',
          super_read_only='ON'), Mode.BINLOG,
     'replica', MY57, ['relay_log_recovery', 'relay_log_info_repository']),
    (dict(UPDATES, log_bin='ON', server_id='3', read_only='ON',
          super_read_only='ON', relay_log_recovery='ON',
          relay_log_info_repository='FILE'),
     Mode.BINLOG, 'replica', MY57, ['relay_log_info_repository']),
    (dict(UPDATES, log_bin='ON', server_id='3', read_only='ON',
          super_read_only='ON', relay_log_recovery='ON'), Mode.BINLOG,
     'replica', MY84, []),
    # MySQL 5.6 has no super_read_only: nothing is asked of it.
    (dict(UPDATES, log_bin='ON', server_id='3', read_only='ON',
          relay_log_recovery='ON', relay_log_info_repository='TABLE'),
     Mode.BINLOG, 'replica', MY56, []),
])
def test_missing_live_settings(settings, mode, role, caps, expected):
    assert missing(settings, mode, role, caps) == expected


@pytest.mark.parametrize('text, mode, role, expected', [
    # Trove's template lacks super_read_only, which apply sets live (so
    # usable_config still takes it: test_server_config).
    (TROVE_GTID_REPLICA, Mode.MYSQL_GTID, 'replica', ['super_read_only']),
    # A bare log_bin or a path switches the binary log on.
    ('[mysqld]\nlog_bin\n', Mode.BINLOG, 'replica_source', []),
    ('[mysqld]\nlog-bin = /data/binlog\n', Mode.BINLOG, 'replica_source',
     []),
    ('[mysqld]\nlog_bin = OFF\n', Mode.BINLOG, 'replica_source',
     ['log_bin']),
    ('[mysqld]\nlog_bin = b\ngtid_mode = OFF\n', Mode.MYSQL_GTID,
     'replica_source', ['gtid_mode', 'enforce_gtid_consistency']),
    ('[mysqld]\nlog_bin = b\nread_only = 0\n', Mode.BINLOG, 'replica',
     ['log_slave_updates', 'read_only']),
    ('[mysqld]\nlog_bin = b\nlog_slave_updates = ON\n', Mode.BINLOG,
     'replica', ['read_only']),
    # On MySQL 8.0.26+ the older name does as well (Trove's templates).
    ('[mysqld]\nlog_bin = b\nlog_slave_updates = ON\nread_only = ON\n'
     'gtid_mode = ON\nenforce_gtid_consistency = ON\n'
     'super_read_only = ON\nrelay_log_recovery = ON\n', Mode.MYSQL_GTID,
     'replica', []),
    ('[mysqld]\nserver_id = 5\n', Mode.BINLOG, 'replica_source',
     ['log_bin']),
])
def test_missing_settings_in_file(text, mode, role, expected):
    # server_id may come from another file, so it is never asked for.
    caps = MY80 if mode is Mode.MYSQL_GTID else MDB
    assert missing(parse_config(text), mode, role, caps,
                   from_file=True) == expected


@pytest.mark.parametrize('gtid_mode, enforce', [
    ('OFF_PERMISSIVE', 'ON'),
    ('ON_PERMISSIVE', 'ON'),
    ('ON', 'WARN'),
])
def test_permissive_gtid_mode_in_file_is_missing(gtid_mode, enforce):
    text = ('[mysqld]\nlog_bin = b\ngtid_mode = %s\n'
            'enforce_gtid_consistency = %s\n' % (gtid_mode, enforce))
    assert missing(parse_config(text), Mode.MYSQL_GTID, 'replica_source',
                   MY80, from_file=True) != []


def test_a_template_lacking_only_live_settings_is_used():
    """Trove's MySQL replica template has no super_read_only: the server
    gets it live, and the operator's template is kept; one lacking what
    only a restart gives is replaced by ours.
    """
    from trove_gtid_strategy.guest import server_config
    from trove_gtid_strategy import replication
    from trove_gtid_strategy.state import ServerState
    from trove_gtid_strategy import strategy

    class Service:
        instance_id = 'replica-1'

        def get_port(self):
            return 3306

    attempt = replication.Attempt(
        ServerState(version=MY80.version, server_id=7), MY80,
        Mode.MYSQL_GTID, 'test', load_driver(Mode.MYSQL_GTID))
    config = server_config.ServerConfig(strategy.CONF, lambda *a: None)
    assert config.usable_config(TROVE_GTID_REPLICA, 'replica', Service(),
                                attempt) == TROVE_GTID_REPLICA
    without_recovery = TROVE_GTID_REPLICA.replace('relay_log_recovery = 1\n',
                                                  '')
    ours = config.usable_config(without_recovery, 'replica', Service(),
                                attempt)
    assert ours != without_recovery
    assert 'super_read_only = ON' in ours
    assert 'relay_log_recovery = ON' in ours


def test_live_differences_are_what_the_file_sets_otherwise():
    text = ('[mysqld]\nlog_bin = b\nbinlog_format = ROW\nsync_binlog = 1\n'
            'innodb_flush_log_at_trx_commit = 1\ngtid_strict_mode = ON\n')
    running = {'binlog_format': 'MIXED', 'sync_binlog': '0',
               'innodb_flush_log_at_trx_commit': '1',
               'gtid_strict_mode': '1'}
    assert rendering.live_differences(text, running) == {
        'binlog_format': 'ROW', 'sync_binlog': '1'}
    # A variable the server lacks, or a value not known to be safe to
    # send, is left to the restart.
    assert rendering.live_differences(
        '[mysqld]\nsync_binlog = 1; DROP\nbinlog_format = ROW\n',
        {'sync_binlog': '0'}) == {}


def test_set_global_takes_words_and_numbers_only():
    d = Dialect(MDB)
    assert d.set_global('sync_binlog', '1').sql == \
        'SET GLOBAL sync_binlog = 1'
    with pytest.raises(exceptions.InvalidInput):
        d.set_global('sync_binlog', "1'")
