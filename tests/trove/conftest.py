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

"""Fixtures for the tests run inside Trove 26.0.0 (``tox -e trove``).

These tests import Trove itself; without it (``pip install
trove==26.0.0``, which the tox environment installs) they are not
collected, and the summary says so.

Real servers come from the sandbox, per server line (mariadb-10.11,
mariadb-11.8, mysql-9.7; choose with ``--trove-server-line NAME``,
repeatable). A line that is not provisioned FAILS its tests, naming the
command that provisions it (``TROVE_GTID_ALLOW_SKIP=1`` skips them
instead), so a machine without it never reports them as passing.
"""

import importlib.util
import os
import shutil
import tempfile

import pytest

from trove_gtid_strategy import exceptions
from trove_gtid_strategy.sandbox import lines
from trove_gtid_strategy.sandbox import scratch
from trove_gtid_strategy.sandbox import servers

ALLOW_SKIP_ENV = 'TROVE_GTID_ALLOW_SKIP'
HAVE_TROVE = importlib.util.find_spec('trove') is not None
if not HAVE_TROVE:
    collect_ignore_glob = ['test_*.py']


def pytest_addoption(parser):
    parser.addoption(
        '--trove-server-line', action='append', default=None,
        metavar='NAME',
        help='run the Trove real-server tests on this server line '
             '(repeatable; default: %s)' % ', '.join(lines.names()))


def pytest_configure(config):
    config.addinivalue_line(
        'markers', 'trove_lines(*names): run this test only on these '
                   'server lines')
    # Trove imports eventlet (not monkey patched here); it warns about
    # itself and about every fork of a test process.
    for module in ('eventlet', 'oslo_service'):
        config.addinivalue_line(
            'filterwarnings', 'ignore::DeprecationWarning:%s' % module)
    unknown = [name for name in config.getoption('--trove-server-line') or []
               if name not in lines.names()]
    if unknown:
        raise pytest.UsageError(
            '--trove-server-line %s: unknown line (known: %s)'
            % (unknown[0], ', '.join(lines.names())))


def chosen_lines(config):
    return config.getoption('--trove-server-line') or lines.names()


def pytest_generate_tests(metafunc):
    if 'trove_line' not in metafunc.fixturenames:
        return
    names = chosen_lines(metafunc.config)
    marker = metafunc.definition.get_closest_marker('trove_lines')
    if marker is not None:
        unknown = [n for n in marker.args if n not in lines.names()]
        if unknown:
            raise pytest.UsageError('@pytest.mark.trove_lines: unknown line '
                                    '%s' % unknown[0])
        names = [n for n in names if n in marker.args]
    metafunc.parametrize('trove_line', names, indirect=True, ids=names)


def pytest_terminal_summary(terminalreporter):
    if not HAVE_TROVE:
        terminalreporter.write_line(
            'tests/trove were NOT run: trove is not installed here (run '
            '`tox -e trove`)', yellow=True)


@pytest.fixture(scope='session', autouse=True)
def trove_temporary_files():
    """Trove's leaked temporary files (about 290 a run, passwords among
    them) go to a directory of the session, removed at its end
    (:func:`trove_support.temporary_files`).
    """
    import trove_support
    with trove_support.temporary_files(scratch.parent()) as path:
        yield path


@pytest.fixture(scope='session')
def template_dir():
    configured = os.environ.get(servers.TEMPLATE_ENV)
    path = configured or tempfile.mkdtemp(prefix='tg-trove-cache-',
                                          dir='/tmp')
    yield path
    if not configured:
        shutil.rmtree(path, ignore_errors=True)


def unavailable(message):
    if os.environ.get(ALLOW_SKIP_ENV) == '1':
        pytest.skip('%s (skipped because %s=1)' % (message, ALLOW_SKIP_ENV))
    pytest.fail('%s (or set %s=1 to skip them)' % (message, ALLOW_SKIP_ENV),
                pytrace=False)


def check_line(name, template_dir):
    """The ServerLine ``name``, its template ready; fails when missing."""
    message = None
    try:
        line = lines.get(name)
        line.check()
        servers.prepare_template(template_dir, line=line)
    except exceptions.SandboxError as exc:
        message = 'these tests need server line %s: %s' % (name, exc)
    if message:
        unavailable(message)
    return line


@pytest.fixture
def trove_line(request, template_dir):
    return check_line(request.param, template_dir)


@pytest.fixture
def workdir():
    path = tempfile.mkdtemp(prefix='tg-trove-', dir=scratch.parent())
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def sandbox(trove_line, template_dir, workdir):
    """Call with ``replicas=N``: an up sandbox of this test's line, with
    the settings of Trove's guests (trove_support.guest_conf_d); down
    and removed after.
    """
    import trove_support
    made = []

    def make(replicas=1):
        box = servers.Sandbox(os.path.join(workdir, 'box%d' % len(made)),
                              template_dir=template_dir,
                              server=trove_line.name)
        made.append(box)
        box.up(replicas, conf_d=trove_support.guest_conf_d(trove_line))
        return box

    yield make
    for box in reversed(made):
        box.down(remove=True)


@pytest.fixture
def trove_conf():
    """Trove's CONF, with every override and the strategy cache reset
    after the test.
    """
    import trove_support
    conf = trove_support.trove()
    yield conf
    from trove.guestagent.strategies import replication
    setattr(replication, '__replication_instance', None)
    setattr(replication, '__replication_manager', None)
    conf.reset()
