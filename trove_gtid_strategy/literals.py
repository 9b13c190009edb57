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

"""SQL string literals that survive both PyMySQL and SQLAlchemy ``text()``.

Replication statements cannot use bind parameters: ``CHANGE MASTER TO``
and ``CREATE USER ... IDENTIFIED BY`` only take literals, and Trove sends
every statement through SQLAlchemy ``text()``, which reads ``:word`` as a
bind parameter. So values are escaped here, once, for both paths:

* ``\\``, ``'``, ``"``, NUL, newline, carriage return and Ctrl-Z get the
  server's backslash escapes (the server's default ``sql_mode``; with
  ``NO_BACKSLASH_ESCAPES`` these literals would be wrong, so the strategy
  refuses such a server);
* ``:`` becomes ``\\:``. ``text()`` turns ``\\:`` back into ``:``, and a
  server reading ``\\:`` inside a literal also yields ``:`` (an unknown
  backslash escape is the character itself), so the value arrives intact
  whichever path carries it.

Non-ASCII text is left as it is: connections use utf8mb4.
"""

from trove_gtid_strategy import exceptions

_ESCAPES = {
    '\\': '\\\\',
    "'": "\\'",
    '"': '\\"',
    '\0': '\\0',
    '\n': '\\n',
    '\r': '\\r',
    '\x1a': '\\Z',
    ':': '\\:',
}
_TABLE = str.maketrans(_ESCAPES)


def quote(value):
    """Return ``value`` as a quoted SQL string literal."""
    if not isinstance(value, str):
        raise TypeError('SQL string literal must be str, not %s'
                        % type(value).__name__)
    return "'" + value.translate(_TABLE) + "'"


def integer(value, name):
    """Return ``value`` as an SQL integer literal, refusing anything else.

    Ports and log positions come from dictionaries Trove builds; a string
    there must not reach the statement unchecked.
    """
    bad = exceptions.InvalidInput(
        '%s must be a non-negative integer, not %r' % (name, value))
    if isinstance(value, bool):
        raise bad
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise bad
    if number < 0 or str(number) != str(value).strip():
        raise bad
    return str(number)


def identifier(name):
    """Return ``name`` as a quoted SQL identifier (a database, a table).

    Only letters, digits, ``_`` and ``$`` are taken: nothing in such a
    name needs escaping inside backticks, and none is a ``:`` that
    SQLAlchemy ``text()`` would read as a bind parameter.
    """
    if not isinstance(name, str) or not 0 < len(name) <= 64 or \
            not name.replace('_', '').replace('$', '').isalnum() or \
            not name.isascii():
        raise exceptions.InvalidInput('not an identifier we quote: %r'
                                      % (name,))
    return '`%s`' % name


def quoted_name(name):
    """Return ``name`` (any schema, table or column name as the server
    lists it, which :func:`identifier` would refuse) as a quoted SQL
    identifier: in backticks, a backtick in it doubled.

    Names come from ``information_schema`` or from the command line, so
    they are never pasted as they are. NUL cannot be part of a name, and
    an empty name names nothing: both are refused. Such names go through
    our adapter only (``verify`` reads data with them): a ``:`` inside
    backticks cannot be escaped for SQLAlchemy ``text()``.
    """
    if not isinstance(name, str):
        raise TypeError('SQL identifier must be str, not %s'
                        % type(name).__name__)
    if not name or '\0' in name:
        raise exceptions.InvalidInput('not a name: %r' % (name,))
    return '`' + name.replace('`', '``') + '`'
