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

"""How a replica replicates, how far behind it is, and from whom. Pure.

For ``status`` and ``check``: the mode a replica runs in, its lag in
seconds and in transactions, which of the given servers is its source,
and a server's role.
"""

import dataclasses

from trove_gtid_strategy import gtid as gtid_sets
from trove_gtid_strategy import heartbeat_lag

_LOOPBACK = ('127.0.0.1', 'localhost', '::1', '')


# -- how a replica replicates and how far behind it is -----------------

def replication_mode(status):
    """``(mode, detail)`` of a replica status: ``mysql_gtid``
    (``Auto_Position = 1``), ``mariadb_gtid`` (``Using_Gtid``) or
    ``binlog`` (file and position).
    """
    if status.auto_position:
        return 'mysql_gtid', 'Auto_Position = 1'
    use = status.using_gtid
    if use and use.lower() != 'no':
        return 'mariadb_gtid', 'Using_Gtid = %s' % use
    return 'binlog', 'at %s:%d of the source (%s)' % (
        status.exec_log_file or '?', status.exec_log_pos,
        'Using_Gtid = No' if use else 'Auto_Position = 0')


@dataclasses.dataclass(frozen=True)
class Lag:
    """How far a replica is behind.

    ``unapplied``: transactions received but not applied (MySQL: the
    retrieved GTIDs not executed; MariaDB: per domain, ``Gtid_IO_Pos``
    minus ``gtid_slave_pos`` sequence numbers). ``behind_source``: what
    the source executed that the replica has not, when the source is
    known. ``by_domain`` (MariaDB): ``{domain: {'unapplied': n,
    'behind_source': m}}``. ``unapplied_bytes``: binlog-position replicas
    reading and applying the same source file. ``heartbeat``: what the
    heartbeat table says (:class:`~trove_gtid_strategy.heartbeat_lag.
    HeartbeatLag`), None without one.
    """

    seconds: int | None = None
    unapplied: int | None = None
    behind_source: int | None = None
    by_domain: dict = dataclasses.field(default_factory=dict)
    unapplied_bytes: int | None = None
    heartbeat: heartbeat_lag.HeartbeatLag | None = None

    @property
    def lag_from(self):
        """``heartbeat`` or ``seconds_behind_source``: the lag to trust.
        """
        return heartbeat_lag.lag_from(self.heartbeat)

    @property
    def transactions(self):
        """The best count of transactions behind: against the source
        when known, else what was received and not applied.
        """
        if self.behind_source is not None:
            return self.behind_source
        return self.unapplied

    def to_dict(self):
        found = dataclasses.asdict(self)
        found['by_domain'] = {str(k): dict(v)
                              for k, v in sorted(self.by_domain.items())}
        found['transactions'] = self.transactions
        found['heartbeat'] = (self.heartbeat.to_dict()
                              if self.heartbeat else None)
        found['lag_from'] = self.lag_from
        return found


def parse_set(text):
    try:
        return gtid_sets.GtidSet.parse(text or '')
    except ValueError:
        return None


def seq(position, domain):
    found = position.get(domain) if position is not None else None
    return found.seq_no if found is not None else 0


def lag(replica, source=None):
    """The :class:`Lag` of ``replica`` (a state with its replica status);
    ``source`` is the state of the server it replicates from, or None.
    """
    status = replica.replica
    if status is None:
        return None
    unapplied_bytes = None
    # Only binlog-position replicas are judged by coordinates: MySQL's
    # multi-threaded applier moves Exec_Source_Log_Pos at checkpoints.
    if replication_mode(status)[0] == 'binlog' and status.read_log_file \
            and status.read_log_file == status.exec_log_file:
        unapplied_bytes = max(0, status.read_log_pos - status.exec_log_pos)
    if replica.gtid_binlog_pos is not None or replica.gtid_slave_pos \
            is not None:
        return _mariadb_lag(replica, status, source, unapplied_bytes)
    unapplied = behind = None
    executed = parse_set(status.executed_gtid_set) \
        if status.executed_gtid_set else replica.gtid_executed
    if executed is not None and replica.has_gtids:
        retrieved = parse_set(status.retrieved_gtid_set)
        if retrieved is not None:
            unapplied = (retrieved - executed).count()
        if source is not None and source.has_gtids and \
                source.gtid_executed is not None:
            behind = (source.gtid_executed - executed).count()
    return Lag(seconds=status.seconds_behind, unapplied=unapplied,
               behind_source=behind, unapplied_bytes=unapplied_bytes)


def _mariadb_lag(replica, status, source, unapplied_bytes):
    applied = replica.gtid_slave_pos or gtid_sets.MariaDBGtidPosition()
    try:
        io_pos = gtid_sets.MariaDBGtidPosition.parse(status.gtid_io_pos)
    except ValueError:
        io_pos = gtid_sets.MariaDBGtidPosition()
    by_domain = {}
    unapplied = None
    if replication_mode(status)[0] == 'mariadb_gtid':
        unapplied = 0
        for g in io_pos:
            n = max(0, g.seq_no - seq(applied, g.domain_id))
            by_domain.setdefault(g.domain_id, {})['unapplied'] = n
            unapplied += n
    behind = None
    if source is not None and source.gtid_binlog_pos is not None:
        behind = 0
        for g in source.gtid_binlog_pos:
            n = max(0, g.seq_no - seq(applied, g.domain_id))
            by_domain.setdefault(g.domain_id, {})['behind_source'] = n
            behind += n
    return Lag(seconds=status.seconds_behind, unapplied=unapplied,
               behind_source=behind, by_domain=by_domain,
               unapplied_bytes=unapplied_bytes)


# -- who replicates from whom -------------------------------------------

@dataclasses.dataclass(frozen=True)
class Endpoint:
    """A server as replicas name their source: address and server_id
    (None when unknown: a server that could not be read).
    """

    name: str
    host: str
    port: int
    server_id: int | None


def _same_host(a, b):
    a, b = (a or '').lower(), (b or '').lower()
    return a == b or (a in _LOOPBACK and b in _LOOPBACK)


def find_source(status, endpoints):
    """The name of the endpoint ``status`` replicates from, or None.

    The port must match; then the source's ``server_id`` when both sides
    know it (the replica's I/O thread connected once), else the host
    (loopback names are one host).
    """
    found = []
    for e in endpoints:
        if e.port != status.source_port:
            continue
        if status.source_server_id and e.server_id is not None:
            if e.server_id == status.source_server_id:
                found.append(e)
        elif _same_host(e.host, status.source_host):
            found.append(e)
    return found[0].name if len(found) == 1 else None


def role(is_replica, has_replicas):
    """``source``, ``replica``, ``both`` or ``standalone``."""
    if is_replica and has_replicas:
        return 'both'
    if is_replica:
        return 'replica'
    return 'source' if has_replicas else 'standalone'
