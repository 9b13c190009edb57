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

"""PyMySQL connections whose opportunistic TLS context is made once.

A TCP connection that names no TLS settings is, since PyMySQL 1.2,
"preferred" TLS: encrypted when the server offers it, with no certificate
checked (no CA: ``CERT_NONE``). PyMySQL builds a new ``ssl.SSLContext``
for each such connection, loading the system's certificate authorities
that this context never consults: 42 ms of CPU per connection measured
under the test suite's load on the 2-core machine, half of a test
worker's CPU time. That one context is made once per process here and
shared (an ``SSLContext`` serves many connections and threads); a
connection with TLS settings of its own (a CA, a client certificate, a
verification mode) still gets a context of its own, made by PyMySQL as
before, so a certificate replaced on disk is read by the next
connection.

With a PyMySQL that makes no context for such connections (before 1.2),
or that stops calling ``_create_ssl_ctx``, this changes nothing: the
connection is PyMySQL's own.
"""

import threading

from pymysql import connections

_LOCK = threading.Lock()
_preferred_context = None


class Connection(connections.Connection):
    """PyMySQL's connection, sharing the context of preferred TLS."""

    def _create_ssl_ctx(self, sslp):
        global _preferred_context
        if sslp != {}:
            return super()._create_ssl_ctx(sslp)
        with _LOCK:
            if _preferred_context is None:
                _preferred_context = super()._create_ssl_ctx(sslp)
            return _preferred_context


def connect(**kwargs):
    """``pymysql.connect(**kwargs)``, with the shared preferred context."""
    return Connection(**kwargs)
