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

"""``trove-gtid demo`` on every server line, in each mode the line has
(issue 7): MySQL 9.7 in GTID auto-position mode and in binlog-position
mode on servers with gtid_mode = OFF; MariaDB in GTID mode and, allowed
by name, in binlog-position mode. The demo's own check is CHECKSUM TABLE
on all three servers; here its JSON report is read, and its base
directory must be left as it found it (missing).
"""

import os

import pytest

from support import run

MODES = {'mysql': (('gtid', 'mysql_gtid', ()),
                   ('binlog', 'binlog', ())),
         'mariadb': (('gtid', 'mariadb_gtid', ()),
                     ('binlog', 'binlog', ('--allow-crash-unsafe',)))}


@pytest.mark.parametrize('index', [0, 1], ids=['gtid', 'binlog'])
def test_demo_matches_on_every_line_and_mode(server_line, tmp_path, index):
    requested, chosen, extra = MODES[server_line.flavor][index]
    base_dir = str(tmp_path / 'demo')
    code, result = run('demo', '--server', server_line.name, '--mode',
                       requested, '--rows', '300', '--base-dir', base_dir,
                       *extra)
    assert code == 0, result
    assert (result['matched'], result['line'], result['mode']) == (
        True, server_line.name, chosen)
    tables = result['servers']
    assert sorted(tables) == ['replica1', 'replica2', 'source']
    # 300 writer rows plus what the demo wrote first, equal everywhere.
    assert tables['source']['orders']['rows'] >= 300
    assert tables['replica1'] == tables['replica2'] == tables['source']
    # trove-gtid verify at one point, every table in key ranges.
    assert result['verified'] == {'replica1': True, 'replica2': True}
    assert not os.path.exists(base_dir) or os.listdir(base_dir) == []


@pytest.mark.lines('mariadb-10.11', 'mariadb-11.8')
def test_demo_refuses_binlog_mode_on_mariadb_without_the_flag(server_line,
                                                              tmp_path):
    base_dir = str(tmp_path / 'demo')
    code, result = run('demo', '--server', server_line.name, '--mode',
                       'binlog', '--rows', '10', '--base-dir', base_dir)
    assert code == 1, result
    assert result['kind'] == 'refused' and 'crash' in result['error']
    assert not os.path.exists(base_dir) or os.listdir(base_dir) == []
