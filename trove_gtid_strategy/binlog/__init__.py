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

"""Binary and relay logs, read as the servers list them (pure):

* :mod:`.events`: the ``SHOW BINLOG | RELAYLOG EVENTS`` statement, its
  rows, and what a file's header says;
* :mod:`.transactions`: events grouped into transactions and what each
  did;
* :mod:`.statements`: logged statement text (drops, password redaction);
* :mod:`.errors`: where an SQL thread's error message says it failed;
* :mod:`.resume`: where a lagging binlog-position replica resumes in a
  MySQL source's binary log.

The servers are read by :mod:`trove_gtid_strategy.guest.log_reader`.
"""
