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

"""Local database servers, as plain processes, for trying and testing.

A sandbox is a source and N replicas listening on 127.0.0.1, each a
server process of a *server line* (``mariadb-10.11`` from the host's
packages, ``mariadb-11.8`` and ``mysql-9.7`` from Debian roots built by
``tools/provision-server-lines``; see :mod:`.lines`) started from its own
``my.cnf``. The sandbox only creates, starts and stops servers:
replication is set up by other code, through SQL and through override
files dropped in each server's ``conf.d/`` directory (read at the next
restart)::

    from trove_gtid_strategy.sandbox import servers

    box = servers.Sandbox('/tmp/tg-demo', server='mysql-9.7')
    source, replica1 = box.up(replicas=1)
    ...
    box.down(remove=True)

Modules, each importing only the ones before it: ``scratch`` (where
throwaway servers go), ``sparse`` and ``certificate`` (a template's
copies and certificate), ``process`` (processes, locks, connections),
``lines`` (server lines), ``state`` (the state file), ``ports``,
``basedir`` (what in a base directory is the sandbox's), ``datadir``
(templates, ``my.cnf``), ``server`` (one server), ``servers`` (the
sandbox). :func:`resolve_server` finds a server of a
sandbox by name (``source``, ``replica1``).
"""

from trove_gtid_strategy.sandbox.servers import resolve_server  # noqa: F401
