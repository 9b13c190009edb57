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

"""The command line's promises on real servers (issue 6).

A refused attach leaves every server and file as it was, the source's
accounts included; bad input is exit 2 before any server is touched;
concurrent runs serialise on server locks; nothing the project does on a
replica is binlogged; no password reaches a binary log.
"""

import glob
import json
import os
import re

import pytest

from trove_gtid_strategy import strategy

from support import accounts
from support import admin_writes
from support import binlog_statements
from support import catch_up
from support import CountingService
from support import dump
from support import everything
from support import fingerprint
from support import is_mysql
from support import load
from support import make_table
from support import purge_to_newest
from support import query
from support import run
from support import run_process
from support import scalar
from support import settle
from support import status
from support import TroveLikeService


@pytest.fixture(autouse=True)
def clean_options():
    yield
    for name in ('replication_mode', 'allow_crash_unsafe_binlog'):
        strategy.CONF.clear_override(name, group='trove_gtid_strategy')


def attach_args(box, *extra):
    return ('attach', '--sandbox', box.base_dir, '--source', 'source',
            '--replica', 'replica1') + extra


def binlog_mode_args(box):
    extra = ('--mode', 'binlog')
    if not is_mysql(box.source):
        extra += ('--allow-crash-unsafe',)
    return extra


def test_refused_errant_write_in_binlog_mode(sandbox_factory):
    box = sandbox_factory(replicas=1)
    code, result = run(*attach_args(box, *binlog_mode_args(box)))
    assert code == 0, result
    # The replica holds the source's data before it is detached, so only
    # its own write can be what the next attach refuses.
    make_table(box.source, 5)
    repl = strategy.AutoReplication()
    repl.wait_until_applied(CountingService(box.replicas[0]),
                            repl.current_position(
                                CountingService(box.source)))
    code, result = run('detach', '--sandbox', box.base_dir, '--replica',
                       'replica1', '--source', 'source')
    assert code == 0, result
    # A local write on the (detached) replica: errant for the next attach.
    query(box.replicas[0], 'CREATE DATABASE local_only')
    before = everything(box)
    code, result = run(*attach_args(box, *binlog_mode_args(box)))
    assert code == 1, result
    assert result['kind'] == 'refused'
    assert [p['code'] for p in result['problems']] == \
        ['errant_transactions'], result
    assert everything(box) == before


def test_refused_empty_unseeded_replica_in_binlog_mode(sandbox_factory):
    box = sandbox_factory(replicas=1)
    make_table(box.source, 5)
    before = everything(box)
    code, result = run(*attach_args(box, *binlog_mode_args(box)))
    assert code == 1, result
    assert [p['code'] for p in result['problems']] == ['seed_required']
    assert 'app' in result['error']
    assert everything(box) == before


def test_seeded_binlog_attach_from_the_command_line(sandbox_factory,
                                                    tmp_path):
    box = sandbox_factory(replicas=1)
    # A binary log on the source, so the dump records where it stands.
    strategy.AutoReplication().enable_as_master(CountingService(box.source),
                                                None)
    make_table(box.source, 5)
    path = dump(box.source, str(tmp_path / 'seed.sql'))
    load(box.replicas[0], path)
    code, result = run(*attach_args(box, '--seed-from', path,
                                    *binlog_mode_args(box)))
    assert code == 0, result
    assert result['mode'] == 'binlog'
    make_table(box.source, 5, start=5)
    repl = strategy.AutoReplication()
    source = CountingService(box.source)
    repl.wait_until_applied(CountingService(box.replicas[0]),
                            repl.current_position(source))
    assert fingerprint(box.replicas[0]) == fingerprint(box.source)


BAD_SEEDS = {
    'xtrabackup_binlog_info': [
        'mysql-bin.000001\t\u0661\u0662\u0663\n',
        'mysql-bin.000001\t1_000\n',
        'mysql-bin.000001\t%d\n' % 2 ** 64,
        "mysql-bin'.000001\t154\n",
        'mysql-bin.000001\x00\t154\n',
        'mysql"bin.000001\t154\n',
    ],
    'seed.sql': [
        "-- CHANGE MASTER TO MASTER_LOG_FILE='mysql-bin.000001', "
        "MASTER_LOG_POS=\u0661\u0662\u0663;\n",
        "-- CHANGE MASTER TO MASTER_LOG_FILE='mysql-bin.000001', "
        "MASTER_LOG_POS=%d;\n" % 2 ** 64,
        "-- CHANGE MASTER TO MASTER_LOG_FILE='mysql\nbin.000001', "
        "MASTER_LOG_POS=154;\n",
    ],
}


def test_bad_seed_files_exit_2_and_change_nothing(sandbox_factory,
                                                  tmp_path):
    box = sandbox_factory(replicas=1)
    before = everything(box)
    for name, texts in BAD_SEEDS.items():
        for text in texts:
            path = tmp_path / name
            path.write_text(text, encoding='utf-8')
            code, result = run(*attach_args(
                box, '--seed-from', str(path), *binlog_mode_args(box)))
            assert code == 2, (text, result)
            assert result['kind'] == 'bad_input'
    assert everything(box) == before


def test_refused_attach_drops_nothing_it_did_not_create(sandbox_factory):
    """A refusal after the first checks: the account it created is gone
    again, the source's other accounts are as they were.
    """
    box = sandbox_factory(replicas=1)
    code, _ = run(*attach_args(box))
    assert code == 0
    code, result = run('detach', '--sandbox', box.base_dir, '--replica',
                       'replica1')
    assert code == 0, result
    query(box.source, 'CREATE USER other_user IDENTIFIED BY "x1!Aa-zz"')
    # Purged binary logs the replica needs: refused by the pre-checks.
    make_table(box.source, 3)
    purge_to_newest(box.source)
    before = everything(box)
    code, result = run(*attach_args(box))
    assert code == 1 and result['kind'] == 'refused', result
    assert [p['code'] for p in result['problems']] == ['purged_binlogs']
    assert everything(box) == before


def test_failure_after_account_creation_drops_it(sandbox_factory,
                                                 tmp_path):
    """The source check as the replica's I/O thread would connect (here
    with TLS the source cannot verify) fails after the account was
    created: the account is dropped and nothing else changed.
    """
    box = sandbox_factory(replicas=1)
    strategy.AutoReplication().enable_as_master(CountingService(box.source),
                                                None)
    bogus = tmp_path / 'ca.pem'
    bogus.write_text('not a certificate\n')
    before = everything(box, source_log=False)
    logged = binlog_statements(box.source)
    code, result = run(*attach_args(box, '--tls', 'verify', '--ca-file',
                                    str(bogus)))
    assert code == 1, result
    # The check logs in as the new account, as the I/O thread would.
    account = re.search(r'cannot reach the source \S+ as (repl_\w+) to '
                        r'check it', result['error'])
    assert account, result
    # The account was created (its statement is in the source's binary
    # log), then dropped again.
    created = [s for s in binlog_statements(box.source)[len(logged):]
               if 'CREATE USER' in s.upper()]
    assert len(created) == 1 and account.group(1) in created[0], created
    assert everything(box, source_log=False) == before


def test_detach_then_reattach_in_gtid_mode(sandbox_factory):
    """Detach drops the replica's account without binary logging, so the
    next GTID attach of the same replica finds no errant transaction.
    """
    box = sandbox_factory(replicas=1)
    for attempt in range(2):
        code, result = run(*attach_args(box))
        assert code == 0, result
        make_table(box.source, 2, start=10 * attempt)
        code, result = run('detach', '--sandbox', box.base_dir,
                           '--replica', 'replica1', '--source', 'source')
        assert code == 0, result


def test_unlogged_maintenance_on_trove_path(sandbox_factory):
    """Through Trove's execute path (pooled connections): the account
    drop on the replica is not binlogged, and a later statement is.
    """
    box = sandbox_factory(replicas=1)
    source = TroveLikeService(box.source)
    replica = TroveLikeService(box.replicas[0])
    repl = strategy.AutoReplication()
    repl.enable_as_master(source, None)
    repl.enable_as_slave(replica, repl.get_replica_context(source, None),
                         None)
    gtid_var = '@@gtid_executed' if is_mysql(box.source) \
        else '@@gtid_binlog_pos'
    # What the source logged (its replication account) must be applied
    # first: the comparison is about the replica's own statements.
    catch_up(repl, source, replica)
    before = scalar(box.replicas[0], 'SELECT %s' % gtid_var)
    info = repl.detach_slave(replica, for_failover=False)
    assert info['replication_user']
    assert scalar(box.replicas[0], 'SELECT COUNT(*) FROM mysql.user WHERE '
                  'User = %s', info['replication_user']) == 0
    assert scalar(box.replicas[0], 'SELECT %s' % gtid_var) == before
    # Every pooled connection logs again.
    for number in range(3):
        replica.execute_sql('CREATE DATABASE after_%d' % number)
    assert scalar(box.replicas[0], 'SELECT %s' % gtid_var) != before


def test_no_password_in_any_binary_log(sandbox_factory):
    box = sandbox_factory(replicas=1)
    source = CountingService(box.source)
    replica = CountingService(box.replicas[0])
    repl = strategy.AutoReplication()
    repl.enable_as_master(source, None)
    repl.enable_as_master(replica, None)
    context = repl.get_replica_context(source, None)
    password = context['replica_conf']['replication_user']['password']
    repl.enable_as_slave(replica, context, None)
    make_table(box.source, 3)
    repl.wait_until_applied(replica, repl.current_position(source))
    query(box.source, 'FLUSH BINARY LOGS')
    query(box.replicas[0], 'FLUSH BINARY LOGS')
    found = 0
    for server in box.servers():
        # Binary logs and relay logs (``*-relay-bin.0*``) alike.
        for path in glob.glob(os.path.join(server.datadir, '*-bin.0*')) + \
                glob.glob(os.path.join(server.datadir, 'binlog.0*')):
            try:
                with open(path, 'rb') as f:
                    logged = f.read()
            except FileNotFoundError:
                # A relay log the replica applied and purged since it was
                # listed (MariaDB 11.8 did, between glob and open).
                continue
            found += 1
            assert password.encode() not in logged, path
    assert found >= 2


def test_wait_reports_a_stopped_sql_thread_at_once(sandbox_factory):
    box = sandbox_factory(replicas=1)
    source = CountingService(box.source)
    replica = CountingService(box.replicas[0])
    strategy.CONF.set_override('replication_mode', 'gtid',
                               group='trove_gtid_strategy')
    repl = strategy.AutoReplication()
    repl.enable_as_master(source, None)
    repl.enable_as_slave(replica, repl.get_replica_context(source, None),
                         None)
    make_table(box.source, 3)
    repl.wait_until_applied(replica, repl.current_position(source))
    # The replica loses the table behind replication's back (unlogged).
    with admin_writes(box.replicas[0]):
        replica.run_unlogged(['DROP TABLE app.t'])
    query(box.source, "INSERT INTO app.t VALUES (100, 'x')")
    with pytest.raises(Exception) as caught:
        # A timeout of an hour: only the thread's error can end this.
        repl.wait_until_applied(replica, repl.current_position(source),
                                timeout=3600)
    assert 'SQL thread stopped on error 1146' in str(caught.value)
    assert status(replica).last_sql_errno == 1146


def test_concurrent_attaches_serialise(sandbox_factory):
    """Ten rounds of two attaches of two replicas to one fresh source at
    once: both succeed and end consistent, or one exits 1 naming who
    holds the lock; never two servers on one datadir.
    """
    for round_number in range(10):
        box = sandbox_factory(replicas=2)
        runs = [run_process('attach', '--sandbox', box.base_dir,
                            '--source', 'source', '--replica', name,
                            '--lock-timeout', '120')
                for name in ('replica1', 'replica2')]
        outcomes = []
        for proc in runs:
            out, err = proc.communicate(timeout=600)
            assert 'Traceback' not in err, err
            outcomes.append((proc.returncode, json.loads(out)))
        for code, result in outcomes:
            assert code == 0 or (code == 1 and 'locked by' in
                                 result['error']), (round_number, result)
        # One of them always gets the lock, and attaches.
        assert any(code == 0 for code, _ in outcomes), outcomes
        for server in box.servers():
            assert _processes_on(server.datadir) == 1, server
        make_table(box.source, 3)
        repl = strategy.AutoReplication()
        position = repl.current_position(CountingService(box.source))
        for (code, _), server in zip(outcomes, box.replicas):
            if code == 0:
                repl.wait_until_applied(CountingService(server), position)
                assert fingerprint(server) == fingerprint(box.source)
        box.down(remove=True)


def _processes_on(datadir):
    """Live processes whose command line names ``datadir``'s server."""
    count = 0
    base = os.path.dirname(datadir)
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            with open('/proc/%s/cmdline' % pid, 'rb') as f:
                args = f.read().split(b'\0')
        except OSError:
            continue
        if any(a.startswith(b'--defaults-file=') and
               a.endswith(os.fsencode(os.path.join(base, 'my.cnf')))
               for a in args):
            count += 1
    return count


def test_accounts_lists_and_drops_only_unused(sandbox_factory):
    box = sandbox_factory(replicas=2)
    for name in ('replica1', 'replica2'):
        code, result = run('attach', '--sandbox', box.base_dir, '--source',
                           'source', '--replica', name)
        assert code == 0, result
    # An account an older release leaked, and one that is not ours.
    source = CountingService(box.source)
    d = source.dialect()
    for stmt in d.create_replication_user('repl_leaked0001', 'x'):
        source.execute_sql(stmt.sql)
    for stmt in d.create_replication_user('someone_else', 'x'):
        source.execute_sql(stmt.sql)
    # replica2 is stopped: not connected, but named with --replica.
    query(box.replicas[1], 'STOP REPLICA')
    code, result = run('accounts', '--sandbox', box.base_dir, '--source',
                       'source', '--replica', 'replica2')
    assert code == 0
    rows = {a['name']: a for a in result['accounts']}
    # Listed (it reads the binary log), but not ours: never dropped.
    assert not rows['someone_else']['ours']
    assert rows['repl_leaked0001']['used_by'] == []
    assert len([a for a in rows.values() if a['ours'] and a['used_by']]) \
        == 2
    code, result = run('accounts', '--sandbox', box.base_dir, '--source',
                       'source', '--replica', 'replica2', '--drop-unused')
    assert code == 0
    dropped = [a['name'] for a in result['accounts'] if a['dropped']]
    assert dropped == ['repl_leaked0001']
    # Said at run time: a stopped replica not named would have lost its
    # account (nothing on the source tells it from a leaked one).
    assert 'stopped or disconnected' in result['warning']
    assert 'repl_leaked0001' in result['warning']
    users = {u for u, _ in accounts(box.source)}
    assert 'repl_leaked0001' not in users and 'someone_else' in users
    assert status(CountingService(box.replicas[0])).running


def test_dry_runs_change_nothing(sandbox_factory):
    """attach, detach and accounts --drop-unused with --dry-run print the
    decision and the steps, and every server stays as it was.
    """
    box = sandbox_factory(replicas=1)
    before = everything(box)
    code, result = run(*attach_args(box, '--dry-run'))
    assert code == 0, result
    assert result['dry_run'] and result['verdict'] == 'NEW'
    assert any('CHANGE' in step for step in result['notes'])
    assert everything(box) == before
    code, result = run(*attach_args(box))
    assert code == 0, result

    def replicating():
        # A running replica's status moves on its own (positions, state
        # text): compare what a detach or a drop would change.
        found = status(CountingService(box.replicas[0]))
        return (found.running, found.source_user,
                [accounts(s) for s in box.servers()],
                [sorted(os.listdir(s.conf_dir)) for s in box.servers()])

    # The replica's copy of its account arrives by replication after the
    # attach returns: snapshot once it applied everything (a run saw the
    # account missing from "before" on MySQL 9.7).
    settle(box)
    before = replicating()
    code, result = run('detach', '--sandbox', box.base_dir, '--replica',
                       'replica1', '--source', 'source', '--dry-run')
    assert code == 0 and result['replication_user'], result
    assert any('DROP USER' in step for step in result['steps'])
    code, result = run('accounts', '--sandbox', box.base_dir, '--source',
                       'source', '--drop-unused', '--dry-run')
    assert code == 0
    assert replicating() == before and before[0]


def test_swapped_source_and_replica_are_refused_as_a_loop(sandbox_factory):
    """The source of replica1 given as its replica: each would replicate
    from the other, with no writable server left. Refused, unchanged.
    """
    box = sandbox_factory(replicas=1)
    code, result = run(*attach_args(box))
    assert code == 0, result
    before = everything(box)
    code, result = run('attach', '--sandbox', box.base_dir, '--source',
                       'replica1', '--replica', 'source')
    assert code == 1 and result['kind'] == 'refused', result
    assert 'replication_loop' in [p['code'] for p in result['problems']]
    assert everything(box) == before
