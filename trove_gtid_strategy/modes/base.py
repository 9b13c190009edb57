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

"""The mode driver interface, and the attach plan every mode follows.

A driver owns one replication mode's rules and nothing else: which start
point a seed must give, how a replica is compared with its source, what
makes the mode crash-safe on a server, the statements that set the start
point and point the replica at its source, and what a detach must keep
for a later re-point. Drivers are pure: they read
:class:`~trove_gtid_strategy.state.ServerState` values and return
statements; the strategy and the operations run them.

:func:`plan_attach` is the one place that puts the rules together, so an
attach is decided completely, with every statement built and every
literal checked, before anything is changed.
"""

import dataclasses

from trove_gtid_strategy import capabilities
from trove_gtid_strategy import dialect
from trove_gtid_strategy import exceptions
from trove_gtid_strategy import topology

#: Settings every replicating server must run with, whatever the mode.
_BASE_SETTINGS = {'log_bin': 'ON', 'server_id': 'nonzero'}


@dataclasses.dataclass(frozen=True)
class PromotionPoint:
    """Where a replica stood when it was detached to become a source.

    Without GTIDs nothing else can prove that another replica holds
    exactly what the new source held: the old source's coordinates both
    had applied, and the new source's own binary log position at that
    moment (where the other replicas continue).
    """

    old_source_server_id: int | None
    old_log_file: str
    old_log_pos: int
    log_file: str
    log_pos: int
    #: The GTIDs it held then (a MySQL set or a MariaDB position), where
    #: it has GTIDs.
    gtids: str = ''

    def describe(self):
        return ('old source %s:%d applied, own binary log at %s:%d'
                % (self.old_log_file, self.old_log_pos, self.log_file,
                   self.log_pos))


@dataclasses.dataclass(frozen=True)
class AttachRequest:
    """Everything the caller says about one attach.

    ``seeded``: the replica was restored from a backup whose start point
    is ``seed``; otherwise an existing replica is (re-)pointed and
    ``position`` is the source's position when the request was made
    (with its GTIDs where the source has them).
    """

    source: dialect.SourceAddress
    tls: dialect.Tls = dialect.Tls()
    seeded: bool = False
    seed: object = None
    position: object = None
    promoted_from: PromotionPoint | None = None
    #: The source's user schemas just after ``position`` was read (by its
    #: administrator), where the caller knows them.
    source_schemas: tuple | None = None


@dataclasses.dataclass(frozen=True)
class Classification:
    """A driver's comparison of a replica with its source."""

    verdict: topology.Verdict | None
    errant: str = ''
    missing: str = ''
    problems: tuple = ()
    notes: tuple = ()
    #: Where replication starts, for modes that need coordinates.
    start: object = None
    #: A refusal that a start point in the source's binary log where it
    #: had executed exactly this GTID set would lift (found by reading
    #: the source's logs, which a pure driver cannot).
    resume_from: object = None


@dataclasses.dataclass(frozen=True)
class AttachPlan:
    """What an attach will do, decided before anything changes."""

    mode: object
    result: topology.PrecheckResult
    start: object = None
    #: Run on the replica in order, after its replication is stopped.
    statements: tuple = ()
    #: See :attr:`Classification.resume_from`.
    resume_from: object = None

    @property
    def ok(self):
        return self.result.ok


class ModeDriver:
    """One replication mode's rules. Subclasses set :attr:`mode`."""

    mode = None
    #: What a seed must record for this mode, for error messages.
    seed_needs = ''

    def __repr__(self):
        return '<%s %s>' % (type(self).__name__, self.mode)

    # -- seeds -----------------------------------------------------------
    def seed_usable(self, start):
        """True when a seed's start point has what this mode needs."""
        raise NotImplementedError

    def check_seed(self, start):
        """Return ``start``, or raise InvalidSeed saying what is missing."""
        if start is None:
            raise exceptions.InvalidSeed(
                'the replica was restored from a backup, but no start point '
                'was given (%s mode needs %s)' % (self.mode, self.seed_needs))
        if not self.seed_usable(start):
            raise exceptions.InvalidSeed(
                '%s has no start point usable in %s mode (it needs %s)'
                % (start.describe(), self.mode, self.seed_needs))
        return start

    # -- crash safety ----------------------------------------------------
    def crash_safety_problem(self, caps):
        """Why a replica of ``caps`` cannot be made crash-safe in this
        mode, or None when the rendered settings make it safe.
        """
        return None

    def required_settings(self, role, caps):
        """``{variable: value}`` a running ``role`` server must have.

        Only what replication (or its crash safety) cannot work without:
        a server is restarted when one is missing. ``nonzero`` means any
        value but 0.
        """
        settings = dict(_BASE_SETTINGS)
        if role == 'replica':
            # What it applies goes to its own binary log too: promoted, it
            # serves the others every transaction (MariaDB: without it the
            # GTIDs it applied are in no binary log, and the others look
            # errant to it).
            settings[caps.log_replica_updates_option] = 'ON'
            settings['read_only'] = 'ON'
            if caps.super_read_only:
                # read_only lets SUPER / CONNECTION_ADMIN accounts write:
                # an administrator's write on a replica is errant, and a
                # demoted source restarted for its replica settings would
                # take writes again (seen in a switchover under writes).
                settings['super_read_only'] = 'ON'
            if caps.flavor.is_mysql_family:
                # MySQL replicas recover their relay log from the applied
                # position after a crash only with this (seed 003);
                # MariaDB's GTID mode keeps it in mysql.gtid_slave_pos.
                settings['relay_log_recovery'] = 'ON'
        return settings

    # -- comparing a replica with its source -----------------------------
    def classify(self, source, replica, request):
        """A :class:`Classification` of ``replica`` against ``source``."""
        raise NotImplementedError

    # -- statements ------------------------------------------------------
    def start_statements(self, d, replica, start, seeded):
        """Statements making the replica start where it must."""
        return []

    def change_source(self, d, request, start, connect_retry):
        raise NotImplementedError

    # -- detach ----------------------------------------------------------
    def promotion_point(self, state, own_position):
        """What a detach for a promotion must remember, or None.

        ``own_position`` is the server's ``(file, position)`` with its
        replication threads stopped.
        """
        return None


def plan_attach(driver, source, replica, request, allow_crash_unsafe=False,
                connect_retry=15):
    """Decide an attach completely: checks, start point, statements.

    Pure. A refusal is an :class:`AttachPlan` whose result is not ``ok``;
    a seed without what the mode needs, or a statement that cannot be
    built (a bad literal), raises
    :class:`~trove_gtid_strategy.exceptions.InvalidInput`, also before
    anything changes.
    """
    if request.seeded:
        driver.check_seed(request.seed)
    caps = capabilities.capabilities_for(replica.version)
    problems = topology.common_problems(source, replica)
    notes = []
    unsafe = driver.crash_safety_problem(caps)
    if unsafe and not allow_crash_unsafe:
        problems.append(topology.Problem(
            'crash_unsafe', '%s; to accept that risk, allow it with '
            '--allow-crash-unsafe (allow_crash_unsafe_binlog = True in '
            'Trove)' % unsafe))
    elif unsafe:
        notes.append('not crash-safe, allowed by the operator: %s' % unsafe)
    found = driver.classify(source, replica, request)
    problems += found.problems
    empty = _empty_replica_problem(source, replica, request, found.verdict)
    if empty and 'seed_required' not in [p.code for p in problems]:
        problems.append(empty)
    result = topology.PrecheckResult(
        found.verdict, tuple(problems), str(found.errant or ''),
        str(found.missing or ''), tuple(notes) + tuple(found.notes))
    if not result.ok:
        return AttachPlan(driver.mode, result, resume_from=found.resume_from)
    d = dialect.Dialect(caps)
    statements = list(driver.start_statements(d, replica, found.start,
                                              request.seeded))
    statements.append(driver.change_source(d, request, found.start,
                                           connect_retry))
    return AttachPlan(driver.mode, result, found.start, tuple(statements))


def source_user_schemas(source, request):
    """The source's user schemas: its administrator's view, else what the
    replica context recorded; None when neither is known.
    """
    if source.user_schemas is not None:
        return source.user_schemas
    return request.source_schemas


def _empty_replica_problem(source, replica, request, verdict):
    """An empty replica of a source holding data needs a seed, in every
    mode: data written before the source's binary log was on (or from
    purged logs) is in no log to replay, and GTIDs cannot tell.
    """
    if request.seeded or verdict is not topology.Verdict.NEW or \
            replica.user_schemas:
        return None
    holds = source_user_schemas(source, request)
    if not holds:
        return None
    return topology.Problem(
        'seed_required', 'the replica is empty but the source holds data '
        '(%s), which its binary log may not hold (data written before the '
        'binary log was on never replicates): restore a backup of the '
        'source on the replica and attach with it as the seed'
        % ', '.join(holds))
