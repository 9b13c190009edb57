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

"""The steps switchover and failover share: what a server holds, making
one the source, pointing the others at it, reporting each server.

Every step checks where the server already is, so running an operation
again after it stopped halfway (a server lost mid-way) completes it
instead of repeating what was done.
"""

import dataclasses

from trove_gtid_strategy.binlog import events as binlog_headers
from trove_gtid_strategy.decisions import fitness
from trove_gtid_strategy import gtid as gtid_sets
from trove_gtid_strategy.guest import log_reader
from trove_gtid_strategy.guest import replication_accounts
from trove_gtid_strategy.operations import attach as attach_op
from trove_gtid_strategy import topology


@dataclasses.dataclass
class ServerReport:
    """One server before or after an operation, JSON-ready."""

    server: str
    role: str
    version: str
    read_only: bool
    source: str | None
    executed: str
    received: str

    def to_dict(self):
        return dataclasses.asdict(self)


def received_of(state):
    """Everything a server has or has fetched: what it applied and what
    its I/O thread holds in its relay log.
    """
    status = state.replica
    if state.gtid_executed is not None and state.has_gtids:
        received = state.gtid_executed
        if status is not None and status.retrieved_gtid_set:
            received = received | gtid_sets.GtidSet.parse(
                status.retrieved_gtid_set)
        return received
    if state.gtid_binlog_pos is not None:
        held = topology.mariadb_resume_position(state)
        if status is not None and status.gtid_io_pos:
            held = held.union(gtid_sets.MariaDBGtidPosition.parse(
                status.gtid_io_pos))
        return held
    return None


def report(server, state=None):
    """``server`` (a :class:`~trove_gtid_strategy.guest.server.Server`)
    as a :class:`ServerReport`, from ``state`` (default: its state).
    """
    if state is None:
        state = server.state()
    status = state.replica
    role = 'replica' if status is not None else (
        'source' if state.log_bin and not state.read_only else 'standalone')
    executed = (state.gtid_executed if state.gtid_executed is not None
                and state.has_gtids else
                topology.mariadb_resume_position(state)
                if state.gtid_binlog_pos is not None else
                '%s:%s' % tuple(state.binlog_position)
                if state.binlog_position else '')
    received = received_of(state)
    return ServerReport(
        server=server.name, role=role,
        version=str(state.version),
        read_only=state.read_only,
        source='%s:%s' % (status.source_host, status.source_port)
        if status is not None else None,
        executed=str(executed),
        received=str(received if received is not None else
                     '%s:%s' % (status.read_log_file, status.read_log_pos)
                     if status is not None else executed))


def make_writable(server):
    """Writes allowed again: ``super_read_only`` and ``read_only`` off."""
    server.run(*server.dialect.unfence(read_only_before=False))


def promote(repl, candidate):
    """Detach the candidate (a :class:`~trove_gtid_strategy.guest.server.
    Server`) from its source (keeping a binlog-position promotion point),
    make it a source and writable. A server already a source (an earlier
    run got this far) is only made writable.
    """
    if candidate.replica_status() is not None:
        repl.detach(candidate.service, for_failover=True)
    repl.enable_source(candidate.service)
    make_writable(candidate)


def repoint(repl, new_source, replica):
    """Point ``replica`` at ``new_source`` (both :class:`~trove_gtid_
    strategy.guest.server.Server` handles) with its own account; the
    driver's checks refuse anything that would lose or duplicate a
    transaction. Already replicating from it: nothing to do.
    """
    state = replica.refresh(binlog_files=False)
    status = state.replica
    if status is not None and status.running and \
            status.source_server_id == new_source.state().server_id:
        if state.read_only:
            return 'already replicating from the new source'
        # A replica takes no writes (fenced as a source is).
        replica.run(replica.dialect.fence())
        return 'already replicating from the new source; made read-only'
    context = repl.source_context(
        new_source.service, attach_op.replica_identity(replica.service))
    try:
        repl.attach(replica.service, context.request)
    except BaseException:
        if context.account.created:
            replication_accounts.drop_account(
                new_source.service, context.account.name,
                hosts=(context.account.host,))
        raise
    replication_accounts.drop_account(new_source.service,
                                      context.account.name,
                                      hosts=context.account.replaced_hosts)
    return 'replicating from the new source'


def searched(server, holding, followers, binlog_files):
    """``holding`` (a :class:`~trove_gtid_strategy.decisions.election.
    Holding` of ``server``, a :class:`~trove_gtid_strategy.guest.server.
    Server`) with the answer of its binary logs for the
    MariaDB GTIDs ``followers`` resume from within its binary log state
    (:func:`~trove_gtid_strategy.decisions.fitness.to_search`): each
    file's ``Gtid_list`` header is read, and only the file bracketing a
    GTID is searched. Nothing is read when nothing is wanted.
    """
    wanted = fitness.to_search(holding, followers)
    if not wanted:
        return holding
    headers = [(log_name, binlog_headers.gtid_list(
        log_reader.header(server.service, log_name)) or ())
        for log_name in binlog_files]
    found, by_file = [], {}
    for gtid in wanted:
        verdict, where = fitness.locate(gtid, headers, holding.binlog_state)
        if verdict == fitness.SEARCH:
            by_file.setdefault(where, []).append(gtid)
        else:
            found.append((gtid, verdict == fitness.FOUND, where))
    for log_name, gtids in by_file.items():
        texts = {str(g) for g in gtids}
        present = {txn.gtid for txn in log_reader.transactions(
            server.service, log_name, lambda text: text in texts)}
        found += [(g, str(g) in present,
                   'in %s' % log_name if str(g) in present else
                   'not in its binary log %s, where its Gtid_list headers '
                   'place it: applied without being logged there, as a '
                   'skipped transaction is' % log_name) for g in gtids]
    return dataclasses.replace(holding, searched=tuple(found))
