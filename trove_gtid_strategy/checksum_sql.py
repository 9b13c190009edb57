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

"""The statements that checksum table data, the same words on MySQL and
MariaDB: the data half of the dialect (replication words are in
:mod:`~trove_gtid_strategy.dialect`). Pure.

A row's checksum is ``CRC32`` of ``CONCAT_WS('#', ...)`` of its columns,
each in a form both flavors print alike, followed by one ``0``/``1`` per
column for NULL (``CONCAT_WS`` skips NULLs, so without it ``NULL, 'a'``
and ``'a', NULL`` would agree). A range of rows sums to ``COUNT(*)`` and
``BIT_XOR`` of its row checksums, and a table without a primary key to
their ``SUM`` too (its rows may repeat, and two equal rows cancel out of
a ``BIT_XOR``; ``SUM`` is a decimal sum, about twice the cost, which
rows of a primary key do not need). All are order-free, so the sums of
a table's chunks combine into the table's own whatever the chunking.

The forms: text as its bytes (``CAST(... AS BINARY)``: no collation
takes part, so columns of different collations concatenate, and the
column's character set is compared with the columns themselves; a
conversion to one character set cost three times as much); binary and
spatial values as hex; numbers and temporal values as the server
prints them, with the session in UTC so a ``TIMESTAMP`` prints the same
on servers in different time zones. ``FLOAT``/``DOUBLE`` and ``JSON``
print as each flavor does, which may differ between MySQL and MariaDB
(never between two servers of one flavor).

Names are quoted with :func:`~trove_gtid_strategy.literals.quoted_name`
and key values rendered as literals by :func:`value`: nothing read from
a server is pasted as it is.
"""

import datetime
import decimal

from trove_gtid_strategy import dialect
from trove_gtid_strategy import exceptions
from trove_gtid_strategy import literals
from trove_gtid_strategy import state

#: ``information_schema`` data types checksummed as hex.
BINARY_TYPES = frozenset((
    'binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob',
    'bit', 'geometry', 'point', 'linestring', 'polygon', 'multipoint',
    'multilinestring', 'multipolygon', 'geometrycollection',
    'geomcollection'))
#: Key types a range can be read by: their values come back as Python
#: values :func:`value` renders exactly, and both flavors order them
#: alike (floats, ``ENUM``/``SET`` order and ``BIT`` are left out).
RANGE_TYPES = frozenset((
    'tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint',
    'decimal', 'char', 'varchar', 'binary', 'varbinary', 'date',
    'datetime', 'timestamp', 'time', 'year'))
#: Separates the columns of a row in its checksum.
SEPARATOR = '#'


def _plain(sql):
    return dialect.Statement(sql, sql)


def session_settings():
    """What each verifying session sets first: UTC, so ``TIMESTAMP``
    values print (and compare as key literals) the same on both sides.
    """
    return _plain("SET SESSION time_zone = '+00:00'")


def user_tables():
    """SELECT ``schema, table`` of every base table outside the system
    schemas.
    """
    return _plain(
        "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES "
        "WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA NOT IN (%s) "
        "ORDER BY TABLE_SCHEMA, TABLE_NAME"
        % ', '.join(literals.quote(s) for s in sorted(state.SYSTEM_SCHEMAS)))


def columns(schema, table):
    """SELECT ``name, data type, character set`` of a table's columns in
    their order.
    """
    return _plain(
        'SELECT COLUMN_NAME, DATA_TYPE, CHARACTER_SET_NAME FROM '
        'information_schema.COLUMNS WHERE TABLE_SCHEMA = %s AND '
        'TABLE_NAME = %s ORDER BY ORDINAL_POSITION'
        % (literals.quote(schema), literals.quote(table)))


def primary_key(schema, table):
    """SELECT the names of a table's primary key columns, in key order."""
    return _plain(
        "SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE "
        "TABLE_SCHEMA = %s AND TABLE_NAME = %s AND CONSTRAINT_NAME = "
        "'PRIMARY' ORDER BY ORDINAL_POSITION"
        % (literals.quote(schema), literals.quote(table)))


def rangeable(key_types):
    """Whether a key of these data types can be read in ranges."""
    return bool(key_types) and all(t.lower() in RANGE_TYPES
                                   for t in key_types)


def _column_form(name, data_type, charset):
    quoted = literals.quoted_name(name)
    if data_type.lower() in BINARY_TYPES:
        return 'HEX(%s)' % quoted
    if charset or data_type.lower() == 'json':
        return 'CAST(%s AS BINARY)' % quoted
    return quoted


def row_checksum(cols):
    """The checksum of one row: ``cols`` are ``(name, data type,
    character set)`` as :func:`columns` reads them.
    """
    forms = [_column_form(*c) for c in cols]
    nulls = 'CONCAT(%s)' % ', '.join(
        'ISNULL(%s)' % literals.quoted_name(c[0]) for c in cols)
    return 'CRC32(CONCAT_WS(%s, %s))' % (
        literals.quote(SEPARATOR), ', '.join(forms + [nulls]))


def _table(schema, table):
    return '%s.%s' % (literals.quoted_name(schema),
                      literals.quoted_name(table))


def value(item):
    """A key value read from a server as an SQL literal."""
    if isinstance(item, bool) or item is None:
        raise exceptions.InvalidInput('not a key value: %r' % (item,))
    if isinstance(item, int):
        return str(item)
    if isinstance(item, decimal.Decimal):
        return str(item)
    if isinstance(item, str):
        return literals.quote(item)
    if isinstance(item, bytes):
        return "X'%s'" % item.hex()
    if isinstance(item, (datetime.date, datetime.datetime)):
        return literals.quote(item.isoformat(sep=' ') if isinstance(
            item, datetime.datetime) else item.isoformat())
    if isinstance(item, datetime.timedelta):
        return literals.quote(_time_text(item))
    raise exceptions.InvalidInput('not a key value: %r' % (item,))


def _time_text(delta):
    """A ``TIME`` value as the server reads it (PyMySQL returns TIME as
    a timedelta; ``str()`` of a negative one is not a time).
    """
    micros = abs(delta) // datetime.timedelta(microseconds=1)
    seconds, micro = divmod(micros, 1000000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return '%s%d:%02d:%02d.%06d' % ('-' if delta < datetime.timedelta(0)
                                    else '', hour, minute, second, micro)


def _beyond(key, values, last):
    """Rows whose key is after ``values`` (``last``: '>') or up to them
    (``last``: '<='), expanded column by column: the range optimizer of
    both flavors reads this form as a range, which MariaDB does not do
    for a row comparison such as ``(a, b) > (1, 2)``.
    """
    strict = '>' if last == '>' else '<'
    terms = []
    for i, name in enumerate(key):
        equal = ['%s = %s' % (literals.quoted_name(k), value(v))
                 for k, v in zip(key[:i], values[:i])]
        operator = last if i == len(key) - 1 else strict
        terms.append(' AND '.join(equal + ['%s %s %s' % (
            literals.quoted_name(name), operator, value(values[i]))]))
    return '(%s)' % ' OR '.join('(%s)' % t if ' AND ' in t else t
                                for t in terms)


def range_condition(key, after, upto):
    """The WHERE text of the rows after the key values ``after`` and up
    to ``upto`` (either None: unbounded), or '' for every row.
    """
    parts = []
    if after is not None:
        parts.append(_beyond(key, after, '>'))
    if upto is not None:
        parts.append(_beyond(key, upto, '<='))
    return ' WHERE ' + ' AND '.join(parts) if parts else ''


def chunk_end(schema, table, key, after, rows):
    """SELECT the key of the ``rows``-th row after ``after`` in key
    order (none when fewer remain): the end of the chunk starting there.
    """
    return _plain('SELECT %s FROM %s FORCE INDEX (PRIMARY)%s ORDER BY %s '
                  'LIMIT 1 OFFSET %s' % (
                      ', '.join(literals.quoted_name(k) for k in key),
                      _table(schema, table),
                      range_condition(key, after, None),
                      ', '.join(literals.quoted_name(k) for k in key),
                      literals.integer(rows - 1, 'chunk rows')))


def range_sums(schema, table, cols, key=(), after=None, upto=None):
    """SELECT ``COUNT(*), BIT_XOR`` of the row checksums of the key
    range, or, with no key, ``COUNT(*), BIT_XOR, SUM`` of the whole
    table's (see the module).
    """
    crc = row_checksum(cols)
    if not key:
        return _plain(
            'SELECT COUNT(*), COALESCE(BIT_XOR(c), 0), COALESCE(SUM(c), 0) '
            'FROM (SELECT %s AS c FROM %s) AS checksummed'
            % (crc, _table(schema, table)))
    hint = ' FORCE INDEX (PRIMARY)' if after or upto else ''
    return _plain('SELECT COUNT(*), COALESCE(BIT_XOR(%s), 0) FROM %s%s%s' % (
        crc, _table(schema, table), hint, range_condition(key, after, upto)))
