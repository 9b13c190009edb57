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

"""``trove-gtid heartbeat``: the source's beats, for lag ``status`` can
trust (:mod:`trove_gtid_strategy.operations.heartbeat`).
"""

import signal
import time

from trove_gtid_strategy.cmd import args as cli_args
from trove_gtid_strategy.cmd import base
from trove_gtid_strategy import exceptions
from trove_gtid_strategy.guest import locks
from trove_gtid_strategy.operations import heartbeat as heartbeat_op

#: Beats more often than this are write load that buys no resolution.
MIN_INTERVAL, MAX_INTERVAL = 0.1, 3600


class Heartbeat(base.ShowOne):
    """Write the source's clock into a heartbeat table every interval.

    Creates trove_gtid.heartbeat on the source when missing (the database
    too), then replaces the source's row (server_id, server_uuid, its
    UTC_TIMESTAMP(6), the interval) every --interval seconds until
    --count beats, Ctrl-C or SIGTERM (exit 0 with a summary). The rows
    replicate like any transaction; status then measures each replica's
    lag from them. Refused on a replica or a read-only server (exit 1): a row
    written there would be an errant transaction. --remove drops the
    table, and the database only when this command created it and it
    holds nothing else.
    """

    columns = ('source', 'interval', 'beats', 'stopped_by', 'table')

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--source', required=True,
                            help='the source to write on (required): '
                                 + cli_args.SERVER_HELP)
        parser.add_argument('--interval', type=float, default=1.0,
                            metavar='SECONDS',
                            help='seconds between beats, %g to %g: the lag '
                                 'resolution (default: %%(default)s)'
                                 % (MIN_INTERVAL, MAX_INTERVAL))
        parser.add_argument('--count', type=int, metavar='N',
                            help='stop after N beats (default: until '
                                 'Ctrl-C or SIGTERM)')
        parser.add_argument('--remove', action='store_true',
                            help='drop the heartbeat table (and the '
                                 'database when this command created it and '
                                 'it holds nothing else) instead of beating '
                                 '(default: off)')
        cli_args.add_server_options(parser)
        return parser

    def take_action(self, args):
        cli_args.check_lock_timeout(args)
        _check_beats(args)
        source = cli_args.server_argument(args.source, args.sandbox,
                                          'source')
        with locks.server_locks((('source', source.dsn),),
                                args.lock_timeout, 'trove-gtid heartbeat'):
            if args.remove:
                removal = heartbeat_op.remove(source)
                self.text = removal.describe()
                return self.one(removal.to_dict())
            heartbeat_op.prepare(source)
        # Beats run unlocked: a run that lasts must not hold a switchover
        # off; each beat looks at the server first instead.
        with StopRequest() as stop:
            beats = heartbeat_op.beat(source, args.interval, args.count,
                                      sleep=stop.sleep,
                                      progress=self.app.progress,
                                      stopping=stop.stopping)
        self.text = beats.describe()
        return self.one(beats.to_dict())


class StopRequest:
    """Ctrl-C (SIGINT) and SIGTERM (a service manager's stop, ``kill``)
    end a run with its summary and exit 0. A signal during a sleep ends
    it at once; one while a beat is written is noted and ends the run
    once the server answered, so the count is what it acknowledged (an
    interrupted write left the count one short of the rows written). A
    writer started in the background has SIGINT ignored (shells and
    pytest-xdist workers start their children so): that stays so, and
    SIGTERM stops it.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self):
        self.requested = False
        self._sleeping = False
        self._previous = {}

    def __enter__(self):
        for signum in self.SIGNALS:
            if signal.getsignal(signum) is not signal.SIG_IGN:
                self._previous[signum] = signal.signal(signum, self._asked)
        return self

    def __exit__(self, *exc_info):
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    def _asked(self, signum, frame):
        self.requested = True
        if self._sleeping:
            raise KeyboardInterrupt

    def stopping(self):
        return self.requested

    def sleep(self, seconds):
        self._sleeping = True
        try:
            if not self.requested:
                time.sleep(seconds)
        finally:
            self._sleeping = False


def _check_beats(args):
    if not MIN_INTERVAL <= args.interval <= MAX_INTERVAL:
        raise exceptions.InvalidInput(
            '--interval must be %g to %g seconds, not %s'
            % (MIN_INTERVAL, MAX_INTERVAL, args.interval))
    if args.count is not None and args.count < 1:
        raise exceptions.InvalidInput('--count must be 1 or more, not %d'
                                      % args.count)
    if args.remove and args.count is not None:
        raise exceptions.InvalidInput('--remove writes no beats: give it '
                                      'without --count')
