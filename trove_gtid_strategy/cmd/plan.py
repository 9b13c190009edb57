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

"""``trove-gtid plan``: what the strategy would do for a server version.

The version comes from a Trove datastore version label (a hint), from
``--server-version`` (what ``SELECT @@version`` prints), or from a live
server (``--from``); the plan says which. A label that leaves the patch
out (``5.6``) may span releases that replicate differently (MySQL 5.6.0-
5.6.9 have no usable GTIDs, 5.6.10 and later do): the plan then says so in
a note, with the ranges, instead of silently guessing.
"""

import re

from trove_gtid_strategy import accounts
from trove_gtid_strategy import capabilities
from trove_gtid_strategy.cmd import args as cli_args
from trove_gtid_strategy.cmd import base
from trove_gtid_strategy import dialect
from trove_gtid_strategy import exceptions
from trove_gtid_strategy.guest import server as server_mod
from trove_gtid_strategy import modes
from trove_gtid_strategy.modes import base as modes_base
from trove_gtid_strategy import rendering
from trove_gtid_strategy import seeding
from trove_gtid_strategy import versions

# Shown in place of values only an attach knows.
_EXAMPLE_START = seeding.StartPoint('example', 'mysql-bin.000001', 4)
_NUMBER = re.compile(r'\d+(?:\.\d+)*')
# How far a label's missing parts are searched for releases that differ.
_MINORS, _PATCHES = 10, 100

#: ``version_from`` values: where the version came from.
FROM_LABEL, FROM_FLAG, FROM_SERVER = 'label', 'flag', 'server'
_FROM_TEXT = {FROM_LABEL: 'the --version label',
              FROM_FLAG: 'the --server-version flag',
              FROM_SERVER: 'the server'}


def _outcome(requested, version, allow_crash_unsafe):
    """What a plan for ``version`` would decide, as a phrase."""
    caps = capabilities.capabilities_for(version)
    try:
        mode = modes.choose_mode(requested, caps).mode
    except (exceptions.UnsupportedMode, exceptions.InvalidInput):
        return '%s refused' % requested
    if not allow_crash_unsafe and \
            modes.load_driver(mode).crash_safety_problem(caps):
        return '%s mode, refused unless --allow-crash-unsafe' % mode.value
    return '%s mode' % mode.value


def label_span_note(version, label, requested, allow_crash_unsafe=False):
    """A note when the label ``label`` (read as ``version``) spans
    releases that would be planned differently; None otherwise.
    """
    if version.exact:
        return None
    found = _NUMBER.search(label or '')
    parts = len(found.group(0).split('.')) if found else 2
    minors = (range(_MINORS) if parts == 1 else (version.minor,))
    runs = []   # [first, last, outcome]
    for minor in minors:
        for patch in range(_PATCHES):
            release = versions.ServerVersion(version.flavor, version.major,
                                             minor, patch)
            outcome = _outcome(requested, release, allow_crash_unsafe)
            if runs and runs[-1][2] == outcome:
                runs[-1][1] = release
            else:
                runs.append([release, release, outcome])
    if len(runs) < 2:
        return None

    def number(v):
        return '%d.%d.%d' % v.number
    ranges = ['%s %s-%s: %s' % (version.flavor, number(first), number(last),
                                outcome)
              for first, last, outcome in runs[:-1]]
    first, _, outcome = runs[-1]
    ranges.append('%s %s and later: %s'
                  % (version.flavor, number(first), outcome))
    planned = _outcome(requested, version, allow_crash_unsafe)
    return ('label %r spans releases that replicate differently (%s); this '
            'plan assumes %s, a guess: give --server-version or --from DSN '
            'to plan for the server\'s own version'
            % (label, '; '.join(ranges), planned))


def resolve_version(datastore, label, server_version=None, live=None):
    """``(version, version_from, notes)``.

    ``live``: the version a server reported (wins); ``server_version``:
    the --server-version text (wins over the label).
    """
    notes = []
    hinted = versions.parse_label(label, datastore) if label else None
    if live is not None:
        version, source, told = live, FROM_SERVER, 'the server reports'
    elif server_version:
        version = versions.parse_server_version(
            server_version, datastore if 'percona' in datastore.lower()
            else '')
        source, told = FROM_FLAG, '--server-version says'
    else:
        return hinted, FROM_LABEL, notes
    if hinted is not None:
        if version.flavor.is_mysql_family != hinted.flavor.is_mysql_family:
            raise exceptions.InvalidVersion(
                'server version %s is %s but datastore %r with label %r is '
                '%s' % ('%d.%d.%d' % version.number, version.flavor,
                        datastore, label, hinted.flavor))
        if (version.major, version.minor) != (hinted.major, hinted.minor):
            notes.append('label %r says %s but %s %s: using %s' % (
                label, hinted, told, version, _FROM_TEXT[source]))
    return version, source, notes


def build_plan(datastore, label, server_version=None, mode='auto',
               instance_id='instance-1', live=None,
               allow_crash_unsafe=False):
    """The plan as a dict (what ``--json`` prints)."""
    version, source, notes = resolve_version(datastore, label,
                                             server_version, live)
    if source == FROM_LABEL:
        note = label_span_note(version, label, mode, allow_crash_unsafe)
        if note:
            notes.append(note)
    caps = capabilities.capabilities_for(version)
    choice = modes.choose_mode(mode, caps)
    renderer = rendering.ConfigRenderer()
    server_id = rendering.stable_server_id(instance_id)
    configs = {role: renderer.render(role, caps, choice.mode, server_id)
               for role in rendering.ROLES}
    d = dialect.Dialect(caps)
    driver = modes.load_driver(choice.mode)
    example = dialect.SourceAddress(
        host='source.example', port=3306, password=dialect.REDACTED,
        user=accounts.account_name('repl_', 'replica.example', caps))
    source_statements = d.create_replication_user(example.user,
                                                  example.password)
    change = driver.change_source(
        d, modes_base.AttachRequest(source=example), _EXAMPLE_START, 15)
    replica_statements = [d.stop_replica(), change, d.start_replica(),
                          d.show_replica_status()]
    unsafe = driver.crash_safety_problem(caps)
    if unsafe:
        notes.append('%s: %s' % (
            'allowed by allow_crash_unsafe_binlog' if allow_crash_unsafe
            else 'refused unless allowed (--allow-crash-unsafe)', unsafe))
    return {
        'datastore': datastore,
        'label': label,
        'flavor': version.flavor.value,
        'version': '%d.%d.%d' % version.number,
        'version_from': source,
        'mode': choice.mode.value,
        'reason': choice.reason,
        'notes': notes,
        'source_template': configs['replica_source'].template,
        'source_config': configs['replica_source'].text,
        'replica_template': configs['replica'].template,
        'replica_config': configs['replica'].text,
        'source_statements': [str(s) for s in source_statements],
        'statements': [str(s) for s in replica_statements],
    }


def read_live_version(text, sandbox_dir):
    """The version the server at ``text`` reports (and its redacted DSN)."""
    svc = cli_args.server_argument(text, sandbox_dir, 'server',
                                   '--from')
    try:
        version = server_mod.Server(svc).version
    finally:
        svc.close()
    return version, svc.dsn.redacted()


class Plan(base.ShowOne):
    """Show the mode, configs and statements for a server version.

    Understands a Trove datastore and version label, the version a server
    prints (--server-version), or asks a live server (--from), and shows
    the mode chosen and why, the replica-source and replica configs, and
    the statements an attach sends. Nothing is changed anywhere.
    """

    columns = ('datastore', 'label', 'flavor', 'version', 'version_from',
               'mode', 'reason', 'notes', 'source_template', 'source_config',
               'replica_template', 'replica_config', 'source_statements',
               'statements')

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--datastore',
                            help='datastore or manager name: mysql, percona, '
                                 'mariadb (required unless --from; default: '
                                 'the server\'s flavor)')
        parser.add_argument('--version', dest='label', metavar='LABEL',
                            help='the datastore version label, such as 5.7 '
                                 'or mysql-5.5 (required unless --from; '
                                 'default: none)')
        parser.add_argument('--server-version', metavar='TEXT',
                            help='what SELECT @@version prints, such as '
                                 '5.5.62-log; wins over the label (default: '
                                 'none)')
        parser.add_argument('--from', dest='live', metavar='SERVER',
                            help='ask this server for its version; wins over '
                                 'the label (default: none): '
                                 + cli_args.SERVER_HELP)
        cli_args.add_sandbox_option(parser)
        cli_args.add_option_flag(parser, '--mode', 'replication_mode',
                                 'replication mode to plan')
        parser.add_argument('--instance-id', default='instance-1',
                            help='instance id the server_id derives from '
                                 '(default: %(default)s)')
        return parser

    def take_action(self, args):
        if args.live and args.server_version:
            raise exceptions.InvalidInput(
                'give --from or --server-version, not both')
        if not args.live and not (args.datastore and args.label):
            raise exceptions.InvalidInput(
                '--datastore and --version are required (unless --from '
                'asks a server)')
        conf = cli_args.command_options(self.app.conf, args)
        mode = conf.replication_mode
        live = None
        if args.live:
            # Bad labels are refused before a server is contacted.
            if args.label and args.datastore:
                versions.parse_label(args.label, args.datastore)
            live, where = read_live_version(args.live, args.sandbox)
        datastore = args.datastore or (live.flavor.value if live else None)
        plan = build_plan(datastore, args.label, args.server_version, mode,
                          args.instance_id, live=live,
                          allow_crash_unsafe=conf.allow_crash_unsafe_binlog)
        if live is not None:
            plan['notes'].insert(0, 'version %s read from %s' % (
                plan['version'], where))
        return self.one(plan)
