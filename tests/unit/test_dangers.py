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

"""What status and check call dangerous, from hand-made facts."""

from trove_gtid_strategy import dangers
from trove_gtid_strategy.dangers import Seen


def codes(seen):
    return [(d.code, d.servers) for d in dangers.find(seen)]


def test_a_healthy_topology_has_none():
    assert codes([Seen('s', False, False, settings_files=frozenset(
        {'source'})), Seen('r', True, True, settings_files=frozenset(
            {'source', 'replica'}))]) == []


def test_writable_replica_and_two_sources():
    assert codes([Seen('s', False, False), Seen('old', False, False),
                  Seen('r', True, False)]) == [
        ('writable_replica', ('r',)),
        ('several_writable', ('s', 'old'))]
    # A fenced (read-only) old source is no second source.
    assert codes([Seen('s', False, False), Seen('old', False, True)]) == []


def test_a_replica_stopped_on_an_error():
    found = dangers.find([Seen('r', True, True, stopped_error=(
        'SQL', 1062, "Duplicate entry '1'"))])
    assert [d.code for d in found] == ['replica_stopped']
    assert 'SQL thread stopped on error 1062' in found[0].message


def test_settings_files_that_a_restart_would_obey():
    replica_without = Seen('r', True, True, settings_files=frozenset(
        {'source'}))
    source_with = Seen('s', False, False, settings_files=frozenset(
        {'source', 'replica'}))
    fenced_old = Seen('old', False, True, settings_files=frozenset(
        {'fenced'}))
    unknown = Seen('u', True, True, settings_files=None)
    assert codes([replica_without, source_with, fenced_old, unknown]) == [
        ('restart_makes_writable', ('r',)),
        ('restart_makes_read_only', ('s',))]


def test_locks_a_fence_left():
    found = dangers.find([Seen('s', False, True, fence_locks=(
        "'app'@'%'",))])
    assert [d.code for d in found] == ['fence_locks_left']
    assert "'app'@'%'" in found[0].message
