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

"""Our classes against Trove 26.0.0's, by introspection.

* Every method of Trove's ``Replication`` base (and
  ``get_replica_context``, which only its MySQL and PostgreSQL
  strategies define) is on each of our classes, callable the way Trove
  calls it.
* Every method and attribute our strategy takes from Trove's ``service``
  and ``adm`` objects (the list is read from our code, see usage.py)
  exists on Trove's ``MySqlApp``, ``MariaDBApp`` and their base
  ``BaseMySqlApp``, and on its admin classes, and accepts the arguments
  we pass. What ``execute_sql`` returns is checked on real servers in
  test_trove_servers.
* The other way round: every method Trove's own MySQL strategies take
  from ``service`` / ``adm`` is on our adapter
  (``TroveCompatService`` / ``TroveCompatAdmin``), with Trove's
  signature, so Trove's unmodified strategies run on it.
"""

import importlib
import inspect
import os
import re

import pytest

import trove_support
import usage

trove_support.trove()

from trove.guestagent.datastore.mariadb import service as mariadb  # noqa
from trove.guestagent.datastore.mysql import service as mysql  # noqa
from trove.guestagent.datastore.mysql_common import service as common  # noqa
from trove.guestagent.strategies.replication import base  # noqa
from trove.guestagent.strategies.replication import mysql_base  # noqa

import trove_compat as ours  # noqa

TROVE_DIR = os.path.dirname(inspect.getfile(base))
APPS = (mysql.MySqlApp, mariadb.MariaDBApp, common.BaseMySqlApp)
ADMINS = (mysql.MySqlAdmin, mariadb.MariaDBAdmin, common.BaseMySqlAdmin)


def our_classes():
    for path in trove_support.OUR_CLASSES:
        module, name = path.rsplit('.', 1)
        yield getattr(importlib.import_module(module), name)


def trove_interface():
    """Methods of Trove's Replication base (its own, not Strategy's),
    plus get_replica_context from its MySQL base.
    """
    names = {name for name, value in vars(base.Replication).items()
             if inspect.isfunction(value) and not name.startswith('_')}
    names.add('get_replica_context')
    return sorted(names)


def positional(func):
    """Parameter names after ``self``, and which have defaults."""
    params = list(inspect.signature(func).parameters.values())[1:]
    return [(p.name, p.default is not inspect.Parameter.empty)
            for p in params if p.kind in (p.POSITIONAL_ONLY,
                                          p.POSITIONAL_OR_KEYWORD)]


def compatible(theirs, mine):
    """``mine`` accepts every call ``theirs`` accepts: the same leading
    positional parameters by name and order, defaults where Trove has
    them, anything extra optional.
    """
    want, have = positional(theirs), positional(mine)
    if [n for n, _ in have[:len(want)]] != [n for n, _ in want]:
        return False
    if any(d and not h for (_, d), (_, h) in zip(want, have)):
        return False
    return all(d for _, d in have[len(want):])


def trove_reference(name):
    return getattr(mysql_base.MysqlReplicationBase, name)


@pytest.mark.parametrize('name', trove_interface())
@pytest.mark.parametrize('cls', list(our_classes()),
                         ids=lambda c: c.__name__)
def test_we_offer_trove_interface(cls, name):
    assert callable(getattr(cls, name, None)), \
        '%s lacks %s' % (cls.__name__, name)
    assert compatible(trove_reference(name), getattr(cls, name)), (
        '%s.%s%s is not callable as Trove calls %s' % (
            cls.__name__, name, inspect.signature(getattr(cls, name)),
            inspect.signature(trove_reference(name))))
    cls()   # built with no arguments, as Trove builds it


def test_interface_list_is_trove_own():
    # The list is read from Trove; make sure reading it found the methods
    # Trove's guest manager calls.
    assert set(trove_interface()) >= {
        'get_master_ref', 'backup_required_for_replication',
        'snapshot_for_replication', 'enable_as_master', 'enable_as_slave',
        'detach_slave', 'cleanup_source_on_replica_detach', 'demote_master',
        'get_replica_context'}


def _trove_sources():
    import trove
    top = os.path.dirname(inspect.getfile(trove))
    for root, _, files in os.walk(top):
        if os.sep + 'tests' in root[len(top):]:
            continue
        for name in files:
            if name.endswith('.py'):
                yield os.path.join(root, name)


def test_base_properties_we_lack_are_read_nowhere_in_trove():
    """The properties Trove's base defines (None by default) that our
    classes do not: no Trove code reads them, so they need not exist.
    """
    properties = [name for name, value in vars(base.Replication).items()
                  if isinstance(value, property)]
    missing = [name for name in properties
               if not all(hasattr(cls, name) for cls in our_classes())]
    assert missing, 'our classes now have every property of the base'
    readers = {}
    sources = list(_trove_sources())
    assert len(sources) > 200, sources[:3]
    for path in sources:
        if path == inspect.getfile(base):
            continue
        with open(path, encoding='utf-8') as f:
            text = f.read()
        for name in missing:
            if re.search(r'\.%s\b' % name, text):
                readers.setdefault(name, []).append(path)
    assert not readers, 'Trove reads %s' % readers


STRATEGY_USES, RESULT_METHODS = usage.strategy_uses(
    'trove_gtid_strategy.strategy')
TABLE = usage.summary(STRATEGY_USES)


def test_the_usage_list_is_found():
    # Sanity: the reader finds the calls every attach makes.
    assert {('service', 'execute_sql'), ('service', 'restart'),
            ('service', 'get_port'),
            ('admin', 'delete_user_by_name')} <= set(TABLE)


@pytest.mark.parametrize('role, name', sorted(TABLE),
                         ids=lambda v: str(v))
def test_trove_has_what_we_use(role, name):
    entry = TABLE[(role, name)]
    classes = APPS if role == 'service' else ADMINS
    for cls in classes:
        found = getattr(cls, name, None)
        if found is None:
            assert entry['optional'], (
                '%s.%s is used by %s but Trove 26 has no such attribute'
                % (cls.__name__, name, ', '.join(entry['where'])))
            continue
        for count, keywords in entry['calls']:
            assert callable(found), '%s.%s is not callable' % (
                cls.__name__, name)
            arguments = [None] * (count or 0)
            try:
                inspect.signature(found).bind(
                    None, *arguments, **dict.fromkeys(keywords))
            except TypeError as exc:
                pytest.fail('%s%s cannot take %d positional arguments and '
                            '%s (as %s calls it): %s' % (
                                cls.__name__ + '.' + name,
                                inspect.signature(found), count, keywords,
                                ', '.join(entry['where']), exc))


def test_optional_attributes_have_a_fallback():
    """What Trove's App lacks is only ever probed with a default."""
    for (role, name), entry in TABLE.items():
        classes = APPS if role == 'service' else ADMINS
        if not all(hasattr(cls, name) for cls in classes):
            assert entry['optional'], (role, name, entry['where'])


def test_execute_sql_is_text_and_result():
    """Trove's execute_sql wraps a string in text() and returns what
    SqlClient.execute returns (the SQLAlchemy result); we call only
    result methods SQLAlchemy's CursorResult has.
    """
    import sqlalchemy.engine
    source = inspect.getsource(common.BaseMySqlApp.execute_sql)
    assert 'text(sql_statement)' in source
    assert 'return client.execute(sql_statement)' in source
    assert RESULT_METHODS, 'no result method found in our code'
    for method in RESULT_METHODS:
        assert hasattr(sqlalchemy.engine.CursorResult, method), method
    assert callable(common.BaseMySqlApp.get_engine)


TROVE_STRATEGY_FILES = [os.path.join(TROVE_DIR, name) for name in (
    'base.py', 'mysql_base.py', 'mysql_gtid.py', 'mariadb_gtid.py')]
TROVE_TABLE = usage.summary(usage.files_of(TROVE_STRATEGY_FILES))


def test_trove_usage_list_is_found():
    assert {('service', 'create_backup'), ('service', 'start_slave'),
            ('admin', 'create_users')} <= set(TROVE_TABLE)


@pytest.mark.parametrize('role, name', sorted(TROVE_TABLE),
                         ids=lambda v: str(v))
def test_our_adapter_has_what_trove_uses(role, name):
    """Trove's strategies run on our adapter: it has every method they
    use, taking what Trove's own classes take.
    """
    mine = ours.TroveCompatService if role == 'service' \
        else ours.TroveCompatAdmin
    theirs = (mysql.MySqlApp, mariadb.MariaDBApp) if role == 'service' \
        else (mysql.MySqlAdmin,)
    found = getattr(mine, name, None)
    assert found is not None, '%s lacks %s (used at %s)' % (
        mine.__name__, name, ', '.join(TROVE_TABLE[(role, name)]['where']))
    for cls in theirs:
        reference = getattr(cls, name)
        assert compatible(reference, found), '%s%s vs Trove %s%s' % (
            name, inspect.signature(found), cls.__name__,
            inspect.signature(reference))
