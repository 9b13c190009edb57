"""``trove-gtid plan``: what the strategy would do, without a server."""

import json

from trove_gtid_strategy import accounts
from trove_gtid_strategy import capabilities
from trove_gtid_strategy import dialect
from trove_gtid_strategy import exceptions
from trove_gtid_strategy import modes
from trove_gtid_strategy.modes import base as modes_base
from trove_gtid_strategy import rendering
from trove_gtid_strategy import seeding
from trove_gtid_strategy import versions

# Shown in place of values only an attach knows.
_EXAMPLE_START = seeding.StartPoint('example', 'mysql-bin.000001', 4)


def add_commands(sub):
    parser = sub.add_parser(
        'plan', help='show the mode, configs and statements for a version',
        description='Understands a Trove datastore and version label (and, '
                    'better, what the server reports) and prints the mode '
                    'chosen and why, the replica-source and replica '
                    'configs, and the statements an attach sends.')
    parser.add_argument('--datastore', required=True,
                        help='datastore or manager name: mysql, percona, '
                             'mariadb')
    parser.add_argument('--version', required=True, dest='label',
                        help='the datastore version label (5.7, mysql-5.5)')
    parser.add_argument('--server-version',
                        help='what SELECT @@version prints; wins over the '
                             'label when given')
    parser.add_argument('--mode', default='auto', choices=modes.REQUESTS)
    parser.add_argument('--instance-id', default='instance-1',
                        help='instance id the server_id derives from')
    parser.add_argument('--json', action='store_true')
    parser.set_defaults(func=run)


def build_plan(datastore, label, server_version=None, mode='auto',
               instance_id='instance-1'):
    """The plan as a dict (what ``--json`` prints)."""
    hinted = versions.parse_label(label, datastore)
    notes = []
    if server_version:
        version = versions.parse_server_version(
            server_version, datastore if 'percona' in datastore.lower()
            else '')
        if version.flavor.is_mysql_family != hinted.flavor.is_mysql_family:
            raise exceptions.InvalidVersion(
                'server version %r is %s but datastore %r with label %r is '
                '%s' % (server_version, version.flavor, datastore, label,
                        hinted.flavor))
        if (version.major, version.minor) != (hinted.major, hinted.minor):
            notes.append('label %r says %s but the server reports %s: '
                         'using the server' % (label, hinted, version))
        source = 'server'
    else:
        version, source = hinted, 'label'
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
        notes.append('refused unless allowed (--allow-crash-unsafe): %s'
                     % unsafe)
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


def run(args):
    result = build_plan(args.datastore, args.label, args.server_version,
                        args.mode, args.instance_id)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print('Understood: %s %s (from the %s)' % (
        result['flavor'], result['version'], result['version_from']))
    for note in result['notes']:
        print('Note: %s' % note)
    print('Mode: %s (%s)' % (result['mode'], result['reason']))
    for role, title in (('source', 'Replica-source'), ('replica', 'Replica')):
        print('\n%s config (%s):' % (title, result[role + '_template']))
        print(result[role + '_config'].rstrip())
    print('\nOn the source, per replica:')
    for stmt in result['source_statements']:
        print('  %s;' % stmt)
    print('\nOn the replica, to attach:')
    for stmt in result['statements']:
        print('  %s;' % stmt)
    return 0
