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

"""Transactions read from ``SHOW BINLOG EVENTS`` / ``SHOW RELAYLOG EVENTS``.

Pure: callers run the statements (:func:`show_events`) and pass the rows
in. Both statements return ``Log_name, Pos, Event_type, Server_id,
End_log_pos, Info`` on MySQL 9.7 and MariaDB 10.11 / 11.8; rows are
grouped here into transactions, each keyed by its GTID:

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

Observed on the servers here (rows in ``tests/unit/test_binlog_events.py``):
in a relay log ``End_log_pos`` is the *source's* position (0 for MariaDB
11.8's row events), ``Pos`` the relay log's own; MySQL logs ``use
`db`;`` before statements run with a default database and ``/* xid=N
*/`` after DDL; a MySQL 9.7 multi-threaded replica's ``Relay_Log_Pos``
lags behind the failed transaction (it is the last checkpoint), so a
failed transaction is found by what is not yet applied, never by the
position alone.
"""

import dataclasses
import re

from trove_gtid_strategy import gtid as gtid_sets
from trove_gtid_strategy import literals

COLUMNS = ('Log_name', 'Pos', 'Event_type', 'Server_id', 'End_log_pos',
           'Info')

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
_GTID_EVENTS = ('Gtid', 'Gtid_tagged_log_event', 'Gtid_log_event',
                'Anonymous_Gtid', 'Anonymous_Gtid_log_event')
#: Events outside transactions: file headers, rotations, bookkeeping.
_FILE_EVENTS = frozenset((
    'Format_desc', 'Previous_gtids', 'Rotate', 'Stop', 'Gtid_list',
    'Binlog_checkpoint', 'Start_encryption', 'Heartbeat',
    'Heartbeat_log_event', 'Heartbeat_log_event_v2'))
#: Events inside a transaction that change nothing by themselves.
_NEUTRAL = frozenset((
    'Table_map', 'Annotate_rows', 'Rows_query', 'Transaction_payload',
    'Transaction_context', 'Intvar', 'Rand', 'User var', 'User_var',
    'Ignorable', 'Xid', 'XA_prepare'))
_ANNOTATIONS = ('Annotate_rows', 'Rows_query')

_MYSQL_GTID = re.compile(r"GTID_NEXT\s*=\s*'([^']*)'", re.IGNORECASE)
_MARIADB_GTID = re.compile(r'\bGTID (\d+-\d+-\d+)')
_TABLE_MAP = re.compile(r'table_id: \d+ \((.*)\)\s*$')
_USE = re.compile(r'^use `((?:[^`]|``)*)`;\s*', re.IGNORECASE)
# A comment's body holds no '*/'.
_BODY = r'(?:[^*]|\*(?!/))*'
_TRAILING_COMMENTS = re.compile(r'(\s*/\*%s\*/)+\s*;?\s*$' % _BODY)
_VERSIONED_COMMENT = re.compile(r'/\*!\d*\s*(%s?)\s*\*/' % _BODY)
_END_WORDS = ('COMMIT', 'ROLLBACK', 'XA COMMIT', 'XA ROLLBACK')
_NO_DATA = re.compile(
    r'^(FLUSH\b(?!.*\bWITH READ LOCK)|ANALYZE\s+(NO_WRITE_TO_BINLOG\s+|'
    r'LOCAL\s+)?TABLES?\b|DROP\s+TEMPORARY\s+TABLE\s+IF\s+EXISTS\b)',
    re.IGNORECASE | re.DOTALL)
_DROP = re.compile(r'^DROP\s+(USER|DATABASE|SCHEMA|TABLES?)\s+IF\s+EXISTS'
                   r'\s+(.+)$', re.IGNORECASE | re.DOTALL)
# One name: `quoted`, 'quoted', "quoted" or bare.
_NAME = r"(`(?:[^`]|``)*`|'(?:[^'\\]|\\.|'')*'|\"(?:[^\"\\]|\\.)*\"|[\w$]+)"
_ACCOUNT = re.compile(r'\s*%s(?:\s*@\s*%s)?\s*(,|$)' % (_NAME, _NAME),
                      re.DOTALL)
_TABLE = re.compile(r'\s*%s(?:\s*\.\s*%s)?\s*(,|$)' % (_NAME, _NAME),
                    re.DOTALL)
_ERROR_GTID = re.compile(r"transaction '([^']+)'")
_ERROR_POSITION = re.compile(
    r'(?:source|master) log ([^\s,]+), end_log_pos (\d+)')


def _text(value):
    if isinstance(value, bytes):
        return value.decode('utf-8', 'replace')
    return '' if value is None else str(value)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@dataclasses.dataclass(frozen=True)
class Event:
    """One row of ``SHOW BINLOG EVENTS`` or ``SHOW RELAYLOG EVENTS``."""

    log_name: str
    pos: int
    event_type: str
    server_id: int
    end_log_pos: int
    info: str

    @classmethod
    def from_row(cls, row):
        """From a dict keyed by column name, or a sequence in
        :data:`COLUMNS` order.
        """
        if isinstance(row, dict):
            row = [row.get(name) for name in COLUMNS]
        log_name, pos, event_type, server_id, end_log_pos, info = row
        return cls(_text(log_name), _int(pos), _text(event_type),
                   _int(server_id), _int(end_log_pos), _text(info))

    def to_dict(self):
        return dataclasses.asdict(self)


def events_from_rows(rows):
    return [Event.from_row(row) for row in rows]


def gtid_of(event):
    """The GTID an event starts a transaction with: ``'uuid:n'``,
    ``'uuid:tag:n'`` or ``'0-1-5'``; ``''`` for an anonymous one; None
    when the event starts no transaction.
    """
    if event.event_type not in _GTID_EVENTS:
        return None
    found = _MYSQL_GTID.search(event.info)
    if found:
        value = found.group(1)
        return '' if value.upper() == 'ANONYMOUS' else value.lower()
    found = _MARIADB_GTID.search(event.info)
    if found:
        return found.group(1)
    return ''


@dataclasses.dataclass(frozen=True)
class Drop:
    """An object a ``DROP ... IF EXISTS`` removed if it was there.

    ``kind`` is ``user`` (``name``, ``host``), ``database`` (``name``) or
    ``table`` (``schema``, ``name``).
    """

    kind: str
    name: str
    host: str = ''
    schema: str = ''

    def __str__(self):
        if self.kind == 'user':
            return 'user %s@%s' % (literals.quote(self.name),
                                   literals.quote(self.host))
        if self.kind == 'table':
            return 'table %s.%s' % (self.schema or '?', self.name)
        return 'database %s' % self.name


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
                     and not _is_control(_bare(e.info)[1]))

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
                     if gtid_of(e) is None
                     and e.event_type not in ROW_KINDS
                     and e.event_type not in _NEUTRAL
                     and e.event_type != 'Query')

    @property
    def drops(self):
        """The :class:`Drop` objects of its ``DROP ... IF EXISTS``
        statements; None when one of them could not be read (then the
        transaction counts as changing data).
        """
        found = []
        for statement in self.statements:
            schema, sql = _bare(statement)
            if _NO_DATA.match(sql):
                continue
            objects = parse_drop(sql, schema)
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
            parts.append('; '.join(_clip(redact(s)) for s in shown))
        if not parts:
            parts.append('nothing (an empty transaction)'
                         if self.complete else 'an incomplete transaction')
        return '%s: %s' % (self.gtid or 'anonymous transaction',
                           '; '.join(parts))

    def to_dict(self):
        """JSON-ready summary; password literals redacted
        (:func:`redact`).
        """
        drops = self.drops
        return {
            'gtid': self.gtid,
            'log_name': self.log_name,
            'pos': self.pos,
            'server_id': self.server_id,
            'effect': self.effect,
            'changes_data': self.changes_data,
            'statements': [redact(x) for x in self.statements],
            'annotations': [redact(x) for x in self.annotations],
            'tables': list(self.tables),
            'row_events': self.row_events,
            'drops': [str(d) for d in drops] if drops else [],
            'complete': self.complete,
            'summary': self.describe(),
        }


# A quoted literal: '...' or "..." with backslash or doubled escapes.
_LITERAL = r"""(?:'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*")"""
_SECRETS = re.compile(
    r'(\bIDENTIFIED\s+(?:WITH\s+\S+\s+)?(?:BY|AS)\s+(?:PASSWORD\s+)?'
    r'|\bUSING\s+(?:PASSWORD\s*\(\s*)?'
    r'|\bPASSWORD\s*\(\s*'
    r'|\bSET\s+PASSWORD\b[^=]*=\s*(?:PASSWORD\s*\(\s*)?'
    r'|\b(?:MASTER|SOURCE)_PASSWORD\s*=\s*)' + _LITERAL,
    re.IGNORECASE | re.DOTALL)


def redact(text):
    """``text`` with every password literal replaced by ``'***'``: in
    ``CREATE / ALTER USER ... IDENTIFIED BY | AS``, ``PASSWORD(...)``,
    ``USING ...``, ``SET PASSWORD``, ``MASTER_PASSWORD`` /
    ``SOURCE_PASSWORD``. MariaDB logs ``IDENTIFIED BY 'secret'`` as
    written, and error messages quote the failed statement: nothing read
    from a log is shown without this.
    """
    return _SECRETS.sub(lambda m: m.group(1) + "'***'", text or '')


def _clip(text, limit=200):
    text = ' '.join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + '...'


def _bare(statement):
    """``(default schema, statement)`` without ``use `db`;`` and without
    trailing comments (``/* xid=N */``, ``/* generated by server */``).
    """
    schema = ''
    found = _USE.match(statement)
    if found:
        schema = found.group(1).replace('``', '`')
        statement = statement[found.end():]
    statement = _TRAILING_COMMENTS.sub('', statement.strip())
    # MySQL writes DROP /*!40005 TEMPORARY */ TABLE ...: read it as the
    # server does.
    statement = _VERSIONED_COMMENT.sub(r'\1', statement)
    return schema, ' '.join(statement.split())


def _is_control(sql):
    word = sql.upper()
    return word in ('BEGIN', 'START TRANSACTION') + _END_WORDS or \
        word.startswith(('XA START', 'XA BEGIN', 'XA END', 'XA PREPARE',
                         'SAVEPOINT', 'RELEASE SAVEPOINT',
                         'ROLLBACK TO'))


def _unquote(token):
    if token is None:
        return None
    if token[:1] == '`':
        return token[1:-1].replace('``', '`')
    if token[:1] in ('\'', '"'):
        quote = token[0]
        body = token[1:-1].replace(quote * 2, quote)
        return re.sub(r'\\(.)', r'\1', body)
    return token


def _names(pattern, text):
    """Pairs of a comma-separated list of ``a[@b]`` / ``a[.b]``; None
    when the list is not exactly that.
    """
    pairs = []
    position = 0
    while True:
        found = pattern.match(text, position)
        if not found:
            return None
        pairs.append((_unquote(found.group(1)), _unquote(found.group(2))))
        position = found.end()
        if found.group(3) != ',':
            return pairs if position == len(text) else None


def parse_drop(sql, schema=''):
    """The :class:`Drop` objects of a ``DROP USER | DATABASE | SCHEMA |
    TABLE IF EXISTS`` statement; None for any other statement, or one it
    cannot read exactly.
    """
    found = _DROP.match(sql.strip())
    if not found:
        return None
    what, rest = found.group(1).upper(), found.group(2).strip()
    if what == 'USER':
        pairs = _names(_ACCOUNT, rest)
        if pairs is None:
            return None
        return [Drop('user', name, '%' if host is None else host)
                for name, host in pairs]
    if what in ('DATABASE', 'SCHEMA'):
        pairs = _names(_TABLE, rest)
        if pairs is None or len(pairs) != 1 or pairs[0][1] is not None:
            return None
        return [Drop('database', pairs[0][0])]
    # DROP TABLE IF EXISTS a, db.b [RESTRICT | CASCADE]
    rest = re.sub(r'\s+(RESTRICT|CASCADE)$', '', rest, flags=re.IGNORECASE)
    pairs = _names(_TABLE, rest)
    if pairs is None:
        return None
    drops = []
    for first, second in pairs:
        if second is None:
            if not schema:
                return None
            drops.append(Drop('table', first, schema=schema))
        else:
            drops.append(Drop('table', second, schema=first))
    return drops


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
        if event.event_type in _FILE_EVENTS:
            continue
        started = gtid_of(event)
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
            sql = _bare(event.info)[1].upper()
            if sql in ('BEGIN', 'START TRANSACTION') or \
                    sql.startswith(('XA START', 'XA BEGIN')):
                in_block = True
            elif sql in _END_WORDS or sql.startswith(
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


def previous_gtids(events):
    """MySQL: the set of its ``Previous_gtids`` event (what the server
    had executed before the file), or None when the file has none.
    """
    for event in events:
        if event.event_type == 'Previous_gtids':
            return gtid_sets.GtidSet.parse(event.info.replace('\n', ''))
    return None


def gtid_list(events):
    """MariaDB: the GTIDs of its ``Gtid_list`` event (the binary log
    state when the file was started: the last GTID of every domain and
    server), or None when there is none.
    """
    for event in events:
        if event.event_type == 'Gtid_list':
            body = event.info.strip().strip('[]')
            return tuple(gtid_sets.MariaDBGtid.parse(item)
                         for item in body.split(',') if item.strip())
    return None


@dataclasses.dataclass(frozen=True)
class ErrorHint:
    """What an SQL thread's error message says about where it failed."""

    gtid: str = ''
    log_name: str = ''
    end_log_pos: int = 0


def error_hint(message):
    """Read ``Last_SQL_Error``: MySQL's multi-threaded applier names the
    failed transaction (``Worker 1 failed executing transaction
    'uuid:13' at source log binlog.000001, end_log_pos 3882``); both
    flavors name the source's position (``the event's master log
    mysql-bin.000001, end_log_pos 2822``; MariaDB 11.8 writes 0 there).
    """
    gtid = _ERROR_GTID.search(message or '')
    position = _ERROR_POSITION.search(message or '')
    return ErrorHint(
        gtid.group(1).lower() if gtid and gtid.group(1).upper() !=
        'ANONYMOUS' else '',
        position.group(1) if position else '',
        int(position.group(2)) if position else 0)


def show_events(relay, log_name, pos=None, offset=0, limit=None):
    """The text of ``SHOW BINLOG EVENTS`` (``relay=False``) or ``SHOW
    RELAYLOG EVENTS`` in ``log_name`` from ``pos``, skipping ``offset``
    events and returning at most ``limit``.
    """
    sql = 'SHOW %s EVENTS IN %s' % ('RELAYLOG' if relay else 'BINLOG',
                                    literals.quote(log_name))
    if pos is not None:
        sql += ' FROM %s' % literals.integer(pos, 'log position')
    if limit is not None:
        sql += ' LIMIT %s, %s' % (literals.integer(offset, 'offset'),
                                  literals.integer(limit, 'limit'))
    return sql


def next_log_name(log_name):
    """``name.000007`` for ``name.000006``: the file a log continues in."""
    stem, dot, number = log_name.rpartition('.')
    if not dot or not number.isdigit():
        return None
    return '%s.%0*d' % (stem, len(number), int(number) + 1)
