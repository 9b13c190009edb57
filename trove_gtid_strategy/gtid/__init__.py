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

"""GTID-set algebra for MySQL and GTID positions for MariaDB.

Pure code: nothing here talks to a server. Callers read text such as
``@@gtid_executed`` or ``@@gtid_slave_pos`` themselves and pass it in.

MySQL identifies a transaction as ``uuid:n`` (or ``uuid:tag:n`` since
8.3), and a server remembers *sets* of them, so replicas are compared with
set algebra (:class:`GtidSet`). MariaDB identifies a transaction as
``domain-server-seq`` and remembers only the last one per replication
domain, so replicas are compared domain by domain
(:class:`MariaDBGtidPosition`). The two formats are not compatible.

Every malformed input raises :class:`~trove_gtid_strategy.exceptions.
InvalidGtidSet` (a :class:`ValueError`) whose message quotes the offending
token and says what was expected.

The MySQL sets are in :mod:`.mysql`, the MariaDB positions in
:mod:`.mariadb`; both are importable from here. Limits, from the MySQL
8.4 source (``sequence_number_max_inclusive`` in
``mysql/gtids/sequence_number.h``; ``parse_gno`` in ``rpl_gtid_set.cc``
rejects anything ``>= INT64_MAX``): a transaction number lies in
``1 .. 2**63 - 2``. A tag is 1 to 32 ASCII letters, digits and
underscores and does not start with a digit (``mysql::gtid::tag_max_length
= 32``); tags are case-insensitive and MySQL prints them in lower case.
"""

from trove_gtid_strategy.gtid.mariadb import DomainState  # noqa: F401
from trove_gtid_strategy.gtid.mariadb import MariaDBGtid  # noqa: F401
from trove_gtid_strategy.gtid.mariadb import MariaDBGtidPosition  # noqa
from trove_gtid_strategy.gtid.mariadb import MAX_MARIADB_ID  # noqa: F401
from trove_gtid_strategy.gtid.mariadb import MAX_MARIADB_SEQ_NO  # noqa
from trove_gtid_strategy.gtid.mysql import GtidSet  # noqa: F401
from trove_gtid_strategy.gtid.mysql import MAX_GNO  # noqa: F401
from trove_gtid_strategy.gtid.mysql import MAX_TAG_LENGTH  # noqa: F401
from trove_gtid_strategy.gtid.mysql import MIN_GNO  # noqa: F401
