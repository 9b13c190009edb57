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

"""A server without GTIDs (MySQL 5.5, MariaDB before 10.0.10): the
behaviour every flavor starts from. Replication is by binlog file and
position only, so every question about GTIDs has the answer "none".
"""

from trove_gtid_strategy import exceptions


class NoGtids:
    """The GTID rules of a server that has none."""

    #: ``Capabilities.gtid_style``.
    style = None
    #: The name of its GTIDs in messages.
    title = None
    #: The replication mode that uses these GTIDs
    #: (:class:`~trove_gtid_strategy.modes.Mode` value), or None.
    mode = None
    #: ``my.cnf`` options only this flavor's servers know.
    option_names = ()
    #: The executed state is read at binlog coordinates with
    #: ``BINLOG_GTID_POS`` (MariaDB) instead of from the status row.
    position_at_coordinates = False
    #: One failed transaction is skipped by committing an empty one under
    #: its GTID (MySQL), not with the skip counter.
    skips_by_empty_transaction = False
    #: Skipping leaves the GTID out of the replica's binary log (MariaDB
    #: logs no empty transaction for it).
    skip_leaves_binlog_hole = False
    #: The ``START ... UNTIL`` option that stops the applier once it
    #: applied a GTID set or position; None without GTIDs.
    until_gtids_option = None
    #: That option needs the receiver stopped too (MariaDB refuses it
    #: with error 1254 while the I/O thread runs, and stops both).
    until_gtids_stops_receiver = False

    def position_options(self, prefix):
        """``CHANGE ... TO`` options that make a replica follow binlog
        coordinates rather than GTIDs.
        """
        return []

    def executed_fields(self, variables):
        """:class:`~trove_gtid_strategy.state.ServerState` fields holding
        the executed state, parsed from the server's variables.
        """
        return {}

    def start_gtids(self, status_row, at_coordinates):
        """``(gtid_set, mariadb_pos)`` of a source's position: from its
        ``SHOW BINARY LOG STATUS`` row, or the position
        ``BINLOG_GTID_POS`` gave at its coordinates (read where
        :attr:`position_at_coordinates` says so, else None).
        """
        return None, None

    def wait_target(self, start):
        """What a replica waits for to have applied ``start`` (a
        :class:`~trove_gtid_strategy.seeding.StartPoint`), in GTIDs; None
        to wait for the coordinates.
        """
        return None

    def gtids_assigned(self, variables):
        """Whether every transaction the server writes gets a GTID, from
        its variables (``gtid_mode`` on MySQL).
        """
        return False

    def applied_test(self, variables):
        """A function telling whether a relay-log transaction's GTID is
        applied on the replica whose ``variables`` these are; None when
        its GTIDs cannot tell.
        """
        return None

    def normalise_gtid(self, text):
        """One GTID as the server writes it; the GTID of another flavor,
        or several, is :class:`~trove_gtid_strategy.exceptions.InvalidInput`.
        """
        raise exceptions.InvalidInput(
            'this server has no GTIDs, so %r cannot name a transaction: '
            'skip without a GTID' % (text,))

    def domain_of(self, gtid_text):
        """The replication domain a GTID belongs to (MariaDB), else None."""
        return None

    def applies_in_order(self, variables):
        """Whether the applier commits in relay-log order, so the first
        unapplied transaction is the one that failed.
        """
        return True

    def received_unexecuted(self, status):
        """What a replica received and did not execute, from its status
        (MySQL's ``Retrieved_Gtid_Set``); None when its status cannot
        tell.
        """
        return None

    def settings_problems(self, options, version, is_on):
        """Why ``options`` (a parsed ``my.cnf``) with this flavor's GTIDs
        could not start a server of ``version`` (``is_on`` reads a
        boolean option as ``my.cnf`` does).
        """
        return []

    def parse_received(self, text):
        """A replica's held transactions as another process sent them."""
        raise ValueError('a server without GTIDs holds no GTID set')

    def parse_own(self, text):
        """A replica's own transactions as another process sent them;
        None where a flavor does not tell them apart.
        """
        return None

    def parse_purged(self, text):
        """A replica's purged transactions as another process sent them;
        None where a flavor does not keep them as a set.
        """
        return None

    def attach_verdict(self, source, replica):
        """``(verdict, errant text)`` of the attach check between two
        :class:`~trove_gtid_strategy.state.ServerState` of this flavor.
        """
        raise exceptions.UnsupportedMode(
            '%s has no GTIDs: errant transactions cannot be told apart'
            % replica.version)


def applier_threads(variables, names):
    """A parallel applier's thread count from a replica's variables (0:
    one applier thread), under whichever of ``names`` the server reports
    (its older and newer names).
    """
    for name in names:
        try:
            if variables.get(name) not in (None, ''):
                return int(variables[name])
        except ValueError:
            continue
    return 0
