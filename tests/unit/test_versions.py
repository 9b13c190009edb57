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

"""Tests of trove_gtid_strategy.versions.

Two sources of versions: what a server reports (the truth) and the label
an operator typed (a hint). Both must be read exactly, and anything that
cannot be read must be refused with a message naming the bad text, never
coerced to 0.0.0 as Trove's semantic_version fallback did (seed 000).
"""

import re

import pytest

from trove_gtid_strategy import exceptions
from trove_gtid_strategy.versions import Flavor
from trove_gtid_strategy.versions import flavor_of_datastore
from trove_gtid_strategy.versions import parse_label
from trove_gtid_strategy.versions import parse_server_version
from trove_gtid_strategy.versions import ServerVersion

MYSQL = Flavor.MYSQL
PERCONA = Flavor.PERCONA
MARIADB = Flavor.MARIADB

PERCONA_COMMENT = 'Percona Server (GPL), Release 48, Revision 497f936a373'


# -- parse_server_version -----------------------------------------------

@pytest.mark.parametrize('version, comment, flavor, number', [
    ('5.5.62-log', '', MYSQL, (5, 5, 62)),
    ('5.5.62-log', 'MySQL Community Server (GPL)', MYSQL, (5, 5, 62)),
    ('5.7.44-48-log', PERCONA_COMMENT, PERCONA, (5, 7, 44)),
    ('8.0.36-0ubuntu0.22.04.1', '(Ubuntu)', MYSQL, (8, 0, 36)),
    ('8.4.3', 'MySQL Community Server - GPL', MYSQL, (8, 4, 3)),
    ('9.1.0', '', MYSQL, (9, 1, 0)),
    ('10.11.6-MariaDB-0+deb12u1', 'Debian 12', MARIADB, (10, 11, 6)),
    # Debian 13's MariaDB 11.8 (seen on a real server): blanks in it.
    ('11.8.9-MariaDB-0+deb13u1 from Debian-log', 'Debian 13', MARIADB,
     (11, 8, 9)),
    ('9.7.4', 'MySQL Community Server (GPL)', MYSQL, (9, 7, 4)),
    # MariaDB before 11.0 prefixes 5.5.5- for old clients: the real
    # version follows it.
    ('5.5.5-10.11.6-MariaDB-log', '', MARIADB, (10, 11, 6)),
    ('11.4.2-MariaDB', '', MARIADB, (11, 4, 2)),
    # The flavor may be named by the comment only.
    ('10.6.16', 'mariadb.org binary distribution', MARIADB, (10, 6, 16)),
    ('8.0.36-28', 'Percona Server (GPL), Release 28', PERCONA, (8, 0, 36)),
    # A real MySQL 5.5.5 is not mistaken for the MariaDB prefix.
    ('5.5.5-m3-log', '', MYSQL, (5, 5, 5)),
    # Surrounding white space (as some drivers return it) is harmless.
    (' 8.0.36 ', None, MYSQL, (8, 0, 36)),
])
def test_parse_server_version(version, comment, flavor, number):
    parsed = parse_server_version(version, comment)
    assert parsed.flavor is flavor
    assert parsed.number == number
    assert (parsed.major, parsed.minor, parsed.patch) == number
    # What a server reports is exact, whatever its suffix.
    assert parsed.exact is True


def test_server_version_str():
    assert str(parse_server_version('5.5.5-10.11.6-MariaDB-log')) == \
        'mariadb 10.11.6'
    assert str(parse_server_version('5.7.44-48-log', PERCONA_COMMENT)) == \
        'percona 5.7.44'
    assert str(parse_server_version('8.0.36-0ubuntu0.22.04.1')) == \
        'mysql 8.0.36'


def test_server_version_equality_is_by_value():
    assert parse_server_version('8.0.36-log') == ServerVersion(MYSQL, 8, 0, 36)
    assert parse_server_version('8.0.36-log') != \
        parse_server_version('8.0.36', 'Percona Server (GPL)')


@pytest.mark.parametrize('bad', [
    '',
    '5.7',
    '8',
    'abc',
    'latest',
    'MySQL 8.0.36',
    '8.0.x',
    '8.0.36 log',
    'v8.0.36',
    '8.0.36-log\nDROP TABLE t',
])
def test_parse_server_version_refuses(bad):
    with pytest.raises(exceptions.InvalidVersion) as info:
        parse_server_version(bad)
    assert repr(bad) in str(info.value)
    assert 'MAJOR.MINOR.PATCH' in str(info.value)
    # Generic input validation keeps working.
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, exceptions.InvalidInput)


def test_parse_server_version_refuses_none():
    with pytest.raises(exceptions.InvalidVersion, match='None'):
        parse_server_version(None)


def test_server_version_comparisons():
    v = ServerVersion(MYSQL, 8, 0, 22)
    assert v.at_least(8, 0, 22)
    assert v.at_least(8)
    assert v.at_least(5, 7, 44)
    assert not v.at_least(8, 0, 23)
    assert not v.at_least(8, 1)
    assert not v.at_least(9)


def test_flavor_family():
    assert MYSQL.is_mysql_family
    assert PERCONA.is_mysql_family
    assert not MARIADB.is_mysql_family
    assert str(PERCONA) == 'percona'


# -- parse_label --------------------------------------------------------

@pytest.mark.parametrize('label, datastore, flavor, number, exact', [
    ('5.5', 'mysql', MYSQL, (5, 5, 0), False),
    ('mysql-5.5', None, MYSQL, (5, 5, 0), False),
    ('mysql-5.5', 'mysql', MYSQL, (5, 5, 0), False),
    ('MySQL 5.6', None, MYSQL, (5, 6, 0), False),
    ('percona-5.7', None, PERCONA, (5, 7, 0), False),
    # Percona is MySQL-family: a percona label on a mysql datastore is
    # no conflict, and the label (the more specific) wins.
    ('percona-5.7', 'mysql', PERCONA, (5, 7, 0), False),
    ('mariadb-10.4', None, MARIADB, (10, 4, 0), False),
    ('mariadb-10.4', 'mariadb', MARIADB, (10, 4, 0), False),
    ('10.4-mariadb', None, MARIADB, (10, 4, 0), False),
    ('10.4', 'MariaDB-prod', MARIADB, (10, 4, 0), False),
    ('8.0', 'mysql', MYSQL, (8, 0, 0), False),
    ('8', 'mysql', MYSQL, (8, 0, 0), False),
    ('5.7.29', 'mysql', MYSQL, (5, 7, 29), True),
    ('5.7.29', 'percona', PERCONA, (5, 7, 29), True),
    ('  MariaDB_10.11.6 ', None, MARIADB, (10, 11, 6), True),
])
def test_parse_label(label, datastore, flavor, number, exact):
    parsed = parse_label(label, datastore)
    assert parsed.flavor is flavor
    assert parsed.number == number
    assert parsed.exact is exact


@pytest.mark.parametrize('label, datastore', [
    ('mariadb-10.4', 'mysql'),
    ('10.4-mariadb', 'percona'),
    ('mysql-8.0', 'mariadb'),
    ('percona-5.7', 'mariadb'),
])
def test_parse_label_refuses_conflicting_flavors(label, datastore):
    with pytest.raises(exceptions.InvalidVersion) as info:
        parse_label(label, datastore)
    message = str(info.value)
    assert repr(label) in message
    assert repr(datastore) in message


def test_parse_label_conflict_message():
    with pytest.raises(exceptions.InvalidVersion) as info:
        parse_label('mariadb-10.4', 'mysql')
    assert str(info.value) == ("datastore version label 'mariadb-10.4' "
                               "names mariadb but datastore 'mysql' is mysql")


@pytest.mark.parametrize('label', [
    'latest',
    'mysql-',
    '5.x',
    '',
    '   ',
    'mysql',
    '5.7-8.0',
    'mysql-mariadb-10.4',
    '5.7.29-log',
    'mysql5.7',
    '5..7',
])
def test_parse_label_refuses_unreadable(label):
    with pytest.raises(exceptions.InvalidVersion) as info:
        parse_label(label, 'mysql')
    assert repr(label) in str(info.value)
    assert isinstance(info.value, ValueError)


def test_parse_label_names_the_unknown_word():
    with pytest.raises(exceptions.InvalidVersion) as info:
        parse_label('latest', 'mysql')
    assert str(info.value) == (
        "cannot read datastore version label 'latest': expected a version "
        "such as 5.7, 8.0.36 or 10.11, optionally with one flavor word "
        "(mysql, percona, mariadb); 'latest' is not understood")
    with pytest.raises(exceptions.InvalidVersion,
                       match=re.escape("'5.x' is not understood")):
        parse_label('5.x', 'mysql')


def test_parse_label_refuses_none():
    with pytest.raises(exceptions.InvalidVersion, match='None'):
        parse_label(None, 'mysql')


def test_parse_label_needs_a_flavor():
    with pytest.raises(exceptions.InvalidVersion) as info:
        parse_label('5.7')
    assert "'5.7'" in str(info.value)
    assert 'name the datastore' in str(info.value)


@pytest.mark.parametrize('datastore', ['db', 'mysql-mariadb', 'postgresql'])
def test_parse_label_refuses_unknown_datastore(datastore):
    with pytest.raises(exceptions.InvalidVersion,
                       match=re.escape(repr(datastore))):
        parse_label('5.7', datastore)


@pytest.mark.parametrize('name, flavor', [
    ('mysql', MYSQL),
    ('MySQL', MYSQL),
    ('percona', PERCONA),
    ('mariadb', MARIADB),
    ('mariadb-prod', MARIADB),
])
def test_flavor_of_datastore(name, flavor):
    assert flavor_of_datastore(name) is flavor


def test_mysql_5_5_label_is_never_newer_than_5_5():
    # Seed 000: Trove read 'mysql-5.5' as 0.0.0 and gave a 5.5 server a
    # GTID template. Here it is 5.5 and stays below 5.6.
    parsed = parse_label('mysql-5.5')
    assert parsed.number == (5, 5, 0)
    assert not parsed.at_least(5, 6)
