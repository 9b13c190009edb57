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

"""What each server version can do: the one place that knows.

Every other module asks :func:`capabilities_for` instead of comparing
version numbers itself, so a fact about a version is written (and cited)
once. Versions come from :mod:`trove_gtid_strategy.versions`; thresholds
are from the MySQL Reference Manual (5.5 to 9.x) and the MariaDB Knowledge
Base, cited next to each rule.

Series-level thresholds: GTIDs appeared in development milestones (MySQL
5.6.5, MariaDB 10.0.2) before the series went GA (5.6.10, 10.0.10); we
treat the whole 5.6 and 10.0 series as GTID-capable only from those
releases, and on a live server the strategy also requires the GTID
variables to exist before it uses them.
"""

import dataclasses

from trove_gtid_strategy.versions import Flavor


@dataclasses.dataclass(frozen=True)
class Capabilities:
    """Replication facts for one server version.

    Statement keywords are stored as the exact words to send, so the SQL
    dialect never needs a version comparison of its own.
    """

    version: object
    #: 'mysql' (uuid:n sets), 'mariadb' (domain-server-seq) or None.
    gtid_style: str | None
    #: MySQL 8.3+: ``uuid:tag:n``.
    tagged_gtids: bool
    #: ``SET GLOBAL gtid_purged = '+set'`` appends (MySQL 8.0.3+).
    gtid_purged_append: bool
    #: ``CHANGE REPLICATION SOURCE TO`` + ``SOURCE_*`` option names.
    change_source: str
    option_prefix: str
    #: ``START REPLICA`` / ``STOP REPLICA`` / ``RESET REPLICA`` word.
    replica_word: str
    show_replica_status: str
    show_source_status: str
    reset_binary_logs: str
    #: function waiting for a replica to apply GTIDs; None without GTIDs.
    gtid_wait_function: str | None
    #: function waiting for a binlog file/position.
    position_wait_function: str
    log_replica_updates_option: str
    relay_log_info_repository: bool
    #: ``GET_MASTER_PUBLIC_KEY`` / ``GET_SOURCE_PUBLIC_KEY`` or None.
    public_key_option: str | None
    #: ``enforce_gtid_consistency`` (MySQL 5.6.9+).
    enforce_gtid_consistency: bool
    #: ``binlog_expire_logs_seconds`` (8.0.1+) or ``expire_logs_days``.
    binlog_expiry_option: str
    #: Replication privilege words for the replication user.
    replication_privileges: tuple
    #: ``sql_slave_skip_counter`` or ``sql_replica_skip_counter``.
    skip_counter_variable: str
    #: ``DROP USER IF EXISTS`` (MySQL 5.7.8+, MariaDB 10.1.3+).
    drop_user_if_exists: bool
    #: Longest account name the server stores.
    max_user_name_length: int
    #: Longest ``MASTER_PASSWORD`` / ``SOURCE_PASSWORD``, in UTF-8 bytes
    #: (MySQL 9.7 refuses 34 bytes that are 29 characters).
    max_replication_password_length: int
    #: ``ALTER USER ... REQUIRE`` (MySQL 5.7.6+, MariaDB 10.2.0+); before,
    #: ``GRANT USAGE ... REQUIRE`` sets an account's TLS requirement.
    alter_user_require: bool
    #: The server binlogs ``IDENTIFIED BY 'password'`` as written, so a
    #: password must be sent as its ``mysql_native_password`` hash.
    password_hash_literal: bool
    #: ``super_read_only`` (MySQL 5.7.8+): read-only even for SUPER.
    super_read_only: bool
    #: Privileges (as ``SHOW GRANTS`` and ``information_schema`` name
    #: them) that let an account write through ``read_only``, where no
    #: ``super_read_only`` stops them; () where it does.
    read_only_bypass: tuple
    #: ``ALTER USER ... ACCOUNT LOCK`` and roles, with which a fence keeps
    #: such accounts out and marks the ones it locked (MariaDB 10.4.2+).
    lockable_fence: bool
    #: Lossless semi-synchronous replication variable prefixes on a
    #: source and a replica (``rpl_semi_sync_source``...), None without.
    semi_sync_source: str | None
    semi_sync_replica: str | None
    #: ``(plugin name, library)`` of the source and replica plugins, or ()
    #: where semi-sync is built in (MariaDB 10.3.3+).
    semi_sync_plugins: tuple
    #: ``performance_schema.replication_applier_status_by_worker`` with
    #: each worker's last error (MySQL 5.7.2+; filled even with
    #: ``performance_schema = OFF``, seen on 9.7).
    worker_error_table: bool = False

    @property
    def gtid(self):
        return self.gtid_style is not None

    @property
    def flavor(self):
        return self.version.flavor


def capabilities_for(version):
    """The :class:`Capabilities` of a :class:`ServerVersion`."""
    if version.flavor is Flavor.MARIADB:
        return _mariadb(version)
    return _mysql(version)


def _mysql(v):
    # GTID replication: 5.6.5 (MySQL 5.6 manual, "Replication with Global
    # Transaction Identifiers"; production-ready from 5.6.10 GA). Before
    # 5.6.9 enforce_gtid_consistency was called
    # disable-gtid-unsafe-statements, so 5.6.0-5.6.9 get binlog mode.
    gtid = v.at_least(5, 6, 10) or (v.at_least(5, 6) and not v.exact)
    # CHANGE REPLICATION SOURCE TO and SOURCE_* options: 8.0.23; START /
    # STOP / RESET REPLICA and SHOW REPLICA STATUS: 8.0.22 (8.0 release
    # notes, "Replication" terminology changes). MySQL 8.4.0 removed the
    # MASTER/SLAVE forms (8.4 manual, "What Is New in MySQL 8.4").
    new_change = v.at_least(8, 0, 23)
    new_replica = v.at_least(8, 0, 22)
    # RESET BINARY LOGS AND GTIDS and SHOW BINARY LOG STATUS: 8.2.0; the
    # old RESET MASTER / SHOW MASTER STATUS were removed in 8.4.0.
    binary_logs_words = v.at_least(8, 2)
    if v.at_least(5, 7, 5):
        # WAIT_FOR_EXECUTED_GTID_SET(): 5.7.5. The older
        # WAIT_UNTIL_SQL_THREAD_AFTER_GTIDS() was removed in 8.3.0.
        gtid_wait = 'WAIT_FOR_EXECUTED_GTID_SET'
    elif gtid:
        gtid_wait = 'WAIT_UNTIL_SQL_THREAD_AFTER_GTIDS'
    else:
        gtid_wait = None
    if new_change:
        public_key = 'GET_SOURCE_PUBLIC_KEY'
    elif v.at_least(8, 0, 4):
        # caching_sha2_password became the default in 8.0.4; without TLS
        # the replica must ask for the source's RSA public key. The option
        # is not in 5.7's CHANGE MASTER syntax.
        public_key = 'GET_MASTER_PUBLIC_KEY'
    else:
        public_key = None
    return Capabilities(
        version=v,
        gtid_style='mysql' if gtid else None,
        # Tagged GTIDs: 8.3.0 (8.4 manual, "GTID Format and Storage").
        tagged_gtids=v.at_least(8, 3),
        # gtid_purged '+' appends: 8.0.3 (8.0 manual, gtid_purged).
        gtid_purged_append=v.at_least(8, 0, 3),
        change_source=('CHANGE REPLICATION SOURCE TO' if new_change
                       else 'CHANGE MASTER TO'),
        option_prefix='SOURCE_' if new_change else 'MASTER_',
        replica_word='REPLICA' if new_replica else 'SLAVE',
        show_replica_status=('SHOW REPLICA STATUS' if new_replica
                             else 'SHOW SLAVE STATUS'),
        show_source_status=('SHOW BINARY LOG STATUS' if binary_logs_words
                            else 'SHOW MASTER STATUS'),
        reset_binary_logs=('RESET BINARY LOGS AND GTIDS'
                           if binary_logs_words else 'RESET MASTER'),
        gtid_wait_function=gtid_wait,
        # SOURCE_POS_WAIT(): 8.0.26; MASTER_POS_WAIT() stays as a
        # deprecated alias (still in the 8.4 and 9.x manuals).
        position_wait_function=('SOURCE_POS_WAIT' if v.at_least(8, 0, 26)
                                else 'MASTER_POS_WAIT'),
        # log_replica_updates: 8.0.26 (log_slave_updates remains a
        # deprecated alias).
        log_replica_updates_option=('log_replica_updates'
                                    if v.at_least(8, 0, 26)
                                    else 'log_slave_updates'),
        # relay_log_info_repository / master_info_repository: 5.6.2 to
        # 8.2; deprecated in 8.0.23, removed in 8.3.0 ("Option and Variable
        # Changes for MySQL 8.3"): TABLE is the only behaviour left, and
        # Trove's replica template, which sets it, stops 8.3+ from starting.
        relay_log_info_repository=(v.at_least(5, 6, 2)
                                   and not v.at_least(8, 3)),
        public_key_option=public_key,
        enforce_gtid_consistency=gtid,
        # binlog_expire_logs_seconds: 8.0.1; expire_logs_days was removed
        # in 8.2.0 ("Option and Variable Changes for MySQL 8.2").
        binlog_expiry_option=('binlog_expire_logs_seconds'
                              if v.at_least(8, 0, 1) else 'expire_logs_days'),
        # REPLICATION SLAVE reads the binlog; REPLICATION CLIENT lets the
        # replication user list the source's binary logs (SHOW BINARY LOGS)
        # for the purged-binlog pre-check.
        replication_privileges=('REPLICATION SLAVE', 'REPLICATION CLIENT'),
        # sql_replica_skip_counter: 8.0.26, with the other renamed options.
        skip_counter_variable=('sql_replica_skip_counter'
                               if v.at_least(8, 0, 26)
                               else 'sql_slave_skip_counter'),
        drop_user_if_exists=v.at_least(5, 7, 8),
        # User names grew from 16 to 32 characters in 5.7.8 (5.7 release
        # notes, "mysql.user User column").
        max_user_name_length=32 if v.at_least(5, 7, 8) else 16,
        # Error 3056 ("exceeds the maximum length of 32 characters"),
        # seen on 9.7; the 5.x manuals give the same limit.
        max_replication_password_length=32,
        # From 5.7.6 the server rewrites CREATE USER / ALTER USER to the
        # hash form in the binary log ("Passwords and Logging"); before,
        # IDENTIFIED BY PASSWORD '*hash' keeps the password out of it.
        password_hash_literal=not v.at_least(5, 7, 6),
        # ALTER USER took account options in 5.7.6 (5.7 manual, ALTER
        # USER).
        alter_user_require=v.at_least(5, 7, 6),
        super_read_only=v.at_least(5, 7, 8),
        # Before super_read_only, SUPER wrote through read_only.
        read_only_bypass=() if v.at_least(5, 7, 8) else ('SUPER',),
        # Account locking arrived in 5.7.6, roles in 8.0: by then
        # super_read_only fences every account.
        lockable_fence=False,
        # Semi-sync plugins; lossless (the AFTER_SYNC wait point) from
        # 5.7.2; renamed semisync_source/replica with rpl_semi_sync_source_*
        # variables in 8.0.26 ("Semisynchronous Replication").
        semi_sync_source=('rpl_semi_sync_source' if v.at_least(8, 0, 26)
                          else 'rpl_semi_sync_master'
                          if v.at_least(5, 7, 2) else None),
        semi_sync_replica=('rpl_semi_sync_replica' if v.at_least(8, 0, 26)
                           else 'rpl_semi_sync_slave'
                           if v.at_least(5, 7, 2) else None),
        semi_sync_plugins=(
            (('rpl_semi_sync_source', 'semisync_source.so'),
             ('rpl_semi_sync_replica', 'semisync_replica.so'))
            if v.at_least(8, 0, 26) else
            (('rpl_semi_sync_master', 'semisync_master.so'),
             ('rpl_semi_sync_slave', 'semisync_slave.so'))
            if v.at_least(5, 7, 2) else ()),
        # Per-worker errors: the table arrived in 5.7.2 (5.7 manual,
        # "replication_applier_status_by_worker").
        worker_error_table=v.at_least(5, 7, 2),
    )


def _mariadb(v):
    # GTID: MariaDB 10.0.2 (KB "Global Transaction ID"); GA 10.0.10.
    gtid = v.at_least(10, 0, 10) or (v.at_least(10, 0) and not v.exact)
    # START/STOP/RESET REPLICA and SHOW REPLICA STATUS: aliases since
    # 10.5.1 (KB "START REPLICA"); CHANGE MASTER TO is still the only form.
    new_replica = v.at_least(10, 5, 1)
    return Capabilities(
        version=v,
        gtid_style='mariadb' if gtid else None,
        tagged_gtids=False,
        gtid_purged_append=False,
        change_source='CHANGE MASTER TO',
        option_prefix='MASTER_',
        replica_word='REPLICA' if new_replica else 'SLAVE',
        show_replica_status=('SHOW REPLICA STATUS' if new_replica
                             else 'SHOW SLAVE STATUS'),
        # SHOW BINLOG STATUS alias: 10.5.2; SHOW MASTER STATUS still works.
        show_source_status='SHOW MASTER STATUS',
        reset_binary_logs='RESET MASTER',
        # MASTER_GTID_WAIT(): 10.0.9 (KB "MASTER_GTID_WAIT").
        gtid_wait_function='MASTER_GTID_WAIT' if gtid else None,
        position_wait_function='MASTER_POS_WAIT',
        # log_replica_updates alias: 10.5.1; log_slave_updates still read.
        log_replica_updates_option='log_slave_updates',
        # MariaDB never had relay_log_info_repository (KB "Replication and
        # Binary Log System Variables"); crash safety in GTID mode comes
        # from the transactional mysql.gtid_slave_pos table.
        relay_log_info_repository=False,
        public_key_option=None,
        enforce_gtid_consistency=False,
        binlog_expiry_option=('binlog_expire_logs_seconds'
                              if v.at_least(10, 6, 1) else 'expire_logs_days'),
        # The replication user also reads the source's binary log list for
        # the purged-binlog pre-check: BINLOG MONITOR since 10.5.2 (KB
        # "GRANT"), REPLICATION CLIENT before.
        replication_privileges=(
            ('REPLICATION SLAVE', 'BINLOG MONITOR') if v.at_least(10, 5, 2)
            else ('REPLICATION SLAVE', 'REPLICATION CLIENT')),
        skip_counter_variable='sql_slave_skip_counter',
        drop_user_if_exists=v.at_least(10, 1, 3),
        # 80 characters since 10.0 (KB "mysql.user Table"); 16 before.
        max_user_name_length=80 if v.at_least(10, 0) else 16,
        # Error 1470 above 96 characters (seen on 10.11).
        max_replication_password_length=96,
        # MariaDB binlogs CREATE USER ... IDENTIFIED BY 'password' as
        # written: send the mysql_native_password hash instead.
        password_hash_literal=True,
        # ALTER USER: 10.2.0 (KB "ALTER USER").
        alter_user_require=v.at_least(10, 2),
        super_read_only=False,
        # READ ONLY ADMIN split from SUPER in 10.5.2 (SUPER still included
        # it); 10.11.0 took it out of SUPER (MDEV-29596; seen on 10.11.19:
        # a SUPER-only account is refused by read_only, READ_ONLY ADMIN
        # and ALL PRIVILEGES write through it).
        read_only_bypass=(('READ_ONLY ADMIN',) if v.at_least(10, 11)
                          else ('SUPER', 'READ_ONLY ADMIN')
                          if v.at_least(10, 5, 2) else ('SUPER',)),
        # ALTER USER ... ACCOUNT LOCK: 10.4.2 (KB "Account Locking");
        # roles: 10.0.5.
        lockable_fence=v.at_least(10, 4, 2),
        # Built into the server from 10.3.3 (KB "Semisynchronous
        # Replication"); the variables keep the master/slave words.
        semi_sync_source=('rpl_semi_sync_master' if v.at_least(10, 3, 3)
                          else None),
        semi_sync_replica=('rpl_semi_sync_slave' if v.at_least(10, 3, 3)
                           else None),
        semi_sync_plugins=(),
    )
