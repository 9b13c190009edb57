"""``trove-gtid``: the strategy outside Trove, for operators and DBAs.

Exit status: 0 success, 1 a refused or failed operation (pre-check,
replication error, sandbox failure), 2 bad input (a label, a DSN, a GTID
set, a seed file, a mode the server cannot run). Errors go to stderr as
one line naming the bad part; ``--debug`` logs every statement sent, with
passwords masked.
"""

import argparse
import json
import logging as std_logging
import sys

from oslo_config import cfg
from oslo_log import log as logging
import pymysql

from trove_gtid_strategy.cmd import demo
from trove_gtid_strategy.cmd import gtid_tools
from trove_gtid_strategy.cmd import plan
from trove_gtid_strategy.cmd import replication
from trove_gtid_strategy.cmd import sandbox
from trove_gtid_strategy import errcodes
from trove_gtid_strategy import exceptions
from trove_gtid_strategy import strategy

CONF = strategy.CONF
LOG = logging.getLogger(__name__)

BAD_INPUT = (exceptions.InvalidInput, exceptions.UnsupportedMode,
             exceptions.ConfigError)


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on bad usage already; keep its message short."""


def build_parser():
    parser = _Parser(prog='trove-gtid', description=__doc__.split('\n')[0])
    parser.add_argument('--debug', action='store_true',
                        help='log every statement sent (passwords masked)')
    parser.add_argument('--config-file', action='append', default=[],
                        help='oslo.config file with a [trove_gtid_strategy] '
                             'section (repeatable)')
    sub = parser.add_subparsers(dest='command', required=True)
    for module in (plan, gtid_tools, sandbox, replication, demo):
        module.add_commands(sub)
    return parser


def setup_logging(args):
    if 'debug' not in CONF:
        # Once per process: main() may run again (tests, embedding).
        logging.register_options(CONF)
    CONF([], project='trove-gtid', default_config_files=args.config_file)
    CONF.set_override('debug', args.debug)
    logging.setup(CONF, 'trove-gtid')
    if not args.debug:
        # Commands print their own progress; logs add warnings only.
        std_logging.getLogger('trove_gtid_strategy').setLevel(
            std_logging.WARNING)


def classify_failure(exc):
    """``(exit status, kind, message)`` of an exception a user can cause;
    None for a bug (which keeps its traceback).
    """
    if isinstance(exc, BAD_INPUT):
        return 2, 'bad_input', 'error: %s' % exc
    if isinstance(exc, cfg.Error):
        return 2, 'bad_input', 'error: configuration: %s' % exc
    if isinstance(exc, exceptions.RestartRequired):
        return 1, 'restart_required', str(exc)
    if isinstance(exc, (exceptions.PrecheckFailed, exceptions.Busy)):
        return 1, 'refused', 'refused: %s' % exc
    if isinstance(exc, exceptions.TroveGtidError):
        return 1, 'server_error', 'failed: %s' % exc
    if isinstance(exc, pymysql.MySQLError):
        number = errcodes.error_number(exc)
        kind = ('connection' if isinstance(exc, pymysql.OperationalError)
                and (number in errcodes.CONNECTION_ERRORS) else
                'server_error')
        where = getattr(exc, 'server', 'the server')
        return 1, kind, 'failed: %s: %s' % (where, _server_message(exc))
    return None


def _server_message(exc):
    args = getattr(exc, 'args', ())
    if len(args) >= 2:
        return '(%s) %s' % (args[0], args[1])
    return str(exc)


def _report(args, exc, status, kind, message):
    if getattr(args, 'json', False):
        data = {'error': message, 'kind': kind}
        result = getattr(exc, 'result', None)
        if result is not None:
            data.update(verdict=str(result.verdict) if result.verdict
                        else None, errant=result.errant,
                        missing=result.missing, notes=list(result.notes),
                        problems=[{'code': p.code, 'message': p.message}
                                  for p in result.problems])
        if getattr(exc, 'settings', ''):
            data['settings'] = exc.settings
        print(json.dumps(data, indent=2))
    else:
        print('trove-gtid: %s' % message, file=sys.stderr)
        if getattr(exc, 'settings', ''):
            print(exc.settings, file=sys.stderr)


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        setup_logging(args)
        return args.func(args) or 0
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        found = classify_failure(exc)
        if found is None:
            raise
        status, kind, message = found
        _report(args, exc, status, kind, message)
        return status


if __name__ == '__main__':
    sys.exit(main())
