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

"""Statements that must share one session.

``SET gtid_next`` holds for its session only, so the empty transaction
that skips or reconciles a GTID must run on the session that set it.
Trove's service takes a pooled connection per ``execute_sql`` call, so
its engine gives one connection for the whole list; our adapter holds
one connection, so its ``execute_sql`` already is that session.
"""


def run(service, statements):
    """Run ``statements`` (SQL text) in order on ONE session.

    On a failure the session's ``gtid_next`` is set back to
    ``AUTOMATIC``; a session that cannot be set back is closed (or, from
    a pool, invalidated), never reused.
    """
    engine = getattr(service, 'get_engine', None)
    if engine is not None:
        return _run_on_engine(engine(), statements)
    try:
        for sql in statements:
            service.execute_sql(sql)
    except Exception:
        try:
            service.execute_sql('ROLLBACK')
            service.execute_sql("SET gtid_next = 'AUTOMATIC'")
        except Exception:
            close = getattr(service, 'close', None)
            if close is not None:
                close()
        raise


def _run_on_engine(engine, statements):
    # SQLAlchemy is Trove's, present wherever get_engine is.
    import sqlalchemy
    with engine.connect() as conn:
        try:
            for sql in statements:
                conn.execute(sqlalchemy.text(sql))
            conn.commit()
        except Exception:
            try:
                conn.rollback()
                conn.execute(sqlalchemy.text("SET gtid_next = 'AUTOMATIC'"))
            except Exception:
                conn.invalidate()
            raise
