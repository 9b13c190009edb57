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

"""Where replication stands on a set of servers. Read-only.

:func:`status` reads each server (never changes one) and reports, per
server: its role, flavor and version, how it replicates (``Auto_Position``,
``Using_Gtid`` or coordinates) and from whom, its threads, lag in seconds
and in transactions, last errors, its GTIDs, semi-synchronous replication
as it runs now, and a crash-safety audit
(:func:`~trove_gtid_strategy.audit.crash_safety`). Given several servers
it also shows who replicates from whom, naming sources it was not given
as unknown.

Reading is separated from deciding: :func:`~trove_gtid_strategy.guest.
status_facts.read_facts` asks one server, :func:`build_report` (no I/O)
concludes, so the conclusions are tested
with hand-made facts. The ``trove-gtid status`` command only parses,
calls and prints :meth:`StatusReport.to_text` or :meth:`StatusReport.
to_dict`.
"""

import collections.abc
import dataclasses

from trove_gtid_strategy import audit
from trove_gtid_strategy import dangers as dangers_mod
from trove_gtid_strategy import errcodes
from trove_gtid_strategy.guest import status_facts
from trove_gtid_strategy import heartbeat_lag
from trove_gtid_strategy.operations import status_text
from trove_gtid_strategy import replication_view

#: What :func:`build_report` takes per server (read by
#: :func:`~trove_gtid_strategy.guest.status_facts.read_facts`).
ServerFacts = status_facts.ServerFacts


@dataclasses.dataclass
class Replication:
    """How one server replicates, as ``SHOW REPLICA STATUS`` says."""

    mode: str
    mode_detail: str
    source: str
    source_server_id: int | None
    #: The given server it replicates from, or None (unknown source).
    source_name: str | None
    io_running: str
    sql_running: str
    io_state: str
    sql_state: str
    last_io_errno: int
    last_io_error: str
    last_sql_errno: int
    last_sql_error: str
    read_position: str
    exec_position: str
    retrieved_gtid_set: str
    gtid_io_pos: str
    sql_delay: int
    lag: replication_view.Lag

    def to_dict(self):
        found = dataclasses.asdict(self)
        found['lag'] = self.lag.to_dict()
        return found


@dataclasses.dataclass
class ServerStatus:
    """One server in a :class:`StatusReport`."""

    name: str
    dsn: str
    port: int
    server_id: int
    server_uuid: str
    flavor: str
    version: str
    version_text: str
    role: str
    read_only: bool
    log_bin: bool
    binlog_position: str
    replicas_connected: int
    gtids: dict
    replication: Replication | None
    crash_safety: tuple
    crash_safety_level: str
    semi_sync: audit.SemiSync

    def to_dict(self):
        found = {f.name: getattr(self, f.name)
                 for f in dataclasses.fields(self)}
        found['replication'] = (self.replication.to_dict()
                                if self.replication else None)
        found['crash_safety'] = [f.to_dict() for f in self.crash_safety]
        found['semi_sync'] = self.semi_sync.to_dict()
        found['gtids'] = dict(self.gtids)
        return found


@dataclasses.dataclass
class Link:
    """One replication link of the topology view."""

    replica: str
    #: The given server replicated from, or None when it is not given.
    source: str | None
    source_address: str
    source_server_id: int | None
    running: bool
    #: False when the source is a given server that could not be read.
    source_reachable: bool = True

    def to_dict(self):
        return dataclasses.asdict(self)

    def describe(self):
        source = self.source or 'unknown source %s%s' % (
            self.source_address,
            ' (server_id %d)' % self.source_server_id
            if self.source_server_id else '')
        return '%s <- %s%s%s' % (
            self.replica, source,
            '' if self.source_reachable else ' (unreachable)',
            '' if self.running else ' (not running)')


@dataclasses.dataclass(frozen=True)
class Unreachable:
    """A given server that could not be read: its name, address (as
    replicas name it) and the error, without any password.
    """

    name: str
    dsn: str
    host: str
    port: int
    error: str

    def to_dict(self):
        return {'name': self.name, 'dsn': self.dsn, 'error': self.error}


@dataclasses.dataclass
class StatusReport:
    """:func:`status`'s result; ``to_dict()`` is JSON-ready."""

    servers: list
    topology: list
    #: Given servers that could not be reached (:class:`Unreachable`).
    unreachable: list = dataclasses.field(default_factory=list)
    #: What is dangerous (:class:`~trove_gtid_strategy.dangers.Danger`).
    dangers: list = dataclasses.field(default_factory=list)

    def to_dict(self):
        return {'servers': [s.to_dict() for s in self.servers],
                'topology': [link.to_dict() for link in self.topology],
                'unreachable': [u.to_dict() for u in self.unreachable],
                'dangers': [d.to_dict() for d in self.dangers]}

    def to_text(self):
        """What ``trove-gtid status`` prints without ``--json``."""
        return status_text.render(self)


def status(services):
    """A :class:`StatusReport` of ``services``: a mapping of names to
    service objects, or service objects (named by their address).

    A server that cannot be reached or logged in to (a crashed source)
    is reported as :class:`Unreachable`, and the others still are; any
    other error is raised.
    """
    if isinstance(services, collections.abc.Mapping):
        items = list(services.items())
    else:
        items = [(None, svc) for svc in services]
    facts = []
    for name, svc in items:
        try:
            facts.append(status_facts.read_facts(svc, name))
        except Exception as exc:
            if errcodes.error_number(exc) not in errcodes.CONNECTION_ERRORS:
                raise
            dsn = getattr(svc, 'dsn', None)
            facts.append(Unreachable(
                name or _unreachable_name(svc), status_facts.redacted(svc),
                status_facts.host(svc), dsn.port if dsn is not None else 0,
                '(%s) %s' % (errcodes.error_number(exc),
                             _error_text(exc))))
    return build_report(facts)


def _unreachable_name(service):
    dsn = getattr(service, 'dsn', None)
    if dsn is not None:
        return dsn.unix_socket or '%s:%d' % (dsn.host, dsn.port)
    return repr(service)


def _error_text(exc):
    orig = getattr(exc, 'orig', exc)
    args = getattr(orig, 'args', ())
    return str(args[1]) if len(args) > 1 else str(orig)


def build_report(facts):
    """The :class:`StatusReport` of servers' facts (and
    :class:`Unreachable` ones); no I/O.
    """
    unreachable = [f for f in facts if isinstance(f, Unreachable)]
    facts = [f for f in facts if not isinstance(f, Unreachable)]
    # An unreachable server's server_id is unknown: matched by address.
    endpoints = [replication_view.Endpoint(
        f.name, f.host, int(f.state.settings.get('port') or 0),
        f.state.server_id) for f in facts] + [
        replication_view.Endpoint(u.name, u.host, u.port, None)
        for u in unreachable]
    by_name = {f.name: f for f in facts}
    sources = {}
    for f in facts:
        if f.state.replica is not None:
            sources[f.name] = replication_view.find_source(f.state.replica,
                                                           endpoints)
    fed = {name for name in sources.values() if name}
    servers = []
    links = []
    for f in facts:
        st = f.state
        replication = None
        if st.replica is not None:
            source_name = sources[f.name]
            replication = _replication(f, source_name,
                                       by_name.get(source_name))
            links.append(Link(
                f.name, source_name, replication.source,
                st.replica.source_server_id,
                st.replica.io_running == 'Yes'
                and st.replica.sql_running == 'Yes',
                source_name is None or source_name in by_name))
        findings = audit.crash_safety(st, f.gtid_slave_pos_engines)
        semi = audit.semi_sync(st.settings, f.global_status)
        servers.append(ServerStatus(
            name=f.name, dsn=f.dsn,
            port=int(st.settings.get('port') or 0),
            server_id=st.server_id, server_uuid=st.server_uuid,
            flavor=str(st.version.flavor), version=str(st.version),
            version_text=st.settings.get('version', ''),
            role=replication_view.role(
                st.replica is not None,
                f.dump_sessions > 0 or f.name in fed),
            read_only=st.read_only, log_bin=st.log_bin,
            binlog_position='%s:%d' % tuple(st.binlog_position)
            if st.binlog_position else '',
            replicas_connected=f.dump_sessions, gtids=_gtids(st),
            replication=replication, crash_safety=findings,
            crash_safety_level=audit.worst(findings + semi.findings),
            semi_sync=semi))
    return StatusReport(servers, links, unreachable, dangers_mod.find([
        dangers_mod.Seen(
            f.name, f.state.replica is not None, f.state.read_only,
            f.state.replica.stopped_error if f.state.replica else None,
            f.settings_files, f.fence_locks) for f in facts]))


def _replication(f, source_name, source):
    """How ``f`` replicates; ``source``: the facts of its source when
    given and read, else None.
    """
    status = f.state.replica
    mode, detail = replication_view.replication_mode(status)
    source_id = status.source_server_id or (
        source.state.server_id if source is not None else None)
    source_beats = None
    if source is not None:
        source_beats = source.heartbeat or heartbeat_lag.NO_BEATS
    lag = dataclasses.replace(
        replication_view.lag(f.state, source and source.state),
        heartbeat=heartbeat_lag.judge(f.heartbeat, source_id, source_beats))
    return Replication(
        mode=mode, mode_detail=detail,
        source='%s:%d' % (status.source_host, status.source_port),
        source_server_id=status.source_server_id or None,
        source_name=source_name,
        io_running=status.io_running, sql_running=status.sql_running,
        io_state=f.io_state, sql_state=f.sql_state,
        last_io_errno=status.last_io_errno,
        last_io_error=status.last_io_error,
        last_sql_errno=status.last_sql_errno,
        last_sql_error=status.last_sql_error,
        read_position='%s:%d' % (status.read_log_file,
                                 status.read_log_pos),
        exec_position='%s:%d' % status.exec_coordinates,
        retrieved_gtid_set=_one_line(status.retrieved_gtid_set),
        gtid_io_pos=status.gtid_io_pos, sql_delay=status.sql_delay,
        lag=lag)


def _one_line(text):
    return ''.join((text or '').split())


def _gtids(st):
    if st.gtid_binlog_pos is not None:
        return {'gtid_binlog_pos': str(st.gtid_binlog_pos),
                'gtid_slave_pos': str(st.gtid_slave_pos or ''),
                'gtid_current_pos': _one_line(
                    st.settings.get('gtid_current_pos', '')),
                'gtid_strict_mode': st.settings.get('gtid_strict_mode', '')}
    if st.gtid_executed is not None:
        return {'gtid_mode': st.gtid_mode or '',
                'gtid_executed': str(st.gtid_executed),
                'gtid_purged': str(st.gtid_purged or '')}
    return {}
