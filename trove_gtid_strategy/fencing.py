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

"""Which accounts a fence must keep out, decided from their grants.

A fenced source must take no write from anyone but the operation. MySQL
5.7.8+ does that with ``super_read_only``. MariaDB has no such variable:
``read_only`` lets accounts holding READ_ONLY ADMIN (SUPER before 10.11)
write, and ending their sessions is not enough, since a client reconnects
at once (seen: thousands of rows landed on a fenced MariaDB source). So
where the server can (``lockable_fence``), the fence also locks those
accounts, all but those of the user running the operation, for as long
as it holds.

Each account it locks is first granted :data:`FENCE_ROLE`, a role with no
privileges: the mark says the lock is the fence's, so whoever lifts the
fence (this run, a re-run from another machine) unlocks exactly those
accounts and never one an administrator locked. The statements run
unlogged on the fenced server: marks and locks stay there, in no binary
log and no GTID set.

Pure: grants in (``SHOW GRANTS`` lines), decisions out.
"""

import dataclasses
import re

#: The marking role (no privileges of its own).
FENCE_ROLE = 'trove_gtid_fence'

# GRANT priv[, priv...] ON *.* TO ...   (global privileges)
_GLOBAL = re.compile(r'^GRANT (?P<privs>.+?) ON \*\.\* TO ', re.IGNORECASE)
# GRANT `role` TO ...                   (a role granted)
_ROLE = re.compile(r'^GRANT (?P<role>`(?:[^`]|``)+`|\'(?:[^\']|\'\')+\'|'
                   r'[^\s`\']+) TO ', re.IGNORECASE)


@dataclasses.dataclass(frozen=True, order=True)
class Account:
    """``'user'@'host'`` (a role has host ``''``)."""

    user: str
    host: str = ''

    def __str__(self):
        return "'%s'@'%s'" % (self.user, self.host)


def _unquote(name):
    quote = name[0]
    if quote in '`\'' and name.endswith(quote):
        return name[1:-1].replace(quote * 2, quote)
    return name


def global_privileges(grant_lines):
    """The global privileges ``SHOW GRANTS`` lines give, upper case."""
    found = set()
    for line in grant_lines:
        match = _GLOBAL.match(line.strip())
        if match:
            found.update(p.strip().upper()
                         for p in match.group('privs').split(','))
    return found


def granted_roles(grant_lines):
    """The roles ``SHOW GRANTS`` lines grant (``GRANT role TO ...``)."""
    roles = set()
    for line in grant_lines:
        text = line.strip()
        if ' ON ' in text.upper().split(' TO ')[0]:
            continue
        match = _ROLE.match(text)
        if match:
            roles.add(_unquote(match.group('role')))
    return roles


def bypasses_read_only(grant_lines, bypass, privileged_roles=frozenset()):
    """True if an account with these grants writes through ``read_only``:
    a bypass privilege (or ALL PRIVILEGES) on ``*.*``, directly or through
    a role that has one.
    """
    held = global_privileges(grant_lines)
    if 'ALL PRIVILEGES' in held or 'ALL' in held or held & {
            word.upper() for word in bypass}:
        return True
    return bool(granted_roles(grant_lines) & set(privileged_roles))


@dataclasses.dataclass(frozen=True)
class AccountRow:
    """One account as the server lists it."""

    account: Account
    is_role: bool
    locked: bool


def writers(rows, grants, bypass):
    """Every account (not a role) that writes through ``read_only``,
    sorted: their sessions end when the fence goes up.

    ``grants``: ``{Account: SHOW GRANTS lines}`` of every row.
    """
    privileged_roles = {row.account.user for row in rows if row.is_role
                        and bypasses_read_only(grants.get(row.account, ()),
                                               bypass)}
    return sorted(
        row.account for row in rows if not row.is_role
        and bypasses_read_only(grants.get(row.account, ()), bypass,
                               privileged_roles))


def accounts_to_lock(rows, grants, bypass, current):
    """The :func:`writers` the fence locks, sorted: not those locked
    already (an administrator's lock is not the fence's to lift), never
    an account of the user running the operation (``current``: its
    ``'admin'@'%'`` and its ``'admin'@'localhost'`` are one operator,
    whose other sessions still end).
    """
    locked = {row.account for row in rows if row.locked}
    return [account for account in writers(rows, grants, bypass)
            if account not in locked and account.user != current.user]


def parse_current_user(text):
    """``CURRENT_USER()`` (``user@host``) as an :class:`Account`."""
    user, _, host = (text or '').rpartition('@')
    return Account(user, host)
