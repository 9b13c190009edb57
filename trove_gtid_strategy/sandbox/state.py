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

"""The sandbox state file, ``<base_dir>/sandbox.json`` (mode 0600).

It records the servers (name, line, port, pid, paths), the admin account
and the directories the sandbox created (the only ones ``down --remove``
deletes).

Many processes may use one sandbox at once (``trove-gtid`` commands,
tests, the strategy restarting servers), so:

* every write replaces the file atomically (a private temporary file in
  the same directory, fsync'd, then ``os.replace``): a reader sees the old
  or the new state, never a partial one;
* every change is a read-modify-write under an exclusive ``flock`` on
  ``sandbox.json.lock`` next to it (:meth:`StateFile.update`), so no
  process's change is lost to another's.

Reads take no lock: the file they open is always complete.
"""

import contextlib
import json
import os
import tempfile

from trove_gtid_strategy import exceptions
from trove_gtid_strategy.sandbox import process

STATE_FILE = 'sandbox.json'
LOCK_SUFFIX = '.lock'
FORMAT = 2


class StateFile(object):
    """``sandbox.json`` of one base directory."""

    def __init__(self, base_dir):
        self.path = os.path.join(base_dir, STATE_FILE)
        self.lock_path = self.path + LOCK_SUFFIX

    def __repr__(self):
        return '<StateFile %s>' % self.path

    def exists(self):
        return os.path.isfile(self.path)

    def read(self):
        """The state as a dict, or None when there is none."""
        try:
            with open(self.path, encoding='utf-8') as f:
                return json.load(f)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise exceptions.SandboxError(
                'state file %s is unreadable (%s): stop its servers by hand '
                'and delete it' % (self.path, exc))

    @contextlib.contextmanager
    def locked(self):
        """Hold the state lock (for a read-modify-write)."""
        with process.flock(self.lock_path):
            yield

    def write(self, state):
        """Replace the file atomically. Hold :meth:`locked` around it."""
        directory = os.path.dirname(self.path)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix='.sandbox-',
                                   suffix='.tmp')
        try:
            with os.fdopen(fd, 'w', encoding='utf-8') as f:
                os.fchmod(f.fileno(), 0o600)
                json.dump(state, f, indent=2, sort_keys=True)
                f.write('\n')
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def update(self, change):
        """Apply ``change(state)`` under the lock and write the result.

        ``change`` edits the dict in place. Nothing happens when there is
        no state (the sandbox was removed meanwhile). Returns the state
        written, or None.
        """
        with self.locked():
            state = self.read()
            if state is None:
                return None
            change(state)
            self.write(state)
            return state

    def remove(self):
        """Delete the state file (under the lock) and the lock file."""
        with self.locked():
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.lock_path)


def server_entry(state, name):
    """The entry of server ``name`` in ``state``, or None."""
    for entry in (state or {}).get('servers', ()):
        if entry['name'] == name:
            return entry
    return None
