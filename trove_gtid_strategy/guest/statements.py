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


"""Sending a statement that changes a server, as ``--debug`` shows it.

Every statement an operation sends to change a server goes through
:func:`run` (the strategy has its own ``_run``): it is logged at debug
level, in its redacted form (a password shown as ``***``), then sent.
Raw text (skip's and repair's planned statements, which never carry a
password) goes through :func:`run_text`.
"""

from oslo_log import log as logging

from trove_gtid_strategy.guest import naming
from trove_gtid_strategy.guest import unlogged

LOG = logging.getLogger(__name__)


def run(svc, stmt):
    """Send a :class:`~trove_gtid_strategy.dialect.Statement`."""
    LOG.debug('SQL on %s: %s', naming.name_of(svc), stmt)
    return svc.execute_sql(stmt.sql)


def run_text(svc, sql):
    """Send statement text that holds no secret."""
    LOG.debug('SQL on %s: %s', naming.name_of(svc), sql)
    return svc.execute_sql(sql)


def run_unlogged(svc, stmts):
    """Send statements with ``sql_log_bin = 0`` on one connection
    (:mod:`~trove_gtid_strategy.guest.unlogged`), each logged.
    """
    for stmt in stmts:
        LOG.debug('SQL on %s (unlogged): %s', naming.name_of(svc), stmt)
    unlogged.run(svc, [stmt.sql for stmt in stmts])
