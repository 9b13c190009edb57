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

"""The replication accounts this project created on a source.

Older releases left one behind at every refused or repeated attach; this
finds them by their name prefix and replication privilege, says which
replica uses each (a replica connected now shows as a binlog dump
session; a replica given explicitly is asked for its source account) and
drops the unused ones.
"""

import dataclasses

from trove_gtid_strategy import dialect
from trove_gtid_strategy import errcodes
from trove_gtid_strategy.guest import server_state
from trove_gtid_strategy.guest import statements


@dataclasses.dataclass
class Account:
    name: str
    host: str
    used_by: list


def _text(value):
    return value.decode('utf-8') if isinstance(value, bytes) else str(value)


def list_accounts(source, replicas, prefix):
    """The accounts on ``source`` whose names start with ``prefix`` and
    that hold the replication privilege, with the replicas using each.
    """
    d = server_state.dialect_of(source)
    users = {}
    for user, host in source.execute_sql(
            d.replication_accounts(prefix).sql).fetchall():
        users[_text(user)] = Account(_text(user), _text(host), [])
    for user, host in source.execute_sql(
            dialect.binlog_dump_sessions().sql).fetchall():
        if _text(user) in users:
            users[_text(user)].used_by.append(
                'connected from %s' % _text(host))
    for replica in replicas:
        status = server_state.read_replica_status(
            replica, server_state.dialect_of(replica))
        if status is not None and status.source_user in users:
            users[status.source_user].used_by.append(
                replica.dsn.redacted())
    return sorted(users.values(), key=lambda a: a.name)


def drop_unused(source, accounts):
    """Drop the accounts no replica uses; returns their names."""
    d = server_state.dialect_of(source)
    dropped = []
    for account in accounts:
        if account.used_by:
            continue
        try:
            statements.run(source, d.drop_user(account.name, account.host))
        except Exception as exc:
            if errcodes.error_number(exc) != errcodes.ER_CANNOT_USER:
                raise
        dropped.append(account.name)
    return dropped
