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

"""Which replication configs a real server starts with: Trove's and ours.

Usage (in the ``trove`` tox environment, servers provisioned)::

    python tests/trove/template_starts.py [--write]

For each datastore name and version label below, Trove 26.0.0's own
``ReplicaSourceConfigTemplate`` and ``ReplicaConfigTemplate`` are
rendered as its taskmanager renders them (the template it picks is
shown), and so is ours for the same label. Each text is then written as
the server's only override file and the server of the label's line is
restarted with it (Trove's ``/var/lib/mysql/data`` mapped to the
server's datadir). A third column is what our strategy writes when Trove
hands it Trove's text on that server: the text itself if the running
server can start with it and it has what the replication mode needs,
else ours rendered for the server it found.

Servers here: MariaDB 10.11 and 11.8, MySQL 9.7. MySQL 8.x and 9.x
labels are tried on MySQL 9.7 (an 8.0 text on a 9.7 server is a real
combination after an upgrade); there is no MySQL 5.5, 5.7 or MariaDB
10.4 server, so those rows are not started: they show what our checker
(``rendering.check_config``) says about the text for that version.

``--write`` rewrites ``template_starts.rst`` next to this script; the
tests compare that file's outcomes with a new measurement.
"""

import argparse
import os
import re
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
RST = os.path.join(HERE, 'template_starts.rst')
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import trove_support  # noqa: E402

#: (datastore name, version label) as an operator registers them.
LABELS = [
    ('mysql', '5.5'), ('mysql', 'mysql-5.5'), ('mysql', 'MySQL 5.5'),
    ('MySQL', '5.5'), ('mysql', '5.7'), ('mysql', '8.0'), ('mysql', '8.4'),
    ('mysql', '9.7'), ('mariadb', '10.4'), ('mariadb', '10.11'),
    ('mariadb', '11.8'),
]
ROLES = ('replica_source', 'replica')
OVERRIDE = '50-system-001-replication.cnf'
STARTS, FAILS, NOT_RUN = 'starts', 'FAILS', 'not run'


def label_line(datastore, label):
    """The server line a label is tried on, or None."""
    from trove_gtid_strategy import exceptions
    from trove_gtid_strategy import versions
    try:
        version = versions.parse_label(label, datastore)
    except exceptions.InvalidVersion:
        return None
    if version.flavor.is_mysql_family:
        return 'mysql-9.7' if version.major >= 8 else None
    series = '%d.%d' % (version.major, version.minor)
    return {'10.11': 'mariadb-10.11', '11.8': 'mariadb-11.8'}.get(series)


def trove_text(role, datastore, label):
    """Trove's rendering and the template file it chose."""
    from trove.common import template
    from types import SimpleNamespace
    cls = {'replica_source': template.ReplicaSourceConfigTemplate,
           'replica': template.ReplicaConfigTemplate}[role]
    manager = datastore.lower()
    version = SimpleNamespace(datastore_name=datastore, manager=manager,
                              name=label, version=None)
    renderer = cls(version, {'ram': 2048}, 'instance-1')
    chosen = renderer.get_template().filename.split('templates/')[-1]
    return renderer.render(), chosen


def our_text(role, datastore, label):
    """Our rendering for what the label says (auto mode), or an error."""
    from trove_gtid_strategy import capabilities
    from trove_gtid_strategy import exceptions
    from trove_gtid_strategy import modes
    from trove_gtid_strategy import rendering
    from trove_gtid_strategy import versions
    try:
        caps = capabilities.capabilities_for(
            versions.parse_label(label, datastore))
    except exceptions.InvalidVersion as exc:
        return None, str(exc)
    mode = modes.choose_mode('auto', caps).mode
    rendered = rendering.ConfigRenderer().render(
        role, caps, mode, server_id=rendering.stable_server_id('instance-1'),
        binlog_format='ROW')
    return rendered.text, '%s (%s)' % (rendered.template, mode)


def _label_caps(datastore, label):
    from trove_gtid_strategy import capabilities
    from trove_gtid_strategy import exceptions
    from trove_gtid_strategy import versions
    try:
        return capabilities.capabilities_for(
            versions.parse_label(label, datastore))
    except exceptions.InvalidVersion:
        return None


def static_check(text, datastore, label):
    """What our checker says of ``text`` for the label's version."""
    from trove_gtid_strategy import rendering
    caps = _label_caps(datastore, label)
    if caps is None:
        return 'label not readable'
    problems = rendering.check_config(text, caps)
    if not problems:
        return 'check: no known problem'
    return 'check: %d.%d lacks %s' % (
        caps.version.major, caps.version.minor,
        ', '.join(p.split(' ', 1)[0] for p in problems))


def static_choice(role, text, datastore, label):
    """What our strategy would write on a server of the label's version
    given ``text`` (the rule of ``_usable_config``, without a server).
    """
    from trove_gtid_strategy import modes
    from trove_gtid_strategy import rendering
    caps = _label_caps(datastore, label)
    mode = modes.choose_mode('auto', caps).mode
    required = modes.load_driver(mode).required_settings(role, caps)
    problems = rendering.check_config(text, caps) + \
        rendering.missing_settings(rendering.parse_config(text), required,
                                   from_file=True)
    return 'would write its own' if problems else "would keep Trove's"


def _error(message):
    """The server's own reason, from the error log tail in ``message``."""
    for line in message.splitlines():
        if '[ERROR]' in line and 'Aborting' not in line:
            return re.sub(r'^.*\[ERROR\]\s*(\[[^]]*\]\s*)*', '', line).strip()
    return message.splitlines()[0]


class Starter:
    """Restarts one sandbox server with one override text at a time."""

    def __init__(self, server):
        self.server = server
        self.results = {}

    def mapped(self, text):
        return text.replace('/var/lib/mysql/data', self.server.datadir)

    def start_with(self, text):
        from trove_gtid_strategy import exceptions
        text = self.mapped(text)
        if text in self.results:
            return self.results[text]
        path = os.path.join(self.server.conf_dir, OVERRIDE)
        with open(path, 'w') as f:
            f.write(text)
        try:
            self.server.restart()
            result = (STARTS, '')
        except exceptions.SandboxError as exc:
            result = (FAILS, _error(str(exc)))
        finally:
            os.unlink(path)
        if result[0] == FAILS:
            self.server.start()
        self.results[text] = result
        return result


def strategy_text(server, role, text, label):
    """What our strategy writes on ``server`` when handed ``text``."""
    from trove_gtid_strategy.guest import service
    from trove_gtid_strategy import strategy
    svc = service.MySQLService(server.dsn, instance_id=server.name)
    try:
        repl = strategy.AutoReplication()
        attempt = repl.attempt(svc)
        # The choice enable_as_master / enable_as_slave make, without
        # applying it.
        usable = (repl.config.usable_config if hasattr(repl, 'config')
                  else repl._usable_config)
        chosen = usable(text.replace('/var/lib/mysql/data', server.datadir),
                        role, svc, attempt)
    finally:
        svc.close()
    return chosen


def tried_on(datastore, label, available):
    """The line a label is started on here, or None (checked statically)."""
    line = label_line(datastore, label)
    return line if line in available else None


def measure(template_dir, workdir, available, labels=LABELS):
    """One row per (label, role) of ``labels``; ``available`` is the set
    of line names that can run here.
    """
    from trove_gtid_strategy.sandbox import servers
    trove_support.trove()
    boxes, starters = {}, {}
    rows = []
    try:
        for datastore, label in labels:
            line = tried_on(datastore, label, available)
            if line and line not in starters:
                box = servers.Sandbox(os.path.join(workdir, line),
                                      template_dir=template_dir, server=line)
                box.up(0)
                boxes[line] = box
                starters[line] = Starter(box.servers()[0])
            for role in ROLES:
                trove, chosen = trove_text(role, datastore, label)
                ours, our_template = our_text(role, datastore, label)
                row = {'datastore': datastore, 'label': label, 'role': role,
                       'trove_template': chosen, 'our_template': our_template,
                       'server': line}
                if line:
                    starter = starters[line]
                    row['server_version'] = '%s (%s)' % (
                        line, starter.server.line.version())
                    row['trove'] = starter.start_with(trove)
                    row['ours'] = (starter.start_with(ours) if ours
                                   else (NOT_RUN, our_template))
                    applied = strategy_text(starter.server, role, trove,
                                            label)
                    row['applied_is_trove'] = (
                        starter.mapped(trove) == applied)
                    row['applied'] = starter.start_with(applied)
                else:
                    row['server_version'] = None
                    row['trove'] = (NOT_RUN, static_check(trove, datastore,
                                                          label))
                    row['ours'] = (NOT_RUN, static_check(ours, datastore,
                                                         label)
                                   if ours else our_template)
                    row['applied_is_trove'] = None
                    row['applied'] = (NOT_RUN, static_choice(
                        role, trove, datastore, label))
                rows.append(row)
    finally:
        for box in boxes.values():
            box.down(remove=True)
    return rows


def _cell(result):
    outcome, why = result
    return '%s (%s)' % (outcome, why) if why else outcome


def table(rows):
    """The rows as an RST table."""
    head = ('datastore / label', 'role', "Trove's template",
            'tried on', "Trove's text", 'ours for the label',
            'our strategy, given Trove\'s text')
    body = []
    for row in rows:
        applied = _cell(row['applied'])
        if row['applied_is_trove'] is True:
            applied = 'keeps Trove\'s: ' + applied
        elif row['applied_is_trove'] is False:
            applied = 'writes its own: ' + applied
        body.append((
            '%s %s' % (row['datastore'], row['label']),
            row['role'], row['trove_template'],
            row['server_version'] or 'no such server here',
            _cell(row['trove']), _cell(row['ours']), applied))
    widths = [max(len(r[i]) for r in body + [head]) for i in range(len(head))]
    rule = ' '.join('=' * w for w in widths)

    def fmt(cells):
        return ' '.join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()
    return '\n'.join([rule, fmt(head), rule] + [fmt(r) for r in body]
                     + [rule]) + '\n'


def outcomes(rows):
    """Just the outcome words per row (what the tests compare)."""
    return [(r['datastore'], r['label'], r['role'], r['trove'][0],
             r['ours'][0], r['applied'][0]) for r in rows]


def read_outcomes(path=RST):
    """The outcome words of a written table."""
    found = []
    with open(path, encoding='utf-8') as f:
        lines = f.read().splitlines()
    rules = [i for i, line in enumerate(lines)
             if re.match(r'^=+( +=+)+$', line)]
    starts = [m.start() for m in re.finditer(r'=+', lines[rules[0]])]
    for line in lines[rules[1] + 1:rules[2]]:
        ends = starts[1:] + [len(line) + 1]
        cells = [line[a:b].strip() for a, b in zip(starts, ends)]
        datastore, label = cells[0].split(' ', 1)

        def word(cell):
            cell = cell.split(': ', 1)[-1] if cell.startswith(
                ('keeps', 'writes')) else cell
            for outcome in (STARTS, FAILS, NOT_RUN):
                if cell.startswith(outcome):
                    return outcome
            return cell
        found.append((datastore, label, cells[1], word(cells[4]),
                      word(cells[5]), word(cells[6])))
    return found


HEADER = """\
Replication configs on real servers: Trove 26.0.0's and ours
=============================================================

Written by ``tests/trove/template_starts.py --write`` (in the ``trove``
tox environment); ``tests/trove/test_trove_templates.py`` measures again
and compares the outcomes. A server is restarted with each text as its
only override file; "not run" rows have no server of that line here and
show what ``rendering.check_config`` says of the text for that version.
The last column is what our strategy writes when Trove hands it Trove's
text on that server (it keeps a text the server can start with and that
has what the replication mode needs, else renders its own for the
server it finds).

"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--write', action='store_true',
                        help='rewrite %s' % os.path.basename(RST))
    args = parser.parse_args(argv)
    from trove_gtid_strategy import exceptions
    from trove_gtid_strategy.sandbox import lines
    from trove_gtid_strategy.sandbox import servers
    work = tempfile.mkdtemp(prefix='tg-templates-', dir='/tmp')
    template_dir = os.path.join(work, '.template')
    available = set()
    for name in lines.names():
        try:
            servers.prepare_template(template_dir, line=name)
            available.add(name)
        except exceptions.SandboxError as exc:
            print('line %s unavailable: %s' % (name, exc), file=sys.stderr)
    try:
        rows = measure(template_dir, work, available)
    finally:
        import shutil
        shutil.rmtree(work, ignore_errors=True)
    text = HEADER + table(rows)
    print(text)
    if args.write:
        with open(RST, 'w', encoding='utf-8') as f:
            f.write(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
