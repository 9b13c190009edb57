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

"""Hypothesis without a per-example deadline (a wall-clock limit, which
a busy 2-core CI machine breaks) and without an example database left in
the checkout; ``$HOME`` an empty directory, so a DSN without a password
never reads the real ``~/.my.cnf`` of whoever runs the tests.
"""

from hypothesis import settings
import pytest

settings.register_profile('unit', deadline=None, database=None)
settings.load_profile('unit')


@pytest.fixture(autouse=True)
def empty_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp('home')
    monkeypatch.setenv('HOME', str(home))
    return home
