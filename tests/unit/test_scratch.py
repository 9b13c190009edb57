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

"""Where throwaway servers go (sandbox/scratch.py)."""

import collections
import tempfile

from trove_gtid_strategy.sandbox import scratch

Statvfs = collections.namedtuple('Statvfs', 'f_bavail f_frsize')


def mounts(tmp_path, kind):
    path = tmp_path / 'mounts'
    path.write_text('/dev/vda / ext4 rw 0 0\n'
                    'tmpfs %s %s rw,size=100k 0 0\n' % (tmp_path, kind))
    return str(path)


def test_the_environment_wins(tmp_path):
    assert scratch.parent({scratch.SCRATCH_ENV: '/srv/x'}, str(tmp_path),
                          mounts(tmp_path, 'tmpfs')) == '/srv/x'


def test_a_roomy_tmpfs(tmp_path, monkeypatch):
    monkeypatch.setattr(scratch.os, 'statvfs',
                        lambda path: Statvfs(scratch.MIN_FREE_BYTES, 1))
    assert scratch.parent({}, str(tmp_path),
                          mounts(tmp_path, 'tmpfs')) == str(tmp_path)


def test_not_a_tmpfs_or_too_small_or_missing(tmp_path, monkeypatch):
    fallback = tempfile.gettempdir()
    assert scratch.parent({}, str(tmp_path),
                          mounts(tmp_path, 'ext4')) == fallback
    monkeypatch.setattr(scratch.os, 'statvfs',
                        lambda path: Statvfs(scratch.MIN_FREE_BYTES - 1, 1))
    assert scratch.parent({}, str(tmp_path),
                          mounts(tmp_path, 'tmpfs')) == fallback
    assert scratch.parent({}, str(tmp_path / 'gone'),
                          str(tmp_path / 'no-mounts')) == fallback
