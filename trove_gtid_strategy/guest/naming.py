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

"""How every message, result and log names a server: one rule, used by
the server handle (:class:`~trove_gtid_strategy.guest.server.Server`)
and by the guest helpers that are given a bare service.
"""


def name_of(service, role='server'):
    """How messages and results name the server behind ``service``: the
    name it was given (a sandbox server's, ``replica1``), else its DSN
    without the password (the command line's), else ``the <role>`` with
    the port Trove's App reports (a guest serves one server), else
    ``the <role>``.
    """
    given = getattr(service, 'instance_id', None)
    if given:
        return given
    dsn = getattr(service, 'dsn', None)
    if dsn is not None:
        return dsn.redacted()
    get_port = getattr(service, 'get_port', None)
    if get_port is not None:
        return 'the %s (port %s)' % (role, get_port())
    return 'the %s' % role
