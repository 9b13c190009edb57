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

"""The sandbox's certificate for servers that would make one at every
start (sandbox/certificate.py). The servers' use of it is tested on
MariaDB 11.8 in tests/functional (TLS replication, accounts requiring
TLS, verified against this CA).
"""

import os
import ssl
import stat

from cryptography.hazmat.primitives.asymmetric import padding
from cryptography import x509
import pytest

from trove_gtid_strategy.sandbox import certificate


@pytest.mark.parametrize('flavor, version, expected', [
    ('mariadb', '11.4.0', True), ('mariadb', '11.8.9', True),
    ('mariadb', '12.0.1', True), ('mariadb', '11.3.2', False),
    ('mariadb', '10.11.19', False), ('mysql', '9.7.4', False),
])
def test_which_servers_make_their_own_at_each_start(
        flavor, version, expected):
    assert certificate.makes_its_own_each_start(flavor, version) is expected


def test_written_ca_signs_the_server_certificate(tmp_path):
    certificate.write(str(tmp_path))
    assert sorted(os.listdir(tmp_path)) == sorted(certificate.FILES)
    assert stat.S_IMODE(os.stat(tmp_path / certificate.KEY_FILE).st_mode) \
        == 0o600
    ca = x509.load_pem_x509_certificate(
        (tmp_path / certificate.CA_FILE).read_bytes())
    server = x509.load_pem_x509_certificate(
        (tmp_path / certificate.CERT_FILE).read_bytes())
    assert server.issuer == ca.subject != server.subject
    ca.public_key().verify(server.signature, server.tbs_certificate_bytes,
                           padding.PKCS1v15(),
                           server.signature_hash_algorithm)
    # What a server loads: the key matches the certificate.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(tmp_path / certificate.CERT_FILE),
                            str(tmp_path / certificate.KEY_FILE))


def test_settings_only_with_every_file(tmp_path):
    assert certificate.settings(str(tmp_path)) == []
    certificate.write(str(tmp_path))
    assert certificate.settings(str(tmp_path)) == [
        'ssl_ca = %s' % (tmp_path / 'ca.pem'),
        'ssl_cert = %s' % (tmp_path / 'server-cert.pem'),
        'ssl_key = %s' % (tmp_path / 'server-key.pem')]
    os.unlink(tmp_path / certificate.KEY_FILE)
    assert certificate.settings(str(tmp_path)) == []
