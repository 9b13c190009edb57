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

"""Turning lossless semi-synchronous replication on, live.

The rendered config keeps the settings across restarts; this applies
them to the running server, installing MySQL's plugin where it is not
loaded yet (MariaDB has it built in). A replica's I/O thread registers as
semi-synchronous when it connects, so it must (re)start afterwards.
"""

from oslo_log import log as logging

from trove_gtid_strategy import dialect

LOG = logging.getLogger(__name__)

_SIDE = {'replica_source': 0, 'replica': 1}


def enable(service, caps, role, timeout_ms):
    """Enable the ``role`` side of semi-sync on the running server;
    returns the statements sent.
    """
    d = dialect.Dialect(caps)
    install = False
    if caps.semi_sync_plugins:
        loaded = service.execute_sql(
            d.semi_sync_plugin_loaded(_SIDE[role]).sql).scalar()
        install = not int(loaded or 0)
    if role == 'replica_source':
        statements = d.semi_sync_source(True, timeout_ms, install)
    else:
        statements = d.semi_sync_replica(True, install)
    # INSTALL PLUGIN writes mysql.plugin, which a MySQL replica's
    # super_read_only refuses: lifted for it alone (read_only stays on,
    # and INSTALL PLUGIN is not binary-logged).
    fenced = install and caps.super_read_only and str(service.execute_sql(
        'SELECT @@GLOBAL.super_read_only').scalar()) in ('1', 'ON')
    if fenced:
        _run(service, d.set_super_read_only(False))
    try:
        for stmt in statements:
            _run(service, stmt)
    finally:
        if fenced:
            _run(service, d.set_super_read_only(True))
    return statements


def _run(service, stmt):
    LOG.debug('SQL: %s', stmt)
    service.execute_sql(stmt.sql)
