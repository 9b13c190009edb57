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

"""What a server is: flavor and version, from the server or from a label.

Two sources, of very different trust:

* what the server reports (``SELECT @@version, @@version_comment``): the
  truth, parsed by :func:`parse_server_version`;
* the label an operator typed for a Trove datastore version (``5.7.29``,
  ``mysql-5.5``, ``percona-5.7``, ``10.4-mariadb``): a hint, parsed by
  :func:`parse_label`. Trove coerces labels with ``semantic_version`` and
  silently falls back to 0.0.0 on ``mysql-5.5``, which is how a 5.5 server
  got a GTID template (seed 000). Here an unreadable label is an error.
"""

import dataclasses
import enum
import re

from trove_gtid_strategy import exceptions


class Flavor(str, enum.Enum):
    """The server families whose replication differs."""

    MYSQL = 'mysql'
    PERCONA = 'percona'
    MARIADB = 'mariadb'

    def __str__(self):
        return self.value

    @property
    def is_mysql_family(self):
        """Percona Server follows Oracle MySQL's versions and syntax."""
        return self is not Flavor.MARIADB


@dataclasses.dataclass(frozen=True)
class ServerVersion:
    """A flavor and a ``major.minor.patch`` version.

    ``exact`` is False when the version came from a label that left parts
    out (``8`` or ``5.7``): missing parts read as 0, the lowest release of
    the series, so capability checks err on the side of the older server.
    """

    flavor: Flavor
    major: int
    minor: int = 0
    patch: int = 0
    exact: bool = True

    @property
    def number(self):
        return (self.major, self.minor, self.patch)

    def at_least(self, major, minor=0, patch=0):
        return self.number >= (major, minor, patch)

    def __str__(self):
        return '%s %d.%d.%d' % (self.flavor, self.major, self.minor,
                                self.patch)


# "10.11.6-MariaDB-0+deb12u1", "5.5.5-10.11.6-MariaDB-log" (MariaDB before
# 11.0 prefixes 5.5.5- for old clients), "8.0.36-0ubuntu0.22.04.1",
# "5.7.44-48-log" (Percona's release suffix), "11.8.9-MariaDB-0+deb13u1
# from Debian-log" (Debian 13 appends its origin, blanks included).
_SERVER_VERSION = re.compile(
    r'^\s*(?:5\.5\.5-)?(?P<major>\d+)\.(?P<minor>\d+)\.(?P<patch>\d+)'
    r'(?P<suffix>(?:[-+~._][-+~.\w]*(?: [\x21-\x7e]+)*)?)\s*$', re.ASCII)


def parse_server_version(version, comment=''):
    """Parse ``@@version`` (and ``@@version_comment``) of a running server.

    >>> str(parse_server_version('5.5.5-10.11.6-MariaDB-log'))
    'mariadb 10.11.6'
    """
    match = _SERVER_VERSION.match(version or '')
    if not match:
        raise exceptions.InvalidVersion(
            'cannot read server version %r: expected MAJOR.MINOR.PATCH '
            'as printed by SELECT @@version' % (version,))
    text = '%s %s' % (version, comment or '')
    if 'mariadb' in text.lower():
        flavor = Flavor.MARIADB
    elif 'percona' in text.lower():
        flavor = Flavor.PERCONA
    else:
        flavor = Flavor.MYSQL
    return ServerVersion(flavor, int(match['major']), int(match['minor']),
                         int(match['patch']))


_FLAVOR_WORDS = {
    'mysql': Flavor.MYSQL,
    'percona': Flavor.PERCONA,
    'mariadb': Flavor.MARIADB,
}
#: No MySQL-family or MariaDB release before 5.x is a datastore version.
OLDEST_MAJOR = 5
_LABEL_NUMBER = re.compile(r'^(\d+)(?:\.(\d+))?(?:\.(\d+))?$')


def flavor_of_datastore(name):
    """The flavor a Trove datastore or manager name stands for.

    Trove's managers are ``mysql``, ``percona`` and ``mariadb``; operators
    name datastores freely (``MySQL``, ``mariadb-prod``), so the flavor
    word is searched case-insensitively.
    """
    found = {flavor for word, flavor in _FLAVOR_WORDS.items()
             if word in (name or '').lower()}
    if len(found) != 1:
        raise exceptions.InvalidVersion(
            'cannot tell the flavor of datastore %r: its name must contain '
            'exactly one of mysql, percona, mariadb' % (name,))
    return found.pop()


def parse_label(label, datastore=None):
    """Parse an operator's datastore version label.

    Accepts ``5.5``, ``mysql-5.5``, ``MySQL 5.6``, ``percona-5.7``,
    ``mariadb-10.4``, ``10.4-mariadb``, ``8.0``, ``8``, ``5.7.29``. The
    flavor comes from the label when it names one, otherwise from the
    ``datastore`` name. A label naming MariaDB for a MySQL datastore (or
    the reverse) is refused: one of the two is wrong.
    """
    text = (label or '').strip()
    if text[:1] in '-_' and text or text[-1:] in ('-', '_'):
        # '-1' read as 1: a typo, never a version.
        raise exceptions.InvalidVersion(
            'cannot read datastore version label %r: it starts or ends with '
            '%r' % (label, text[0] if text[:1] in '-_' else text[-1]))
    words = [w for w in re.split(r'[\s_-]+', text.lower()) if w]
    numbers = [w for w in words if _LABEL_NUMBER.match(w)]
    names = [w for w in words if w not in numbers]
    unknown = [w for w in names if w not in _FLAVOR_WORDS]
    if len(numbers) != 1 or unknown or len(names) > 1:
        raise exceptions.InvalidVersion(
            'cannot read datastore version label %r: expected a version '
            'such as 5.7, 8.0.36 or 10.11, optionally with one flavor word '
            '(mysql, percona, mariadb)%s'
            % (label, '; %r is not understood' % unknown[0] if unknown
               else ''))
    label_flavor = _FLAVOR_WORDS[names[0]] if names else None
    datastore_flavor = flavor_of_datastore(datastore) if datastore else None
    if label_flavor and datastore_flavor and (
            label_flavor.is_mysql_family != datastore_flavor.is_mysql_family):
        raise exceptions.InvalidVersion(
            'datastore version label %r names %s but datastore %r is %s'
            % (label, label_flavor, datastore, datastore_flavor))
    flavor = label_flavor or datastore_flavor
    if flavor is None:
        raise exceptions.InvalidVersion(
            'cannot tell the flavor of label %r: name the datastore '
            '(mysql, percona or mariadb)' % (label,))
    major, minor, patch = _LABEL_NUMBER.match(numbers[0]).groups()
    if int(major) < OLDEST_MAJOR:
        raise exceptions.InvalidVersion(
            'datastore version label %r: %s %s is older than any server '
            'this supports (%d.x and later)' % (label, flavor, numbers[0],
                                                OLDEST_MAJOR))
    return ServerVersion(flavor, int(major), int(minor or 0),
                         int(patch or 0), exact=patch is not None)
