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

"""Base classes of the ``trove-gtid`` commands (see the package docstring).

They add to cliff's ``Command``, ``ShowOne`` and ``Lister``:

* argparse usage errors raise :class:`UsageError` (exit 2, reported like
  any bad input, as JSON with ``--json``) instead of exiting;
* ``--json`` after the command (the same as ``-f json``), and the
  application's ``--json`` before it;
* ``-c`` names checked before the command runs, so a typo never comes
  after the work was done;
* results given as dicts (:meth:`ShowOne.one`, :meth:`Lister.rows`):
  lists shown one per line in tables and as lists in JSON and YAML;
* a Lister may print a JSON/YAML document around its rows
  (``document_key``), so existing JSON keeps its shape;
* an exit status other than 0 for a "no" answer (``exit_status``).
"""

import argparse
import enum
import json
import textwrap

from cliff import _argparse
from cliff import columns as cliff_columns
from cliff import lister
from cliff import show

from trove_gtid_strategy import exceptions

#: Formats that print documents: errors are printed in them too.
MACHINE_FORMATS = ('json', 'yaml')


class UsageError(exceptions.InvalidInput):
    """A command line argparse refused (exit 2)."""

    def __init__(self, message, parser=None):
        super().__init__(message)
        self.parser = parser


class HelpFormatter(_argparse.SmartHelpFormatter):
    """cliff's, without breaking words at hyphens (paths, option names)."""

    def _split_lines(self, text, width):
        lines = []
        for line in text.splitlines() if '\n' in text else [text]:
            lines.extend(textwrap.wrap(' '.join(line.split()), width,
                                       break_on_hyphens=False) or [''])
        return lines

    def _fill_text(self, text, width, indent):
        return textwrap.fill(' '.join(text.split()), width,
                             initial_indent=indent, subsequent_indent=indent,
                             break_on_hyphens=False)


def refuse_usage(parser):
    """Make ``parser`` raise :class:`UsageError` instead of exiting, and
    wrap its help without breaking words at hyphens.
    """
    def error(message):
        raise UsageError(message, parser)
    parser.error = error
    parser.formatter_class = HelpFormatter
    return parser


def plain(value):
    """``value`` as JSON/YAML-safe plain data (str enums become str)."""
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    return str(value)


def human(value):
    """One value as a table or ``-f value`` shows it: text as it is,
    a nested mapping or list as JSON (never a Python repr).
    """
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return str(value)


class ListColumn(cliff_columns.FormattableColumn):
    """A list: one item per line in a table, a list in JSON and YAML."""

    separator = '\n'

    def human_readable(self):
        return self.separator.join(human(v) for v in self._value)


class CommaListColumn(ListColumn):
    """A short list: items separated by commas in a table."""

    separator = ', '


class DictColumn(cliff_columns.FormattableColumn):
    """A mapping: ``key: value`` lines in a table."""

    def human_readable(self):
        return '\n'.join('%s: %s' % (k, human(v))
                         for k, v in self._value.items())


class WordColumn(cliff_columns.FormattableColumn):
    """A value shown as a word in a table (``running``/``stopped``)."""

    def __init__(self, value, word):
        super().__init__(value)
        self.word = word

    def human_readable(self):
        return self.word


def cell(value):
    """A result value as cliff shows it."""
    value = value if isinstance(value, cliff_columns.FormattableColumn) \
        else plain(value)
    if isinstance(value, list):
        return ListColumn(value)
    if isinstance(value, dict):
        return DictColumn(value)
    return value


def machine(value):
    if isinstance(value, cliff_columns.FormattableColumn):
        return value.machine_readable()
    return value


class _Base(object):
    """What every trove-gtid command shares."""

    def __init__(self, app, app_args, cmd_name=None):
        super().__init__(app, app_args, cmd_name=cmd_name)
        #: 1 for a "no" answer (the result is still printed).
        self.exit_status = 0
        #: A dict printed with ``--json`` when the command then fails.
        self.partial = None
        self.parsed_args = None

    def get_parser(self, prog_name):
        return refuse_usage(super().get_parser(prog_name))


def _say_default(action):
    """Add the default to the help of cliff's formatter options."""
    if not action.help or action.help == argparse.SUPPRESS or \
            'default' in action.help or not action.option_strings or \
            action.dest == 'help':
        return
    if action.nargs == 0:
        shown = 'off'
    elif action.dest == 'columns':
        shown = 'all of them'
    elif action.default in (None, '', []):
        shown = 'none'
    else:
        shown = action.default
    action.help = '%s (default: %s)' % (action.help.rstrip('.'), shown)


def formats_asked(argv):
    """The output formats a command's arguments name (``--json``, ``-f
    X``, ``-fX``, ``--format X``, ``--format=X``).
    """
    asked = set()
    for i, arg in enumerate(argv):
        if arg == '--json':
            asked.add('json')
        elif arg in ('-f', '--format') and i + 1 < len(argv):
            asked.add(argv[i + 1])
        elif arg.startswith('--format='):
            asked.add(arg.partition('=')[2])
        elif arg.startswith('-f') and len(arg) > 2 and \
                not arg.startswith('--'):
            asked.add(arg[2:])
    return asked


class _Display(_Base):
    """Formatter options, ``--json``, checked ``-c``, footers."""

    #: The keys of the result, in order: what ``-c`` may name.
    columns = ()
    #: The default ``-f`` (cliff's: table).
    default_format = 'table'

    @property
    def formatter_default(self):
        return self.default_format

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        self._formatter_group.add_argument(
            '--json', dest='formatter', action='store_const', const='json',
            help='print JSON, the same as -f json; also accepted before the '
                 'command (default: off)')
        for action in parser._actions:
            _say_default(action)
        return parser

    def run(self, parsed_args):
        asked = formats_asked(getattr(self.app, 'command_argv', []))
        if getattr(self.app_args, 'json', False):
            asked.add('json')
            parsed_args.formatter = 'json'
        if len(asked) > 1:
            raise exceptions.InvalidInput(
                'conflicting output formats: %s (give one)'
                % ', '.join(sorted(asked)))
        self.parsed_args = parsed_args
        self.footer = []
        if parsed_args.columns and self.columns:
            # Checked before the command runs: every name, not only one
            # (cliff refuses only when none matches).
            unknown = [c for c in parsed_args.columns
                       if c not in self.columns]
            if unknown:
                raise exceptions.InvalidInput(
                    'no column %s: the columns are %s' % (
                        ', '.join(repr(c) for c in unknown),
                        ', '.join(self.columns)))
        status = super().run(parsed_args)
        self._print_footer(parsed_args)
        return status or self.exit_status

    def _generate_columns_and_selector(self, parsed_args, column_names):
        try:
            return super()._generate_columns_and_selector(parsed_args,
                                                          column_names)
        except ValueError:
            raise exceptions.InvalidInput(
                'no column %s: the columns are %s' % (
                    ', '.join(repr(c) for c in parsed_args.columns),
                    ', '.join(column_names)))

    def _print_footer(self, parsed_args):
        """Notes for people: after a table, or on stderr beside values;
        machine formats carry them as fields.
        """
        if not self.footer or parsed_args.formatter in MACHINE_FORMATS:
            return
        stream = (self.app.stdout if parsed_args.formatter == 'table'
                  else self.app.stderr)
        for line in self.footer:
            stream.write(line + '\n')

    def _names(self, data):
        return list(self.columns) + [k for k in data if k not in self.columns]


class ShowOne(_Display, show.ShowOne):
    """One result: field/value rows in a table, an object in JSON.

    ``self.text``, when a command sets it, is printed instead of the
    field/value table (the default format, without ``-c``): a report
    written for people; every other format prints the fields.
    """

    text = None

    def produce_output(self, parsed_args, column_names, data):
        if self.text is not None and parsed_args.formatter == 'table' \
                and not parsed_args.columns:
            self.app.stdout.write(self.text.rstrip('\n') + '\n')
            return 0
        return super().produce_output(parsed_args, column_names, data)

    def one(self, data):
        """``(columns, values)`` of a result dict, for take_action."""
        names = self._names(data)
        return names, [cell(data.get(name)) for name in names]


class _Collector(object):
    """Stands in for a list formatter to catch the selected, sorted rows."""

    def emit_list(self, column_names, data, stdout, parsed_args):
        self.names = list(column_names)
        self.rows = [list(row) for row in data]


class Lister(_Display, lister.Lister):
    """A table of results; JSON and YAML print a list of objects, or with
    ``document_key`` the object ``{**document, document_key: [rows]}``.
    """

    document_key = None
    #: Printed instead of an empty table.
    empty_message = None

    def __init__(self, app, app_args, cmd_name=None):
        super().__init__(app, app_args, cmd_name=cmd_name)
        self.document = {}

    def rows(self, items):
        """``(columns, rows)`` of a list of result dicts, for take_action."""
        names = list(self.columns)
        for item in items:
            names += [k for k in item if k not in names]
        return names, [[cell(item.get(name)) for name in names]
                       for item in items]

    def produce_output(self, parsed_args, column_names, data):
        data = list(data)
        if not data and self.empty_message and \
                parsed_args.formatter not in MACHINE_FORMATS:
            stream = (self.app.stdout if parsed_args.formatter == 'table'
                      else self.app.stderr)
            stream.write(self.empty_message + '\n')
            return 0
        if not (self.document_key and
                parsed_args.formatter in MACHINE_FORMATS):
            return super().produce_output(parsed_args, column_names, data)
        real, collector = self.formatter, _Collector()
        self.formatter = collector
        try:
            super().produce_output(parsed_args, column_names, data)
        finally:
            self.formatter = real
        rows = [{name: machine(value)
                 for name, value in zip(collector.names, row)}
                for row in collector.rows]
        document = dict(plain(self.document), **{self.document_key: rows})
        real.emit_one(list(document), list(document.values()),
                      self.app.stdout, parsed_args)
        return 0
