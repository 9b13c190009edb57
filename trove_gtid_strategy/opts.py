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

"""Every configuration option of trove_gtid_strategy, declared in one place.

Inside Trove these are read from the guest agent's configuration
(``trove-guestagent.conf``, group ``[trove_gtid_strategy]``); the
``trove-gtid`` command reads the same options from ``--config-file``.
``oslo-config-generator`` finds them through :func:`list_opts`.
"""

from oslo_config import cfg

GROUP = 'trove_gtid_strategy'

replication_opts = [
    cfg.StrOpt('replication_mode', default='auto',
               choices=[('auto', 'binlog-position below MySQL 5.6, GTID '
                                 'from 5.6 on, MariaDB GTID on MariaDB'),
                        ('binlog', 'binary log file and position on every '
                                   'version'),
                        ('gtid', 'GTID replication; refused on servers '
                                 'without GTIDs (MySQL 5.5)')],
               help='How replicas find their place in the source\'s binary '
                    'log. The mode is chosen from the version the server '
                    'reports, never from the datastore version label.'),
    cfg.StrOpt('template_dir',
               help='Directory searched before the packaged templates for '
                    '<flavor>/<major.minor>/<mode>/<role>.cnf.j2, '
                    '<flavor>/<major>/<mode>/<role>.cnf.j2 and '
                    '<flavor>/<mode>/<role>.cnf.j2, where role is '
                    'replica_source or replica.'),
    cfg.StrOpt('binlog_format', default='ROW', choices=['ROW', 'MIXED'],
               help='Binary log format written on sources. STATEMENT is '
                    'not offered: it is unsafe with GTID consistency '
                    'enforcement and with non-deterministic statements.'),
    cfg.IntOpt('connect_retry', default=15, min=1,
               help='Seconds a replica waits between attempts to reach '
                    'its source (MASTER_CONNECT_RETRY).'),
    cfg.IntOpt('replica_start_timeout', default=120, min=1,
               help='Seconds to wait for both replication threads to run '
                    'after an attach before failing with the server\'s '
                    'last I/O and SQL errors.'),
    cfg.IntOpt('catch_up_timeout', default=600, min=1,
               help='Seconds to wait for a replica to apply a given '
                    'position or GTID set.'),
    cfg.FloatOpt('poll_interval', default=0.5, min=0.05,
                 help='Seconds between two polls of replication state '
                      'while waiting.'),
    cfg.StrOpt('replication_user_prefix', default='repl_',
               help='Prefix of the per-replica replication account names. '
                    'A digest of what identifies the replica follows, so '
                    'a repeated attach reuses its account; `trove-gtid '
                    'accounts` lists the accounts with this prefix.'),
    cfg.StrOpt('replication_account_host',
               help='Host pattern of the replication accounts created on a '
                    'source: an address, a name or a pattern such as '
                    '10.0.0.%; % admits every address and is used only '
                    'when given here by name. Unset: trove-gtid binds each '
                    'account to the address its replica connects from as '
                    'the source sees it (learned when trove-gtid runs on '
                    'the replica\'s host, else the attach is refused '
                    'asking for this option); Trove\'s flow does not say '
                    'which replica asks for an account, so there unset '
                    'keeps %.'),
    cfg.StrOpt('replication_durability', default='async',
               choices=[('async', 'a commit returns once it is in the '
                                  'source\'s binary log'),
                        ('semi_sync', 'lossless semi-synchronous: a '
                                      'commit returns once a replica has '
                                      'it in its relay log (AFTER_SYNC), '
                                      'until semi_sync_timeout_ms passes')],
               help='What a commit on the source waits for. With '
                    'semi_sync, a failover to the most advanced replica '
                    'keeps every commit acknowledged while the source ran '
                    'semi-synchronously; after semi_sync_timeout_ms '
                    'without an acknowledgement the source falls back to '
                    'asynchronous and that guarantee is gone until a '
                    'replica catches up.'),
    cfg.IntOpt('semi_sync_timeout_ms', default=10000, min=1,
               help='Milliseconds a commit waits for a replica\'s '
                    'acknowledgement before the source falls back to '
                    'asynchronous replication. 10 s rides out a replica '
                    'restart; the application sees a stall, not an error, '
                    'and status reports the fallback.'),
    cfg.BoolOpt('allow_crash_unsafe_binlog', default=False,
                help='Allow binlog-position replication on servers that '
                     'keep the applier position in a file (MariaDB, MySQL '
                     'before 5.6.2): a replica killed under writes there '
                     'can apply a transaction twice or skip one. The '
                     'choice is logged at every attach.'),
]

# Read by the guest managers of trove_gtid_strategy.trove.guest, the one
# place Trove's promote and eject wait on a guest: each wait must end,
# with its reason, before Trove's RPC gives up (agent_call_high_timeout,
# 180 s by default), or the guest keeps waiting behind a failed task.
trove_opts = [
    cfg.IntOpt('txn_wait_timeout', default=120, min=1,
               help='Seconds a promotion candidate may take to apply '
                    'what the fenced source wrote (Trove\'s wait_for_txn); '
                    'past it the promotion fails and the old source is '
                    'unfenced. Keep it under agent_call_high_timeout.'),
    cfg.IntOpt('drain_timeout', default=60, min=1,
               help='Seconds a replica of a lost source may take to lose '
                    'it (its I/O thread stops receiving) and, again, to '
                    'apply its relay log, before it reports what it holds '
                    'for an eject (Trove\'s get_last_txn). Keep twice it '
                    'under agent_call_high_timeout.'),
]


def register_opts(conf):
    conf.register_opts(replication_opts + trove_opts, group=GROUP)


def list_opts():
    """Entry point for oslo-config-generator (``oslo.config.opts``)."""
    return [(GROUP, replication_opts + trove_opts)]
