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

"""Our classes, loaded by Trove 26.0.0's guest agent code.

``guest_info.conf`` is written by Trove's taskmanager code
(``BaseInstance.get_injected_files``) for a datastore version whose
``repl_strategy`` names our class (what ``trove-manage
datastore_version_update ... --repl-strategy`` stores), parsed as the
guest agent parses its ``--config-dir``, and the strategy is built by
Trove's ``replication.get_instance``, its cached instance reset between
loads.
"""

import importlib

import pytest

import trove_support

MANAGERS = {
    'trove_gtid_strategy.strategy.AutoReplication': ('mysql', 'mariadb'),
    'trove_gtid_strategy.strategy.MysqlBinlogReplication': ('mysql',
                                                            'mariadb'),
    'trove_gtid_strategy.strategy.MysqlGTIDReplication': ('mysql',),
    'trove_gtid_strategy.strategy.MariaDBGTIDReplication': ('mariadb',),
}
CASES = [(path, manager) for path in trove_support.OUR_CLASSES
         for manager in MANAGERS[path]]


def our_class(path):
    module, name = path.rsplit('.', 1)
    return getattr(importlib.import_module(module), name)


@pytest.mark.parametrize('path, manager', CASES)
def test_get_instance_builds_our_class(trove_conf, workdir, path, manager):
    conf_dir = workdir + '/conf.d'
    version = '9.7.4' if manager == 'mysql' else '10.11.6'
    _, text = trove_support.write_guest_info(conf_dir, manager, version,
                                             path)
    # Written exactly as Trove's taskmanager writes it.
    assert text.splitlines() == [
        '[DEFAULT]',
        'guest_id=11111111-2222-3333-4444-555555555555',
        'datastore_manager=%s' % manager,
        'datastore_version=%s' % version,
        'tenant_id=tenant-1',
        'datastore_registry_ext=%s:trove.guestagent.datastore.%s.manager.'
        'Manager' % (manager, manager),
        'replication_strategy=%s' % path,
        'ssl_mode=None',
        'network_isolation=False',
    ]
    strategy = trove_support.load_guest(conf_dir)
    assert type(strategy) is our_class(path)
    assert trove_conf.replication_strategy == path
    assert trove_conf.datastore_version == version
    # Our options are registered on the same CONF and readable in a guest.
    assert trove_conf.trove_gtid_strategy.replication_mode == 'auto'


def test_instances_are_cached_per_manager_and_reset(trove_conf, workdir):
    from trove.guestagent.strategies import replication
    conf_dir = workdir + '/conf.d'
    trove_support.write_guest_info(conf_dir, 'mysql', '9.7.4',
                                   trove_support.OUR_CLASSES[0])
    first = trove_support.load_guest(conf_dir)
    assert replication.get_instance('mysql') is first
    trove_support.write_guest_info(conf_dir, 'mysql', '9.7.4',
                                   trove_support.OUR_CLASSES[1])
    second = trove_support.load_guest(conf_dir)
    assert second is not first
    assert type(second).__name__ == 'MysqlBinlogReplication'


def test_older_per_datastore_options(trove_conf, workdir):
    """With no ``repl_strategy`` on the datastore version, the
    taskmanager writes ``[mysql] replication_namespace`` + ``.`` +
    ``replication_strategy`` of its own configuration: set to ours, the
    guest loads ours.
    """
    trove_conf.set_override('replication_strategy', 'AutoReplication',
                            group='mysql')
    trove_conf.set_override('replication_namespace',
                            'trove_gtid_strategy.strategy', group='mysql')
    conf_dir = workdir + '/conf.d'
    _, text = trove_support.write_guest_info(conf_dir, 'mysql', '9.7.4',
                                             None)
    assert ('replication_strategy=trove_gtid_strategy.strategy.'
            'AutoReplication\n') in text
    strategy = trove_support.load_guest(conf_dir)
    assert type(strategy).__name__ == 'AutoReplication'


def test_trove_default_without_our_line_is_trove_own(trove_conf, workdir):
    """Without a replication_strategy line Trove falls back to its own
    MySQL GTID class, even for MariaDB: the operator must set ours.
    """
    conf_dir = workdir + '/conf.d'
    path, text = trove_support.write_guest_info(conf_dir, 'mariadb',
                                                '10.11.6', 'x.Y')
    with open(path, 'w') as f:
        f.write(text.replace('replication_strategy=x.Y\n', ''))
    strategy = trove_support.load_guest(conf_dir)
    assert type(strategy).__name__ == 'MysqlGTIDReplication'
    assert type(strategy).__module__.startswith('trove.')
