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

"""A server's replication settings: rendered, checked, applied.

The settings a role (source or replica) needs in a mode are the mode
driver's; this writes them to the role's override file, sets live what a
running server takes live (``read_only``) and restarts only for what it
does not, then checks the restart gave the server what it lacks; semi-
synchronous durability is enabled the same way. Used by the strategy and
by the operations (which report, before any change, what a server that
nobody here can restart would need).
"""

import socket

from oslo_log import log as logging

from trove_gtid_strategy import exceptions
from trove_gtid_strategy.guest import durability
from trove_gtid_strategy.guest import server_state
from trove_gtid_strategy import opts
from trove_gtid_strategy import rendering

LOG = logging.getLogger(__name__)


class ServerConfig:
    """Settings of the servers one strategy drives.

    ``conf`` the oslo.config object (Trove's guest ``CONF``: its
    ``guest_id`` names the server; our options are in its
    ``[trove_gtid_strategy]`` group), ``report`` the strategy's progress.
    """

    def __init__(self, conf, report, renderer=None):
        self._conf = conf
        self._report = report
        self._renderer = renderer

    @property
    def options(self):
        return getattr(self._conf, opts.GROUP)

    def _server_id(self, service, attempt):
        """Stable per instance: Trove's guest id, else the current id."""
        instance = (getattr(self._conf, 'guest_id', None)
                    or getattr(service, 'instance_id', None))
        if instance:
            return rendering.stable_server_id(instance)
        if attempt.state.server_id:
            return attempt.state.server_id
        return rendering.stable_server_id(
            '%s:%s' % (socket.gethostname(), service.get_port()))

    def render(self, role, service, attempt):
        """Our rendering of ``role``'s settings for this server."""
        if self._renderer is None:
            self._renderer = rendering.ConfigRenderer(
                self.options.template_dir)
        return self._renderer.render(
            role, attempt.caps, attempt.mode,
            server_id=self._server_id(service, attempt),
            binlog_format=self.options.binlog_format,
            semi_sync_timeout_ms=self._semi_sync_timeout(attempt),
            **log_names(attempt.state))

    def _semi_sync_timeout(self, attempt):
        """The semi-sync timeout when semi_sync durability is configured
        and the server has it; None otherwise.
        """
        if self.options.replication_durability != 'semi_sync':
            return None
        if attempt.caps.semi_sync_source is None:
            raise exceptions.UnsupportedMode(
                '%s has no lossless semi-synchronous replication (MySQL '
                '5.7.2+, MariaDB 10.3.3+): set replication_durability = '
                'async' % attempt.state.version)
        return self.options.semi_sync_timeout_ms

    def apply_durability(self, service, attempt, role):
        timeout = self._semi_sync_timeout(attempt)
        if timeout is not None:
            self._report('Enabling semi-synchronous replication (%s side, '
                         'AFTER_SYNC, timeout %d ms)', role, timeout)
            durability.enable(service, attempt.caps, role, timeout)

    def missing_settings(self, service, attempt, role):
        """Settings the running server lacks for ``role`` in its mode, as
        ``(needing a restart, settable live)``.
        """
        required = attempt.driver.required_settings(role, attempt.caps)
        missing = rendering.missing_settings(
            server_state.read_variables(service, tuple(required)), required)
        live = [name for name in missing if name in rendering.LIVE_SETTINGS]
        return [name for name in missing if name not in live], live

    def usable_config(self, text, role, service, attempt):
        """``text`` if this server can start with it and it has what the
        mode needs; otherwise our own rendering, with a warning.
        """
        ours = self.render(role, service, attempt)
        if not (text or '').strip():
            return ours.text
        # What apply sets live (read_only, super_read_only) need not be
        # in the file: an operator's template lacking it stays usable.
        required = {name: value for name, value in
                    attempt.driver.required_settings(role,
                                                     attempt.caps).items()
                    if name not in rendering.LIVE_SETTINGS}
        problems = rendering.check_config(text, attempt.caps)
        problems += ['%s is not set' % name for name in
                     rendering.missing_settings(
                         rendering.parse_config(text), required,
                         from_file=True)]
        if problems:
            LOG.warning('The %s configuration given for %s cannot be used '
                        '(%s); using %s instead', role,
                        attempt.state.version, '; '.join(problems),
                        ours.template)
            return ours.text
        return text

    @staticmethod
    def _set_live(service, attempt, names):
        for name in names:
            stmt = rendering.LIVE_SETTINGS[name](attempt.dialect)
            LOG.debug('SQL: %s', stmt)
            service.execute_sql(stmt.sql)

    def _file_settings_live(self, service, attempt, text):
        """Set live what the written file sets differently and the
        server takes live; a server refusing one (MySQL, binlog_format
        while a replication channel runs) keeps it for its restart.
        """
        running = server_state.read_variables(
            service, tuple(rendering.LIVE_FROM_FILE))
        done = []
        for name, value in sorted(rendering.live_differences(
                text, running).items()):
            stmt = attempt.dialect.set_global(name, value)
            LOG.debug('SQL: %s', stmt)
            try:
                service.execute_sql(stmt.sql)
                done.append(name)
            except Exception as exc:
                LOG.warning('%s keeps %s = %s until its next restart: %s',
                            attempt.state.version, name, running[name], exc)
        return done

    def apply(self, service, role, text, attempt):
        """Write the override; restart only when the running server lacks
        a setting that cannot be changed live (``read_only`` can).
        """
        restart, live = self.missing_settings(service, attempt, role)
        # Always persist this role's settings: the running ones may come
        # from the other role's file, which demote_master / detach_slave
        # remove before the next restart.
        if role == 'replica_source':
            service.write_replication_source_overrides(text)
        else:
            service.write_replication_replica_overrides(text)
        if not restart:
            self._set_live(service, attempt, live)
            live += self._file_settings_live(service, attempt, text)
            self._report('%s runs with the %s settings%s; no restart '
                         'needed', attempt.state.version, role,
                         ' (%s set live)' % ', '.join(live) if live else '')
            return False
        self._report('Writing %s settings (%s) and restarting', role,
                     ', '.join(restart + live))
        service.restart()
        restart, live = self.missing_settings(service, attempt, role)
        # What the file given may lack but the server takes live
        # (Trove's MySQL replica template has no super_read_only).
        self._set_live(service, attempt, live)
        still = restart + self.missing_settings(service, attempt, role)[1]
        if still:
            raise exceptions.ReplicationError(
                'after the restart %s still lacks %s: another configuration '
                'file overrides the replication settings'
                % (attempt.state.version, ', '.join(still)))
        return True


def log_names(state):
    """The binary and relay log names a server already uses (MySQL 8+
    starts with ``binlog`` and ``HOST-relay-bin``), so a rendered config
    keeps them.
    """
    names = {}
    for key, variable in (('log_bin_name', 'log_bin_basename'),
                          ('relay_log_name', 'relay_log_basename')):
        if state.setting(variable):
            names[key] = state.setting(variable)
    return names
