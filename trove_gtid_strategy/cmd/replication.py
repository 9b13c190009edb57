"""``trove-gtid attach|detach``: replication between real servers."""

import json
import os
import sys

from trove_gtid_strategy.cmd.args import dsn_argument
from trove_gtid_strategy import exceptions
from trove_gtid_strategy.guest import service
from trove_gtid_strategy import modes
from trove_gtid_strategy.sandbox import servers as sandbox
from trove_gtid_strategy import seeding
from trove_gtid_strategy import strategy


def add_commands(sub):
    attach = sub.add_parser(
        'attach', help='make REPLICA replicate from SOURCE',
        description='Enables SOURCE as a replication source (restarting it '
                    'only if needed) and attaches REPLICA, after the '
                    'pre-checks. DSNs: mysql://USER[:PASSWORD]@HOST:PORT.')
    attach.add_argument('--source', required=True, type=dsn_argument)
    attach.add_argument('--replica', required=True, type=dsn_argument)
    attach.add_argument('--mode', default='auto', choices=modes.REQUESTS)
    attach.add_argument('--seed-from', metavar='FILE',
                        help='dump or *_binlog_info file of the backup the '
                             'replica was restored from: replication starts '
                             'at the point it records')
    detach = sub.add_parser('detach', help='stop REPLICA replicating')
    detach.add_argument('--replica', required=True, type=dsn_argument)
    detach.add_argument('--source', type=dsn_argument,
                        help='also drop the replication user there')
    for parser in (attach, detach):
        parser.add_argument('--sandbox', metavar='DIR',
                            help='sandbox directory: servers found there '
                                 'get their conf.d and restarts handled')
        parser.add_argument('--json', action='store_true')
    attach.set_defaults(func=run_attach)
    detach.set_defaults(func=run_detach)


def _print(args, data, text):
    print(json.dumps(data, indent=2) if args.json else text)


def service_for(target, sandbox_dir=None):
    """A service for ``target``; a sandbox server also gets its conf.d and
    restart hook.
    """
    if sandbox_dir:
        for server in sandbox.Sandbox(sandbox_dir).servers():
            if server.port == target.port and target.host in (
                    '127.0.0.1', 'localhost'):
                return service.MySQLService(
                    target, conf_dir=server.conf_dir, restart=server.restart,
                    instance_id=server.name)
    return service.MySQLService(target)


def _progress(message):
    print('  ... %s' % message, file=sys.stderr)


def read_seed_file(path):
    """The start point recorded in a dump or binlog-info file.
    """
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            if os.path.basename(path) in seeding.BINLOG_INFO_FILES:
                return seeding.from_binlog_info(f.read(), path)
            return seeding.from_dump(f, path)
    except OSError as exc:
        raise exceptions.InvalidSeed('cannot read %s: %s'
                                     % (path, exc.strerror))


def attach(source_service, replica_service, repl, seed=None):
    """Enable the source and attach the replica; returns the context."""
    repl.enable_as_master(source_service, None)
    context = repl.get_replica_context(source_service, None)
    master_info = dict(context)
    if seed is not None:
        master_info['dataset'] = seeding.to_dataset(seed)
    repl.enable_as_slave(replica_service, master_info, None)
    return context


def run_attach(args):
    seed = read_seed_file(args.seed_from) if args.seed_from else None
    repl = strategy.AutoReplication(progress=_progress)
    strategy.CONF.set_override('replication_mode', args.mode,
                               group='trove_gtid_strategy')
    source = service_for(args.source, args.sandbox)
    replica = service_for(args.replica, args.sandbox)
    context = attach(source, replica, repl, seed)
    user = context['replica_conf']['replication_user']['name']
    _print(args, {'replica': args.replica.redacted(),
                  'source': args.source.redacted(),
                  'replication_user': user,
                  'seeded_from': seed.describe() if seed else None},
           'attached %s to %s (replication user %s)'
           % (args.replica.redacted(), args.source.redacted(), user))
    return 0


def run_detach(args):
    repl = strategy.AutoReplication(progress=_progress)
    replica = service_for(args.replica, args.sandbox)
    info = repl.detach_slave(replica, for_failover=False)
    if args.source is not None:
        source = service_for(args.source, args.sandbox)
        repl.cleanup_source_on_replica_detach(service.MySQLAdmin(source),
                                              info)
    _print(args, info, 'detached %s (replication user %s)'
           % (args.replica.redacted(), info['replication_user'] or 'none'))
    return 0
