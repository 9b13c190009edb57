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

"""Events grouped into transactions, each keyed by its GTID, and what
each did. Pure.

* MySQL: a ``Gtid`` event (``Gtid_tagged_log_event`` for ``uuid:tag:n``,
  MySQL 8.3+) whose Info is ``SET @@SESSION.GTID_NEXT= 'uuid:n'``; an
  ``Anonymous_Gtid`` event starts a transaction without one;
* MariaDB: a ``Gtid`` event, ``BEGIN GTID 0-1-5`` (a transaction) or
  ``GTID 0-1-5`` (one statement, DDL).

A transaction ends at its ``Xid`` event, a ``COMMIT`` / ``ROLLBACK``
query, or, without ``BEGIN``, after its one statement. Each gets a
summary: its statements (``Query`` events), the statements row events
were made from where the server logs them (MariaDB ``Annotate_rows``,
MySQL ``Rows_query``), the tables touched (``Table_map``: ``table_id: N
(db.tbl)``), row events by kind, and what it did:

``empty``           nothing at all (an empty transaction);
``no_data``         only statements that change no data (``FLUSH ...``,
                    ``ANALYZE TABLE``, dropping a temporary table);
``drops_if_exists`` only ``DROP USER | DATABASE | TABLE IF EXISTS``: it
                    changed nothing if those objects exist on neither
                    server, which only the servers can tell (the
                    :attr:`Transaction.drops` to check);
``data``            row events, any other statement, or an event this
                    module does not know: it may have changed data.

A MySQL 9.7 multi-threaded replica's ``Relay_Log_Pos`` lags behind the
failed transaction (it is the last checkpoint), so a failed transaction
is found by what is not yet applied, never by the position alone.
"""

import dataclasses
import re

from trove_gtid_strategy.binlog import events as events_mod
from trove_gtid_strategy.binlog import statements as stmts

#: What a transaction did (see the module docstring).
EMPTY = 'empty'
NO_DATA = 'no_data'
DROPS_IF_EXISTS = 'drops_if_exists'
DATA = 'data'

#: Row event types by kind; ``_v1`` are MariaDB's (and MySQL 5.1's).
ROW_KINDS = {
    'Write_rows': 'write', 'Write_rows_v1': 'write',
    'Update_rows': 'update', 'Update_rows_v1': 'update',
    'Partial_update_rows': 'update',
    'Delete_rows': 'delete', 'Delete_rows_v1': 'delete',
}
#: Events inside a transaction that change nothing by themselves.
_NEUTRAL = frozenset((
    'Table_map', 'Annotate_rows', 'Rows_query', 'Transaction_payload',
    'Transaction_context', 'Intvar', 'Rand', 'User var', 'User_var',
    'Ignorable', 'Xid', 'XA_prepare'))
_ANNOTATIONS = ('Annotate_rows', 'Rows_query')
_TABLE_MAP = re.compile(r'table_id: \d+ \((.*)\)\s*$')


@dataclasses.dataclass(frozen=True)
class Transaction:
    """One transaction of a binary or relay log, summarised."""

    #: ``'uuid:n'``, ``'uuid:tag:n'``, ``'domain-server-seq'``, or ``''``
    #: (anonymous, or events before the first GTID event).
    gtid: str
    log_name: str
    #: Position of its first event (its GTID event) in ``log_name``.
    pos: int
    #: ``server_id`` of the server that wrote it first.
    server_id: int
    events: tuple
    #: True when its end (commit, or its single statement) was seen.
    complete: bool

    @property
    def statements(self):
        """Its statements, without ``BEGIN`` / ``COMMIT`` and as the
        server logged them (``use `db`;`` prefix included).
        """
        return tuple(e.info for e in self.events if e.event_type == 'Query'
                     and not stmts.is_control(stmts.bare(e.info)[1]))

    @property
    def annotations(self):
        """The statements its row events came from, where logged."""
        return tuple(e.info for e in self.events
                     if e.event_type in _ANNOTATIONS)

    @property
    def tables(self):
        """``db.tbl`` of every table it touched, in order, once each."""
        seen = []
        for e in self.events:
            if e.event_type == 'Table_map':
                found = _TABLE_MAP.search(e.info)
                name = found.group(1) if found else e.info
                if name not in seen:
                    seen.append(name)
        return tuple(seen)

    @property
    def row_events(self):
        """Row events by kind: ``{'write': n, 'update': n, 'delete': n}``
        (events, not rows: a multi-row INSERT can be one event).
        """
        counts = {'write': 0, 'update': 0, 'delete': 0}
        for e in self.events:
            kind = ROW_KINDS.get(e.event_type)
            if kind:
                counts[kind] += 1
        return counts

    @property
    def unknown_events(self):
        """Event types this module cannot judge (counted as data)."""
        return tuple(e.event_type for e in self.events
                     if events_mod.gtid_of(e) is None
                     and e.event_type not in ROW_KINDS
                     and e.event_type not in _NEUTRAL
                     and e.event_type != 'Query')

    @property
    def drops(self):
        """The :class:`~trove_gtid_strategy.binlog.statements.Drop`
        objects of its ``DROP ... IF EXISTS`` statements; None when one of
        them could not be read (then the transaction counts as changing
        data).
        """
        found = []
        for statement in self.statements:
            schema, sql = stmts.bare(statement)
            if stmts.NO_DATA.match(sql):
                continue
            objects = stmts.parse_drop(sql, schema)
            if objects is None:
                return None
            found.extend(objects)
        return tuple(found)

    @property
    def effect(self):
        """:data:`EMPTY`, :data:`NO_DATA`, :data:`DROPS_IF_EXISTS` or
        :data:`DATA` (see the module docstring).
        """
        if any(self.row_events.values()) or self.unknown_events:
            return DATA
        statements = self.statements
        if not statements:
            return EMPTY if self.complete else DATA
        if not self.complete:
            return DATA
        drops = self.drops
        if drops is None:
            return DATA
        return DROPS_IF_EXISTS if drops else NO_DATA

    @property
    def changes_data(self):
        """True unless it certainly changed nothing; a transaction that
        only dropped objects ``IF EXISTS`` is False here, and changed
        nothing only if those objects exist on neither server.
        """
        return self.effect == DATA

    @property
    def end_log_positions(self):
        """The ``End_log_pos`` values of its events (the source's
        positions, in a relay log), for matching an error message.
        """
        return frozenset(e.end_log_pos for e in self.events if e.end_log_pos)

    def describe(self):
        """One line: what it did, for a report (passwords redacted)."""
        parts = []
        rows = self.row_events
        if any(rows.values()):
            parts.append('row events %s on %s' % (
                ', '.join('%s %d' % (k, n) for k, n in rows.items() if n),
                ', '.join(self.tables) or '?'))
        shown = list(self.annotations) + list(self.statements)
        if shown:
            parts.append('; '.join(stmts.clip(stmts.redact(s)) for s in shown))
        if not parts:
            parts.append('nothing (an empty transaction)'
                         if self.complete else 'an incomplete transaction')
        return '%s: %s' % (self.gtid or 'anonymous transaction',
                           '; '.join(parts))

    def to_dict(self):
        """JSON-ready summary; password literals redacted
        (:func:`~trove_gtid_strategy.binlog.statements.redact`).
        """
        drops = self.drops
        return {
            'gtid': self.gtid,
            'log_name': self.log_name,
            'pos': self.pos,
            'server_id': self.server_id,
            'effect': self.effect,
            'changes_data': self.changes_data,
            'statements': [stmts.redact(x) for x in self.statements],
            'annotations': [stmts.redact(x) for x in self.annotations],
            'tables': list(self.tables),
            'row_events': self.row_events,
            'drops': [str(d) for d in drops] if drops else [],
            'complete': self.complete,
            'summary': self.describe(),
        }


def transactions(events):
    """Group events (:class:`Event`, in log order) into a list of
    :class:`Transaction` objects; see :func:`iter_transactions`.
    """
    return list(iter_transactions(events))


def iter_transactions(events):
    """Yield the :class:`Transaction` objects of ``events`` (any
    iterable of :class:`Event`, in log order) as each one ends, so a long
    log can be read page by page and left as soon as the wanted
    transaction is seen.

    File events (format descriptions, rotations, ``Previous_gtids``,
    ``Gtid_list``) belong to no transaction. Events before the first GTID
    event (a listing that starts mid-transaction) form a transaction with
    GTID ``''``. The last transaction is yielded incomplete when the
    events end before it does.
    """
    gtid, group, in_block = None, [], False

    def finish(complete):
        return Transaction(gtid or '', group[0].log_name, group[0].pos,
                           group[0].server_id, tuple(group), complete)

    for event in events:
        if event.event_type in events_mod.FILE_EVENTS:
            continue
        started = events_mod.gtid_of(event)
        if started is not None:
            if group:
                yield finish(False)
            gtid, group = started, [event]
            # MariaDB says in the GTID event whether a block follows.
            in_block = event.info.upper().startswith(('BEGIN GTID',
                                                      'XA START'))
            continue
        group.append(event)
        ended = False
        if event.event_type in ('Xid', 'XA_prepare'):
            ended = True
        elif event.event_type == 'Query':
            sql = stmts.bare(event.info)[1].upper()
            if sql in ('BEGIN', 'START TRANSACTION') or \
                    sql.startswith(('XA START', 'XA BEGIN')):
                in_block = True
            elif sql in stmts.END_WORDS or sql.startswith(
                    ('XA COMMIT', 'XA ROLLBACK')):
                ended = True
            elif not in_block:
                # A statement on its own (DDL): the transaction is it.
                ended = True
        if ended:
            yield finish(True)
            gtid, group, in_block = None, [], False
    if group:
        yield finish(False)
