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

"""What the MySQL and MariaDB GTID types share: the error for malformed
input, quoting it shortly, immutability.
"""

from trove_gtid_strategy import exceptions

_CLIP = 60


def _clip(text):
    """Quote ``text`` for a message, shortened: GTID sets can be huge."""
    if len(text) > _CLIP:
        text = text[:_CLIP - 3] + '...'
    return repr(text)


def _invalid(message, *args):
    return exceptions.InvalidGtidSet(message % args)


def _stray_comma(index, last):
    """Name the stray comma before empty element ``index`` of ``last``."""
    if index == 0:
        return "leading ','"
    if index == last:
        return "trailing ','"
    return "empty element between ',,'"


class _Immutable:
    """Refuse attribute assignment so instances can be hashed safely."""

    __slots__ = ()

    def __setattr__(self, name, value):
        raise AttributeError('%s is immutable' % type(self).__name__)

    def __delattr__(self, name):
        raise AttributeError('%s is immutable' % type(self).__name__)
