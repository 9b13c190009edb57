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

"""The ``trove-gtid`` command layer, without a server.

Exit statuses for bad input on every command (2, before any server is
contacted), ``--json`` before and after the command, ``-f``/``-c``, help
text without reStructuredText and with every default, ``--version``, no
password in any message, a closed output pipe, Ctrl-C, bugs, the
entry points, GTID algebra for MySQL and MariaDB, and ``plan``.
"""

import argparse
import configparser
import contextlib
import importlib.metadata
import io
import json
import os
import socket
import subprocess
import sys

import pbr.version
import pytest
import yaml

from trove_gtid_strategy.cmd import args as cli_args
from trove_gtid_strategy.cmd import base
from trove_gtid_strategy.cmd import gtid_tools
from trove_gtid_strategy.cmd import main
from trove_gtid_strategy.cmd import plan
from trove_gtid_strategy import exceptions
from trove_gtid_strategy import strategy

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
UUID = '3e11fa47-71ca-11e1-9e33-c80aa9429562'
OTHER = '4e11fa47-71ca-11e1-9e33-c80aa9429562'
SECRET = 'Sup3r-s3cret'
# RST roles and literals must not reach --help.
RST = ('``', ':class:', ':mod:', ':func:', ':meth:', ':data:', '.. ')


def run(*argv):
    """``trove-gtid ARGV`` in this process: (status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main.main(list(argv))
    return code, out.getvalue(), err.getvalue()


def run_json(*argv):
    code, out, err = run(*argv)
    return code, json.loads(out), err


def run_process(*argv, **kwargs):
    return subprocess.run(
        [sys.executable, '-m', 'trove_gtid_strategy.cmd.main'] + list(argv),
        capture_output=True, text=True, timeout=120, **kwargs)


def _closed_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.fixture
def closed_port():
    """A TCP port on 127.0.0.1 nobody listens on."""
    return _closed_port()


@pytest.fixture
def other_closed_port(closed_port):
    """Another one, for a second server."""
    port = _closed_port()
    while port == closed_port:
        port = _closed_port()
    return port


@pytest.fixture(autouse=True)
def clean_options():
    yield
    for name in ('replication_mode', 'allow_crash_unsafe_binlog'):
        strategy.CONF.clear_override(name, group='trove_gtid_strategy')


def command_names():
    app = main.TroveGtidApp()
    return sorted(name for name, _ in app.command_manager)


def parser_of(name):
    app = main.TroveGtidApp()
    factory, found, _ = app.command_manager.find_command(name.split())
    cmd = factory(app, None, cmd_name=found)
    return cmd.get_parser('trove-gtid ' + found)


# -- entry points --------------------------------------------------------

def _setup_cfg_commands():
    config = configparser.ConfigParser()
    config.read(os.path.join(ROOT, 'setup.cfg'))
    text = config['entry_points'][main.NAMESPACE]
    return dict(line.split(' = ') for line in text.strip().splitlines())


def test_every_entry_point_is_installed_and_a_command():
    declared = _setup_cfg_commands()
    installed = {ep.name: ep.value for ep in importlib.metadata.entry_points(
        group=main.NAMESPACE)}
    assert installed == declared, (
        'setup.cfg and the installed entry points differ: run pip install '
        '-e . again')
    for name, ep in ((ep.name, ep) for ep in importlib.metadata.entry_points(
            group=main.NAMESPACE)):
        cls = ep.load()
        assert issubclass(cls, (base.ShowOne, base.Lister)), \
            name


def test_commands_are_multi_word():
    names = command_names()
    for expected in ('attach', 'detach', 'accounts', 'plan', 'demo',
                     'sandbox up', 'sandbox status', 'sandbox down',
                     'gtid normalize', 'gtid union', 'gtid subtract',
                     'gtid intersect', 'gtid contains', 'help', 'complete'):
        assert expected in names


# -- help and version ----------------------------------------------------

def test_help_lists_every_command_without_rst():
    code, out, err = run('help')
    assert code == 0, err
    for name in command_names():
        assert name in out
    assert not any(mark in out for mark in RST), out
    code, same, _ = run('--help')
    assert code == 0 and same == out


@pytest.mark.parametrize('name', [n for n in command_names()
                                  if n not in ('help', 'complete')])
def test_command_help_has_no_rst_and_every_default(name):
    code, out, err = run('help', *name.split())
    assert code == 0, err
    assert out.startswith('usage: trove-gtid %s' % name)
    assert not any(mark in out for mark in RST), out
    code, same, _ = run(*name.split(), '--help')
    assert code == 0 and same == out
    # Every option says its default (cliff's formatter options too).
    for action in parser_of(name)._actions:
        if not action.option_strings or action.dest == 'help' or \
                action.help == argparse.SUPPRESS:
            continue
        text = action.help or ''
        assert 'default' in text or 'required' in text, (
            name, action.option_strings, text)
        assert not any(mark in text for mark in RST), text


def test_global_help_names_every_default():
    for action in main.TroveGtidApp().parser._actions:
        if action.dest in ('help', 'version'):
            continue
        assert 'default' in action.help, action.option_strings


def test_sandbox_base_dir_default_is_in_help():
    from trove_gtid_strategy.cmd import sandbox
    for name in ('up', 'status', 'down'):
        code, out, _ = run('help', 'sandbox', name)
        assert sandbox.DEFAULT_BASE_DIR in out


def test_version_is_the_packages():
    expected = pbr.version.VersionInfo(
        'trove-gtid-strategy').version_string()
    code, out, err = run('--version')
    assert code == 0
    assert out.strip() == 'trove-gtid %s' % expected
    # plan's own --version is the datastore label, not the application's.
    code, out, err = run('plan', '--datastore', 'mysql', '--version', '5.7',
                         '-f', 'value', '-c', 'label')
    assert (code, out) == (0, '5.7\n'), err


def test_complete_prints_a_script():
    code, out, err = run('complete')
    assert code == 0, err
    assert 'sandbox' in out and 'attach' in out and '--json' in out
    code, result, err = run_json('complete', '--json')
    assert code == 0 and result == {'script': out}


def test_help_as_json_and_unknown_words():
    code, text, _ = run('help', 'attach')
    assert code == 0 and '--replica' in text
    for argv in (('help', 'attach', '--json'), ('--json', 'help', 'attach')):
        code, result, err = run_json(*argv)
        assert code == 0 and result == {'help': text}, err
    code, result, _ = run_json('help', '--json')
    assert code == 0 and 'sandbox up' in result['help']
    # One word lists the commands it begins; more words must name one.
    code, out, _ = run('help', 'sandbox')
    assert code == 0 and 'sandbox status' in out
    code, out, err = run('help', 'sandbox', 'nosuch')
    assert code == 2 and "unknown command 'sandbox nosuch'" in err
    # Option values are not command words.
    code, out, err = run('nosuch', '-f', 'yaml')
    assert code == 2 and "'nosuch'" in out and 'yaml\'' not in out


def test_conflicting_output_formats_are_refused():
    for argv in (('--json', 'gtid', 'normalize', '0-1-1', '-f', 'yaml'),
                 ('gtid', 'normalize', '0-1-1', '-f', 'yaml', '--json'),
                 ('gtid', 'normalize', '0-1-1', '--json', '--format=value')):
        code, out, err = run(*argv)
        assert code == 2 and 'conflicting output formats' in out + err, argv
    code, out, err = run('gtid', 'normalize', '0-1-1', '--json', '-f', 'json')
    assert code == 0 and json.loads(out)['result'] == '0-1-1'


def test_python_m_runs_the_command():
    done = run_process('gtid', 'normalize', '%s:1-3:2-9' % UUID.upper())
    assert (done.returncode, done.stdout) == (0, '%s:1-9\n' % UUID)
    done = run_process('help')
    # The commands are the application's own: no "provided by" plugins.
    assert done.returncode == 0 and 'trove-gtid-strategy' not in done.stdout


# -- bad input: exit 2 before any server --------------------------------

def bad_inputs(port, tmp):
    dsn = 'mysql://root@127.0.0.1:%d' % port
    # Another server: only the bad part of each line is wrong.
    rep = 'mysql://root@127.0.0.1:%d' % (port - 1 if port > 1024
                                         else port + 1)
    seed = os.path.join(tmp, 'seed.sql')
    with open(seed, 'w') as f:
        f.write('no position here\n')
    return [
        [],
        ['no-such-command'],
        ['--no-such-option', 'plan'],
        ['attach'],
        ['attach', '--source', dsn],
        ['attach', '--source', 'http://x', '--replica', rep],
        ['attach', '--source', dsn, '--replica', 'mysql://@h'],
        ['attach', '--source', dsn, '--replica', rep, '--mode', 'fast'],
        ['attach', '--source', dsn, '--replica', rep, '--tls', 'verify'],
        ['attach', '--source', dsn, '--replica', rep, '--ca-file', 'x'],
        ['attach', '--source', dsn, '--replica', rep, '--cert-file', 'x',
         '--tls', 'required'],
        ['attach', '--source', dsn, '--replica', rep, '--lock-timeout', '-1'],
        ['attach', '--source', dsn, '--replica', rep, '--lock-timeout', 'x'],
        ['attach', '--source', dsn, '--replica', rep, '--seed-from', seed],
        ['attach', '--source', dsn, '--replica', rep, '--seed-from',
         os.path.join(tmp, 'missing.sql')],
        ['attach', '--source', dsn, '--replica', rep, '--conf-dir',
         os.path.join(tmp, 'missing')],
        ['attach', '--source', 'source', '--replica', 'replica1',
         '--sandbox', os.path.join(tmp, 'no-sandbox')],
        ['attach', '--source', dsn, '--replica', rep, '-c', 'nope'],
        ['detach'],
        ['detach', '--replica', 'mysql://u@h:99999'],
        ['detach', '--replica', rep, '--lock-timeout', 'nan'],
        ['accounts'],
        ['accounts', '--source', 'mysql://u@h:x'],
        ['accounts', '--source', dsn, '--replica', 'ftp://x'],
        ['plan'],
        ['plan', '--datastore', 'mysql'],
        ['plan', '--datastore', 'oracle', '--version', '5.7'],
        ['plan', '--datastore', 'mysql', '--version', 'five'],
        ['plan', '--datastore', 'mysql', '--version', 'mariadb-10.4'],
        ['plan', '--datastore', 'mysql', '--version', '5.5', '--mode', 'gtid'],
        ['plan', '--datastore', 'mysql', '--version', '5.7',
         '--server-version', 'banana'],
        ['plan', '--datastore', 'mysql', '--version', '5.7',
         '--server-version', '10.11.6-MariaDB'],
        ['plan', '--from', dsn, '--server-version', '5.7.1'],
        ['plan', '--from', 'mysql://u:p@h:bad'],
        ['plan', '--datastore', 'mysql', '--version', '5.7', '-f', 'xml'],
        ['gtid'],
        ['gtid', 'normalize'],
        ['gtid', 'normalize', 'nonsense'],
        ['gtid', 'normalize', '%s:0' % UUID],
        ['gtid', 'normalize', '0-1-5,0-2-6'],
        ['gtid', 'union', '%s:1' % UUID],
        ['gtid', 'union', '%s:1' % UUID, '0-1-5'],
        ['gtid', 'subtract', '0-1-5', '%s:1' % UUID],
        ['gtid', 'contains', '0-1-x', '0-1-5'],
        ['gtid', 'intersect', '0-1-5', '1-1-5', 'extra'],
        ['sandbox', 'up', '--base-dir', os.path.join(tmp, 'box'),
         '--replicas', '-1'],
        ['sandbox', 'up', '--base-dir', os.path.join(tmp, 'box'),
         '--replicas', 'two'],
        ['sandbox', 'up', '--base-dir', os.path.join(tmp, 'box'),
         '--server', 'no-such-line'],
        ['sandbox', 'status', '--bogus'],
        ['sandbox', 'down', '-c', 'nope'],
        ['demo', '--rows', '0'],
        ['demo', '--rows', 'many'],
        ['demo', '--server', 'mariadb-10.11', '--mysqld', '/bin/true'],
        ['help', 'no-such-command'],
    ] + [argv for argv, _ in named_bad_inputs(port, tmp)]


def named_bad_inputs(port, tmp):
    """Bad input, each with what its one-line error must name."""
    dsn = 'mysql://root@127.0.0.1:%d' % port
    rep = 'mysql://root@localhost:%d' % (port - 1 if port > 1024
                                         else port + 1)
    same = 'mysql://root@localhost:%d' % port
    conf = os.path.join(tmp, 'not-utf8.conf')
    with open(conf, 'wb') as f:
        f.write(b'\xff\xfe[trove_gtid_strategy]\n')
    bad_value = os.path.join(tmp, 'bad-value.conf')
    with open(bad_value, 'w') as f:
        f.write('[trove_gtid_strategy]\nreplication_durability = bogus\n')
    return [
        (['attach', '--source', dsn, '--replica', same],
         '--source and --replica name the same server'),
        (['check', '--source', dsn, '--replica', dsn],
         '--source and --replica name the same server'),
        (['repair-errant', '--source', rep, '--replica', rep],
         'name the same server'),
        (['detach', '--replica', dsn, '--source', same],
         '--replica and --source name the same server'),
        (['accounts', '--source', dsn, '--replica', rep, '--replica', rep],
         '--replica and --replica name the same server'),
        (['switchover', '--source', dsn, '--candidate', same],
         '--source and --candidate name the same server'),
        (['switchover', '--source', dsn, '--candidate', rep, '--replica',
          rep], '--candidate and --replica name the same server'),
        (['failover', '--replica', dsn, '--replica', same],
         '--replica and --replica name the same server'),
        (['status', dsn, same], 'name the same server'),
        (['switchover', '--source', dsn, '--candidate', rep, '--timeout',
          '1e400'], '--timeout must be a number of seconds'),
        (['skip', '--replica', dsn, '--gtid', 'garbage'], "--gtid 'garbage'"),
        (['skip', '--replica', dsn, '--gtid', ''], "--gtid ''"),
        (['attach', '--source', dsn, '--replica', rep, '--seed-from', ''],
         'cannot read'),
        (['status', 'mysql://u:pw@h:x'], 'SERVER: invalid DSN'),
        (['plan', '--from', 'mysql://u:pw@h:x'], '--from: invalid DSN'),
        (['detach', '--replica', 'mysql://u:pw@h:0'], 'from 1 to 65535'),
        (['detach', '--replica', 'mysql://u:%FFx@h'], 'not UTF-8'),
        (['detach', '--replica', 'mysql://u:pw@h#x'], 'unexpected #'),
        (['--config-file', tmp, 'plan', '--datastore', 'mysql',
          '--version', '8.0'], '--config-file'),
        (['--config-file', conf, 'plan', '--datastore', 'mysql',
          '--version', '8.0'], '--config-file'),
        (['--config-file', bad_value, 'plan', '--datastore', 'mysql',
          '--version', '8.0'], 'replication_durability'),
        (['--log-file', os.path.join(tmp, 'missing', 'x.log'), 'plan',
          '--datastore', 'mysql', '--version', '8.0'], '--log-file'),
        (['plan', '--datastore', 'mysql', '--version', '-1'],
         "label '-1'"),
        (['plan', '--datastore', 'mysql', '--version', '4.1'],
         'older than any server'),
        (['gtid', 'contains', '0-1-1', '0-1-1', '-c', 'contains', '-c',
          'nosuch'], "no column 'nosuch'"),
    ]


def test_bad_input_exits_2_everywhere(closed_port, tmp_path):
    for argv in bad_inputs(closed_port, str(tmp_path)):
        code, out, err = run(*argv)
        assert code == 2, (argv, out, err)
        assert 'Traceback' not in out + err, argv
        assert 'trove-gtid: error: ' in err, (argv, err)
        assert out == '', (argv, out)
    assert not os.path.exists(tmp_path / 'box')


def test_bad_input_names_the_bad_part(closed_port, tmp_path):
    for argv, named in named_bad_inputs(closed_port, str(tmp_path)):
        code, out, err = run(*argv)
        assert code == 2, (argv, out, err)
        lines = [x for x in err.splitlines() if x.startswith('trove-gtid')]
        assert len(lines) == 1 and named in lines[0], (argv, err)
        assert 'pw' not in err, (argv, err)


def test_bad_input_as_json_before_and_after(closed_port, tmp_path):
    for argv in bad_inputs(closed_port, str(tmp_path)):
        for where in ('before', 'after'):
            full = (['--json'] + argv if where == 'before'
                    else argv + ['--json'])
            code, out, err = run(*full)
            assert code == 2, (full, out, err)
            result = json.loads(out)
            assert result['kind'] == 'bad_input', (full, result)
            assert result['error'].startswith('error: ')
            assert 'Traceback' not in err


def test_replicas_minus_one_is_2_in_a_process(tmp_path):
    base_dir = str(tmp_path / 'box')
    done = run_process('sandbox', 'up', '--base-dir', base_dir,
                       '--replicas', '-1')
    assert done.returncode == 2
    assert done.stderr.startswith('trove-gtid: error: --replicas')
    assert len(done.stderr.strip().splitlines()) == 1
    assert not os.path.exists(base_dir)


def test_usage_error_shows_usage_then_one_error_line():
    code, out, err = run('attach', '--source', 'x')
    assert code == 2
    lines = err.strip().splitlines()
    assert lines[0].startswith('usage: trove-gtid attach')
    assert lines[-1] == ('trove-gtid: error: the following arguments are '
                         'required: --replica')


def test_unknown_command_suggests():
    code, out, err = run('atach')
    assert code == 2 and 'did you mean attach?' in err
    code, out, err = run('gtid', 'frob', 'x')
    assert code == 2 and 'gtid union' in err and 'attach' not in err


# -- failures a user causes: exit 1, one line, no traceback --------------

def test_server_down_names_side_and_address(closed_port,
                                            other_closed_port):
    dsn = 'mysql://root:%s@127.0.0.1:%d' % (SECRET, closed_port)
    other = 'mysql://root:%s@127.0.0.1:%d' % (SECRET, other_closed_port)
    for flags in ([], ['--debug'], ['-v', '-v', '-v'], ['-q']):
        code, out, err = run(*flags, 'attach', '--source', dsn,
                             '--replica', other)
        assert code == 1, (flags, err)
        assert 'Traceback' not in err
        assert SECRET not in out + err
        lines = [x for x in err.splitlines() if x.startswith('trove-gtid')]
        # Two DSNs with passwords: one warning, none with -q.
        warned = [x for x in lines if x.startswith('trove-gtid: warning: ')]
        assert len(warned) == (0 if flags == ['-q'] else 1), err
        line, = [x for x in lines if x not in warned]
        assert line.startswith('trove-gtid: failed: source mysql://root:***'
                               '@127.0.0.1:%d: (2003) ' % closed_port), line
    code, result, _ = run_json('attach', '--source', dsn, '--replica',
                               other, '--json')
    assert code == 1 and result['kind'] == 'connection'
    assert 'source mysql://root:***@127.0.0.1' in result['error']


def test_missing_socket_is_a_connection_failure(tmp_path):
    dsn = 'mysql://root@localhost?unix_socket=%s' % (tmp_path / 'no.sock')
    code, result, err = run_json('--json', 'detach', '--replica', dsn)
    assert code == 1 and result['kind'] == 'connection', result
    assert 'Traceback' not in err


def test_plan_from_a_server_that_is_down(closed_port):
    code, result, err = run_json(
        'plan', '--from', 'mysql://u:%s@127.0.0.1:%d' % (SECRET, closed_port),
        '--json')
    assert code == 1 and result['kind'] == 'connection', result
    assert result['error'].startswith('failed: server mysql://u:***@')
    assert SECRET not in json.dumps(result) + err


def test_precheck_result_and_settings_in_json(monkeypatch, closed_port,
                                              other_closed_port):
    class Result(object):
        verdict = 'errant'
        errant = 'x:1'
        missing = ''
        notes = ['n']
        problems = []

    def refuse(*args, **kwargs):
        raise exceptions.PrecheckFailed('refusing', Result())

    from trove_gtid_strategy.operations import attach
    monkeypatch.setattr(attach, 'attach', refuse)
    dsn = 'mysql://root@127.0.0.1:%d' % closed_port
    rep = 'mysql://root@127.0.0.1:%d' % other_closed_port
    code, result, err = run_json('--json', 'attach', '--source', dsn,
                                 '--replica', rep)
    assert code == 1
    assert result['kind'] == 'refused' and result['verdict'] == 'errant'
    assert result['notes'] == ['n'] and result['problems'] == []

    def restart(*args, **kwargs):
        raise exceptions.RestartRequired('restart needed', settings='a = 1')
    monkeypatch.setattr(attach, 'attach', restart)
    code, result, err = run_json('attach', '--source', dsn, '--replica', rep,
                                 '-f', 'json')
    assert (code, result['kind'], result['settings']) == (
        1, 'restart_required', 'a = 1')
    # In text, the settings to apply are on stdout, the error on stderr.
    code, out, err = run('attach', '--source', dsn, '--replica', rep)
    assert code == 1 and out == 'a = 1\n'
    assert err == 'trove-gtid: restart needed\n'


def test_a_bug_traces_back_only_with_debug(monkeypatch):
    def broken(texts):
        raise RuntimeError('boom at %s' % 'mysql://u:%s@h' % SECRET)
    monkeypatch.setattr(gtid_tools, 'parse_all', broken)
    code, out, err = run('gtid', 'normalize', '0-1-1')
    assert code == 1 and 'Traceback' not in err
    assert 'unexpected RuntimeError' in err and '--debug' in err
    assert SECRET not in err
    code, out, err = run('--debug', 'gtid', 'normalize', '0-1-1')
    assert code == 1 and 'Traceback' in err and SECRET not in err
    code, result, err = run_json('--json', 'gtid', 'normalize', '0-1-1')
    assert result['kind'] == 'internal_error'


def test_ctrl_c_is_130(monkeypatch):
    def interrupted(texts):
        raise KeyboardInterrupt()
    monkeypatch.setattr(gtid_tools, 'parse_all', interrupted)
    code, out, err = run('gtid', 'normalize', '0-1-1')
    assert (code, out, err) == (130, '', 'trove-gtid: interrupted\n')
    for argv in (('--json', 'gtid', 'normalize', '0-1-1'),
                 ('gtid', 'normalize', '0-1-1', '--json')):
        code, out, err = run(*argv)
        assert code == 130 and 'Traceback' not in err
        assert json.loads(out) == {'error': 'interrupted',
                                   'kind': 'interrupted'}


def test_ctrl_c_while_loading_the_commands_is_130(monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt()
    monkeypatch.setattr(main.TroveGtidApp, '__init__', interrupted)
    code, out, err = run('gtid', 'normalize', '0-1-1')
    assert (code, out, err) == (130, '', 'trove-gtid: interrupted\n')


def test_the_console_script_is_the_launcher():
    import configparser
    import trove_gtid_strategy.cmd as cmd_package
    cfg = configparser.ConfigParser()
    cfg.read(os.path.join(ROOT, 'setup.cfg'))
    scripts = cfg['entry_points']['console_scripts'].split()
    assert scripts == ['trove-gtid', '=', 'trove_gtid_strategy.cmd:run']
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cmd_package.run(['gtid', 'normalize', '0-1-1']) == 0
    assert out.getvalue() == '0-1-1\n'


class _ClosedPipe(io.StringIO):
    def write(self, text):
        raise BrokenPipeError(32, 'Broken pipe')

    def flush(self):
        raise BrokenPipeError(32, 'Broken pipe')


def test_broken_pipe_in_process():
    err = io.StringIO()
    with contextlib.redirect_stdout(_ClosedPipe()), \
            contextlib.redirect_stderr(err):
        code = main.main(['plan', '--datastore', 'mysql', '--version',
                          '5.7'])
    assert code == main.SIGPIPE_EXIT
    assert err.getvalue() == ''


@pytest.mark.parametrize('argv', [
    ('plan', '--datastore', 'mysql', '--version', '5.7'),
    ('plan', '--datastore', 'mysql', '--version', '5.7', '--json'),
    ('gtid', 'normalize', '0-1-1'),
    ('sandbox', 'status', '--base-dir', '/nonexistent/tg-box'),
    ('help',),
])
def test_closed_pipe_never_traces_back(argv):
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run(
            [sys.executable, '-m', 'trove_gtid_strategy.cmd.main'] +
            list(argv), stdout=write, stderr=subprocess.PIPE, text=True,
            timeout=120)
    finally:
        os.close(write)
    # help pages through autopage, which ends quietly (0) on its own.
    assert done.returncode in (main.SIGPIPE_EXIT, 1, 0), done.stderr
    assert 'Traceback' not in done.stderr
    assert 'Exception ignored' not in done.stderr
    assert 'BrokenPipe' not in done.stderr


def test_head_of_a_long_output(tmp_path):
    # | head -1: the reader goes away after one line.
    proc = subprocess.Popen(
        [sys.executable, '-m', 'trove_gtid_strategy.cmd.main', 'complete'],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode in (0, main.SIGPIPE_EXIT)
    assert b'Traceback' not in err and b'Exception ignored' not in err


# -- passwords -----------------------------------------------------------

def test_no_password_in_dsn_errors():
    for dsn in ('mysql://u:%s@h:bad' % SECRET,
                'mysql://u:%s@h:99999' % SECRET,
                'mysql://u:%s@h/db' % SECRET,
                'mysql://u:%s@h?x=1' % SECRET,
                'mysql://u:%s@h:1@other:bad' % SECRET,
                'mysql://u:%s@:bad' % SECRET.replace('-', '%2D')):
        for extra in ([], ['--json'], ['--debug']):
            code, out, err = run(*extra, 'attach', '--source', dsn,
                                 '--replica', 'mysql://u@h')
            assert code == 2, (dsn, err)
            assert SECRET not in out + err, (dsn, out + err)
            assert SECRET.replace('-', '%2D') not in out + err
            assert '***' in out + err


def test_no_password_in_usage_errors():
    code, out, err = run('attach', 'mysql://u:%s@h:1' % SECRET,
                         '--source', 'x', '--replica', 'y')
    assert code == 2 and SECRET not in out + err
    assert 'mysql://u:***@h:1' in err


def test_no_password_where_argparse_quotes_the_argument():
    for password in ('pa ss', "it's", 'a"b', 'x y "z\''):
        dsn = 'mysql://u:%s@h:1' % password
        for extra in ([], ['--json']):
            code, out, err = run('check', '--source', 'mysql://u@h:2',
                                 '--replica', 'mysql://u@h:3', dsn, *extra)
            assert code == 2, err
            assert password not in out + err, (password, out + err)
            assert 'mysql://u:***@h:1' in out + err


def test_dsn_messages_mask_only_the_password():
    code, out, err = run('check', '--source', 'mysql://root:mysql@db:x',
                         '--replica', 'mysql://u:x@h:x')
    assert code == 2
    assert "'mysql://root:***@db:x'" in err and "'***://" not in err


def test_redact():
    assert cli_args.redact("DSN 'mysql://u:p%40ss@h:1'") == \
        "DSN 'mysql://u:***@h:1'"
    assert cli_args.redact('mysql://u@h:1') == 'mysql://u@h:1'
    assert cli_args.redact('a mysql://u:p@q@h b') == 'a mysql://u:***@h b'
    assert cli_args.redact('mysql://u:@h') == 'mysql://u:@h'


# -- output formats ------------------------------------------------------

def test_json_before_and_after_the_command_are_the_same():
    argv = ('plan', '--datastore', 'mysql', '--version', '5.7.30')
    before = run('--json', *argv)
    after = run(*argv, '--json')
    explicit = run(*argv, '-f', 'json')
    assert before == after == explicit
    assert before[0] == 0
    assert json.loads(before[1])['mode'] == 'mysql_gtid'


def test_plan_json_keeps_its_keys():
    code, result, _ = run_json('plan', '--datastore', 'mysql', '--version',
                               'mysql-5.5', '--json')
    assert code == 0
    assert set(result) == set(plan.Plan.columns)
    assert result['mode'] == 'binlog' and result['version_from'] == 'label'
    assert isinstance(result['statements'], list)
    assert isinstance(result['notes'], list)


def test_formats_and_columns():
    argv = ('plan', '--datastore', 'mariadb', '--version', '10.11.6')
    code, out, _ = run(*argv, '-f', 'value', '-c', 'mode')
    assert (code, out) == (0, 'mariadb_gtid\n')
    code, out, _ = run(*argv, '-f', 'yaml', '-c', 'mode', '-c', 'flavor')
    assert yaml.safe_load(out) == {'mode': 'mariadb_gtid',
                                   'flavor': 'mariadb'}
    code, out, _ = run(*argv, '-c', 'mode')
    assert '| Field | Value' in out and 'mariadb_gtid' in out
    code, out, _ = run(*argv, '-f', 'yaml')
    assert yaml.safe_load(out)['statements'][0] == 'STOP REPLICA'
    code, out, _ = run(*argv, '-f', 'table', '-c', 'statements')
    assert 'STOP REPLICA' in out and '[' not in out


def test_unknown_column_is_refused_before_running(monkeypatch):
    ran = []
    monkeypatch.setattr(gtid_tools, 'parse_all',
                        lambda texts: ran.append(texts))
    code, out, err = run('gtid', 'normalize', '0-1-1', '-c', 'nope')
    assert code == 2 and ran == []
    assert 'no column' in err and 'result' in err


def test_sandbox_status_without_sandbox(tmp_path):
    base_dir = str(tmp_path / 'none')
    code, out, err = run('sandbox', 'status', '--base-dir', base_dir)
    assert (code, out) == (1, 'no sandbox in %s\n' % base_dir)
    code, out, err = run('sandbox', 'status', '--base-dir', base_dir,
                         '--json')
    assert code == 1
    assert json.loads(out) == {'error': 'failed: no sandbox in %s'
                                        % base_dir, 'kind': 'server_error'}
    code, out, err = run('sandbox', 'down', '--base-dir', base_dir,
                         '--json')
    assert code == 0 and json.loads(out)['stopped'] is None


# -- GTID algebra --------------------------------------------------------

def gtid(*argv):
    code, out, err = run('gtid', *argv)
    assert 'Traceback' not in err
    return code, out.strip()


def test_mysql_sets_as_before():
    assert gtid('normalize', '%s:1-3:2-9' % UUID.upper()) == \
        (0, '%s:1-9' % UUID)
    assert gtid('union', '%s:1-3' % UUID, '%s:4-5' % UUID) == \
        (0, '%s:1-5' % UUID)
    assert gtid('subtract', '%s:1-9' % UUID, '%s:4-5' % UUID) == \
        (0, '%s:1-3:6-9' % UUID)
    assert gtid('intersect', '%s:1-9' % UUID, '%s:4-12' % UUID) == \
        (0, '%s:4-9' % UUID)
    assert gtid('union', '', '%s:1' % OTHER) == (0, '%s:1' % OTHER)
    code, result, _ = run_json('gtid', 'contains', '%s:1-9' % UUID,
                               '%s:5,%s:1' % (UUID, OTHER), '--json')
    assert code == 1
    assert result == {'contains': 'no', 'missing': '%s:1' % OTHER,
                      'kind': gtid_tools.MYSQL}
    code, result, _ = run_json('gtid', 'contains', '%s:1-9' % UUID,
                               '%s:5' % UUID, '--json')
    assert code == 0 and result['contains'] == 'yes'


def test_mariadb_positions_per_domain():
    assert gtid('normalize', ' 1-2-3, 0-1-5') == (0, '0-1-5,1-2-3')
    # Per domain, the furthest GTID; the first on a tie.
    assert gtid('union', '0-1-5,1-2-3', '0-2-7,2-1-1') == \
        (0, '0-2-7,1-2-3,2-1-1')
    assert gtid('union', '0-1-5', '0-2-5') == (0, '0-1-5')
    # Shared domains, the lower GTID.
    assert gtid('intersect', '0-1-5,1-2-3', '0-2-7,2-1-1') == (0, '0-1-5')
    # What A has that B lacks: domains where B is behind or absent.
    assert gtid('subtract', '0-1-5,1-2-3,2-1-9', '0-2-7,2-1-1') == \
        (0, '1-2-3,2-1-9')
    assert gtid('subtract', '0-1-5', '0-2-5') == (0, '')
    assert gtid('union', '', '0-1-1') == (0, '0-1-1')
    code, result, _ = run_json('gtid', 'contains', '0-1-5,1-2-3', '0-2-4',
                               '--json')
    assert code == 0 and result['kind'] == gtid_tools.MARIADB
    code, result, _ = run_json('gtid', 'contains', '0-1-5,1-2-3',
                               '0-2-7,2-1-1', '--json')
    assert code == 1 and result['missing'] == '0-2-7,2-1-1'


def test_mixing_mysql_and_mariadb_is_bad_input():
    code, result, _ = run_json('gtid', 'union', '%s:1' % UUID, '0-1-5',
                               '--json')
    assert code == 2 and 'cannot be combined' in result['error']
    with pytest.raises(exceptions.InvalidGtidSet):
        gtid_tools.parse_all(['0-1-1', '%s:1' % UUID])


# -- plan ----------------------------------------------------------------

def plan_json(*argv):
    code, result, err = run_json('plan', *argv, '--json')
    assert code == 0, err
    return result


def test_plan_says_where_the_version_came_from():
    assert plan_json('--datastore', 'mysql', '--version',
                     '5.7')['version_from'] == 'label'
    result = plan_json('--datastore', 'mysql', '--version', '5.5',
                       '--server-version', '5.6.40-log')
    assert result['version_from'] == 'flag'
    assert result['version'] == '5.6.40'
    assert any('--server-version' in n for n in result['notes'])


def test_an_inexact_label_spanning_gtids_says_so():
    result = plan_json('--datastore', 'mysql', '--version', '5.6')
    note, = [n for n in result['notes'] if 'spans' in n]
    assert 'mysql 5.6.10 and later: mysql_gtid mode' in note
    assert 'binlog mode' in note and '--from' in note
    result = plan_json('--datastore', 'mariadb', '--version', '10.0')
    assert any('mariadb 10.0.10 and later' in n for n in result['notes'])
    # Exact versions, and series that replicate alike, need no note.
    for label in ('5.6.40', '5.7', '8.0', '5.5.62'):
        result = plan_json('--datastore', 'mysql', '--version', label)
        assert not any('spans' in n for n in result['notes']), label


def test_label_span_note_ranges():
    from trove_gtid_strategy import versions
    note = plan.label_span_note(versions.parse_label('5.6', 'mysql'),
                                '5.6', 'auto')
    assert 'mysql 5.6.2-5.6.9: binlog mode' in note
    assert plan.label_span_note(versions.parse_label('5.6.20', 'mysql'),
                                '5.6.20', 'auto') is None


def test_plan_honours_replication_mode_from_the_config_file(tmp_path):
    conf = tmp_path / 'trove-gtid.conf'
    conf.write_text('[trove_gtid_strategy]\nreplication_mode = binlog\n')
    result = plan_json('--datastore', 'mysql', '--version', '8.0.36')
    assert result['mode'] == 'mysql_gtid'
    code, result, err = run_json('--config-file', str(conf), 'plan',
                                 '--datastore', 'mysql', '--version',
                                 '8.0.36', '--json')
    assert code == 0 and result['mode'] == 'binlog', err
    # --mode wins; the next run starts from the defaults again.
    code, result, err = run_json('--config-file', str(conf), 'plan',
                                 '--datastore', 'mysql', '--version',
                                 '8.0.36', '--mode', 'gtid', '--json')
    assert result['mode'] == 'mysql_gtid'
    assert plan_json('--datastore', 'mysql', '--version',
                     '8.0.36')['mode'] == 'mysql_gtid'


def test_a_missing_config_file_is_bad_input(tmp_path):
    code, out, err = run('--config-file', str(tmp_path / 'nope.conf'),
                         'plan', '--datastore', 'mysql', '--version', '5.7')
    assert code == 2 and '--config-file' in err


def test_plan_from_a_live_version(monkeypatch):
    from trove_gtid_strategy import versions
    seen = []

    def read(text, sandbox_dir):
        seen.append(text)
        return (versions.parse_server_version('5.6.5-log'),
                'mysql://u:***@db:3306')
    monkeypatch.setattr(plan, 'read_live_version', read)
    result = plan_json('--from', 'mysql://u:%s@db' % SECRET)
    assert result['version_from'] == 'server'
    assert result['version'] == '5.6.5' and result['mode'] == 'binlog'
    assert result['datastore'] == 'mysql'
    assert result['notes'][0] == ('version 5.6.5 read from '
                                  'mysql://u:***@db:3306')
    # The label is compared with what the server says.
    result = plan_json('--from', 'x://', '--datastore', 'mysql',
                       '--version', '5.7')
    assert any("label '5.7' says mysql 5.7.0 but the server reports"
               in n for n in result['notes'])
    code, result, _ = run_json('plan', '--from', 'x://', '--datastore',
                               'mariadb', '--version', '10.11', '--json')
    assert code == 2 and result['kind'] == 'bad_input'


def test_progress_lines_on_stderr_unless_quiet():
    shown = '  ... 127.0.0.1:1: waiting mysql://u:***@h\n'
    for flags, expected in (([], shown), (['-q'], '')):
        app = main.TroveGtidApp(stdout=io.StringIO(), stderr=io.StringIO())
        app.options = app.parser.parse_args(flags)
        app.progress('127.0.0.1:1: waiting mysql://u:%s@h' % SECRET)
        assert app.stderr.getvalue() == expected


def test_options_are_the_runs_own_never_the_process_wide_ones(
        tmp_path, monkeypatch):
    """A run's --config-file and flags are its own: the process-wide
    ``cfg.CONF`` (Trove's guest's, or an embedding program's) is not
    loaded or written, and the next run starts from the defaults.
    """
    def written(*args, **kwargs):
        raise AssertionError('the process-wide CONF was written: %r'
                             % (args,))
    monkeypatch.setattr(strategy.CONF, 'set_override', written)
    conf = tmp_path / 'binlog.conf'
    conf.write_text('[trove_gtid_strategy]\nreplication_mode = binlog\n')
    plan = ('plan', '--datastore', 'mysql', '--version', '8.0', '-c',
            'mode', '-f', 'value')
    assert run('--config-file', str(conf), *plan)[:2] == (0, 'binlog\n')
    assert run('--config-file', str(conf), *plan, '--mode', 'gtid')[:2] \
        == (0, 'mysql_gtid\n')
    assert run(*plan)[:2] == (0, 'mysql_gtid\n')
    assert strategy.CONF.trove_gtid_strategy.replication_mode == 'auto'


def test_a_commands_options_end_with_its_run(closed_port, other_closed_port):
    """--mode, --allow-crash-unsafe and --durability hold for the run
    that was given them: the next run in this process (a test, an
    embedding program) starts from the configured values.
    """
    conf = strategy.CONF.trove_gtid_strategy
    before = (conf.replication_mode, conf.allow_crash_unsafe_binlog,
              conf.replication_durability)
    code, _, err = run('attach', '--source',
                       'mysql://u:p@127.0.0.1:%d' % closed_port,
                       '--replica',
                       'mysql://u:p@127.0.0.1:%d' % other_closed_port,
                       '--mode', 'binlog', '--allow-crash-unsafe',
                       '--durability', 'semi_sync')
    assert code == 1, err
    assert (conf.replication_mode, conf.allow_crash_unsafe_binlog,
            conf.replication_durability) == before == ('auto', False,
                                                       'async')


def test_nested_values_in_a_table_are_json_not_python_reprs():
    links = base.cell([{'replica': 'r1', 'source': 's', 'running': True}])
    assert links.human_readable() == \
        '{"replica": "r1", "running": true, "source": "s"}'
    nested = base.cell({'io': {'errno': 0}, 'lag': 2})
    assert nested.human_readable() == 'io: {"errno": 0}\nlag: 2'


@pytest.mark.parametrize('argv, named', [
    (['sandbox', 'up', '--replicas', '1000000'],
     "--replicas must be a whole number from 0 to 20, not '1000000'"),
    (['sandbox', 'up', '--replicas', '9' * 400],
     '--replicas must be a whole number from 0 to 20'),
    (['status', 'mysql://u@%s.example:3306' % ('a' * 64)],
     'the host is not a valid name'),
    (['status', 'mysql://u@h:3306?unix_socket='], '?unix_socket= is empty'),
    (['status', 'mysql://u:p%ZZ@h:3306'], 'not a %XX escape'),
    (['status', 'mysql://u@h:3306?conf_dir=/etc/passwd'],
     'is not a directory'),
])
def test_bad_server_input_is_one_short_line(argv, named, tmp_path):
    code, out, err = run(*argv + ['--base-dir', str(tmp_path / 'box')]
                         if argv[0] == 'sandbox' else argv)
    assert code == 2, err
    assert named in err and len(err) < 400 and 'Traceback' not in err
    assert not (tmp_path / 'box').exists()
