"""``trove-gtid sandbox|attach|detach``: drive real servers."""

import argparse
import json
import os
import sys
import tempfile

from trove_gtid_strategy import dsn
from trove_gtid_strategy import exceptions
from trove_gtid_strategy.guest import service
from trove_gtid_strategy import modes
from trove_gtid_strategy.sandbox import servers as sandbox
from trove_gtid_strategy import seeding
from trove_gtid_strategy import strategy

DEFAULT_BASE_DIR = os.path.join(tempfile.gettempdir(), 'trove-gtid-sandbox')


def dsn_argument(text):
    """argparse type: a DSN, with our message (naming the bad part)."""
    try:
        return dsn.parse_dsn(text)
    except exceptions.InvalidDSN as exc:
        raise argparse.ArgumentTypeError(str(exc))


def add_commands(sub):
    box = sub.add_parser('sandbox', help='local MariaDB servers to try it on')
    box_sub = box.add_subparsers(dest='sandbox_command', required=True)
    up = box_sub.add_parser('up', help='start a source and N replicas')
    up.add_argument('--replicas', type=int, default=2)
    status = box_sub.add_parser('status', help='show the sandbox servers')
    down = box_sub.add_parser('down', help='stop the sandbox servers')
    down.add_argument('--remove', action='store_true',
                      help='also delete their data directories')
    for parser in (up, status, down):
        parser.add_argument('--base-dir', default=DEFAULT_BASE_DIR)
        parser.add_argument('--mysqld', help='server binary (default: '
                            'mariadbd or mysqld on PATH)')
        parser.add_argument('--json', action='store_true')
    up.set_defaults(func=run_up)
    status.set_defaults(func=run_status)
    down.set_defaults(func=run_down)

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


def run_up(args):
    box = sandbox.Sandbox(args.base_dir, mysqld=args.mysqld)
    started = box.up(args.replicas)
    source, replicas = started[0], started[1:]
    _print(args, {'source': str(source.dsn),
                  'replicas': [str(r.dsn) for r in replicas]},
           '\n'.join('%-9s %s' % (s.name, s.dsn) for s in started))
    return 0


def run_status(args):
    rows = sandbox.Sandbox(args.base_dir, mysqld=args.mysqld).status()
    _print(args, rows, '\n'.join(
        '%-9s %-8s port %-6s pid %-8s %s' % (
            r['name'], 'running' if r['running'] else 'stopped', r['port'],
            r['pid'] or '-', r['dsn']) for r in rows) or 'no sandbox')
    return 0 if rows else 1


def run_down(args):
    sandbox.Sandbox(args.base_dir, mysqld=args.mysqld).down(
        remove=args.remove)
    _print(args, {'stopped': args.base_dir}, 'stopped %s' % args.base_dir)
    return 0


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
