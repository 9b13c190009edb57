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

"""A TLS certificate made once per template, for servers that would make
one at every start.

MariaDB 11.4+ without a configured certificate generates a self-signed one
in memory each time it starts (MDEV-31855): 0.2 to 0.5 s of CPU per start
on the 2-core machine, measured as 458, 286 and 183 ticks for three 11.8
servers against 24 with TLS off. MySQL writes its own once, into the
datadir, at ``--initialize``. The sandbox does what MySQL does for such a
line: a CA and a server certificate it signs, in the template's datadir
under MySQL's file names, so every copy starts with TLS and nothing to
generate. The key never leaves the server's datadir (mode 0600).
"""

import datetime
import os

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography import x509
from cryptography.x509.oid import NameOID

#: MySQL's names for the files it generates (``auto_generate_certs``).
CA_FILE = 'ca.pem'
CERT_FILE = 'server-cert.pem'
KEY_FILE = 'server-key.pem'
FILES = (CA_FILE, CERT_FILE, KEY_FILE)

_VALID = datetime.timedelta(days=3650)


def makes_its_own_each_start(flavor, version):
    """True for a server that generates a certificate at every start when
    none is configured (MariaDB 11.4+). ``version``: 'major.minor...'.
    """
    numbers = tuple(int(n) for n in version.split('.')[:2])
    return flavor == 'mariadb' and numbers >= (11, 4)


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _signed(subject, issuer, public_key, signing_key, ca, now):
    builder = (x509.CertificateBuilder()
               .subject_name(subject).issuer_name(issuer)
               .public_key(public_key)
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5))
               .not_valid_after(now + _VALID)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None),
                              critical=True))
    return builder.sign(signing_key, hashes.SHA256())


def write(directory, now=None):
    """Write a CA and a server certificate it signs into ``directory``
    (``ca.pem``, ``server-cert.pem``, ``server-key.pem``).
    """
    now = now or datetime.datetime.now(datetime.timezone.utc)
    ca_key, server_key = _key(), _key()
    ca_name = _name('trove-gtid sandbox CA')
    ca = _signed(ca_name, ca_name, ca_key.public_key(), ca_key, True, now)
    server = _signed(_name('trove-gtid sandbox server'), ca_name,
                     server_key.public_key(), ca_key, False, now)
    pem = serialization.Encoding.PEM
    _write(os.path.join(directory, CA_FILE), ca.public_bytes(pem), 0o644)
    _write(os.path.join(directory, CERT_FILE), server.public_bytes(pem),
           0o644)
    _write(os.path.join(directory, KEY_FILE), server_key.private_bytes(
        pem, serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption()), 0o600)


def _write(path, data, mode):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, 'wb') as f:
        f.write(data)


def settings(datadir):
    """The ``my.cnf`` lines that make a server use the certificate in its
    ``datadir``; none when it holds none.
    """
    paths = [os.path.join(datadir, name) for name in FILES]
    if not all(os.path.exists(path) for path in paths):
        return []
    return ['ssl_ca = %s' % paths[0], 'ssl_cert = %s' % paths[1],
            'ssl_key = %s' % paths[2]]
