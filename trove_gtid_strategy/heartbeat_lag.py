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

"""Lag measured from replicated data: the heartbeat table. Pure.

``trove-gtid heartbeat`` writes one row per source ``server_id`` in
:data:`DATABASE`.:data:`TABLE`: the source's own ``UTC_TIMESTAMP(6)``
every interval. A replica holds the newest beat it applied, so the
difference between the source's newest beat and the replica's is the
lag in the source's own clock, whatever ``Seconds_Behind_Source`` says
(NULL with the I/O thread down, 0 while a connected I/O thread receives
nothing, jumps with long transactions).

:func:`judge` decides, from what each server's heartbeat table held,
which lag ``status`` reports and why; :func:`table_mark` and
:func:`mark_of` tell our table (and a database we created) from anyone
else's.
"""

import dataclasses
import datetime

DATABASE = 'trove_gtid'
TABLE = 'heartbeat'
#: The table comment that makes the table ours (``--remove`` drops
#: nothing without it).
MARK = 'trove-gtid heartbeat'
#: Added to :data:`MARK` when the writer created the database too, so
#: ``--remove`` may drop it once it holds nothing else.
DATABASE_MARK = '; database created by trove-gtid'
#: A beat older than this many intervals on the source: the writer
#: stopped (a few, not one: a busy source delays a commit now and then).
STALE_BEATS = 5

LAG_FROM_HEARTBEAT = 'heartbeat'
LAG_FROM_SECONDS_BEHIND = 'seconds_behind_source'
SOURCE_CLOCK = 'source'
REPLICA_CLOCK = 'replica'


def table_mark(created_database):
    """The comment of a heartbeat table we create."""
    return MARK + (DATABASE_MARK if created_database else '')


def mark_of(comment):
    """``(ours, created_database)`` of a heartbeat table's comment."""
    ours = (comment or '').startswith(MARK)
    return ours, ours and DATABASE_MARK in comment


@dataclasses.dataclass(frozen=True)
class Beat:
    """One row: the newest beat of a source, in that source's clock."""

    ts: datetime.datetime
    interval: float


@dataclasses.dataclass(frozen=True)
class Reading:
    """One server's heartbeat table: ``beats`` by source ``server_id``,
    and the server's own ``UTC_TIMESTAMP(6)`` when it was read.
    """

    beats: dict
    now: datetime.datetime | None


#: A server read without a heartbeat table: a given source that has
#: none is not a source that was not given.
NO_BEATS = Reading({}, None)


@dataclasses.dataclass(frozen=True)
class HeartbeatLag:
    """What the heartbeat says of one replica.

    ``seconds``: the lag it measured, or None when it measured none;
    ``clock``: whose clock both ends are in (``source``: no skew) or
    ``replica`` (the replica's now against the source's beat: clock skew
    not corrected); ``writer_stopped``: the source's newest beat is older
    than :data:`STALE_BEATS` intervals, so the beats no longer say how
    far behind the replica is; ``used``: ``status`` reports this lag
    rather than ``Seconds_Behind_Source``; ``note``: why, in words.
    """

    seconds: float | None
    clock: str | None
    interval: float
    writer_stopped: bool = False
    used: bool = False
    note: str = ''

    def to_dict(self):
        return dataclasses.asdict(self)

    def describe(self):
        """The one line ``status`` prints for the replica."""
        if self.seconds is None:
            return self.note
        return '%.3f s behind (%s); lag from %s' % (
            self.seconds, self.note,
            'heartbeat' if self.used else 'Seconds_Behind_Source')


def _seconds(later, earlier):
    return (later - earlier).total_seconds()


def stale(reading, server_id):
    """The age in seconds of ``server_id``'s own beat on its own server
    when it is older than :data:`STALE_BEATS` intervals, else None.
    """
    beat = reading.beats.get(server_id)
    age = _seconds(reading.now, beat.ts)
    return age if age > STALE_BEATS * beat.interval else None


def judge(replica, source_server_id, source=None):
    """The :class:`HeartbeatLag` of a replica, or None when its heartbeat
    table (``replica``, a :class:`Reading` or None) holds no beat of its
    source (``source_server_id``).

    ``source``: the source's own :class:`Reading` (:data:`NO_BEATS`
    without a table) when the source is among the servers read. Then the
    lag is the source's newest beat minus the replica's (one clock;
    resolution one interval), unless the source's beat is stale (the
    writer stopped). Otherwise it is the replica's now minus its newest
    beat, in two clocks.
    """
    if replica is None or source_server_id not in replica.beats:
        return None
    applied = replica.beats[source_server_id]
    if source is None:
        return _by_replica_clock(replica, applied)
    if source_server_id not in source.beats:
        return HeartbeatLag(None, None, applied.interval, note=(
            'the source has no beat of its own (its heartbeat table was '
            'removed or replaced)'))
    newest = source.beats[source_server_id]
    lag = max(0.0, _seconds(newest.ts, applied.ts))
    age = stale(source, source_server_id)
    if age is not None:
        return HeartbeatLag(
            lag, SOURCE_CLOCK, newest.interval, writer_stopped=True,
            note='writer stopped: the source\'s newest beat is %.1f s old, '
                 'interval %g s' % (age, newest.interval))
    return HeartbeatLag(lag, SOURCE_CLOCK, newest.interval, used=True,
                        note='source clock, interval %g s'
                        % newest.interval)


def _by_replica_clock(replica, applied):
    measured = _seconds(replica.now, applied.ts)
    note = 'replica clock, skew not corrected'
    if measured < 0:
        # The beat is from the replica's future: its clock is behind.
        note += ': the replica\'s clock is %.3f s behind the source\'s' \
            % -measured
    return HeartbeatLag(max(0.0, measured), REPLICA_CLOCK, applied.interval,
                        used=True, note=note)


def lag_from(heartbeat):
    """Which lag ``status`` reports: :data:`LAG_FROM_HEARTBEAT` or
    :data:`LAG_FROM_SECONDS_BEHIND`.
    """
    if heartbeat is not None and heartbeat.used:
        return LAG_FROM_HEARTBEAT
    return LAG_FROM_SECONDS_BEHIND
