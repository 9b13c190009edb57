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

"""One handle per server: its service, its one name, what it is (read
once) and its state (read when asked, again after :meth:`Server.refresh`).

The service is whatever reaches the server: our PyMySQL adapter
(:mod:`trove_gtid_strategy.guest.service`) on the command line, Trove's
``MySqlApp`` / ``MariaDBApp`` in its guest. Every message names a server
the way :func:`~trove_gtid_strategy.guest.naming.name_of` does, so a
server is called the same thing in a progress line, a refusal and a log.
"""

from trove_gtid_strategy import dialect
from trove_gtid_strategy import flavors
from trove_gtid_strategy.guest import naming
from trove_gtid_strategy.guest import server_state
from trove_gtid_strategy.guest import statements


def handle(server, role='server'):
    """``server`` as a :class:`Server`: itself when it is one, else a
    new handle on the service (the door of an operation that callers
    give services: Trove's App, our adapter).
    """
    if isinstance(server, Server):
        return server
    return Server(server, role)


class Server:
    """A server as an operation reads it.

    ``version``, ``caps``, ``dialect`` and ``gtids`` (its GTID flavor)
    are read once: what a server is does not change while an operation
    runs. :meth:`state` is cached until :meth:`refresh`, since replication
    moves it on its own; :meth:`replica_status`, :meth:`variables` and
    :meth:`position` read afresh at every call (they are asked for to see
    where the server is now).
    """

    def __init__(self, service, role='server'):
        self.service = service
        self.role = role
        self.name = naming.name_of(service, role)
        self._identity = None
        self._state = None
        self._with_files = False

    def __repr__(self):
        return '<Server %s>' % self.name

    def _identify(self):
        if self._identity is None:
            self._identity = server_state.read_version(self.service)
        return self._identity

    @property
    def version(self):
        return self._identify()[0]

    @property
    def caps(self):
        return self._identify()[1]

    @property
    def dialect(self):
        return dialect.Dialect(self.caps)

    @property
    def address(self):
        """``(host, port)`` of a server reached by DSN (the command
        line's), else None.
        """
        dsn = getattr(self.service, 'dsn', None)
        return (dsn.host, dsn.port) if dsn is not None else None

    @property
    def gtids(self):
        return flavors.of(self.caps)

    def state(self, binlog_files=True):
        """Its :class:`~trove_gtid_strategy.state.ServerState`, read the
        first time and kept until :meth:`refresh`. A state read without
        its binary log list is read again when one with the list is asked
        for.
        """
        if self._state is None or (binlog_files and not self._with_files):
            self._state = server_state.read_state(
                self.service, binlog_files=binlog_files)
            self._with_files = binlog_files
        return self._state

    def refresh(self, binlog_files=True):
        """Read its state again (after a change, or to see it move)."""
        self._state = None
        return self.state(binlog_files)

    def replica_status(self):
        """Its :class:`~trove_gtid_strategy.state.ReplicaStatus` now, or
        None when it is not a replica.
        """
        return server_state.read_replica_status(self.service, self.dialect)

    def variables(self, names):
        """Global variables by name, now (absent: the server lacks it)."""
        return server_state.read_variables(self.service, names)

    def position(self):
        """Where it stands now as a start point (binlog coordinates with
        the GTIDs executed there), or None without a binary log.
        """
        return server_state.current_position(self.service, self.caps)

    def execute(self, stmt):
        """Send a :class:`~trove_gtid_strategy.dialect.Statement` (or
        text that carries no secret).
        """
        return self.service.execute_sql(getattr(stmt, 'sql', stmt))

    def run(self, *stmts):
        """Send statements (:class:`~trove_gtid_strategy.dialect.
        Statement`) in order, each logged as :func:`~trove_gtid_strategy.
        guest.statements.run` logs it.
        """
        for stmt in stmts:
            statements.run(self.service, stmt)
