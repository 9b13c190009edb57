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

"""A replica's threads after its server restarted.

MariaDB 10.11 and 11.8 came back from a restart with both replication
threads stopped and no error in about one suite run in three, having
failed to load the replica's relay log state (START then says 1201,
MySQL bug 83713's signature).
"""

from oslo_log import log as logging

from trove_gtid_strategy import errcodes
from trove_gtid_strategy.guest import naming
from trove_gtid_strategy.guest import server_state
from trove_gtid_strategy import replication_view

LOG = logging.getLogger(__name__)


def resume_replication(service, wait_running):
    """Start replication threads a restart left stopped without an error,
    then ``wait_running(service)``. Replicating by GTID, a relay log state
    that did not load is dropped (RESET keeps the connection settings) and
    replication starts from the server's GTID state; by file and position
    that would lose the position: the error is raised.
    """
    d = server_state.dialect_of(service)
    status = server_state.read_replica_status(service, d)
    if status is None or status.io_running != 'No' or \
            status.sql_running != 'No' or status.stopped_error:
        return
    name = naming.name_of(service)
    LOG.warning('%s: its replication threads did not start with the '
                'server; starting them', name)
    try:
        service.execute_sql(d.start_replica().sql)
    except Exception as exc:
        by_gtid = replication_view.replication_mode(status)[0] != 'binlog'
        if errcodes.error_number(exc) != errcodes.ER_MASTER_INFO or \
                not by_gtid:
            raise
        LOG.warning('%s: its relay log state did not load (%s): '
                    'replicating by GTID, so its relay logs are reset '
                    'and it starts from its GTID position', name, exc)
        service.execute_sql(d.reset_replica().sql)
        service.execute_sql(d.start_replica().sql)
    wait_running(service)
