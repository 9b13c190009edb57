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

"""MySQL: errant GTIDs reconciled by empty transactions committed on
the source (see :mod:`~trove_gtid_strategy.operations.repair`).
"""

from trove_gtid_strategy.binlog import events as binlog_headers
from trove_gtid_strategy import capabilities
from trove_gtid_strategy import dialect
from trove_gtid_strategy.guest import log_reader
from trove_gtid_strategy.operations.repair import judging


def _single_gtids(gtid_set):
    for uuid in gtid_set.uuids():
        for tag in gtid_set.tags(uuid):
            for start, end in gtid_set.intervals(uuid, tag):
                for number in range(start, end + 1):
                    yield '%s:%s%d' % (uuid, tag + ':' if tag else '',
                                       number)


def _mysql_transactions(replica, state, errant):
    """``{gtid: Transaction}`` of the errant GTIDs found in the replica's
    binary logs, reading only the files whose header says they hold some.
    """
    files = list(state.binlog_files or ())
    previous = [binlog_headers.previous_gtids(log_reader.header(replica, f))
                for f in files]
    found = {}
    for index, log_name in enumerate(files):
        before = previous[index]
        after = (previous[index + 1] if index + 1 < len(files)
                 else state.gtid_executed)
        if before is None or after is None:
            held = errant
        else:
            held = (after - before) & errant
        if not held:
            continue
        for txn in log_reader.transactions(replica, log_name,
                                           lambda g: g in held):
            found.setdefault(txn.gtid, txn)
    return found


def plan(source, replica, src, rep, accept, result):
    if (src.gtid_mode or '').upper() != 'ON' or \
            (rep.gtid_mode or '').upper() != 'ON':
        result.decision = judging.REFUSED
        result.remedy = ('errant transactions are told by GTIDs: both '
                         'servers need gtid_mode = ON (source %s, replica '
                         '%s)' % (src.gtid_mode, rep.gtid_mode))
        return
    errant = rep.gtid_executed - src.gtid_executed
    result.errant = str(errant)
    if not errant:
        result.decision = judging.NOTHING_TO_DO
        return
    if errant.count() > judging.MAX_ERRANT:
        result.decision = judging.REFUSED
        result.remedy = ('%d errant transactions, more than %d to '
                         'reconcile one by one; %s' % (
                             errant.count(), judging.MAX_ERRANT,
                             judging.RESEED))
        return
    found = _mysql_transactions(replica, rep, errant)
    own = judging.own_origin(source, src, rep)
    for gtid in _single_gtids(errant):
        origin = own if gtid.split(':')[0] == rep.server_uuid.lower() \
            else judging.OTHER_SERVER
        item = judging.ErrantTransaction(gtid, origin, '', judging.UNKNOWN)
        judging.judge(item, found.get(gtid), source, replica, accept)
        result.transactions.append(item)
    if judging.refused(result):
        return
    result.decision = judging.REPAIR
    result.method = judging.EMPTY_ON_SOURCE
    d = dialect.Dialect(capabilities.capabilities_for(src.version))
    for item in result.transactions:
        for stmt in d.skip_transaction(item.gtid):
            if stmt.sql != "SET gtid_next = 'AUTOMATIC'":
                result.statements.append({'server': 'source',
                                          'sql': stmt.sql})
    result.statements.append({'server': 'source',
                              'sql': "SET gtid_next = 'AUTOMATIC'"})
    result.notes.append('the empty transactions are binary-logged on the '
                        'source and reach its other replicas as no-ops')
