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

"""The cliff command line on real servers (issue 9).

Every command's output in each format (tables for people, JSON and YAML
documents that keep the keys scripts read, ``-c`` columns), ``--json``
before the command, progress lines naming the server waited for,
``--debug`` logging statements with passwords masked while stdout stays
clean JSON, a wrong password and a closed pipe without a traceback,
``plan --from`` asking a live server.
"""

import json
import subprocess
import sys

import yaml

from trove_gtid_strategy import strategy

from support import is_mysql
from support import query
from support import run

CLI = [sys.executable, '-m', 'trove_gtid_strategy.cmd.main']


def cli(*argv, env=None):
    """``trove-gtid ARGV`` in a new process: (status, stdout, stderr)."""
    done = subprocess.run(CLI + list(argv), capture_output=True, text=True,
                          timeout=600, env=env)
    return done.returncode, done.stdout, done.stderr


def attach_args(box, name='replica1'):
    return ['attach', '--sandbox', box.base_dir, '--source', 'source',
            '--replica', name]


def teardown_function():
    for name in ('replication_mode', 'allow_crash_unsafe_binlog'):
        strategy.CONF.clear_override(name, group='trove_gtid_strategy')


def test_sandbox_commands_in_every_format(sandbox_factory):
    box = sandbox_factory(replicas=1)
    password = box.source.dsn.password
    code, out, err = cli('sandbox', 'status', '--base-dir', box.base_dir)
    assert code == 0, err
    assert out.startswith('+') and '| running ' in out
    assert 'admin password: in %s' % box.state_file in out
    assert password not in out + err
    code, out, err = cli('sandbox', 'status', '--base-dir', box.base_dir,
                         '-f', 'json')
    rows = json.loads(out)
    assert [r['name'] for r in rows] == ['source', 'replica1']
    assert set(rows[0]) >= {'name', 'line', 'version', 'port', 'server_id',
                            'pid', 'running', 'dsn', 'datadir'}
    assert rows[0]['running'] is True
    code, out, err = cli('sandbox', 'status', '--base-dir', box.base_dir,
                         '-f', 'value', '-c', 'name', '-c', 'port')
    assert out.split('\n')[:2] == ['source %d' % box.source.port,
                                   'replica1 %d' % box.replicas[0].port]
    # up on a running sandbox: the same servers, as a document.
    code, out, err = cli('--json', 'sandbox', 'up', '--base-dir',
                         box.base_dir)
    assert code == 0, err
    document = json.loads(out)
    assert set(document) == {'base_dir', 'servers', 'state_file'}
    assert [s['name'] for s in document['servers']] == ['source',
                                                        'replica1']
    code, out, err = cli('sandbox', 'up', '--base-dir', box.base_dir,
                         '-f', 'yaml', '-c', 'name')
    assert yaml.safe_load(out)['servers'] == [{'name': 'source'},
                                              {'name': 'replica1'}]


def test_status_into_a_closed_pipe(sandbox_factory):
    box = sandbox_factory(replicas=1)
    for reader in ('head -0', 'head -1', 'true'):
        done = subprocess.run(
            ['/bin/bash', '-c',
             'set -o pipefail; "$0" -m trove_gtid_strategy.cmd.main sandbox '
             'status --base-dir "$1" | %s' % reader,
             sys.executable, box.base_dir],
            capture_output=True, text=True, timeout=300)
        assert 'Traceback' not in done.stderr, done.stderr
        assert 'Exception ignored' not in done.stderr, done.stderr
        assert done.returncode in (0, 141), (reader, done)


def test_attach_detach_and_accounts_formats(sandbox_factory):
    box = sandbox_factory(replicas=2)
    code, out, err = cli(*attach_args(box))
    assert code == 0, err
    assert '| Field ' in out and '| mode ' in out
    assert '| replication_user ' in out
    # Progress lines on stderr; a wait that lasts names the server waited
    # for as the sandbox names it (whether one lasts depends on timing
    # here: tests/unit/test_waits proves the names on scripted waits).
    assert '  ... Pre-checks passed' in err, err
    for line in err.splitlines():
        if 'replication threads' in line or 'waiting to apply' in line:
            assert line.startswith('  ... replica1: '), line
    # --json before the command; the keys scripts read.
    code, result = run('--json', *attach_args(box, 'replica2'))
    assert code == 0, result
    assert {'mode', 'verdict', 'replication_user', 'account_created',
            'start', 'notes', 'source', 'replica', 'tls'} <= set(result)
    code, out, err = cli(*attach_args(box), '-f', 'value', '-c', 'mode')
    assert code == 0, err
    assert out.strip() in ('mysql_gtid', 'mariadb_gtid')
    code, out, err = cli('accounts', '--sandbox', box.base_dir, '--source',
                         'source')
    assert code == 0, err
    assert '| name ' in out and 'in use' in out
    code, result = run('accounts', '--sandbox', box.base_dir, '--source',
                       'source')
    assert set(result) == {'source', 'accounts'}
    assert all(set(a) >= {'name', 'host', 'tls', 'flags', 'ours', 'via',
                          'locked', 'state', 'used_by', 'dropped'}
               for a in result['accounts'])
    # Ours, one per replica, both in use; the administrator's account
    # reads the binary log too, and is listed as such (not ours).
    ours = [a for a in result['accounts'] if a['ours']]
    assert len(ours) == 2 and all(a['state'] == 'in use' for a in ours)
    admin = box.source.dsn.user
    assert [a['ours'] for a in result['accounts']
            if a['name'] == admin] == [False, False]
    code, out, err = cli('detach', '--sandbox', box.base_dir, '--replica',
                         'replica2', '--source', 'source', '-f', 'yaml')
    assert code == 0, err
    assert yaml.safe_load(out)['replication_user'].startswith('repl_')


def test_debug_logs_statements_masked_and_json_stays_clean(sandbox_factory):
    box = sandbox_factory(replicas=1)
    password = box.source.dsn.password
    code, out, err = cli('--debug', *attach_args(box), '--json')
    assert code == 0, err
    result = json.loads(out)
    assert result['replication_user']
    assert 'SQL: ' in err
    assert password not in out + err
    # The change-source statement is logged, its password masked.
    changes = [line for line in err.splitlines()
               if 'MASTER_PASSWORD' in line or 'SOURCE_PASSWORD' in line]
    assert changes, err
    assert all("_PASSWORD = '***'" in line for line in changes), changes
    assert 'Traceback' not in err


def test_wrong_password_is_one_line(sandbox_factory):
    box = sandbox_factory(replicas=1)
    wrong = 'mysql://%s:not-the-password@127.0.0.1:%d' % (
        box.source.dsn.user, box.source.port)
    for flags in ([], ['--debug'], ['-vv']):
        code, out, err = cli(*flags, 'detach', '--replica', wrong)
        assert code == 1, err
        assert 'Traceback' not in err
        assert 'not-the-password' not in out + err
        # The password on the command line is warned about, once; the
        # failure is one line.
        warned, line = [x for x in err.splitlines()
                        if x.startswith('trove-gtid')]
        assert warned.startswith('trove-gtid: warning: a password '), err
        assert line.startswith('trove-gtid: failed: replica mysql://%s:***@'
                               '127.0.0.1:%d: (1045) ' % (
                                   box.source.dsn.user, box.source.port))
    code, result = run('detach', '--replica', wrong)
    assert code == 1 and result['kind'] == 'connection'


def test_plan_from_a_live_server(sandbox_factory):
    box = sandbox_factory(replicas=0)
    version = query(box.source, 'SELECT @@version')[0][0]
    code, result = run('plan', '--sandbox', box.base_dir, '--from', 'source')
    assert code == 0, result
    assert result['version_from'] == 'server'
    assert version.startswith(result['version'] + '-') or \
        version == result['version']
    assert result['flavor'] == ('mysql' if is_mysql(box.source)
                                else 'mariadb')
    assert result['notes'][0].startswith('version %s read from mysql://'
                                         % result['version'])
    assert box.source.dsn.password not in json.dumps(result)
