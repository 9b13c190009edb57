"""Choosing binlog-position or GTID replication for a server version.

The choice is made from :class:`~trove_gtid_strategy.capabilities.
Capabilities`, i.e. from what the server is, and the reason is kept so the
operator can read why (``trove-gtid plan`` prints it, the strategy logs
it). Asking for GTIDs on a server without them is refused here, before any
configuration is written.
"""

import dataclasses
import enum

from trove_gtid_strategy import exceptions

REQUESTS = ('auto', 'binlog', 'gtid')


class Mode(str, enum.Enum):
    """How a replica finds its place in the source's binary log."""

    BINLOG = 'binlog'
    GTID = 'gtid'
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
    gtid_mode = (Mode.MARIADB_GTID if caps.gtid_style == 'mariadb'
                 else Mode.GTID)
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
    if requested == 'gtid':
        return ModeChoice(gtid_mode, 'GTID replication was requested and '
                          '%s supports it' % version)
    return ModeChoice(gtid_mode, '%s supports %s GTIDs, so auto uses '
                      'them' % (version, caps.gtid_style))
