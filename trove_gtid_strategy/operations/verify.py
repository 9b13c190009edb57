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

"""Verify: a replica's data against its source's, at one point.

Nothing is written to the source, and the replica gets no transaction:

1. The replica is checked first: one whose threads stopped on an error
   is refused before anything changes.
2. Its applier is stopped (the SQL thread; on MariaDB by GTIDs both
   threads, which ``UNTIL master_gtid_pos`` needs), so that it stands
   at or behind any later point of the source.
3. The source opens a read-only consistent snapshot and reads the point
   it is at (:mod:`~trove_gtid_strategy.guest.snapshot`: lock-free on
   MariaDB; on MySQL under a global read lock held only while the
   snapshot starts).
4. The replica applies up to exactly that point (``START ... UNTIL`` its
   GTIDs, or the coordinates when it replicates by position) and stops.
   A replica past the point (it holds transactions the snapshot does
   not) cannot be compared there: refused.
5. Every user table (or the ones asked for) is checksummed in ranges of
   its primary key, the ranges bounded on the source's snapshot and the
   same ranges read on the replica, both sides at once
   (:mod:`~trove_gtid_strategy.checksum_sql`); a table without a usable
   key is checksummed whole.
6. The snapshot is rolled back and the replica's threads are started as
   they ran before, on every path.
"""

import concurrent.futures
import contextlib
import time

from trove_gtid_strategy import checksum_sql
from trove_gtid_strategy.decisions import verify as decision
from trove_gtid_strategy import exceptions
from trove_gtid_strategy import gtid as gtid_sets
from trove_gtid_strategy.guest import server as server_mod
from trove_gtid_strategy.guest import snapshot
from trove_gtid_strategy.guest import statements
from trove_gtid_strategy.guest import waits
from trove_gtid_strategy import state as state_mod

#: Rows per chunk: small enough that a difference is found in a short
#: range, large enough that a statement's overhead is small beside it.
DEFAULT_CHUNK_ROWS = 10000
#: Chunks between two progress lines on a large table.
PROGRESS_EVERY = 100
_POLL = 0.5


def verify(source, replica, tables=(), chunk_rows=DEFAULT_CHUNK_ROWS,
           timeout=60, progress=None):
    """Compare ``replica``'s data with ``source``'s (services) at one
    point; returns a :class:`~trove_gtid_strategy.decisions.verify.
    VerifyReport`. ``tables``: ``(schema, table)`` pairs, default every
    user table.
    """
    started = time.monotonic()
    say = progress or (lambda message: None)
    src = server_mod.Server(source, 'source')
    rep = server_mod.Server(replica, 'replica')
    before = _checked_replica(src, rep)
    # Unknown names are bad input before anything changes; the tables
    # compared are listed again at the point (the replica may create or
    # drop some until it reaches it).
    decision.match_tables(_user_tables(source), _user_tables(replica),
                          tables)
    for svc in (source, replica):
        statements.run(svc, checksum_sql.session_settings())
    applier = _Applier(rep, before, timeout, say)
    with applier.held(), snapshot.consistent(source, src.dialect,
                                             timeout) as point:
        applier.stop_at(point)
        common, only_source, only_replica = decision.match_tables(
            _user_tables(source), _user_tables(replica), tables)
        results = _compare(source, replica, common, chunk_rows,
                           lambda m: say('verify %s: %s' % (rep.name, m)))
    results += [decision.missing(_name(t), decision.MISSING_ON_REPLICA)
                for t in only_source]
    results += [decision.missing(_name(t), decision.MISSING_ON_SOURCE)
                for t in only_replica]
    return decision.VerifyReport(
        src.name, rep.name, point.describe(),
        sorted(results, key=lambda r: r.name), applier.outcome,
        time.monotonic() - started)


def _name(table):
    return '%s.%s' % table


def _checked_replica(src, rep):
    """The replica's status, refusing (before any change) a server that
    is not a replica, one stopped on an error, or one whose connected
    source is another server.
    """
    status = rep.replica_status()
    if status is None:
        raise exceptions.PrecheckFailed(
            '%s is not a replica: there is nothing to verify against %s'
            % (rep.name, src.name))
    stopped = status.stopped_error
    if stopped:
        raise exceptions.PrecheckFailed(
            '%s: its %s thread stopped on error %d (%s); fix its '
            'replication first (trove-gtid check, skip): nothing was '
            'changed' % ((rep.name,) + tuple(stopped)))
    if status.io_running == 'Yes' and status.source_server_id:
        # Connected, it names its source's server_id (before that it may
        # still show an earlier source's).
        server_id = int(src.variables(('server_id',))['server_id'])
        if status.source_server_id != server_id:
            raise exceptions.PrecheckFailed(
                '%s replicates from server_id %d, not from %s (server_id '
                '%d): it can only be verified against its own source'
                % (rep.name, status.source_server_id, src.name, server_id))
    return status


def _user_tables(svc):
    rows = svc.execute_sql(checksum_sql.user_tables().sql).fetchall()
    return [(state_mod.text(r[0]), state_mod.text(r[1])) for r in rows]


def _by_gtids(status):
    return status.auto_position or status.using_gtid not in ('', 'No')


class _Applier:
    """The replica's applier: stopped, run up to the snapshot's point,
    and restarted as it was.
    """

    def __init__(self, rep, before, timeout, progress):
        self.rep = rep
        self.before = before
        self.by_gtids = _by_gtids(before)
        self.timeout = timeout
        self.progress = progress
        self.outcome = 'not stopped'

    @contextlib.contextmanager
    def held(self):
        statements.run(self.rep.service,
                       self.rep.dialect.stop_applier(self.by_gtids))
        self.outcome = 'stopped'
        try:
            yield
        finally:
            self._restore()

    def _restore(self):
        io = self.before.io_running == 'Yes'
        sql = self.before.sql_running == 'Yes'
        if not (io or sql):
            self.outcome += '; left stopped, as it was'
            return
        statements.run(self.rep.service,
                       self.rep.dialect.start_threads(io, sql))
        if io and sql:
            waits.until_running(self.rep.service, self.rep.name,
                                self.timeout, _POLL, self.progress)
        self.outcome += '; running again, as before'

    def _target(self, point):
        if self.by_gtids:
            return self.rep.gtids.wait_target(point)
        return (point.log_file, point.log_pos)

    def _applied(self):
        if not self.by_gtids:
            status = self.rep.replica_status()
            return (status.exec_log_file, status.exec_log_pos)
        names = ('gtid_executed', 'gtid_slave_pos')
        found = self.rep.variables(names)
        if self.rep.gtids.style == 'mysql':
            return gtid_sets.GtidSet.parse(found['gtid_executed'])
        return gtid_sets.MariaDBGtidPosition.parse(found['gtid_slave_pos'])

    def stop_at(self, point):
        """Run the applier up to ``point`` (a StartPoint) and stop it
        there; refused when the replica is past it.
        """
        target = self._target(point)
        where, what = decision.stance(self._applied(), target)
        if where == decision.PAST:
            raise exceptions.PrecheckFailed(
                '%s holds transactions the source\'s snapshot at %s does '
                'not (%s): errant ones, or applied from elsewhere, so it '
                'cannot be compared at that point; see trove-gtid check, '
                'then run verify again' % (self.rep.name, _text(target),
                                           what))
        if where == decision.BEHIND:
            d = self.rep.dialect
            statements.run(self.rep.service, (
                d.start_applier_until_gtids(target) if self.by_gtids
                else d.start_applier_until_position(*target)))
            waits.until_applier_stopped(
                self.rep.service, self.rep.name, _text(target),
                self.timeout, _POLL, self.progress)
            where, what = decision.stance(self._applied(), target)
            if where != decision.AT:
                raise exceptions.ReplicationError(
                    '%s stopped %s the source\'s snapshot at %s (%s)'
                    % (self.rep.name, where, _text(target), what))
        self.outcome = 'stopped at %s' % _text(target)


def _text(target):
    return '%s:%d' % target if isinstance(target, tuple) else \
        'GTIDs %s' % target


def _compare(source, replica, tables, chunk_rows, progress):
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        def both(stmt):
            sides = [pool.submit(_sums, svc, stmt)
                     for svc in (source, replica)]
            return [side.result() for side in sides]
        return [_compare_table(source, replica, table, chunk_rows, both,
                               progress) for table in tables]


def _sums(svc, stmt):
    return decision.Sums.from_row(svc.execute_sql(stmt.sql).first())


def _columns(svc, table):
    rows = svc.execute_sql(checksum_sql.columns(*table).sql).fetchall()
    return [tuple(state_mod.text(v) if v is not None else None for v in r)
            for r in rows]


def _compare_table(source, replica, table, chunk_rows, both, progress):
    name = _name(table)
    cols = _columns(source, table)
    different = decision.columns_differ(name, cols,
                                        _columns(replica, table))
    if different is not None:
        return different
    key = tuple(state_mod.text(r[0]) for r in source.execute_sql(
        checksum_sql.primary_key(*table).sql).fetchall())
    types = {c[0]: c[1] for c in cols}
    if key and checksum_sql.rangeable([types[k] for k in key]):
        return _chunked(source, table, cols, key, chunk_rows, both,
                        progress)
    tally = decision.TableTally(name, note=(
        'primary key of type %s cannot be read in ranges: checksummed '
        'whole' % ', '.join(types[k] for k in key) if key else
        'no primary key: checksummed whole'))
    tally.add(decision.KeyRange(), *both(
        checksum_sql.range_sums(table[0], table[1], cols)))
    return tally.result()


def _chunked(source, table, cols, key, chunk_rows, both, progress):
    tally = decision.TableTally(_name(table), key=key, chunked=True)
    after = None
    while True:
        row = source.execute_sql(checksum_sql.chunk_end(
            table[0], table[1], key, after, chunk_rows).sql).first()
        key_range = decision.KeyRange(after, tuple(row) if row else None)
        tally.add(key_range, *both(checksum_sql.range_sums(
            table[0], table[1], cols, key, key_range.after,
            key_range.upto)))
        if key_range.upto is None:
            return tally.result()
        after = key_range.upto
        if tally.chunks % PROGRESS_EVERY == 0:
            progress('%s: %d chunks, %d rows so far' % (
                _name(table), tally.chunks, tally.source.rows))
