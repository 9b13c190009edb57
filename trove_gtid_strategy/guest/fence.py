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

"""Fencing a server: no write from anyone but the operation, and lifting
exactly what the fence did.

``fence`` turns ``super_read_only`` on (MySQL 5.7.8+) or ``read_only``
on, then, where ``read_only`` lets accounts through (MariaDB), locks and
marks them (see :mod:`trove_gtid_strategy.fencing`) and ends their
sessions. ``lift_locks`` unlocks the marked accounts of any earlier fence
on the server, whoever set it; ``read_only`` is the caller's to set, since
a fenced source either becomes a replica (read-only) or is made writable
again.

Every account statement runs unlogged on one connection (``unlogged``):
the fenced server may be a replica by the time the locks are lifted, and
nothing done here may create a transaction there.
"""

import time

from trove_gtid_strategy import errcodes
from trove_gtid_strategy import exceptions
from trove_gtid_strategy import fencing
from trove_gtid_strategy.guest import naming
from trove_gtid_strategy.guest import server_state
from trove_gtid_strategy.guest import statements
from trove_gtid_strategy.state import text as _text


# A killed session ends at its next check, within milliseconds unless a
# statement cannot be interrupted.
SESSION_END_TIMEOUT = 30
SESSION_POLL = 0.01


def writers_through_read_only(svc):
    """The accounts ``read_only`` does not stop on ``svc``, as
    ``(writers, to lock)``; ``to lock`` is None where the server cannot
    lock accounts.
    """
    d = server_state.dialect_of(svc)
    caps = d.caps
    if not caps.read_only_bypass:
        return [], []
    current = fencing.parse_current_user(_text(
        svc.execute_sql(d.current_user().sql).scalar()))
    if not caps.lockable_fence:
        # Before MariaDB 10.4.2 (MySQL before 5.7.8): no account locks;
        # the accounts are found from information_schema.
        rows = svc.execute_sql(d.grantees_with(caps.read_only_bypass).sql)
        return sorted({fencing.Account(_text(u), _text(h))
                       for u, h in rows.fetchall()}), None
    rows = [fencing.AccountRow(fencing.Account(_text(u), _text(h)),
                               _text(role) == 'true', _text(lock) == 'true')
            for u, h, role, lock in
            svc.execute_sql(d.fence_accounts().sql).fetchall()]
    grants = {row.account: _grant_lines(svc, d, row) for row in rows}
    return (fencing.writers(rows, grants, caps.read_only_bypass),
            fencing.accounts_to_lock(rows, grants, caps.read_only_bypass,
                                     current))


def _grant_lines(svc, d, row):
    try:
        return [_text(r[0]) for r in svc.execute_sql(
            d.show_grants(row.account, role=row.is_role).sql).fetchall()]
    except Exception as exc:
        # An account dropped meanwhile has no grants to judge.
        if errcodes.error_number(exc) in (errcodes.ER_NONEXISTING_GRANT,):
            return []
        raise


def fence(svc, progress, allow_unfenced=False):
    """Fence ``svc``; returns the accounts it locked. Refuses (before any
    change) a server whose privileged accounts cannot be kept out, unless
    ``allow_unfenced``.
    """
    d = server_state.dialect_of(svc)
    writers, to_lock = writers_through_read_only(svc)
    if to_lock is None and writers and not allow_unfenced:
        raise exceptions.PrecheckFailed(
            '%s cannot keep out accounts that write through read_only '
            '(%s): %s has no account locks and no super_read_only; their '
            'sessions would only be ended, and a client that reconnects '
            'writes again: stop those clients, or allow it with '
            '--allow-unfenced-accounts' % (
                naming.name_of(svc), ', '.join(str(a) for a in writers),
                d.caps.version))
    statements.run(svc, d.fence())
    if to_lock:
        progress('locking %d account(s) that write through read_only on '
                 '%s: %s' % (len(to_lock), naming.name_of(svc),
                             ', '.join(str(a) for a in to_lock)))
        statements.run_unlogged(svc, [stmt for account in to_lock
                                      for stmt in d.lock_fenced(account)])
    _end_sessions(svc, d, writers, progress)
    return to_lock or []


def _end_sessions(svc, d, accounts, progress, timeout=SESSION_END_TIMEOUT):
    """KILL the sessions of ``accounts`` and wait until they are gone: a
    session killed mid-commit finishes that commit, which must be in the
    source's binary log before its final position is read.
    """
    users = {a.user for a in accounts}
    if not users:
        return
    killed = set()
    for session_id, user, command in svc.execute_sql(
            d.client_sessions().sql).fetchall():
        if _text(user) in users and not _text(command).startswith(
                'Binlog Dump'):
            progress('ending session %s of %s on the fenced %s'
                     % (session_id, _text(user), naming.name_of(svc)))
            try:
                statements.run(svc, d.kill_session(session_id))
            except Exception as exc:
                if errcodes.error_number(exc) != errcodes.ER_NO_SUCH_THREAD:
                    raise
            killed.add(int(session_id))
    deadline = time.monotonic() + timeout
    while killed:
        alive = {int(row[0]) for row in svc.execute_sql(
            d.client_sessions().sql).fetchall()} & killed
        if not alive:
            return
        if time.monotonic() > deadline:
            raise exceptions.ReplicationError(
                'sessions %s on %s did not end within %ss of KILL (a '
                'statement that cannot be interrupted): the fence cannot '
                'know what they commit' % (
                    ', '.join(str(i) for i in sorted(alive)),
                    naming.name_of(svc),
                    timeout))
        time.sleep(SESSION_POLL)


def _marks(svc):
    """``(role exists, accounts it marks)`` on ``svc``."""
    d = server_state.dialect_of(svc)
    if not d.caps.lockable_fence:
        return False, []
    rows = svc.execute_sql(d.fence_marks().sql).fetchall()
    # CREATE ROLE grants the role to its creator WITH ADMIN OPTION: that
    # row says the role exists; the fence's marks have no admin option.
    return bool(rows), [fencing.Account(_text(u), _text(h))
                        for u, h, admin in rows if _text(admin) == 'N']


def fenced_accounts(svc):
    """The accounts an earlier fence locked on ``svc``."""
    return _marks(svc)[1]


def lift_locks(svc, progress):
    """Unlock and unmark what any fence locked on ``svc``, and drop the
    marking role; returns the accounts unlocked.
    """
    d = server_state.dialect_of(svc)
    exists, marked = _marks(svc)
    if not exists:
        return []
    if marked:
        progress('unlocking %d account(s) the fence locked on %s: %s'
                 % (len(marked), naming.name_of(svc),
                    ', '.join(str(a) for a in marked)))
    statements.run_unlogged(svc, [stmt for account in marked
                                  for stmt in d.unlock_fenced(account)]
                            + [d.drop_fence_role()])
    return marked


def is_fenced(svc):
    """True if ``svc`` refuses writes (read_only, or super_read_only)."""
    state = server_state.read_variables(svc, ('read_only',))
    return state.get('read_only', 'OFF').upper() in ('ON', '1')
