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

"""``trove-gtid heartbeat`` and the lag ``status`` measures from it, on
real servers: one source and one replica per line for the whole file.

Beats are counted (``--count``), never waited for; the replica is made
to miss beats by stopping its SQL thread; every wait ends on what the
servers report.
"""

import json
import signal

from support import catch_up
from support import is_mysql
from support import query
from support import run
from support import run_process
from support import scalar
from support import topology
from support import until


def lag_of(box, *names):
    """The replica's lag as ``status --json`` reports it (``names``: the
    servers given to status, the replica last).
    """
    code, report = run('status', '--sandbox', box.base_dir, *names)
    assert report is not None and 'servers' in report, (code, report)
    found = {s['name']: s for s in report['servers']}
    return found[names[-1]]['replication']['lag']


def executed(server):
    """The set a transaction written on ``server`` itself would grow."""
    return scalar(server, 'SELECT @@gtid_executed' if is_mysql(server)
                  else 'SELECT @@gtid_binlog_pos')


def tables(server):
    return [row[0] for row in query(
        server, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE "
                "TABLE_SCHEMA = 'trove_gtid' ORDER BY TABLE_NAME")]


def schemas(server):
    return query(server, "SELECT SCHEMA_NAME FROM information_schema."
                         "SCHEMATA WHERE SCHEMA_NAME = 'trove_gtid'")


def test_heartbeat_lag_refusal_and_removal(sandbox_factory, options):
    box, services, repl = topology(sandbox_factory, options, replicas=1)
    source, replica = box.source, box.replicas[0]
    pair = ('source', replica.name)

    def beat(*argv):
        return run('heartbeat', '--sandbox', box.base_dir, *argv)

    def settled():
        catch_up(repl, services[0], services[1])

    lag = lag_of(box, *pair)
    assert (lag['lag_from'], lag['heartbeat']) == (
        'seconds_behind_source', None)

    # Two beats, applied: the source's newest beat is the replica's.
    code, result = beat('--source', 'source', '--count', '2',
                        '--interval', '1')
    assert code == 0 and result['beats'] == 2, result
    assert result['stopped_by'] == 'count'
    settled()
    lag = lag_of(box, *pair)
    assert lag['lag_from'] == 'heartbeat', lag
    assert lag['heartbeat']['clock'] == 'source'
    assert lag['heartbeat']['seconds'] == 0
    # Without its source, the replica's own clock (same host: no skew).
    alone = lag_of(box, replica.name)['heartbeat']
    assert alone['clock'] == 'replica' and alone['used']
    assert 'skew not corrected' in alone['note']
    assert 0 <= alone['seconds'] < 30

    # The SQL thread stopped: three beats missed, two intervals apart
    # from the first to the last at least.
    query(replica, 'STOP REPLICA SQL_THREAD')
    code, result = beat('--source', 'source', '--count', '3',
                        '--interval', '1')
    assert code == 0 and result['beats'] == 3, result
    lag = lag_of(box, *pair)
    assert lag['lag_from'] == 'heartbeat', lag
    assert lag['heartbeat']['seconds'] >= 2.0
    # Both flavors show NULL while the SQL thread is stopped.
    assert lag['seconds'] is None
    query(replica, 'START REPLICA SQL_THREAD')
    settled()
    lag = lag_of(box, *pair)
    assert lag['lag_from'] == 'heartbeat' and \
        lag['heartbeat']['seconds'] == 0, lag

    # Refused on the replica, with nothing written there.
    before = executed(replica)
    for argv in (('--count', '1'), ('--remove',)):
        code, result = beat('--source', replica.name, *argv)
        assert code == 1 and result['kind'] == 'refused', result
        assert 'it is a replica' in result['error']
    assert executed(replica) == before
    code, result = beat('--source', 'source', '--interval', '0')
    assert code == 2 and '--interval' in result['error'], result

    # Ctrl-C ends a run without --count: exit 0 and what it wrote. Then
    # its beat grows old on the source, and status says the writer
    # stopped instead of calling that lag.
    writer = run_process('heartbeat', '--sandbox', box.base_dir,
                         '--source', 'source', '--interval', '0.1')
    until(lambda: scalar(source, 'SELECT interval_seconds FROM '
                                 'trove_gtid.heartbeat'),
          lambda interval: float(interval) == 0.1,
          'the writer\'s first beat')
    writer.send_signal(signal.SIGINT)
    out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    result = json.loads(out)
    assert result['stopped_by'] == 'interrupted' and result['beats'] >= 1
    settled()
    lag = until(lambda: lag_of(box, *pair),
                lambda found: found['heartbeat']['writer_stopped'],
                'the writer\'s beat to grow old', timeout=30)
    assert lag['lag_from'] == 'seconds_behind_source'
    assert 'writer stopped' in lag['heartbeat']['note']

    # --remove leaves a database that holds another table.
    query(source, 'CREATE TABLE trove_gtid.keep (id INT PRIMARY KEY)')
    code, result = beat('--source', 'source', '--remove')
    assert code == 0, result
    assert (result['table_dropped'], result['database_dropped']) == (
        True, False)
    settled()
    assert tables(source) == tables(replica) == ['keep']
    assert lag_of(box, *pair)['heartbeat'] is None

    # A database the command created, holding nothing else, goes too.
    query(source, 'DROP DATABASE trove_gtid')
    code, result = beat('--source', 'source', '--count', '1')
    assert code == 0, result
    code, result = beat('--source', 'source', '--remove')
    assert code == 0 and result['database_dropped'], result
    settled()
    assert schemas(source) == schemas(replica) == ()
