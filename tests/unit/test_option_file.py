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

"""MySQL option files and the DSNs that read them (issue 15, item 3).

The expected values are what ``my_print_defaults`` of MariaDB 10.11,
11.8 and MySQL 9.7 printed for the same lines (the functional suite
compares with the real tool on every server line): a password must reach
the server as the mysql client would send it.
"""

import os

from hypothesis import given
from hypothesis import strategies as st
import pytest

from trove_gtid_strategy import dsn
from trove_gtid_strategy import exceptions
from trove_gtid_strategy import option_file

SECRET = 'Sup3r s3cret#'


def values(text, groups=('client',)):
    return [(name, value) for _, name, value in
            option_file.options(text, 'my.cnf', groups)]


@pytest.mark.parametrize('line, expected', [
    ('password = plain   # comment', 'plain'),
    ('password="a b#c"', 'a b#c'),
    ("password='it''s'", "'it''s'"[1:-1]),
    ('password = a#b', 'a'),
    ("password = 'a#b'x", "'a#b'x"),
    ("password = 'x\\'y'", "x'y"),
    ('password = abc\\', 'abc\\'),
    ('password = "  spaced  "', '  spaced  '),
    ('password = "q" "r"', 'q" "r'),
    ('password = \'a"b\'', 'a"b'),
    ('password = "unbalanced', '"unbalanced'),
    ('password = a "b" c', 'a "b" c'),
    ('password = "\\"q\\""', '"q"'),
    ('password = "x\\sy\\tz\\\\w\\qv"', 'x y\tz\\w\\qv'),
    ('password = a;b', 'a;b'),
    ('password =', ''),
    ('loose-password = lp', 'lp'),
    ('PassWord = up', 'up'),
])
def test_values_as_the_client_reads_them(line, expected):
    assert values('[client]\n' + line + '\n') == [('password', expected)]


def test_groups_comments_and_order():
    text = ('# comment\n; another\n[mysql]\npassword = not-ours\n'
            '[  client  ]\nuser = skipped\n'    # leading blanks: no match
            '[CLIENT]  # upper case, text after ] ignored\nuser = alice\n'
            '[trove-gtid]\npassword = first\n[client ]\n'
            'password = second\n   host = db1\n'
            'default_character-set = utf8mb4\n')
    assert values(text, ('client', 'trove-gtid')) == [
        ('user', 'alice'), ('password', 'first'), ('password', 'second'),
        ('host', 'db1'), ('default-character-set', 'utf8mb4')]
    # The later line wins, whichever group holds it.
    assert option_file.parse(text, 'f', ('client', 'trove-gtid')) == {
        'user': 'alice', 'password': 'second', 'host': 'db1'}


def test_lines_end_at_newline_only():
    # A form feed is not a line break to the client.
    assert values('[client]\r\npassword = a\x0cb \r\n') == [
        ('password', 'a\x0cb')]


@pytest.mark.parametrize('text, named', [
    ('user = x\n', 'line 1: an option before any [group]'),
    ('[client\nuser = x\n', 'line 1: a group header without ]'),
    ('[client]\n!include /etc/other.cnf\n', 'line 2: !include is not'),
    ('[client]\n!includedir /etc/my.cnf.d\n', '!includedir is not'),
    ('[client]\npassword\n', 'password without a value'),
    ('[client]\nuser\n', 'user without a value'),
    ('[client]\npass = ' + SECRET + '\n', "full name (password)"),
    ('[client]\nssl-ca = /ca.pem\n', 'ssl-ca: TLS options'),
    ('[client]\nssl\n', 'ssl: TLS options'),
    ('[client]\nssl-mode = VERIFY_IDENTITY\n', 'ssl-mode: TLS options'),
    ('[client]\n= ' + SECRET + '\n', 'an option without a name'),
])
def test_refused_naming_the_line_never_a_value(text, named):
    with pytest.raises(option_file.OptionFileError) as caught:
        option_file.parse(text, 'my.cnf')
    assert named in str(caught.value)
    assert SECRET not in str(caught.value)


def test_what_is_ignored():
    text = ('[client]\nuser = u\nskip-ssl\nssl-mode = DISABLED\n'
            'ssl-verify-server-cert = 0\ndefault-character-set = utf8\n'
            '!something else\ncompress\n[other]\nssl-ca = /x\n'
            'password\n')
    assert option_file.parse(text, 'f') == {'user': 'u'}


@given(st.text(st.characters(blacklist_categories=('Cs',),
                             blacklist_characters='\n\0'), max_size=40))
def test_any_password_written_quoted_reads_back(password):
    escaped = password.replace('\\', '\\\\').replace('"', '\\"').replace(
        '\t', '\\t').replace('\r', '\\r').replace('\b', '\\b')
    text = '[client]\npassword = "%s"  # the client quotes it so\n' % escaped
    assert option_file.parse(text, 'f') == {'password': password}


# -- reading the file --------------------------------------------------

def write(path, text, mode=0o600):
    path.write_text(text)
    os.chmod(path, mode)
    return str(path)


def test_read_refuses_missing_unreadable_and_world_writable(tmp_path):
    for path, named in (
            (str(tmp_path / 'missing.cnf'), 'cannot read'),
            (str(tmp_path), 'cannot read .*: Is a directory'),
            (write(tmp_path / 'ww.cnf', '[client]\n', 0o666),
             'world-writable')):
        with pytest.raises(option_file.OptionFileError, match=named):
            option_file.read(path)
    bad = tmp_path / 'latin1.cnf'
    bad.write_bytes(b'[client]\npassword = caf\xe9\n')
    with pytest.raises(option_file.OptionFileError,
                       match='not UTF-8 text'):
        option_file.read(str(bad))


def test_read_takes_a_pipe():
    # bash's <(command): the password never touches a file.
    read_end, write_end = os.pipe()
    os.write(write_end, b'[client]\npassword = piped\n')
    os.close(write_end)
    try:
        assert option_file.read('/dev/fd/%d' % read_end) == {
            'password': 'piped'}
    finally:
        os.close(read_end)


def test_read_takes_utf8_and_a_bom(tmp_path):
    path = tmp_path / 'c.cnf'
    path.write_bytes('\ufeff[client]\npassword = "s\u00e9 cret"\n'.encode())
    assert option_file.read(str(path)) == {'password': 's\u00e9 cret'}


# -- DSNs ----------------------------------------------------------------

def test_defaults_file_gives_what_the_url_does_not(tmp_path):
    cnf = write(tmp_path / 'c.cnf',
                '[client]\nuser = alice\npassword = "a b"\nhost = db1\n'
                'port = 3307\n[trove-gtid]\nuser = bob\n')
    found = dsn.parse_dsn('mysql://?defaults_file=%s' % cnf, environ={})
    assert (found.user, found.password, found.host, found.port) == (
        'bob', 'a b', 'db1', 3307)
    assert 'a b' not in found.redacted() and 'a b' not in repr(found)
    # The URL wins, key by key; the file's host only where it names none.
    found = dsn.parse_dsn('mysql://carol:pw@db2?defaults_file=%s' % cnf,
                          environ={})
    assert (found.user, found.password, found.host, found.port) == (
        'carol', 'pw', 'db2', 3307)
    found = dsn.parse_dsn('mysql://carol@db2:3306?defaults_file=%s&'
                          'password_env=PW' % cnf, environ={'PW': 'env'})
    assert (found.password, found.port) == ('env', 3306)


def test_file_socket_only_where_the_url_names_no_host(tmp_path):
    cnf = write(tmp_path / 'c.cnf', '[client]\nuser = u\nhost = localhost\n'
                                    'socket = /run/my.sock\n')
    found = dsn.parse_dsn('mysql://?defaults_file=%s' % cnf, environ={})
    assert found.unix_socket == '/run/my.sock'
    # A URL's HOST:PORT is TCP to that port, whatever the file says.
    found = dsn.parse_dsn('mysql://127.0.0.1:3310?defaults_file=%s' % cnf,
                          environ={})
    assert (found.unix_socket, found.host, found.port) == (
        '', '127.0.0.1', 3310)
    cnf = write(tmp_path / 'd.cnf', '[client]\nuser = u\nhost = 10.0.0.5\n'
                                    'socket = /run/my.sock\n')
    found = dsn.parse_dsn('mysql://?defaults_file=%s' % cnf, environ={})
    assert (found.unix_socket, found.host) == ('', '10.0.0.5')


def test_my_cnf_only_without_any_password(tmp_path):
    write(tmp_path / '.my.cnf', '[client]\nuser = alice\npassword = home\n')
    home = {'HOME': str(tmp_path), 'PW': 'env'}
    assert dsn.parse_dsn('mysql://127.0.0.1', home).password == 'home'
    assert dsn.parse_dsn('mysql://127.0.0.1', home).user == 'alice'
    assert dsn.parse_dsn('mysql://u@h', home).user == 'u'
    for text in ('mysql://u:@h', 'mysql://u:x@h', 'mysql://u@h?'
                 'password_env=PW'):
        assert dsn.parse_dsn(text, home).password != 'home', text
    other = write(tmp_path / 'other.cnf', '[client]\nuser = o\n')
    assert dsn.parse_dsn('mysql://u@h?defaults_file=%s' % other,
                         home).password == ''
    # No HOME, or no file there: nothing read, as the client.
    assert dsn.parse_dsn('mysql://u@h', {}).password == ''
    assert dsn.parse_dsn('mysql://u@h', {'HOME': str(tmp_path / 'no')}
                         ).password == ''


@pytest.mark.parametrize('text, named', [
    ('[client]\npassword\n', '~/.my.cnf: {path} line 2: password without'),
    ('[client]\nport = 99999\n', "option file's port must be a number"),
    ('[client]\nport = x\n', "option file's port must be a number"),
])
def test_bad_my_cnf_is_bad_input_naming_it(tmp_path, text, named):
    path = write(tmp_path / '.my.cnf', text)
    with pytest.raises(exceptions.InvalidDSN) as caught:
        dsn.parse_dsn('mysql://u@h', {'HOME': str(tmp_path)})
    assert named.format(path=path) in str(caught.value)
    assert "invalid DSN 'mysql://u@h'" in str(caught.value)


def test_bad_defaults_file_names_the_dsn_and_the_file(tmp_path):
    missing = str(tmp_path / 'missing.cnf')
    with pytest.raises(exceptions.InvalidDSN) as caught:
        dsn.parse_dsn('mysql://u:%s@h?defaults_file=%s' % (
            SECRET.replace(' ', '%20').replace('#', '%23'), missing), {})
    message = str(caught.value)
    assert message.startswith("invalid DSN 'mysql://u:***@h?defaults_file=")
    assert 'cannot read %s: No such file or directory' % missing in message
    assert 's3cret' not in message
    empty = write(tmp_path / 'empty.cnf', '')
    with pytest.raises(exceptions.InvalidDSN, match='no user'):
        dsn.parse_dsn('mysql://h?defaults_file=%s' % empty, {})
    with pytest.raises(exceptions.InvalidDSN, match='no host'):
        dsn.parse_dsn('mysql://u@?defaults_file=%s' % empty, {})
