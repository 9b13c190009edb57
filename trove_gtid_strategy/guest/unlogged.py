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

"""Maintenance statements that must not reach the binary log.

A replica's own binlogged transaction is errant (seed 004): it breaks
the next GTID attach and any promotion. So maintenance on a replica
(dropping its replication account after a detach) runs with
``sql_log_bin = 0``, on one connection, set back to 1 before that
connection is used for anything else.
"""


def run(service, statements):
    """Run maintenance statements without binary logging, on one
    connection, with ``sql_log_bin`` set back before it is released.

    Our adapter holds one connection; Trove's service gives its SQLAlchemy
    engine (``execute_sql`` takes a pooled connection per call, so a
    ``SET sql_log_bin`` there would reach neither the next statement nor
    only it).
    """
    runner = getattr(service, 'run_unlogged', None)
    if runner is not None:
        return runner(statements)
    # SQLAlchemy is Trove's, present wherever get_engine is.
    import sqlalchemy
    engine = service.get_engine()
    with engine.connect() as conn:
        conn.execute(sqlalchemy.text('SET SESSION sql_log_bin = 0'))
        try:
            for sql in statements:
                conn.execute(sqlalchemy.text(sql))
            conn.commit()
        finally:
            try:
                conn.execute(sqlalchemy.text('SET SESSION sql_log_bin = 1'))
            except Exception:
                # Never hand an unlogged session back to the pool.
                conn.invalidate()
                raise
