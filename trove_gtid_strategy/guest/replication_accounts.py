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

import dataclasses

from oslo_log import log as logging

from trove_gtid_strategy import accounts
from trove_gtid_strategy import dialect
from trove_gtid_strategy import errcodes
from trove_gtid_strategy.guest import server_state
from trove_gtid_strategy.guest import unlogged
from trove_gtid_strategy.state import text

LOG = logging.getLogger(__name__)


def _run(service, stmt):
    LOG.debug('SQL: %s', stmt)
    return service.execute_sql(stmt.sql)


@dataclasses.dataclass(frozen=True)
class Account:
    """A replication account as created (or reset) for one replica."""

    name: str
    password: str
    #: Its host pattern: where the replica may log in from.
    host: str
    #: ``REQUIRE``: what a login must present (``accounts.REQUIRE_*``).
    require: str
    #: Created by this call (a failed attach drops it again).
    created: bool
    #: Hosts the same name had (the replica attached from elsewhere
    #: before): dropped once the attach with this one succeeded, so a
    #: refused attach leaves the old account as it was.
    replaced_hosts: tuple = ()

    def as_trove_user(self):
        """Trove's ``replication_user`` dict."""
        return {'name': self.name, 'password': self.password}


def create_account(service, caps, prefix, identity=None, host=None,
                   require=accounts.REQUIRE_NONE):
    """The replication account of a replica, with a new password, bound
    to ``host`` and requiring ``require`` of every login.

    ``identity`` (what identifies the replica) names the account, so
    a repeated attach of the same replica reuses it; None gives a new
    random name. ``host`` None keeps the host the account has (an
    earlier attach bound it to the replica's address, and its creation
    replicated to every server of the topology, so a new source has it
    too: a second, wider account of the same name would never be the
    one a login matches), else any host.
    """
    d = dialect.Dialect(caps)
    name = accounts.account_name(prefix, identity, caps)
    hosts = account_hosts(service, name, d)
    if host is None:
        host = hosts[0] if len(hosts) == 1 else accounts.ANY_HOST
    accounts.check_host_pattern(host)
    password = accounts.new_password()
    if host in hosts:
        statements = [d.set_replication_password(name, password, host)] + \
            d.create_replication_user(name, password, host)[1:]
    else:
        statements = d.create_replication_user(name, password, host)
    statements.append(d.require(name, host, require))
    for stmt in statements:
        _run(service, stmt)
    return Account(name, password, host, require, host not in hosts,
                   tuple(h for h in hosts if h != host))


def account_hosts(service, name, d=None):
    """The hosts an account name exists with on ``service``."""
    d = d or server_state.dialect_of(service)
    return tuple(text(row[0]) for row in service.execute_sql(
        d.account_hosts(name).sql).fetchall())


def require(service, name, requirement):
    """Make every host pattern of an existing account require
    ``requirement`` (``accounts.REQUIRE_*``) of each login.
    """
    d = server_state.dialect_of(service)
    for host in account_hosts(service, name, d):
        _run(service, d.require(name, host, requirement))


def drop_account(service, name, on_replica=False, hosts=None):
    """Drop a replication account (``hosts``: those of its host patterns,
    default every one it has); one already gone is fine.

    ``on_replica``: the drop must not become a transaction of the
    replica's own (seed 004), so it runs without binary logging.
    """
    if hosts is not None and not hosts:
        return
    caps = server_state.read_version(service)[1]
    d = dialect.Dialect(caps)
    if hosts is None:
        hosts = account_hosts(service, name, d) or (accounts.ANY_HOST,)
    for host in hosts:
        stmt = d.drop_user(name, host)
        LOG.debug('SQL: %s', stmt)
        try:
            if on_replica:
                unlogged.run(service, [stmt.sql])
            else:
                service.execute_sql(stmt.sql)
        except Exception as exc:
            if errcodes.error_number(exc) != errcodes.ER_CANNOT_USER:
                raise
