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

"""Who can read a source's binary log, and how exposed each account is.

An account holding REPLICATION SLAVE (REPLICATION REPLICA, ALL
PRIVILEGES) reads every row the source ever writes. The audit lists all
of them, ours and anyone's, whether the privilege is granted directly
or through a role (roles followed transitively, default or not: a role
granted can be made the default at any time), with:

* the host pattern, flagged :data:`ANY_HOST` when it admits every
  address (``'%'``, ``''``): the password alone then opens the binary
  log from anywhere on the network;
* the TLS requirement, flagged :data:`PLAINTEXT` without REQUIRE SSL,
  X509 or a cipher, issuer or subject: the server then takes the login,
  and sends the binary log, unencrypted;
* which replica uses it (:func:`attribute_sessions`,
  :func:`attribute_replica`);
* whether this project created it (:attr:`Audited.ours`): the name
  prefix, and nothing granted beyond what it grants (:data:`OURS`), so
  an operator's ``repl_admin`` with ALL PRIVILEGES is never taken for
  one of ours, and never dropped.

Where each server keeps the TLS requirement (read on MariaDB 10.11.19,
11.8.9 and MySQL 9.7): MySQL in ``mysql.user`` (``ssl_type`` ``''``,
``ANY``, ``X509``, ``SPECIFIED``); MariaDB 10.4+ in ``mysql.global_priv``,
whose ``Priv`` JSON holds ``ssl_type`` as a number (absent or 0 none, 1
SSL, 2 X509, 3 specified; the ``mysql.user`` view MariaDB keeps for old
clients maps them with ``ELT``) and ``is_role`` for roles. Grants are read
with ``SHOW GRANTS FOR``, which all three print alike for what matters
here (``GRANT privileges ON *.* TO``, ``GRANT role TO``).

Pure: rows and ``SHOW GRANTS`` lines in, decisions out; the statements
are built here with :mod:`~trove_gtid_strategy.literals`.
"""

import dataclasses
import ipaddress
import re

from trove_gtid_strategy import fencing
from trove_gtid_strategy import literals
from trove_gtid_strategy.state import text as _text
from trove_gtid_strategy.versions import Flavor

#: Global privileges with which an account reads the binary log.
READS_BINLOG = frozenset({'REPLICATION SLAVE', 'REPLICATION REPLICA',
                          'ALL PRIVILEGES', 'ALL'})
#: Everything this project grants its replication accounts (see
#: ``Dialect.create_replication_user``; REPLICATION CLIENT is BINLOG
#: MONITOR on MariaDB 10.5.2+).
OURS = frozenset({'USAGE', 'REPLICATION SLAVE', 'REPLICATION REPLICA',
                  'REPLICATION CLIENT', 'BINLOG MONITOR'})

#: Flags: the host pattern admits any address; no TLS is required.
ANY_HOST = 'any_host'
PLAINTEXT = 'plaintext'

# MariaDB's global_priv ssl_type numbers, as its mysql.user view maps them.
_MARIADB_SSL_TYPES = {'0': '', '1': 'ANY', '2': 'X509', '3': 'SPECIFIED'}
_TRUE = ('y', 'true', '1')


@dataclasses.dataclass(frozen=True)
class AccountRow:
    """One account (or role) as the server stores it."""

    user: str
    host: str
    #: ``''``, ``ANY``, ``X509`` or ``SPECIFIED`` (MySQL's words).
    ssl_type: str = ''
    cipher: str = ''
    issuer: str = ''
    subject: str = ''
    is_role: bool = False
    locked: bool = False

    @property
    def key(self):
        return (self.user, self.host)


@dataclasses.dataclass
class Grants:
    """What ``SHOW GRANTS`` lines give one account."""

    #: Global privileges, upper case.
    privileges: set = dataclasses.field(default_factory=set)
    #: Roles granted, as ``(name, host)`` (host ``''`` on MariaDB).
    roles: set = dataclasses.field(default_factory=set)
    #: Any other grant (a database, a table, PROXY, a line not read).
    other: bool = False


@dataclasses.dataclass
class Audited:
    """One account that reads the binary log, as the audit reports it."""

    name: str
    host: str
    #: The REQUIRE clause in force: NONE, SSL, X509, or the specifics.
    tls: str
    #: ``direct``, or the role the privilege comes through.
    via: str
    ours: bool
    locked: bool
    flags: list
    used_by: list = dataclasses.field(default_factory=list)


def accounts_query(version):
    """SELECT of every account and role with its TLS requirement:
    ``User, Host, ssl_type, cipher, issuer, subject, is_role, locked``.
    """
    if version.flavor is Flavor.MARIADB and version.at_least(10, 4):
        def field(name, default):
            return 'IFNULL(JSON_VALUE(Priv, %s), %s)' % (
                literals.quote('$.' + name), literals.quote(default))
        return 'SELECT User, Host, %s FROM mysql.global_priv' % ', '.join(
            field(name, default) for name, default in (
                ('ssl_type', '0'), ('ssl_cipher', ''), ('x509_issuer', ''),
                ('x509_subject', ''), ('is_role', 'false'),
                ('account_locked', 'false')))
    if version.flavor is Flavor.MARIADB:
        role = 'is_role' if version.at_least(10, 0, 5) else "'N'"
        locked = "'N'"
    else:
        role = "'N'"
        locked = ('account_locked' if version.at_least(5, 7, 6)
                  else "'N'")
    return ('SELECT User, Host, ssl_type, ssl_cipher, x509_issuer, '
            'x509_subject, %s, %s FROM mysql.user' % (role, locked))


def row_from(values, version):
    """An :class:`AccountRow` of one row of :func:`accounts_query`."""
    user, host, ssl_type, cipher, issuer, subject, role, locked = [
        _text(v) for v in values]
    if version.flavor is Flavor.MARIADB and version.at_least(10, 4):
        ssl_type = _MARIADB_SSL_TYPES.get(ssl_type, 'ssl_type ' + ssl_type)
    return AccountRow(user, host, ssl_type.upper(), cipher, issuer,
                      subject, role.lower() in _TRUE,
                      locked.lower() in _TRUE)


def show_grants(row):
    """``SHOW GRANTS FOR`` the account (a MariaDB role by its name)."""
    if row.is_role:
        return 'SHOW GRANTS FOR %s' % literals.quote(row.user)
    return 'SHOW GRANTS FOR %s@%s' % (literals.quote(row.user),
                                      literals.quote(row.host))


# A quoted or bare name in a SHOW GRANTS line.
_NAME = r"`(?:[^`]|``)*`|'(?:[^'\\]|\\.|'')*'|[^\s`',@]+"
_ROLE_ITEM = re.compile(r'\s*(?P<name>%s)(?:@(?P<host>%s))?\s*(?P<end>,|'
                        r'TO\s)' % (_NAME, _NAME), re.IGNORECASE)


def _unquote(text):
    if text and text[0] in '`\'' and text[-1] == text[0]:
        return text[1:-1].replace(text[0] * 2, text[0])
    return text or ''


def read_grants(lines):
    """The :class:`Grants` of ``SHOW GRANTS`` lines."""
    grants = Grants()
    for line in lines:
        text = line.strip()
        if not text.upper().startswith('GRANT '):
            continue   # SET DEFAULT ROLE ... (MariaDB)
        privileges = fencing.global_privileges([text])
        if privileges:
            grants.privileges |= privileges
            continue
        head = text[len('GRANT '):]
        if ' ON ' in head.upper().split(' TO ')[0]:
            grants.other = True
            continue
        roles = _roles(head)
        if roles is None:
            grants.other = True
        else:
            grants.roles |= roles
    return grants


def _roles(text):
    """The roles of ``role[, role] TO ...``; None if it does not read."""
    roles, at = set(), 0
    while True:
        match = _ROLE_ITEM.match(text, at)
        if match is None:
            return None
        roles.add((_unquote(match['name']), _unquote(match['host'])))
        if match['end'].upper().startswith('TO'):
            return roles
        at = match.end()


def tls_requirement(row):
    """The REQUIRE clause in force, without the word REQUIRE."""
    if row.ssl_type == '':
        return 'NONE'
    if row.ssl_type == 'ANY':
        return 'SSL'
    if row.ssl_type == 'SPECIFIED':
        parts = ["%s '%s'" % (word, value.replace("'", "''"))
                 for word, value in (('CIPHER', row.cipher),
                                     ('ISSUER', row.issuer),
                                     ('SUBJECT', row.subject)) if value]
        return ' AND '.join(parts) or 'SPECIFIED'
    return row.ssl_type


def flags(row):
    """What exposes the account: :data:`ANY_HOST`, :data:`PLAINTEXT`."""
    found = []
    if not row.host.strip('%'):
        found.append(ANY_HOST)
    if row.ssl_type == '':
        found.append(PLAINTEXT)
    return found


def audit(rows, grants, prefix):
    """Every account (not a role) of ``rows`` that reads the binary log,
    sorted by name and host. ``grants``: ``{row.key: Grants}``.
    """
    roles_granted = {role for g in grants.values() for role in g.roles}
    found = []
    for row in rows:
        if row.is_role or (row.key in roles_granted and row.locked):
            # A role (MySQL's are locked accounts that someone holds).
            continue
        mine = grants.get(row.key, Grants())
        via = _reads_binlog(row.key, grants)
        if via is None:
            continue
        ours = (row.user.startswith(prefix) and via == 'direct'
                and not mine.roles and not mine.other
                and mine.privileges <= OURS)
        found.append(Audited(row.user, row.host, tls_requirement(row), via,
                             ours, row.locked, flags(row)))
    return sorted(found, key=lambda a: (a.name, a.host))


def _reads_binlog(key, grants):
    """``direct``, ``role NAME`` or None: how ``key`` holds a privilege
    of :data:`READS_BINLOG` (roles of roles followed).
    """
    if grants.get(key, Grants()).privileges & READS_BINLOG:
        return 'direct'
    seen, todo = {key}, sorted(grants.get(key, Grants()).roles)
    while todo:
        role = todo.pop(0)
        if role in seen:
            continue
        seen.add(role)
        held = grants.get(role) or grants.get((role[0], ''), Grants())
        if held.privileges & READS_BINLOG:
            return 'role ' + (role[0] if not role[1]
                              else '%s@%s' % role)
        todo.extend(sorted(held.roles))
    return None


def host_matches(pattern, address):
    """Whether an account's host ``pattern`` admits ``address`` (as the
    server matches it: ``%`` and ``_`` wildcards, case-insensitive names,
    ``IP/NETMASK`` and ``IP/PREFIX``).
    """
    if not pattern.strip('%'):
        return True
    if '/' in pattern:
        try:
            return ipaddress.ip_address(address) in ipaddress.ip_network(
                pattern, strict=False)
        except ValueError:
            return False
    regex = ''.join('.*' if c == '%' else '.' if c == '_' else re.escape(c)
                    for c in pattern)
    return re.fullmatch(regex, address, re.IGNORECASE) is not None


def _specificity(pattern):
    """Sort key of host patterns, most specific (the server's choice
    among accounts of one name) highest.
    """
    if not pattern.strip('%'):
        return (0, 0 if pattern else -1)
    if '/' in pattern:
        return (2, len(pattern))
    wild = [i for i, c in enumerate(pattern) if c in '%_']
    return (3, len(pattern)) if not wild else (1, wild[0])


def session_address(host):
    """The client address of a process list ``HOST``: ``addr:port`` over
    TCP (``localhost`` alone over a socket).
    """
    address, sep, port = host.rpartition(':')
    if sep and port.isdigit():
        host = address
    return host.strip('[]')


def attribute_sessions(accounts, sessions):
    """Note on ``accounts`` the binlog dump sessions (``(user, HOST)``
    of the process list) that use each: the account of that name whose
    host pattern admits the address, the most specific one, as the
    server chose it; all of that name where none visibly does (a name
    the server resolved), so a used account is never taken for unused.
    """
    for user, host in sessions:
        named = [a for a in accounts if a.name == user]
        address = session_address(host)
        admitting = [a for a in named if host_matches(a.host, address)]
        if admitting:
            named = [max(admitting, key=lambda a: _specificity(a.host))]
        for account in named:
            account.used_by.append('connected from %s' % address)


def attribute_replica(accounts, user, replica):
    """Note that ``replica`` (its name) replicates as ``user``: every
    account of that name, since the address it connects from is the
    source's to see.
    """
    for account in accounts:
        if account.name == user:
            account.used_by.append(replica)
