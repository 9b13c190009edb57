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

"""The accounts that read a source's binary log: an audit, and the
removal of this project's unused ones.

Every account holding a replication privilege is listed, ours and
anyone's, with its host pattern, TLS requirement, exposure flags and
the replicas using it (:mod:`~trove_gtid_strategy.account_audit`): a
replica connected now shows as a binlog dump session; a replica given
explicitly is asked for its source account. Older releases left one
account behind at every refused or repeated attach, so the unused ones
this project created can be dropped; an account it did not create
(another name, or more than replication granted) never is.
"""

from trove_gtid_strategy import account_audit
from trove_gtid_strategy import dialect
from trove_gtid_strategy import errcodes
from trove_gtid_strategy.guest import server as server_mod
from trove_gtid_strategy.state import text as _text


def list_accounts(source, replicas, prefix):
    """:class:`~trove_gtid_strategy.account_audit.Audited` of every
    account on ``source`` that reads its binary log, with the replicas
    using each; ``prefix`` tells ours.
    """
    version = server_mod.handle(source, 'source').version
    rows = [account_audit.row_from(values, version) for values in
            source.execute_sql(
                account_audit.accounts_query(version)).fetchall()]
    grants = {row.key: account_audit.read_grants(_grant_lines(source, row))
              for row in rows}
    found = account_audit.audit(rows, grants, prefix)
    account_audit.attribute_sessions(found, [
        (_text(user), _text(host)) for user, host in source.execute_sql(
            dialect.binlog_dump_sessions().sql).fetchall()])
    for replica in replicas:
        status = server_mod.handle(replica, 'replica').replica_status()
        if status is not None and status.source_user:
            account_audit.attribute_replica(found, status.source_user,
                                            replica.dsn.redacted())
    return found


def _grant_lines(source, row):
    try:
        return [_text(r[0]) for r in source.execute_sql(
            account_audit.show_grants(row)).fetchall()]
    except Exception as exc:
        # Dropped since it was listed: it holds nothing now.
        if errcodes.error_number(exc) == errcodes.ER_NONEXISTING_GRANT:
            return []
        raise


def drop_unused(source, accounts):
    """Drop the accounts this project created that no replica uses;
    returns them. Any other account is left as it is, used or not.
    """
    server = server_mod.handle(source, 'source')
    dropped = []
    for account in accounts:
        if account.used_by or not account.ours:
            continue
        try:
            server.run(server.dialect.drop_user(account.name, account.host))
        except Exception as exc:
            if errcodes.error_number(exc) != errcodes.ER_CANNOT_USER:
                raise
        dropped.append(account)
    return dropped
