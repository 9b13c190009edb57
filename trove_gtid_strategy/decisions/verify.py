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

"""Verifying a replica's data against its source at one point: pure.

:mod:`trove_gtid_strategy.operations.verify` reads the servers; here is
what it decides with what it read: where the replica stands against the
source's snapshot (:func:`stance`), which tables to compare
(:func:`match_tables`), the key ranges a table is read in
(:class:`KeyRange`), how the chunk sums of both sides compare
(:class:`TableTally`) and the report (:class:`VerifyReport`).
"""

import dataclasses

from trove_gtid_strategy.decisions import handover
from trove_gtid_strategy import exceptions
from trove_gtid_strategy import state

EQUAL = 'equal'
DIFFERS = 'differs'
MISSING_ON_REPLICA = 'missing_on_replica'
MISSING_ON_SOURCE = 'missing_on_source'

BEHIND = 'behind'
AT = 'at'
PAST = 'past'


def stance(applied, point):
    """``(stance, what)`` of a replica that applied ``applied`` against
    the snapshot's ``point`` (both a GTID set, a MariaDB position or
    binlog ``(file, position)``, of one kind): :data:`PAST` with what it
    holds beyond the point (it cannot be compared there), :data:`AT`, or
    :data:`BEHIND` with what it lacks.
    """
    extra = handover.lacking(point, applied)
    if extra:
        return PAST, extra
    missing = handover.lacking(applied, point)
    return (BEHIND, missing) if missing else (AT, '')


def parse_table_name(text):
    """``(schema, table)`` of a ``--table`` argument ``db.table``; bad
    input names it. A system schema is refused: it is never compared.
    """
    schema, dot, table = text.partition('.')
    if not dot or not schema or not table:
        raise exceptions.InvalidInput(
            '--table %r: give it as SCHEMA.TABLE' % (text,))
    if schema.lower() in state.SYSTEM_SCHEMAS:
        raise exceptions.InvalidInput(
            '--table %r: %s is a system schema, which differs between '
            'servers by design and is not compared' % (text, schema))
    return schema, table


def match_tables(on_source, on_replica, asked=()):
    """``(on both, only on the source, only on the replica)``, sorted
    lists of ``(schema, table)``: of every user table, or of ``asked``;
    an asked table on neither server is bad input.
    """
    source, replica = set(on_source), set(on_replica)
    wanted = set(asked) if asked else source | replica
    unknown = sorted(wanted - source - replica)
    if unknown:
        raise exceptions.InvalidInput(
            '--table: no table %s on either server' % ', '.join(
                '%s.%s' % name for name in unknown))
    return (sorted(wanted & source & replica), sorted(wanted - replica),
            sorted(wanted - source))


@dataclasses.dataclass(frozen=True)
class KeyRange:
    """The rows whose key is after ``after`` and up to ``upto`` (key
    value tuples, inclusive; None: unbounded), as the source's snapshot
    bounded them: the replica is read in the very same range.
    """

    after: tuple | None = None
    upto: tuple | None = None

    def describe(self, key):
        bounds = []
        if self.after is not None:
            bounds.append('%s > %s' % (_key_text(key), _values(self.after)))
        if self.upto is not None:
            bounds.append('%s <= %s' % (_key_text(key), _values(self.upto)))
        return ' and '.join(bounds) or 'every row'

    def to_dict(self):
        return {'after': _plain_values(self.after),
                'up_to': _plain_values(self.upto)}


def _key_text(key):
    return key[0] if len(key) == 1 else '(%s)' % ', '.join(key)


def _values(values):
    shown = [str(v) for v in _plain_values(values)]
    return shown[0] if len(shown) == 1 else '(%s)' % ', '.join(shown)


def _plain_values(values):
    if values is None:
        return None
    return [v if isinstance(v, int) else
            v.hex() if isinstance(v, bytes) else str(v) for v in values]


@dataclasses.dataclass(frozen=True)
class Sums:
    """``COUNT(*)``, ``BIT_XOR`` and (without a primary key) ``SUM`` of
    the row checksums of a range on one side.
    """

    rows: int = 0
    xor: int = 0
    total: int = 0

    @classmethod
    def from_row(cls, row):
        return cls(*(int(v or 0) for v in row))

    def __add__(self, other):
        return Sums(self.rows + other.rows, self.xor ^ other.xor,
                    self.total + other.total)

    def text(self):
        """The table's checksum as text, the same whatever the chunks."""
        return '%08x' % self.xor + ('-%x' % self.total if self.total
                                    else '')


@dataclasses.dataclass
class TableTally:
    """The comparison of one table, chunk by chunk."""

    name: str
    key: tuple = ()
    chunked: bool = False
    note: str = ''
    source: Sums = Sums()
    replica: Sums = Sums()
    chunks: int = 0
    differing_chunks: int = 0
    first_difference: dict | None = None

    def add(self, key_range, source, replica):
        """Count one range read on both sides; True when they differ."""
        self.chunks += 1
        self.source += source
        self.replica += replica
        if source == replica:
            return False
        self.differing_chunks += 1
        if self.first_difference is None:
            self.first_difference = dict(
                key_range.to_dict(), where=key_range.describe(self.key),
                source_rows=source.rows, replica_rows=replica.rows)
        return True

    def result(self):
        return TableResult(
            self.name, DIFFERS if self.differing_chunks else EQUAL,
            key=self.key, chunked=self.chunked, chunks=self.chunks,
            differing_chunks=self.differing_chunks,
            source_rows=self.source.rows, replica_rows=self.replica.rows,
            checksum=self.source.text(),
            first_difference=self.first_difference, note=self.note)


@dataclasses.dataclass(frozen=True)
class TableResult:
    name: str
    status: str
    key: tuple = ()
    chunked: bool = False
    chunks: int = 0
    differing_chunks: int = 0
    source_rows: int | None = None
    replica_rows: int | None = None
    #: The source's checksum of the table (:meth:`Sums.text`).
    checksum: str = ''
    first_difference: dict | None = None
    note: str = ''

    def to_dict(self):
        return {'table': self.name, 'status': self.status,
                'key': list(self.key), 'chunked': self.chunked,
                'chunks': self.chunks,
                'differing_chunks': self.differing_chunks,
                'source_rows': self.source_rows,
                'replica_rows': self.replica_rows,
                'checksum': self.checksum,
                'first_difference': self.first_difference,
                'note': self.note}

    def to_text(self):
        if self.status in (MISSING_ON_REPLICA, MISSING_ON_SOURCE):
            detail = self.status.replace('_', ' ')
        elif self.status == EQUAL:
            detail = 'equal: %d rows in %d chunk%s' % (
                self.source_rows, self.chunks, '' if self.chunks == 1
                else 's')
        elif self.first_difference is None:
            detail = 'differs'
        else:
            diff = self.first_difference
            detail = ('differs in %d of %d chunks; first where %s (source '
                      '%d rows, replica %d)' % (
                          self.differing_chunks, self.chunks, diff['where'],
                          diff['source_rows'], diff['replica_rows']))
        return '%s: %s%s' % (self.name, detail,
                             ' (%s)' % self.note if self.note else '')


def missing(name, status):
    return TableResult(name, status)


def columns_differ(name, source_columns, replica_columns):
    """A :class:`TableResult` when the two sides' columns (name, data
    type, character set) differ (rows of different shapes cannot be
    checksummed alike), else None.
    """
    if list(source_columns) == list(replica_columns):
        return None
    return TableResult(name, DIFFERS, note='columns differ: source (%s), '
                       'replica (%s)' % (_columns_text(source_columns),
                                         _columns_text(replica_columns)))


def _columns_text(cols):
    return ', '.join('%s %s' % (c[0], c[1]) for c in cols)


@dataclasses.dataclass
class VerifyReport:
    """What ``trove-gtid verify`` found; ``to_dict()`` is JSON-ready."""

    source: str
    replica: str
    #: The snapshot's point, as text.
    point: str
    tables: list
    #: What was done to the replica's applier and how it was left.
    applier: str
    seconds: float = 0.0

    @property
    def equal(self):
        return all(t.status == EQUAL for t in self.tables)

    @property
    def differing(self):
        return [t.name for t in self.tables if t.status != EQUAL]

    def to_dict(self):
        return {'equal': self.equal, 'differing': self.differing,
                'source': self.source, 'replica': self.replica,
                'point': self.point,
                'tables': [t.to_dict() for t in self.tables],
                'applier': self.applier, 'seconds': round(self.seconds, 3)}

    def to_text(self):
        lines = ['replica %s against source %s at %s' % (
            self.replica, self.source, self.point)]
        lines += ['  %s' % t.to_text() for t in self.tables]
        lines.append('applier: %s' % self.applier)
        lines.append(
            'equal: %d table%s' % (len(self.tables), '' if len(
                self.tables) == 1 else 's') if self.equal else
            'DIFFERS: %s' % ', '.join(self.differing))
        return '\n'.join(lines)
