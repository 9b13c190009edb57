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

"""Tests of the package layout: a pure core, and what Trove loads.

* the pure core imports without a database driver or any I/O module, each
  module checked in a fresh interpreter so nothing imported by another
  test hides a dependency;
* the stevedore entry points name the strategy classes, and each class
  has the exact method signatures Trove's guest manager calls;
* oslo-config-generator finds every option, documented.
"""

import importlib.metadata
import inspect
import subprocess
import sys

from oslo_config import cfg
import pytest
import stevedore

from trove_gtid_strategy import opts
from trove_gtid_strategy import strategy

PURE_CORE = ('versions', 'capabilities', 'modes', 'modes.base',
             'modes.binlog', 'modes.mysql_gtid', 'modes.mariadb_gtid', 'gtid',
             'gtid.mysql', 'gtid.mariadb', 'literals', 'dialect', 'rendering',
             'seeding', 'topology',
             'state', 'accounts', 'trove_contract', 'errcodes', 'audit',
             'replication_view', 'remedies', 'binlog', 'binlog.events',
             'binlog.statements', 'binlog.transactions', 'binlog.errors',
             'fencing', 'account_audit', 'option_file',
             'decisions', 'decisions.switchover', 'decisions.election',
             'decisions.handover', 'decisions.skip', 'decisions.fitness',
             'decisions.holding', 'decisions.lineage', 'flavors',
             'flavors.base', 'flavors.mysql', 'flavors.mariadb',
             'dangers', 'heartbeat_lag', 'binlog.resume', 'checksum_sql',
             'decisions.verify', 'dialect.statement', 'dialect.fencing',
             'dialect.snapshot', 'dialect.heartbeat')
FORBIDDEN = ('pymysql', 'subprocess', 'socket', 'sqlalchemy',
             'trove_gtid_strategy.strategy', 'trove_gtid_strategy.guest',
             'trove_gtid_strategy.sandbox')

ENTRY_POINTS = {
    'auto': strategy.AutoReplication,
    'binlog': strategy.MysqlBinlogReplication,
    'mysql_gtid': strategy.MysqlGTIDReplication,
    'mariadb_gtid': strategy.MariaDBGTIDReplication,
}

# Trove's ReplicationStrategy interface (trove.guestagent.strategies.
# replication.base), as the guest manager calls it.
TROVE_METHODS = {
    'get_master_ref': ['service', 'snapshot_info'],
    'backup_required_for_replication': [],
    'snapshot_for_replication': ['context', 'service', 'adm', 'location',
                                 'snapshot_info'],
    'enable_as_master': ['service', 'master_config'],
    'enable_as_slave': ['service', 'master_info', 'slave_config'],
    'detach_slave': ['service', 'for_failover'],
    'get_replica_context': ['service', 'adm'],
    'cleanup_source_on_replica_detach': ['admin_service', 'replica_info'],
    'demote_master': ['service'],
}

_IMPORT_CHECK = """\
import sys
import trove_gtid_strategy.{module}
loaded = [name for name in {forbidden!r} if name in sys.modules]
print(','.join(loaded))
"""


@pytest.mark.parametrize('module', PURE_CORE)
def test_pure_core_imports_no_io(module):
    code = _IMPORT_CHECK.format(module=module, forbidden=FORBIDDEN)
    out = subprocess.run([sys.executable, '-c', code], capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == '', (
        'trove_gtid_strategy.%s imports %s' % (module, out.stdout.strip()))


def test_import_check_detects_an_import():
    # The check above would see a forbidden module if one were loaded.
    code = _IMPORT_CHECK.format(module='versions', forbidden=FORBIDDEN)
    code = code.replace('import sys\n', 'import sys\nimport socket\n', 1)
    out = subprocess.run([sys.executable, '-c', code], capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == 'socket'


def test_entry_points_metadata():
    found = {ep.name: ep.value for ep in importlib.metadata.entry_points(
        group='trove_gtid_strategy.replication')}
    assert found == {
        name: 'trove_gtid_strategy.strategy:%s' % cls.__name__
        for name, cls in ENTRY_POINTS.items()}


def test_entry_points_load_with_stevedore():
    manager = stevedore.ExtensionManager(
        'trove_gtid_strategy.replication', invoke_on_load=False,
        on_load_failure_callback=_raise)
    assert sorted(manager.names()) == sorted(ENTRY_POINTS)
    for name, cls in ENTRY_POINTS.items():
        assert manager[name].plugin is cls


def _raise(manager, entrypoint, exception):
    raise exception


@pytest.mark.parametrize('name', sorted(ENTRY_POINTS))
def test_strategy_has_trove_interface(name):
    cls = ENTRY_POINTS[name]
    instance = cls()
    assert isinstance(instance, strategy.ReplicationStrategy)
    for method, params in TROVE_METHODS.items():
        bound = getattr(instance, method)
        assert callable(bound)
        signature = inspect.signature(bound)
        positional = [p.name for p in signature.parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY,
                                    p.POSITIONAL_OR_KEYWORD)]
        assert positional == params, method
        required = [p.name for p in signature.parameters.values()
                    if p.default is p.empty]
        assert required == params, method


def test_backup_is_required():
    for cls in ENTRY_POINTS.values():
        assert cls().backup_required_for_replication() is True


def test_pinned_modes():
    assert strategy.AutoReplication.requested_mode is None
    assert strategy.MysqlBinlogReplication.requested_mode == 'binlog'
    assert strategy.MysqlGTIDReplication.requested_mode == 'gtid'
    assert strategy.MysqlGTIDReplication.flavor_family == 'mysql'
    assert strategy.MariaDBGTIDReplication.requested_mode == 'gtid'
    assert strategy.MariaDBGTIDReplication.flavor_family == 'mariadb'


# -- oslo.config --------------------------------------------------------

def test_list_opts():
    groups = opts.list_opts()
    assert [group for group, _ in groups] == ['trove_gtid_strategy']
    options = {opt.name: opt for opt in groups[0][1]}
    mode = options['replication_mode']
    assert mode.default == 'auto'
    assert list(mode.type.choices) == ['auto', 'binlog', 'gtid']
    for name, opt in options.items():
        assert opt.help and opt.help.strip(), name
    for choice, description in mode.type.choices.items():
        assert description, choice


def test_list_opts_entry_point():
    found = {ep.name: ep for ep in importlib.metadata.entry_points(
        group='oslo.config.opts')}
    assert found['trove_gtid_strategy'].load() is opts.list_opts


def test_options_register_and_validate():
    conf = cfg.ConfigOpts()
    opts.register_opts(conf)
    conf([], project='test')
    assert conf.trove_gtid_strategy.replication_mode == 'auto'
    conf.set_override('replication_mode', 'gtid', group='trove_gtid_strategy')
    assert conf.trove_gtid_strategy.replication_mode == 'gtid'
    with pytest.raises(ValueError):
        conf.set_override('replication_mode', 'mariadb_gtid',
                          group='trove_gtid_strategy')


def test_config_sample_is_current(tmp_path):
    """etc/trove-gtid-strategy.conf.sample is what tox -e genconfig makes
    now: an option added without regenerating it fails here.
    """
    import os
    from oslo_config import generator
    root = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir)
    out = tmp_path / 'sample'
    generator.main(['--config-file', os.path.join(
        root, 'etc', 'oslo-config-generator', 'trove-gtid-strategy.conf'),
        '--output-file', str(out)])
    with open(os.path.join(root, 'etc', 'trove-gtid-strategy.conf.sample'),
              encoding='utf-8') as f:
        assert out.read_text(encoding='utf-8') == f.read()
