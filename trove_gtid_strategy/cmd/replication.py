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

"""``trove-gtid attach|detach|accounts``: replication between real servers.

Arguments, DSNs and seed files are all checked before any server is
contacted; then the operation runs under a lock on every server it
changes. The work itself is in :mod:`trove_gtid_strategy.operations`.
"""

import os

from trove_gtid_strategy import accounts
from trove_gtid_strategy.cmd import args as cli_args
from trove_gtid_strategy.cmd import base
from trove_gtid_strategy import exceptions
from trove_gtid_strategy.guest import locks
from trove_gtid_strategy.guest import replication_accounts
from trove_gtid_strategy.guest import server as server_mod
from trove_gtid_strategy.operations import accounts as accounts_op
from trove_gtid_strategy.operations import attach as attach_op
from trove_gtid_strategy import seeding

SERVER_HELP = cli_args.SERVER_HELP
# Kept importable from here.
server_argument = cli_args.server_argument


def add_mode_options(parser):
    cli_args.add_option_flag(parser, '--mode', 'replication_mode',
                             'replication mode')
    cli_args.add_option_flag(parser, '--allow-crash-unsafe',
                             'allow_crash_unsafe_binlog',
                             'allow binlog-position replication where the '
                             'server keeps its applier position in a file '
                             '(MariaDB, MySQL before 5.6.2)')


def read_seed_file(path):
    """The start point recorded in a dump or binlog-info file."""
    try:
        with open(path, encoding='utf-8', errors='strict') as f:
            if os.path.basename(path) in seeding.BINLOG_INFO_FILES:
                return seeding.from_binlog_info(f.read(), path)
            return seeding.from_dump(f, path)
    except OSError as exc:
        raise exceptions.InvalidSeed('cannot read %s: %s'
                                     % (path, exc.strerror))
    except UnicodeDecodeError as exc:
        raise exceptions.InvalidSeed('%s is not UTF-8 text (byte %d)'
                                     % (path, exc.start))


def _conf_dir(path, option):
    if path is None:
        return None
    if not os.path.isdir(path) or not os.access(path, os.W_OK):
        raise exceptions.InvalidInput('%s %s is not a writable directory'
                                      % (option, path))
    return os.path.abspath(path)


def _check_tls(args):
    for option in ('ca_file', 'cert_file', 'key_file'):
        value = getattr(args, option)
        if value is not None and args.tls == 'off':
            raise exceptions.InvalidInput('--%s needs --tls required or '
                                          'verify' % option.replace('_', '-'))
    if args.tls == 'verify' and not args.ca_file:
        raise exceptions.InvalidInput('--tls verify needs --ca-file')
    if bool(args.cert_file) != bool(args.key_file):
        raise exceptions.InvalidInput('--cert-file and --key-file go '
                                      'together')


class Attach(base.ShowOne):
    """Make a replica replicate from a source, all or nothing.

    Checks both servers as their administrator, enables SOURCE as a
    replication source, creates the replica's account (named after the
    replica; a repeated attach reuses it with a new password), checks
    again as the replica's I/O thread will log in, and attaches REPLICA.
    A refusal changes nothing; a failure after the account was created
    drops it again. When a server lacks a setting only a restart applies
    and nobody here can restart it, it stops before changing anything and
    prints the settings (with a conf dir: writes them there). Every server
    it changes is locked.
    """

    columns = ('mode', 'reason', 'verdict', 'replication_user',
               'account_host', 'account_require', 'account_created',
               'start', 'notes', 'source', 'replica',
               'seeded_from', 'allow_crash_unsafe', 'tls', 'durability',
               'dry_run')

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--source', required=True,
                            help='the source (required): ' + SERVER_HELP)
        parser.add_argument('--replica', required=True,
                            help='the replica (required): ' + SERVER_HELP)
        add_mode_options(parser)
        parser.add_argument('--seed-from', metavar='FILE',
                            help='dump or *_binlog_info file of the backup '
                                 'the replica was restored from: '
                                 'replication starts at the point it '
                                 'records (default: none, the replica '
                                 'continues from what it holds)')
        parser.add_argument('--conf-dir', metavar='DIR',
                            help='the directory a server includes '
                                 '(!includedir), for whichever of the two '
                                 'has no --source-conf-dir or '
                                 '--replica-conf-dir: settings it lacks are '
                                 'written there, and the restart needed is '
                                 'reported; one directory for both servers '
                                 'is refused (each would read the other\'s '
                                 'settings) (default: ?conf_dir= of the '
                                 'server\'s DSN, else none: the settings '
                                 'are printed)')
        for side in ('source', 'replica'):
            parser.add_argument('--%s-conf-dir' % side, metavar='DIR',
                                help='as --conf-dir, for the %s only '
                                     '(default: --conf-dir)' % side)
        parser.add_argument('--tls', choices=('off', 'required', 'verify'),
                            default='off',
                            help='replication connection TLS; verify checks '
                                 'the source\'s certificate against '
                                 '--ca-file (default: %(default)s)')
        parser.add_argument('--ca-file', metavar='PATH',
                            help='CA certificate, a path on the replica '
                                 'host (default: none)')
        parser.add_argument('--cert-file', metavar='PATH',
                            help='client certificate, where the source asks '
                                 'for one (default: none)')
        parser.add_argument('--key-file', metavar='PATH',
                            help='client key for --cert-file (default: '
                                 'none)')
        parser.add_argument('--dry-run', action='store_true',
                            help='check both servers and print the '
                                 'decision and every step, changing '
                                 'nothing (default: off)')
        cli_args.add_option_flag(parser, '--durability',
                                 'replication_durability',
                                 'durability enabled on both servers')
        cli_args.add_option_flag(parser, '--account-host',
                                 'replication_account_host',
                                 'host pattern of the replica\'s account on '
                                 'the source (an address, a name, or a '
                                 'pattern such as 10.0.0.%%; %% admits every '
                                 'address); unset, the address the replica '
                                 'connects from, learned when this runs on '
                                 'the replica\'s host')
        cli_args.add_server_options(parser)
        return parser

    def take_action(self, args):
        # Everything the user typed is checked before a server is contacted.
        cli_args.check_lock_timeout(args)
        _check_tls(args)
        if args.replication_account_host is not None:
            accounts.check_host_pattern(args.replication_account_host,
                                        '--account-host')
        seed = (read_seed_file(args.seed_from)
                if args.seed_from is not None else None)
        both = _conf_dir(args.conf_dir, '--conf-dir')
        source_dir = _conf_dir(args.source_conf_dir,
                               '--source-conf-dir') or both
        replica_dir = _conf_dir(args.replica_conf_dir,
                                '--replica-conf-dir') or both
        source, replica = cli_args.source_and_replica(args)
        if source_dir and not source.can_restart:
            source.conf_dir = source_dir
        if replica_dir and not replica.can_restart:
            replica.conf_dir = replica_dir
        cli_args.separate_conf_dirs((('source', source),
                                     ('replica', replica)))
        repl = cli_args.strategy_for(self.app, args)
        with locks.server_locks((('source', source.dsn),
                                 ('replica', replica.dsn)),
                                args.lock_timeout, 'trove-gtid attach'):
            result = attach_op.attach(
                repl, source, replica, seed, args.tls, args.ca_file or '',
                args.cert_file or '', args.key_file or '',
                dry_run_only=args.dry_run)
        return self.one(dict(
            vars(result), source=source.dsn.redacted(),
            replica=replica.dsn.redacted(),
            seeded_from=seed.describe() if seed else None,
            allow_crash_unsafe=repl.options.allow_crash_unsafe_binlog,
            tls=args.tls, durability=repl.options.replication_durability,
            dry_run=args.dry_run))


class Detach(base.ShowOne):
    """Stop a replica replicating and forget its source.

    The replica's account is dropped on the replica without binary
    logging, and on the source too when --source is given. Safe to run
    twice.
    """

    columns = ('replication_user', 'replica', 'dry_run', 'steps')

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--replica', required=True,
                            help='the replica (required): ' + SERVER_HELP)
        parser.add_argument('--source',
                            help='also drop the replica\'s account there '
                                 '(default: none, the account stays on the '
                                 'source): ' + SERVER_HELP)
        parser.add_argument('--dry-run', action='store_true',
                            help='print the steps, changing nothing '
                                 '(default: off)')
        cli_args.add_server_options(parser)
        return parser

    def take_action(self, args):
        cli_args.check_lock_timeout(args)
        replica = server_argument(args.replica, args.sandbox, 'replica')
        source = (server_argument(args.source, args.sandbox, 'source')
                  if args.source else None)
        cli_args.distinct_servers((('--replica', replica),) + (
            (('--source', source),) if source else ()))
        repl = cli_args.strategy_for(self.app, args)
        if args.dry_run:
            return self.one(_detach_steps(replica, source))
        held = [('replica', replica.dsn)] + (
            [('source', source.dsn)] if source else [])
        with locks.server_locks(held, args.lock_timeout,
                                'trove-gtid detach'):
            done = dict(_detach_steps(replica, source), dry_run=False)
            user = repl.detach(replica, for_failover=False).replication_user
            done.update(replication_user=user,
                        replica=replica.dsn.redacted())
            self.partial = done
            if source is not None and user:
                replication_accounts.drop_account(source, user)
        return self.one(done)


def _detach_steps(replica, source):
    """What a detach would do, read from the replica's status."""
    server = server_mod.Server(replica, 'replica')
    d = server.dialect
    status = server.replica_status()
    user = status.source_user if status is not None else None
    name = replica.dsn.redacted()
    steps = []
    if status is not None:
        steps += ['%s: %s' % (name, d.stop_replica()),
                  '%s: %s' % (name, d.reset_replica_all())]
    steps.append('%s: remove the replica override file, read_only OFF'
                 % name)
    if user:
        steps.append('%s: %s (without binary logging)'
                     % (name, d.drop_user(user)))
        if source is not None:
            drop = server_mod.Server(source, 'source').dialect.drop_user(
                user)
            steps.append('%s: %s' % (source.dsn.redacted(), drop))
    return {'replication_user': user, 'replica': name, 'dry_run': True,
            'steps': steps}


class Accounts(base.Lister):
    """Audit the accounts that can read SOURCE's binary log; drop the
    unused ones this project created.

    Every account holding a replication privilege (REPLICATION SLAVE,
    REPLICATION REPLICA or ALL PRIVILEGES, directly or through a role),
    ours and others, with its host pattern, its TLS requirement, the
    replica using it (one connected now, by its binlog dump session, or
    one given with --replica) and flags: any_host (the pattern admits
    every address, so the password alone opens the binary log from
    anywhere) and plaintext (no REQUIRE SSL or X509: the login and the
    binary log may travel unencrypted). --drop-unused drops only the
    accounts this project created (name prefix replication_user_prefix,
    nothing granted beyond replication) that no replica uses; a replica
    whose I/O thread is stopped does not show as connected: name it with
    --replica first.
    """

    columns = ('name', 'host', 'tls', 'flags', 'ours', 'via', 'locked',
               'state', 'used_by', 'dropped')
    document_key = 'accounts'
    empty_message = 'no account holds a replication privilege'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--source', required=True,
                            help='the source (required): ' + SERVER_HELP)
        parser.add_argument('--replica', action='append', default=[],
                            help='a replica to ask which account it uses '
                                 '(repeatable; default: none): '
                                 + SERVER_HELP)
        parser.add_argument('--drop-unused', action='store_true',
                            help='drop the accounts this project created '
                                 'that no replica uses; others are never '
                                 'dropped (default: only list them)')
        parser.add_argument('--dry-run', action='store_true',
                            help='with --drop-unused: show which would be '
                                 'dropped, dropping nothing (default: off)')
        cli_args.add_server_options(parser)
        return parser

    def take_action(self, args):
        cli_args.check_lock_timeout(args)
        source = server_argument(args.source, args.sandbox, 'source')
        replicas = [server_argument(text, args.sandbox, 'replica')
                    for text in args.replica]
        cli_args.distinct_servers([('--source', source)] + [
            ('--replica', r) for r in replicas])
        repl = cli_args.strategy_for(self.app, args, progress=False)
        self.document = {'source': source.dsn.redacted()}
        with locks.server_locks((('source', source.dsn),),
                                args.lock_timeout, 'trove-gtid accounts'):
            found = accounts_op.list_accounts(
                source, replicas, repl.options.replication_user_prefix)
            unused = ['%s@%s' % (a.name, a.host) for a in found
                      if a.ours and not a.used_by]
            if args.drop_unused and unused:
                # Nothing on the source tells a stopped replica's account
                # from a leaked one.
                warning = (
                    'warning: %s %d account(s) no connected replica and no '
                    '--replica uses (%s): a replica that is stopped or '
                    'disconnected and not named with --replica loses its '
                    'account, and its next start fails with error 1045' % (
                        'would drop' if args.dry_run else 'dropping',
                        len(unused), ', '.join(unused)))
                self.app.progress(warning)
                self.document['warning'] = warning
            dropped = accounts_op.drop_unused(source, found) \
                if args.drop_unused and not args.dry_run else []
        return self.rows([{
            'name': a.name, 'host': a.host, 'tls': a.tls,
            'flags': base.CommaListColumn(list(a.flags)), 'ours': a.ours,
            'via': a.via, 'locked': a.locked,
            'state': _state(a, a in dropped, args),
            'used_by': base.CommaListColumn(list(a.used_by)),
            'dropped': a in dropped} for a in found])


def _state(account, dropped, args):
    """What became of an account: in use, dropped, would be dropped
    (--dry-run), kept (not ours), or unused.
    """
    if account.used_by:
        return 'in use'
    if dropped:
        return 'dropped'
    if args.drop_unused and not account.ours:
        return 'unused, kept: not created by trove-gtid'
    if args.drop_unused and args.dry_run:
        return 'would be dropped'
    return 'unused'
