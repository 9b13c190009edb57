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

"""Replication modes: which one a server gets, and the driver owning it.

The choice is made from :class:`~trove_gtid_strategy.capabilities.
Capabilities`, i.e. from what the server is, and the reason is kept so the
operator can read why (``trove-gtid plan`` prints it, the strategy logs
it). Asking for GTIDs on a server without them is refused here, before any
configuration is written.

Each mode's rules (start point from a seed, the change-source statement,
the pre-check classification, crash safety, re-pointing, detach) live in
one driver object, loaded through the stevedore namespace
``trove_gtid_strategy.modes`` (:func:`load_driver`); nothing else branches
on the mode.
"""

import dataclasses
import enum

from trove_gtid_strategy import exceptions
from trove_gtid_strategy import flavors

REQUESTS = ('auto', 'binlog', 'gtid')
NAMESPACE = 'trove_gtid_strategy.modes'


class Mode(str, enum.Enum):
    """How a replica finds its place in the source's binary log.

    The values are the driver names in :data:`NAMESPACE` and the names of
    the config templates.
    """

    BINLOG = 'binlog'
    MYSQL_GTID = 'mysql_gtid'
    MARIADB_GTID = 'mariadb_gtid'

    def __str__(self):
        return self.value

    @property
    def uses_gtid(self):
        return self is not Mode.BINLOG


@dataclasses.dataclass(frozen=True)
class ModeChoice:
    mode: Mode
    reason: str


def choose_mode(requested, caps):
    """Return the :class:`ModeChoice` for a request on a server version.

    ``requested`` is ``auto``, ``binlog`` or ``gtid``. ``gtid`` means the
    flavor's own GTIDs (MySQL ``uuid:n`` sets or MariaDB
    ``domain-server-seq`` positions).
    """
    if requested not in REQUESTS:
        raise exceptions.InvalidInput(
            'unknown replication mode %r: choose one of %s'
            % (requested, ', '.join(REQUESTS)))
    version = caps.version
    if requested == 'binlog':
        return ModeChoice(Mode.BINLOG, 'binlog-position replication was '
                          'requested (works on %s)' % version)
    if not caps.gtid:
        if requested == 'gtid':
            first = ('MariaDB 10.0.10' if version.flavor.value == 'mariadb'
                     else 'MySQL 5.6.10')
            raise exceptions.UnsupportedMode(
                'GTID replication was requested but %s has no GTIDs (they '
                'start with %s): set replication_mode = binlog (or auto) or '
                'upgrade the server' % (version, first))
        return ModeChoice(Mode.BINLOG, '%s has no GTIDs, so auto uses '
                          'binlog-position replication' % version)
    gtid_mode = Mode(flavors.of(caps).mode)
    if requested == 'gtid':
        return ModeChoice(gtid_mode, 'GTID replication was requested and '
                          '%s supports it' % version)
    return ModeChoice(gtid_mode, '%s supports %s GTIDs, so auto uses '
                      'them' % (version, flavors.of(caps).title))


_DRIVERS = {}


def load_driver(mode):
    """The driver object of ``mode``, loaded once through stevedore.

    stevedore is imported here, not at module level, so the pure core can
    import this package without it.
    """
    mode = Mode(mode)
    if mode not in _DRIVERS:
        from stevedore import driver
        _DRIVERS[mode] = driver.DriverManager(
            NAMESPACE, mode.value, invoke_on_load=True).driver
    return _DRIVERS[mode]
