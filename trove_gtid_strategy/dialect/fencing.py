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

"""The statements of a fence: what keeps a source being switched away
from (or lost) from taking writes, and undoes that. A part of
:class:`~trove_gtid_strategy.dialect.Dialect`.
"""

from trove_gtid_strategy.dialect.statement import account as _account
from trove_gtid_strategy.dialect.statement import plain as _plain
from trove_gtid_strategy import fencing
from trove_gtid_strategy import literals


class FencingStatements:
    """A part of :class:`~trove_gtid_strategy.dialect.Dialect` (it reads
    ``self.caps``).
    """

    def fence(self):
        """Stop every write on a source being switched away from: MySQL's
        ``super_read_only`` stops SUPER accounts too; MariaDB's
        ``read_only`` does not stop accounts with READ ONLY ADMIN (SUPER
        before 10.5.2), whose sessions the caller ends.
        """
        if self.caps.super_read_only:
            return self.set_super_read_only(True)
        return self.set_read_only(True)

    def unfence(self, read_only_before=False):
        """Undo :meth:`fence` (``super_read_only = OFF`` keeps
        ``read_only`` as it was).
        """
        if self.caps.super_read_only:
            stmts = [self.set_super_read_only(False)]
            if not read_only_before:
                stmts.append(self.set_read_only(False))
            return stmts
        return [self.set_read_only(read_only_before)]

    # -- fencing the accounts read_only does not stop (fencing.py) -------
    def fence_accounts(self):
        """SELECT ``User, Host, is_role, locked`` of every account
        (MariaDB 10.4+, whose ``mysql.global_priv`` holds both flags).
        """
        return _plain("SELECT User, Host, "
                      "IFNULL(JSON_VALUE(Priv, '$.is_role'), 'false'), "
                      "IFNULL(JSON_VALUE(Priv, '$.account_locked'), "
                      "'false') FROM mysql.global_priv")

    @staticmethod
    def show_grants(account, role=False):
        return _plain('SHOW GRANTS FOR %s' % (
            literals.quote(account.user) if role
            else _account(account.user, account.host)))

    @staticmethod
    def grantees_with(privileges):
        """SELECT ``User, Host`` of the accounts holding one of these
        global privileges directly (servers without global_priv).
        """
        # GRANTEE is 'user'@'host' with nothing escaped; CHAR(39) is ',
        # whatever sql_mode says of quotes.
        return _plain("SELECT User, Host FROM mysql.user WHERE CONCAT("
                      "CHAR(39), User, CHAR(39), '@', CHAR(39), Host, "
                      "CHAR(39)) IN (SELECT GRANTEE FROM information_schema."
                      "USER_PRIVILEGES WHERE PRIVILEGE_TYPE IN (%s))"
                      % ', '.join(literals.quote(p) for p in privileges))

    @staticmethod
    def current_user():
        return _plain('SELECT CURRENT_USER()')

    @staticmethod
    def fence_marks():
        """SELECT ``User, Host, Admin_option`` of the fence role's
        members (the fence's marks have no admin option).
        """
        return _plain("SELECT User, Host, Admin_option FROM "
                      "mysql.roles_mapping WHERE Role = %s ORDER BY User, "
                      "Host" % literals.quote(fencing.FENCE_ROLE))

    @staticmethod
    def lock_fenced(account):
        """Mark, then lock (a run stopped between them leaves a mark
        on an unlocked account, which lifting handles).
        """
        role = literals.quote(fencing.FENCE_ROLE)
        name = _account(account.user, account.host)
        return [_plain('CREATE ROLE IF NOT EXISTS %s' % role),
                _plain('GRANT %s TO %s' % (role, name)),
                _plain('ALTER USER %s ACCOUNT LOCK' % name)]

    @staticmethod
    def unlock_fenced(account):
        """Unlock, then unmark (the reverse order of locking)."""
        name = _account(account.user, account.host)
        return [_plain('ALTER USER %s ACCOUNT UNLOCK' % name),
                _plain('REVOKE %s FROM %s' % (
                    literals.quote(fencing.FENCE_ROLE), name))]

    @staticmethod
    def drop_fence_role():
        return _plain('DROP ROLE IF EXISTS %s'
                      % literals.quote(fencing.FENCE_ROLE))

    def client_sessions(self):
        """SELECT ``ID, USER, COMMAND`` of every session but this one."""
        return _plain('SELECT ID, USER, COMMAND FROM information_schema.'
                      'PROCESSLIST WHERE ID <> CONNECTION_ID()')

    def kill_session(self, session_id):
        return _plain('KILL CONNECTION %s'
                      % literals.integer(session_id, 'session id'))
