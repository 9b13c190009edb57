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

"""The GTID flavors: each answers its questions the way its servers
behave, and nothing outside them compares ``gtid_style`` strings.
"""

import pathlib
import re
import types

import pytest

from trove_gtid_strategy.capabilities import capabilities_for
from trove_gtid_strategy import exceptions
from trove_gtid_strategy import flavors
from trove_gtid_strategy import gtid as gtid_sets
from trove_gtid_strategy import rendering
from trove_gtid_strategy import seeding
from trove_gtid_strategy import state as state_mod
from trove_gtid_strategy.versions import parse_label

U1 = '3e11fa47-71ca-11e1-9e33-c80aa9429562'
U2 = 'b7a0c0de-0000-11e1-9e33-c80aa9429562'


def _flavor(label):
    return flavors.of(capabilities_for(parse_label(label)))


def _txn(gtid):
    return types.SimpleNamespace(gtid=gtid)


@pytest.mark.parametrize('label, style', [
    ('mysql-5.5', None), ('mysql-5.6', 'mysql'), ('mysql-9.7', 'mysql'),
    ('percona-8.0', 'mysql'), ('mariadb-5.5', None),
    ('mariadb-10.11', 'mariadb'), ('mariadb-11.8', 'mariadb')])
def test_each_version_gets_its_flavor(label, style):
    assert _flavor(label).style == style
    assert flavors.named(style) is _flavor(label)


@pytest.mark.parametrize('bad', ['MySQL', 'postgres', '', 3, ['mysql']])
def test_an_unknown_flavor_name_is_invalid_input(bad):
    with pytest.raises(exceptions.InvalidInput, match='unknown GTID flavor'):
        flavors.named(bad)


def test_position_options_leave_gtids_by_flavor():
    assert _flavor('mysql-5.5').position_options('MASTER_') == []
    assert _flavor('mysql-9.7').position_options('SOURCE_') == [
        ('SOURCE_AUTO_POSITION', '0')]
    assert _flavor('mariadb-11.8').position_options('MASTER_') == [
        ('MASTER_USE_GTID', 'no')]


def test_executed_fields_parse_each_flavors_variables():
    mysql = _flavor('mysql-9.7').executed_fields(
        {'gtid_executed': '%s:1-5,\n%s:1-2' % (U1, U2),
         'gtid_purged': '%s:1-3' % U1})
    assert mysql['gtid_executed'].count() == 7
    assert mysql['gtid_purged'] == gtid_sets.GtidSet.parse('%s:1-3' % U1)
    maria = _flavor('mariadb-11.8').executed_fields(
        {'gtid_binlog_pos': '0-1-9', 'gtid_slave_pos': '0-1-7,1-2-3',
         'gtid_binlog_state': '0-2-4,\n0-1-9'})
    assert str(maria['gtid_binlog_pos']) == '0-1-9'
    assert str(maria['gtid_slave_pos']) == '0-1-7,1-2-3'
    assert [str(g) for g in maria['gtid_binlog_state']] == ['0-2-4',
                                                            '0-1-9']
    assert _flavor('mysql-5.5').executed_fields({'gtid_executed': 'x'}) \
        == {}


def test_start_gtids_come_from_the_row_or_the_coordinates():
    row = {'File': 'b.000002', 'Executed_Gtid_Set': '%s:1-4' % U1}
    at = gtid_sets.MariaDBGtidPosition.parse('0-1-9')
    assert _flavor('mysql-9.7').start_gtids(row, None) == (
        gtid_sets.GtidSet.parse('%s:1-4' % U1), None)
    assert _flavor('mysql-9.7').start_gtids({'File': 'b'}, None) == (
        None, None)
    assert _flavor('mariadb-11.8').position_at_coordinates
    assert not _flavor('mysql-9.7').position_at_coordinates
    assert _flavor('mariadb-11.8').start_gtids({'File': 'b'}, at) == (
        None, at)
    assert _flavor('mysql-5.5').start_gtids(row, None) == (None, None)


def test_wait_target_is_the_flavors_part_of_a_start_point():
    start = seeding.StartPoint(
        'test', 'b.1', 4, gtid_sets.GtidSet.parse('%s:1-4' % U1),
        gtid_sets.MariaDBGtidPosition.parse('0-1-9'))
    assert _flavor('mysql-9.7').wait_target(start) is start.gtid_set
    assert _flavor('mariadb-10.11').wait_target(start) is start.mariadb_pos
    assert _flavor('mysql-5.5').wait_target(start) is None


@pytest.mark.parametrize('value, assigned', [
    ('ON', True), ('on', True), ('OFF', False), ('ON_PERMISSIVE', False),
    (None, False)])
def test_mysql_assigns_gtids_only_with_gtid_mode_on(value, assigned):
    assert _flavor('mysql-9.7').gtids_assigned({'gtid_mode': value}) is \
        assigned
    assert _flavor('mariadb-11.8').gtids_assigned({'gtid_mode': value})
    assert not _flavor('mysql-5.5').gtids_assigned({'gtid_mode': value})


def test_applied_tests():
    mysql = _flavor('mysql-9.7').applied_test(
        {'gtid_mode': 'ON', 'gtid_executed': '%s:1-5' % U1})
    assert mysql(_txn('%s:5' % U1)) and not mysql(_txn('%s:6' % U1))
    assert not mysql(_txn(''))
    assert _flavor('mysql-9.7').applied_test({'gtid_mode': 'OFF'}) is None
    maria = _flavor('mariadb-11.8').applied_test(
        {'gtid_slave_pos': '0-1-7,1-2-3'})
    assert maria(_txn('0-1-7')) and maria(_txn('1-9-2'))
    assert not maria(_txn('0-1-8')) and not maria(_txn('2-1-1'))
    assert _flavor('mysql-5.5').applied_test({}) is None


def test_normalise_gtid_accepts_one_gtid_of_its_own_flavor():
    assert _flavor('mysql-9.7').normalise_gtid(
        ' %s:7 ' % U1.upper()) == '%s:7' % U1
    assert _flavor('mariadb-11.8').normalise_gtid(' 0-1-7 ') == '0-1-7'
    with pytest.raises(exceptions.InvalidInput, match='one GTID'):
        _flavor('mysql-9.7').normalise_gtid('%s:7-8' % U1)
    with pytest.raises(exceptions.InvalidInput):
        _flavor('mariadb-11.8').normalise_gtid('%s:7' % U1)
    with pytest.raises(exceptions.InvalidInput, match='no GTIDs'):
        _flavor('mysql-5.5').normalise_gtid('%s:7' % U1)


def test_skip_rules_and_applier_order():
    mysql, maria = _flavor('mysql-9.7'), _flavor('mariadb-11.8')
    assert mysql.skips_by_empty_transaction
    assert not maria.skips_by_empty_transaction
    assert maria.skip_leaves_binlog_hole
    assert not mysql.skip_leaves_binlog_hole
    assert maria.domain_of('3-1-7') == 3
    assert mysql.domain_of('%s:7' % U1) is None
    assert maria.applies_in_order({'slave_parallel_threads': '0'})
    assert not maria.applies_in_order({'replica_parallel_threads': '4'})
    # MySQL's workers commit in order but a later one can fail first.
    assert not mysql.applies_in_order({'replica_parallel_workers': '4'})
    assert mysql.applies_in_order({'slave_parallel_workers': '0'})
    assert mysql.applies_in_order({})


def test_received_unexecuted_reads_mysql_status_only():
    status = state_mod.ReplicaStatus.from_row({
        'Retrieved_Gtid_Set': '%s:1-9' % U1,
        'Executed_Gtid_Set': '%s:1-7' % U1})
    assert _flavor('mysql-9.7').received_unexecuted(status) == \
        gtid_sets.GtidSet.parse('%s:8-9' % U1)
    assert _flavor('mariadb-11.8').received_unexecuted(status) is None
    empty = state_mod.ReplicaStatus.from_row({})
    assert _flavor('mysql-9.7').received_unexecuted(empty) is None


def test_gtid_options_of_another_flavor_are_refused_in_my_cnf():
    text = '[mysqld]\ngtid_mode = ON\nenforce_gtid_consistency = ON\n'
    caps = capabilities_for(parse_label('mariadb-11.8'))
    assert any('gtid_mode' in p and 'MySQL GTIDs' in p
               for p in rendering.check_config(text, caps))
    caps = capabilities_for(parse_label('mysql-9.7'))
    assert rendering.check_config(text, caps) == []
    assert any('gtid_strict_mode' in p and 'MariaDB GTIDs' in p
               for p in rendering.check_config(
                   '[mysqld]\ngtid_strict_mode = 1\n', caps))


def test_mysql_gtid_mode_needs_its_companions():
    caps = capabilities_for(parse_label('mysql-5.6'))
    problems = rendering.check_config('[mysqld]\ngtid_mode = ON\n', caps)
    assert 'gtid_mode = ON needs enforce_gtid_consistency = ON' in problems
    assert any('5.6 needs log_bin' in p for p in problems)


def test_received_and_own_parse_by_flavor():
    mysql, maria = _flavor('mysql-9.7'), _flavor('mariadb-11.8')
    assert mysql.parse_received('%s:1-3' % U1).count() == 3
    assert mysql.parse_own('%s:1' % U1).count() == 1
    assert str(maria.parse_received('0-1-3')) == '0-1-3'
    assert maria.parse_own('0-1-3') is None
    with pytest.raises(ValueError):
        _flavor('mysql-5.5').parse_received('%s:1' % U1)


def test_no_gtid_style_branches_outside_the_flavors():
    """The flavor axis lives in ``flavors/``: elsewhere a
    ``gtid_style ==`` comparison is a branch that belongs there
    (the dialect's guard refuses a statement of another flavor).
    """
    package = pathlib.Path(flavors.__file__).parents[1]
    allowed = {('dialect/__init__.py',
                'if self.caps.gtid_style != style:')}
    found = []
    for path in package.rglob('*.py'):
        relative = path.relative_to(package).as_posix()
        if relative.startswith('flavors/'):
            continue
        for line in path.read_text().splitlines():
            if re.search(r'gtid_style\s*(==|!=|\bin\b)', line) and \
                    (relative, line.strip()) not in allowed:
                found.append('%s: %s' % (relative, line.strip()))
    assert found == []
