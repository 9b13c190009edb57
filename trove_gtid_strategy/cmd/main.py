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

"""``trove-gtid``: the strategy outside Trove, for operators and DBAs.

A cliff application: the commands are entry points in the
``trove_gtid.cli`` namespace (see the package docstring).

Exit status: 0 success, 1 a refused or failed operation (pre-check,
replication error, sandbox failure), 2 bad input (a label, a DSN, a GTID
set, a seed file, a mode the server cannot run, a command line argparse
refuses), 130 interrupted, 141 output pipe closed. Errors go to stderr as
one line naming the bad part, or the side, the address and the server's
own message; with ``--json`` as a JSON document (``error`` and ``kind``)
on stdout. Passwords are masked in every message. ``--debug`` logs every
statement sent, with passwords masked, and shows the traceback of an
unexpected error (a bug); nothing a user can cause shows a traceback.
"""

import itertools
import json
import logging as std_logging
import os
import sys
import traceback

from cliff import _argparse
from cliff import app
from cliff import commandmanager
from cliff import help as cliff_help
from oslo_config import cfg
from oslo_log import log as logging

from trove_gtid_strategy.cmd import args as cli_args
from trove_gtid_strategy.cmd import base
from trove_gtid_strategy.cmd import failures
from trove_gtid_strategy.cmd import help_commands
from trove_gtid_strategy.cmd import settings
from trove_gtid_strategy import opts

LOG = logging.getLogger(__name__)

#: The entry-point namespace of the commands.
NAMESPACE = 'trove_gtid.cli'
NAME = 'trove-gtid'
DESCRIPTION = ('Replication between MySQL, Percona and MariaDB servers '
               'outside Trove: attach, detach, accounts, plan, GTID '
               'algebra, and a local sandbox to try it on. Exit status 0 '
               'done, 1 refused or failed, 2 bad input.')
SIGINT_EXIT, SIGPIPE_EXIT = 130, 141

# Options of the application (before the command) that take a value.
_GLOBAL_WITH_VALUE = ('--config-file', '--log-file')


def split_global(argv):
    """``(application options, command and its arguments)``: the
    application's options are those before the command's first word, so
    a command's own ``--version`` (plan) is never the application's.
    """
    i = 0
    while i < len(argv):
        arg = argv[i]
        if not arg.startswith('-') or arg == '-':
            break
        i += 2 if arg in _GLOBAL_WITH_VALUE else 1
    return list(argv[:i]), list(argv[i:])


def _version():
    try:
        import pbr.version
        return pbr.version.VersionInfo(
            'trove-gtid-strategy').version_string()
    except Exception:  # not installed: the version is unknown
        return 'unknown'


class TroveGtidApp(app.App):
    """The ``trove-gtid`` cliff application."""

    NAME = NAME
    LOG = std_logging.getLogger(__name__)

    def __init__(self, stdout=None, stderr=None):
        super().__init__(
            description=DESCRIPTION, version=_version(),
            command_manager=commandmanager.CommandManager(NAMESPACE),
            stdout=stdout, stderr=stderr)
        self.command_manager.add_command('help', help_commands.Help)
        self.command_manager.add_command('complete', help_commands.Complete)
        self.options = None
        self.command = None
        self.command_argv = []
        #: This run's options: ``--config-file`` and, over them, the
        #: command's flags. Its own object, passed to what it runs; the
        #: process-wide ``cfg.CONF`` is left alone (an embedding program
        #: or Trove's guest owns it).
        self.conf = cfg.ConfigOpts()
        opts.register_opts(self.conf)
        logging.register_options(self.conf)

    def build_option_parser(self, description, version,
                            argparse_kwargs=None):
        parser = _argparse.ArgumentParser(
            prog=self.NAME, description=description, add_help=False,
            allow_abbrev=False,
            formatter_class=_argparse.SmartHelpFormatter)
        base.refuse_usage(parser)
        parser.add_argument('--version', action='version',
                            version='%s %s' % (self.NAME, version),
                            help='print the version of trove-gtid and exit')
        verbosity = parser.add_mutually_exclusive_group()
        verbosity.add_argument(
            '-v', '--verbose', action='count', dest='verbose_level',
            default=1,
            help='more log output on stderr: -v what is done, -vv every '
                 'statement (default: warnings only)')
        verbosity.add_argument(
            '-q', '--quiet', action='store_const', dest='verbose_level',
            const=0,
            help='no progress lines and no warning of a password written '
                 'in a DSN: only results, errors and logged warnings '
                 '(default: progress lines on stderr)')
        parser.add_argument('--log-file', metavar='PATH',
                            help='write the log to PATH instead of stderr '
                                 '(default: none)')
        parser.add_argument('-h', '--help', action=cliff_help.HelpAction,
                            nargs=0, default=self,
                            help='show this help with the commands, and '
                                 'exit')
        parser.add_argument('--debug', action='store_true',
                            help='log every statement sent, passwords '
                                 'masked, and show the traceback of an '
                                 'unexpected error (default: off)')
        parser.add_argument('--config-file', action='append', default=[],
                            metavar='PATH',
                            help='oslo.config file with a '
                                 '[trove_gtid_strategy] section: '
                                 'replication_mode, allow_crash_unsafe_binlog '
                                 'and the other options (repeatable; '
                                 'default: none)')
        parser.add_argument('--json', action='store_true',
                            help='print results and errors as JSON, as the '
                                 'command\'s --json or -f json (default: '
                                 'off)')
        return parser

    # -- running ---------------------------------------------------------

    def run(self, argv):
        self.argv = list(argv)
        try:
            try:
                head, tail = split_global(self.argv)
                self.options = self.parser.parse_args(head)
                self.configure_logging()
                self.interactive_mode = False
                if not tail:
                    raise base.UsageError('no command given: see '
                                          'trove-gtid help', self.parser)
                status = self.run_subcommand(tail)
            except SystemExit as exc:
                # --help, --version, help: done (argparse exits).
                status = exc.code if isinstance(exc.code, int) else 0
            self._flush()
            return status
        except BrokenPipeError:
            return self._broken_pipe()
        except KeyboardInterrupt:
            return self._interrupted()
        except Exception as exc:
            try:
                status = self.report_failure(exc)
                self._flush()
                return status
            except BrokenPipeError:
                return self._broken_pipe()

    def configure_logging(self):
        """oslo.log as the guest agent has it, on stderr (stdout carries
        results), with the verbosity of -v, -q and --debug.
        """
        given = self.options
        settings.load_config(self.conf, given.config_file, NAME)
        settings.check_log_file(given.log_file)
        self.conf.set_override('debug', given.debug)
        self.conf.set_override('use_stderr', not given.log_file)
        if given.log_file:
            self.conf.set_override('log_file', given.log_file)
        logging.setup(self.conf, NAME)
        sys.excepthook = sys.__excepthook__
        if given.debug or given.verbose_level >= 3:
            level = std_logging.DEBUG
        elif given.verbose_level == 2:
            level = std_logging.INFO
        else:
            # Commands print their own progress; logs add warnings only.
            level = std_logging.WARNING
        std_logging.getLogger('trove_gtid_strategy').setLevel(level)

    def run_subcommand(self, argv):
        try:
            factory, name, sub_argv = self.command_manager.find_command(argv)
        except ValueError:
            raise base.UsageError(self._unknown_command(argv))
        self.command_argv = sub_argv
        cmd = factory(self, self.options, cmd_name=name)
        self.command = cmd
        self.prepare_to_run_command(cmd)
        result, err = 1, None
        try:
            parser = cmd.get_parser('%s %s' % (self.NAME, name))
            parsed_args = parser.parse_args(sub_argv)
            with cli_args.password_warnings(self.warn):
                result = cmd.run(parsed_args)
        except BaseException as exc:
            err = exc
            raise
        finally:
            self.clean_up(cmd, result, err)
        return result

    def _unknown_command(self, argv):
        words = list(itertools.takewhile(
            lambda a: not a.startswith('-'), argv))[:3]
        names = sorted(name for name, _ in self.command_manager)
        matches = [n for n in names if n.split()[0] == argv[0]] or \
            [n for n in names if n.startswith(argv[0])] or \
            self.get_fuzzy_matches(argv[0])
        return 'unknown command %r%s' % (' '.join(words), (
            ': did you mean %s?' % ', '.join(matches[:8]) if matches
            else ': see trove-gtid help'))

    def warn(self, message):
        """A warning line on stderr (none with -q, which asks for results
        and errors only).
        """
        if self.options is not None and self.options.verbose_level == 0:
            return
        self._say_error('%s: %s' % (self.NAME, self.redact(message)))

    def progress(self, message):
        """A progress line on stderr (none with -q)."""
        if self.options is not None and self.options.verbose_level == 0:
            return
        self.stderr.write('  ... %s\n' % self.redact(message))
        self.stderr.flush()

    # -- failures --------------------------------------------------------

    def redact(self, text):
        """``text`` with every password masked, those of this command
        line's DSNs included wherever ``text`` quotes them.
        """
        return cli_args.redact(text, getattr(self, 'argv', ()))

    def _format(self):
        """The output format asked for: json, yaml, or None (text)."""
        parsed = getattr(self.command, 'parsed_args', None)
        fmt = getattr(parsed, 'formatter', None)
        if fmt in base.MACHINE_FORMATS:
            return fmt
        asked = base.formats_asked(self.argv)
        if getattr(self.options, 'json', False) or 'json' in asked:
            return 'json'
        if parsed is None and 'yaml' in asked:
            return 'yaml'
        return None

    def report_failure(self, exc):
        found = failures.classify_failure(exc)
        if found is None:
            return self._report_bug(exc)
        status, kind, message = found
        message = self.redact(message)
        fmt = self._format()
        if fmt:
            partial = getattr(self.command, 'partial', None)
            self._emit(fmt, failures.error_document(exc, kind, message,
                                                    partial))
            return status
        if isinstance(exc, base.UsageError) and exc.parser is not None:
            self.stderr.write(exc.parser.format_usage())
        self._say_error('trove-gtid: %s' % message)
        if getattr(exc, 'settings', ''):
            # The settings to apply are the result the operator needs: on
            # stdout, where a script or a redirect finds them.
            self.stdout.write(self.redact(exc.settings).rstrip('\n') + '\n')
        return status

    def _report_bug(self, exc):
        debug = getattr(self.options, 'debug', False)
        text = self.redact('%s: %s' % (type(exc).__name__, exc))
        if debug:
            self.stderr.write(self.redact(''.join(
                traceback.format_exception(exc))))
        message = 'error: unexpected %s%s' % (
            text, '' if debug else ' (a bug: run with --debug for the '
                                   'traceback)')
        fmt = self._format()
        if fmt:
            self._emit(fmt, {'error': message, 'kind': 'internal_error'})
        else:
            self._say_error('trove-gtid: %s' % message)
        return 1

    def _interrupted(self):
        """Ctrl-C: one line, or the error document a script reads."""
        fmt = self._format()
        try:
            if fmt:
                partial = getattr(self.command, 'partial', None)
                self._emit(fmt, dict(base.plain(partial or {}),
                                     error='interrupted',
                                     kind='interrupted'))
                self._flush()
            else:
                self._say_error('trove-gtid: interrupted')
        except (BrokenPipeError, ValueError):
            pass
        return SIGINT_EXIT

    def _emit(self, fmt, data):
        if fmt == 'yaml':
            import yaml
            yaml.safe_dump(data, stream=self.stdout,
                           default_flow_style=False)
        else:
            self.stdout.write(json.dumps(data, indent=2) + '\n')

    def _say_error(self, line):
        try:
            self.stderr.write(line.rstrip('\n') + '\n')
            self.stderr.flush()
        except (BrokenPipeError, ValueError):
            pass

    def _flush(self):
        try:
            self.stdout.flush()
        except ValueError:
            # The help pager closes stdout when its reader went away: the
            # same closed pipe, seen later.
            if not self.stdout.closed:
                raise
            raise BrokenPipeError('stdout was closed') from None

    def _broken_pipe(self):
        """stdout was closed (``| head``): exit quietly, as a pipe reader
        expects, with no error from the interpreter's last flush.
        """
        if self.stdout is sys.__stdout__:
            try:
                null = os.open(os.devnull, os.O_WRONLY)
                os.dup2(null, self.stdout.fileno())
                os.close(null)
            except (OSError, ValueError):
                pass
        return SIGPIPE_EXIT


def main(argv=None):
    """Run ``trove-gtid`` with ``argv`` (default: the process's); returns
    the exit status.
    """
    if argv is None:
        argv = sys.argv[1:]
    try:
        # Loading the commands' entry points takes a moment: a Ctrl-C
        # then ends as quietly as one while a command runs.
        application = TroveGtidApp()
    except KeyboardInterrupt:
        sys.stderr.write('trove-gtid: interrupted\n')
        return SIGINT_EXIT
    return application.run(list(argv))


if __name__ == '__main__':
    # The application from its package module, not from __main__: cliff
    # tells the application's own commands apart by their distribution.
    from trove_gtid_strategy.cmd import main as _module
    sys.exit(_module.main())
