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

"""Arguments shared by the ``trove-gtid`` commands: servers, locks, and
keeping passwords out of every message.
"""

import argparse
import contextlib
import contextvars
import os
import re
import urllib.parse

from oslo_config import cfg

from trove_gtid_strategy import dsn as dsn_mod
from trove_gtid_strategy import exceptions
from trove_gtid_strategy.guest import locks
from trove_gtid_strategy.guest import service
from trove_gtid_strategy import opts
from trove_gtid_strategy.sandbox import servers as sandbox
from trove_gtid_strategy import strategy

SERVER_HELP = ('a DSN: mysql://USER@HOST:PORT?password_env=NAME (the '
               'password from that environment variable), '
               'mysql://HOST:PORT?defaults_file=PATH (user and password '
               'from the [client] group of that MySQL option file), or '
               'mysql://USER@HOST:PORT alone (the password from '
               '~/.my.cnf, if it exists); a password written in the DSN '
               '(mysql://USER:PASSWORD@..., percent-encoded) is visible '
               'to every local user while the command runs, and a '
               'warning says so; ?unix_socket=PATH connects through a '
               'socket, ?conf_dir=DIR is the directory its my.cnf '
               'includes, where its replication settings are kept; or '
               'with --sandbox a server name such as source or replica1')

#: What a command line that holds a password is told, once per run.
PASSWORD_WARNING = (
    'warning: a password written in a DSN (%s) is visible to every local '
    'user in the process list while trove-gtid runs; use '
    '?password_env=NAME, ?defaults_file=PATH (a MySQL option file) or '
    '~/.my.cnf instead')

# Where this run says that a DSN argument held a password (set by the
# application for one command: see password_warnings).
_EXPOSED = contextvars.ContextVar('trove_gtid_exposed_password',
                                  default=None)


@contextlib.contextmanager
def password_warnings(say):
    """For the commands run inside: the first DSN argument holding a
    password calls ``say`` with :data:`PASSWORD_WARNING` (once per run,
    however many DSNs hold one). A context variable, not a global: two
    runs in one process (tests, an embedding program) each warn.
    """
    said = []

    def exposed(option):
        if not said:
            said.append(option)
            say(PASSWORD_WARNING % option)

    token = _EXPOSED.set(exposed)
    try:
        yield
    finally:
        _EXPOSED.reset(token)


def add_option_flag(parser, flag, option, purpose):
    """``flag`` overriding the ``[trove_gtid_strategy]`` option ``option``
    for one command (:func:`command_options` applies it): its choices and
    their meaning come from the option's one declaration
    (:mod:`~trove_gtid_strategy.opts`); ``purpose`` says what the command
    uses it for. A boolean option is a switch that turns it on.
    """
    declared = {o.dest: o for o in opts.replication_opts}[option]
    origin = '%s from --config-file, else %s' % (option, declared.default)
    if isinstance(declared, cfg.BoolOpt):
        parser.add_argument(flag, dest=option, action='store_true',
                            default=None,
                            help='%s (default: %s)' % (purpose, origin))
        return
    choices = declared.type.choices
    if not choices:
        parser.add_argument(flag, dest=option, metavar='VALUE',
                            help='%s (default: %s)' % (purpose, origin))
        return
    parser.add_argument(
        flag, dest=option, choices=list(choices),
        help='%s: %s (default: %s)' % (
            purpose, '; '.join('%s: %s' % (value, meaning) if meaning
                               else value
                               for value, meaning in choices.items()),
            origin))


def command_options(conf, args):
    """The ``[trove_gtid_strategy]`` options of one command: ``conf``
    (the command's own ``ConfigOpts``, loaded from ``--config-file``,
    never the process-wide one) with the flags ``args`` gave
    (:func:`add_option_flag`) set over it.
    """
    for option in opts.replication_opts:
        value = getattr(args, option.dest, None)
        if value is not None:
            conf.set_override(option.dest, value, group=opts.GROUP)
    return conf[opts.GROUP]


def strategy_for(app, args, progress=True):
    """The strategy a command drives, with that command's options
    (:func:`command_options`) passed in.
    """
    command_options(app.conf, args)
    return strategy.AutoReplication(
        conf=app.conf, progress=app.progress if progress else None)


# scheme://user:PASSWORD@ up to the last @ of the word, as urlsplit reads
# it; also inside quotes (a repr in a message).
_URL_PASSWORD = re.compile(
    r'''(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@'"]*:)'''
    r'''(?P<password>[^\s'"]*)(?P<tail>@)''')


def redact(text, argv=()):
    """``text`` with the password of every URL in it shown as ``***``.

    Each ``argv`` word holding a URL is first replaced where ``text``
    quotes it (argparse quotes what it refuses, and a password may hold
    spaces or quotes no pattern can tell from the text around it).
    """
    for word in argv:
        if '://' in word and _raw_password(word):
            masked = dsn_mod.mask_password(word)
            for shown in (word, repr(word)[1:-1]):
                text = text.replace(shown, masked)
    return _URL_PASSWORD.sub(
        lambda m: m['head'] + '***' + m['tail'] if m['password']
        else m.group(0), text)


def _raw_password(text):
    """The password part of a DSN as typed (percent-encoded or not)."""
    _, sep, rest = text.partition('://')
    if not sep:
        return ''
    userinfo = rest.rpartition('@')[0]
    return userinfo.partition(':')[2]


def dsn_argument(text):
    """argparse type: a DSN, with our message (naming the bad part and
    never the password).
    """
    try:
        return parse_dsn(text)
    except exceptions.InvalidDSN as exc:
        raise argparse.ArgumentTypeError(str(exc))


def parse_dsn(text, option=None):
    """Parse a DSN; InvalidDSN without the password in its message (the
    parser quotes the DSN with its password masked, and no other piece).
    """
    try:
        parsed = dsn_mod.parse_dsn(text)
    except exceptions.InvalidDSN as exc:
        message = redact(str(exc), (text,))
        raise exceptions.InvalidDSN(
            '%s: %s' % (option, message) if option else message) from None
    exposed = _EXPOSED.get()
    if exposed is not None and urllib.parse.urlsplit(text).password:
        exposed(option or 'a DSN argument')
    return parsed


def server_argument(text, sandbox_dir, what, option=None):
    """A service for a DSN or a sandbox server name; a sandbox server
    gets its conf.d and restart hook. ``what`` names the side (source,
    replica) in messages; ``option`` the argument a bad DSN came from
    (default ``--WHAT``).
    """
    if sandbox_dir and '://' not in text:
        server = sandbox.resolve_server(sandbox_dir, text)
        return service.MySQLService(server.dsn, conf_dir=server.conf_dir,
                                    restart=server.restart,
                                    instance_id=server.name, side=what)
    target = parse_dsn(text, option or '--%s' % what)
    if sandbox_dir:
        for server in sandbox.Sandbox(sandbox_dir).servers():
            if server.port == target.port and target.host in (
                    '127.0.0.1', 'localhost'):
                return service.MySQLService(
                    target, conf_dir=server.conf_dir, restart=server.restart,
                    instance_id=server.name, side=what)
    return service.MySQLService(target, conf_dir=target.conf_dir or None,
                                side=what)


def separate_conf_dirs(named):
    """Refuse one settings directory for two servers (``named``:
    ``(side, service)`` pairs): ``!includedir`` reads every ``.cnf`` file
    there, so each server would also read the other's role, read_only and
    server_id.
    """
    seen = {}
    for side, svc in named:
        if not svc.conf_dir:
            continue
        key = os.path.realpath(svc.conf_dir)
        if key in seen:
            raise exceptions.InvalidInput(
                'the %s and the %s would share the settings directory %s: '
                'a server reads every .cnf file of a directory it includes, '
                'so each would also take the other\'s role, read_only and '
                'server_id; give each server its own directory '
                '(--source-conf-dir, --replica-conf-dir or ?conf_dir= in '
                'its DSN)' % (seen[key], side, svc.conf_dir))
        seen[key] = side


def source_and_replica(args):
    """The servers ``--source`` and ``--replica`` name (``--sandbox``
    names resolved), refused when they are one server.
    """
    source = server_argument(args.source, args.sandbox, 'source')
    replica = server_argument(args.replica, args.sandbox, 'replica')
    distinct_servers((('--source', source), ('--replica', replica)))
    return source, replica


def distinct_servers(named):
    """Refuse two arguments naming one server (``named``: ``(option,
    service)`` pairs), before any server is contacted: aliases such as
    ``localhost`` and ``127.0.0.1`` count as one, as the locks count
    them.
    """
    seen = {}
    for option, svc in named:
        key = locks.server_key(svc.dsn)
        if key in seen:
            raise exceptions.InvalidInput(
                '%s and %s name the same server (%s)'
                % (seen[key], option, svc.dsn.redacted()))
        seen[key] = option


def directory_argument(text):
    """argparse type of a directory option: not empty, and not a path
    that exists as something other than a directory.
    """
    if not text:
        raise argparse.ArgumentTypeError('an empty path')
    if os.path.lexists(text) and not os.path.isdir(text):
        raise argparse.ArgumentTypeError('%s is not a directory' % text)
    return text


def add_sandbox_option(parser):
    parser.add_argument('--sandbox', metavar='DIR', type=directory_argument,
                        help='sandbox directory: its servers can be named '
                             '(source, replica1...) and get their conf.d '
                             'and restarts (default: none, servers are '
                             'DSNs)')


def add_lock_option(parser):
    parser.add_argument('--lock-timeout', type=float, default=60,
                        metavar='SECONDS',
                        help='how long to wait for another trove-gtid run '
                             'on the same servers (default: %(default)s)')


def add_server_options(parser):
    """``--sandbox`` and ``--lock-timeout``."""
    add_sandbox_option(parser)
    add_lock_option(parser)


def check_lock_timeout(args):
    if not args.lock_timeout >= 0:
        raise exceptions.InvalidInput('--lock-timeout must be 0 or more, '
                                      'not %s' % args.lock_timeout)
