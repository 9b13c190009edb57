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

"""``trove-gtid gtid ...``: GTID algebra for operators, MySQL and MariaDB.

MySQL GTID sets (``uuid:1-5,uuid:tag:7``) use set algebra. MariaDB GTID
positions (``domain-server-seq`` lists) work domain by domain, as MariaDB
compares them (:class:`~trove_gtid_strategy.gtid.MariaDBGtidPosition`):
within a domain only ``seq_no`` counts, so

* union keeps, per domain, the GTID furthest on (the first on a tie);
* intersect keeps the domains both have, at the lower GTID;
* subtract A B keeps A's GTIDs in the domains where B is behind or absent
  (what A has that B lacks, as errant transactions are found);
* contains A B: B is at or behind A in every domain of B.

The two kinds do not mix: a MySQL set with a MariaDB position is bad
input. An empty argument ('') is the empty set of either kind.
"""

import re

from trove_gtid_strategy.cmd import base
from trove_gtid_strategy import exceptions
from trove_gtid_strategy import gtid

MYSQL, MARIADB = 'MySQL GTID set', 'MariaDB GTID position'
_MARIADB_TEXT = re.compile(r'[\s\d,-]*\Z', re.ASCII)

ARGUMENT_HELP = ('a MySQL GTID set (uuid:1-5,uuid:7) or a MariaDB GTID '
                 'position (0-1-100,1-2-5), as servers print them; quote '
                 'it in the shell')


def kind_of(text):
    """MYSQL, MARIADB, or None for the empty set (either kind)."""
    if not text.strip():
        return None
    if ':' in text:
        return MYSQL
    if _MARIADB_TEXT.match(text):
        return MARIADB
    raise exceptions.InvalidGtidSet(
        '%r is neither a MySQL GTID set (uuid:interval, such as '
        '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5) nor a MariaDB GTID '
        'position (domain-server-seq, such as 0-1-100)' % text[:80])


def parse_all(texts):
    """The values of ``texts``, all of one kind; InvalidGtidSet if they mix
    MySQL sets and MariaDB positions.
    """
    kinds = {kind_of(text) for text in texts} - {None}
    if len(kinds) > 1:
        raise exceptions.InvalidGtidSet(
            'a MySQL GTID set and a MariaDB GTID position cannot be '
            'combined: %s' % ', '.join(repr(t[:80]) for t in texts))
    kind = kinds.pop() if kinds else MYSQL
    parse = (gtid.GtidSet.parse if kind == MYSQL
             else gtid.MariaDBGtidPosition.parse)
    return kind, [parse(text) for text in texts]


OPERATIONS = {
    # name: (MySQL function, MariaDB function)
    'union': (lambda a, b: a | b, lambda a, b: a.union(b)),
    'subtract': (lambda a, b: a - b, lambda a, b: a.domains_ahead_of(b)),
    'intersect': (lambda a, b: a & b, lambda a, b: a.intersection(b)),
}


class _GtidCommand(base.ShowOne):
    columns = ('result', 'kind')
    # The bare result, as before: $(trove-gtid gtid union A B) works.
    default_format = 'value'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        for name in self.arguments:
            parser.add_argument(name, metavar=name.upper(),
                                help=ARGUMENT_HELP)
        return parser

    def show(self, kind, value):
        return self.one({'result': str(value), 'kind': kind})

    def produce_output(self, parsed_args, column_names, data):
        if parsed_args.formatter == 'value' and not parsed_args.columns:
            # The value alone, without the kind.
            column_names, data = column_names[:1], data[:1]
        return super().produce_output(parsed_args, column_names, data)


class Normalize(_GtidCommand):
    """Print a GTID set or position in canonical form.

    MySQL sets: UUIDs lower-cased and sorted, intervals merged. MariaDB
    positions: sorted by domain; two GTIDs for one domain are refused.
    """

    arguments = ('set',)

    def take_action(self, args):
        kind, (value,) = parse_all([args.set])
        return self.show(kind, value)


class _Binary(_GtidCommand):
    arguments = ('a', 'b')
    operation = None

    def take_action(self, args):
        kind, (a, b) = parse_all([args.a, args.b])
        function = OPERATIONS[self.operation][kind == MARIADB]
        return self.show(kind, function(a, b))


class Union(_Binary):
    """Print A union B (MariaDB: per domain, the GTID furthest on)."""

    operation = 'union'


class Subtract(_Binary):
    """Print A minus B (MariaDB: A's domains where B is behind or absent)."""

    operation = 'subtract'


class Intersect(_Binary):
    """Print A intersect B (MariaDB: shared domains, the lower GTID)."""

    operation = 'intersect'


class Contains(_GtidCommand):
    """Tell whether A contains B: exit 0 if so, 1 if not.

    MySQL: B is a subset of A. MariaDB: in every domain of B, A has the
    domain at B's seq_no or further. "missing" is what B has that A lacks.
    """

    arguments = ('a', 'b')
    columns = ('contains', 'missing', 'kind')
    default_format = 'table'

    def take_action(self, args):
        kind, (a, b) = parse_all([args.a, args.b])
        if kind == MARIADB:
            missing = b.domains_ahead_of(a)
        else:
            missing = b - a
        self.exit_status = 1 if missing else 0
        return self.one({'contains': 'no' if missing else 'yes',
                         'missing': str(missing), 'kind': kind})
