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

"""Repairing errant transactions: a replica's own transactions that its
source lacks (seed 004), which make every GTID attach and promotion
refuse or break.

First, what each errant transaction changed is listed from the replica's
binary log (:mod:`~trove_gtid_strategy.binlog`): the files holding
them are found from each file's header (MySQL ``Previous_gtids``, MariaDB
``Gtid_list``) and only those files are read. A transaction is harmless
when it changed no data the source lacks: an empty transaction, ``FLUSH
...`` / ``ANALYZE TABLE``, or ``DROP USER | DATABASE | TABLE IF EXISTS``
of objects that exist on neither server now (checked on both). Anything
else (row events, other statements, a transaction no longer in the binary
log) may have changed data.

Then, all or nothing (one refused transaction refuses the repair, and
nothing is sent):

* a transaction written by **another server** (a GTID whose
  ``server_uuid`` / ``server_id`` is not the replica's own: a former
  source's writes that never reached the current source) is always
  refused: re-seed the replica from a backup of the source, or apply
  those changes on the source by hand if they must be kept;
* so is every errant transaction of a replica that is itself a **former
  source** of this source (the source holds some of its transactions
  and it does not replicate from it, as ``check`` decides it with
  :func:`~trove_gtid_strategy.remedies.former_source`): a demoted source's
  writes lost in a failover;
* a **data-changing** transaction of the replica's own is refused unless
  ``accept_divergence`` (the replica keeps its different data, knowingly);
* the harmless ones (and the accepted ones) are reconciled.

**MySQL** (GTID sets): one empty transaction per errant GTID is committed
**on the source** (``SET gtid_next = 'uuid:n'; BEGIN; COMMIT``, then
``SET gtid_next = 'AUTOMATIC'``, on one session). The source's set then
contains them, so the replica attaches (``IDENTICAL`` or
``RECOVERABLE``); the empty transactions are binary-logged on the source
and reach its other replicas as no-ops, which is the point.

**MariaDB** (GTID positions) does not binary-log an empty transaction, so
the source cannot be given the replica's GTIDs that way (and logging a
no-op statement under the replica's ``server_id`` on the source would be
refused by ``gtid_strict_mode`` whenever the source's sequence numbers
have passed it, and would reach the replica itself again). Instead the
**replica's** history is made to match the source's:

* repaired: errant GTIDs of the replica's own ``server_id`` (in any
  domain), each harmless or accepted, on a replica with **no replicas of
  its own connected** (no binlog dump session on it): replication is
  stopped, ``RESET MASTER`` empties its binary logs and ``SET GLOBAL
  gtid_binlog_state`` sets their state to the replica's state without
  the errant GTIDs (for the replica's server: the last GTID the source
  has of it, if any), and replication is started again. Its data and
  ``gtid_slave_pos`` are untouched. This also unblocks a replica whose
  SQL thread stopped on error 1950 (``gtid_strict_mode``: the source's
  next GTID is out of order after the replica's own). Measured on 10.11
  and 11.8: the attach is accepted afterwards and replication continues;
* consequences, reported in the result's notes: the replica's old
  binary logs are deleted (no point-in-time recovery from them) and its
  binary log starts at the repair point, so a later replica of it must
  be seeded from a backup taken after the repair (an empty one is
  refused as ``purged_binlogs``, measured on 10.11);
* refused, with the re-seed remedy: errant GTIDs of another
  ``server_id``, or of a replica that is a former source; errant GTIDs
  in the replica's ``gtid_slave_pos`` (applied from a source whose
  history this source lacks, which no reset of the replica's binary log
  changes); errant GTIDs no longer in the binary log, unless
  ``accept_divergence``; and a replica with replicas of its own
  connected (resetting its binary log would cut them off, and those that
  received the errant GTIDs would need the same repair). Replicas of it
  disconnected at that moment cannot be seen: detach them first.

``dry_run=True`` returns the listing, the decision and every statement
without sending anything (the reads still happen). A refusal without
``dry_run`` raises :class:`RepairRefused` carrying the same result.
"""

from oslo_log import log as logging

from trove_gtid_strategy.guest import one_session
from trove_gtid_strategy.guest import server as server_mod
from trove_gtid_strategy.guest import waits
from trove_gtid_strategy.operations.repair import judging
from trove_gtid_strategy.operations.repair import mariadb
from trove_gtid_strategy.operations.repair import mysql
from trove_gtid_strategy import topology

# The names callers use, from where they live.
from trove_gtid_strategy.operations.repair.judging import EMPTY_ON_SOURCE  # noqa
from trove_gtid_strategy.operations.repair.judging import ErrantTransaction  # noqa
from trove_gtid_strategy.operations.repair.judging import FORMER_SOURCE  # noqa
from trove_gtid_strategy.operations.repair.judging import NOTHING_TO_DO  # noqa
from trove_gtid_strategy.operations.repair.judging import OTHER_SERVER  # noqa
from trove_gtid_strategy.operations.repair.judging import OWN  # noqa
from trove_gtid_strategy.operations.repair.judging import RECONCILE  # noqa
from trove_gtid_strategy.operations.repair.judging import REFUSE  # noqa
from trove_gtid_strategy.operations.repair.judging import REFUSED  # noqa
from trove_gtid_strategy.operations.repair.judging import REPAIR  # noqa
from trove_gtid_strategy.operations.repair.judging import RepairRefused  # noqa
from trove_gtid_strategy.operations.repair.judging import RepairResult  # noqa
from trove_gtid_strategy.operations.repair.judging import RESET_REPLICA_BINLOG  # noqa
from trove_gtid_strategy.operations.repair.judging import UNKNOWN  # noqa

LOG = logging.getLogger(__name__)

#: The plan of each GTID flavor, by its replication mode.
_PLANS = {'mysql_gtid': mysql.plan, 'mariadb_gtid': mariadb.plan}


def plan_repair(source, replica, accept_divergence=False):
    """Read both servers and decide: a :class:`RepairResult` with the
    listing, the decision and the statements. Sends nothing.
    """
    src_server = server_mod.Server(source, 'source')
    rep_server = server_mod.Server(replica, 'replica')
    src, rep = src_server.state(), rep_server.state()
    result = judging.RepairResult(
        source=src_server.name, replica=rep_server.name,
        flavor=rep.version.flavor.value, errant='', decision='', method='',
        transactions=[], statements=[],
        accept_divergence=accept_divergence)
    if src.version.flavor.is_mysql_family != \
            rep.version.flavor.is_mysql_family:
        result.decision = judging.REFUSED
        result.remedy = ('source %s and replica %s are not the same flavor'
                         % (src.version, rep.version))
    elif rep_server.gtids is src_server.gtids and \
            rep_server.gtids.mode in _PLANS:
        _PLANS[rep_server.gtids.mode](source, replica, src, rep,
                                      accept_divergence, result)
    else:
        result.decision = judging.REFUSED
        result.remedy = ('%s has no GTIDs: errant transactions cannot be '
                         'told apart' % rep.version)
    return result


def repair_errant(source, replica, accept_divergence=False, dry_run=False,
                  timeout=60, poll=0.5, progress=None):
    """List the replica's errant transactions against ``source`` and
    reconcile them where that is safe (see the module docstring).

    Returns a :class:`RepairResult`. ``dry_run``: decide and return the
    statements, send nothing. A refusal raises :class:`RepairRefused`
    (nothing sent) unless ``dry_run``.
    """
    progress = progress or (lambda message: LOG.info('%s', message))
    result = plan_repair(source, replica, accept_divergence)
    result.dry_run = dry_run
    if dry_run or result.decision == judging.NOTHING_TO_DO:
        return result
    if result.decision == judging.REFUSED:
        raise judging.RepairRefused(
            'refusing to repair the errant transactions of %s: %s'
            % (result.replica, result.remedy), result)
    progress('%s: reconciling %d errant transaction(s) by %s' % (
        result.replica, len(result.transactions),
        result.method.replace('_', ' ')))
    if result.method == judging.EMPTY_ON_SOURCE:
        one_session.run(
            source, [s['sql'] for s in result.statements])
    else:
        for stmt in result.statements:
            replica.execute_sql(stmt['sql'])
    result.applied = True
    restarted = any(s['sql'].startswith('START') for s in result.statements)
    if restarted:
        waits.until_running(replica, result.replica, timeout, poll, progress)
    verdict, errant = attach_verdict(source, replica)
    result.verdict_after = str(verdict)
    if verdict is topology.Verdict.DIVERGED:
        result.notes.append('errant transactions remain after the repair '
                            '(written meanwhile?): %s' % errant)
    return result


def attach_verdict(source, replica):
    """``(verdict, errant)`` of the attach check between the two
    servers now (GTID modes).
    """
    rep_server = server_mod.Server(replica, 'replica')
    return rep_server.gtids.attach_verdict(
        server_mod.Server(source, 'source').state(), rep_server.state())
