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

"""cliff's own ``help`` and ``complete``, as ``trove-gtid`` commands:
usage errors are bad input, ``--json`` prints their text as a document,
and ``help`` with words that name no command exits 2.
"""

import io
import json

from cliff import complete as cliff_complete
from cliff import help as cliff_help

from trove_gtid_strategy.cmd import base
from trove_gtid_strategy import exceptions


class _TextAsJson(object):
    """A command printing text of its own; with ``--json`` (after the
    command, or before it) the text is printed as ``{KEY: TEXT}``.
    """

    json_key = None

    def get_parser(self, prog_name):
        parser = base.refuse_usage(super().get_parser(prog_name))
        parser.add_argument('--json', action='store_true',
                            help='print {"%s": TEXT} as JSON (default: '
                                 'off)' % self.json_key)
        return parser

    def take_action(self, parsed_args):
        if not (parsed_args.json or getattr(self.app.options, 'json',
                                            False)):
            return self.print_text(parsed_args)
        real, captured = self.app.stdout, io.StringIO()
        self.app.stdout = captured
        try:
            self.print_text(parsed_args)
        except SystemExit:
            # cliff's help of the application ends with an exit.
            pass
        finally:
            self.app.stdout = real
        real.write(json.dumps({self.json_key: captured.getvalue()},
                              indent=2) + '\n')
        return 0


class Help(_TextAsJson, cliff_help.HelpCommand):
    """Print the commands, or the detailed help of one command."""

    json_key = 'help'

    def print_text(self, parsed_args):
        words = parsed_args.cmd
        if len(words) > 1:
            try:
                self.app.command_manager.find_command(words)
            except ValueError:
                # One word lists the commands it begins (help gtid); more
                # words must name a command.
                words = None
        if words is not None:
            try:
                return cliff_help.HelpCommand.take_action(self, parsed_args)
            except ValueError:
                pass
        raise exceptions.InvalidInput(
            'unknown command %r: see trove-gtid help'
            % ' '.join(parsed_args.cmd))


class Complete(_TextAsJson, cliff_complete.CompleteCommand):
    """Print a shell completion script (bash by default, or --shell none)."""

    json_key = 'script'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        for action in parser._actions:
            if action.dest == 'name':
                action.help = ('the command name to complete (default: %s)'
                               % self.app.NAME)
        return parser

    def print_text(self, parsed_args):
        return cliff_complete.CompleteCommand.take_action(self, parsed_args)
