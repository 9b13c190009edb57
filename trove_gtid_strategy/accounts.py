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

"""Replication accounts: their names, passwords and password hashes.

One account per replica, holding only the replication privileges. Its
name is derived from the replica (``repl_`` and a digest of what
identifies it), so a repeated attach of the same replica finds and
reuses its account instead of leaving one more behind; the password is
new on every attach. Names are checked before anything is created: the
replication I/O thread sends the account name in the replica's
``character_set_server`` (latin1 by default; MariaDB 11.8 sends none at
all), where non-ASCII names arrive mangled and the login is refused, so
such names are refused up front.

Pure: no server is contacted here.
"""

import hashlib
import secrets
import string

from trove_gtid_strategy import exceptions

#: Replication passwords: 32 letters and digits. MySQL 5.5 to 5.7 cut
#: ``MASTER_PASSWORD`` at 32 characters.
PASSWORD_LENGTH = 32
_PASSWORD_ALPHABET = string.ascii_letters + string.digits
# Printable ASCII. Quotes, backslashes and colons are fine: every
# literal is escaped for the server and for SQLAlchemy text().
_NAME_CHARACTERS = frozenset(chr(c) for c in range(0x20, 0x7f))


def check_user_name(name, caps=None, what='replication user name'):
    """Return ``name`` if every server path can carry it, else raise
    :class:`~trove_gtid_strategy.exceptions.InvalidInput` naming why.

    ``caps`` (the server's) bounds the length.
    """
    if not isinstance(name, str) or not name:
        raise exceptions.InvalidInput('%s is empty' % what)
    bad = sorted(set(name) - _NAME_CHARACTERS)
    if bad:
        raise exceptions.InvalidInput(
            '%s %r contains %s: use printable ASCII characters (the '
            'replication connection cannot log in with others)'
            % (what, name, ', '.join(repr(c) for c in bad)))
    limit = caps.max_user_name_length if caps is not None else 80
    if len(name) > limit:
        raise exceptions.InvalidInput(
            '%s %r is %d characters long; %s allows %d'
            % (what, name, len(name),
               caps.version if caps is not None else 'a server', limit))
    return name


def check_password(password, caps=None):
    """Return ``password`` if it fits ``MASTER_PASSWORD`` on the server of
    ``caps``, else raise InvalidInput (never quoting the password).
    """
    if not isinstance(password, str):
        raise exceptions.InvalidInput('replication password must be text')
    if '\0' in password:
        raise exceptions.InvalidInput('replication password contains NUL')
    limit = caps.max_replication_password_length if caps else 96
    size = len(password.encode('utf-8'))
    if size > limit:
        raise exceptions.InvalidInput(
            'replication password is %d bytes long in UTF-8; %s takes at '
            'most %d' % (size, caps.version if caps else 'a server', limit))
    return password


def account_name(prefix, identity, caps):
    """The account name of the replica known by ``identity``.

    The same identity gives the same name in every process (SHA-256, not
    ``hash()``); ``identity`` None gives a random one. The name fits the
    server's limit: the digest is shortened, never the prefix.
    """
    check_user_name(prefix + 'x', caps, 'replication_user_prefix')
    room = caps.max_user_name_length - len(prefix)
    if room < 8:
        raise exceptions.InvalidInput(
            'replication_user_prefix %r leaves %d characters for the '
            'replica\'s digest on %s; shorten it' % (prefix, room,
                                                     caps.version))
    if identity is None:
        digest = secrets.token_hex(16)
    else:
        digest = hashlib.sha256(str(identity).encode('utf-8')).hexdigest()
    return prefix + digest[:min(room, 16)]


#: An account's TLS requirement: what ``REQUIRE`` says.
REQUIRE_NONE = 'NONE'
REQUIRE_SSL = 'SSL'
REQUIRE_X509 = 'X509'

#: The host pattern that admits every address: only when asked for by
#: name (``replication_account_host = %``).
ANY_HOST = '%'

# Longest Host the servers store: 255 in MySQL 8.0.17+ and MariaDB 10.x
# (mysql.user Host char(255)); 60 before (MySQL 5.x).
_MAX_HOST = 255


def check_host_pattern(host, what='replication_account_host'):
    """Return ``host`` if it is an account host pattern (an address, a
    name, or a pattern with ``%`` / ``_``, netmask form ``a.b.c.d/m.m.m.m``
    included), else raise
    :class:`~trove_gtid_strategy.exceptions.InvalidInput` naming it.
    """
    if not isinstance(host, str) or not host.strip():
        raise exceptions.InvalidInput('%s is empty' % what)
    bad = sorted(c for c in set(host)
                 if c not in _NAME_CHARACTERS or c in ' @\'"`')
    if bad:
        raise exceptions.InvalidInput(
            '%s %r contains %s: give an address, a host name or a '
            'pattern such as 10.0.0.%%' % (
                what, host, ', '.join(repr(c) for c in bad)))
    if len(host) > _MAX_HOST:
        raise exceptions.InvalidInput('%s is %d characters long; at most '
                                      '%d' % (what, len(host), _MAX_HOST))
    return host


def tls_requirement(tls):
    """``REQUIRE`` for a replication account whose replica connects with
    ``tls`` (a :class:`~trove_gtid_strategy.dialect.Tls`): encryption
    when it encrypts, a client certificate (``X509``) when it presents
    one, else nothing.
    """
    if not tls.enabled:
        return REQUIRE_NONE
    return REQUIRE_X509 if tls.cert else REQUIRE_SSL


def new_password():
    """A strong random password that needs no escaping anywhere."""
    return ''.join(secrets.choice(_PASSWORD_ALPHABET)
                   for _ in range(PASSWORD_LENGTH))


def native_password_hash(password):
    """``mysql_native_password``'s stored form: ``*`` and the upper-case
    hex of SHA1(SHA1(password)), computed here so the password itself is
    never sent in a statement the server writes to its binary log.
    """
    inner = hashlib.sha1(password.encode('utf-8')).digest()
    return '*' + hashlib.sha1(inner).hexdigest().upper()
