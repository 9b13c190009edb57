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

"""The server handle: one name per server, what it is read once, its
state cached until refresh().
"""

from trove_gtid_strategy import dsn as dsn_mod
from trove_gtid_strategy import flavors
from trove_gtid_strategy.guest import naming
from trove_gtid_strategy.guest import server as server_mod
from trove_gtid_strategy.guest import server_state
from trove_gtid_strategy.guest import service as guest_service


class _Service:
    def __init__(self):
        self.sent = []

    def execute_sql(self, sql, use_flush=False):
        self.sent.append(sql)
        return guest_service.Result(['Variable_name', 'Value'], [
            ('version', '11.8.9-MariaDB'), ('version_comment', 'x')])


class _TroveApp(_Service):
    def get_port(self):
        return 3306


def test_one_name_per_server_never_with_its_password():
    svc = _Service()
    svc.dsn = dsn_mod.DSN(user='admin', password='s3cr:et', host='10.0.0.5',
                          port=3307)
    assert naming.name_of(svc) == 'mysql://admin:***@10.0.0.5:3307'
    assert naming.name_of(_TroveApp(), 'replica') == \
        'the replica (port 3306)'
    assert naming.name_of(_Service(), 'source') == 'the source'
    assert server_mod.Server(svc, 'replica').name == naming.name_of(svc)


def test_what_a_server_is_is_read_once():
    svc = _Service()
    server = server_mod.Server(svc)
    assert str(server.version) == 'mariadb 11.8.9'
    assert server.gtids is flavors.named('mariadb')
    assert server.dialect.caps is server.caps
    assert len(svc.sent) == 1


def test_state_is_kept_until_refresh(monkeypatch):
    reads = []
    monkeypatch.setattr(server_state, 'read_state',
                        lambda service, **kw: reads.append(kw) or len(reads))
    server = server_mod.Server(_Service())
    assert server.state() == server.state() == 1
    assert server.refresh() == 2 and server.state() == 2
    assert server.execute('SELECT 1').keys() == ['Variable_name', 'Value']


def test_handle_wraps_a_service_once():
    svc = _Service()
    server = server_mod.handle(svc, 'replica')
    assert server.service is svc and server.role == 'replica'
    assert server_mod.handle(server) is server


def test_a_state_without_binlog_files_is_read_again_for_them(monkeypatch):
    reads = []
    monkeypatch.setattr(
        server_state, 'read_state',
        lambda service, binlog_files: reads.append(binlog_files) or
        len(reads))
    server = server_mod.Server(_Service())
    assert server.state(binlog_files=False) == 1
    assert server.state(binlog_files=False) == 1
    assert server.state() == 2
    assert server.state(binlog_files=False) == server.state() == 2
    assert reads == [False, True]


def test_where_it_stands_now_is_read_at_every_call(monkeypatch):
    statuses = []
    monkeypatch.setattr(
        server_state, 'read_replica_status',
        lambda service, dia: statuses.append(dia.caps) or len(statuses))
    server = server_mod.Server(_Service())
    assert server.replica_status() == 1
    assert server.replica_status() == 2
    assert statuses[0] is server.caps


def test_address_only_for_a_server_reached_by_dsn():
    svc = _Service()
    svc.dsn = dsn_mod.DSN(user='admin', password='x', host='10.0.0.5',
                          port=3307)
    assert server_mod.Server(svc).address == ('10.0.0.5', 3307)
    assert server_mod.Server(_TroveApp()).address is None


def test_run_sends_each_statement_in_order():
    svc = _Service()
    server = server_mod.Server(svc)
    fence = server.dialect.fence()
    unfence = server.dialect.unfence(read_only_before=False)
    assert len(svc.sent) == 1   # what it is, read once
    server.run(fence, *unfence)
    assert svc.sent[1:] == [fence.sql] + [s.sql for s in unfence]
