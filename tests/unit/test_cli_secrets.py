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

"""No secret on a command line (issue 15, item 3), without a server: the
warning a password in a DSN argument earns (once per run, not with -q),
option files that are bad input before any server is contacted, and the
help naming the safe forms. Servers on closed ports: a command that got
as far as connecting would exit 1, not 2.
"""

import contextlib
import io
import json
import os
import socket

import pytest

from trove_gtid_strategy.cmd import args as cli_args
from trove_gtid_strategy.cmd import main

SECRET = 'Sup3r-s3cret'


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main.main(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def ports():
    found = []
    for _ in range(2):
        with socket.socket() as s:
            s.bind(('127.0.0.1', 0))
            found.append(s.getsockname()[1])
    return found


def warnings(err):
    return [line for line in err.splitlines()
            if line.startswith('trove-gtid: warning: ')]


def test_a_password_in_dsns_warns_once_per_run(ports):
    first, second = ['mysql://root:%s@127.0.0.1:%d' % (SECRET, p)
                     for p in ports]
    for _ in range(2):   # each run in one process warns again
        code, out, err = run('status', first, second)
        assert code == 1, err
        warned, = warnings(err)
        assert warned == 'trove-gtid: ' + cli_args.PASSWORD_WARNING % (
            'SERVER')
        for form in ('?password_env=NAME', '?defaults_file=PATH',
                     '~/.my.cnf'):
            assert form in warned
        assert SECRET not in out + err
    code, out, err = run('-q', 'status', first, second)
    assert code == 1 and warnings(err) == [], err
    code, out, err = run('--quiet', 'detach', '--replica', first, '--json')
    assert code == 1 and warnings(err) == [], err
    assert json.loads(out)['kind'] == 'connection'


def test_safe_forms_never_warn(ports, tmp_path, monkeypatch):
    monkeypatch.setenv('TG_PW', SECRET)
    cnf = tmp_path / 'c.cnf'
    cnf.write_text('[client]\nuser = root\npassword = "%s"\n' % SECRET)
    os.chmod(cnf, 0o600)
    (tmp_path / '.my.cnf').write_text('[client]\npassword = x\n')
    monkeypatch.setenv('HOME', str(tmp_path))
    for dsn in ('mysql://root@127.0.0.1:%d?password_env=TG_PW',
                'mysql://127.0.0.1:%%d?defaults_file=%s' % cnf,
                'mysql://root@127.0.0.1:%d',
                'mysql://root:@127.0.0.1:%d'):
        code, out, err = run('status', dsn % ports[0])
        assert code == 1, (dsn, err)
        assert warnings(err) == [], (dsn, err)
        assert 'unreachable' in out and SECRET not in out + err


def test_a_bad_option_file_is_bad_input_before_any_server(ports, tmp_path,
                                                          monkeypatch):
    missing = str(tmp_path / 'missing.cnf')
    included = tmp_path / 'inc.cnf'
    included.write_text('[client]\n!include /etc/mysql/debian.cnf\n')
    for dsn, named in (
            ('mysql://root@127.0.0.1:%d?defaults_file=' + missing,
             'cannot read %s: No such file or directory' % missing),
            ('mysql://root:%s@127.0.0.1:%%d?defaults_file=%s' % (
                SECRET, included), 'inc.cnf line 2: !include is not')):
        text = dsn % ports[0]
        code, out, err = run('accounts', '--source', text)
        assert code == 2, err
        line, = err.strip().splitlines()   # one line, no warning before
        assert line.startswith("trove-gtid: error: --source: invalid DSN "
                               "'mysql://root")
        assert named in line and SECRET not in line
        code, out, err = run('--json', 'accounts', '--source', text)
        assert code == 2 and json.loads(out)['kind'] == 'bad_input'
    (tmp_path / '.my.cnf').write_text('[client]\npassword\n')
    monkeypatch.setenv('HOME', str(tmp_path))
    code, out, err = run('status', 'mysql://root@127.0.0.1:%d' % ports[0])
    assert code == 2
    assert '~/.my.cnf: %s line 2: password without a value' % (
        tmp_path / '.my.cnf') in err


def test_help_shows_the_safe_forms():
    code, out, err = run('help', 'accounts')
    assert code == 0
    text = ' '.join(out.split())
    for form in ('mysql://USER@HOST:PORT?password_env=NAME',
                 'mysql://HOST:PORT?defaults_file=PATH', '~/.my.cnf',
                 'a warning says so', 'any_host', 'plaintext'):
        assert form in text, form
