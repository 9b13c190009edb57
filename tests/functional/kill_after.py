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

"""Run ``trove-gtid`` and SIGKILL it right after its Nth change.

    python kill_after.py N COUNT_FILE -- trove-gtid arguments...
    python kill_after.py --serve

``--serve`` imports the command once and then, for each request line on
stdin (JSON ``[N, COUNT_FILE, [arguments...]]``), forks a child that runs
it as above and answers with a line holding the child's exit status
(negative: the signal that ended it). The server has one thread, so a
fork is safe; each run is still its own process, killed as one, at a
twentieth of the cost of starting Python and the command's imports.

A change is a statement that can change a server (anything but SELECT,
SHOW and session settings) once the server answered it, or a settings
file written, or a server restarted. After the Nth, the process kills
itself with SIGKILL: no ``finally``, no cleanup, as an operator's kill
-9 or a lost machine. With N = 0 nothing is killed. Either way the
number of changes made is written to COUNT_FILE after each one, so a
test learns how many boundaries a whole run has.

Test scaffolding only: the product has no fault hooks; this wraps
PyMySQL's cursor, the settings-file writer and the sandbox's restart
from outside, in the command's own process.
"""

import json
import os
import re
import signal
import sys

import pymysql.cursors

_READ = re.compile(r'^\s*(SELECT|SHOW|SET\s+(SESSION|@@SESSION|NAMES|'
                   r'sql_log_bin|autocommit|time_zone)|DO\b)', re.IGNORECASE)


class _Counter:
    def __init__(self, limit, path):
        self.limit = limit
        self.path = path
        self.count = 0

    def changed(self):
        self.count += 1
        with open(self.path, 'w') as f:
            f.write('%d\n' % self.count)
        if self.count == self.limit:
            os.kill(os.getpid(), signal.SIGKILL)


def _wrap(owner, name, counter, is_change=lambda *a, **k: True):
    original = getattr(owner, name)

    def wrapped(*args, **kwargs):
        result = original(*args, **kwargs)
        if is_change(*args, **kwargs):
            counter.changed()
        return result
    setattr(owner, name, wrapped)


def install(limit, path):
    from trove_gtid_strategy.guest import service
    from trove_gtid_strategy.sandbox import server
    counter = _Counter(limit, path)
    _wrap(pymysql.cursors.Cursor, 'execute', counter,
          lambda cursor, query, args=None: not _READ.match(str(query)))
    _wrap(service, 'write_atomically', counter)
    _wrap(server.SandboxServer, 'restart', counter)
    return counter


def _run(limit, path, arguments):
    install(limit, path)
    from trove_gtid_strategy.cmd import main as cli
    return cli.main(arguments)


def serve():
    from trove_gtid_strategy.cmd import main as cli  # noqa: F401 (loaded)
    for line in sys.stdin:
        limit, path, arguments = json.loads(line)
        out = open(os.devnull, 'w')
        pid = os.fork()
        if pid == 0:
            os.dup2(out.fileno(), 1)
            os.dup2(out.fileno(), 2)
            os._exit(_run(limit, path, arguments))
        out.close()
        _, status = os.waitpid(pid, 0)
        code = (-os.WTERMSIG(status) if os.WIFSIGNALED(status)
                else os.WEXITSTATUS(status))
        sys.stdout.write('%d\n' % code)
        sys.stdout.flush()
    return 0


def main(argv):
    if argv == ['--serve']:
        return serve()
    limit, path = int(argv[0]), argv[1]
    assert argv[2] == '--'
    return _run(limit, path, argv[3:])


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
