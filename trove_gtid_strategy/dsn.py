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

"""``mysql://`` connection URLs for servers outside Trove.

A DSN is ``mysql://USER[:PASSWORD]@HOST[:PORT][?unix_socket=PATH]``. User
and password are percent-encoded, so any character survives. The password
can instead come from an environment variable named with
``?password_env=NAME``, so it never appears in a process listing.
"""

import dataclasses
import os
import re
import urllib.parse

from trove_gtid_strategy import exceptions

DEFAULT_PORT = 3306


@dataclasses.dataclass(frozen=True)
class DSN:
    """Where and as whom to connect."""

    user: str
    # Never in a repr: a DSN in a log line or a traceback keeps it secret.
    password: str = dataclasses.field(default='', repr=False)
    host: str = '127.0.0.1'
    port: int = DEFAULT_PORT
    unix_socket: str = ''

    def __str__(self):
        return format_dsn(self)

    def redacted(self):
        """The URL with the password shown as ``***`` (for logs)."""
        return format_dsn(self, password_text='***')

    def connect_kwargs(self):
        """Keyword arguments for :func:`pymysql.connect`."""
        # PyMySQL encodes a str password as latin-1; servers hash the
        # UTF-8 bytes a utf8mb4 client sent in CREATE USER.
        kwargs = {'user': self.user,
                  'password': self.password.encode('utf-8')}
        if self.unix_socket:
            kwargs['unix_socket'] = self.unix_socket
        else:
            kwargs['host'] = self.host
            kwargs['port'] = self.port
        return kwargs


def format_dsn(dsn, password_text=None):
    """The URL of ``dsn``; ``password_text`` replaces a password as is."""
    quote = urllib.parse.quote
    auth = quote(dsn.user, safe='')
    if dsn.password:
        auth += ':' + (password_text or quote(dsn.password, safe=''))
    host = dsn.host
    if ':' in host:
        host = '[%s]' % host
    url = 'mysql://%s@%s:%d' % (auth, host, dsn.port)
    if dsn.unix_socket:
        url += '?' + urllib.parse.urlencode({'unix_socket': dsn.unix_socket})
    return url


def mask_password(text):
    """``text`` with the password of a ``scheme://user:password@`` part
    shown as ``***``: error messages quote what the user typed, never
    the secret in it.
    """
    return _PASSWORD_IN_URL.sub(r'\1***\2', text)


_PASSWORD_IN_URL = re.compile(r'(://[^:/@]*:).*(@)')


def _unquote(text, part, shown):
    """Percent-decode a DSN's user or password as UTF-8, refusing
    escapes that are not UTF-8 (which would arrive as U+FFFD).
    """
    try:
        return urllib.parse.unquote(text, errors='strict')
    except UnicodeDecodeError:
        raise exceptions.InvalidDSN(
            'invalid DSN %r: the %s\'s percent-escapes are not UTF-8'
            % (shown, part)) from None


def parse_dsn(text, environ=None):
    """Parse a DSN, raising :class:`InvalidDSN` naming the bad part. The
    DSN is quoted with its password masked, and no other piece of it is
    quoted: a password with an unencoded ``/`` or ``@`` would otherwise
    leak through the parts it was mistaken for.
    """
    environ = os.environ if environ is None else environ
    shown = mask_password(text) if isinstance(text, str) else text
    try:
        url = urllib.parse.urlsplit(text)
        port = url.port
    except ValueError:
        raise exceptions.InvalidDSN(
            'invalid DSN %r: bad HOST:PORT (the port must be a number from '
            '1 to 65535; percent-encode / @ : ? # in the password)' % shown)
    if port == 0:
        raise exceptions.InvalidDSN(
            'invalid DSN %r: the port must be a number from 1 to 65535'
            % shown)
    if url.fragment or '#' in text:
        raise exceptions.InvalidDSN(
            'invalid DSN %r: unexpected # (percent-encode it as %%23 in '
            'the password)' % shown)
    if url.scheme != 'mysql':
        raise exceptions.InvalidDSN(
            'invalid DSN %r: the scheme must be mysql://' % shown)
    if not url.username:
        raise exceptions.InvalidDSN(
            'invalid DSN %r: no user (expected mysql://USER@HOST:PORT)'
            % shown)
    if url.path not in ('', '/'):
        raise exceptions.InvalidDSN(
            'invalid DSN %r: unexpected text after HOST:PORT (a path; '
            'percent-encode slashes in the password)' % shown)
    query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
    unknown = sorted(set(query) - {'unix_socket', 'password_env'})
    if unknown:
        raise exceptions.InvalidDSN(
            'invalid DSN %r: unknown parameter %s (known: unix_socket, '
            'password_env)' % (shown, ', '.join(unknown)))
    password = _unquote(url.password or '', 'password', shown)
    if 'password_env' in query:
        name = query['password_env'][-1]
        if name not in environ:
            raise exceptions.InvalidDSN(
                'invalid DSN %r: environment variable %s is not set'
                % (shown, name))
        password = environ[name]
    unix_socket = query.get('unix_socket', [''])[-1]
    if not url.hostname and not unix_socket:
        raise exceptions.InvalidDSN('invalid DSN %r: no host' % shown)
    return DSN(user=_unquote(url.username, 'user', shown),
               password=password,
               host=url.hostname or 'localhost',
               port=port or DEFAULT_PORT,
               unix_socket=unix_socket)
