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

"""get_master_ref gives replicas the address Trove's own strategies give.

Trove's ``MysqlReplicationBase.get_master_ref`` and ours are called on
the same service object, with the same ``CONF.network_isolation`` and
the same ``eth1.json`` (its path patched in both), and must agree:
isolation on with the file → its ``ipv4_address``, else its
``ipv6_address``; isolation off, no file, or a file naming neither → the
host's address as ``oslo_utils.netutils.get_my_ipv4()`` finds it.
"""

import json
import os

import pytest

import trove_support

trove_support.trove()

from oslo_utils import netutils  # noqa: E402
from trove.common import constants  # noqa: E402
from trove.guestagent.strategies.replication import mysql_gtid  # noqa: E402

from trove_gtid_strategy.guest import addresses  # noqa: E402
from trove_gtid_strategy import strategy  # noqa: E402


class TroveService:
    """What both get_master_ref read of Trove's App: the port."""

    def get_port(self):
        return 3306


@pytest.fixture
def eth1(workdir, trove_conf, monkeypatch):
    """Write eth1.json (or not) and point both readers at it."""
    path = os.path.join(workdir, 'eth1.json')
    monkeypatch.setattr(constants, 'ETH1_CONFIG_PATH', path)
    monkeypatch.setattr(addresses, 'ETH1_CONFIG_PATH', path)

    def make(isolation, content=None):
        trove_conf.set_override('network_isolation', isolation)
        if content is not None:
            with open(path, 'w') as f:
                json.dump(content, f)
        elif os.path.exists(path):
            os.unlink(path)
    return make


CASES = [
    ('isolated ipv4', True, {'ipv4_address': '10.1.2.3',
                             'ipv6_address': 'fd00::5'}, '10.1.2.3'),
    ('isolated ipv6 only', True, {'ipv4_address': None,
                                  'ipv6_address': 'fd00::5'}, 'fd00::5'),
    ('isolated, file names no address', True, {'mac_address': 'x'}, None),
    ('isolated, no file', True, None, None),
    ('not isolated, file present', False, {'ipv4_address': '10.1.2.3'},
     None),
    ('not isolated, no file', False, None, None),
]


@pytest.mark.parametrize('isolation, content, expected',
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_same_address_as_trove(eth1, isolation, content, expected):
    eth1(isolation, content)
    host = expected or netutils.get_my_ipv4()
    service = TroveService()
    theirs = mysql_gtid.MysqlGTIDReplication().get_master_ref(service, None)
    mine = strategy.AutoReplication().get_master_ref(service, None)
    assert theirs == {'host': host, 'port': 3306}
    assert mine == theirs


def test_injectable_path_and_unregistered_option(workdir):
    path = os.path.join(workdir, 'eth1.json')
    with open(path, 'w') as f:
        json.dump({'ipv4_address': '192.0.2.7'}, f)

    class Conf:
        network_isolation = True

    assert addresses.isolated_address(Conf(), path) == '192.0.2.7'
    # Outside Trove the option is not registered: no isolation.
    assert addresses.isolated_address(object(), path) is None
    assert addresses.replication_host(object(), object(), path) == \
        netutils.get_my_ipv4()


def test_our_adapter_address_when_not_isolated(eth1):
    """Outside Trove our adapter says where its server is reached;
    network isolation, when on, still wins as it would in a guest.
    """
    class Adapter(TroveService):
        replication_host = '127.0.0.1'

    eth1(False)
    assert strategy.AutoReplication().get_master_ref(Adapter(), None) == {
        'host': '127.0.0.1', 'port': 3306}
    eth1(True, {'ipv4_address': '10.9.9.9'})
    assert strategy.AutoReplication().get_master_ref(Adapter(), None) == {
        'host': '10.9.9.9', 'port': 3306}
