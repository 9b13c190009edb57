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

"""Binary log file and position, on every MySQL, Percona and MariaDB.

The replica is told a file and an offset in the source's binary log and
trusts that its data is exactly the source's up to there: nothing in the
protocol checks it. So this driver refuses every start it cannot prove:

* a seeded replica starts at the coordinates its backup recorded;
* a replica of this same source resumes from its own applied position;
* a replica promoted away from (a re-point after a promotion) continues
  only from the point the new source recorded when it was detached, and
  only if it had applied exactly as much of the old source;
* otherwise GTIDs, where the servers have them (MariaDB always does,
  even in this mode; MySQL with ``gtid_mode = ON``), must show the
  replica holding exactly the source's transactions at the start point;
* without GTIDs (MySQL 5.5, ``gtid_mode = OFF``) only an empty replica
  of a source without user data is accepted, and errant transactions
  cannot be checked, which the result says.

Crash safety: the applier position must be committed with the data.
MySQL 5.6.2+ can (``relay_log_info_repository = TABLE``, the only choice
from 8.3, and ``relay_log_recovery``); MariaDB and older MySQL keep it
in the file ``relay-log.info``, so this mode is refused there unless the
operator allows it.
"""

from trove_gtid_strategy import gtid as gtid_sets
from trove_gtid_strategy.modes import base
from trove_gtid_strategy.modes import Mode
from trove_gtid_strategy import seeding
from trove_gtid_strategy import topology

Verdict = topology.Verdict


def _problem(code, message, *args):
    return topology.Problem(code, message % args)


def _coords(log_file, log_pos):
    return '%s:%s' % (log_file or '?', log_pos)


class BinlogDriver(base.ModeDriver):

    mode = Mode.BINLOG
    seed_needs = 'a binary log file and position'

    def seed_usable(self, start):
        return start.has_position

    def crash_safety_problem(self, caps):
        if caps.flavor.value == 'mariadb':
            return ('MariaDB keeps the binlog-position applier position in '
                    'the file relay-log.info, which is not written with '
                    'the data: a replica killed under writes can apply a '
                    'transaction twice (error 1062) or skip one; MariaDB '
                    'GTID replication (replication_mode = auto or gtid) '
                    'keeps it in the transactional mysql.gtid_slave_pos '
                    'table instead')
        if not (caps.relay_log_info_repository or caps.version.at_least(8, 3)):
            return ('%s keeps the applier position in the file '
                    'relay-log.info (relay_log_info_repository = TABLE '
                    'starts with MySQL 5.6.2), which is not written with '
                    'the data: a replica killed under writes can apply a '
                    'transaction twice or skip one' % caps.version)
        return None

    def required_settings(self, role, caps):
        settings = super().required_settings(role, caps)
        if role == 'replica' and caps.relay_log_info_repository:
            settings['relay_log_info_repository'] = 'TABLE'
        return settings

    # -- classification --------------------------------------------------
    def classify(self, source, replica, request):
        if request.seeded:
            return self._seeded(source, request.seed)
        if not request.position or not request.position.has_position:
            return base.Classification(None, problems=(_problem(
                'no_start_position', 'binlog-position replication needs '
                'the source\'s log_file and log_position'),))
        status = replica.replica
        if status and self._same_source(status, source, request):
            return self._resume(source, status)
        point = request.promoted_from
        if point and self._at_promotion_point(replica, point):
            return base.Classification(
                Verdict.IDENTICAL,
                start=_start_at(point.log_file, point.log_pos,
                                'the new source\'s promotion point'),
                notes=('the replica holds exactly what the new source had '
                       'when it was promoted (%s)' % point.describe(),))
        if source.has_gtids and replica.has_gtids:
            return self._by_gtids(source, replica, request)
        return self._without_gtids(source, replica, request)

    def _seeded(self, source, seed):
        if source.binlog_files and seed.log_file not in source.binlog_files:
            missing = ('%s is not among the source\'s binary logs (%s to %s)'
                       % (seed.log_file, source.binlog_files[0],
                          source.binlog_files[-1]))
            return base.Classification(
                Verdict.IRRECOVERABLE, missing=missing,
                problems=(topology.verdict_problem(
                    Verdict.IRRECOVERABLE, '', missing),))
        return base.Classification(Verdict.RECOVERABLE, start=seed)

    @staticmethod
    def _same_source(status, source, request):
        """The replica already replicates from this very server."""
        if status.source_server_id:
            return status.source_server_id == source.server_id
        return (status.source_host, status.source_port) == (
            request.source.host, request.source.port)

    def _resume(self, source, status):
        """A replica of this source continues from what it applied."""
        start = _start_at(status.exec_log_file, status.exec_log_pos,
                          'the replica\'s applied position')
        if not start.has_position:
            return base.Classification(None, problems=(_problem(
                'no_start_position', 'the replica replicates from this '
                'source but shows no applied position'),))
        found = self._seeded(source, start)
        # start=None: the replica keeps the position it applied to (see
        # change_source).
        return base.Classification(
            found.verdict, missing=found.missing, problems=found.problems,
            notes=('resuming from the replica\'s own applied position on '
                   'this source, %s' % _coords(*status.exec_coordinates),))

    @staticmethod
    def _at_promotion_point(replica, point):
        """The replica holds exactly what the new source held when it was
        promoted: as a replica of the old source it applied the same
        coordinates, or it is the old source stopped there, or (with
        GTIDs) it holds the same GTIDs.
        """
        old = (point.old_log_file, point.old_log_pos)
        status = replica.replica
        if status is not None and status.source_server_id in (
                None, 0, point.old_source_server_id):
            return status.exec_coordinates == old
        if replica.server_id == point.old_source_server_id:
            return tuple(replica.binlog_position) == old
        if point.gtids and replica.has_gtids:
            if replica.gtid_binlog_pos is not None:
                return str(topology.mariadb_resume_position(replica)) == \
                    point.gtids
            return str(replica.gtid_executed) == point.gtids
        return False

    def _by_gtids(self, source, replica, request):
        """The replica must hold exactly the source's transactions at the
        start point: fewer would be lost for good, more are errant.
        """
        at = request.position
        if source.gtid_binlog_pos is not None:
            if at.mariadb_pos is None:
                return self._without_gtids(source, replica, request)
            held = topology.mariadb_resume_position(replica)
            verdict, errant, _ = topology.classify_mariadb_positions(
                at.mariadb_pos, gtid_sets.MariaDBGtidPosition(), held,
                source.gtid_binlog_state or None)
            behind = ','.join(
                str(g) for g in at.mariadb_pos
                if held.get(g.domain_id) is None
                or held.get(g.domain_id).seq_no < g.seq_no)
        else:
            if at.gtid_set is None:
                return self._without_gtids(source, replica, request)
            held = replica.gtid_executed
            verdict, errant, _ = topology.classify_gtid_sets(
                at.gtid_set, gtid_sets.GtidSet(), held)
            behind = str(at.gtid_set - held)
        return self._judge(source, replica, request, verdict, errant,
                           behind, held)

    def _judge(self, source, replica, request, verdict, errant, behind,
               held):
        at = request.position
        coords = _coords(at.log_file, at.log_pos)
        if verdict is Verdict.DIVERGED:
            return base.Classification(verdict, errant=str(errant), problems=(
                topology.verdict_problem(verdict, errant, ''),))
        if verdict is Verdict.IDENTICAL:
            return base.Classification(verdict, start=at)
        if verdict is Verdict.NEW and not held:
            return self._empty_replica(source, request)
        # Behind the start point: starting there would skip transactions.
        problem = _problem(
            'behind_start_point', 'the replica holds %s but the source was '
            'at %s (%s) when the attach was requested: starting there in '
            'binlog-position mode would lose %s for good; attach it in GTID '
            'mode, or re-seed it from a backup', held or 'nothing', coords,
            at.mariadb_pos or at.gtid_set, behind)
        # MySQL: where the source logged what the replica holds and then
        # only what it lacks, the replica resumes there (the caller reads
        # the source's logs for it).
        resume_from = held if isinstance(held, gtid_sets.GtidSet) else None
        return base.Classification(Verdict.RECOVERABLE, missing=behind,
                                   problems=(problem,),
                                   resume_from=resume_from)

    def _without_gtids(self, source, replica, request):
        if not replica.user_schemas:
            return self._empty_replica(source, request)
        at = _coords(request.position.log_file, request.position.log_pos)
        note = ('errant transactions cannot be checked without GTIDs',)
        point = request.promoted_from
        if point is not None:
            held = (replica.replica.exec_coordinates if replica.replica
                    else tuple(replica.binlog_position) or ('?', 0))
            return base.Classification(None, notes=note, problems=(_problem(
                'not_at_promotion_point', 'the replica is at %s of the old '
                'source but the new source was promoted at %s of it: '
                'without GTIDs the difference cannot be replayed; re-seed '
                'the replica from a backup of the new source',
                _coords(*held),
                _coords(point.old_log_file, point.old_log_pos)),))
        return base.Classification(None, notes=note, problems=(_problem(
            'unverifiable_start', 'without GTIDs nothing proves that the '
            'replica (holding %s) has exactly the source\'s data at %s; '
            'attach it from a backup of the source (a seed), or re-point '
            'it right after a promotion while it is at the promotion point',
            ', '.join(replica.user_schemas), at),))

    @staticmethod
    def _empty_replica(source, request):
        """An empty replica may start at the source's position only when
        the source holds nothing it would miss.
        """
        at = request.position
        holds = base.source_user_schemas(source, request)
        gtids = at.mariadb_pos or at.gtid_set
        if holds:
            what = 'data (%s)' % ', '.join(holds)
        elif holds is None and gtids:
            what = 'transactions up to %s' % gtids
        elif holds is None and not source.has_gtids:
            what = ('data the replication account cannot list, and no '
                    'GTIDs tell otherwise')
        else:
            return base.Classification(
                Verdict.NEW, start=at,
                notes=('the source holds no user data; starting at its '
                       'position %s' % _coords(at.log_file, at.log_pos),))
        return base.Classification(Verdict.NEW, problems=(_problem(
            'seed_required', 'the replica is empty but the source holds '
            '%s: starting at the source\'s position %s would never copy '
            'them; restore a backup of the source on the replica and '
            'attach with it as the seed', what,
            _coords(at.log_file, at.log_pos)),))

    # -- statements ------------------------------------------------------
    def start_statements(self, d, replica, start, seeded):
        """A seed that records GTIDs also replaces the replica's GTID
        history (as in the GTID modes); one without leaves the history the
        restore produced alone, since nothing better is known.

        An empty MySQL replica starting at an empty source's position
        (where the source has GTIDs) records the source's history there
        as its own: it holds the same data, and a later failover between
        replicas attached at different points then compares whole sets
        (without it, each lacks the history before its own start).
        """
        if not seeded and start is not None and start.gtid_set and \
                replica.has_gtids and replica.gtid_executed is not None \
                and not replica.gtid_executed:
            return [d.set_gtid_purged(start.gtid_set)]
        if not seeded or not replica.log_bin:
            return []
        if start.mariadb_pos is not None and \
                replica.gtid_binlog_pos is not None:
            return [d.reset_binary_logs(),
                    d.set_gtid_slave_pos(start.mariadb_pos)]
        if start.gtid_set is not None and replica.has_gtids:
            return [d.reset_binary_logs(), d.set_gtid_purged(start.gtid_set)]
        return []

    def change_source(self, d, request, start, connect_retry):
        if start is None:
            # A replica resuming on its own source keeps its position.
            return d.change_source_keeping_position(
                request.source, connect_retry, request.tls)
        return d.change_source_to_position(
            request.source, start.log_file, start.log_pos, connect_retry,
            request.tls)

    # -- detach ----------------------------------------------------------
    def promotion_point(self, state, own_position):
        status = state.replica
        log_file, log_pos = own_position
        if status is None or not status.exec_log_file or not log_file:
            return None
        if state.gtid_binlog_pos is not None:
            gtids = str(topology.mariadb_resume_position(state))
        elif state.has_gtids:
            gtids = str(state.gtid_executed)
        else:
            gtids = ''
        return base.PromotionPoint(
            old_source_server_id=status.source_server_id,
            old_log_file=status.exec_log_file,
            old_log_pos=status.exec_log_pos,
            log_file=log_file, log_pos=log_pos, gtids=gtids)


def _start_at(log_file, log_pos, origin):
    """A start point at binlog coordinates."""
    return seeding.StartPoint(origin, log_file or None,
                              log_pos if log_file else None)
