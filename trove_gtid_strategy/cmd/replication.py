"""``trove-gtid attach|detach|accounts``: replication between real servers.

Arguments, DSNs and seed files are all checked before any server is
contacted; then the operation runs under a lock on every server it
changes. The work itself is in :mod:`trove_gtid_strategy.operations`.
"""

import json
import os
import sys

from trove_gtid_strategy import dsn as dsn_mod
from trove_gtid_strategy import exceptions
from trove_gtid_strategy.guest import locks
from trove_gtid_strategy.guest import service
from trove_gtid_strategy import modes
from trove_gtid_strategy.operations import accounts as accounts_op
from trove_gtid_strategy.operations import attach as attach_op
from trove_gtid_strategy.sandbox import servers as sandbox
from trove_gtid_strategy import seeding
from trove_gtid_strategy import strategy

GROUP = 'trove_gtid_strategy'
SERVER_HELP = ('a DSN, mysql://USER[:PASSWORD]@HOST:PORT (percent-encoded; '
               '?password_env=NAME reads the password from the '
               'environment), or with --sandbox a server name such as '
               'source or replica1')


def add_commands(sub):
    attach = sub.add_parser(
        'attach', help='make REPLICA replicate from SOURCE',
        description='Checks both servers, enables SOURCE as a replication '
                    'source, creates the replica\'s account and attaches '
                    'REPLICA. A refusal changes nothing; a failure after '
                    'the account was created drops it again.')
    attach.add_argument('--source', required=True, help=SERVER_HELP)
    attach.add_argument('--replica', required=True, help=SERVER_HELP)
    attach.add_argument('--mode', default='auto', choices=modes.REQUESTS,
                        help='replication mode (default: %(default)s, the '
                             'best the servers have)')
    attach.add_argument('--seed-from', metavar='FILE',
                        help='dump or *_binlog_info file of the backup the '
                             'replica was restored from: replication starts '
                             'at the point it records')
    attach.add_argument('--allow-crash-unsafe', action='store_true',
                        help='allow binlog-position replication where the '
                             'server keeps its applier position in a file '
                             '(MariaDB, MySQL before 5.6.2)')
    attach.add_argument('--conf-dir', metavar='DIR',
                        help='the directory both servers include '
                             '(!includedir): settings they lack are written '
                             'there, and the restart needed is reported')
    for side in ('source', 'replica'):
        attach.add_argument('--%s-conf-dir' % side, metavar='DIR',
                            help='as --conf-dir, for the %s only' % side)
    attach.add_argument('--tls', choices=('off', 'required', 'verify'),
                        default='off',
                        help='replication connection TLS (default: '
                             '%(default)s); verify checks the source\'s '
                             'certificate against --ca-file')
    attach.add_argument('--ca-file', metavar='PATH',
                        help='CA certificate, a path on the replica host')
    attach.add_argument('--cert-file', metavar='PATH',
                        help='client certificate, where the source asks '
                             'for one')
    attach.add_argument('--key-file', metavar='PATH',
                        help='client key for --cert-file')

    detach = sub.add_parser('detach', help='stop REPLICA replicating')
    detach.add_argument('--replica', required=True, help=SERVER_HELP)
    detach.add_argument('--source', help='also drop the replica\'s account '
                                         'there; ' + SERVER_HELP)

    accounts = sub.add_parser(
        'accounts', help='list (and drop unused) replication accounts',
        description='Lists the replication accounts this project created '
                    'on SOURCE (names with the replication_user_prefix) '
                    'and which replica uses each: a replica connected now '
                    '(its binlog dump session), or one given with '
                    '--replica. A replica whose I/O thread is stopped does '
                    'not show as connected: name it with --replica before '
                    'using --drop-unused.')
    accounts.add_argument('--source', required=True, help=SERVER_HELP)
    accounts.add_argument('--replica', action='append', default=[],
                          help='a replica to ask which account it uses '
                               '(repeatable); ' + SERVER_HELP)
    accounts.add_argument('--drop-unused', action='store_true',
                          help='drop the accounts no replica uses')

    for parser in (attach, detach, accounts):
        parser.add_argument('--sandbox', metavar='DIR',
                            help='sandbox directory: its servers can be '
                                 'named, and get their conf.d and restarts')
        parser.add_argument('--lock-timeout', type=float, default=60,
                            metavar='SECONDS',
                            help='how long to wait for another trove-gtid '
                                 'run on the same servers (default: '
                                 '%(default)s)')
        parser.add_argument('--json', action='store_true',
                            help='print the result as JSON')
    attach.set_defaults(func=run_attach)
    detach.set_defaults(func=run_detach)
    accounts.set_defaults(func=run_accounts)


def _print(args, data, text):
    print(json.dumps(data, indent=2) if args.json else text)


def server_argument(text, sandbox_dir, what):
    """A service for a DSN or a sandbox server name; a sandbox server
    gets its conf.d and restart hook.
    """
    if sandbox_dir and '://' not in text:
        server = sandbox.resolve_server(sandbox_dir, text)
        return service.MySQLService(server.dsn, conf_dir=server.conf_dir,
                                    restart=server.restart,
                                    instance_id=server.name, side=what)
    try:
        target = dsn_mod.parse_dsn(text)
    except exceptions.InvalidDSN as exc:
        raise exceptions.InvalidDSN('--%s: %s' % (what, exc))
    if sandbox_dir:
        for server in sandbox.Sandbox(sandbox_dir).servers():
            if server.port == target.port and target.host in (
                    '127.0.0.1', 'localhost'):
                return service.MySQLService(
                    target, conf_dir=server.conf_dir, restart=server.restart,
                    instance_id=server.name, side=what)
    return service.MySQLService(target, side=what)


def _progress(message):
    print('  ... %s' % message, file=sys.stderr, flush=True)


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


def _check_lock_timeout(args):
    if not args.lock_timeout >= 0:
        raise exceptions.InvalidInput('--lock-timeout must be 0 or more, '
                                      'not %s' % args.lock_timeout)


def run_attach(args):
    # Everything the user typed is checked before a server is contacted.
    _check_lock_timeout(args)
    _check_tls(args)
    seed = read_seed_file(args.seed_from) if args.seed_from else None
    both = _conf_dir(args.conf_dir, '--conf-dir')
    source_dir = _conf_dir(args.source_conf_dir, '--source-conf-dir') or both
    replica_dir = _conf_dir(args.replica_conf_dir,
                            '--replica-conf-dir') or both
    source = server_argument(args.source, args.sandbox, 'source')
    replica = server_argument(args.replica, args.sandbox, 'replica')
    if source_dir and not source.can_restart:
        source.conf_dir = source_dir
    if replica_dir and not replica.can_restart:
        replica.conf_dir = replica_dir
    strategy.CONF.set_override('replication_mode', args.mode, group=GROUP)
    strategy.CONF.set_override('allow_crash_unsafe_binlog',
                               args.allow_crash_unsafe, group=GROUP)
    repl = strategy.AutoReplication(progress=_progress)
    with locks.server_locks((('source', source.dsn),
                             ('replica', replica.dsn)),
                            args.lock_timeout, 'trove-gtid attach'):
        result = attach_op.attach(
            repl, source, replica, seed, args.tls, args.ca_file or '',
            args.cert_file or '', args.key_file or '')
    data = dict(vars(result), source=source.dsn.redacted(),
                replica=replica.dsn.redacted(),
                seeded_from=seed.describe() if seed else None,
                allow_crash_unsafe=args.allow_crash_unsafe, tls=args.tls)
    _print(args, data, 'attached %s to %s in %s mode (%s); account %s%s; '
           'replication starts at %s' % (
               data['replica'], data['source'], result.mode, result.verdict,
               result.replication_user,
               ' (new)' if result.account_created else ' (reused)',
               result.start) + ''.join('\nnote: %s' % n
                                       for n in result.notes))
    return 0


def run_detach(args):
    _check_lock_timeout(args)
    replica = server_argument(args.replica, args.sandbox, 'replica')
    source = (server_argument(args.source, args.sandbox, 'source')
              if args.source else None)
    repl = strategy.AutoReplication(progress=_progress)
    held = [('replica', replica.dsn)] + (
        [('source', source.dsn)] if source else [])
    with locks.server_locks(held, args.lock_timeout, 'trove-gtid detach'):
        info = repl.detach_slave(replica, for_failover=False)
        if source is not None:
            repl.cleanup_source_on_replica_detach(service.MySQLAdmin(source),
                                                  info)
    _print(args, dict(info, replica=replica.dsn.redacted()),
           'detached %s (replication account %s)'
           % (replica.dsn.redacted(), info['replication_user'] or 'none'))
    return 0


def run_accounts(args):
    _check_lock_timeout(args)
    source = server_argument(args.source, args.sandbox, 'source')
    replicas = [server_argument(text, args.sandbox, 'replica')
                for text in args.replica]
    repl = strategy.AutoReplication()
    with locks.server_locks((('source', source.dsn),), args.lock_timeout,
                            'trove-gtid accounts'):
        found = accounts_op.list_accounts(
            source, replicas, repl.options.replication_user_prefix)
        dropped = accounts_op.drop_unused(source, found) \
            if args.drop_unused else []
    rows = [dict(vars(a), dropped=a.name in dropped) for a in found]
    _print(args, {'source': source.dsn.redacted(), 'accounts': rows},
           '\n'.join('%-24s %-6s %s' % (
               a['name'], 'in use' if a['used_by'] else
               ('DROPPED' if a['dropped'] else 'unused'),
               ', '.join(a['used_by'])) for a in rows)
           or 'no replication accounts with this prefix')
    return 0
