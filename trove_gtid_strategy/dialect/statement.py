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

"""A statement and its loggable form: ``str()`` of a statement is the
redacted text, so a password never reaches a log by accident.
"""

import dataclasses

from trove_gtid_strategy import literals

REDACTED = '***'


@dataclasses.dataclass(frozen=True)
class Statement:
    """An SQL statement and its loggable form."""

    sql: str = dataclasses.field(repr=False)
    redacted: str

    def __str__(self):
        return self.redacted


def plain(sql):
    """A statement that carries no secret: logged as sent."""
    return Statement(sql, sql)


def account(name, host):
    """An account's name in statements: ``'user'@'host'``, quoted."""
    return '%s@%s' % (literals.quote(name), literals.quote(host))
