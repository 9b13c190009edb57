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

"""Failover over histories with more than one origin, on real servers
(issue 14, item 1), through the command line in JSON.

One topology per line for the whole story: a source S and replicas R1,
R2, R3. R3 takes a write of its own (an administrator's stray write:
on MariaDB in a domain of its own, gtid_domain_id 9, so its replication
of S goes on) and R2 follows R3 for a moment, as an operator or a tool
relocating it by mistake would make it, then S again, where it stops
receiving (lagging). S is killed under counted writes:

1. ``--candidate replica2`` is refused, nothing changed: it lacks S's
   last transactions (and, MySQL, would spread R3's).
2. MySQL: R3's transaction on the lagging R2 is errant (R1 holds S's
   later transactions without it): R1 is promoted and R2 named, where
   the election refused before (no replica held everything). MariaDB:
   domain 9 carries no order against domain 0, so R3's GTID on R2 is
   lineage nobody passed: refused with both sets, then
   ``--candidate replica1 --allow-data-loss`` promotes R1, saying it
   drops 9-R3-1.
3. R3, once a source (R2 replicated from it), is pointed at R1 and R1
   is killed under counted writes: R3 alone, its own transactions in its
   set, is promoted (the election called them errant before).

Each promoted server holds exactly the acknowledged rows (count, and
CHECKSUM TABLE against a table of the expected rows).
"""

from support import admin_writes
from support import catch_up
from support import checksum
from support import connect
from support import CountingService
from support import is_mysql
from support import query
from support import run
from support import scalar
from support import status
from support import topology
from support import until
from support import Writer

STRAY_DOMAIN = 9


def ids(server):
    return {row[0] for row in query(server, 'SELECT id FROM app.w')}


def stray_write(server):
    """An administrator's write on a replica (MariaDB: in a domain of its
    own, so the replica's strict GTID order in S's domain is untouched);
    returns its GTID.
    """
    with admin_writes(server):
        conn = connect(server)
        with conn, conn.cursor() as cur:
            if not is_mysql(server):
                cur.execute('SET SESSION gtid_domain_id = %s',
                            (STRAY_DOMAIN,))
            cur.execute('CREATE DATABASE stray')
    if is_mysql(server):
        return '%s:1' % scalar(server, 'SELECT @@server_uuid')
    return '%d-%d-1' % (STRAY_DOMAIN, scalar(server, 'SELECT @@server_id'))


def follow(replica, source):
    """Point ``replica`` at ``source`` by hand (the account and the GTID
    auto-positioning it has stay) and start it.
    """
    query(replica, 'STOP REPLICA')
    if is_mysql(replica):
        query(replica, 'CHANGE REPLICATION SOURCE TO SOURCE_PORT = %s',
              source.port)
    else:
        query(replica, 'CHANGE MASTER TO MASTER_PORT = %s', source.port)
    query(replica, 'START REPLICA')


def holds_stray(server):
    return scalar(server, "SELECT COUNT(*) FROM information_schema.SCHEMATA "
                          "WHERE SCHEMA_NAME = 'stray'") == 1


def drop_stray_domain(replica):
    """MariaDB: S never had domain 9, so it would refuse R2's position
    there; the operator's usual fix drops the domain from gtid_slave_pos
    (the GTID stays in the binary log).
    """
    kept = [g for g in scalar(replica, 'SELECT @@gtid_slave_pos').split(',')
            if g and not g.startswith('%d-' % STRAY_DOMAIN)]
    query(replica, 'SET GLOBAL gtid_slave_pos = %s', ','.join(kept))


def as_they_are(servers):
    """What a refused failover must leave as it was on the live servers:
    threads, source, executed state, read_only.
    """
    found = []
    for server in servers:
        replica = status(CountingService(server))
        names = ('@@gtid_executed' if is_mysql(server)
                 else '@@gtid_slave_pos, @@gtid_binlog_state')
        found.append((server.name, replica.source_port, replica.io_running,
                      replica.sql_running,
                      query(server, 'SELECT %s, @@read_only' % names)))
    return found


def exactly_acknowledged(server, acknowledged):
    """The promoted server holds exactly the acknowledged rows: the same
    ids, and CHECKSUM TABLE equal to a table of the expected rows written
    on it (it is writable now).
    """
    assert ids(server) == set(acknowledged)
    query(server, 'CREATE TABLE app.expected LIKE app.w')
    conn = connect(server)
    with conn, conn.cursor() as cur:
        cur.executemany('INSERT INTO app.expected VALUES (%s, %s)',
                        [(i, 'w %d' % i) for i in acknowledged])
    assert checksum(server, 'app.w') == checksum(server, 'app.expected')
    query(server, 'DROP TABLE app.expected')


def written(server, count, start=0):
    writer = Writer(server, limit=count, start=start)
    writer.start()
    writer.join(120)
    assert not writer.is_alive() and writer.error is None, writer.error
    return writer.acknowledged


def failover(box, *argv):
    return run('failover', '--sandbox', box.base_dir, '--timeout', '30',
               *argv)


def test_failover_over_histories_of_several_origins(sandbox_factory,
                                                    server_line, options):
    box, (_, first, lagging, stray), repl = topology(
        sandbox_factory, options, 'gtid', replicas=3)
    source, r1, r2, r3 = box.servers()
    mysql = is_mysql(source)
    lost = scalar(source, 'SELECT @@server_uuid' if mysql
                  else 'SELECT @@server_id')
    acknowledged = written(source, 50)
    catch_up(repl, CountingService(source), first, lagging, stray)
    stray_gtid = stray_write(r3)
    follow(r2, r3)
    until(lambda: holds_stray(r2), bool, 'replica2 to receive %s'
          % stray_gtid)
    if not mysql:
        query(r2, 'STOP REPLICA')
        drop_stray_domain(r2)
    follow(r2, source)
    catch_up(repl, CountingService(source), lagging)
    query(r2, 'STOP REPLICA IO_THREAD')
    acknowledged += written(source, 250, start=50)
    catch_up(repl, CountingService(source), first, stray)
    source.kill()
    replicas = ('--replica', 'replica1', '--replica', 'replica2')

    # 1. The lagging replica as the candidate: refused, nothing changed.
    before = as_they_are((r1, r2, r3))
    code, refused = failover(box, *replicas, '--candidate', 'replica2')
    assert (code, refused['kind']) == (1, 'refused'), refused
    codes = [p['code'] for p in refused['problems']]
    assert codes == (['candidate_behind', 'errant_candidate'] if mysql
                     else ['candidate_behind']), refused
    election = refused['election']
    assert election['choices']['replica2']['would_lose']
    assert set(election['held']) == {'replica1', 'replica2'}
    assert as_they_are((r1, r2, r3)) == before

    # 2. The complete replica is promoted, the odd one named.
    if mysql:
        code, done = failover(box, *replicas)
        assert done['election']['errant'] == {'replica2': stray_gtid}, done
        assert done['election']['lost_source']['uuid'] == lost
    else:
        code, refused = failover(box, *replicas)
        assert [p['code'] for p in refused['problems']] == \
            ['no_complete_candidate'], refused
        assert refused['election']['choices']['replica1'] == {
            'would_lose': stray_gtid, 'would_spread': ''}
        assert as_they_are((r1, r2, r3)) == before
        code, done = failover(box, *replicas, '--candidate', 'replica1',
                              '--allow-data-loss')
        assert done['election']['would_lose'] == {'replica2': stray_gtid}
        assert done['election']['lost_source']['server_id'] == lost
    assert done['new_source'] == 'replica1', done
    assert done['outcomes']['replica1'] == 'promoted'
    exactly_acknowledged(r1, acknowledged)

    # 3. R3, once R2's source, follows R1; R1 is lost; R3 alone holds its
    # own transaction among the others': history, so it is promoted.
    follow(r3, r1)
    catch_up(repl, first, stray)
    acknowledged += written(r1, 200, start=300)
    catch_up(repl, first, stray)
    r1.kill()
    code, done = failover(box, '--replica', 'replica3')
    assert (code, done['new_source']) == (0, 'replica3'), done
    assert done['election']['errant'] == {}
    assert stray_gtid.split(':')[0] in done['election']['held']['replica3']
    exactly_acknowledged(r3, acknowledged)
