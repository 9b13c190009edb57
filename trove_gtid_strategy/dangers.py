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


"""What is dangerous in a set of servers, as ``status`` and ``check`` say
it: pure, from facts read beforehand.

* ``writable_replica``: a replica that takes writes; any is errant and
  breaks the next attach or promotion.
* ``several_writable``: more than one writable server that replicates
  from nobody: two sources, whose writes nothing reconciles.
* ``replica_stopped``: a replica thread stopped on an error.
* ``restart_makes_writable`` / ``restart_makes_read_only``: the settings
  file a server reads at start disagrees with the role it runs: a replica
  without its replica settings comes back writable, a source with them
  comes back read-only.
* ``fence_locks_left``: accounts a fence locked and nobody unlocked (a
  switchover stopped and not run again).
"""

import dataclasses


@dataclasses.dataclass(frozen=True)
class Seen:
    """One server's facts, as the dangers need them."""

    name: str
    is_replica: bool
    read_only: bool
    #: ``(thread, errno, message)`` of a thread stopped on an error.
    stopped_error: tuple | None = None
    #: Which settings files its conf dir holds ('source', 'replica',
    #: 'fenced'), or None when no conf dir is known.
    settings_files: frozenset | None = None
    #: Accounts a fence locked there.
    fence_locks: tuple = ()


@dataclasses.dataclass(frozen=True)
class Danger:
    code: str
    servers: tuple
    message: str

    def to_dict(self):
        return {'code': self.code, 'servers': list(self.servers),
                'message': self.message}


def find(seen):
    """The :class:`Danger` list of ``seen`` (:class:`Seen` records)."""
    found = []
    for s in seen:
        if s.is_replica and not s.read_only:
            found.append(Danger(
                'writable_replica', (s.name,), '%s replicates but takes '
                'writes: any write there is errant; make it read-only '
                '(attach does, or SET GLOBAL read_only = ON)' % s.name))
        if s.stopped_error:
            thread, errno, message = s.stopped_error
            found.append(Danger(
                'replica_stopped', (s.name,), '%s: its %s thread stopped on '
                'error %d: %s' % (s.name, thread, errno, message)))
        found += _settings_file(s)
        if s.fence_locks:
            found.append(Danger(
                'fence_locks_left', (s.name,), '%s: accounts locked by a '
                'fence that was never lifted (%s): run the switchover '
                'again to finish it, which unlocks them'
                % (s.name, ', '.join(s.fence_locks))))
    sources = [s.name for s in seen if not s.is_replica and not s.read_only]
    if len(sources) > 1:
        found.append(Danger(
            'several_writable', tuple(sources), 'several servers take '
            'writes and replicate from nobody (%s): each is a source, and '
            'nothing reconciles their writes; keep one, and attach or '
            'fence the others' % ', '.join(sources)))
    return found


def _settings_file(s):
    files = s.settings_files
    if files is None:
        return []
    held = files & {'replica', 'fenced'}
    if s.is_replica and not held:
        return [Danger(
            'restart_makes_writable', (s.name,), '%s replicates, but its '
            'settings file has no replica settings: restarted, it takes '
            'writes' % s.name)]
    if not s.is_replica and not s.read_only and held:
        return [Danger(
            'restart_makes_read_only', (s.name,), '%s is a writable '
            'source, but its settings files hold %s settings: restarted, '
            'it is read-only' % (s.name, ' and '.join(sorted(held))))]
    return []
