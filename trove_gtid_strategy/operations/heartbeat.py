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

"""Writing and removing the heartbeat table on a source.

:func:`prepare` creates the table (and the database, when missing) on a
writable source; :func:`beat` writes its row every interval until
``count`` beats, Ctrl-C or SIGTERM; :func:`remove` drops what :func:`prepare`
made, nothing else. Every one refuses a replica or a read-only server
first, and :func:`beat` looks again before each beat: a row written
there would be the server's own, errant, transaction. The clock and the
sleep are passed in, so the loop is tested without a server or a real
wait.
"""

import dataclasses
import time

from trove_gtid_strategy.dialect import heartbeat as heartbeat_sql
from trove_gtid_strategy import errcodes
from trove_gtid_strategy import exceptions
from trove_gtid_strategy.guest import server as server_mod
from trove_gtid_strategy import heartbeat_lag
from trove_gtid_strategy import state as state_mod

TABLE_NAME = '%s.%s' % (heartbeat_lag.DATABASE, heartbeat_lag.TABLE)


@dataclasses.dataclass
class Beats:
    """What a :func:`beat` run wrote."""

    source: str
    interval: float
    beats: int = 0
    #: ``count``: the asked number written; ``interrupted``: Ctrl-C or
    #: SIGTERM.
    stopped_by: str = 'count'
    table: str = TABLE_NAME

    def to_dict(self):
        return dataclasses.asdict(self)

    def describe(self):
        return '%d beat%s every %g s on %s into %s, stopped by %s' % (
            self.beats, '' if self.beats == 1 else 's', self.interval,
            self.source, self.table,
            'Ctrl-C or SIGTERM' if self.stopped_by == 'interrupted'
            else '--count')


@dataclasses.dataclass
class Removal:
    """What :func:`remove` dropped."""

    source: str
    table_dropped: bool
    database_dropped: bool
    note: str = ''

    def to_dict(self):
        return dataclasses.asdict(self)

    def describe(self):
        return '%s: %s' % (self.source, self.note)


def refuse_unless_writable_source(server):
    """Raise :class:`~trove_gtid_strategy.exceptions.PrecheckFailed`
    when ``server`` (a :class:`~trove_gtid_strategy.guest.server.Server`)
    replicates or is read-only.
    """
    why = []
    if server.replica_status() is not None:
        why.append('it is a replica')
    settings = server.variables(('read_only', 'super_read_only'))
    if 'ON' in (settings.get('read_only', '').upper(),
                settings.get('super_read_only', '').upper()):
        why.append('it is read-only')
    if why:
        raise exceptions.PrecheckFailed(
            '%s: %s; a heartbeat written there would be its own, errant, '
            'transaction: give its source' % (server.name,
                                              ' and '.join(why)))


def _table_comment(server):
    row = server.execute(heartbeat_sql.table_comment()).first()
    return None if row is None else state_mod.text(row[0])


def prepare(svc):
    """Create the heartbeat table on a writable source unless it is
    there; a table of that name that is not ours is refused.
    """
    server = server_mod.handle(svc, 'source')
    refuse_unless_writable_source(server)
    comment = _table_comment(server)
    if comment is not None:
        if not heartbeat_lag.mark_of(comment)[0]:
            raise exceptions.PrecheckFailed(
                '%s: %s exists and is not ours (its comment is %r)'
                % (server.name, TABLE_NAME, comment))
        return
    try:
        server.run(heartbeat_sql.create_database())
        created = True
    except Exception as exc:
        if errcodes.error_number(exc) != errcodes.ER_DB_CREATE_EXISTS:
            raise
        created = False
    server.run(heartbeat_sql.create_table(heartbeat_lag.table_mark(created)))


def beat(svc, interval, count=None, clock=time.monotonic, sleep=time.sleep,
         progress=None, stopping=lambda: False):
    """Write the source's beat every ``interval`` seconds, ``count``
    times (None: until Ctrl-C or SIGTERM, which end the run as a result,
    not an error); returns :class:`Beats`. A stop asked for while a beat
    is written (``stopping()`` true) ends the run after it, so the count
    says what the server acknowledged; one while sleeping interrupts the
    sleep (KeyboardInterrupt).
    """
    server = server_mod.handle(svc, 'source')
    found = server.variables(('server_id', 'server_uuid'))
    stmt = heartbeat_sql.beat(int(found['server_id']),
                              found.get('server_uuid', ''), interval)
    done = Beats(server.name, interval)
    start = clock()
    try:
        while count is None or done.beats < count:
            if done.beats:
                sleep(max(0.0, start + done.beats * interval - clock()))
            if stopping():
                raise KeyboardInterrupt
            _look_again(server, done.beats)
            server.run(stmt)
            done.beats += 1
            if progress is not None and done.beats == 1:
                progress('first beat written on %s' % done.source)
            if stopping():
                raise KeyboardInterrupt
    except KeyboardInterrupt:
        done.stopped_by = 'interrupted'
    return done


def _look_again(server, written):
    """Refuse the next beat on a server demoted since the last one."""
    try:
        refuse_unless_writable_source(server)
    except exceptions.PrecheckFailed as exc:
        if not written:
            raise
        raise exceptions.PrecheckFailed('stopped after %d beat%s: %s' % (
            written, '' if written == 1 else 's', exc)) from None


def remove(svc):
    """Drop our heartbeat table on a writable source (replicas drop it by
    replication), and the database when we created it and it holds
    nothing else; returns :class:`Removal`.
    """
    server = server_mod.handle(svc, 'source')
    refuse_unless_writable_source(server)
    name = server.name
    comment = _table_comment(server)
    if comment is None:
        return Removal(name, False, False, 'no %s to remove' % TABLE_NAME)
    ours, created_database = heartbeat_lag.mark_of(comment)
    if not ours:
        raise exceptions.PrecheckFailed(
            '%s: %s is not ours (its comment is %r): left alone'
            % (name, TABLE_NAME, comment))
    server.run(heartbeat_sql.drop_table())
    if not created_database:
        return Removal(name, True, False, 'dropped %s; the database was '
                       'there before, left alone' % TABLE_NAME)
    left = int(server.execute(heartbeat_sql.database_objects()).scalar())
    if left:
        return Removal(name, True, False, 'dropped %s; the database holds '
                       '%d other object%s, left alone' % (
                           TABLE_NAME, left, '' if left == 1 else 's'))
    server.run(heartbeat_sql.drop_database())
    return Removal(name, True, True, 'dropped %s and the database %s'
                   % (TABLE_NAME, heartbeat_lag.DATABASE))
