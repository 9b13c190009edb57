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

"""The statements of the heartbeat table
(:mod:`~trove_gtid_strategy.heartbeat_lag`); the same on every version.
"""

from trove_gtid_strategy.dialect.statement import plain as _plain
from trove_gtid_strategy import heartbeat_lag
from trove_gtid_strategy import literals


def _table():
    return '%s.%s' % (literals.identifier(heartbeat_lag.DATABASE),
                      literals.identifier(heartbeat_lag.TABLE))


def table_comment():
    """SELECT the heartbeat table's comment (no row: no table)."""
    return _plain('SELECT TABLE_COMMENT FROM information_schema.TABLES '
                  'WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s' % (
                      literals.quote(heartbeat_lag.DATABASE),
                      literals.quote(heartbeat_lag.TABLE)))


def create_database():
    """Without IF NOT EXISTS: error 1007 says the database was there."""
    return _plain('CREATE DATABASE %s'
                  % literals.identifier(heartbeat_lag.DATABASE))


def create_table(comment):
    """One row per source ``server_id``. ``ts`` is a DATETIME holding
    ``UTC_TIMESTAMP(6)``: a TIMESTAMP would be converted through each
    session's ``time_zone`` on the way in and out.
    """
    return _plain(
        'CREATE TABLE %s (server_id INT UNSIGNED NOT NULL PRIMARY KEY, '
        "server_uuid VARCHAR(64) NOT NULL DEFAULT '', ts DATETIME(6) NOT "
        'NULL, interval_seconds DECIMAL(10,3) NOT NULL) ENGINE=InnoDB '
        'COMMENT=%s' % (_table(), literals.quote(comment)))


def beat(server_id, server_uuid, interval):
    """One beat: the server's own UTC clock under its ``server_id``,
    given as literals (``@@server_id`` in a statement-logged REPLACE
    would be the replica's own when it applies it).
    """
    return _plain(
        'REPLACE INTO %s (server_id, server_uuid, ts, interval_seconds) '
        'VALUES (%s, %s, UTC_TIMESTAMP(6), %.3f)' % (
            _table(), literals.integer(server_id, 'server_id'),
            literals.quote(server_uuid), float(interval)))


def read_beats():
    """Every beat and the server's UTC now: one cheap query (error 1146
    where there is no table).
    """
    return _plain('SELECT server_id, ts, interval_seconds, '
                  'UTC_TIMESTAMP(6) FROM %s' % _table())


def drop_table():
    return _plain('DROP TABLE IF EXISTS %s' % _table())


def database_objects():
    """SELECT how many tables, views, routines and events the heartbeat
    database holds.
    """
    schema = literals.quote(heartbeat_lag.DATABASE)
    return _plain(
        'SELECT (SELECT COUNT(*) FROM information_schema.TABLES WHERE '
        'TABLE_SCHEMA = %s) + (SELECT COUNT(*) FROM information_schema.'
        'ROUTINES WHERE ROUTINE_SCHEMA = %s) + (SELECT COUNT(*) FROM '
        'information_schema.EVENTS WHERE EVENT_SCHEMA = %s)'
        % (schema, schema, schema))


def drop_database():
    return _plain('DROP DATABASE IF EXISTS %s'
                  % literals.identifier(heartbeat_lag.DATABASE))
