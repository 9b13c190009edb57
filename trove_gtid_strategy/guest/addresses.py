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

"""The address replicas reach a source at, chosen as Trove chooses it.

Trove's MySQL strategies (``mysql_base.get_master_ref`` in Trove 26) give
replicas the address of the instance's user port when the guest runs
with network isolation: ``CONF.network_isolation`` is true and the
taskmanager injected ``/etc/trove/eth1.json`` (its ``ipv4_address``,
else its ``ipv6_address``). Otherwise, or when the file names neither,
the host's own IPv4 address as ``oslo_utils.netutils.get_my_ipv4()``
finds it (the source address of the default route; ``127.0.0.1`` when
there is none). This module does exactly that, with the file's path
injectable, so a replica is told the same address whichever strategy
the operator configured.

Outside Trove (our own service adapter, the sandbox) the service knows
the address its server is reached at (``service.replication_host``);
network isolation, when configured, still wins, as it would in a guest.
"""

import json
import os

from oslo_utils import netutils

#: Where Trove's taskmanager injects the user port's addresses
#: (``trove.common.constants.ETH1_CONFIG_PATH``).
ETH1_CONFIG_PATH = '/etc/trove/eth1.json'


def network_isolation(conf):
    """``CONF.network_isolation`` (a DEFAULT option Trove's guest
    registers in ``trove.cmd.guest``); False where it is not registered.
    """
    try:
        return bool(getattr(conf, 'network_isolation', False))
    except Exception:  # an unparsed or unregistered oslo.config option
        return False


def isolated_address(conf, path=None):
    """The user port's address from ``eth1.json``, or None.

    None unless network isolation is on and the file exists, or when the
    file names no address. A file that is not JSON raises, as in Trove.
    """
    path = path or ETH1_CONFIG_PATH
    if not (network_isolation(conf) and os.path.exists(path)):
        return None
    with open(path) as f:
        eth1 = json.load(f)
    return eth1.get('ipv4_address') or eth1.get('ipv6_address') or None


def host_address():
    """This host's IPv4 address, as Trove computes it."""
    return netutils.get_my_ipv4()


def replication_host(service, conf, path=None):
    """The host replicas are given for the server behind ``service``:
    the network-isolation address, else the address the service says its
    server is reached at (our adapter; Trove's service has none), else
    the host's address.
    """
    return (isolated_address(conf, path)
            or getattr(service, 'replication_host', None)
            or host_address())
