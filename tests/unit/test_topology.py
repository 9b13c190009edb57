"""Tests of trove_gtid_strategy.topology: attach pre-checks.

Server states are built by hand, as the guest would read them, so each
verdict and each refusal code is reached on purpose.
"""

import dataclasses

import pytest

from trove_gtid_strategy.gtid import GtidSet
from trove_gtid_strategy.gtid import MariaDBGtidPosition
from trove_gtid_strategy.modes import Mode
from trove_gtid_strategy.seeding import StartPoint
from trove_gtid_strategy import topology
from trove_gtid_strategy.topology import classify_gtid_sets
from trove_gtid_strategy.topology import classify_mariadb_positions
from trove_gtid_strategy.topology import mariadb_resume_position
from trove_gtid_strategy.topology import precheck_attach
from trove_gtid_strategy.topology import ServerState
from trove_gtid_strategy.topology import Verdict
from trove_gtid_strategy.versions import Flavor
from trove_gtid_strategy.versions import ServerVersion

U1 = '3e11fa47-71ca-11e1-9e33-c80aa9429562'
U2 = 'b7d1a2c4-0f3e-11ef-8a7b-0242ac120003'

MY57 = ServerVersion(Flavor.MYSQL, 5, 7, 44)
MY80 = ServerVersion(Flavor.MYSQL, 8, 0, 36)
PC80 = ServerVersion(Flavor.PERCONA, 8, 0, 36)
MY55 = ServerVersion(Flavor.MYSQL, 5, 5, 62)
MDB = ServerVersion(Flavor.MARIADB, 10, 11, 6)


def g(text):
    return GtidSet.parse(text)


def p(text):
    return MariaDBGtidPosition.parse(text)


# -- classify_gtid_sets -------------------------------------------------

@pytest.mark.parametrize('executed, purged, replica, verdict, errant, '
                         'missing', [
                             (U1 + ':1-10', '', '', Verdict.NEW, '', ''),
                             (U1 + ':1-10', U1 + ':1-3', U1 + ':1-10',
                              Verdict.IDENTICAL, '', ''),
                             (U1 + ':1-10', U1 + ':1-3', U1 + ':1-5',
                              Verdict.RECOVERABLE, '', ''),
                             (U1 + ':1-10', U1 + ':1-5', U1 + ':1-5',
                              Verdict.RECOVERABLE, '', ''),
                             (U1 + ':1-10', U1 + ':1-7', U1 + ':1-5',
                              Verdict.IRRECOVERABLE, '', U1 + ':6-7'),
                             (U1 + ':1-10', U1 + ':1-3', '',
                              Verdict.IRRECOVERABLE, '', U1 + ':1-3'),
                             (U1 + ':1-10', U1 + ':1-3',
                              U1 + ':1-5,' + U2 + ':1-2',
                              Verdict.DIVERGED, U2 + ':1-2', ''),
                             (U1 + ':1-10', U1 + ':1-3', U1 + ':1-12',
                              Verdict.DIVERGED, U1 + ':11-12', ''),
                             # Errant wins over missing: both are wrong,
                             # but re-seeding is the only cure for both.
                             (U1 + ':1-10', U1 + ':1-7',
                              U1 + ':1-5,' + U2 + ':1',
                              Verdict.DIVERGED, U2 + ':1', U1 + ':6-7'),
                             # A hole the source never had is errant too.
                             (U1 + ':1-5:7-10', '', U1 + ':1-10',
                              Verdict.DIVERGED, U1 + ':6', ''),
                         ])
def test_classify_gtid_sets(executed, purged, replica, verdict, errant,
                            missing):
    got = classify_gtid_sets(g(executed), g(purged), g(replica))
    assert got == (verdict, g(errant), g(missing))


# -- classify_mariadb_positions -----------------------------------------

@pytest.mark.parametrize('source, purged, replica, verdict, errant, '
                         'missing', [
                             ('0-1-10', '', '', Verdict.NEW, '', ''),
                             ('0-1-10', '0-1-3', '0-1-10',
                              Verdict.IDENTICAL, '', ''),
                             ('0-1-10', '0-1-3', '0-1-5',
                              Verdict.RECOVERABLE, '', ''),
                             # At exactly the purged point: nothing needed
                             # is gone.
                             ('0-1-10', '0-1-5', '0-1-5',
                              Verdict.RECOVERABLE, '', ''),
                             ('0-1-10', '0-1-7', '0-1-5',
                              Verdict.IRRECOVERABLE, '', '0-1-7'),
                             ('0-1-10', '0-1-3', '',
                              Verdict.IRRECOVERABLE, '', '0-1-3'),
                             ('0-1-10,1-1-4', '0-1-3,1-1-2', '0-1-5',
                              Verdict.IRRECOVERABLE, '', '1-1-2'),
                             ('0-1-10', '0-1-3', '0-1-12',
                              Verdict.DIVERGED, '0-1-12', ''),
                             # Same sequence number, another server.
                             ('0-1-10', '0-1-3', '0-2-10',
                              Verdict.DIVERGED, '0-2-10', ''),
                             # A domain the source never had.
                             ('0-1-10', '', '0-1-5,1-2-3',
                              Verdict.DIVERGED, '1-2-3', ''),
                             ('0-1-10,1-1-4', '', '0-1-10,1-1-4',
                              Verdict.IDENTICAL, '', ''),
                         ])
def test_classify_mariadb_positions(source, purged, replica, verdict,
                                    errant, missing):
    got = classify_mariadb_positions(p(source), p(purged), p(replica))
    assert got == (verdict, errant, missing)


# -- precheck_attach ----------------------------------------------------

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


def codes(result):
    return [problem.code for problem in result.problems]


def test_precheck_passes():
    result = precheck_attach(mysql_source(), mysql_replica(), Mode.GTID)
    assert result.ok
    assert result.verdict is Verdict.RECOVERABLE
    assert result.problems == ()
    assert (result.errant, result.missing) == ('', '')
    assert result.describe() == 'pre-checks passed (RECOVERABLE)'


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
    result = precheck_attach(source, replica, Mode.GTID)
    assert codes(result) == [code]
    assert not result.ok
    assert result.describe() == result.problems[0].message


def test_precheck_messages():
    result = precheck_attach(
        mysql_source(), mysql_replica(version=MDB, server_id=1), Mode.BINLOG)
    assert [(x.code, x.message) for x in result.problems] == [
        ('flavor_mismatch', 'source is mysql 5.7.44 but replica is mariadb '
         '10.11.6: MySQL and MariaDB replication are not compatible'),
        ('same_server_id', 'source and replica both have server_id 1: '
         'every server needs its own'),
    ]
    assert result.describe() == '; '.join(x.message for x in result.problems)


def test_precheck_gtid_mode_off_names_both_servers():
    result = precheck_attach(mysql_source(gtid_mode='OFF'),
                             mysql_replica(gtid_mode=None), Mode.GTID)
    assert [x.message for x in result.problems] == [
        'source has gtid_mode = OFF: GTID replication needs ON on both '
        'servers',
        'replica has gtid_mode = unavailable: GTID replication needs ON on '
        'both servers',
    ]


def test_precheck_errant_and_missing_sets():
    errant = precheck_attach(
        mysql_source(), mysql_replica(gtid_executed=g(U1 + ':1-5,' + U2
                                                      + ':1-2')),
        Mode.GTID)
    assert errant.verdict is Verdict.DIVERGED
    assert errant.errant == U2 + ':1-2'
    assert errant.problems[0].message == (
        'the replica has transactions the source does not have (errant: '
        '%s:1-2); remove them or re-seed the replica from a backup of the '
        'source' % U2)
    missing = precheck_attach(mysql_source(gtid_purged=g(U1 + ':1-7')),
                              mysql_replica(), Mode.GTID)
    assert missing.verdict is Verdict.IRRECOVERABLE
    assert missing.missing == U1 + ':6-7'
    assert missing.errant == ''
    assert missing.problems[0].message == (
        'the source has purged binary logs the replica still needs (%s:6-7);'
        ' re-seed the replica from a recent backup' % U1)


def test_precheck_same_version_and_percona_are_fine():
    assert precheck_attach(mysql_source(version=MY80),
                           mysql_replica(version=PC80), Mode.GTID).ok


def test_precheck_counts_every_problem():
    result = precheck_attach(
        mysql_source(version=MY80, log_bin=False, gtid_mode='OFF'),
        mysql_replica(version=MY57, server_id=1, no_backslash_escapes=True,
                      gtid_executed=g(U2 + ':1')),
        Mode.GTID)
    assert codes(result) == ['replica_older', 'same_server_id',
                             'source_no_binlog', 'no_backslash_escapes',
                             'gtid_mode_off', 'errant_transactions']


def test_seeded_replica_is_judged_by_its_seed():
    # The replica's own gtid_executed (errant here) is replaced by the
    # backup's set, so only the seed counts.
    replica = mysql_replica(gtid_executed=g(U2 + ':1-100'))
    seed = StartPoint('backup', gtid_set=g(U1 + ':1-8'))
    result = precheck_attach(mysql_source(), replica, Mode.GTID, start=seed)
    assert result.ok
    assert result.verdict is Verdict.RECOVERABLE
    # Without the seed the same replica is refused.
    assert codes(precheck_attach(mysql_source(), replica, Mode.GTID)) == \
        ['errant_transactions']


def test_seed_older_than_purged_is_refused():
    seed = StartPoint('backup', gtid_set=g(U1 + ':1-2'))
    result = precheck_attach(mysql_source(), mysql_replica(), Mode.GTID,
                             start=seed)
    assert codes(result) == ['purged_binlogs']
    assert result.missing == U1 + ':3'


def test_seed_without_gtids_falls_back_to_replica_state():
    seed = StartPoint('backup', 'mysql-bin.000003', 154)
    result = precheck_attach(mysql_source(), mysql_replica(), Mode.GTID,
                             start=seed)
    assert result.verdict is Verdict.RECOVERABLE


def test_gtid_mode_without_gtid_variables_has_no_verdict():
    result = precheck_attach(
        mysql_source(version=MY55, gtid_mode=None, gtid_executed=None,
                     gtid_purged=None),
        mysql_replica(version=MY55, gtid_mode=None, gtid_executed=None),
        Mode.GTID)
    assert result.verdict is None
    assert codes(result) == ['gtid_mode_off', 'gtid_mode_off']


# -- binlog mode --------------------------------------------------------

BINLOGS = ('mysql-bin.000005', 'mysql-bin.000006', 'mysql-bin.000007')


def binlog_source(**kw):
    fields = dict(version=MY55, server_id=1, log_bin=True,
                  binlog_files=BINLOGS)
    fields.update(kw)
    return ServerState(**fields)


def binlog_replica(**kw):
    fields = dict(version=MY55, server_id=2)
    fields.update(kw)
    return ServerState(**fields)


def test_binlog_mode_start_file_present():
    seed = StartPoint('backup', 'mysql-bin.000006', 154)
    result = precheck_attach(binlog_source(), binlog_replica(), Mode.BINLOG,
                             start=seed)
    assert result.ok
    assert result.verdict is Verdict.RECOVERABLE


def test_binlog_mode_start_file_purged():
    seed = StartPoint('backup', 'mysql-bin.000003', 154)
    result = precheck_attach(binlog_source(), binlog_replica(), Mode.BINLOG,
                             start=seed)
    assert codes(result) == ['purged_binlogs']
    assert result.verdict is Verdict.IRRECOVERABLE
    assert result.missing == ("mysql-bin.000003 is not among the source's "
                              "binary logs (mysql-bin.000005 to "
                              "mysql-bin.000007)")
    assert result.missing in result.problems[0].message


@pytest.mark.parametrize('source, start', [
    # Re-pointing: no start point to check.
    (binlog_source(), None),
    # Only GTIDs in the seed: nothing to check in binlog mode.
    (binlog_source(), StartPoint('backup', gtid_set=g(U1 + ':1'))),
    # The binary log list was not read.
    (binlog_source(binlog_files=()),
     StartPoint('backup', 'mysql-bin.000003', 154)),
])
def test_binlog_mode_without_anything_to_check(source, start):
    result = precheck_attach(source, binlog_replica(), Mode.BINLOG,
                             start=start)
    assert result.ok
    assert result.verdict is None


def test_binlog_mode_does_not_ask_for_gtid_mode():
    result = precheck_attach(binlog_source(), binlog_replica(), Mode.BINLOG)
    assert 'gtid_mode_off' not in codes(result)
    assert result.ok


# -- MariaDB ------------------------------------------------------------

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
    result = precheck_attach(mariadb_source(), mariadb_replica(),
                             Mode.MARIADB_GTID)
    assert result.ok
    assert result.verdict is Verdict.RECOVERABLE


def test_mariadb_local_write_in_binlog_is_errant():
    # Seed 004: a local write on the replica lands in its binary log, not
    # in its slave position, which alone would look fine.
    replica = mariadb_replica(gtid_binlog_pos=p('0-2-11'))
    result = precheck_attach(mariadb_source(), replica, Mode.MARIADB_GTID)
    assert result.verdict is Verdict.DIVERGED
    assert codes(result) == ['errant_transactions']
    assert result.errant == '0-2-11'
    assert '(errant: 0-2-11)' in result.problems[0].message
    # A domain only the replica wrote to.
    replica = mariadb_replica(gtid_binlog_pos=p('0-1-8,5-2-1'))
    result = precheck_attach(mariadb_source(), replica, Mode.MARIADB_GTID)
    assert result.errant == '5-2-1'
    # The same local write, seeded from a backup: the seed replaces the
    # replica's state, so it no longer counts.
    seed = StartPoint('backup', mariadb_pos=p('0-1-8'))
    assert precheck_attach(mariadb_source(), replica, Mode.MARIADB_GTID,
                           start=seed).ok


def test_mariadb_purged():
    result = precheck_attach(mariadb_source(purged_position=p('0-1-9')),
                             mariadb_replica(), Mode.MARIADB_GTID)
    assert codes(result) == ['purged_binlogs']
    assert result.missing == '0-1-9'


def test_mariadb_seed_replaces_replica_state():
    replica = mariadb_replica(gtid_slave_pos=p(''),
                              gtid_binlog_pos=p('0-2-50'))
    seed = StartPoint('backup', 'mysql-bin.000001', 765,
                      mariadb_pos=p('0-1-7'))
    result = precheck_attach(mariadb_source(), replica, Mode.MARIADB_GTID,
                             start=seed)
    assert result.ok
    assert result.verdict is Verdict.RECOVERABLE
    stale = StartPoint('backup', mariadb_pos=p('0-1-2'))
    result = precheck_attach(mariadb_source(), replica, Mode.MARIADB_GTID,
                             start=stale)
    assert codes(result) == ['purged_binlogs']


def test_mariadb_without_gtid_state_has_no_verdict():
    result = precheck_attach(mariadb_source(gtid_binlog_pos=None),
                             mariadb_replica(), Mode.MARIADB_GTID)
    assert result.verdict is None
    assert result.ok


def test_mariadb_new_replica():
    replica = mariadb_replica(gtid_slave_pos=None, gtid_binlog_pos=None)
    result = precheck_attach(mariadb_source(purged_position=None), replica,
                             Mode.MARIADB_GTID)
    assert result.verdict is Verdict.NEW
    assert result.ok


# -- mariadb_resume_position --------------------------------------------

@pytest.mark.parametrize('slave_pos, binlog_pos, expected', [
    ('0-1-10,1-2-3', '0-3-12,2-3-4', '0-3-12,1-2-3,2-3-4'),
    ('0-1-10', '0-1-8', '0-1-10'),
    # A demoted source: its own writes are only in its binary log.
    ('', '0-1-25', '0-1-25'),
    ('0-1-10', '', '0-1-10'),
    ('', '', ''),
])
def test_mariadb_resume_position(slave_pos, binlog_pos, expected):
    state = ServerState(MDB, 3, gtid_slave_pos=p(slave_pos),
                        gtid_binlog_pos=p(binlog_pos))
    assert mariadb_resume_position(state) == p(expected)


def test_mariadb_resume_position_without_state():
    assert mariadb_resume_position(ServerState(MDB, 3)) == p('')


# -- result objects ----------------------------------------------------

def test_results_are_frozen():
    result = precheck_attach(mysql_source(), mysql_replica(), Mode.GTID)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.verdict = Verdict.NEW
    assert topology.ATTACHABLE == (Verdict.NEW, Verdict.IDENTICAL,
                                   Verdict.RECOVERABLE)
    assert str(Verdict.DIVERGED) == 'DIVERGED'
