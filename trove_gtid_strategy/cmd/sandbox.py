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

"""``trove-gtid sandbox up|status|down``: local servers to try it on."""

import os
import tempfile

from trove_gtid_strategy.cmd import args as cli_args
from trove_gtid_strategy.cmd import base
from trove_gtid_strategy import exceptions
from trove_gtid_strategy.sandbox import lines
from trove_gtid_strategy.sandbox import servers as sandbox

DEFAULT_BASE_DIR = os.path.join(tempfile.gettempdir(), 'trove-gtid-sandbox')


def add_base_dir(parser):
    parser.add_argument('--base-dir', metavar='DIR',
                        default=DEFAULT_BASE_DIR,
                        type=cli_args.directory_argument,
                        help='the sandbox directory (default: %s)'
                             % DEFAULT_BASE_DIR)


def replica_count(text):
    """``--replicas``: None when not given; InvalidInput unless
    0 <= N <= sandbox.MAX_REPLICAS (the bad value quoted short).
    """
    if text is None:
        return None
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= sandbox.MAX_REPLICAS:
        raise exceptions.InvalidInput(
            '--replicas must be a whole number from 0 to %d, not %.40r'
            % (sandbox.MAX_REPLICAS, text))
    return value


def password_note(box):
    return ('admin password: in %s (mode 0600, key "admin_password")'
            % box.state_file)


class SandboxUp(base.Lister):
    """Start a source and N replicas (or the stopped servers of a sandbox).

    Creates the sandbox: a source and N replicas on 127.0.0.1, each a
    server process of a server line with its own datadir under
    --base-dir. On an existing sandbox it starts the stopped servers on
    their ports with their data; the sandbox keeps its server lines and
    replica count, and asking for others is refused. A directory that
    holds anything else is refused. Server lines from Debian roots are
    built by tools/provision-server-lines (as root). Passwords are never
    printed: the admin password is in the mode-0600 sandbox.json.
    """

    columns = ('name', 'line', 'port', 'pid', 'dsn')
    document_key = 'servers'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        known = ', '.join(lines.names())
        parser.add_argument(
            '--server', metavar='NAME',
            help='server line of the source, and of the replicas unless '
                 '--replica-server is given: one of %s (default: %s for a '
                 'new sandbox, the existing sandbox\'s line otherwise)'
                 % (known, lines.DEFAULT_LINE))
        parser.add_argument('--replica-server', metavar='NAME',
                            help='server line of the replicas (default: the '
                                 'source\'s)')
        parser.add_argument('--replicas', metavar='N',
                            help='number of replicas, at most %d (default: '
                                 '%d for a new sandbox, the existing count '
                                 'otherwise)' % (sandbox.MAX_REPLICAS,
                                                 sandbox.DEFAULT_REPLICAS))
        parser.add_argument('--mysqld', metavar='PATH',
                            help='a server binary on this host instead of a '
                                 'server line (default: none)')
        add_base_dir(parser)
        return parser

    def take_action(self, args):
        replicas = replica_count(args.replicas)
        box = sandbox.Sandbox(args.base_dir, mysqld=args.mysqld,
                              server=args.server,
                              replica_server=args.replica_server)
        started = box.up(replicas)
        self.document = {'base_dir': box.base_dir,
                         'state_file': box.state_file}
        self.footer = [password_note(box)]
        return self.rows([{'name': s.name, 'line': s.line.name,
                           'port': s.port, 'pid': s.pid,
                           'dsn': s.dsn.redacted()} for s in started])


class SandboxStatus(base.Lister):
    """Show the sandbox servers, their lines, versions and state.

    Exit status 1 when there is no sandbox in --base-dir (with --json or
    -f yaml: a document with its error and kind).
    """

    columns = ('name', 'line', 'running', 'version', 'port', 'pid',
               'server_id', 'dsn', 'datadir')

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        add_base_dir(parser)
        return parser

    def take_action(self, args):
        box = sandbox.Sandbox(args.base_dir)
        found = box.status()
        if found:
            self.footer = [password_note(box)]
        elif args.formatter in base.MACHINE_FORMATS:
            raise exceptions.SandboxError('no sandbox in %s' % box.base_dir)
        else:
            self.empty_message = 'no sandbox in %s' % box.base_dir
            self.exit_status = 1
        for row in found:
            row['running'] = base.WordColumn(
                row['running'], 'running' if row['running'] else 'stopped')
        return self.rows(found)


class SandboxDown(base.ShowOne):
    """Stop the sandbox servers (data kept, unless --remove)."""

    columns = ('stopped', 'removed')

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--remove', action='store_true',
                            help='also delete what the sandbox created: '
                                 'server directories with their data, its '
                                 'template cache, its state (default: keep '
                                 'them)')
        add_base_dir(parser)
        return parser

    def take_action(self, args):
        box = sandbox.Sandbox(args.base_dir)
        if not box.exists():
            self.footer = ['no sandbox in %s: nothing to do' % box.base_dir]
            return self.one({'stopped': None, 'removed': False})
        box.down(remove=args.remove)
        self.footer = ['%s %s' % ('removed' if args.remove
                                  else 'stopped (data kept)', box.base_dir)]
        return self.one({'stopped': box.base_dir, 'removed': args.remove})
