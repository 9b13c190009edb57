"""``trove-gtid demo``: the whole strategy on a local sandbox, checked.

Starts a source and two replicas, enables the source, seeds replica1 from
a real dump taken while the source is being written to, attaches replica2
by re-pointing, keeps writing, waits for catch-up, compares row counts and
``CHECKSUM TABLE`` on all three, detaches replica2 and stops the sandbox.
Exit 0 only when the data matched.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import pymysql

from trove_gtid_strategy import exceptions
from trove_gtid_strategy.guest import service
from trove_gtid_strategy import modes
from trove_gtid_strategy.sandbox import servers as sandbox
from trove_gtid_strategy import seeding
from trove_gtid_strategy import strategy

TABLES = ('orders', 'events')


def add_commands(sub):
    parser = sub.add_parser('demo', help='try the strategy on a local '
                            'sandbox and check the data matches')
    parser.add_argument('--base-dir',
                        help='where the sandbox lives (default: a new '
                             'temporary directory, removed afterwards)')
    parser.add_argument('--mode', default='auto', choices=modes.REQUESTS)
    parser.add_argument('--rows', type=int, default=2000,
                        help='rows the writer inserts in all')
    parser.add_argument('--keep', action='store_true',
                        help='leave the sandbox running')
    parser.add_argument('--mysqld', help='server binary')
    parser.set_defaults(func=run)


class Writer(threading.Thread):
    """Inserts rows on the source in small transactions, bounded in count
    and time, so the dump and the attaches happen under load.
    """

    def __init__(self, dsn, rows, seconds=120):
        super().__init__(daemon=True)
        self.dsn, self.rows, self.seconds = dsn, rows, seconds
        self.written = 0
        self.error = None
        self._go = threading.Event()
        self._go.set()

    def run(self):
        deadline = time.monotonic() + self.seconds
        try:
            conn = pymysql.connect(database='demo', autocommit=True,
                                   **self.dsn.connect_kwargs())
            with conn, conn.cursor() as cur:
                while self.written < self.rows and time.monotonic() < deadline:
                    self._go.wait()
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
    print('[%s] %s' % (time.strftime('%H:%M:%S'), message), flush=True)


def _service(server):
    return service.MySQLService(server.dsn, conf_dir=server.conf_dir,
                                restart=server.restart,
                                instance_id=server.name)


def _client_env(dsn):
    env = dict(os.environ)
    env['MYSQL_PWD'] = dsn.password
    return env


def _tool(*names):
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    raise exceptions.SandboxError(
        '%s not found: install it with `apt-get install -y mariadb-client`'
        % names[0])


def _client(args, dsn, **kwargs):
    """Run a MariaDB client tool as the DSN's user; failures name it.
    """
    args = args + ['--host=%s' % dsn.host, '--port=%d' % dsn.port,
                   '--user=%s' % dsn.user]
    done = subprocess.run(args, env=_client_env(dsn), stderr=subprocess.PIPE,
                          **kwargs)
    if done.returncode:
        raise exceptions.SandboxError('%s failed: %s' % (
            os.path.basename(args[0]), done.stderr.decode(errors='replace')
            .strip()))


def take_dump(dsn, path, databases=('demo',)):
    """A consistent dump recording the binlog position and GTID."""
    with open(path, 'w') as out:
        _client([_tool('mariadb-dump', 'mysqldump'), '--single-transaction',
                 '--master-data=2', '--gtid', '--databases', *databases],
                dsn, stdout=out)


def load_dump(dsn, path):
    with open(path) as dump:
        _client([_tool('mariadb', 'mysql')], dsn, stdin=dump)


def table_fingerprints(dsn):
    """{table: (rows, checksum)} of the demo tables."""
    conn = pymysql.connect(database='demo', **dsn.connect_kwargs())
    with conn, conn.cursor() as cur:
        result = {}
        for table in TABLES:
            cur.execute('SELECT COUNT(*) FROM %s' % table)
            rows = cur.fetchone()[0]
            cur.execute('CHECKSUM TABLE %s' % table)
            result[table] = (rows, cur.fetchone()[1])
        return result


def _create_schema(dsn):
    conn = pymysql.connect(autocommit=True, **dsn.connect_kwargs())
    with conn, conn.cursor() as cur:
        cur.execute('CREATE DATABASE demo CHARACTER SET utf8mb4')
        cur.execute('CREATE TABLE demo.orders (id INT AUTO_INCREMENT '
                    'PRIMARY KEY, customer VARCHAR(20), amount INT) '
                    'ENGINE=InnoDB')
        cur.execute('CREATE TABLE demo.events (id INT AUTO_INCREMENT '
                    'PRIMARY KEY, note VARCHAR(200)) ENGINE=InnoDB')


def run(args):
    base_dir = args.base_dir or tempfile.mkdtemp(prefix='tg-demo-',
                                                 dir='/tmp')
    box = sandbox.Sandbox(base_dir, mysqld=args.mysqld)
    strategy.CONF.set_override('replication_mode', args.mode,
                               group='trove_gtid_strategy')
    repl = strategy.AutoReplication(progress=lambda m: _say('  ' + m))
    started = time.monotonic()
    try:
        return _demo(box, repl, args)
    finally:
        if args.keep:
            _say('Sandbox left running in %s (trove-gtid sandbox down '
                 '--base-dir %s)' % (base_dir, base_dir))
        else:
            box.down(remove=True)
            if not args.base_dir:
                shutil.rmtree(base_dir, ignore_errors=True)
        _say('Done in %.1f s' % (time.monotonic() - started))


def _demo(box, repl, args):
    _say('Starting a sandbox: one source, two replicas')
    source, replica1, replica2 = box.up(2)
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
    dump = os.path.join(box.base_dir, 'seed.sql')
    _say('Dumping the source under load (%d rows so far)' % writer.written)
    take_dump(source.dsn, dump)
    start = seeding.from_dump(open(dump, encoding='utf-8'), dump)
    _say('Dump records %s' % start.describe())
    load_dump(replica1.dsn, dump)

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
    _say('Detaching %s' % replica2.name)
    info = repl.detach_slave(rep2, for_failover=False)
    repl.cleanup_source_on_replica_detach(service.MySQLAdmin(src), info)

    print('\nReport (%s mode)' % repl.last_mode)
    for name, fingerprint in prints.items():
        print('  %-9s %s' % (name, '  '.join(
            '%s: %d rows, checksum %s' % (t, rows, checksum)
            for t, (rows, checksum) in sorted(fingerprint.items()))))
    print('  data %s on all three servers' % (
        'MATCHED' if matched else 'DIFFERS'))
    for s in (src, rep1, rep2):
        s.close()
    if not matched:
        print('trove-gtid demo: replicas differ from the source',
              file=sys.stderr)
        return 1
    return 0
