"""Fixtures for tests against real MariaDB servers (the sandbox).

Tests that use these fixtures FAIL when no MariaDB server binary is
installed, so a machine without MariaDB can never report them as passing.
Set ``TROVE_GTID_ALLOW_SKIP=1`` to skip them instead (they then show up as
skipped, with the reason).

``mariadb-install-db`` runs once per session, into a template cache under
``/tmp`` that every sandbox copies. Point ``TROVE_GTID_SANDBOX_TEMPLATE``
at a directory to keep that cache between sessions.

Fixtures:

* ``sandbox_factory(replicas=1)``: an up :class:`Sandbox` in a fresh short
  directory under ``/tmp``, torn down (down + rmtree) after the test.
* ``admin_conn(server)``: an autocommit PyMySQL connection as the admin
  user over TCP, closed after the test.
* ``sandbox_mysqld`` and ``sandbox_template_dir`` (session): the server
  binary and the template cache, for tests building a Sandbox themselves.
"""

import os
import shutil
import tempfile
import time

import pymysql
import pytest

from trove_gtid_strategy import exceptions
from trove_gtid_strategy.sandbox import servers

ALLOW_SKIP_ENV = 'TROVE_GTID_ALLOW_SKIP'

_TIMINGS = {'template': None, 'servers': 0, 'seconds': 0.0, 'skipped': ''}


@pytest.fixture(scope='session')
def sandbox_mysqld():
    """The MariaDB server binary; fails (or skips, if allowed) without."""
    try:
        return servers.find_mysqld()
    except exceptions.SandboxError as exc:
        message = 'these tests need a real MariaDB server: %s' % exc
    # Outside the except block, so the report is not a chained traceback.
    if os.environ.get(ALLOW_SKIP_ENV) == '1':
        _TIMINGS['skipped'] = message
        pytest.skip('%s (skipped because %s=1)' % (message, ALLOW_SKIP_ENV))
    pytest.fail('%s (or set %s=1 to skip them)' % (message, ALLOW_SKIP_ENV),
                pytrace=False)


@pytest.fixture(scope='session')
def sandbox_template_dir(sandbox_mysqld):
    """A template cache prepared once for the whole session."""
    configured = os.environ.get(servers.TEMPLATE_ENV)
    path = configured or tempfile.mkdtemp(prefix='tg-cache-', dir='/tmp')
    started = time.monotonic()
    servers.prepare_template(path, sandbox_mysqld)
    _TIMINGS['template'] = time.monotonic() - started
    yield path
    if not configured:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def sandbox_factory(sandbox_mysqld, sandbox_template_dir):
    """Call with ``replicas=N`` to get an up Sandbox; all go away after."""
    made = []

    def make(replicas=1):
        base = tempfile.mkdtemp(prefix='tg-', dir='/tmp')
        box = servers.Sandbox(base, mysqld=sandbox_mysqld,
                              template_dir=sandbox_template_dir)
        made.append(box)
        started = time.monotonic()
        box.up(replicas)
        _TIMINGS['servers'] += replicas + 1
        _TIMINGS['seconds'] += time.monotonic() - started
        return box

    yield make
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
def admin_conn():
    """Call with a SandboxServer to get an autocommit admin connection."""
    conns = []

    def connect(server, **kwargs):
        options = dict(server.dsn.connect_kwargs(), autocommit=True,
                       connect_timeout=10)
        options.update(kwargs)
        conn = pymysql.connect(**options)
        conns.append(conn)
        return conn

    yield connect
    for conn in conns:
        try:
            conn.close()
        except pymysql.Error:
            pass


def pytest_terminal_summary(terminalreporter):
    if _TIMINGS['skipped']:
        terminalreporter.write_line(
            'real-server tests were SKIPPED, not run: %s'
            % _TIMINGS['skipped'], yellow=True)
    if _TIMINGS['template'] is None:
        return
    line = 'sandbox: template ready in %.1fs' % _TIMINGS['template']
    if _TIMINGS['servers']:
        line += '; %d servers up in %.1fs (%.2fs per pair of servers)' % (
            _TIMINGS['servers'], _TIMINGS['seconds'],
            2 * _TIMINGS['seconds'] / _TIMINGS['servers'])
    terminalreporter.write_line(line)
