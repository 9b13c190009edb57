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

"""Version-aware replication strategies for the OpenStack Trove guest agent.

Layout, so a reader finds things from the folder names alone:

* the pure core, importable without a server and doing no I/O:
  ``versions`` (what a server or a label is), ``capabilities`` (what that
  version can do), ``gtid`` (GTID-set algebra), ``literals`` and
  ``dialect`` (the SQL a version understands), ``rendering`` and
  ``templates/`` (my.cnf settings), ``seeding`` (start points read from
  backups and dumps), ``state`` (what a server is, as data), ``topology``
  (comparing a replica with a source), ``accounts`` (replication account
  names and passwords), ``trove_contract`` (Trove's dicts) and
  ``errcodes``;
* ``modes/``: one driver per replication mode (binlog position, MySQL
  GTID, MariaDB GTID), loaded through stevedore, owning that mode's rules;
* ``strategy``: the classes Trove loads, thin coordinators talking to a
  server only through Trove's ``service`` and ``adm`` objects;
* ``operations/``: attach, accounts and the topology operations as
  library functions over service objects;
* the edges: ``guest/`` (reading servers, waiting, locks, a PyMySQL
  stand-in for Trove's service object), ``sandbox/`` (local servers of
  every line) and ``cmd/`` (the ``trove-gtid`` command).
"""
