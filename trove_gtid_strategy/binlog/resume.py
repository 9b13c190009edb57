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

"""Where in a MySQL source's binary log a replica holding a GTID set
resumes by file and position (pure).

A binlog-position replica that lags behind a new source cannot start at
the source's current position (it would lose what it lacks) and has no
auto-positioning to find its place. Its place exists when the source
logged, in one run of its binary log, first only transactions the
replica holds and then only ones it lacks: the replica starts at the
first of those. Anything else (a transaction it holds after one it
lacks, an anonymous transaction, a lacked transaction in no file left)
has no single start point, and the attach stays refused.

The reader (:mod:`trove_gtid_strategy.guest.log_reader`) chooses the
first file to read by its ``Previous_gtids`` and streams the events in.
"""

import dataclasses

from trove_gtid_strategy.binlog import events as event_rows
from trove_gtid_strategy import gtid as gtid_sets


@dataclasses.dataclass(frozen=True)
class ResumePoint:
    """Where the replica starts, and what it receives from there."""

    log_file: str
    log_pos: int
    rest: gtid_sets.GtidSet


def first_file(held, headers):
    """The newest binary log whose ``Previous_gtids`` the replica holds
    (everything logged before it is the replica's), from ``headers``:
    ``(log_name, previous_gtids or None)`` newest first, read lazily
    (``Previous_gtids`` only grow from file to file, so the first match
    is the one). None when even the oldest one starts with transactions
    the replica lacks (they were purged: only a seed can give them).
    """
    for log_name, previous in headers:
        if previous is not None and previous <= held:
            return log_name
    return None


def resume_point(held, executed, events):
    """The :class:`ResumePoint` of a replica holding ``held`` in the
    source's binary log ``events`` (read from :func:`first_file` on to
    the end), or None when there is none. ``executed`` is the source's
    ``gtid_executed`` read before the events: held and what follows the
    start point must cover it, or something the replica lacks is in no
    file read.
    """
    start = None
    rest = gtid_sets.GtidSet()
    last = None
    for event in events:
        last = event
        gtid = event_rows.gtid_of(event)
        if gtid is None:
            continue
        if not gtid:
            # Anonymous: nothing says whether the replica holds it.
            return None
        one = gtid_sets.GtidSet.parse(gtid)
        if one <= held:
            if start is not None:
                return None
            continue
        if start is None:
            start = (event.log_name, event.pos)
        rest = rest | one
    if start is None:
        if last is None:
            return None
        start = (last.log_name, last.end_log_pos)
    if not executed <= held | rest:
        return None
    return ResumePoint(start[0], start[1], rest)
