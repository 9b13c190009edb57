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

"""Tests of trove_gtid_strategy.literals.

A quoted value must reach the server intact on both paths it can take:

(a) sent as it is (PyMySQL, the ``trove-gtid`` command), the server reads
    the literal with its backslash escapes;
(b) sent the way Trove sends every statement: SQLAlchemy ``text()`` (which
    reads ``:word`` as a bind parameter and turns ``\\:`` into ``:``),
    compiled by the ``mysql+pymysql`` dialect (which doubles ``%`` because
    PyMySQL's paramstyle is ``format``), executed with an empty parameter
    tuple, so PyMySQL applies ``query % ()`` and halves ``%%`` again.

Path (b) is run for real: a SQLAlchemy engine on a stub PyMySQL
connection whose cursor is PyMySQL's own ``Cursor`` with only the network
write replaced, so the text checked is the exact text PyMySQL would send.
``_reference_decode`` is an independent model of how MySQL reads a
single-quoted literal (MySQL manual, "String Literals", table "Special
Character Escape Sequences").
"""

import types

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
import pymysql
import pymysql.converters
import pymysql.cursors
import pytest
import sqlalchemy
from sqlalchemy.dialects import mysql as mysql_dialects

from trove_gtid_strategy import exceptions
from trove_gtid_strategy.literals import integer
from trove_gtid_strategy.literals import quote

# MySQL's escape sequences. \% and \_ keep their backslash (they exist
# for LIKE patterns); any other escaped character is the character.
_SERVER_ESCAPES = {
    '0': '\0',
    "'": "'",
    '"': '"',
    'b': '\b',
    'n': '\n',
    'r': '\r',
    't': '\t',
    'Z': '\x1a',
    '\\': '\\',
    '%': '\\%',
    '_': '\\_',
}


def _reference_decode(literal):
    """The value MySQL reads from one single-quoted literal.

    Raises AssertionError when ``literal`` is not exactly one literal
    (unterminated, or followed by more text: an injection).
    """
    assert literal.startswith("'"), literal
    out = []
    i = 1
    while i < len(literal):
        ch = literal[i]
        if ch == '\\':
            assert i + 1 < len(literal), 'dangling backslash: %r' % literal
            nxt = literal[i + 1]
            out.append(_SERVER_ESCAPES.get(nxt, nxt))
            i += 2
        elif ch == "'":
            if literal[i + 1:i + 2] == "'":
                out.append("'")
                i += 2
                continue
            assert i == len(literal) - 1, 'text after literal: %r' % literal
            return ''.join(out)
        else:
            out.append(ch)
            i += 1
    raise AssertionError('unterminated literal: %r' % literal)


def test_reference_decoder():
    # The model itself, on hand-written literals.
    assert _reference_decode(r"'a\'b'") == "a'b"
    assert _reference_decode("'a''b'") == "a'b"
    assert _reference_decode(r"'\0\Z\n\t\b\r'") == '\0\x1a\n\t\b\r'
    assert _reference_decode(r"'\%\_\\'") == '\\%\\_\\'
    assert _reference_decode(r"'\:\x\y'") == ':xy'
    for broken in ("'abc", r"'abc\'", "'a' OR '1'='1'", "'a'b'"):
        with pytest.raises(AssertionError):
            _reference_decode(broken)


# -- path (b): SQLAlchemy text() and PyMySQL ----------------------------

class _RecordingCursor(pymysql.cursors.Cursor):
    """PyMySQL's cursor, with the network write replaced by a record."""

    sent = None

    def _query(self, q):
        type(self).sent.append(q)
        self.rowcount = 0
        self.description = None
        return 0


class _StubConnection:
    """Just enough of pymysql.connections.Connection for one cursor."""

    _result = None

    def __init__(self, *args, **kwargs):
        pass

    def cursor(self, cursor=None):
        return _RecordingCursor(self)

    def escape(self, obj, mapping=None):
        return pymysql.converters.escape_item(obj, 'utf8mb4', mapping)

    def character_set_name(self):
        return 'utf8mb4'

    def rollback(self):
        pass

    def commit(self):
        pass

    def close(self):
        pass


@pytest.fixture(scope='module')
def trove_engine():
    """A mysql+pymysql engine whose DBAPI is PyMySQL on a stub socket."""
    dbapi = types.ModuleType('pymysql')
    dbapi.__dict__.update(vars(pymysql))
    dbapi.connect = _StubConnection
    engine = sqlalchemy.create_engine('mysql+pymysql://u:p@h/db',
                                      module=dbapi)
    # Skip the first-connect probes (SELECT VERSION(), sql_mode, ...): a
    # text() statement without binds does not depend on their answers.
    engine.dialect.initialize = lambda connection: None
    yield engine
    engine.dispose()


def sent_through_trove(engine, sql):
    """What PyMySQL puts on the wire for ``conn.execute(text(sql))``."""
    _RecordingCursor.sent = []
    with engine.connect() as conn:
        conn.execute(sqlalchemy.text(sql))
    sent = [q for q in _RecordingCursor.sent if not q.startswith('SET NAMES')]
    assert len(sent) == 1, sent
    return sent[0]


def _via_text_compile(value):
    """Path (b) without an engine: compile, then PyMySQL's ``% ()``."""
    clause = sqlalchemy.text('SELECT ' + quote(value))
    compiled = clause.compile(dialect=mysql_dialects.pymysql.dialect())
    return str(compiled) % ()


def _literal_of(statement):
    assert statement.startswith('SELECT '), statement
    return statement[len('SELECT '):]


VALUES = [
    "it's",
    'say "hi"',
    'back\\slash',
    'trailing\\',
    '\\',
    "\\'",
    'a;DROP TABLE users;--',
    ':name',
    'x:name',
    '::',
    ':a:b',
    ':1',
    'a\\:b',
    '\\:',
    '%s',
    '%(x)s',
    '%',
    '%%',
    '100%',
    '\\%',
    'a_b',
    '\\_',
    '\0',
    'nul\0in\0middle',
    '\n',
    'two\nlines\r\n',
    '\x1a',
    '\t\b',
    'pässwörd',
    '密码',
    '\U0001f511\U0001f600',
    "' OR '1'='1",
    '',
]


def test_quote_exact_text():
    assert quote("it's") == "'it\\'s'"
    assert quote('say "hi"') == "'say \\\"hi\\\"'"
    assert quote('a\\b') == "'a\\\\b'"
    assert quote(':name') == "'\\:name'"
    assert quote('\0\n\r\x1a') == "'\\0\\n\\r\\Z'"
    assert quote('100%') == "'100%'"
    assert quote('pässwörd') == "'pässwörd'"
    assert quote('') == "''"


@pytest.mark.parametrize('value', VALUES)
def test_server_reads_the_literal_back(value):
    assert _reference_decode(quote(value)) == value


@pytest.mark.parametrize('value', VALUES)
def test_text_sees_no_bind_parameters(value):
    clause = sqlalchemy.text('SELECT ' + quote(value))
    assert clause.compile().params == {}
    assert clause._bindparams == {}
    compiled = clause.compile(dialect=mysql_dialects.pymysql.dialect())
    assert compiled.params == {}


@pytest.mark.parametrize('value', VALUES)
def test_value_survives_text_compile(value):
    assert _reference_decode(_literal_of(_via_text_compile(value))) == value


@pytest.mark.parametrize('value', VALUES)
def test_value_survives_trove_execution(trove_engine, value):
    sent = sent_through_trove(trove_engine, 'SELECT ' + quote(value))
    assert _reference_decode(_literal_of(sent)) == value


def test_percent_handling_on_the_wire(trove_engine):
    # The dialect doubles '%', PyMySQL halves it: the server sees one.
    compiled = sqlalchemy.text("SELECT '%s'").compile(
        dialect=mysql_dialects.pymysql.dialect())
    assert str(compiled) == "SELECT '%%s'"
    assert sent_through_trove(trove_engine, 'SELECT ' + quote('%(x)s')) \
        == "SELECT '%(x)s'"
    # And a colon is sent without its escape, which is harmless.
    assert sent_through_trove(trove_engine, 'SELECT ' + quote('a:b')) \
        == "SELECT 'a:b'"


def test_unescaped_colon_would_be_a_bind_parameter():
    # Why quote() escapes ':' at all.
    assert 'name' in sqlalchemy.text("SELECT ':name'")._bindparams
    assert sqlalchemy.text('SELECT ' + quote(':name'))._bindparams == {}


@settings(max_examples=300)
@given(st.text())
def test_any_text_survives_both_paths(value):
    literal = quote(value)
    assert _reference_decode(literal) == value
    clause = sqlalchemy.text('SELECT ' + literal)
    assert clause.compile().params == {}
    assert _reference_decode(_literal_of(_via_text_compile(value))) == value


@settings(max_examples=50)
@given(st.text(alphabet=st.sampled_from(
    list(':%\\\'"\0\n\r\x1a_;$ab1 ')), max_size=40))
def test_special_characters_survive_execution(trove_engine, value):
    sent = sent_through_trove(trove_engine, 'SELECT ' + quote(value))
    assert _reference_decode(_literal_of(sent)) == value


@settings(max_examples=200)
@given(st.text())
def test_quoted_text_has_no_raw_specials(value):
    literal = quote(value)[1:-1]
    for ch in ("\0", "\n", "\r", "\x1a"):
        assert ch not in literal
    # Every quote and colon inside is escaped.
    i = 0
    while i < len(literal):
        if literal[i] == '\\':
            i += 2
            continue
        assert literal[i] not in "'\":", literal
        i += 1


@pytest.mark.parametrize('value', [None, b'bytes', 5, ['a']])
def test_quote_refuses_non_str(value):
    with pytest.raises(TypeError, match=type(value).__name__):
        quote(value)


# -- integer ------------------------------------------------------------

@pytest.mark.parametrize('value, text', [
    (0, '0'),
    (4, '4'),
    (3306, '3306'),
    ('3306', '3306'),
    (' 154 ', '154'),
    (2 ** 64 - 1, '18446744073709551615'),
])
def test_integer_accepts(value, text):
    assert integer(value, 'port') == text


@pytest.mark.parametrize('value', [
    True,
    False,
    -1,
    '-1',
    '1; DROP TABLE t',
    '05',
    '+5',
    '1_000',
    '0x10',
    '1e3',
    5.0,
    5.5,
    '',
    ' ',
    None,
    '\u0663',  # ARABIC-INDIC DIGIT THREE: int() reads it, SQL does not
    [],
])
def test_integer_refuses(value):
    with pytest.raises(exceptions.InvalidInput) as info:
        integer(value, 'source port')
    message = str(info.value)
    assert message.startswith('source port must be ')
    assert message.endswith(repr(value))
    assert isinstance(info.value, ValueError)


def test_integer_messages():
    with pytest.raises(exceptions.InvalidInput) as info:
        integer(True, 'log position')
    assert str(info.value) == \
        'log position must be a non-negative integer, not True'
    with pytest.raises(exceptions.InvalidInput) as info:
        integer(-1, 'log position')
    assert str(info.value) == \
        'log position must be a non-negative integer, not -1'
    with pytest.raises(exceptions.InvalidInput) as info:
        integer('1; DROP', 'timeout')
    assert str(info.value) == \
        "timeout must be a non-negative integer, not '1; DROP'"
