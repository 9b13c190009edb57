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

"""Replication accounts on a live server: created, reset, dropped.

Names and passwords are decided by :mod:`trove_gtid_strategy.accounts`;
this sends the statements. A drop on a replica runs without binary
logging: the replica's own transaction would be errant (seed 004).
"""

from oslo_log import log as logging

from trove_gtid_strategy import accounts
from trove_gtid_strategy import dialect
from trove_gtid_strategy import errcodes
from trove_gtid_strategy.guest import server_state
from trove_gtid_strategy.guest import unlogged

LOG = logging.getLogger(__name__)


def _run(service, stmt):
    LOG.debug('SQL: %s', stmt)
    return service.execute_sql(stmt.sql)


def create_account(service, caps, prefix, identity=None):
    """The replication account of a replica, with a new password.

    ``identity`` (what identifies the replica) names the account, so
    a repeated attach of the same replica reuses it; None gives a new
    random name. Returns ``({'name', 'password'}, created)``.
    """
    d = dialect.Dialect(caps)
    name = accounts.account_name(prefix, identity, caps)
    password = accounts.new_password()
    exists = int(service.execute_sql(
        d.count_accounts(name).sql).scalar() or 0)
    if exists:
        _run(service, d.set_replication_password(name, password))
        statements = d.create_replication_user(name, password)[1:]
    else:
        statements = d.create_replication_user(name, password)
    for stmt in statements:
        _run(service, stmt)
    return {'name': name, 'password': password}, not exists


def drop_account(service, name, on_replica=False):
    """Drop a replication account; one already gone is fine.

    ``on_replica``: the drop must not become a transaction of the
    replica's own (seed 004), so it runs without binary logging.
    """
    caps = server_state.read_version(service)[1]
    stmt = dialect.Dialect(caps).drop_user(name)
    LOG.debug('SQL: %s', stmt)
    try:
        if on_replica:
            unlogged.run(service, [stmt.sql])
        else:
            service.execute_sql(stmt.sql)
    except Exception as exc:
        if errcodes.error_number(exc) != errcodes.ER_CANNOT_USER:
            raise
