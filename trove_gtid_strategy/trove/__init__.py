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

"""Trove's other extension points: its taskmanager and guest managers.

Trove's ``promote-to-replica-source`` and ``eject-replica-source`` run in
its taskmanager and call guest-manager methods that never reach a
replication strategy. Two plain Trove options bring them to our
decisions (only Trove loads these modules; they import Trove):

* ``taskmanager_manager = trove_gtid_strategy.trove.taskmanager.Manager``
* ``datastore_registry_ext = mysql:trove_gtid_strategy.trove.guest.
  MySqlManager,mariadb:trove_gtid_strategy.trove.guest.MariaDBManager``
"""
