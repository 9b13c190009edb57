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

"""What the Trove-flow tests read from the servers (stock and ours)."""

import trove_support as ts


def replica_status(server):
    """SHOW REPLICA STATUS (MariaDB: SLAVE) as a dict; None if none."""
    sql = ('SHOW REPLICA STATUS' if server.line.flavor == 'mysql'
           else 'SHOW SLAVE STATUS')
    conn = ts.connect(server)
    with conn, conn.cursor() as cur:
        cur.execute(sql)
        row = cur.fetchone()
        if row is None:
            return None
        status = dict(zip([d[0] for d in cur.description], row))
    # MySQL's names, whichever the server.
    status.setdefault('Source_Port', status.get('Master_Port'))
    status.setdefault('Source_User', status.get('Master_User'))
    return status


def replication_source_port(server):
    """The port the server replicates from; None when it does not."""
    status = replica_status(server)
    return status and status['Source_Port']


def replication_user(server):
    return replica_status(server)['Source_User']


def read_only(server):
    return bool(ts.scalar(server, 'SELECT @@global.read_only'))


def rows_of(server):
    return ts.query(server, 'SELECT id, v FROM app.t ORDER BY id')


def stop_applier(server):
    if server.line.flavor == 'mysql':
        ts.query(server, 'STOP REPLICA SQL_THREAD')
    else:
        ts.query(server, 'STOP SLAVE SQL_THREAD')


def stop_receiving(server):
    """The replica's I/O thread stopped: what the source writes next
    never reaches it (a replica that lags in what it received).
    """
    ts.query(server, 'STOP REPLICA IO_THREAD'
             if server.line.flavor == 'mysql' else 'STOP SLAVE IO_THREAD')


def errant_write(server):
    """A row written on the replica itself, binlogged: errant."""
    conn = ts.connect(server)
    with conn, conn.cursor() as cur:
        cur.execute('SET GLOBAL read_only = OFF')
        cur.execute("INSERT INTO app.t VALUES (1000, 'errant')")
        cur.execute('SET GLOBAL read_only = ON')


def one_lagging(made, errant=False, stop=stop_receiving):
    """The history the eject scenarios start from: 20 rows everywhere,
    then replica1 is stopped (``stop``: by default it stops receiving)
    and 5 more rows reach replica2 only; with ``errant``, replica2 also
    writes a row of its own (id 1000).
    Returns the servers ``(source, replica1, replica2)``.
    """
    source, one, two = (made.servers[name] for name in made.ids)
    ts.make_data(source, 20)
    for replica in (one, two):
        ts.wait_caught_up(source, replica)
    stop(one)
    ts.make_data(source, 5, start=20)
    ts.wait_caught_up(source, two)
    if errant:
        errant_write(two)
    return source, one, two
