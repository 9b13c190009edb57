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

"""What a failure of a ``trove-gtid`` command is: its exit status, its
kind and its one line (or JSON document), from the exception.

Bad input exits 2; a refusal, a server's error or a lost connection exits
1 naming the side, the address and the server's own message; anything
else is a bug (:func:`classify_failure` returns None).
"""

from oslo_config import cfg
import pymysql

from trove_gtid_strategy.cmd import base
from trove_gtid_strategy import errcodes
from trove_gtid_strategy import exceptions

BAD_INPUT = (exceptions.InvalidInput, exceptions.UnsupportedMode,
             exceptions.ConfigError)


def classify_failure(exc):
    """``(exit status, kind, message)`` of an exception a user can cause;
    None for a bug.
    """
    if isinstance(exc, BAD_INPUT):
        return 2, 'bad_input', 'error: %s' % exc
    if isinstance(exc, cfg.Error):
        return 2, 'bad_input', 'error: configuration: %s' % exc
    if isinstance(exc, exceptions.RestartRequired):
        return 1, 'restart_required', str(exc)
    if isinstance(exc, (exceptions.PrecheckFailed, exceptions.Busy)):
        return 1, 'refused', 'refused: %s' % exc
    if isinstance(exc, exceptions.TroveGtidError):
        # An outcome with its own name (a switchover left incomplete or
        # rolled back) says it; anything else is the server's error.
        return 1, getattr(exc, 'kind', 'server_error'), 'failed: %s' % exc
    if isinstance(exc, pymysql.MySQLError):
        number = errcodes.error_number(exc)
        kind = ('connection' if isinstance(exc, pymysql.OperationalError)
                and (number in errcodes.CONNECTION_ERRORS) else
                'server_error')
        where = getattr(exc, 'server', 'the server')
        return 1, kind, 'failed: %s: %s' % (where, server_message(exc))
    if isinstance(exc, OSError):
        # A file or directory the user named, a log file: not a bug.
        return 1, 'os_error', 'failed: %s' % exc
    return None


def server_message(exc):
    args = getattr(exc, 'args', ())
    if len(args) >= 2:
        return '(%s) %s' % (args[0], args[1])
    return str(exc)


def error_document(exc, kind, message, partial=None):
    data = dict(partial or {})
    data.update(error=message, kind=kind)
    result = getattr(exc, 'result', None)
    if result is not None:
        data.update(verdict=str(result.verdict) if result.verdict
                    else None, errant=result.errant,
                    missing=result.missing, notes=list(result.notes),
                    problems=[{'code': p.code, 'message': p.message}
                              for p in result.problems])
        if getattr(result, 'election', None):
            data['election'] = result.election
    if getattr(exc, 'settings', ''):
        data['settings'] = exc.settings
    return base.plain(data)
