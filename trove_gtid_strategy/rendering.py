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

"""The ``my.cnf`` settings of a replication source and of a replica.

Templates are Jinja2, as in Trove, but chosen by what the server *is*
(flavor, version) and by the replication mode chosen for it, never by an
operator's label. The mode is part of every template path, so a GTID
template cannot be picked for a binlog-position server; and whatever a
template (ours, an operator's, or the text Trove hands the guest) says is
checked by :func:`check_config` against the server's capabilities before a
server is asked to start with it.
"""

import dataclasses
import hashlib
import os

import jinja2

from trove_gtid_strategy import dialect
from trove_gtid_strategy import exceptions
from trove_gtid_strategy import flavors

ROLES = ('replica_source', 'replica')
PACKAGED_TEMPLATES = os.path.join(os.path.dirname(__file__), 'templates')

# Sections a MySQL or MariaDB server reads its own options from.
_SERVER_SECTIONS = {'mysqld', 'server', 'mariadb', 'mariadbd'}
_ON = {'on', '1', 'true', 'yes', ''}
_OFF = {'off', '0', 'false', 'no'}


#: Required settings a running server takes without a restart, with the
#: statement (from a :class:`~dialect.Dialect`) that sets each.
LIVE_SETTINGS = {
    'read_only': lambda d: d.set_read_only(True),
    'super_read_only': lambda d: d.fence(),
}

# Settings of a written file that a running server takes with SET GLOBAL,
# and the values they may have: a server that needs no restart runs with
# them at once, not only after its next restart (a MariaDB server with a
# binary log already on kept sync_binlog = 0 and binlog_format = MIXED).
LIVE_FROM_FILE = {
    'binlog_format': ('ROW', 'MIXED', 'STATEMENT'),
    'sync_binlog': None,     # a number
    'innodb_flush_log_at_trx_commit': ('0', '1', '2'),
    'gtid_strict_mode': ('ON', 'OFF', '1', '0'),
}


def live_differences(text, running):
    """``{name: value}`` of the :data:`LIVE_FROM_FILE` settings that the
    config ``text`` sets and the ``running`` variables have otherwise.
    Values outside the known ones are left to the restart.
    """
    wanted = parse_config(text)
    found = {}
    for name, allowed in LIVE_FROM_FILE.items():
        value = wanted.get(name)
        if value is None or name not in running:
            continue
        value = value.upper()
        if allowed is None and not value.isdigit() or \
                allowed is not None and value not in allowed:
            continue
        now = running[name].upper()
        if now == value or {now, value} <= {'1', 'ON'} or \
                {now, value} <= {'0', 'OFF'}:
            continue
        found[name] = value
    return found


def stable_server_id(instance_id):
    """A server_id derived from the instance id, the same in every process.

    Trove used Python's ``hash()``, which is salted per process, so the id
    changed between runs. server_id must be 1..2**32-1.
    """
    digest = hashlib.sha256(str(instance_id).encode('utf-8')).digest()
    return int.from_bytes(digest[:4], 'big') % (2 ** 32 - 1) + 1


def template_candidates(caps, mode, role):
    """Template names searched, most specific first."""
    if role not in ROLES:
        raise exceptions.ConfigError('unknown config role %r (expected %s)'
                                     % (role, ' or '.join(ROLES)))
    v = caps.version
    flavors = [v.flavor.value]
    if v.flavor.is_mysql_family and v.flavor.value != 'mysql':
        flavors.append('mysql')  # Percona follows MySQL's options
    names = []
    for flavor in flavors:
        names += ['%s/%d.%d/%s/%s.cnf.j2' % (flavor, v.major, v.minor, mode,
                                             role),
                  '%s/%d/%s/%s.cnf.j2' % (flavor, v.major, mode, role),
                  '%s/%s/%s.cnf.j2' % (flavor, mode, role)]
    return names + ['%s/%s.cnf.j2' % (mode, role), '%s.cnf.j2' % mode]


@dataclasses.dataclass(frozen=True)
class RenderedConfig:
    role: str
    template: str
    text: str


class ConfigRenderer:
    """Renders and checks configs; ``template_dir`` overrides the package's
    templates name by name (see :func:`template_candidates`).
    """

    def __init__(self, template_dir=None):
        loaders = [jinja2.FileSystemLoader(PACKAGED_TEMPLATES)]
        if template_dir:
            if not os.path.isdir(template_dir):
                raise exceptions.ConfigError(
                    'template_dir %r is not a directory' % template_dir)
            loaders.insert(0, jinja2.FileSystemLoader(template_dir))
        self._env = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            autoescape=False)

    def render(self, role, caps, mode, server_id, binlog_format='ROW',
               semi_sync_timeout_ms=None, log_bin_name='mysql-bin',
               relay_log_name='mysql-relay-bin'):
        """``semi_sync_timeout_ms``: render lossless semi-synchronous
        replication with that timeout (None: asynchronous).
        ``log_bin_name`` / ``relay_log_name``: the server's own, where it
        has them: a restart with another name would orphan its binary
        logs (their GTIDs then count as purged) or relay logs.
        """
        names = template_candidates(caps, mode, role)
        try:
            template = self._env.select_template(names)
            text = template.render(
                version=caps.version, caps=caps, mode=str(mode), role=role,
                server_id=server_id, binlog_format=binlog_format,
                semi_sync_timeout_ms=semi_sync_timeout_ms,
                no_replica_variable=dialect.semi_sync_no_replica(
                    caps.semi_sync_source or ''),
                log_bin_name=log_bin_name, relay_log_name=relay_log_name)
        except jinja2.TemplateNotFound:
            raise exceptions.ConfigError(
                'no template for %s (%s, %s); searched %s'
                % (caps.version, mode, role, ', '.join(names)))
        except jinja2.TemplateError as exc:
            raise exceptions.ConfigError('template %s for %s failed: %s'
                                         % (names[0], caps.version, exc))
        problems = check_config(text, caps)
        if problems:
            raise exceptions.ConfigError(
                'template %s renders settings %s cannot start with: %s'
                % (template.name, caps.version, '; '.join(problems)))
        return RenderedConfig(role=role, template=template.name,
                              text=text.strip() + '\n')


def parse_config(text):
    """Server options set in ``text`` as {name: value}.

    Names are normalised (``-`` to ``_``, lower case); options set in
    sections the server does not read are left out; ``loose_`` options are
    kept under their own name because the server ignores them when unknown.
    """
    options = {}
    section = None
    for raw in (text or '').splitlines():
        line = raw.split('#', 1)[0].strip()
        if not line or line.startswith(('!', ';')):
            continue
        if line.startswith('[') and line.endswith(']'):
            section = line[1:-1].strip().lower()
            continue
        if section not in _SERVER_SECTIONS:
            continue
        name, _, value = line.partition('=')
        name = name.strip().lower().replace('-', '_')
        options[name] = value.strip().strip('\'"')
    return options


def _is_on(value):
    return value.lower() in _ON


def check_config(text, caps):
    """Why a server of ``caps`` could not start with ``text`` (a list).

    An empty list means no known problem. This knows the options that
    differ between versions, not every option a server has.
    """
    options = parse_config(text)
    v = caps.version
    problems = []

    def unknown(name, why):
        if name in options:
            problems.append('%s (%s)' % (name, why))

    own = flavors.of(caps)
    for other in flavors.BY_STYLE.values():
        if other is not own:
            for name in other.option_names:
                unknown(name, '%s has no %s GTIDs' % (v, other.title))
    if not caps.relay_log_info_repository:
        for name in ('relay_log_info_repository', 'master_info_repository'):
            unknown(name, 'not a variable of %s' % v)
    if v.flavor.is_mysql_family:
        if caps.log_replica_updates_option != 'log_replica_updates':
            unknown('log_replica_updates', 'MySQL 8.0.26+ only')
        if caps.binlog_expiry_option != 'binlog_expire_logs_seconds':
            unknown('binlog_expire_logs_seconds', 'MySQL 8.0.1+ only')
        if v.at_least(8, 2):
            unknown('expire_logs_days', 'removed in MySQL 8.2.0')
    problems += own.settings_problems(options, v, _is_on)
    return problems


# Older names a config file may use for a required setting.
_ALIASES = {'log_replica_updates': ('log_slave_updates',)}


def missing_settings(settings, required, from_file=False):
    """Names in ``required`` (a mode driver's ``{name: value}``) that
    ``settings`` lacks.

    ``settings`` are a running server's variables, or with ``from_file``
    the options of a config text (where ``log_bin`` may be a path and
    ``server_id`` may come from another file). Durability settings are
    not required here unless a mode's crash safety depends on them, so a
    running server is never restarted for them alone.
    """
    missing = []
    for name, want in required.items():
        value = settings.get(name)
        for alias in _ALIASES.get(name, ()) if value is None else ():
            value = settings.get(alias, value)
        if want == 'nonzero':
            present = from_file or value not in (None, '', '0')
        elif value is None:
            present = False
        elif from_file and name == 'log_bin':
            # A path or a bare option turns the binary log on.
            present = value.lower() not in _OFF
        elif want == 'ON':
            present = _is_on(value) and (from_file or value != '')
        else:
            present = value.upper() == want.upper()
        if not present:
            missing.append(name)
    return missing
