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

"""Tests of the mode drivers and plan_attach: every attach decision.

Server states are built by hand, as the guest would read them, so each
verdict and each refusal code is reached on purpose, in each mode.
"""

import pytest

from trove_gtid_strategy import dialect
from trove_gtid_strategy import exceptions
from trove_gtid_strategy.gtid import GtidSet
from trove_gtid_strategy.gtid import MariaDBGtidPosition
from trove_gtid_strategy import modes
from trove_gtid_strategy.modes import base
from trove_gtid_strategy.modes import Mode
from trove_gtid_strategy.seeding import StartPoint
from trove_gtid_strategy.state import ReplicaStatus
from trove_gtid_strategy.state import ServerState
from trove_gtid_strategy.topology import Verdict
from trove_gtid_strategy.versions import Flavor
from trove_gtid_strategy.versions import ServerVersion

U1 = '3e11fa47-71ca-11e1-9e33-c80aa9429562'
U2 = 'b7d1a2c4-0f3e-11ef-8a7b-0242ac120003'

MY57 = ServerVersion(Flavor.MYSQL, 5, 7, 44)
MY80 = ServerVersion(Flavor.MYSQL, 8, 0, 36)
MY97 = ServerVersion(Flavor.MYSQL, 9, 7, 4)
PC80 = ServerVersion(Flavor.PERCONA, 8, 0, 36)
MY55 = ServerVersion(Flavor.MYSQL, 5, 5, 62)
MDB = ServerVersion(Flavor.MARIADB, 10, 11, 6)

ADDRESS = dialect.SourceAddress('10.0.0.1', 3306, 'repl_x', "p'w")


def g(text):
    return GtidSet.parse(text)


def p(text):
    return MariaDBGtidPosition.parse(text)


def plan(source, replica, mode, seed=None, position=None, promoted=None,
         allow=False):
    request = base.AttachRequest(
        source=ADDRESS, seeded=seed is not None, seed=seed,
        position=position, promoted_from=promoted)
    return base.plan_attach(modes.load_driver(mode), source, replica,
                            request, allow_crash_unsafe=allow)


def check(*args, **kwargs):
    return plan(*args, **kwargs).result


def codes(result):
    return [problem.code for problem in result.problems]


def test_drivers_load_through_stevedore():
    for mode in Mode:
        driver = modes.load_driver(mode)
        assert driver.mode is mode
        assert modes.load_driver(mode.value) is driver


# -- MySQL GTID ---------------------------------------------------------

def mysql_source(**kw):
    fields = dict(version=MY57, server_id=1, log_bin=True, gtid_mode='ON',
                  gtid_executed=g(U1 + ':1-10'), gtid_purged=g(U1 + ':1-3'))
    fields.update(kw)
    return ServerState(**fields)


def mysql_replica(**kw):
    fields = dict(version=MY80, server_id=2, log_bin=True, read_only=True,
                  gtid_mode='ON', gtid_executed=g(U1 + ':1-5'))
    fields.update(kw)
    return ServerState(**fields)


def test_precheck_passes():
    found = plan(mysql_source(), mysql_replica(), Mode.MYSQL_GTID)
    result = found.result
    assert result.ok
    assert result.verdict is Verdict.RECOVERABLE
    assert result.problems == ()
    assert (result.errant, result.missing) == ('', '')
    assert result.describe() == 'pre-checks passed (RECOVERABLE)'
    # Existing replica: no start statements, only the auto-position one.
    assert [str(s) for s in found.statements] == [
        "CHANGE REPLICATION SOURCE TO SOURCE_HOST = '10.0.0.1', SOURCE_PORT "
        "= 3306, SOURCE_USER = 'repl_x', SOURCE_PASSWORD = '***', "
        "SOURCE_CONNECT_RETRY = 15, SOURCE_AUTO_POSITION = 1, SOURCE_SSL = "
        "0, GET_SOURCE_PUBLIC_KEY = 1"]
    assert "SOURCE_PASSWORD = 'p\\'w'" in found.statements[0].sql


@pytest.mark.parametrize('source, replica, code', [
    (mysql_source(), mysql_replica(version=MDB), 'flavor_mismatch'),
    (mysql_source(version=MY80), mysql_replica(version=MY57),
     'replica_older'),
    (mysql_source(), mysql_replica(server_id=1), 'same_server_id'),
    (mysql_source(log_bin=False), mysql_replica(), 'source_no_binlog'),
    (mysql_source(), mysql_replica(no_backslash_escapes=True),
     'no_backslash_escapes'),
    (mysql_source(gtid_mode='OFF'), mysql_replica(), 'gtid_mode_off'),
    (mysql_source(), mysql_replica(gtid_mode='ON_PERMISSIVE'),
     'gtid_mode_off'),
    (mysql_source(), mysql_replica(gtid_mode=None), 'gtid_mode_off'),
    (mysql_source(),
     mysql_replica(gtid_executed=g(U1 + ':1-5,' + U2 + ':1-2')),
     'errant_transactions'),
    (mysql_source(gtid_purged=g(U1 + ':1-7')), mysql_replica(),
     'purged_binlogs'),
])
def test_precheck_problem_codes(source, replica, code):
    found = plan(source, replica, Mode.MYSQL_GTID)
    assert codes(found.result) == [code]
    assert not found.ok
    assert found.statements == ()
    assert found.result.describe() == found.result.problems[0].message


def test_common_messages():
    result = check(mysql_source(), mysql_replica(version=MDB, server_id=1),
                   Mode.MARIADB_GTID)
    assert [(x.code, x.message) for x in result.problems][:2] == [
        ('flavor_mismatch', 'source is mysql 5.7.44 but replica is mariadb '
         '10.11.6: MySQL and MariaDB replication are not compatible'),
        ('same_server_id', 'source and replica both have server_id 1: '
         'every server needs its own'),
    ]


def test_gtid_mode_off_names_both_servers():
    result = check(mysql_source(gtid_mode='OFF'),
                   mysql_replica(gtid_mode=None), Mode.MYSQL_GTID)
    assert [x.message for x in result.problems] == [
        'source has gtid_mode = OFF: GTID replication needs ON on both '
        'servers',
        'replica has gtid_mode = unavailable: GTID replication needs ON on '
        'both servers',
    ]


def test_errant_and_missing_sets():
    errant = check(mysql_source(), mysql_replica(
        gtid_executed=g(U1 + ':1-5,' + U2 + ':1-2')), Mode.MYSQL_GTID)
    assert errant.verdict is Verdict.DIVERGED
    assert errant.errant == U2 + ':1-2'
    assert errant.problems[0].message == (
        'the replica has transactions the source does not have (errant: '
        '%s:1-2); remove them or re-seed the replica from a backup of the '
        'source' % U2)
    missing = check(mysql_source(gtid_purged=g(U1 + ':1-7')),
                    mysql_replica(), Mode.MYSQL_GTID)
    assert missing.verdict is Verdict.IRRECOVERABLE
    assert missing.missing == U1 + ':6-7'
    assert missing.errant == ''


def test_same_version_and_percona_are_fine():
    assert check(mysql_source(version=MY80), mysql_replica(version=PC80),
                 Mode.MYSQL_GTID).ok


def test_counts_every_problem():
    result = check(
        mysql_source(version=MY80, log_bin=False, gtid_mode='OFF'),
        mysql_replica(version=MY57, server_id=1, no_backslash_escapes=True,
                      gtid_executed=g(U2 + ':1')),
        Mode.MYSQL_GTID)
    assert codes(result) == ['replica_older', 'same_server_id',
                             'source_no_binlog', 'no_backslash_escapes',
                             'gtid_mode_off', 'errant_transactions']


def test_seeded_replica_is_judged_by_its_seed():
    # The replica's own gtid_executed (errant here) is replaced by the
    # backup's set, so only the seed counts.
    replica = mysql_replica(gtid_executed=g(U2 + ':1-100'))
    seed = StartPoint('backup', gtid_set=g(U1 + ':1-8'))
    found = plan(mysql_source(), replica, Mode.MYSQL_GTID, seed=seed)
    assert found.ok
    assert found.result.verdict is Verdict.RECOVERABLE
    assert [str(s) for s in found.statements[:2]] == [
        'RESET MASTER', "SET GLOBAL gtid_purged = '%s\\:1-8'" % U1]
    # Without the seed the same replica is refused.
    assert codes(check(mysql_source(), replica, Mode.MYSQL_GTID)) == \
        ['errant_transactions']


def test_seed_older_than_purged_is_refused():
    seed = StartPoint('backup', gtid_set=g(U1 + ':1-2'))
    result = check(mysql_source(), mysql_replica(), Mode.MYSQL_GTID,
                   seed=seed)
    assert codes(result) == ['purged_binlogs']
    assert result.missing == U1 + ':3'


@pytest.mark.parametrize('mode, seed', [
    (Mode.MYSQL_GTID, StartPoint('backup', 'mysql-bin.000003', 154)),
    (Mode.MARIADB_GTID, StartPoint('backup', gtid_set=g(U1 + ':1'))),
    (Mode.BINLOG, StartPoint('backup', gtid_set=g(U1 + ':1'))),
])
def test_seed_without_what_the_mode_needs_is_bad_input(mode, seed):
    with pytest.raises(exceptions.InvalidSeed) as caught:
        plan(mysql_source(), mysql_replica(), mode, seed=seed, allow=True)
    assert 'usable in %s mode' % mode in str(caught.value)


def test_gtid_mode_without_gtid_variables_has_no_verdict():
    result = check(
        mysql_source(version=MY55, gtid_mode=None, gtid_executed=None,
                     gtid_purged=None),
        mysql_replica(version=MY55, gtid_mode=None, gtid_executed=None),
        Mode.MYSQL_GTID)
    assert result.verdict is None
    assert codes(result) == ['gtid_mode_off', 'gtid_mode_off']


# -- MariaDB GTID -------------------------------------------------------

def mariadb_source(**kw):
    fields = dict(version=MDB, server_id=1, log_bin=True,
                  gtid_binlog_pos=p('0-1-10'), purged_position=p('0-1-3'))
    fields.update(kw)
    return ServerState(**fields)


def mariadb_replica(**kw):
    fields = dict(version=MDB, server_id=2, log_bin=True, read_only=True,
                  gtid_slave_pos=p('0-1-8'), gtid_binlog_pos=p('0-1-8'))
    fields.update(kw)
    return ServerState(**fields)


def test_mariadb_repoint_passes():
    found = plan(mariadb_source(), mariadb_replica(), Mode.MARIADB_GTID)
    assert found.ok
    assert found.result.verdict is Verdict.RECOVERABLE
    assert 'MASTER_USE_GTID = slave_pos' in str(found.statements[-1])


def test_mariadb_local_write_in_binlog_is_errant():
    # Seed 004: a local write on the replica lands in its binary log, not
    # in its slave position, which alone would look fine.
    replica = mariadb_replica(gtid_binlog_pos=p('0-2-11'))
    result = check(mariadb_source(), replica, Mode.MARIADB_GTID)
    assert result.verdict is Verdict.DIVERGED
    assert codes(result) == ['errant_transactions']
    assert result.errant == '0-2-11'
    # A domain only the replica wrote to.
    replica = mariadb_replica(gtid_binlog_pos=p('0-1-8,5-2-1'))
    assert check(mariadb_source(), replica,
                 Mode.MARIADB_GTID).errant == '5-2-1'
    # The same local write, seeded from a backup: the seed replaces the
    # replica's state, so it no longer counts.
    seed = StartPoint('backup', mariadb_pos=p('0-1-8'))
    assert check(mariadb_source(), replica, Mode.MARIADB_GTID, seed=seed).ok


def test_mariadb_purged():
    result = check(mariadb_source(purged_position=p('0-1-9')),
                   mariadb_replica(), Mode.MARIADB_GTID)
    assert codes(result) == ['purged_binlogs']
    assert result.missing == '0-1-9'


def test_mariadb_seed_replaces_replica_state():
    replica = mariadb_replica(gtid_slave_pos=p(''),
                              gtid_binlog_pos=p('0-2-50'))
    seed = StartPoint('backup', 'mysql-bin.000001', 765,
                      mariadb_pos=p('0-1-7'))
    found = plan(mariadb_source(), replica, Mode.MARIADB_GTID, seed=seed)
    assert found.ok
    assert [str(s) for s in found.statements[:2]] == [
        'RESET MASTER', "SET GLOBAL gtid_slave_pos = '0-1-7'"]
    stale = StartPoint('backup', mariadb_pos=p('0-1-2'))
    assert codes(check(mariadb_source(), replica, Mode.MARIADB_GTID,
                       seed=stale)) == ['purged_binlogs']


def test_mariadb_demoted_source_resumes_after_its_own_writes():
    replica = mariadb_replica(gtid_slave_pos=p('0-1-3'),
                              gtid_binlog_pos=p('0-1-10'))
    found = plan(mariadb_source(gtid_binlog_state=(
        MariaDBGtidPosition.parse('0-1-10').get(0),)), replica,
        Mode.MARIADB_GTID)
    assert found.result.verdict is Verdict.IDENTICAL
    assert str(found.statements[0]) == "SET GLOBAL gtid_slave_pos = '0-1-10'"


def test_mariadb_without_gtid_state_has_no_verdict():
    result = check(mariadb_source(gtid_binlog_pos=None), mariadb_replica(),
                   Mode.MARIADB_GTID)
    assert result.verdict is None
    assert result.ok


def test_mariadb_new_replica():
    replica = mariadb_replica(gtid_slave_pos=None, gtid_binlog_pos=None)
    result = check(mariadb_source(purged_position=None), replica,
                   Mode.MARIADB_GTID)
    assert result.verdict is Verdict.NEW
    assert result.ok


# -- binlog position: crash safety --------------------------------------

BINLOGS = ('mysql-bin.000005', 'mysql-bin.000006', 'mysql-bin.000007')
AT = StartPoint('context', 'mysql-bin.000007', 900)


def binlog_source(**kw):
    fields = dict(version=MY55, server_id=1, log_bin=True,
                  binlog_files=BINLOGS, user_schemas=('app',))
    fields.update(kw)
    return ServerState(**fields)


def binlog_replica(**kw):
    fields = dict(version=MY55, server_id=2, user_schemas=('app',))
    fields.update(kw)
    return ServerState(**fields)


@pytest.mark.parametrize('version, refused', [
    (MY55, True), (MDB, True), (ServerVersion(Flavor.MYSQL, 5, 6, 1), True),
    (MY57, False), (MY80, False), (MY97, False), (PC80, False),
])
def test_binlog_mode_crash_safety(version, refused):
    seed = StartPoint('backup', 'mysql-bin.000006', 154)
    source = binlog_source(version=version)
    replica = binlog_replica(version=version)
    result = check(source, replica, Mode.BINLOG, seed=seed)
    assert ('crash_unsafe' in codes(result)) is refused
    allowed = check(source, replica, Mode.BINLOG, seed=seed, allow=True)
    assert allowed.ok
    assert any('allowed by the operator' in n for n in allowed.notes) \
        is refused


def test_binlog_crash_refusal_names_the_flag():
    result = check(binlog_source(version=MDB), binlog_replica(version=MDB),
                   Mode.BINLOG, seed=StartPoint('b', 'mysql-bin.000006', 4))
    assert 'relay-log.info' in result.describe()
    assert '--allow-crash-unsafe' in result.describe()


@pytest.mark.parametrize('role, version, expected', [
    ('replica', MY57, {'log_bin': 'ON', 'server_id': 'nonzero',
                       'log_slave_updates': 'ON',
                       'read_only': 'ON', 'super_read_only': 'ON',
                       'relay_log_recovery': 'ON',
                       'relay_log_info_repository': 'TABLE'}),
    ('replica', MY97, {'log_bin': 'ON', 'server_id': 'nonzero',
                       'log_replica_updates': 'ON',
                       'read_only': 'ON', 'super_read_only': 'ON',
                       'relay_log_recovery': 'ON'}),
    ('replica', MDB, {'log_bin': 'ON', 'server_id': 'nonzero',
                      'log_slave_updates': 'ON', 'read_only': 'ON'}),
    ('replica_source', MY57, {'log_bin': 'ON', 'server_id': 'nonzero'}),
])
def test_binlog_required_settings(role, version, expected):
    from trove_gtid_strategy import capabilities
    driver = modes.load_driver(Mode.BINLOG)
    assert driver.required_settings(
        role, capabilities.capabilities_for(version)) == expected


# -- binlog position: where an attach may start -------------------------

def test_binlog_seed_file_present_and_purged():
    found = plan(binlog_source(), binlog_replica(), Mode.BINLOG,
                 seed=StartPoint('backup', 'mysql-bin.000006', 154),
                 allow=True)
    assert found.ok and found.result.verdict is Verdict.RECOVERABLE
    assert "MASTER_LOG_FILE = 'mysql-bin.000006', MASTER_LOG_POS = 154" in \
        str(found.statements[-1])
    result = check(binlog_source(), binlog_replica(), Mode.BINLOG,
                   seed=StartPoint('backup', 'mysql-bin.000003', 154),
                   allow=True)
    assert codes(result) == ['purged_binlogs']
    assert result.missing == ("mysql-bin.000003 is not among the source's "
                              "binary logs (mysql-bin.000005 to "
                              "mysql-bin.000007)")


def test_binlog_seed_resets_replica_history():
    seed = StartPoint('backup', 'mysql-bin.000006', 154,
                      mariadb_pos=p('0-1-40'))
    replica = binlog_replica(version=MDB, log_bin=True,
                             gtid_binlog_pos=p('0-2-3'))
    found = plan(binlog_source(version=MDB), replica, Mode.BINLOG,
                 seed=seed, allow=True)
    assert [str(s) for s in found.statements[:2]] == [
        'RESET MASTER', "SET GLOBAL gtid_slave_pos = '0-1-40'"]


def test_binlog_needs_a_position_to_repoint():
    result = check(binlog_source(), binlog_replica(), Mode.BINLOG,
                   allow=True)
    assert codes(result) == ['no_start_position']


def test_binlog_empty_replica_of_source_with_data_needs_a_seed():
    result = check(binlog_source(), binlog_replica(user_schemas=()),
                   Mode.BINLOG, position=AT, allow=True)
    assert codes(result) == ['seed_required']
    assert 'data (app)' in result.describe()
    # A source with no user data: start at its position.
    found = plan(binlog_source(user_schemas=()),
                 binlog_replica(user_schemas=()), Mode.BINLOG, position=AT,
                 allow=True)
    assert found.ok and found.result.verdict is Verdict.NEW
    assert "MASTER_LOG_POS = 900" in str(found.statements[-1])


def test_binlog_source_seen_by_replication_account_only():
    # The probe cannot list schemas (None): GTIDs at the start point
    # show the source has transactions the empty replica lacks.
    source = binlog_source(version=MDB, user_schemas=None,
                           gtid_binlog_pos=p('0-1-5'))
    replica = binlog_replica(version=MDB, user_schemas=(),
                             gtid_binlog_pos=p(''), gtid_slave_pos=p(''))
    at = StartPoint('context', 'mysql-bin.000007', 900,
                    mariadb_pos=p('0-1-5'))
    result = check(source, replica, Mode.BINLOG, position=at, allow=True)
    assert codes(result) == ['seed_required']
    assert 'transactions up to 0-1-5' in result.describe()
    empty = StartPoint('context', 'mysql-bin.000007', 4,
                       mariadb_pos=p(''))
    assert check(source, replica, Mode.BINLOG, position=empty,
                 allow=True).ok
    # Without GTIDs and without the schema list nothing proves it empty.
    result = check(binlog_source(user_schemas=None),
                   binlog_replica(user_schemas=()), Mode.BINLOG,
                   position=AT, allow=True)
    assert codes(result) == ['seed_required']


def test_binlog_replica_with_data_without_gtids_is_unverifiable():
    result = check(binlog_source(), binlog_replica(), Mode.BINLOG,
                   position=AT, allow=True)
    assert codes(result) == ['unverifiable_start']
    assert 'errant transactions cannot be checked without GTIDs' in \
        result.notes


def test_binlog_replica_of_same_source_resumes_from_its_position():
    status = ReplicaStatus(source_server_id=1, exec_log_file=BINLOGS[1],
                           exec_log_pos=777, read_log_file=BINLOGS[2],
                           read_log_pos=10)
    found = plan(binlog_source(), binlog_replica(replica=status),
                 Mode.BINLOG, position=AT, allow=True)
    assert found.ok
    # It keeps the position it applied to: no HOST, PORT or LOG_POS,
    # which a multi-threaded applier's checkpoint would get wrong.
    change = str(found.statements[-1])
    assert 'MASTER_USER' in change
    assert 'MASTER_LOG' not in change and 'MASTER_HOST' not in change
    gone = ReplicaStatus(source_server_id=1, exec_log_file='mysql-bin.000002',
                         exec_log_pos=777)
    assert codes(check(binlog_source(), binlog_replica(replica=gone),
                       Mode.BINLOG, position=AT, allow=True)) == \
        ['purged_binlogs']


def test_binlog_repoint_after_promotion():
    point = base.PromotionPoint(9, 'old-bin.000003', 5000,
                                'mysql-bin.000007', 120)
    at_point = ReplicaStatus(source_server_id=9,
                             exec_log_file='old-bin.000003',
                             exec_log_pos=5000)
    found = plan(binlog_source(), binlog_replica(replica=at_point),
                 Mode.BINLOG, position=AT, promoted=point, allow=True)
    assert found.ok and found.result.verdict is Verdict.IDENTICAL
    assert "MASTER_LOG_POS = 120" in str(found.statements[-1])
    # The old source itself, stopped at the same point.
    old = binlog_replica(server_id=9, binlog_position=('old-bin.000003',
                                                       5000))
    assert plan(binlog_source(), old, Mode.BINLOG, position=AT,
                promoted=point, allow=True).ok
    # A lagging replica of the old source: refused with the numbers.
    lagging = ReplicaStatus(source_server_id=9,
                            exec_log_file='old-bin.000003', exec_log_pos=3)
    result = check(binlog_source(), binlog_replica(replica=lagging),
                   Mode.BINLOG, position=AT, promoted=point, allow=True)
    assert codes(result) == ['not_at_promotion_point']
    assert 'old-bin.000003:3' in result.describe()
    assert 'old-bin.000003:5000' in result.describe()


def mariadb_binlog(**kw):
    fields = dict(version=MDB, server_id=2, log_bin=True,
                  user_schemas=('app',), gtid_slave_pos=p('0-1-20'),
                  gtid_binlog_pos=p('0-1-20'))
    fields.update(kw)
    return ServerState(**fields)


@pytest.mark.parametrize('held, code, verdict', [
    ('0-1-20', None, Verdict.IDENTICAL),
    ('0-1-12', 'behind_start_point', Verdict.RECOVERABLE),
    ('0-1-25', 'errant_transactions', Verdict.DIVERGED),
    ('0-1-20,3-2-1', 'errant_transactions', Verdict.DIVERGED),
])
def test_binlog_mode_proves_start_with_mariadb_gtids(held, code, verdict):
    source = binlog_source(version=MDB, gtid_binlog_pos=p('0-1-30'))
    at = StartPoint('context', 'mysql-bin.000007', 900,
                    mariadb_pos=p('0-1-20'))
    replica = mariadb_binlog(gtid_slave_pos=p(held), gtid_binlog_pos=p(''))
    result = check(source, replica, Mode.BINLOG, position=at, allow=True)
    assert result.verdict is verdict
    assert codes(result) == ([code] if code else [])
    if code == 'behind_start_point':
        assert 'lose 0-1-20 for good' in result.describe()


def test_binlog_mode_proves_start_with_mysql_gtids():
    source = binlog_source(version=MY80, gtid_mode='ON',
                           gtid_executed=g(U1 + ':1-30'))
    at = StartPoint('context', 'mysql-bin.000007', 900,
                    gtid_set=g(U1 + ':1-20'))
    same = binlog_replica(version=MY80, gtid_mode='ON',
                          gtid_executed=g(U1 + ':1-20'))
    assert check(source, same, Mode.BINLOG, position=at).ok
    behind = binlog_replica(version=MY80, gtid_mode='ON',
                            gtid_executed=g(U1 + ':1-15'))
    refused = plan(source, behind, Mode.BINLOG, position=at)
    assert codes(refused.result) == ['behind_start_point']
    assert U1 + ':16-20' in refused.result.describe()
    # Where the source's logs have exactly its set, it could resume there.
    assert refused.resume_from == g(U1 + ':1-15')
    errant = binlog_replica(version=MY80, gtid_mode='ON',
                            gtid_executed=g(U1 + ':1-20,' + U2 + ':1'))
    assert codes(check(source, errant, Mode.BINLOG, position=at)) == \
        ['errant_transactions']


def test_binlog_promotion_point_is_recorded_from_a_stopped_replica():
    driver = modes.load_driver(Mode.BINLOG)
    status = ReplicaStatus(source_server_id=9, exec_log_file='old.000002',
                           exec_log_pos=77)
    state = binlog_replica(replica=status)
    point = driver.promotion_point(state, ('mysql-bin.000004', 300))
    assert point == base.PromotionPoint(9, 'old.000002', 77,
                                        'mysql-bin.000004', 300, '')
    assert driver.promotion_point(binlog_replica(), ('x.000001', 4)) is None
    for mode in (Mode.MYSQL_GTID, Mode.MARIADB_GTID):
        assert modes.load_driver(mode).promotion_point(
            state, ('mysql-bin.000004', 300)) is None


def test_bad_literal_raises_before_anything_runs():
    bad = StartPoint('context', 'mysql-bin.000007', -1)
    with pytest.raises(exceptions.InvalidInput):
        plan(binlog_source(user_schemas=()), binlog_replica(user_schemas=()),
             Mode.BINLOG, position=bad, allow=True)


def test_binlog_empty_source_known_from_the_replica_context():
    # The probe cannot list schemas, but get_replica_context read them on
    # the source just after the position: none, so only accounts were
    # written before it and an empty replica may start there.
    source = binlog_source(version=MDB, user_schemas=None,
                           gtid_binlog_pos=p('0-1-2'))
    replica = binlog_replica(version=MDB, user_schemas=(),
                             gtid_binlog_pos=p(''), gtid_slave_pos=p(''))
    at = StartPoint('context', 'mysql-bin.000007', 900,
                    mariadb_pos=p('0-1-2'))
    request = base.AttachRequest(source=ADDRESS, position=at,
                                 source_schemas=())
    found = base.plan_attach(modes.load_driver(Mode.BINLOG), source,
                             replica, request, allow_crash_unsafe=True)
    assert found.ok and found.result.verdict is Verdict.NEW
    request = base.AttachRequest(source=ADDRESS, position=at,
                                 source_schemas=('app',))
    assert [x.code for x in base.plan_attach(
        modes.load_driver(Mode.BINLOG), source, replica, request,
        allow_crash_unsafe=True).result.problems] == ['seed_required']


@pytest.mark.parametrize('mode, source, replica', [
    (Mode.MYSQL_GTID, mysql_source(gtid_purged=g(''), user_schemas=('app',)),
     mysql_replica(gtid_executed=g(''), user_schemas=())),
    (Mode.MARIADB_GTID, mariadb_source(purged_position=None,
                                       user_schemas=('app',)),
     mariadb_replica(gtid_slave_pos=None, gtid_binlog_pos=None,
                     user_schemas=())),
])
def test_empty_replica_of_source_with_data_needs_a_seed_in_gtid_modes(
        mode, source, replica):
    # GTIDs cannot tell data written before the binary log was on.
    result = check(source, replica, mode)
    assert result.verdict is Verdict.NEW
    assert codes(result) == ['seed_required']
    assert 'data (app)' in result.describe()
    # No user data on the source: the replica replays the whole log.
    empty = source.__class__(**dict(source.__dict__, user_schemas=()))
    assert check(empty, replica, mode).ok
    # A replica holding data of its own is judged by its transactions.
    assert 'seed_required' not in codes(check(
        source, replica.__class__(**dict(replica.__dict__,
                                         user_schemas=('app',))), mode))


def test_empty_binlog_replica_records_the_source_history_at_its_start():
    """Started at an empty source's position, a MySQL replica with GTIDs
    takes the source's set there as its gtid_purged: it holds the same
    data, and replicas attached at different points compare whole sets.
    """
    source = binlog_source(version=MY80, gtid_mode='ON', user_schemas=(),
                           gtid_executed=g(U1 + ':1-7'))
    at = StartPoint('context', 'mysql-bin.000007', 900,
                    gtid_set=g(U1 + ':1-7'))
    empty = binlog_replica(version=MY80, gtid_mode='ON', user_schemas=(),
                           log_bin=True, gtid_executed=g(''))
    found = plan(source, empty, Mode.BINLOG, position=at)
    assert found.ok, found.result.describe()
    first = found.statements[0].sql.replace('\\:', ':')
    assert first == "SET GLOBAL gtid_purged = '%s:1-7'" % U1
    # Without GTIDs on the replica there is no history to record.
    bare = binlog_replica(version=MY80, user_schemas=(), log_bin=True)
    found = plan(source, bare, Mode.BINLOG, position=at)
    assert found.ok and 'gtid_purged' not in ' '.join(
        s.sql for s in found.statements)
