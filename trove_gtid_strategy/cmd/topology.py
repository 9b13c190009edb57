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

"""``trove-gtid check|status|skip|repair-errant|switchover|failover``.

Each parses and checks its input, calls a library function of
:mod:`trove_gtid_strategy.operations` (under server locks where it
changes something) and prints the result. ``--dry-run`` on the commands
that change something prints the decision and the steps without
changing anything.
"""

from trove_gtid_strategy.cmd import args as cli_args
from trove_gtid_strategy.cmd import base
from trove_gtid_strategy.cmd import verify as verify_cmd
from trove_gtid_strategy import exceptions
from trove_gtid_strategy import gtid as gtid_sets
from trove_gtid_strategy.guest import locks
from trove_gtid_strategy.guest import naming
from trove_gtid_strategy.operations import check as check_op
from trove_gtid_strategy.operations import failover as failover_op
from trove_gtid_strategy.operations import repair as repair_op
from trove_gtid_strategy.operations import skip as skip_op
from trove_gtid_strategy.operations import status as status_op
from trove_gtid_strategy.operations import switchover as switchover_op

SERVER_HELP = cli_args.SERVER_HELP


def _add_durability(parser):
    cli_args.add_option_flag(parser, '--durability',
                             'replication_durability',
                             'durability of the servers this command '
                             'attaches')


def _check_timeout(value, option='--timeout'):
    if not 0 < value < float('inf'):
        raise exceptions.InvalidInput('%s must be a number of seconds more '
                                      'than 0, not %s' % (option, value))


def _check_gtid(text):
    """``--gtid``: one MySQL GTID (``uuid:N``, ``uuid:tag:N``) or one
    MariaDB GTID (``D-S-N``), checked before any server is contacted.
    """
    if text is None:
        return
    try:
        gtid_sets.MariaDBGtid.parse(text)
        return
    except exceptions.InvalidInput:
        pass
    try:
        if gtid_sets.GtidSet.parse(text).count() == 1 and \
                ',' not in text and '-' not in text.rpartition(':')[2]:
            return
    except exceptions.InvalidInput:
        pass
    raise exceptions.InvalidInput(
        '--gtid %r: not one GTID (uuid:N or uuid:tag:N on MySQL, '
        'domain-server-seq on MariaDB)' % text)


class Check(base.ShowOne):
    """Classify a replica against a source, with remedies.

    NEW, IDENTICAL, RECOVERABLE (it can replicate), IRRECOVERABLE (the
    source purged what it needs) or DIVERGED (errant transactions), with
    the errant set, the purged transactions it lacks, and a remedy for
    each problem, and what is dangerous on either server (see status).
    Exit 0 when the replica can replicate from the source and nothing is
    dangerous, 1 otherwise. Changes nothing.
    """

    columns = ('state', 'can_replicate', 'errant', 'missing_purged',
               'remedies', 'dangers', 'mode', 'source', 'replica')

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--source', required=True,
                            help='the source (required): ' + SERVER_HELP)
        parser.add_argument('--replica', required=True,
                            help='the replica (required): ' + SERVER_HELP)
        cli_args.add_option_flag(parser, '--mode', 'replication_mode',
                                 'replication mode to judge in')
        cli_args.add_option_flag(parser, '--allow-crash-unsafe',
                                 'allow_crash_unsafe_binlog',
                                 'judge binlog-position mode on servers '
                                 'where it is not crash-safe as allowed')
        cli_args.add_sandbox_option(parser)
        return parser

    def take_action(self, args):
        source, replica = cli_args.source_and_replica(args)
        options = cli_args.command_options(self.app.conf, args)
        result = check_op.check(
            source, replica, options.replication_mode,
            allow_crash_unsafe=options.allow_crash_unsafe_binlog)
        self.exit_status = 0 if result.can_replicate and \
            not result.dangers else 1
        self.text = result.to_text()
        return self.one(result.to_dict())


class Status(base.ShowOne):
    """Show servers: role, threads, lag, GTIDs, crash safety, topology.

    Per server its role, flavor and version, replication mode and source,
    I/O and SQL threads, lag in seconds and transactions, last errors,
    executed and purged GTIDs (MariaDB positions), semi-synchronous state
    and a crash-safety audit saying why each setting matters; with
    several servers, who replicates from whom. Exit 1 when a server does
    not answer, or with what is dangerous: a writable replica, several
    writable sources, a replica stopped on an error, a settings file
    that a restart would turn into another role, accounts a fence left
    locked. Changes nothing.
    """

    columns = ('servers', 'topology', 'unreachable', 'dangers')

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('servers', nargs='+', metavar='SERVER',
                            help=SERVER_HELP)
        cli_args.add_sandbox_option(parser)
        return parser

    def take_action(self, args):
        services = {text: cli_args.server_argument(text, args.sandbox,
                                                   'server', 'SERVER')
                    for text in args.servers}
        cli_args.distinct_servers(
            [('SERVER %s' % (text if '://' not in text
                             else svc.dsn.redacted()), svc)
             for text, svc in services.items()])
        named = {(text if args.sandbox and '://' not in text
                  else svc.dsn.redacted()): svc
                 for text, svc in services.items()}
        report = status_op.status(named)
        self.text = report.to_text()
        data = report.to_dict()
        if report.unreachable:
            self.exit_status = 1
            data.update(kind='connection', error='failed: %s' % '; '.join(
                '%s: %s' % (u.name, u.error) for u in report.unreachable))
        elif report.dangers:
            self.exit_status = 1
            data.update(kind='danger', error='failed: %s' % '; '.join(
                d.message for d in report.dangers))
        return self.one(data)


class Switchover(base.ShowOne):
    """Make a replica the source while the source is healthy.

    Checks every server first (nothing changes if any would break), fences
    the source (super_read_only on MySQL; on MariaDB read_only, with the
    accounts that write through it locked and their sessions ended),
    waits until the candidate has every transaction of the source (on
    timeout the source is made writable again and the command fails),
    promotes the candidate, points the other replicas and the old source
    at it and lifts the locks. A run stopped anywhere is finished (or,
    where the candidate was detached short of the source, rolled back) by
    running the same command again; a finished one says so and exits 0.
    Once the candidate is promoted a failure exits 1 with kind
    "incomplete" and the new source, never "refused".
    """

    columns = ('new_source', 'old_source', 'writes_refused_ms',
               'resumed_from', 'steps', 'before', 'after', 'dry_run')

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--source', required=True,
                            help='the current source (required): '
                                 + SERVER_HELP)
        parser.add_argument('--candidate', required=True,
                            help='the replica to promote (required): '
                                 + SERVER_HELP)
        parser.add_argument('--replica', action='append', default=[],
                            help='another replica to point at the new '
                                 'source (repeatable; default: none): '
                                 + SERVER_HELP)
        parser.add_argument('--timeout', type=float, default=60,
                            help='seconds the candidate may take to catch '
                                 'up while writes are refused (default: '
                                 '%(default)s)')
        parser.add_argument('--dry-run', action='store_true',
                            help='print the checks\' outcome and the steps '
                                 'without changing anything (default: off)')
        parser.add_argument('--allow-unfenced-accounts', action='store_true',
                            help='switch over although the source has '
                                 'accounts that write through read_only and '
                                 'cannot be locked out (MariaDB before '
                                 '10.4.2, MySQL before 5.7.8): their '
                                 'sessions are only ended (default: '
                                 'refused)')
        _add_durability(parser)
        verify_cmd.add_verify_flag(parser)
        cli_args.add_server_options(parser)
        return parser

    def take_action(self, args):
        cli_args.check_lock_timeout(args)
        _check_timeout(args.timeout)
        source = cli_args.server_argument(args.source, args.sandbox,
                                          'source')
        candidate = cli_args.server_argument(args.candidate, args.sandbox,
                                             'candidate')
        replicas = [cli_args.server_argument(text, args.sandbox, 'replica')
                    for text in args.replica]
        cli_args.distinct_servers(
            [('--source', source), ('--candidate', candidate)]
            + [('--replica', r) for r in replicas])
        repl = cli_args.strategy_for(self.app, args)
        held = [('source', source.dsn), ('candidate', candidate.dsn)] + [
            ('replica', r.dsn) for r in replicas]
        with locks.server_locks(held, args.lock_timeout,
                                'trove-gtid switchover'):
            try:
                result = switchover_op.switchover(
                    repl, source, candidate, replicas, timeout=args.timeout,
                    dry_run=args.dry_run, progress=self.app.progress,
                    allow_unfenced=args.allow_unfenced_accounts)
            except (switchover_op.SwitchoverDiverged,
                    switchover_op.SwitchoverIncomplete,
                    switchover_op.SwitchoverRolledBack) as exc:
                self.partial = dict(exc.outcome.to_dict(),
                                    dry_run=args.dry_run)
                raise
        data = dict(result.to_dict(), dry_run=args.dry_run)
        if not args.dry_run:
            verify_cmd.verify_followers(self, args, data, candidate,
                                        [source] + replicas)
        return self.one(data)


class Failover(base.ShowOne):
    """Promote the most advanced replica of a source that is gone.

    Refused while the old source still answers (given with --source),
    or while a replica still receives from it after --timeout (the source
    is then only out of reach from here), unless --force. Every replica
    applies what it fetched; the candidate is one holding the lost
    source's whole lineage (every transaction any replica holds but the
    errant ones: those of another origin that a replica holding the
    lost source's later writes lacks) without errant transactions, and
    able to serve the others from its binary log (an unfit one is passed
    over, or the failover refused naming the GTIDs each replica needs).
    A candidate (--candidate, or the least harmful when none is
    complete) that would lose lineage transactions is refused unless
    --allow-data-loss, one that would spread errant transactions unless
    --allow-errant-candidate; in binlog-position mode a failover that
    would lose transactions is refused unless --allow-data-loss, saying
    exactly what. A refusal, and the result, carry the election: each
    replica's set, what it lacks and has extra, and what choosing each
    would lose or spread. Then the candidate is promoted and the others
    follow it. Running it again after it stopped halfway completes it.
    """

    columns = ('new_source', 'durability', 'durability_note', 'outcomes',
               'old_source', 'election', 'seconds', 'before', 'after',
               'dry_run')

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--replica', action='append', required=True,
                            help='a replica of the lost source (repeatable, '
                                 'required): ' + SERVER_HELP)
        parser.add_argument('--candidate',
                            help='the replica to promote (default: the most '
                                 'advanced): ' + SERVER_HELP)
        parser.add_argument('--source',
                            help='the old source, to make sure it is gone '
                                 '(default: not checked): ' + SERVER_HELP)
        parser.add_argument('--force', action='store_true',
                            help='fail over although the old source '
                                 'answers (it is fenced first) or a '
                                 'replica still receives from it after '
                                 '--timeout (default: refused; a source '
                                 'out of reach from here is not a lost '
                                 'source)')
        parser.add_argument('--allow-errant-candidate', action='store_true',
                            help='promote a candidate with errant '
                                 'transactions, spreading them to every '
                                 'follower (default: refused)')
        parser.add_argument('--allow-data-loss', action='store_true',
                            help='promote a candidate that lacks '
                                 'transactions of the lost source\'s '
                                 'lineage another replica holds (they are '
                                 'lost), or fail over in binlog-position '
                                 'mode although replicas hold different '
                                 'amounts (default: refused)')
        parser.add_argument('--timeout', type=float, default=60,
                            help='seconds each replica may take to apply '
                                 'what it fetched (default: %(default)s)')
        parser.add_argument('--dry-run', action='store_true',
                            help='print the election and the steps without '
                                 'changing anything (default: off)')
        _add_durability(parser)
        verify_cmd.add_verify_flag(parser)
        cli_args.add_server_options(parser)
        return parser

    def take_action(self, args):
        cli_args.check_lock_timeout(args)
        _check_timeout(args.timeout)
        replicas = [cli_args.server_argument(text, args.sandbox, 'replica')
                    for text in args.replica]
        source = (cli_args.server_argument(args.source, args.sandbox,
                                           'source')
                  if args.source else None)
        cli_args.distinct_servers(
            [('--replica', r) for r in replicas]
            + ([('--source', source)] if source else []))
        candidate = None
        if args.candidate:
            candidate = cli_args.server_argument(args.candidate,
                                                 args.sandbox, 'candidate')
            key = locks.server_key(candidate.dsn)
            matching = [r for r in replicas
                        if locks.server_key(r.dsn) == key]
            if not matching:
                raise exceptions.InvalidInput(
                    '--candidate must be one of the --replica servers')
            candidate = matching[0]
        repl = cli_args.strategy_for(self.app, args)
        held = [('replica', r.dsn) for r in replicas]
        with locks.server_locks(held, args.lock_timeout,
                                'trove-gtid failover'):
            result = failover_op.failover(
                repl, replicas, candidate=candidate, source=source,
                force=args.force,
                allow_errant_candidate=args.allow_errant_candidate,
                allow_data_loss=args.allow_data_loss, timeout=args.timeout,
                dry_run=args.dry_run, progress=self.app.progress)
        data = result.to_dict()
        if not result.complete:
            self.exit_status = 1
            data.update(kind='server_error', error=(
                'failed: not every replica follows the new source: %s'
                % '; '.join('%s: %s' % item
                            for item in result.behind.items())))
        elif not args.dry_run:
            new = {naming.name_of(r): r for r in replicas}
            verify_cmd.verify_followers(
                self, args, data, new[result.new_source],
                [r for name, r in new.items() if name != result.new_source])
        return self.one(data)


def _statement_lines(statements):
    lines = []
    for stmt in statements:
        if isinstance(stmt, dict):
            lines.append('  on the %s: %s' % (stmt['server'], stmt['sql']))
        else:
            lines.append('  %s' % stmt)
    return lines


class Skip(base.ShowOne):
    """Skip the one transaction a replica's SQL thread stopped on.

    The safe way for the mode: an empty transaction under the failed GTID
    (MySQL GTID), sql_slave_skip_counter = 1 (MariaDB, binlog position),
    or moving gtid_slave_pos past the failed GTID where the counter is
    refused. Refused when the replica is not stopped on an SQL error.
    Says exactly what was skipped: the GTID and what the transaction did
    (from the relay log).
    """

    columns = ('replica', 'mode', 'method', 'gtid', 'error_number', 'error',
               'transaction', 'statements', 'dry_run', 'sql_running',
               'notes')

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--replica', required=True,
                            help='the stopped replica (required): '
                                 + SERVER_HELP)
        parser.add_argument('--gtid',
                            help='the GTID you expect to skip; refused if '
                                 'the SQL thread stopped on another '
                                 '(default: the one it stopped on)')
        parser.add_argument('--dry-run', action='store_true',
                            help='print what would be skipped and the '
                                 'statements, sending nothing (default: '
                                 'off)')
        cli_args.add_server_options(parser)
        return parser

    def take_action(self, args):
        cli_args.check_lock_timeout(args)
        _check_gtid(args.gtid)
        replica = cli_args.server_argument(args.replica, args.sandbox,
                                           'replica')
        with locks.server_locks((('replica', replica.dsn),),
                                args.lock_timeout, 'trove-gtid skip'):
            result = skip_op.skip(replica, gtid=args.gtid,
                                  dry_run=args.dry_run,
                                  progress=self.app.progress)
        self.text = '\n'.join(
            [result.describe(),
             'error %s: %s' % (result.error_number, result.error),
             'relay log: %s:%s' % (result.relay_log_file,
                                   result.relay_log_pos)]
            + _statement_lines(result.statements)
            + ['note: %s' % n for n in result.notes]
            + ['SQL thread: %s' % result.sql_running])
        return self.one(result.to_dict())


class RepairErrant(base.ShowOne):
    """List a replica's errant transactions and reconcile the harmless ones.

    First lists what each errant transaction changed (from the replica's
    binary log). MySQL: one empty transaction per harmless errant GTID is
    committed on the source. MariaDB: the replica's binary log history is
    reset to the source's, where it has no replicas of its own. Data
    changes are refused unless --accept-divergence; transactions from a
    former source are always refused, with the re-seed remedy. Exit 1
    when refused.
    """

    columns = ('decision', 'method', 'errant', 'transactions', 'statements',
               'remedy', 'verdict_after', 'dry_run', 'accept_divergence',
               'source', 'replica', 'notes')

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--source', required=True,
                            help='the source (required): ' + SERVER_HELP)
        parser.add_argument('--replica', required=True,
                            help='the replica with errant transactions '
                                 '(required): ' + SERVER_HELP)
        parser.add_argument('--accept-divergence', action='store_true',
                            help='reconcile errant transactions that '
                                 'changed data too: the replica keeps data '
                                 'the source lacks (default: refused)')
        parser.add_argument('--dry-run', action='store_true',
                            help='list the transactions, the decision and '
                                 'the statements, sending nothing (default: '
                                 'off)')
        cli_args.add_server_options(parser)
        return parser

    def take_action(self, args):
        cli_args.check_lock_timeout(args)
        source, replica = cli_args.source_and_replica(args)
        with locks.server_locks((('source', source.dsn),
                                 ('replica', replica.dsn)),
                                args.lock_timeout,
                                'trove-gtid repair-errant'):
            try:
                result = repair_op.repair_errant(
                    source, replica,
                    accept_divergence=args.accept_divergence,
                    dry_run=args.dry_run, progress=self.app.progress)
            except repair_op.RepairRefused as exc:
                self.partial = exc.repair.to_dict()
                raise
        if result.decision == repair_op.REFUSED:
            self.exit_status = 1
        self.text = '\n'.join(
            ['%s  %s  %s  %s  %s' % (
                t['gtid'], t['origin'], t['effect'], t['decision'],
                (t.get('transaction') or {}).get('summary', '')
                + (' - %s' % t['reason'] if t['reason'] else ''))
             for t in (x if isinstance(x, dict) else x.to_dict()
                       for x in result.transactions)]
            + [result.describe()]
            + _statement_lines(result.statements)
            + ['note: %s' % n for n in result.notes]
            + (['verdict after: %s' % result.verdict_after]
               if result.verdict_after else []))
        return self.one(result.to_dict())
