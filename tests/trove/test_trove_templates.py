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

"""Trove's replication templates and ours, started on real servers.

template_starts.py renders Trove 26.0.0's ``ReplicaSourceConfigTemplate``
and ``ReplicaConfigTemplate`` and ours for the same datastore names and
labels and restarts a server of the label's line with each; the table it
wrote (template_starts.rst) must still say what a new measurement says.
"""

import pytest

import trove_support  # noqa: F401  (Trove importable, no monkey patch)

import conftest
import template_starts
from trove_gtid_strategy.sandbox import lines


@pytest.mark.parametrize('datastore, label', template_starts.LABELS)
def test_template_starts(datastore, label, template_dir, workdir):
    """One label each, so the workers share the restarts."""
    available = set(lines.names())
    for name in available:
        conftest.check_line(name, template_dir)
    rows = template_starts.measure(template_dir, workdir, available,
                                   [(datastore, label)])
    by_key = {(r['datastore'], r['label'], r['role']): r for r in rows}
    # Whatever Trove hands it, our strategy writes a config the server
    # starts with.
    for row in rows:
        if row['server']:
            assert row['applied'][0] == template_starts.STARTS, row
    replica = by_key[(datastore, label, 'replica')]
    if (datastore, label) in (('mysql', 'mysql-5.5'), ('mysql', 'MySQL 5.5'),
                              ('MySQL', '5.5')):
        # Seed 000: a label semantic_version cannot read, or a datastore
        # name in another case, gets Trove's generic GTID template.
        assert replica['trove_template'] == 'mysql/replica.config.template'
        assert 'gtid_mode' in replica['trove'][1]
    if (datastore, label) == ('mysql', '5.5'):
        assert replica['trove_template'] == \
            'mysql/5.5/replica.config.template'
    if (datastore, label) == ('mysql', '8.0') and replica['server']:
        # MySQL 8.3 removed relay_log_info_repository: Trove's 8.0 replica
        # text stops a 9.7 server, which our strategy replaces.
        assert replica['trove'][0] == template_starts.FAILS
        assert 'relay_log_info_repository' in replica['trove'][1]
        assert replica['applied_is_trove'] is False

    written = [o for o in template_starts.read_outcomes()
               if (o[0], o[1]) == (datastore, label)]
    assert written == template_starts.outcomes(rows), \
        'template_starts.rst is out of date: run tests/trove/' \
        'template_starts.py --write'
