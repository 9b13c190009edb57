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

"""No secret on a command line, and the accounts audit, on real servers
(issue 15, items 3 and 4).

* option files read as each line's own ``my_print_defaults`` reads them;
  a DSN with ``?defaults_file=`` or one reading ``~/.my.cnf`` logs in
  with a password full of quotes, blanks and ``#``;
* a password in a DSN argument warns once per run, not with ``-q``, not
  for the safe forms nor for sandbox names;
* while ``trove-gtid`` runs (held on a server lock), its
  ``/proc/PID/cmdline`` holds the password only when the DSN does;
* ``accounts`` lists every account that reads the binary log: made by
  hand with ``REQUIRE SSL`` for host ``127.0.0.2`` (MariaDB 10.11 as
  packaged has no certificates, and creates it all the same), others'
  and ours, through a role, the one a binlog dump from ``127.0.0.2``
  logged in as; ``--drop-unused`` drops only ours.
"""

import contextlib
import json
import os
import struct
import subprocess
import sys

from pymysql.constants import COMMAND
import pytest

from trove_gtid_strategy.guest import connection
from trove_gtid_strategy.guest import locks
from trove_gtid_strategy import option_file

from support import accounts
from support import CountingService
from support import is_mysql
from support import query
from support import run
from support import status
from support import until

CLI = [sys.executable, '-m', 'trove_gtid_strategy.cmd.main']
# Blanks, both quotes, #, ;, a backslash: what a careless reader breaks.
TRICKY = 'a "b" c#d;e\\f\'g'


def cli(*argv, env=None):
    done = subprocess.run(CLI + list(argv), capture_output=True, text=True,
                          timeout=600, env=env)
    return done.returncode, done.stdout, done.stderr


def environ(home, **extra):
    return dict(os.environ, HOME=str(home), **extra)


def write_cnf(path, text):
    path.write_text(text)
    os.chmod(path, 0o600)
    return str(path)


def warnings(err):
    return [line for line in err.splitlines()
            if line.startswith('trove-gtid: warning: ')]


# -- option files ------------------------------------------------------

CLIENT_FILE = '''# the values my_print_defaults prints back
[client]
v1 = plain   # a comment
v2="a b#c"
v3 = a#b
v4 = 'a#b'x
v5 = 'x\\'y'
v6 = abc\\
v7 = "  spaced  "
v8 = "q" "r"
v9 = "x\\sy\\tz\\\\w\\qv"
v10 = a;b
v11 =
  v12 = indented
loose-v13 = loose
[  client  ]
skipped = leading blanks name another group
[CLIENT]   text after the bracket
v14 = upper-case group
[mysql]
v15 = another program's
[client ]
v16 = "unbalanced
'''


def test_option_file_reads_as_the_client(server_line, tmp_path):
    tool = server_line.host_path('/usr/bin/my_print_defaults')
    assert tool and os.path.exists(tool), (
        'no my_print_defaults in line %s' % server_line.name)
    path = write_cnf(tmp_path / 'client.cnf', CLIENT_FILE)
    done = subprocess.run(
        server_line.command('/usr/bin/my_print_defaults')
        + ['--defaults-file=' + path, 'client'],
        capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    theirs = [line[2:].partition('=')[::2]
              for line in done.stdout.split('\n') if line]
    ours = [(name, value) for _, name, value in
            option_file.options(CLIENT_FILE, path)]
    # The client keeps loose- (its option parser drops it later).
    assert [('loose-' + n if n == 'v13' else n, v) for n, v in ours] \
        == theirs
    assert len(theirs) == 15


def test_defaults_file_and_my_cnf_log_in(sandbox_factory, tmp_path):
    box = sandbox_factory(replicas=0)
    query(box.source, "CREATE USER 'tg_cnf'@'%%' IDENTIFIED BY %s",
          TRICKY)
    escaped = TRICKY.replace('\\', '\\\\').replace('"', '\\"')
    cnf = write_cnf(tmp_path / 'db.cnf',
                    '[client]\nuser = tg_cnf\npassword = "%s"  # quoted\n'
                    'port = %d\nhost = 127.0.0.1\n' % (escaped,
                                                       box.source.port))
    home = tmp_path / 'home'
    home.mkdir()
    for dsn in ('mysql://?defaults_file=%s' % cnf,
                'mysql://127.0.0.1:%d?defaults_file=%s' % (box.source.port,
                                                           cnf)):
        code, out, err = cli('plan', '--from', dsn, '--json',
                             env=environ(home))
        assert code == 0, err
        assert json.loads(out)['version_from'] == 'server'
        assert warnings(err) == [] and TRICKY not in out + err
    # ~/.my.cnf: only when it exists, and only for a DSN with no password.
    plain = 'mysql://tg_cnf@127.0.0.1:%d' % box.source.port
    code, out, err = cli('plan', '--from', plain, env=environ(home))
    assert code == 1 and '(1045)' in err, err
    write_cnf(home / '.my.cnf', '[client]\npassword = "%s"\n' % escaped)
    code, out, err = cli('plan', '--from', plain, '--json',
                         env=environ(home))
    assert code == 0, err
    code, out, err = cli('plan', '--from', plain.replace('@', ':@'),
                         env=environ(home))
    assert code == 1 and '(1045)' in err, err
    # A file that cannot be read: bad input, the server never asked.
    missing = str(tmp_path / 'missing.cnf')
    code, out, err = cli('plan', '--from', 'mysql://127.0.0.1:%d?'
                         'defaults_file=%s' % (box.source.port, missing),
                         env=environ(home))
    assert code == 2, err
    assert err.strip().splitlines() == [
        "trove-gtid: error: --from: invalid DSN 'mysql://127.0.0.1:%d?"
        "defaults_file=%s': cannot read %s: No such file or directory"
        % (box.source.port, missing, missing)]


# -- the warning ----------------------------------------------------------

@pytest.mark.any_line
def test_a_password_on_the_command_line_warns_once(sandbox_factory,
                                                   tmp_path):
    box = sandbox_factory(replicas=1)
    admin = box.source.dsn

    def inline(server):
        return 'mysql://%s:%s@127.0.0.1:%d' % (admin.user, admin.password,
                                               server.port)
    args = ['accounts', '--source', inline(box.source), '--replica',
            inline(box.replicas[0])]
    code, out, err = cli(*args, env=environ(tmp_path))
    assert code == 0, err
    warned, = warnings(err)
    assert '(--source)' in warned and admin.password not in out + err
    code, out, err = cli('-q', *args, env=environ(tmp_path))
    assert code == 0 and warnings(err) == [], err
    # The safe forms, and sandbox names, never warn.
    safe = ['mysql://%s@127.0.0.1:%d?password_env=TG_PW' % (
        admin.user, s.port) for s in (box.source, box.replicas[0])]
    for argv in (['accounts', '--source', safe[0], '--replica', safe[1]],
                 ['accounts', '--sandbox', box.base_dir, '--source',
                  'source', '--replica', 'replica1']):
        code, out, err = cli(*argv, env=environ(tmp_path,
                                                TG_PW=admin.password))
        assert code == 0, err
        assert warnings(err) == [], err


# -- the process list ------------------------------------------------------

def _holds(pid, path):
    """Whether process ``pid`` has ``path`` open (it waits on that lock)."""
    try:
        fds = os.listdir('/proc/%d/fd' % pid)
    except FileNotFoundError:
        return False
    for fd in fds:
        try:
            if os.readlink('/proc/%d/fd/%s' % (pid, fd)) == path:
                return True
        except OSError:
            continue
    return False


@pytest.mark.any_line
def test_the_process_list_shows_no_password(sandbox_factory, tmp_path):
    box = sandbox_factory(replicas=0)
    admin = box.source.dsn
    cnf = write_cnf(tmp_path / 'admin.cnf',
                    '[client]\nuser = %s\npassword = "%s"\n'
                    % (admin.user, admin.password))
    lock_dir = str(tmp_path / 'locks')
    env = environ(tmp_path, TG_PW=admin.password,
                  **{locks.LOCK_DIR_ENV: lock_dir})
    forms = {
        'password_env': 'mysql://%s@127.0.0.1:%d?password_env=TG_PW' % (
            admin.user, box.source.port),
        'defaults_file': 'mysql://127.0.0.1:%d?defaults_file=%s' % (
            box.source.port, cnf),
        # The control: the check sees a password where there is one.
        'inline': 'mysql://%s:%s@127.0.0.1:%d' % (
            admin.user, admin.password, box.source.port)}
    os.environ[locks.LOCK_DIR_ENV] = lock_dir
    try:
        lock_path = os.path.join(locks.lock_dir(),
                                 locks.server_key(admin) + '.lock')
        for form, dsn in forms.items():
            with locks.server_locks([('source', admin)], 0, 'the test'):
                child = subprocess.Popen(
                    CLI + ['accounts', '--source', dsn, '--lock-timeout',
                           '300', '--json'], env=env,
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                    text=True)
                with contextlib.ExitStack() as stack:
                    stack.callback(child.kill)
                    until(lambda: _holds(child.pid, lock_path),
                          lambda held: held or child.poll() is not None,
                          'trove-gtid (%s) to wait on the lock' % form)
                    assert child.poll() is None, child.communicate()
                    with open('/proc/%d/cmdline' % child.pid, 'rb') as f:
                        cmdline = f.read().decode()
                    stack.pop_all()
                assert (admin.password in cmdline) is (form == 'inline'), \
                    (form, cmdline.replace(admin.password, '<password>'))
            out, err = child.communicate(timeout=300)
            assert child.returncode == 0, (form, err)
            assert json.loads(out)['accounts'], form
    finally:
        del os.environ[locks.LOCK_DIR_ENV]


# -- the audit -------------------------------------------------------------

def dump_sessions(server):
    """The users of the binlog dump sessions on ``server`` now. SHOW
    PROCESSLIST, not information_schema: polled, MariaDB's query of the
    latter makes an on-disk temporary table each time, and twice, while
    another suite ran servers beside this one, failed deleting it (error 6
    on /tmp/#sql-temptable-*).
    """
    return [row[1] for row in query(server, 'SHOW PROCESSLIST')
            if str(row[4]).startswith('Binlog Dump')]


@contextlib.contextmanager
def binlog_dump(server, user, password, bind='127.0.0.2'):
    """A replica's binlog dump session from ``bind``, as ``user``: what a
    replica connecting from another host looks like to the source.
    """
    conn = connection.connect(host='127.0.0.1', port=server.port, user=user,
                              password=password, bind_address=bind,
                              ssl_disabled=True, autocommit=True)
    try:
        with conn.cursor() as cur:
            # Without it a source with checksums refuses the dump.
            cur.execute('SET @master_binlog_checksum = '
                        '@@global.binlog_checksum, @source_binlog_checksum'
                        ' = @@global.binlog_checksum')
        log = query(server, 'SHOW BINARY LOGS')[-1][0]
        # COM_BINLOG_DUMP: position, flags (0: block for more), a
        # server_id no sandbox server has, the log. PyMySQL has no call.
        conn._execute_command(COMMAND.COM_BINLOG_DUMP, struct.pack(
            '<IHI', 4, 0, 4000000001) + log.encode())
        until(lambda: dump_sessions(server), lambda found: user in found,
              'the binlog dump of %s' % user)
        yield
    finally:
        conn.close()


def _by_account(result):
    return {(a['name'], a['host']): a for a in result['accounts']}


def test_accounts_audit_lists_every_reader(sandbox_factory, server_line):
    box = sandbox_factory(replicas=2)
    for name in ('replica1', 'replica2'):
        code, result = run('attach', '--sandbox', box.base_dir, '--source',
                           'source', '--replica', name)
        assert code == 0, result
    for sql in (
            "CREATE USER 'tg_tls'@'127.0.0.2' IDENTIFIED BY 'Tls-pw-1' "
            "REQUIRE SSL",
            "CREATE USER 'tg_x509'@'%' IDENTIFIED BY 'X509-pw-1' "
            "REQUIRE X509",
            "CREATE USER 'someone_else'@'%' IDENTIFIED BY 'Else-pw-1'",
            "CREATE USER 'repl_admin'@'%' IDENTIFIED BY 'Admin-pw-1'",
            "CREATE USER 'tg_dup'@'127.0.0.2' IDENTIFIED BY 'Dup-pw-1'",
            "CREATE USER 'tg_dup'@'%' IDENTIFIED BY 'Dup-pw-2'",
            'CREATE ROLE tg_role',
            "CREATE USER 'tg_via_role'@'%' IDENTIFIED BY 'Role-pw-1'",
            'GRANT REPLICATION SLAVE ON *.* TO tg_role',
            "GRANT tg_role TO 'tg_via_role'@'%'",
            "GRANT ALL PRIVILEGES ON *.* TO 'repl_admin'@'%'",
            "CREATE USER 'tg_app'@'%' IDENTIFIED BY 'App-pw-1'",
            "GRANT SELECT ON *.* TO 'tg_app'@'%'") + tuple(
            "GRANT REPLICATION SLAVE ON *.* TO %s" % account
            for account in ("'tg_tls'@'127.0.0.2'", "'tg_x509'@'%'",
                            "'someone_else'@'%'", "'tg_dup'@'127.0.0.2'",
                            "'tg_dup'@'%'")):
        query(box.source, sql)
    # An account an older release leaked: ours, unused.
    source = CountingService(box.source)
    for stmt in source.dialect().create_replication_user('repl_leaked0001',
                                                         'Leak-pw-1'):
        source.execute_sql(stmt.sql)
    query(box.replicas[1], 'STOP REPLICA')
    stopped = _statuses(box)[1].source_user
    # The source notices a stopped replica at its next heartbeat (up to
    # 30 s away): its dump session is ended here instead.
    for row in query(box.source, 'SHOW PROCESSLIST'):
        if row[1] == stopped and str(row[4]).startswith('Binlog Dump'):
            query(box.source, 'KILL %s', row[0])
    until(lambda: dump_sessions(box.source),
          lambda found: stopped not in found,
          'the dump session of %s to end' % stopped)
    with binlog_dump(box.source, 'tg_dup', 'Dup-pw-1'):
        code, result = run('accounts', '--sandbox', box.base_dir,
                           '--source', 'source', '--replica', 'replica2')
        assert code == 0, result
        code, out, err = cli('accounts', '--sandbox', box.base_dir,
                             '--source', 'source', '-c', 'name', '-c',
                             'host', '-c', 'tls', '-f', 'value')
    assert code == 0, err
    assert 'tg_tls 127.0.0.2 SSL' in out.splitlines()
    found = _by_account(result)
    assert ('tg_app', '%') not in found
    tls = found[('tg_tls', '127.0.0.2')]
    assert (tls['tls'], tls['flags'], tls['ours']) == ('SSL', [], False)
    assert found[('tg_x509', '%')]['tls'] == 'X509'
    assert found[('tg_x509', '%')]['flags'] == ['any_host']
    assert found[('someone_else', '%')]['flags'] == ['any_host',
                                                     'plaintext']
    assert not found[('repl_admin', '%')]['ours']
    assert found[('tg_via_role', '%')]['via'] == (
        'role tg_role@%' if is_mysql(box.source) else 'role tg_role')
    # The dump from 127.0.0.2 logged in as the more specific account.
    assert found[('tg_dup', '127.0.0.2')]['used_by'] == [
        'connected from 127.0.0.2']
    assert found[('tg_dup', '%')]['used_by'] == []
    ours = {key: a for key, a in found.items() if a['ours']}
    assert sorted(name for name, _ in ours) == sorted(
        [status.source_user for status in _statuses(box)]
        + ['repl_leaked0001'])
    replica1, replica2 = _statuses(box)
    assert [a['used_by'] for (name, _), a in ours.items()
            if name == replica1.source_user] == [['connected from '
                                                  '127.0.0.1']]
    assert [a['used_by'] for (name, _), a in ours.items()
            if name == replica2.source_user] == [[
                box.replicas[1].dsn.redacted()]]
    # Only ours go, and only the unused one; the rest stay as they were.
    before = accounts(box.source)
    code, result = run('accounts', '--sandbox', box.base_dir, '--source',
                       'source', '--replica', 'replica2', '--drop-unused',
                       '--dry-run')
    assert code == 0, result
    states = {key: a['state'] for key, a in _by_account(result).items()}
    assert [name for (name, _), state in states.items()
            if state == 'would be dropped'] == ['repl_leaked0001']
    assert states[('someone_else', '%')] == \
        'unused, kept: not created by trove-gtid'
    assert accounts(box.source) == before
    code, result = run('accounts', '--sandbox', box.base_dir, '--source',
                       'source', '--replica', 'replica2', '--drop-unused')
    assert code == 0, result
    assert [name for (name, _), a in _by_account(result).items()
            if a['dropped']] == ['repl_leaked0001']
    assert accounts(box.source) == [a for a in before
                                    if a[0] != 'repl_leaked0001']


def _statuses(box):
    return [status(CountingService(r)) for r in box.replicas]
