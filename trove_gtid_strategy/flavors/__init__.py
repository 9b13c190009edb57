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

"""The GTID axis: what differs between MySQL's ``uuid:n`` sets, MariaDB's
``domain-server-seq`` positions and a server without GTIDs. Pure.

The mode axis (binlog position or GTIDs, chosen per server) has its
drivers in :mod:`trove_gtid_strategy.modes`; this is the other axis, fixed
by what the server is: which variables hold its executed state, what a
wait targets, how one transaction is skipped, which ``my.cnf`` options
are its own. One object per kind, chosen from a version's
:class:`~trove_gtid_strategy.capabilities.Capabilities` by :func:`of`, so
callers ask the object instead of comparing ``gtid_style`` strings.
"""

from trove_gtid_strategy import exceptions
from trove_gtid_strategy.flavors.base import NoGtids
from trove_gtid_strategy.flavors.mariadb import MariaDBGtids
from trove_gtid_strategy.flavors.mysql import MySQLGtids

#: One object per kind, keyed by ``Capabilities.gtid_style``.
BY_STYLE = {flavor.style: flavor
            for flavor in (NoGtids(), MySQLGtids(), MariaDBGtids())}


def of(caps):
    """The GTID flavor of a server version's capabilities."""
    return BY_STYLE[caps.gtid_style]


def named(style):
    """The flavor called ``style`` ('mysql', 'mariadb' or None), as facts
    sent by another process name it; anything else is
    :class:`~trove_gtid_strategy.exceptions.InvalidInput`.
    """
    try:
        return BY_STYLE[style]
    except (KeyError, TypeError):
        raise exceptions.InvalidInput('unknown GTID flavor %r' % (style,))
