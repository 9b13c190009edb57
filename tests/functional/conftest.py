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

"""Fixtures for tests against real servers (the sandbox), per server line.

Server lines (``trove_gtid_strategy/sandbox/lines.json``): mariadb-10.11
(host packages), mariadb-11.8 and mysql-9.7 (Debian roots built by
``tools/provision-server-lines``). Choose them with ``--server-line NAME``
(repeatable); the default is every line. A chosen line that is not
provisioned makes its tests FAIL, naming the command that provisions it,
so a machine without it can never report them as passing. Set
``TROVE_GTID_ALLOW_SKIP=1`` to skip them instead (they then show up as
skipped, with the reason).

Tests that use ``server_line`` (directly, or through ``sandbox_factory``)
run once per chosen line, with ids like ``test_x[mysql-9.7]``.
``@pytest.mark.lines('mariadb-10.11', 'mariadb-11.8')`` restricts a test
to those lines (among the chosen ones); ``@pytest.mark.any_line`` runs it
on the first chosen line only (for behaviour that does not depend on the
server, like process handling).

Each line's datadir template is made once per run, into a cache under
``/tmp`` that every sandbox copies (with ``pytest -n N``, one cache for
all the workers, made by the first that needs it). Point
``TROVE_GTID_SANDBOX_TEMPLATE`` at a directory to keep that cache between
runs.

With pytest-xdist (``-n N``, as ``tox -e functional`` runs) each worker
makes its own sandboxes, in its own directories, on ports reserved for
them (``trove_gtid_strategy/sandbox/ports.py``); what the workers note
(skipped lines, sandbox timings) is reported by the controller.

Fixtures:

* ``server_line``: the :class:`ServerLine` of this test's parameter.
* ``sandbox_factory(replicas=1, server=None, replica_server=None,
  conf_d=None)``: an up :class:`Sandbox` in a fresh short directory under
  ``/tmp`` (``server`` default: this test's line; ``conf_d``: override
  files every server starts with), removed after the test (its servers
  killed: nobody reads their data again).
* ``admin_conn(server)``: an autocommit PyMySQL connection as the admin
  user over TCP, closed after the test.
* ``sandbox_template_dir`` (session): the template cache, for tests
  building a Sandbox themselves; ``line_template(line)`` prepares it.
"""

import json
import os
import shutil
import sys
import tempfile
import time

import pymysql
import pytest

from trove_gtid_strategy import exceptions
from trove_gtid_strategy.guest import connection
from trove_gtid_strategy.sandbox import lines
from trove_gtid_strategy.sandbox import scratch
from trove_gtid_strategy.sandbox import servers

ALLOW_SKIP_ENV = 'TROVE_GTID_ALLOW_SKIP'

# Per line: template seconds, servers started, seconds spent in up().
_TIMINGS = {}
_SKIPPED = []
_TEMPLATES = {}


def pytest_addoption(parser):
    parser.addoption(
        '--server-line', action='append', default=None, metavar='NAME',
        help='run the real-server tests on this server line (repeatable; '
             'default: every line of trove_gtid_strategy/sandbox/'
             'lines.json: %s)' % ', '.join(lines.names()))


def pytest_configure(config):
    config.addinivalue_line(
        'markers', 'lines(*names): run this test only on these server '
                   'lines (among the chosen ones)')
    config.addinivalue_line(
        'markers', 'any_line: run this test on the first chosen server '
                   'line only')
    chosen = config.getoption('--server-line') or []
    unknown = [name for name in chosen if name not in lines.names()]
    if unknown:
        raise pytest.UsageError(
            '--server-line %s: unknown line (known: %s)'
            % (unknown[0], ', '.join(lines.names())))
    # The controller (or a run without workers) makes the template cache;
    # workers inherit it through the environment.
    if not hasattr(config, 'workerinput') and not os.environ.get(
            servers.TEMPLATE_ENV):
        config.trove_gtid_cache = tempfile.mkdtemp(prefix='tg-cache-',
                                                   dir='/tmp')
        os.environ[servers.TEMPLATE_ENV] = config.trove_gtid_cache
    if config.pluginmanager.hasplugin('xdist'):
        config.pluginmanager.register(_WorkerReports())


def pytest_unconfigure(config):
    made = getattr(config, 'trove_gtid_cache', None)
    if made:
        shutil.rmtree(made, ignore_errors=True)
        os.environ.pop(servers.TEMPLATE_ENV, None)


def pytest_sessionfinish(session):
    output = getattr(session.config, 'workeroutput', None)
    if output is not None:
        output['trove_gtid'] = json.dumps({'skipped': _SKIPPED,
                                           'timings': _TIMINGS})


class _WorkerReports:
    """Gathers what each xdist worker noted, for the summary."""

    @pytest.hookimpl
    def pytest_testnodedown(self, node, error):
        found = getattr(node, 'workeroutput', {}).get('trove_gtid')
        if not found:
            return
        found = json.loads(found)
        _SKIPPED.extend(m for m in found['skipped'] if m not in _SKIPPED)
        for name, timing in found['timings'].items():
            mine = _timing(name)
            if timing['template'] is not None:
                mine['template'] = max(mine['template'] or 0,
                                       timing['template'])
            mine['servers'] += timing['servers']
            mine['seconds'] += timing['seconds']


def chosen_lines(config):
    return config.getoption('--server-line') or lines.names()


def pytest_generate_tests(metafunc):
    if 'server_line' not in metafunc.fixturenames:
        return
    names = chosen_lines(metafunc.config)
    marker = metafunc.definition.get_closest_marker('lines')
    if marker is not None:
        unknown = [n for n in marker.args if n not in lines.names()]
        if unknown:
            raise pytest.UsageError('@pytest.mark.lines: unknown line %s'
                                    % unknown[0])
        names = [n for n in names if n in marker.args]
    if metafunc.definition.get_closest_marker('any_line') is not None:
        names = names[:1]
    metafunc.parametrize('server_line', names, indirect=True, ids=names)


#: The longest tests (``pytest --durations`` on the 2-core machine:
#: 25-60 s each, where most take 1-5 s), started first: ``--dist load``
#: hands them round to the workers at once, and the short ones fill in
#: after, so no worker starts a minute-long test when the others are
#: done. The order within each group stays pytest-randomly's.
LONGEST = frozenset((
    'test_replica_killed_five_times_under_writes',
    'test_failover_killed_after_each_change_completes_when_run_again',
    'test_switchover_killed_after_each_change_completes_when_run_again',
    'test_concurrent_attaches_serialise',
    'test_repoint_lagging_replica_after_source_killed',
))


def pytest_collection_modifyitems(items):
    # After pytest-randomly's shuffle (it reorders in a wrapper, before
    # every plain implementation); a stable sort keeps its order.
    items.sort(key=lambda item: item.originalname not in LONGEST)


def _unavailable(message):
    """Fail (or skip, if allowed) outside any except block, so the report
    is not a chained traceback.
    """
    if os.environ.get(ALLOW_SKIP_ENV) == '1':
        if message not in _SKIPPED:
            _SKIPPED.append(message)
        pytest.skip('%s (skipped because %s=1)' % (message, ALLOW_SKIP_ENV))
    pytest.fail('%s (or set %s=1 to skip them)' % (message, ALLOW_SKIP_ENV),
                pytrace=False)


@pytest.fixture(scope='session')
def sandbox_template_dir():
    """The template cache of the run (one subdirectory per line)."""
    return os.environ[servers.TEMPLATE_ENV]


@pytest.fixture(scope='session')
def line_template(sandbox_template_dir):
    """Call with a ServerLine: its template, prepared once per session."""
    def prepare(line):
        if line.name not in _TEMPLATES:
            started = time.monotonic()
            _TEMPLATES[line.name] = servers.prepare_template(
                sandbox_template_dir, line=line)
            _timing(line.name)['template'] = time.monotonic() - started
        return _TEMPLATES[line.name]
    return prepare


def _timing(name):
    return _TIMINGS.setdefault(name, {'template': None, 'servers': 0,
                                      'seconds': 0.0})


@pytest.fixture
def server_line(request, line_template):
    """The ServerLine this test runs on; fails when not provisioned."""
    message = None
    try:
        line = lines.get(request.param)
        line.check()
        line_template(line)
    except exceptions.SandboxError as exc:
        message = 'these tests need server line %s: %s' % (
            request.param, exc)
    if message:
        _unavailable(message)
    return line


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, for the teardown to see."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, 'report_' + report.when, report)


def _error_log_tails(box, lines_each=25):
    """The end of every server's error log: what a failed test's servers
    said (a flaky failure is diagnosed from it, not from a re-run).
    """
    for server in box.servers():
        try:
            with open(server.error_log, errors='replace') as f:
                tail = f.readlines()[-lines_each:]
        except OSError as exc:
            tail = ['(unreadable: %s)\n' % exc]
        sys.stderr.write('--- %s: %s\n%s' % (
            server.name, server.error_log, ''.join(tail)))


@pytest.fixture
def sandbox_factory(request, server_line, sandbox_template_dir,
                    line_template):
    """Call with ``replicas=N`` (and optionally ``server``,
    ``replica_server`` line names) to get an up Sandbox; all go away after,
    the end of each server's error log printed first when the test failed.
    """
    made = []

    def make(replicas=1, server=None, replica_server=None, conf_d=None):
        server = server or server_line.name
        for name in (server, replica_server):
            if name and name != server_line.name:
                line_template(lines.get(name))
        base = tempfile.mkdtemp(prefix='tg-', dir=scratch.parent())
        box = servers.Sandbox(base, template_dir=sandbox_template_dir,
                              server=server, replica_server=replica_server)
        made.append(box)
        started = time.monotonic()
        box.up(replicas, conf_d=conf_d)
        timing = _timing(server)
        timing['servers'] += replicas + 1
        timing['seconds'] += time.monotonic() - started
        return box

    yield make
    failed = getattr(request.node, 'report_call', None)
    if failed is not None and failed.failed:
        for box in made:
            _error_log_tails(box)
    errors = []
    for box in reversed(made):
        try:
            box.down(remove=True)
        except Exception as exc:
            errors.append('%s: %s' % (box.base_dir, exc))
        finally:
            shutil.rmtree(box.base_dir, ignore_errors=True)
    if errors:
        pytest.fail('sandbox teardown failed, servers may be left '
                    'running: %s' % '; '.join(errors), pytrace=False)


@pytest.fixture
def options():
    """Set strategy options for one test (``options(name=value, ...)``);
    all cleared afterwards. Waits start at 60 s / 180 s.
    """
    from trove_gtid_strategy import opts
    from trove_gtid_strategy import strategy
    names = []

    def set_options(**values):
        for name, value in values.items():
            strategy.CONF.set_override(name, value, group=opts.GROUP)
            names.append(name)

    set_options(replica_start_timeout=60, catch_up_timeout=180)
    yield set_options
    for name in names:
        strategy.CONF.clear_override(name, group=opts.GROUP)


@pytest.fixture
def admin_conn():
    """Call with a SandboxServer to get an autocommit admin connection."""
    conns = []

    def connect(server, **kwargs):
        options = dict(server.dsn.connect_kwargs(), autocommit=True,
                       connect_timeout=10)
        options.update(kwargs)
        conn = connection.connect(**options)
        conns.append(conn)
        return conn

    yield connect
    for conn in conns:
        try:
            conn.close()
        except pymysql.Error:
            pass


def pytest_terminal_summary(terminalreporter):
    for message in _SKIPPED:
        terminalreporter.write_line(
            'real-server tests were SKIPPED, not run: %s' % message,
            yellow=True)
    for name, timing in sorted(_TIMINGS.items()):
        line = 'sandbox %s:' % name
        if timing['template'] is not None:
            line += ' template ready in %.1fs;' % timing['template']
        if timing['servers']:
            line += ' %d servers up in %.1fs (%.2fs per server)' % (
                timing['servers'], timing['seconds'],
                timing['seconds'] / timing['servers'])
        terminalreporter.write_line(line)
