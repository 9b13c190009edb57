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

"""``trove-gtid attach`` on servers it does not manage (issue 7).

The servers are sandbox servers, but the command is given plain DSNs and
no ``--sandbox``: it cannot restart them or find their ``conf.d``. When
they already run with what the mode needs it changes no file and
restarts nothing; otherwise it stops before changing anything and prints
the settings (``restart_required``), or with ``--conf-dir`` writes them
there for the operator's restart, after which a second run attaches.
"""

import os

from trove_gtid_strategy import strategy

from support import CountingService
from support import everything
from support import fingerprint
from support import is_mysql
from support import make_table
from support import query
from support import run

PASSWORD_ENV = 'TG_TEST_ADMIN_PASSWORD'


def dsn_of(server):
    os.environ[PASSWORD_ENV] = server.dsn.password
    return 'mysql://%s@127.0.0.1:%d?password_env=%s' % (
        server.dsn.user, server.port, PASSWORD_ENV)


# As packaged, MySQL runs without relay_log_recovery and MariaDB without
# a binary log (the sandbox's servers run with them, ready to replicate).
AS_PACKAGED = {
    'mysql': {'packaged.cnf': '[mysqld]\nrelay_log_recovery = OFF\n'},
    'mariadb': {'packaged.cnf': '[mysqld]\nskip-log-bin\n'}}


def test_attach_outside_a_sandbox(sandbox_factory, server_line):
    box = sandbox_factory(replicas=1,
                          conf_d=AS_PACKAGED[server_line.flavor])
    args = ('attach', '--source', dsn_of(box.source),
            '--replica', dsn_of(box.replicas[0]))
    # Each line lacks a setting only a restart applies: MariaDB starts
    # without a binary log; MySQL without relay_log_recovery, which a
    # crash-safe replica needs. Nothing is changed until the operator
    # restarted them.
    lacking = ('relay_log_recovery = ON' if is_mysql(box.source)
               else 'log_bin = ')
    before = everything(box)
    code, result = run(*args)
    assert code == 1
    assert result['kind'] == 'restart_required'
    assert lacking in result['settings']
    assert everything(box) == before
    # With the include directories: the files are written, still no
    # restart, and the same answer.
    code, result = run(*args + (
        '--source-conf-dir', box.source.conf_dir,
        '--replica-conf-dir', box.replicas[0].conf_dir))
    assert code == 1 and result['kind'] == 'restart_required'
    assert any(name.startswith('trove-gtid-replication')
               for server in box.servers()
               for name in os.listdir(server.conf_dir))
    # The operator restarts both servers.
    for server in box.servers():
        server.restart()
    pids = [server.pid for server in box.servers()]
    files = [sorted(os.listdir(s.conf_dir)) for s in box.servers()]
    code, result = run(*args)
    assert code == 0, result
    # Nothing restarted, no file written by this run (read_only is set
    # live on the replica).
    assert [server.pid for server in box.servers()] == pids
    assert [sorted(os.listdir(s.conf_dir)) for s in box.servers()] == files
    assert query(box.replicas[0], 'SELECT @@read_only')[0][0] == 1
    make_table(box.source, 5)
    repl = strategy.AutoReplication()
    repl.wait_until_applied(CountingService(box.replicas[0]),
                            repl.current_position(
                                CountingService(box.source)))
    assert fingerprint(box.replicas[0]) == fingerprint(box.source)
