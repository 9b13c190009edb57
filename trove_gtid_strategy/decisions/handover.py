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

"""What a source hands over to a promoted replica: pure.

A promotion fences the source, reads everything it executed, and waits
until the candidate applied it. What crosses between them (over Trove's
RPC as ``get_latest_txn_id``'s answer and ``wait_for_txn``'s argument, or
within one ``trove-gtid`` run) is the source's *whole* executed state as
text:

* MySQL with GTIDs: its ``gtid_executed`` set (``uuid:1-5,...``);
* MariaDB: per domain, the later of its slave and binary log positions
  (``0-1-5,1-2-9``), every domain, not one;
* without GTIDs: ``binlog:FILE:POSITION`` of its own binary log, which a
  replica's applied coordinates are measured in (Trove's own answer
  there is empty, and its taskmanager then does not wait at all).
"""

from trove_gtid_strategy import exceptions
from trove_gtid_strategy import gtid as gtid_sets
from trove_gtid_strategy import topology

POSITION_PREFIX = 'binlog:'


def executed(state):
    """What ``state``'s server executed: a GTID set, a MariaDB position
    (see the module), or ``(file, position)`` of its own binary log.
    """
    if state.gtid_executed is not None and state.has_gtids:
        return state.gtid_executed
    if state.gtid_binlog_pos is not None:
        return topology.mariadb_resume_position(state)
    if state.binlog_position:
        return tuple(state.binlog_position)
    raise exceptions.InvalidInput(
        '%s writes no binary log: nothing can replicate from it'
        % state.version)


def executed_text(state):
    """:func:`executed` as text (see the module)."""
    found = executed(state)
    if isinstance(found, tuple):
        return '%s%s:%d' % ((POSITION_PREFIX,) + found)
    return str(found)


def parse_executed(text):
    """The inverse of :func:`executed_text`: a GTID set, a MariaDB
    position, or ``(file, position)``; malformed text raises
    :class:`~trove_gtid_strategy.exceptions.InvalidInput` quoting it.
    """
    if not isinstance(text, str):
        raise exceptions.InvalidInput(
            'an executed state must be text, not %s' % type(text).__name__)
    try:
        if text.startswith(POSITION_PREFIX):
            log_file, _, log_pos = text[len(POSITION_PREFIX):].rpartition(
                ':')
            if not log_file or not log_pos.isdigit():
                raise ValueError('expected binlog:FILE:POSITION')
            return (log_file, int(log_pos))
        if ':' in text:
            return gtid_sets.GtidSet.parse(text)
        return gtid_sets.MariaDBGtidPosition.parse(text)
    except ValueError as exc:
        raise exceptions.InvalidInput('bad executed state %r: %s'
                                      % (text[:200], exc))


def _coords_key(coords):
    log_file, log_pos = coords
    base, _, number = log_file.rpartition('.')
    return (base, int(number) if number.isdigit() else -1, log_pos)


def lacking(have, target):
    """What ``have`` lacks of ``target`` (both from
    :func:`parse_executed`; coordinates may be empty: none known), as
    text; '' when nothing.
    """
    if type(have) is not type(target):
        raise exceptions.InvalidInput(
            'cannot compare %s with %s: one server has GTIDs, the other '
            'not, or they are of different flavors' % (have, target))
    if isinstance(target, gtid_sets.GtidSet):
        return str(target - have)
    if isinstance(target, gtid_sets.MariaDBGtidPosition):
        return str(target.domains_ahead_of(have))
    if not target:
        return ''
    if not have or _coords_key(have) < _coords_key(target):
        return 'from %s:%d to %s:%d' % (tuple(have or ('?', 0))
                                        + tuple(target))
    return ''


def errant_on_candidate(candidate_text, source_text):
    """What a candidate executed that its live source did not: errant,
    spread to every server if it is promoted (text; '' when nothing).
    Without GTIDs nothing can be told apart, so nothing is reported.
    """
    candidate = parse_executed(candidate_text)
    source = parse_executed(source_text)
    if isinstance(source, tuple):
        return ''
    return lacking(source, candidate)
