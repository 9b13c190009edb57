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

"""Replication accounts bound to where their replica connects from, and
TLS that the account enforces (issue 15), on every line.

A second address on one machine: a client bound to 127.0.0.2 is another
host to a server on 127.0.0.1. Each account's password is set to a known
one by the test (unlogged) so that a login can be tried with the right
password from elsewhere, or without TLS.
"""

import os

import pymysql
import pytest

from trove_gtid_strategy import errcodes
from trove_gtid_strategy.guest import connection
from trove_gtid_strategy.guest import source_probe

from support import connect
from support import everything
from support import query
from support import run

KNOWN = 'Kn0wn-pass_word'
OTHER_ADDRESS = '127.0.0.2'
TLS_LINES = ('mariadb-11.8', 'mysql-9.7')


def _attach(box, *extra):
    return run('attach', '--sandbox', box.base_dir, '--source', 'source',
               '--replica', 'replica1', *extra)


def _hosts(server, name):
    return sorted(h for (h,) in query(
        server, 'SELECT Host FROM mysql.user WHERE User = %s', name))


def _known_password(server, name, host):
    conn = connect(server)
    with conn, conn.cursor() as cur:
        cur.execute('SET SESSION sql_log_bin = 0')
        cur.execute("ALTER USER %s@%s IDENTIFIED BY %s", (name, host, KNOWN))


def _login(server, name, bind_address=None, tls=False):
    """Log in to the source as ``name`` with the known password: the
    error number refusing it, or 0.
    """
    options = dict(host='127.0.0.1', port=server.port, user=name,
                   password=KNOWN, connect_timeout=10)
    if bind_address:
        options['bind_address'] = bind_address
    if tls:
        options['ssl'] = {'check_hostname': False, 'verify_mode': False}
    else:
        options['ssl_disabled'] = True
    try:
        connection.connect(**options).close()
    except pymysql.err.OperationalError as exc:
        return exc.args[0]
    return 0


def test_the_account_admits_only_the_replicas_address(sandbox_factory):
    box = sandbox_factory(replicas=1)
    code, result = _attach(box)
    assert code == 0, result
    name, host = result['replication_user'], result['account_host']
    # The address a TCP connection from this host to the source comes
    # from, as the source sees it: where the replica's I/O thread comes
    # from too (it runs here).
    seen = source_probe.client_host_at(box.source.dsn, '127.0.0.1',
                                       box.source.port)
    assert host == seen != '%'
    assert _hosts(box.source, name) == [host]
    assert result['account_require'] == 'NONE'
    _known_password(box.source, name, host)
    tls = box.source.line.name in TLS_LINES
    assert _login(box.source, name, tls=tls) == 0
    assert _login(box.source, name, OTHER_ADDRESS, tls=tls) in \
        errcodes.ACCESS_DENIED


def test_any_host_only_when_asked_by_name(sandbox_factory):
    box = sandbox_factory(replicas=1)
    before = everything(box)
    code, result = _attach(box, '--account-host', "10.0.0.% x")
    assert code == 2 and '--account-host' in result['error'], result
    assert everything(box) == before
    code, result = _attach(box, '--account-host', '%')
    assert code == 0, result
    name = result['replication_user']
    assert result['account_host'] == '%'
    assert _hosts(box.source, name) == ['%']
    _known_password(box.source, name, '%')
    tls = box.source.line.name in TLS_LINES
    assert _login(box.source, name, OTHER_ADDRESS, tls=tls) == 0


def test_a_reattach_from_elsewhere_replaces_the_account(sandbox_factory):
    """The same replica attached again with another host pattern: one
    account, with the new pattern, once the attach succeeded.
    """
    box = sandbox_factory(replicas=1)
    code, result = _attach(box, '--account-host', '%')
    assert code == 0, result
    name = result['replication_user']
    code, result = _attach(box)
    assert code == 0, result
    assert result['replication_user'] == name
    assert _hosts(box.source, name) == [result['account_host']] != ['%']


def test_tls_required_by_the_account(sandbox_factory):
    box = sandbox_factory(replicas=1)
    if box.source.line.name not in TLS_LINES:
        # MariaDB 10.11 as packaged has no certificate: --tls is refused
        # there (test_gtid_features), so no account requires it.
        assert query(box.source, "SHOW GLOBAL VARIABLES LIKE "
                     "'have_ssl'")[0][1] != 'YES'
        return
    ca = os.path.join(box.source.datadir, 'ca.pem')
    tls = (('--tls', 'verify', '--ca-file', ca) if os.path.exists(ca)
           else ('--tls', 'required'))
    code, result = _attach(box, *tls)
    assert code == 0, result
    assert result['account_require'] == 'SSL'
    name, host = result['replication_user'], result['account_host']
    _known_password(box.source, name, host)
    # The right password over a plaintext connection: refused.
    assert _login(box.source, name, tls=False) in errcodes.ACCESS_DENIED
    assert _login(box.source, name, tls=True) == 0


@pytest.mark.lines('mysql-9.7')
def test_a_client_certificate_makes_it_x509(sandbox_factory):
    box = sandbox_factory(replicas=1)
    datadir = box.source.datadir
    code, result = _attach(
        box, '--tls', 'verify', '--ca-file', os.path.join(datadir, 'ca.pem'),
        '--cert-file', os.path.join(datadir, 'client-cert.pem'),
        '--key-file', os.path.join(datadir, 'client-key.pem'))
    assert code == 0, result
    assert result['account_require'] == 'X509'
    name, host = result['replication_user'], result['account_host']
    _known_password(box.source, name, host)
    # TLS without a client certificate: refused.
    assert _login(box.source, name, tls=True) in errcodes.ACCESS_DENIED
