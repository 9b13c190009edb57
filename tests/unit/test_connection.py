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

"""The shared context of preferred TLS (guest/connection.py). No server:
connections are made with ``defer_connect``.
"""

import ssl

import pymysql
import pytest

from trove_gtid_strategy.guest import connection

ADDRESS = dict(host='127.0.0.1', port=3306, user='u', password='p',
               defer_connect=True)
PREFERRED_TLS = pymysql.VERSION[:2] >= (1, 2)


@pytest.mark.skipif(not PREFERRED_TLS, reason='PyMySQL before 1.2 makes '
                    'no context unless TLS is asked for')
def test_preferred_tls_shares_one_context_that_verifies_nothing():
    first = connection.connect(**ADDRESS)
    second = connection.connect(**ADDRESS)
    assert first.ssl and not first._ssl_required
    assert first.ctx is second.ctx
    # What PyMySQL's own preferred context is: no CA, nothing verified.
    assert first.ctx.verify_mode == ssl.CERT_NONE
    assert not first.ctx.check_hostname
    own = pymysql.connect(**ADDRESS)
    assert own.ctx is not first.ctx
    assert (own.ctx.verify_mode, own.ctx.check_hostname,
            own.ctx.options) == (first.ctx.verify_mode,
                                 first.ctx.check_hostname,
                                 first.ctx.options)


def test_tls_settings_of_its_own_get_a_context_of_its_own():
    # A connection naming TLS settings requires TLS, with its own context
    # (a certificate replaced on disk is read by the next connection).
    settings = {'verify_mode': False, 'check_hostname': False}
    first = connection.connect(ssl=dict(settings), **ADDRESS)
    second = connection.connect(ssl=dict(settings), **ADDRESS)
    assert first._ssl_required and second._ssl_required
    assert first.ctx is not second.ctx
    preferred = connection.connect(**ADDRESS)
    assert getattr(preferred, 'ctx', None) not in (first.ctx, second.ctx)


def test_tls_disabled_makes_no_context():
    conn = connection.connect(ssl_disabled=True, **ADDRESS)
    assert not conn.ssl
