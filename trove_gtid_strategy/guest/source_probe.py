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

"""Reading a source the way a replica's I/O thread will reach it.

Before an attach the source is checked over TCP, at the address and as
the replication account the replica is given, with the same TLS: a wrong
password, a missing privilege or an unreachable address fails here, with
the server's own message, before the replica is changed.
"""

from trove_gtid_strategy import dialect
from trove_gtid_strategy import dsn
from trove_gtid_strategy import exceptions
from trove_gtid_strategy.guest import log_reader
from trove_gtid_strategy.guest import server_state
from trove_gtid_strategy.guest import service as guest_service
from trove_gtid_strategy import state as state_mod
from trove_gtid_strategy import topology


def pymysql_ssl(tls):
    """PyMySQL's ``ssl`` argument for :class:`~dialect.Tls` settings."""
    if not tls.enabled:
        return None
    # The replica's SSL_VERIFY_SERVER_CERT checks the certificate chain;
    # host names are Trove's internal addresses, so they are not matched.
    ssl = {'check_hostname': False, 'verify_mode': tls.verify_server_cert}
    for key, path in (('ca', tls.ca), ('cert', tls.cert), ('key', tls.key)):
        if path:
            ssl[key] = path
    return ssl


#: How a server names a client on its own host.
LOCAL_CLIENT = ('localhost', '127.0.0.1', '::1')


def client_host(service):
    """The host this process's connection comes from, as the server
    behind ``service`` sees it (the host part of ``USER()``, in the form
    the server matches account hosts against).
    """
    user = state_mod.text(service.execute_sql(
        dialect.client_account().sql).scalar())
    return user.rpartition('@')[2]


def client_host_at(admin_dsn, host, port, connect_timeout=10):
    """:func:`client_host` of a TCP connection to ``host:port`` with the
    administrator's account of ``admin_dsn``: where a replica on this
    machine would come from, reaching the source at that address.
    """
    probe = guest_service.MySQLService(
        dsn.DSN(user=admin_dsn.user, password=admin_dsn.password,
                host=host, port=port),
        connect_timeout=connect_timeout, side='source')
    try:
        return client_host(probe)
    finally:
        probe.close()


class SourceProbe:
    """Reads a source's :class:`~trove_gtid_strategy.state.ServerState`
    as its replication account.
    """

    def __init__(self, connect_timeout=10):
        self.connect_timeout = connect_timeout

    def _connect(self, address, tls):
        return guest_service.MySQLService(
            dsn.DSN(user=address.user, password=address.password,
                    host=address.host, port=address.port),
            ssl=pymysql_ssl(tls), connect_timeout=self.connect_timeout,
            side='source (as the replication account)')

    def read(self, address, tls):
        """The source's state; :class:`PrecheckFailed` naming the address,
        the account and the server's message when it cannot be read.
        """
        return self._as_account(address, tls, lambda probe: (
            server_state.read_state(probe, admin=False)))

    def resume_point(self, address, tls, held):
        """Where a binlog-position replica holding the GTID set ``held``
        resumes in the MySQL source's binary logs
        (:class:`~trove_gtid_strategy.binlog.resume.ResumePoint`), or
        None when no single point serves it. Reading the logs needs
        REPLICATION SLAVE, which the replication account has.
        """
        def find(probe):
            state = server_state.read_state(probe, admin=False)
            if not state.binlog_files or state.gtid_executed is None:
                return None
            return log_reader.resume_point(probe, state.binlog_files, held,
                                           state.gtid_executed)
        return self._as_account(address, tls, find)

    def _as_account(self, address, tls, read):
        probe = self._connect(address, tls)
        try:
            return read(probe)
        except exceptions.TroveGtidError:
            raise
        except Exception as exc:
            raise exceptions.PrecheckFailed(
                'cannot reach the source %s:%s as %s to check it: %s'
                % (address.host, address.port, address.user, exc),
                topology.PrecheckResult(None, (topology.Problem(
                    'source_unreachable', str(exc)),)))
        finally:
            probe.close()
