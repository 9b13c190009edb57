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

A DSN is ``mysql://USER[:PASSWORD]@HOST[:PORT][?PARAMETERS]``. User
and password are percent-encoded, so any character survives. Parameters:

* ``password_env=NAME``: the password from that environment variable, so
  it never appears in a process listing;
* ``defaults_file=PATH``: a MySQL option file, read as the mysql client
  reads it (:mod:`~trove_gtid_strategy.option_file`): the ``user``,
  ``password``, ``host``, ``port`` and ``socket`` of its ``[client]``
  and ``[trove-gtid]`` groups (a later line wins, as in the client).
  What the URL itself gives wins over the file; the file's host or
  socket is used only when the URL names neither, so a URL's
  ``HOST:PORT`` always means TCP to that port;
* ``unix_socket=PATH``: connect over that socket instead of TCP;
* ``conf_dir=PATH``: the directory the server's ``my.cnf`` includes
  (``!includedir``), where the replication settings go, so that every
  operation changing the server's role rewrites them and a restart keeps
  the role (default: none, and what a restart would need is reported).

Without a password in the URL, ``password_env`` or ``defaults_file``,
the ``[client]`` and ``[trove-gtid]`` groups of ``$HOME/.my.cnf`` are
read the same way when that file exists, as the mysql client reads it.
A file that is missing (when named), unreadable, world-writable or
malformed is bad input naming the DSN (password masked) and the file.
"""

import dataclasses
import os
import re
import urllib.parse

from trove_gtid_strategy import exceptions
from trove_gtid_strategy import option_file

DEFAULT_PORT = 3306
#: The option-file groups a DSN reads: every client's, then ours.
OPTION_GROUPS = ('client', 'trove-gtid')


@dataclasses.dataclass(frozen=True)
class DSN:
    """Where and as whom to connect."""

    user: str
    # Never in a repr: a DSN in a log line or a traceback keeps it secret.
    password: str = dataclasses.field(default='', repr=False)
    host: str = '127.0.0.1'
    port: int = DEFAULT_PORT
    unix_socket: str = ''
    #: Where the server's replication settings files go (not a connection
    #: parameter: see the module docstring).
    conf_dir: str = dataclasses.field(default='', compare=False)

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
    params = {name: value for name, value in (
        ('unix_socket', dsn.unix_socket), ('conf_dir', dsn.conf_dir))
        if value}
    if params:
        url += '?' + urllib.parse.urlencode(params)
    return url


def mask_password(text):
    """``text`` with the password of a ``scheme://user:password@`` part
    shown as ``***``: error messages quote what the user typed, never
    the secret in it.
    """
    return _PASSWORD_IN_URL.sub(r'\1***\2', text)


_PASSWORD_IN_URL = re.compile(r'(://[^:/@]*:).*(@)')


_BAD_ESCAPE = re.compile(r'%(?![0-9A-Fa-f]{2})')
_PARAMETERS = ('unix_socket', 'password_env', 'defaults_file', 'conf_dir')


def _unquote(text, part, shown):
    """Percent-decode a DSN's user or password as UTF-8, refusing
    escapes that are not UTF-8 (which would arrive as U+FFFD) and a
    ``%`` that starts no escape (which would arrive as typed).
    """
    if _BAD_ESCAPE.search(text):
        raise exceptions.InvalidDSN(
            'invalid DSN %r: the %s has a %% that is not a %%XX escape '
            '(write %% as %%25)' % (shown, part))
    try:
        return urllib.parse.unquote(text, errors='strict')
    except UnicodeDecodeError:
        raise exceptions.InvalidDSN(
            'invalid DSN %r: the %s\'s percent-escapes are not UTF-8'
            % (shown, part)) from None


def _check_host(host, shown):
    """A host name whose labels a resolver takes (1-63 characters each,
    253 in all), or an address: anything else is bad input, not a
    resolver's error later.
    """
    if ':' in host:   # an IPv6 address; urlsplit checked its brackets
        return
    labels = host.rstrip('.').split('.')
    if len(host) > 253 or not all(0 < len(label) <= 63 for label in labels):
        raise exceptions.InvalidDSN(
            'invalid DSN %r: the host is not a valid name (each dot-'
            'separated label 1 to 63 characters, 253 in all)' % shown)
    try:
        host.encode('idna')
    except UnicodeError:
        raise exceptions.InvalidDSN(
            'invalid DSN %r: the host is not a valid name' % shown) from None


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
    if url.path not in ('', '/'):
        raise exceptions.InvalidDSN(
            'invalid DSN %r: unexpected text after HOST:PORT (a path; '
            'percent-encode slashes in the password)' % shown)
    query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
    unknown = sorted(set(query) - set(_PARAMETERS))
    if unknown:
        raise exceptions.InvalidDSN(
            'invalid DSN %r: unknown parameter %s (known: %s)'
            % (shown, ', '.join(unknown), ', '.join(_PARAMETERS)))
    for name, values in sorted(query.items()):
        if not values[-1]:
            raise exceptions.InvalidDSN(
                'invalid DSN %r: ?%s= is empty' % (shown, name))
    options = _option_file(url, query, environ, shown)
    user = (_unquote(url.username, 'user', shown) if url.username
            else options.get('user', ''))
    if not user:
        raise exceptions.InvalidDSN(
            'invalid DSN %r: no user (expected mysql://USER@HOST:PORT, or '
            'user= in its option file)' % shown)
    password = _unquote(url.password or '', 'password', shown)
    if 'password_env' in query:
        name = query['password_env'][-1]
        if name not in environ:
            raise exceptions.InvalidDSN(
                'invalid DSN %r: environment variable %s is not set'
                % (shown, name))
        password = environ[name]
    elif url.password is None and 'password' in options:
        password = options['password']
    host, unix_socket = url.hostname, query.get('unix_socket', [''])[-1]
    if not host and not unix_socket:
        # The file's address only where the URL names none: a URL's
        # HOST:PORT is TCP to that port whatever the file's socket says.
        host, unix_socket = _file_address(options)
    if not host and not unix_socket:
        raise exceptions.InvalidDSN('invalid DSN %r: no host' % shown)
    if host:
        _check_host(host, shown)
    conf_dir = query.get('conf_dir', [''])[-1]
    if conf_dir and os.path.lexists(conf_dir) and \
            not os.path.isdir(conf_dir):
        raise exceptions.InvalidDSN(
            'invalid DSN %r: ?conf_dir=%s is not a directory'
            % (shown, conf_dir))
    return DSN(user=user, password=password, host=host or 'localhost',
               port=port or _file_port(options, shown),
               unix_socket=unix_socket, conf_dir=conf_dir)


def _option_file(url, query, environ, shown):
    """The options of ``?defaults_file=``, else of ``$HOME/.my.cnf``
    when it exists and the DSN gives no password at all (the mysql
    client's order); ``{}`` when none is read.
    """
    named = query.get('defaults_file', [''])[-1]
    if named:
        path = named
    elif url.password is not None or 'password_env' in query or \
            not environ.get('HOME'):
        return {}
    else:
        path = os.path.join(environ['HOME'], '.my.cnf')
        if not os.path.exists(path):
            return {}
    try:
        return option_file.read(path, OPTION_GROUPS)
    except option_file.OptionFileError as exc:
        raise exceptions.InvalidDSN('invalid DSN %r: %s%s' % (
            shown, '' if named else '~/.my.cnf: ', exc)) from None


def _file_address(options):
    """``(host, socket)`` from an option file, as the client picks: a
    host other than localhost is TCP; else the socket, if any.
    """
    host = options.get('host', '')
    if host and host != 'localhost':
        return host, ''
    if options.get('socket'):
        return '', options['socket']
    return host, ''


def _file_port(options, shown):
    text = options.get('port')
    if text is None:
        return DEFAULT_PORT
    if not (text.isascii() and text.isdigit() and 0 < int(text) < 65536):
        raise exceptions.InvalidDSN(
            'invalid DSN %r: the option file\'s port must be a number '
            'from 1 to 65535' % shown)
    return int(text)
