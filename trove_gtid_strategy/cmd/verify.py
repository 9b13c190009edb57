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

"""``trove-gtid verify``, and ``--verify`` of switchover and failover."""

import argparse

from trove_gtid_strategy.cmd import args as cli_args
from trove_gtid_strategy.cmd import base
from trove_gtid_strategy.cmd import failures
from trove_gtid_strategy.decisions import verify as decision
from trove_gtid_strategy.guest import locks
from trove_gtid_strategy.guest import naming
from trove_gtid_strategy.operations import verify as verify_op

SERVER_HELP = cli_args.SERVER_HELP


def _more_than_zero(kind):
    """argparse type: a number of ``kind`` more than 0 (and finite)."""
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or not 0 < value < float('inf'):
            raise argparse.ArgumentTypeError('must be a number more than 0, '
                                             'not %r' % (text,))
        return value
    return parse


class Verify(base.ShowOne):
    """Compare a replica's data with its source's at one point.

    The source is read in a read-only consistent snapshot (MariaDB: no
    lock; MySQL: FLUSH TABLES WITH READ LOCK while the snapshot starts,
    which needs RELOAD); the replica's applier is stopped, run up to
    exactly the snapshot's GTIDs (or binlog coordinates) and restarted
    as it ran afterwards, on every path. Then every user table (or each
    --table) is checksummed in ranges of its primary key on both sides
    (whole without one): per table equal or differs, with the first
    differing key range, or missing on a side. Nothing is written to
    the source and the replica gets no transaction. Refused when the
    replica's threads stopped on an error, or it holds transactions the
    snapshot does not. Exit 0 when every table is equal, 1 otherwise.
    """

    columns = ('equal', 'differing', 'tables', 'point', 'applier',
               'source', 'replica', 'seconds')

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--source', required=True,
                            help='the source (required): ' + SERVER_HELP)
        parser.add_argument('--replica', required=True,
                            help='its replica (required): ' + SERVER_HELP)
        parser.add_argument('--table', action='append', default=[],
                            metavar='SCHEMA.TABLE',
                            help='a table to compare (repeatable; default: '
                                 'every table outside the system schemas)')
        add_verify_options(parser)
        cli_args.add_server_options(parser)
        return parser

    def take_action(self, args):
        cli_args.check_lock_timeout(args)
        tables = [decision.parse_table_name(t) for t in args.table]
        source, replica = cli_args.source_and_replica(args)
        with locks.server_locks((('source', source.dsn),
                                 ('replica', replica.dsn)),
                                args.lock_timeout, 'trove-gtid verify'):
            report = verify_op.verify(
                source, replica, tables, chunk_rows=args.chunk_rows,
                timeout=args.verify_timeout, progress=self.app.progress)
        self.exit_status = 0 if report.equal else 1
        self.text = report.to_text()
        return self.one(report.to_dict())


def add_verify_options(parser):
    parser.add_argument('--chunk-rows', type=_more_than_zero(int),
                        default=verify_op.DEFAULT_CHUNK_ROWS, metavar='N',
                        help='rows of the primary key read per checksum '
                             '(default: %(default)s)')
    parser.add_argument('--verify-timeout', type=_more_than_zero(float),
                        default=60,
                        metavar='SECONDS',
                        help='how long the replica may take to reach the '
                             'snapshot\'s point, and the source\'s lock to '
                             'be granted (default: %(default)s)')


def add_verify_flag(parser):
    """``--verify`` (and its options) of a command that moves the
    source.
    """
    parser.add_argument('--verify', action='store_true',
                        help='afterwards, verify the data of every server '
                             'that follows the new source against it, as '
                             'trove-gtid verify does; a difference exits 1 '
                             'with the move done (default: off)')
    add_verify_options(parser)


def verify_followers(command, args, data, new_source, followers):
    """With ``--verify``: verify each follower against ``new_source``
    (services), into ``data['verification']``; any difference or failure
    makes ``command`` exit 1 and says the move itself is done.
    """
    if not args.verify:
        return
    found = [_verify_one(command, args, new_source, f) for f in followers]
    data['verification'] = found
    bad = [item['replica'] for item in found if not item.get('equal')]
    if bad:
        command.exit_status = 1
        data.update(kind='differs', error=(
            'failed: verify found differences or failed on %s; the move '
            'itself is done: %s is the source' % (
                ', '.join(bad), naming.name_of(new_source))))


def _verify_one(command, args, new_source, follower):
    # The move is done whatever a follower's verify meets: its failure is
    # that follower's entry (classified as a command's failure is), not
    # the command's, so the result and the other followers still show.
    try:
        return verify_op.verify(
            new_source, follower, chunk_rows=args.chunk_rows,
            timeout=args.verify_timeout,
            progress=command.app.progress).to_dict()
    except Exception as exc:
        found = failures.classify_failure(exc)
        if found is None:
            raise
        return {'replica': naming.name_of(follower), 'equal': False,
                'error': found[2]}
