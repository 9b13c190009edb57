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

"""The sandbox's base directory: what in it is the sandbox's.

A sandbox goes only into a missing or empty directory, or one holding a
sandbox already (a state file); anything else is someone's and refused
before anything is written. Removal deletes only the directories the
state records as created by the sandbox, then the state and lock files,
then the base directory if the sandbox created it and it is now empty:
whatever else is there stays.
"""

import contextlib
import os
import shutil

from oslo_log import log as logging

from trove_gtid_strategy import exceptions
from trove_gtid_strategy.sandbox import state as state_mod

LOG = logging.getLogger(__name__)

OPS_LOCK = 'sandbox.lock'
#: Left in a base directory by the ``up`` that created it: of two ups
#: started at once, the one that writes the state may not be the one
#: that made the directory, and only the mark tells removal it may go.
CREATED_MARK = '.created-by-sandbox'
TEMPLATE_LOCK = '.lock'
# sockaddr_un.sun_path is 108 bytes including the terminating NUL.
MAX_SOCKET_PATH = 107
SOCKET_NAME = 'mysqld.sock'


def own_files():
    """Names the sandbox keeps directly in its base directory."""
    return (OPS_LOCK, state_mod.STATE_FILE,
            state_mod.STATE_FILE + state_mod.LOCK_SUFFIX, CREATED_MARK)


def make_base(base_dir):
    """Create ``base_dir`` if missing; True if this call created it (and
    marked it so). Its parents are made as needed.
    """
    os.makedirs(os.path.dirname(base_dir), exist_ok=True)
    try:
        os.mkdir(base_dir, 0o700)
    except FileExistsError:
        return False
    with open(os.path.join(base_dir, CREATED_MARK), 'w'):
        pass
    return True


def created_by_sandbox(base_dir):
    return os.path.isfile(os.path.join(base_dir, CREATED_MARK))


def refuse_foreign(base_dir, template_dir):
    """InvalidInput if ``base_dir`` holds anything but a sandbox.

    A missing or empty directory is fine, as is one holding only the
    sandbox's lock files or its template cache.
    """
    if not os.path.lexists(base_dir):
        return
    if not os.path.isdir(base_dir) or os.path.islink(base_dir):
        raise exceptions.InvalidInput(
            '%s is not a directory: choose a new or empty directory for '
            'the sandbox' % base_dir)
    if os.path.isfile(os.path.join(base_dir, state_mod.STATE_FILE)):
        return
    foreign = [e for e in sorted(os.listdir(base_dir))
               if not _is_own_entry(base_dir, template_dir, e)]
    if foreign:
        raise exceptions.InvalidInput(
            '%s is not a sandbox (no %s) and is not empty (it holds %s): '
            'nothing was changed; choose a new or empty directory'
            % (base_dir, state_mod.STATE_FILE, ', '.join(foreign[:5])
               + (', ...' if len(foreign) > 5 else '')))


def _is_own_entry(base_dir, template_dir, entry):
    path = os.path.join(base_dir, entry)
    if entry in (OPS_LOCK, state_mod.STATE_FILE + state_mod.LOCK_SUFFIX,
                 CREATED_MARK):
        return os.path.isfile(path) and os.path.getsize(path) == 0
    # A template cache (ours has its lock file) may be kept.
    return (path == template_dir and os.path.isdir(path)
            and not os.path.islink(path)
            and os.path.exists(os.path.join(path, TEMPLATE_LOCK)))


def check_socket_length(base_dir, longest_name):
    path = os.path.join(base_dir, longest_name, SOCKET_NAME)
    if len(os.fsencode(path)) > MAX_SOCKET_PATH:
        raise exceptions.InvalidInput(
            'base directory %s is too long: the socket path %s would '
            'exceed the %d-byte unix socket limit; use a shorter '
            'directory, e.g. one made by `mktemp -d /tmp/tg-XXXX`'
            % (base_dir, path, MAX_SOCKET_PATH))


def undo_new(base_dir, template_dir, created_base, template_existed):
    """Remove what a failed first ``up`` made before it wrote a state."""
    if not template_existed:
        shutil.rmtree(template_dir, ignore_errors=True)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(os.path.join(base_dir, OPS_LOCK))
    if created_base:
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(base_dir, CREATED_MARK))
            os.rmdir(base_dir)


def remove_created(base_dir, state, state_file):
    """Delete what the sandbox created (see the module docstring)."""
    if 'created' in state:
        created = state['created']
    else:   # format 1: the server directories
        created = [e['base'] for e in state['servers']]
    for path in created:
        path = os.path.abspath(path)
        if os.path.dirname(path) != base_dir or os.path.islink(path):
            LOG.warning('Not removing %s: not a directory of %s', path,
                        base_dir)
            continue
        shutil.rmtree(path, ignore_errors=True)
    state_file.remove()
    with contextlib.suppress(FileNotFoundError):
        os.unlink(os.path.join(base_dir, OPS_LOCK))
    if state.get('base_dir_created'):
        with contextlib.suppress(OSError):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(base_dir, CREATED_MARK))
            os.rmdir(base_dir)
