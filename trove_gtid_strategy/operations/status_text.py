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

"""``trove-gtid status`` as text, for people: one block per server, then
the unreachable ones, the topology and the dangers. No I/O.
"""


def render(report):
    """The text of a :class:`~trove_gtid_strategy.operations.status.
    StatusReport`.
    """
    out = []
    for s in report.servers:
        out += _server(s)
    for u in report.unreachable:
        out.append('%s: unreachable: %s' % (u.name, u.error))
    if report.topology:
        out.append('topology:')
        out += ['  %s' % link.describe() for link in report.topology]
    out += ['DANGER: %s' % d.message for d in report.dangers]
    return '\n'.join(out)


def _server(s):
    out = ['%s: %s, %s, server_id %d%s' % (
        s.name, s.role, s.version, s.server_id,
        ', read-only' if s.read_only else '')]
    for key, value in s.gtids.items():
        out.append('  %s: %s' % (key, value or "''"))
    if s.binlog_position:
        out.append('  binary log: %s, %d replica%s connected' % (
            s.binlog_position, s.replicas_connected,
            '' if s.replicas_connected == 1 else 's'))
    if s.replication is not None:
        out += _replication(s.replication)
    out.append('  semi-sync: %s' % s.semi_sync.running)
    out.append('  crash safety: %s' % s.crash_safety_level)
    for f in s.crash_safety + s.semi_sync.findings:
        out.append('    [%s] %s = %s: %s' % (f.level, f.name, f.value,
                                             f.why))
    return out


def _replication(r):
    out = ['  replicates from %s%s in %s mode (%s)' % (
        r.source_name or 'unknown source %s' % r.source,
        ' (%s)' % r.source if r.source_name else '', r.mode,
        r.mode_detail),
        '  I/O %s (%s), SQL %s (%s)' % (
            r.io_running, r.io_state or '-', r.sql_running,
            r.sql_state or '-'),
        '  lag: %s' % lag_text(r.lag)]
    if r.lag.heartbeat is not None:
        out.append('  heartbeat: %s' % r.lag.heartbeat.describe())
    for thread, errno, error in (
            ('I/O', r.last_io_errno, r.last_io_error),
            ('SQL', r.last_sql_errno, r.last_sql_error)):
        if errno:
            out.append('  last %s error %d: %s' % (thread, errno, error))
    return out


def lag_text(lag):
    """One line of a :class:`~trove_gtid_strategy.replication_view.Lag`
    (its heartbeat has a line of its own).
    """
    parts = ['Seconds_Behind_Source %s' % (
        'NULL' if lag.seconds is None else lag.seconds)]
    if lag.behind_source is not None:
        parts.append('%d transactions behind the source'
                     % lag.behind_source)
    if lag.unapplied is not None:
        parts.append('%d received, not applied' % lag.unapplied)
    if lag.unapplied_bytes is not None and lag.unapplied is None:
        parts.append('%d bytes received, not applied' % lag.unapplied_bytes)
    return ', '.join(parts)
