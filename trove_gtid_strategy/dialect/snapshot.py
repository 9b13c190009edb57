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

"""The statements of one consistent point for verifying data
(:mod:`~trove_gtid_strategy.operations.verify`): the source's snapshot
and the replica's applier run up to it. A part of
:class:`~trove_gtid_strategy.dialect.Dialect`.
"""

from trove_gtid_strategy.dialect.statement import plain as _plain
from trove_gtid_strategy import flavors
from trove_gtid_strategy import literals


class SnapshotStatements:
    """A part of :class:`~trove_gtid_strategy.dialect.Dialect` (it reads
    ``self.caps`` and uses ``self._require_gtid``).
    """

    @property
    def snapshot_reports_coordinates(self):
        """A transaction started WITH CONSISTENT SNAPSHOT reports its
        binlog coordinates (``binlog_snapshot_file`` / ``_position``
        status, MariaDB 5.3+, KB "Enhancements for START TRANSACTION WITH
        CONSISTENT SNAPSHOT"), so no lock is needed to learn them.
        """
        return self.caps.flavor.value == 'mariadb'

    def snapshot_lock(self, timeout):
        """Statements holding commits still while a snapshot starts, where
        its executed set is read only outside it (MySQL): a global read
        lock waits for running commits and blocks new ones, so the
        InnoDB snapshot and ``gtid_executed`` (or the binlog coordinates)
        read under it hold the same transactions, as ``mysqldump
        --single-transaction --source-data`` reads them. It needs RELOAD.
        ``performance_schema.log_status`` is lock-free but consistent
        with the binary log, not with a transaction's snapshot. The
        ``LOCAL`` flush first closes tables without the lock held (nor
        written to the binary log), so the lock itself is short.
        ``lock_wait_timeout`` bounds the wait behind a long statement.
        MariaDB needs nothing: its snapshot reports its own coordinates.
        """
        if self.snapshot_reports_coordinates:
            return []
        return [_plain('SET SESSION lock_wait_timeout = %s'
                       % literals.integer(timeout, 'lock wait timeout')),
                _plain('FLUSH LOCAL TABLES'),
                _plain('FLUSH TABLES WITH READ LOCK')]

    def snapshot_unlock(self):
        """Undo :meth:`snapshot_lock` (the transaction stays open)."""
        if self.snapshot_reports_coordinates:
            return []
        return [_plain('UNLOCK TABLES')]

    @staticmethod
    def start_snapshot():
        """A read-only transaction on one snapshot (REPEATABLE READ: the
        other levels ignore WITH CONSISTENT SNAPSHOT).
        """
        return [_plain('SET SESSION TRANSACTION ISOLATION LEVEL '
                       'REPEATABLE READ'),
                _plain('START TRANSACTION WITH CONSISTENT SNAPSHOT, '
                       'READ ONLY')]

    @staticmethod
    def end_snapshot():
        return _plain('ROLLBACK')

    def snapshot_coordinates(self):
        """The statement reading the snapshot's binlog coordinates:
        MariaDB's ``binlog_snapshot_*`` status, else the source status
        (read under :meth:`snapshot_lock`, with ``Executed_Gtid_Set``).
        """
        if self.snapshot_reports_coordinates:
            return _plain("SHOW SESSION STATUS WHERE Variable_name IN "
                          "('binlog_snapshot_file', "
                          "'binlog_snapshot_position')")
        return self.show_source_status()

    def stop_applier(self, by_gtids):
        """Stop the applier before a ``START ... UNTIL``: the SQL thread,
        or both threads where the GTID form of UNTIL needs them stopped
        (``by_gtids``: the replica replicates by GTIDs).
        """
        if by_gtids and flavors.of(self.caps).until_gtids_stops_receiver:
            return self.stop_replica()
        return self.stop_sql_thread()

    def start_applier_until_gtids(self, gtids):
        """Start the applier until it applied ``gtids`` (a GTID set or a
        MariaDB position); it then stops.
        """
        flavor = flavors.of(self.caps)
        if flavor.until_gtids_option is None:
            self._require_gtid('mysql')
        threads = '' if flavor.until_gtids_stops_receiver else ' SQL_THREAD'
        return _plain('START %s%s UNTIL %s = %s' % (
            self.caps.replica_word, threads, flavor.until_gtids_option,
            literals.quote(str(gtids))))

    def start_applier_until_position(self, log_file, log_pos):
        """Start the SQL thread until it applied the source's binlog up to
        ``log_file``:``log_pos``.
        """
        p = self.caps.option_prefix
        return _plain('START %s SQL_THREAD UNTIL %sLOG_FILE = %s, '
                      '%sLOG_POS = %s' % (
                          self.caps.replica_word, p, literals.quote(log_file),
                          p, literals.integer(log_pos, 'log position')))

    def start_threads(self, io, sql):
        """Start the replication threads named (both: START REPLICA)."""
        if io and sql:
            return self.start_replica()
        return _plain('START %s %s' % (self.caps.replica_word,
                                       'IO_THREAD' if io else 'SQL_THREAD'))

    def binlog_gtid_pos(self, log_file, log_pos):
        """MariaDB: the GTID position at a binlog file and offset.
        """
        self._require_gtid('mariadb')
        return _plain('SELECT BINLOG_GTID_POS(%s, %s)' % (
            literals.quote(log_file),
            literals.integer(log_pos, 'log position')))
