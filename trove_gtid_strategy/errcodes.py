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

"""Server and client error numbers this package acts on, in one place.

Named as in the servers' own headers (``mysqld_error.h``,
``errmsg.h``), as PyMySQL's ``constants.ER`` does, so a reader can look
each up in the MySQL or MariaDB error reference.
"""

# -- server errors -----------------------------------------------------
#: Access denied for user (wrong password, unknown account, wrong host).
ER_ACCESS_DENIED_ERROR = 1045
#: MariaDB's access denied where no account matches the client's host
#: (seen on 11.8 for a login from an address the account does not admit).
ER_ACCESS_DENIED_NO_PASSWORD_ERROR = 1698
#: Every refused login.
ACCESS_DENIED = (ER_ACCESS_DENIED_ERROR, ER_ACCESS_DENIED_NO_PASSWORD_ERROR)
#: Could not initialize master info structure: the replica's relay log
#: state did not load at startup (its info names a relay log its index
#: lacks; MySQL bug 83713, seen on MariaDB 10.11 and 11.8 after a restart).
ER_MASTER_INFO = 1201
#: Can't create database; database exists: an errant CREATE DATABASE
#: replayed on a replica that has it (seed 004).
ER_DB_CREATE_EXISTS = 1007
#: Duplicate entry for a key: a row applied twice.
ER_DUP_ENTRY = 1062
#: Table doesn't exist; unknown database (MySQL names the database
#: when it is what is missing).
ER_NO_SUCH_TABLE = 1146
ER_BAD_DB_ERROR = 1049
#: SELECT command denied for a table; access denied to a database.
ER_TABLEACCESS_DENIED_ERROR = 1142
ER_DBACCESS_DENIED_ERROR = 1044
#: Unknown system variable (a version without it).
ER_UNKNOWN_SYSTEM_VARIABLE = 1193
#: The replica is not running / not configured (STOP on a stopped one).
ER_SLAVE_NOT_RUNNING = 1199
#: Fatal error reading the source's binary log: a purged binlog or a
#: GTID the source does not have (seed 003, 004).
ER_MASTER_FATAL_ERROR_READING_BINLOG = 1236
#: MySQL 8.0+ reports error 1236 from the source under its own number.
ER_SERVER_SOURCE_FATAL_ERROR_READING_BINLOG = 13114
#: Operation CREATE USER / DROP USER failed for an account.
ER_CANNOT_USER = 1396
#: Access denied; you need (at least one of) the ... privilege(s).
ER_SPECIFIC_ACCESS_DENIED_ERROR = 1227
#: Lock wait timeout exceeded.
ER_LOCK_WAIT_TIMEOUT = 1205
#: The server is running with --read-only / --super-read-only.
ER_OPTION_PREVENTS_STATEMENT = 1290
#: SHOW GRANTS for an account dropped meanwhile.
ER_NONEXISTING_GRANT = 1141
#: KILL of a session that ended meanwhile.
ER_NO_SUCH_THREAD = 1094
#: Could not find target log (``SHOW ... EVENTS IN`` a missing file).
ER_ERROR_WHEN_EXECUTING_COMMAND = 1220
#: "When using parallel replication and GTID with multiple replication
#: domains, @@sql_slave_skip_counter can not be used" (MariaDB).
ER_SLAVE_SKIP_NOT_IN_GTID = 1966
#: A MySQL applier worker stopped because an earlier worker failed
#: (``replica_preserve_commit_order``): its transaction is a bystander.
ER_REPLICA_WORKER_STOPPED_PREVIOUS_THD_ERROR = 3030

# -- client errors (PyMySQL raises them as OperationalError) -----------
#: Can't connect to server.
CR_CONN_HOST_ERROR = 2003
#: Server has gone away.
CR_SERVER_GONE_ERROR = 2006
#: Lost connection to server during query.
CR_SERVER_LOST = 2013
#: Authentication requires a secure connection (caching_sha2_password
#: without TLS and without the source's public key).
CR_AUTH_PLUGIN_ERR = 2061

#: Can't connect through the unix socket.
CR_CONNECTION_ERROR = 2002
#: Unknown server host.
CR_UNKNOWN_HOST = 2005
#: Commands out of sync.
CR_COMMANDS_OUT_OF_SYNC = 2014
#: Shared memory connection abandoned.
CR_SHARED_MEMORY_CONNECT_ABANDONED_ERROR = 2045
#: Lost connection to server at the given stage.
CR_SERVER_LOST_EXTENDED = 2055

#: The connection dropped: the server restarted or died.
CONNECTION_LOST = (CR_SERVER_GONE_ERROR, CR_SERVER_LOST)
#: What Trove's pool checkout listener (trove.guestagent.utils.mysql.
#: connection_checkout) treats as a dead connection.
TROVE_DISCONNECTED = CONNECTION_LOST + (
    CR_COMMANDS_OUT_OF_SYNC, CR_SHARED_MEMORY_CONNECT_ABANDONED_ERROR,
    CR_SERVER_LOST_EXTENDED)
#: Could not reach or log in to a server.
CONNECTION_ERRORS = CONNECTION_LOST + (
    CR_CONNECTION_ERROR, CR_CONN_HOST_ERROR, CR_UNKNOWN_HOST,
    CR_AUTH_PLUGIN_ERR) + ACCESS_DENIED

#: Replication I/O thread errors that retrying will not cure: reported as
#: soon as the thread shows them instead of waiting for a timeout.
FATAL_IO_ERRORS = ACCESS_DENIED + (
    ER_MASTER_FATAL_ERROR_READING_BINLOG,
    ER_SERVER_SOURCE_FATAL_ERROR_READING_BINLOG, CR_AUTH_PLUGIN_ERR)


def error_number(exc):
    """The server error number of a PyMySQL or SQLAlchemy exception, or
    None for anything else.
    """
    orig = getattr(exc, 'orig', exc)
    args = getattr(orig, 'args', ())
    return args[0] if args and isinstance(args[0], int) else None
