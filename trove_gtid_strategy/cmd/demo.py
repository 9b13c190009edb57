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

"""``trove-gtid demo``: the whole strategy on a local sandbox, checked.

Starts a source and two replicas of a server line, enables the source,
seeds replica1 from a real dump (the line's own ``mysqldump`` or
``mariadb-dump``) taken while the source is being written to, attaches
replica2 by re-pointing, keeps writing, waits for catch-up, compares row
counts and ``CHECKSUM TABLE`` on all three, detaches replica2 and removes
the sandbox. Exit 0 only when the data matched.

The base directory must be missing or empty: the demo refuses any other
before starting anything, and its clean-up removes only what it created.
"""

import contextlib
import os
import subprocess
import sys
import tempfile
import threading
import time


from trove_gtid_strategy.cmd import args as cli_args
from trove_gtid_strategy.cmd import base
from trove_gtid_strategy import exceptions
from trove_gtid_strategy.guest import connection
from trove_gtid_strategy.guest import service
from trove_gtid_strategy.operations import verify as verify_op
from trove_gtid_strategy.sandbox import lines
from trove_gtid_strategy.sandbox import process
from trove_gtid_strategy.sandbox import servers as sandbox
from trove_gtid_strategy import seeding
from trove_gtid_strategy import strategy

TABLES = ('orders', 'events')
# MySQL 9.x runs with gtid_mode = ON by default; binlog-position mode is
# shown on a server without GTIDs, as on MySQL before 5.6.
GTID_OFF = {'00-demo-gtid-off.cnf': '[mysqld]\ngtid_mode = OFF\n'
                                    'enforce_gtid_consistency = OFF\n'}


class Writer(threading.Thread):
    """Inserts rows on the source in small transactions, bounded in count
    and time, so the dump and the attaches happen under load.
    """

    def __init__(self, dsn, rows, seconds=120):
        super().__init__(daemon=True)
        self.dsn, self.rows, self.seconds = dsn, rows, seconds
        self.written = 0
        self.error = None

    def run(self):
        deadline = time.monotonic() + self.seconds
        try:
            conn = connection.connect(database='demo', autocommit=True,
                                      **self.dsn.connect_kwargs())
            with conn, conn.cursor() as cur:
                while self.written < self.rows and time.monotonic() < deadline:
                    n = self.written
                    cur.execute('INSERT INTO orders (customer, amount) '
                                'VALUES (%s, %s)', ('c%d' % (n % 97), n))
                    cur.execute('INSERT INTO events (note) VALUES (%s)',
                                ('order %d: ünïcode \'quoted\' :bind' % n,))
                    self.written += 1
                    time.sleep(0.002)
        except Exception as exc:  # reported by the demo, not swallowed
            self.error = exc


def _say(message):
    """A progress line, on stderr: stdout carries the result."""
    print('[%s] %s' % (time.strftime('%H:%M:%S'), message), file=sys.stderr,
          flush=True)


def _service(server):
    return service.MySQLService(server.dsn, conf_dir=server.conf_dir,
                                restart=server.restart,
                                instance_id=server.name)


def _target(target, line):
    """(DSN, line) of a sandbox server or a DSN.

    A DSN's line is the provisioned line of the server's flavor and
    series (asked with ``SELECT @@version``).
    """
    if hasattr(target, 'dsn') and hasattr(target, 'line'):
        return target.dsn, line or target.line
    if line is None:
        version = process.query_version(target.connect_kwargs())
        line = lines.for_server_version(version)
    return target, line


def _option_value(text):
    return '"%s"' % text.replace('\\', '\\\\').replace('"', '\\"')


@contextlib.contextmanager
def _client_options(dsn):
    """A private option file with the DSN (password included): never on
    a command line or in the environment.
    """
    directory = tempfile.mkdtemp(prefix='tg-client-')
    path = os.path.join(directory, 'client.cnf')
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, 'w', encoding='utf-8') as f:
            f.write('[client]\nuser=%s\npassword=%s\nhost=%s\nport=%d\n'
                    % (_option_value(dsn.user),
                       _option_value(dsn.password), dsn.host, dsn.port))
        yield path
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        with contextlib.suppress(OSError):
            os.rmdir(directory)


def _run_tool(line, kind, dsn, args, **kwargs):
    """Run the line's client tool ``kind`` as the DSN's user."""
    with _client_options(dsn) as options:
        argv = line.tool_command(kind, options) + list(args)
        done = subprocess.run(argv, stderr=subprocess.PIPE,
                              env=process.clean_env(), **kwargs)
    if done.returncode:
        raise exceptions.SandboxError('%s failed: %s' % (
            os.path.basename(line.host_path(getattr(line, kind))),
            done.stderr.decode(errors='replace').strip()))


def take_dump(target, path, databases=('demo',), line=None):
    """A consistent dump recording the binlog position (and GTIDs).

    ``target``: a sandbox server, or a DSN (its line is found from its
    version), with the line's seed arguments
    (:meth:`~trove_gtid_strategy.sandbox.lines.ServerLine.seed_dump_args`).
    """
    dsn, line = _target(target, line)
    with open(path, 'wb') as out:
        _run_tool(line, 'dump', dsn, line.seed_dump_args() + ['--databases']
                  + list(databases), stdout=out)


def load_dump(target, path, line=None):
    """Load a dump file with the line's own client."""
    dsn, line = _target(target, line)
    with open(path, 'rb') as dump:
        _run_tool(line, 'client', dsn, [], stdin=dump,
                  stdout=subprocess.DEVNULL)


def table_fingerprints(dsn):
    """{table: (rows, checksum)} of the demo tables."""
    conn = connection.connect(database='demo', **dsn.connect_kwargs())
    with conn, conn.cursor() as cur:
        result = {}
        for table in TABLES:
            cur.execute('SELECT COUNT(*) FROM %s' % table)
            rows = cur.fetchone()[0]
            cur.execute('CHECKSUM TABLE %s' % table)
            result[table] = (rows, cur.fetchone()[1])
        return result


def _create_schema(dsn):
    conn = connection.connect(autocommit=True, **dsn.connect_kwargs())
    with conn, conn.cursor() as cur:
        cur.execute('CREATE DATABASE demo CHARACTER SET utf8mb4')
        cur.execute('CREATE TABLE demo.orders (id INT AUTO_INCREMENT '
                    'PRIMARY KEY, customer VARCHAR(20), amount INT) '
                    'ENGINE=InnoDB')
        cur.execute('CREATE TABLE demo.events (id INT AUTO_INCREMENT '
                    'PRIMARY KEY, note VARCHAR(200)) ENGINE=InnoDB')


def refuse_used_dir(base_dir):
    """InvalidInput unless ``base_dir`` is missing or an empty directory."""
    if not os.path.lexists(base_dir):
        return
    if not os.path.isdir(base_dir) or os.path.islink(base_dir):
        raise exceptions.InvalidInput(
            '--base-dir %s is not a directory: give a missing or empty '
            'directory' % base_dir)
    entries = sorted(os.listdir(base_dir))
    if entries:
        raise exceptions.InvalidInput(
            '--base-dir %s is not empty (it holds %s): the demo needs a '
            'missing or empty directory; nothing was changed'
            % (base_dir, ', '.join(entries[:5])
               + (', ...' if len(entries) > 5 else '')))


class Demo(base.ShowOne):
    """Try the strategy on a local sandbox and check the data matches.

    Starts a source and two replicas of a server line, seeds replica1 from
    a real dump taken under writes, attaches replica2 by re-pointing,
    waits for catch-up, compares row counts and CHECKSUM TABLE on all
    three, detaches replica2 and removes the sandbox. Progress goes to
    stderr, the report to stdout. Exit status 0 only when the data
    matched.
    """

    columns = ('matched', 'line', 'mode', 'servers', 'base_dir', 'kept',
               'seconds')

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--server', metavar='NAME',
                            help='server line of the sandbox: one of %s '
                                 '(default: %s)' % (', '.join(lines.names()),
                                                    lines.DEFAULT_LINE))
        parser.add_argument('--base-dir', metavar='DIR',
                            type=cli_args.directory_argument,
                            help='where the sandbox lives; must be missing '
                                 'or empty (default: a new temporary '
                                 'directory, removed afterwards)')
        cli_args.add_option_flag(parser, '--mode', 'replication_mode',
                                 'replication mode')
        cli_args.add_option_flag(parser, '--allow-crash-unsafe',
                                 'allow_crash_unsafe_binlog',
                                 'allow binlog-position mode where it is '
                                 'not crash-safe (MariaDB)')
        parser.add_argument('--rows', type=int, default=2000,
                            help='rows the writer inserts in all (default: '
                                 '%(default)s)')
        parser.add_argument('--keep', action='store_true',
                            help='leave the sandbox running (default: '
                                 'remove it)')
        parser.add_argument('--mysqld', metavar='PATH',
                            help='a server binary on this host instead of a '
                                 'server line (default: none)')
        return parser

    def take_action(self, parsed_args):
        result = run(parsed_args, self.app.conf)
        self.exit_status = 0 if result['matched'] else 1
        self.text = report_text(result)
        return self.one(result)


def report_text(result):
    """The demo's report for people."""
    lines_out = ['Report (%s, %s mode)' % (result['line'], result['mode'])]
    for name, tables in result['servers'].items():
        lines_out.append('  %-9s %s' % (name, '  '.join(
            '%s: %d rows, checksum %s' % (t, f['rows'], f['checksum'])
            for t, f in sorted(tables.items()))))
    lines_out.append('  data %s on all three servers' % (
        'MATCHED' if result['matched'] else 'DIFFERS'))
    return '\n'.join(lines_out)


def run(args, conf):
    """Run the demo; ``conf`` is the command's ``ConfigOpts`` (its flags
    in ``args`` are set over it).
    """
    if args.rows < 1:
        raise exceptions.InvalidInput('--rows must be >= 1, not %d'
                                      % args.rows)
    if args.base_dir:
        refuse_used_dir(args.base_dir)
    if args.mysqld and args.server:
        raise exceptions.InvalidInput(
            'give --server or --mysqld, not both')
    line = (lines.for_binary(args.mysqld) if args.mysqld
            else lines.get(args.server or lines.DEFAULT_LINE))
    line.check()
    mode = cli_args.command_options(conf, args).replication_mode
    made_dir = None
    if not args.base_dir:
        made_dir = tempfile.mkdtemp(prefix='tg-demo-', dir='/tmp')
    base_dir = args.base_dir or made_dir
    box = sandbox.Sandbox(base_dir, mysqld=args.mysqld, server=args.server)
    repl = strategy.AutoReplication(conf=conf,
                                    progress=lambda m: _say('  ' + m))
    dump = os.path.join(box.base_dir, 'seed.sql')
    started = time.monotonic()
    try:
        result = _demo(box, line, repl, mode, args, dump)
        result.update(base_dir=base_dir if args.keep else None,
                      kept=args.keep,
                      seconds=round(time.monotonic() - started, 1))
        return result
    finally:
        if args.keep:
            _say('Sandbox left running in %s (trove-gtid sandbox down '
                 '--remove --base-dir %s)' % (base_dir, base_dir))
        else:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(dump)
            box.down(remove=True)
            if made_dir:
                with contextlib.suppress(OSError):
                    os.rmdir(made_dir)
        _say('Done in %.1f s' % (time.monotonic() - started))


def _demo(box, line, repl, mode, args, dump):
    mysql_binlog = mode == 'binlog' and line.flavor == 'mysql'
    _say('Starting a sandbox of %s in %s: one source, two replicas'
         % (line.name, box.base_dir))
    source, replica1, replica2 = box.up(
        2, conf_d=GTID_OFF if mysql_binlog else None)
    src, rep1, rep2 = _service(source), _service(replica1), _service(replica2)

    _say('Enabling %s as the replication source' % source.name)
    repl.enable_as_master(src, None)
    # replica2 is re-pointed from this moment on, as Trove re-points an
    # existing replica: context taken before any data is written.
    context2 = repl.get_replica_context(src, None)
    _create_schema(source.dsn)

    writer = Writer(source.dsn, args.rows)
    writer.start()
    while writer.written < args.rows // 4 and writer.is_alive():
        time.sleep(0.05)
    _say('Dumping the source under load (%d rows so far) with %s'
         % (writer.written, os.path.basename(source.line.dump or 'dump')))
    take_dump(source, dump)
    with open(dump, encoding='utf-8') as f:
        start = seeding.from_dump(f, dump)
    _say('Dump records %s' % start.describe())
    load_dump(replica1, dump)

    _say('Attaching %s, seeded from the dump' % replica1.name)
    context1 = repl.get_replica_context(src, None)
    repl.enable_as_slave(rep1, dict(context1,
                                    dataset=seeding.to_dataset(start)), None)
    _say('Attaching %s by re-pointing' % replica2.name)
    repl.enable_as_slave(rep2, context2, None)

    writer.join()
    if writer.error:
        raise exceptions.ReplicationError('the writer failed: %s'
                                          % writer.error)
    _say('Writer finished: %d rows; waiting for the replicas to catch up'
         % writer.written)
    final = repl.current_position(src)
    for rep in (rep1, rep2):
        repl.wait_until_applied(rep, final)

    prints = {s.name: table_fingerprints(s.dsn)
              for s in (source, replica1, replica2)}
    matched = all(p == prints[source.name] for p in prints.values())
    verified = {}
    for rep in (rep1, rep2):
        report = verify_op.verify(src, rep)
        _say('Verified %s against the source at one point: %s'
             % (rep.instance_id, report.to_text().splitlines()[-1]))
        verified[rep.instance_id] = report.equal
    _say('Detaching %s' % replica2.name)
    info = repl.detach_slave(rep2, for_failover=False)
    repl.cleanup_source_on_replica_detach(service.MySQLAdmin(src), info)

    for s in (src, rep1, rep2):
        s.close()
    matched = matched and all(verified.values())
    if not matched:
        _say('the replicas differ from the source')
    return {'matched': matched, 'line': source.line.name,
            'mode': repl.last_mode, 'verified': verified,
            'servers': {name: {table: {'rows': rows, 'checksum': checksum}
                               for table, (rows, checksum)
                               in sorted(fingerprint.items())}
                        for name, fingerprint in prints.items()}}
