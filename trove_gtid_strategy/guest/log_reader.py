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

"""Reading a server's binary and relay logs through its service.

``SHOW BINLOG EVENTS`` / ``SHOW RELAYLOG EVENTS`` a page at a time, the
rows parsed by the pure :mod:`trove_gtid_strategy.binlog`. Used
to say what a failed transaction was before skipping it, what each
errant transaction changed before reconciling it, and where a lagging
binlog-position replica resumes.
"""

from trove_gtid_strategy.binlog import events as event_rows
from trove_gtid_strategy.binlog import resume
from trove_gtid_strategy.binlog import transactions as grouping
from trove_gtid_strategy import errcodes
from trove_gtid_strategy.guest import server_state

#: Events read per ``SHOW ... EVENTS`` page.
PAGE = 500
#: At most this many relay log events are read looking for one
#: transaction.
MAX_EVENTS = 200000


def events(service, relay, log_name, pos=None, page=PAGE):
    """Yield the :class:`~trove_gtid_strategy.binlog.events.Event` rows of
    one binary (``relay=False``) or relay log from ``pos``, a page at a
    time (each page starts at the last event read, so the server never
    re-reads).
    """
    start, offset = pos, 0
    while True:
        sql = event_rows.show_events(relay, log_name, start, offset, page)
        found = event_rows.events_from_rows(
            server_state.rows_as_dicts(service.execute_sql(sql)))
        yield from found[:page]
        if len(found) < page or not found:
            return
        start, offset = found[-1].pos, 1


def relay_log_events(service, log_name, pos, max_events=MAX_EVENTS):
    """Yield relay log events from ``log_name``:``pos`` on, continuing in
    the following relay log files until there are none.
    """
    count = 0
    while log_name:
        try:
            for event in events(service, True, log_name, pos):
                count += 1
                if count > max_events:
                    return
                yield event
        except Exception as exc:
            # No such file: the relay logs end here (or, for the first
            # one, are gone: nothing is found, which is refused).
            if (errcodes.error_number(exc)
                    != errcodes.ER_ERROR_WHEN_EXECUTING_COMMAND):
                raise
            return
        log_name, pos = event_rows.next_log_name(log_name), None


def header(service, log_name):
    """The first events of binary log ``log_name`` (its format
    description and previous-GTIDs or GTID-list events).
    """
    sql = event_rows.show_events(False, log_name, None, 0, 4)
    return event_rows.events_from_rows(
        server_state.rows_as_dicts(service.execute_sql(sql)))


def transactions(service, log_name, wanted):
    """Transactions of binary log ``log_name`` whose GTID
    ``wanted(gtid)`` accepts.
    """
    return [txn for txn in grouping.iter_transactions(
        events(service, False, log_name))
        if txn.gtid and wanted(txn.gtid)]


def resume_point(service, binlog_files, held, executed):
    """Where a replica holding ``held`` resumes in the binary logs
    ``binlog_files`` (oldest first) of the MySQL source ``service``
    (:class:`~trove_gtid_strategy.binlog.resume.ResumePoint`), or None.
    ``executed`` is the source's ``gtid_executed``, read before.
    """
    headers = ((name, event_rows.previous_gtids(header(service, name)))
               for name in reversed(binlog_files))
    first = resume.first_file(held, headers)
    if first is None:
        return None
    names = binlog_files[binlog_files.index(first):]
    return resume.resume_point(held, executed, (
        event for name in names for event in events(service, False, name)))
