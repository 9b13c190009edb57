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

"""GTID facts the topology operations rely on, on real servers (issue 7).

MySQL 9.7: the empty-transaction mechanism (``gtid_next``) that skip
and errant repair use; tagged GTIDs read back and parsed; purged sets
after ``PURGE BINARY LOGS``. Every line with TLS: replication over TLS
with the server's own certificates, from the command line.
"""

import os

import pytest

from trove_gtid_strategy import dialect
from trove_gtid_strategy.gtid import GtidSet
from trove_gtid_strategy import strategy

from support import admin_writes
from support import connect
from support import CountingService
from support import fingerprint
from support import make_table
from support import query
from support import run
from support import scalar
from support import sql_error


def attached(box):
    source = CountingService(box.source)
    replica = CountingService(box.replicas[0])
    repl = strategy.AutoReplication()
    repl.enable_as_master(source, None)
    repl.enable_as_slave(replica, repl.get_replica_context(source, None),
                         None)
    return repl, source, replica


@pytest.mark.lines('mysql-9.7')
def test_empty_transaction_skips_a_failed_one(sandbox_factory):
    box = sandbox_factory(replicas=1)
    repl, source, replica = attached(box)
    make_table(box.source, 2)
    repl.wait_until_applied(replica, repl.current_position(source))
    # A row the replica has and the source will insert: duplicate key.
    with admin_writes(box.replicas[0]):
        replica.run_unlogged(["INSERT INTO app.t VALUES (7, 'local')"])
    query(box.source, "INSERT INTO app.t VALUES (7, 'source')")
    failed = GtidSet.parse(scalar(box.source, 'SELECT @@gtid_executed')) - \
        GtidSet.parse(scalar(box.replicas[0], 'SELECT @@gtid_executed'))
    assert sql_error(replica).last_sql_errno == 1062
    assert failed.count() == 1
    conn = connect(box.replicas[0])
    with conn, conn.cursor() as cur:
        for stmt in dialect.Dialect(replica.dialect().caps).skip_transaction(
                str(failed)):
            cur.execute(stmt.sql)
    query(box.replicas[0], 'START REPLICA SQL_THREAD')
    make_table(box.source, 2, start=10)
    repl.wait_until_applied(replica, repl.current_position(source))
    assert GtidSet.parse(scalar(box.replicas[0], 'SELECT @@gtid_executed')) \
        == GtidSet.parse(scalar(box.source, 'SELECT @@gtid_executed'))
    assert scalar(box.replicas[0], 'SELECT v FROM app.t WHERE id = 7') == \
        'local'


@pytest.mark.lines('mysql-9.7')
def test_tagged_gtids_read_back_and_parsed(sandbox_factory):
    box = sandbox_factory(replicas=1)
    repl, source, replica = attached(box)
    make_table(box.source, 1)
    conn = connect(box.source)
    with conn, conn.cursor() as cur:
        cur.execute("SET gtid_next = 'AUTOMATIC:Batch_7'")
        cur.execute("INSERT INTO app.t VALUES (50, 'tagged')")
        cur.execute("SET gtid_next = 'AUTOMATIC'")
    text = scalar(box.source, 'SELECT @@gtid_executed')
    executed = GtidSet.parse(text)
    uuid = scalar(box.source, 'SELECT @@server_uuid')
    assert executed.intervals(uuid, 'batch_7') == ((1, 1),)
    assert str(executed) == text.replace('\n', '')
    repl.wait_until_applied(replica, repl.current_position(source))
    assert GtidSet.parse(scalar(box.replicas[0], 'SELECT @@gtid_executed')) \
        == executed


@pytest.mark.lines('mysql-9.7')
def test_purged_set_after_purge_binary_logs(sandbox_factory):
    box = sandbox_factory(replicas=1)
    repl, source, replica = attached(box)
    repl.detach_slave(replica, for_failover=False)
    make_table(box.source, 3)
    query(box.source, 'FLUSH BINARY LOGS')
    newest = query(box.source, 'SHOW BINARY LOGS')[-1][0]
    query(box.source, 'PURGE BINARY LOGS TO %s', newest)
    purged = GtidSet.parse(scalar(box.source, 'SELECT @@gtid_purged'))
    executed = GtidSet.parse(scalar(box.source, 'SELECT @@gtid_executed'))
    # The newest log holds no transaction: everything before it is gone.
    assert purged and purged == executed


#: The lines whose servers start with TLS certificates (MySQL writes
#: its own to the datadir; MariaDB 11.8 would make one in memory at each
#: start, so the sandbox gives it one, in the datadir too:
#: sandbox/certificate.py; Debian's MariaDB 10.11 has none).
TLS_LINES = ('mariadb-11.8', 'mysql-9.7')


def _has_tls(server):
    rows = query(server, "SHOW GLOBAL VARIABLES LIKE 'have_ssl'")
    # MySQL 8.4 removed have_ssl: TLS is on whenever it has certificates.
    return rows[0][1] == 'YES' if rows else bool(
        query(server, "SHOW GLOBAL STATUS LIKE 'Current_tls_cert'"))


def _tls_accepts(server):
    return int(query(server, "SHOW GLOBAL STATUS LIKE 'Ssl_accepts'")[0][1])


def test_replication_over_tls_with_the_servers_own_certificates(
        sandbox_factory):
    box = sandbox_factory(replicas=1)
    # Which lines come with certificates is known: a line that lost them
    # must fail here, not pass through the refusal branch.
    assert _has_tls(box.source) == (box.source.line.name in TLS_LINES)
    if not _has_tls(box.source):
        # MariaDB 10.11 as packaged has no certificate: TLS is refused
        # with the server's own message, never silently left off.
        code, result = run('attach', '--sandbox', box.base_dir, '--source',
                           'source', '--replica', 'replica1', '--tls',
                           'required')
        assert code == 1, result
        assert 'SSL' in result['error'] or 'TLS' in result['error']
        assert query(box.replicas[0], 'SHOW REPLICA STATUS') == ()
        return
    ca = os.path.join(box.source.datadir, 'ca.pem')
    assert os.path.exists(ca)
    # Verified against the CA on MySQL; encrypted only on MariaDB, as a
    # DBA without the source's CA at hand asks (test_least_privilege
    # verifies on both).
    verify = box.source.line.flavor == 'mysql'
    tls = (('--tls', 'verify', '--ca-file', ca) if verify
           else ('--tls', 'required'))
    accepted = _tls_accepts(box.source)
    code, result = run('attach', '--sandbox', box.base_dir, '--source',
                       'source', '--replica', 'replica1', *tls)
    assert code == 0, result
    replica = CountingService(box.replicas[0])
    row = dict(zip(*_status_row(replica)))
    assert row.get('Source_SSL_Allowed',
                   row.get('Master_SSL_Allowed')) == 'Yes'
    if verify:
        assert row.get('Source_SSL_CA_File') == ca
    make_table(box.source, 3)
    repl = strategy.AutoReplication()
    repl.wait_until_applied(replica, repl.current_position(
        CountingService(box.source)))
    assert fingerprint(box.replicas[0]) == fingerprint(box.source)
    # The source accepted TLS twice: the check as the replication account,
    # and the replica's I/O thread.
    assert _tls_accepts(box.source) - accepted >= 2


def _status_row(svc):
    result = svc.execute_sql(svc.dialect().show_replica_status().sql)
    return result.keys(), result.first()
