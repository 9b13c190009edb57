"""``trove-gtid``: the strategy outside Trove, for operators and DBAs.

Exit status: 0 success, 1 a refused or failed operation (pre-check,
replication error, sandbox failure), 2 bad input (a label, a DSN, a GTID
set, a seed file, a mode the server cannot run). Errors go to stderr as
one line naming the bad part; ``--debug`` logs every statement sent, with
passwords masked.
"""

import argparse
import logging as std_logging
import sys

from oslo_config import cfg
from oslo_log import log as logging

from trove_gtid_strategy.cmd import demo
from trove_gtid_strategy.cmd import gtid_tools
from trove_gtid_strategy.cmd import plan
from trove_gtid_strategy.cmd import replication
from trove_gtid_strategy.cmd import sandbox
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
    logging.register_options(CONF)
    CONF([], project='trove-gtid', default_config_files=args.config_file)
    CONF.set_override('debug', args.debug)
    logging.setup(CONF, 'trove-gtid')
    if not args.debug:
        # Commands print their own progress; logs add warnings only.
        std_logging.getLogger('trove_gtid_strategy').setLevel(
            std_logging.WARNING)


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        setup_logging(args)
        return args.func(args) or 0
    except BAD_INPUT as exc:
        print('trove-gtid: error: %s' % exc, file=sys.stderr)
        return 2
    except cfg.Error as exc:
        print('trove-gtid: error: configuration: %s' % exc, file=sys.stderr)
        return 2
    except exceptions.RestartRequired as exc:
        print('trove-gtid: %s' % exc, file=sys.stderr)
        if exc.settings:
            print(exc.settings, file=sys.stderr)
        return 1
    except exceptions.TroveGtidError as exc:
        print('trove-gtid: failed: %s' % exc, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == '__main__':
    sys.exit(main())
