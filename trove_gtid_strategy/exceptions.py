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

"""The errors this package raises, one class per cause.

Callers (Trove's guest manager, the ``trove-gtid`` command, tests) tell
failures apart by class, as PyMySQL's users do, never by parsing messages.
Errors caused by bad input also derive from :class:`ValueError` so generic
input validation keeps working.
"""


class TroveGtidError(Exception):
    """Base class of every error raised by trove_gtid_strategy."""


class InvalidInput(TroveGtidError, ValueError):
    """Input text (a label, a DSN, a GTID set, a file) is malformed.

    The message names the bad part. On the command line this maps to exit
    status 2.
    """


class InvalidVersion(InvalidInput):
    """A server version string or an operator's version label is unreadable."""


class InvalidGtidSet(InvalidInput):
    """A MySQL GTID set or a MariaDB GTID position is malformed."""


class InvalidDSN(InvalidInput):
    """A ``mysql://`` connection URL is malformed."""


class InvalidSeed(InvalidInput):
    """A backup or dump does not say where replication must start."""


class UnsupportedMode(TroveGtidError):
    """The requested replication mode cannot work on this server version."""


class ConfigError(TroveGtidError):
    """A configuration template is missing or renders settings the server
    cannot start with.
    """


class PrecheckFailed(TroveGtidError):
    """An attach or promotion was refused before anything was changed.

    ``result`` holds the structured pre-check outcome
    (:class:`trove_gtid_strategy.topology.PrecheckResult`).
    """

    def __init__(self, message, result=None):
        super().__init__(message)
        self.result = result


class ReplicationError(TroveGtidError):
    """Replication did not reach the expected state.

    ``io_error`` and ``sql_error`` carry the server's last errors, so the
    operator sees the cause and not only a timeout.
    """

    def __init__(self, message, io_error='', sql_error=''):
        super().__init__(message)
        self.io_error = io_error
        self.sql_error = sql_error


class RestartRequired(TroveGtidError):
    """A configuration change needs a server restart nobody can perform.

    ``settings`` is the exact text an operator must apply before retrying.
    """

    def __init__(self, message, settings=''):
        super().__init__(message)
        self.settings = settings


class SandboxError(TroveGtidError):
    """A local sandbox server could not be created, started or stopped."""


class Busy(TroveGtidError):
    """Another operation holds a server this one would change; nothing
    was changed.
    """
