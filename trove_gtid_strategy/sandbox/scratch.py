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

"""Where throwaway servers go: the test suites make and delete hundreds.

``$TROVE_GTID_SCRATCH_DIR`` when set; else ``/dev/shm`` when it is a
tmpfs this process can write with room to spare; else the system's
temporary directory. On the 2-core test machine, whose ext4 root has no
journal, ext4 checks every free inode it considers for a new file
against the inodes deleted in the last minutes (``recently_deleted``):
with servers' files created and deleted by the hundred, that scan was
13-17 % of all the CPU a test run used. A tmpfs has no such scan, and a
server's ``fsync`` costs nothing there; what a test asks of durability is
unchanged, as ``kill -9`` of a server loses nothing the kernel holds
either way.
"""

import os
import tempfile

SCRATCH_ENV = 'TROVE_GTID_SCRATCH_DIR'
RAM_DIR = '/dev/shm'
#: Free space the RAM directory must have: a test run's servers peak
#: well under it.
MIN_FREE_BYTES = 4 << 30


def parent(environ=None, ram_dir=RAM_DIR, mounts='/proc/mounts'):
    """The directory to make throwaway server directories in."""
    environ = os.environ if environ is None else environ
    if environ.get(SCRATCH_ENV):
        return environ[SCRATCH_ENV]
    if _is_roomy_tmpfs(ram_dir, mounts):
        return ram_dir
    return tempfile.gettempdir()


def _is_roomy_tmpfs(path, mounts):
    try:
        with open(mounts) as f:
            types = {fields[1]: fields[2] for fields in
                     (line.split() for line in f) if len(fields) > 2}
        if types.get(path) != 'tmpfs' or not os.access(path, os.W_OK):
            return False
        found = os.statvfs(path)
    except OSError:
        return False
    return found.f_bavail * found.f_frsize >= MIN_FREE_BYTES
