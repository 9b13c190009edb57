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

"""Our guest manager's ``get_replication_snapshot``: when Trove's own
(the source's TLS on, ``ssl_mode`` set) hands the new replica the
certificates, the replica's account requires TLS, on every host pattern
it has. Trove's decision is taken as given here (its ``show_ssl_status``
reads certificate files as root); what ``REQUIRE SSL`` does to a
plaintext login is proven on real servers in
tests/functional/test_least_privilege.py.
"""

import pytest

import trove_support

from trove_gtid_strategy.guest import service as guest_service


class _App:
    """A MariaDB 11.8 source holding one account under two hosts."""

    def __init__(self):
        self.sent = []

    def execute_sql(self, sql, use_flush=False):
        if sql.startswith('SHOW GLOBAL VARIABLES'):
            return guest_service.Result(['n', 'v'], [
                ('version', '11.8.9-MariaDB'), ('version_comment', 'x')])
        if sql.startswith('SELECT Host FROM mysql.user'):
            return guest_service.Result(['Host'], [('%',), ('10.0.0.%',)])
        self.sent.append(sql)
        return guest_service.Result([], [])


@pytest.fixture(scope='module')
def calls():
    trove_support.trove()
    from trove_gtid_strategy.trove import guest
    return guest.ReplicationCalls


def _manager(calls, snapshot):
    class Stock:
        def get_replication_snapshot(self, context, snapshot_info,
                                     replica_source_config=None):
            return snapshot

    class Ours(calls, Stock):
        app = _App()
    return Ours()


def _snapshot(**tls):
    return dict({'replica_conf': {'replication_user': {
        'name': 'repl_abc', 'password': 'p'}}, 'master': {}}, **tls)


@pytest.mark.parametrize('mode', ['required', 'verify_ca',
                                  'verify_identity', 'preferred'])
def test_an_encrypted_replica_gets_an_account_requiring_tls(calls, mode):
    made = _manager(calls, _snapshot(ssl_mode=mode,
                                     cert_container={'ca': 'PEM'}))
    snapshot = made.get_replication_snapshot(None, {'id': 's1'})
    assert snapshot['ssl_mode'] == mode
    assert made.app.sent == [
        "ALTER USER 'repl_abc'@'%' REQUIRE SSL",
        "ALTER USER 'repl_abc'@'10.0.0.%' REQUIRE SSL"]


@pytest.mark.parametrize('tls', [
    {}, {'ssl_mode': 'disabled', 'cert_container': {'ca': 'PEM'}},
    {'ssl_mode': 'required'}, {'ssl_mode': 'required', 'cert_container': {}}])
def test_a_plaintext_replica_keeps_its_account_as_it_is(calls, tls):
    made = _manager(calls, _snapshot(**tls))
    made.get_replication_snapshot(None, {'id': 's1'})
    assert made.app.sent == []
