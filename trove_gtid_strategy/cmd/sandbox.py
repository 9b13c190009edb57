"""``trove-gtid sandbox up|status|down``: local servers to try it on."""

import json
import os
import tempfile

from trove_gtid_strategy import exceptions
from trove_gtid_strategy.sandbox import lines
from trove_gtid_strategy.sandbox import servers as sandbox

DEFAULT_BASE_DIR = os.path.join(tempfile.gettempdir(), 'trove-gtid-sandbox')


def add_commands(sub):
    known = ', '.join(lines.names())
    box = sub.add_parser(
        'sandbox', help='local MariaDB and MySQL servers to try it on',
        description='A source and N replicas on 127.0.0.1, each a server '
                    'process of a server line (%s). Server lines from '
                    'Debian roots are built by tools/provision-server-lines '
                    '(as root).' % known)
    box_sub = box.add_subparsers(dest='sandbox_command', required=True)
    up = box_sub.add_parser(
        'up', help='start a source and N replicas (or the stopped servers '
                   'of an existing sandbox)',
        description='Creates the sandbox, or starts the stopped servers of '
                    'the existing one in --base-dir on their ports with '
                    'their data. An existing sandbox keeps its server '
                    'lines and replica count: asking for others is refused.')
    up.add_argument('--server', metavar='NAME',
                    help='server line of the source, and of the replicas '
                         'unless --replica-server is given: one of %s '
                         '(default: %s for a new sandbox, the existing '
                         "sandbox's line otherwise)"
                         % (known, lines.DEFAULT_LINE))
    up.add_argument('--replica-server', metavar='NAME',
                    help='server line of the replicas (default: the '
                         'source\'s)')
    up.add_argument('--replicas', metavar='N',
                    help='number of replicas (default: %d for a new '
                         'sandbox, the existing count otherwise)'
                         % sandbox.DEFAULT_REPLICAS)
    up.add_argument('--mysqld', metavar='PATH',
                    help='a server binary on this host instead of a server '
                         'line (default: none)')
    status = box_sub.add_parser(
        'status', help='show the sandbox servers, their lines and versions')
    down = box_sub.add_parser(
        'down', help='stop the sandbox servers (data kept)')
    down.add_argument('--remove', action='store_true',
                      help='also delete what the sandbox created: server '
                           'directories with their data, its template '
                           'cache, its state (default: keep them)')
    for parser in (up, status, down):
        parser.add_argument('--base-dir', metavar='DIR',
                            default=DEFAULT_BASE_DIR,
                            help='the sandbox directory (default: %s)'
                                 % DEFAULT_BASE_DIR)
        parser.add_argument('--json', action='store_true',
                            help='print JSON (default: text)')
    up.set_defaults(func=run_up)
    status.set_defaults(func=run_status)
    down.set_defaults(func=run_down)


def _print(args, data, text):
    print(json.dumps(data, indent=2) if args.json else text)


def replica_count(text):
    """``--replicas``: None when not given; InvalidInput unless N >= 0."""
    if text is None:
        return None
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise exceptions.InvalidInput(
            '--replicas must be a whole number >= 0, not %r' % text)
    return value


def _password_note(box):
    return ('admin password: in %s (mode 0600, key "admin_password")'
            % box.state_file)


def run_up(args):
    replicas = replica_count(args.replicas)
    box = sandbox.Sandbox(args.base_dir, mysqld=args.mysqld,
                          server=args.server,
                          replica_server=args.replica_server)
    started = box.up(replicas)
    rows = [{'name': s.name, 'line': s.line.name, 'port': s.port,
             'pid': s.pid, 'dsn': s.dsn.redacted()} for s in started]
    _print(args, {'base_dir': box.base_dir, 'servers': rows,
                  'state_file': box.state_file},
           '\n'.join(['%-9s %-14s %s' % (r['name'], r['line'], r['dsn'])
                      for r in rows] + [_password_note(box)]))
    return 0


def run_status(args):
    box = sandbox.Sandbox(args.base_dir)
    rows = box.status()
    text = '\n'.join(
        '%-9s %-14s %-8s %-30s port %-6s pid %-8s %s' % (
            r['name'], r['line'], 'running' if r['running'] else 'stopped',
            r['version'] or '-', r['port'], r['pid'] or '-', r['dsn'])
        for r in rows)
    if rows:
        text += '\n' + _password_note(box)
    else:
        text = 'no sandbox in %s' % box.base_dir
    _print(args, rows, text)
    return 0 if rows else 1


def run_down(args):
    box = sandbox.Sandbox(args.base_dir)
    if not box.exists():
        _print(args, {'stopped': None},
               'no sandbox in %s: nothing to do' % box.base_dir)
        return 0
    box.down(remove=args.remove)
    _print(args, {'stopped': box.base_dir, 'removed': args.remove},
           '%s %s' % ('removed' if args.remove else 'stopped (data kept)',
                      box.base_dir))
    return 0
