"""``trove-gtid sandbox up|status|down``: local servers to try it on."""

import json
import os
import tempfile

from trove_gtid_strategy.sandbox import servers as sandbox

DEFAULT_BASE_DIR = os.path.join(tempfile.gettempdir(), 'trove-gtid-sandbox')


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
