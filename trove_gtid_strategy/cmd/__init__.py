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

"""Edge: the ``trove-gtid`` command, built on cliff.

``trove-gtid`` is a cliff application (:mod:`.main`); every command is a
cliff command class found through the entry-point namespace
``trove_gtid.cli`` (underscores in an entry-point name become spaces, so
``sandbox_up`` is ``trove-gtid sandbox up``).

Adding a command is one module and one entry point:

1. A module here with a class deriving from :class:`.base.ShowOne` (one
   result shown as field/value rows, or as ``self.text`` written for
   people, like ``demo``) or :class:`.base.Lister` (a table). Its
   docstring's first line is the one-liner of ``trove-gtid help``, so
   write it as plain text (no reStructuredText: it is shown as is).
   ``get_parser`` adds the options, every help string saying its default;
   server options come from :mod:`.args` (``add_server_options``,
   ``server_argument``, ``SERVER_HELP``). ``take_action`` checks all the
   input first (raise :class:`~trove_gtid_strategy.exceptions.
   InvalidInput` for bad input: exit 2), then calls a library function of
   :mod:`trove_gtid_strategy.operations` under
   :func:`~trove_gtid_strategy.guest.locks.server_locks`, and returns
   ``self.one(dict)`` or ``self.rows(list_of_dicts)``. Declare the result's
   keys in ``columns`` (``-c`` is checked against them before anything
   runs; they are the JSON keys). Set ``self.exit_status = 1`` for an
   answer that is a "no" (``gtid contains``), ``self.partial`` to a dict
   that a later failure should still print with ``--json``, and use
   ``self.app.progress(message)`` for progress lines (stderr).

2. One line in ``setup.cfg`` under ``[entry_points] trove_gtid.cli``, e.g.
   ``repair_errant = trove_gtid_strategy.cmd.repair:RepairErrant`` (then
   reinstall the package: ``pip install -e .``).

What every command gets for free: ``-f table|json|yaml|value`` (and
cliff's other formatters) and ``-c COLUMN``, ``--json`` after the command
or before it, exit status 0 done / 1 refused or failed / 2 bad input
(argparse usage errors included), one-line errors naming the side, the
address and the server's own message (with ``--json``: the JSON document,
``error`` and ``kind`` on stdout), no traceback for anything a user can
cause (a server down, a wrong password, a closed pipe, Ctrl-C: 130),
passwords masked in every message. Errors are classified in
:func:`.failures.classify_failure`: raise the package's exception classes and
let PyMySQL errors through; never catch and print them in a command.
"""

import sys


def run(argv=None):
    """The console script. The application is imported here, so a Ctrl-C
    while Python loads it ends as quietly as a later one (exit 130).
    """
    try:
        from trove_gtid_strategy.cmd import main as application
    except KeyboardInterrupt:
        sys.stderr.write('trove-gtid: interrupted\n')
        return 130
    return application.main(argv)
