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

"""Waiting for a replica, observably.

Every poll reports progress naming the server and where it stands, and a
replication thread stopped on an error ends the wait at once with the
server's error number and message, instead of a timeout that hides it.
"""

import time

from trove_gtid_strategy import dialect
from trove_gtid_strategy import errcodes
from trove_gtid_strategy import exceptions
from trove_gtid_strategy import flavors
from trove_gtid_strategy.guest import server_state

#: Longest single server-side wait, so a stopped thread is seen quickly.
_SLICE = 1


def _fail(name, status, what):
    raise exceptions.ReplicationError(
        '%s: %s (I/O %s, SQL %s)%s%s' % (
            name, what, status.io_running, status.sql_running,
            '; last I/O error %d: %s' % (status.last_io_errno,
                                         status.last_io_error)
            if status.last_io_errno else '',
            '; last SQL error %d: %s' % (status.last_sql_errno,
                                         status.last_sql_error)
            if status.last_sql_errno else ''),
        status.last_io_error, status.last_sql_error)


def _check_threads(name, status):
    """Raise when a thread stopped on an error, or the I/O thread keeps
    failing with an error that retrying cannot cure.
    """
    if status is None:
        raise exceptions.ReplicationError('%s is not a replica' % name)
    stopped = status.stopped_error
    if stopped:
        _fail(name, status, 'the %s thread stopped on error %d'
              % (stopped[0], stopped[1]))
    if status.io_running == 'Connecting' and \
            status.last_io_errno in errcodes.FATAL_IO_ERRORS:
        _fail(name, status, 'the I/O thread cannot connect to its source')


#: The first pause between two polls: most waits end within
#: milliseconds (a replica's threads start at once), so the pauses start
#: short and double up to the configured poll interval.
FIRST_PAUSE = 0.01


def _pauses(poll):
    pause = min(FIRST_PAUSE, poll)
    while True:
        yield pause
        pause = min(pause * 2, poll)


def _said(progress):
    """``progress``, saying a message only when it differs from the
    last one (polls come quickly at first).
    """
    last = []

    def say(message):
        if last != [message]:
            last[:] = [message]
            progress(message)
    return say


def until_running(service, name, timeout, poll, progress):
    """Wait until both replication threads run; returns the status."""
    d = dialect.Dialect(server_state.read_version(service)[1])
    deadline = time.monotonic() + timeout
    pauses, say = _pauses(poll), _said(progress)
    while True:
        status = server_state.read_replica_status(service, d)
        if status is not None and status.running:
            return status
        _check_threads(name, status)
        if time.monotonic() > deadline:
            _fail(name, status, 'replication did not start within %ds'
                  % timeout)
        say('%s: replication threads I/O %s, SQL %s'
            % (name, status.io_running, status.sql_running))
        time.sleep(next(pauses))


def _gtids_to_wait_for(service, d, caps, start):
    """The GTIDs to wait for, or None to wait for the coordinates: a
    replica replicating by position is measured in the source's
    coordinates, which is what it follows; its GTID history may have
    gaps a seed without GTIDs left.
    """
    flavor = flavors.of(caps)
    gtids = flavor.wait_target(start)
    if gtids is None:
        return None
    status = server_state.read_replica_status(service, d)
    by_position = status is not None and not status.auto_position and \
        status.using_gtid in ('', 'No')
    if by_position and start.has_position:
        return None
    if not flavor.gtids_assigned(
            server_state.read_variables(service, ('gtid_mode',))):
        return None
    return gtids


def until_applied(service, name, start, timeout, progress):
    """Wait until the replica applied ``start`` (a
    :class:`~trove_gtid_strategy.seeding.StartPoint`): its GTIDs where
    both sides have them, else its binlog coordinates.
    """
    version, caps = server_state.read_version(service)
    d = dialect.Dialect(caps)
    gtids = _gtids_to_wait_for(service, d, caps, start)
    if gtids is None and not start.has_position:
        raise exceptions.InvalidInput('nothing to wait for: %s'
                                      % start.describe())
    target = ('GTIDs %s' % gtids) if gtids is not None else \
        '%s:%d' % (start.log_file, start.log_pos)
    deadline = time.monotonic() + timeout
    while True:
        if gtids is not None:
            stmt = d.wait_for_gtids(gtids, _SLICE)
        else:
            stmt = d.wait_for_position(start.log_file, start.log_pos, _SLICE)
        value = service.execute_sql(stmt.sql).scalar()
        # 0 or more: applied. -1 (or 1 from WAIT_FOR_EXECUTED_GTID_SET):
        # not yet. NULL: the SQL thread is not running.
        done = value is not None and int(value) >= 0 and not (
            caps.gtid_wait_function == 'WAIT_FOR_EXECUTED_GTID_SET'
            and gtids is not None and int(value) == 1)
        if done:
            return
        status = server_state.read_replica_status(service, d)
        _check_threads(name, status)
        if time.monotonic() > deadline:
            _fail(name, status, 'did not apply %s within %ds'
                  % (target, timeout))
        progress('%s: waiting to apply %s; applied %s:%d, %s' % (
            name, target, status.exec_log_file or '?', status.exec_log_pos,
            'lag %ss' % status.seconds_behind
            if status.seconds_behind is not None else 'lag unknown'))


def until_relay_log_applied(service, name, timeout, poll, progress):
    """Wait until the SQL thread applied everything the I/O thread
    fetched (its source may be gone); returns the status.
    """
    d = dialect.Dialect(server_state.read_version(service)[1])
    deadline = time.monotonic() + timeout
    pauses, say = _pauses(poll), _said(progress)
    while True:
        status = server_state.read_replica_status(service, d)
        if status is None:
            raise exceptions.ReplicationError('%s is not a replica' % name)
        if status.relay_log_applied:
            return status
        stopped = status.stopped_error
        if stopped and stopped[0] == 'SQL':
            _fail(name, status, 'the SQL thread stopped on error %d'
                  % stopped[1])
        if time.monotonic() > deadline:
            _fail(name, status, 'did not apply its relay log within %ds'
                  % timeout)
        say('%s: applying its relay log (applied %s:%d of %s:%d)' % (
            name, status.exec_log_file, status.exec_log_pos,
            status.read_log_file, status.read_log_pos))
        time.sleep(next(pauses))


def until_source_lost(service, name, timeout, poll, progress):
    """Wait until the replica's I/O thread no longer receives from its
    source (not ``Yes``: ``Connecting`` after a crash, ``No`` when
    stopped); returns True, or False when it still receives after
    ``timeout``: then its source is alive as the replica sees it, whatever
    this process can reach.
    """
    d = dialect.Dialect(server_state.read_version(service)[1])
    deadline = time.monotonic() + timeout
    pauses, say = _pauses(poll), _said(progress)
    while True:
        status = server_state.read_replica_status(service, d)
        if status is None or status.io_running != 'Yes':
            return True
        if time.monotonic() > deadline:
            return False
        say('%s: its I/O thread still receives from %s:%s; waiting for it '
            'to lose the source' % (name, status.source_host,
                                    status.source_port))
        time.sleep(next(pauses))


def until_applier_stopped(service, name, target, timeout, poll, progress):
    """Wait until the SQL thread stopped, as a ``START ... UNTIL`` makes
    it at ``target`` (text, for progress); returns the status. A thread
    stopped on an error raises with it.
    """
    d = dialect.Dialect(server_state.read_version(service)[1])
    deadline = time.monotonic() + timeout
    pauses, say = _pauses(poll), _said(progress)
    while True:
        status = server_state.read_replica_status(service, d)
        _check_threads(name, status)
        if status.sql_running == 'No':
            return status
        if time.monotonic() > deadline:
            _fail(name, status, 'did not stop at %s within %ds'
                  % (target, timeout))
        say('%s: applying up to %s (applied %s:%d)' % (
            name, target, status.exec_log_file, status.exec_log_pos))
        time.sleep(next(pauses))
