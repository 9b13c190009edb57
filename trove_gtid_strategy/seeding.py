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

"""Where a replica seeded from a backup or dump must start replicating.

A replica restored from a backup holds the source's data up to one point;
replication must start exactly there, or transactions are lost or applied
twice. That point is written by the backup tool, never guessed:

* Trove's snapshot ``dataset`` keys (``log_file``, ``log_position``,
  ``log_executed_gtid_set`` / ``gtid_executed`` / ``gtid_pos``);
* ``xtrabackup_binlog_info`` / ``mariadb_backup_binlog_info``: file,
  position and GTIDs, tab separated (MariaDB 11.1+ writes the second name);
* a mysqldump / mariadb-dump file: ``SET @@GLOBAL.GTID_PURGED=...``,
  ``SET GLOBAL gtid_slave_pos=...`` (newer mariadb-dump writes it at the
  end, MDEV-15393) and ``CHANGE MASTER TO MASTER_LOG_FILE=...`` lines,
  commented out or not.

Pure parsing; reading files is the caller's job.
"""

import dataclasses
import re

from trove_gtid_strategy import exceptions
from trove_gtid_strategy import gtid

BINLOG_INFO_FILES = ('mariadb_backup_binlog_info', 'xtrabackup_binlog_info')


@dataclasses.dataclass(frozen=True)
class StartPoint:
    """A start point; any of its parts may be unknown (None)."""

    origin: str
    log_file: str | None = None
    log_pos: int | None = None
    gtid_set: gtid.GtidSet | None = None
    mariadb_pos: gtid.MariaDBGtidPosition | None = None

    @property
    def has_position(self):
        return self.log_file is not None and self.log_pos is not None

    def describe(self):
        parts = []
        if self.has_position:
            parts.append('%s:%d' % (self.log_file, self.log_pos))
        if self.gtid_set is not None:
            parts.append('GTIDs %s' % (self.gtid_set or "''"))
        if self.mariadb_pos is not None:
            parts.append('GTID position %s' % (self.mariadb_pos or "''"))
        return '%s (%s)' % (', '.join(parts) or 'nothing', self.origin)


_MARIADB_POS = re.compile(r'^\s*\d+-\d+-\d+(\s*,\s*\d+-\d+-\d+)*\s*$',
                          re.ASCII)
#: What servers name binary logs: a base name, a dot, a sequence number.
_BINLOG_FILE = re.compile(r'[A-Za-z0-9_.-]{1,200}\.[0-9]{6,10}\Z', re.ASCII)
_DIGITS = re.compile(r'[0-9]{1,20}\Z', re.ASCII)
#: Binary log offsets are unsigned 64-bit; a real event starts at 4.
MAX_LOG_POSITION = 2 ** 64 - 1


def parse_gtids(text, origin):
    """Read GTID text as a MySQL set or a MariaDB position, by its shape.

    Empty text is a known empty history (a backup of a source that had
    logged no GTID yet), valid as either kind.
    """
    text = (text or '').strip()
    if not text:
        return gtid.GtidSet(), gtid.MariaDBGtidPosition()
    try:
        if _MARIADB_POS.match(text):
            return None, gtid.MariaDBGtidPosition.parse(text)
        return gtid.GtidSet.parse(text), None
    except exceptions.InvalidGtidSet as exc:
        raise exceptions.InvalidSeed('%s: %s' % (origin, exc))


def check_log_file(log_file, origin):
    """``log_file`` if it has the form of a binary log name, else raise
    InvalidSeed: the name ends up in a quoted literal and must match a
    file of the source exactly.
    """
    if not isinstance(log_file, str) or not _BINLOG_FILE.match(log_file):
        raise exceptions.InvalidSeed(
            '%s: %r is not a binary log file name (a base name of letters, '
            'digits, _ . -, a dot and a six-digit or longer number, such as '
            'mysql-bin.000012)' % (origin, log_file))
    return log_file


def _position(log_file, log_pos, origin):
    """A checked ``(file, offset)``: ASCII digits only (``int()`` would
    also take ``١٢٣`` and ``1_000``), within the server's range.
    """
    if isinstance(log_pos, bool):
        pos = None
    elif isinstance(log_pos, int):
        pos = log_pos
    elif isinstance(log_pos, str) and _DIGITS.match(log_pos.strip()):
        pos = int(log_pos.strip())
    else:
        pos = None
    if pos is None:
        raise exceptions.InvalidSeed('%s: binlog position %r is not a '
                                     'number of ASCII digits'
                                     % (origin, log_pos))
    if not 4 <= pos <= MAX_LOG_POSITION:
        raise exceptions.InvalidSeed(
            '%s: binlog position %d is out of range (4 to 2^64-1)'
            % (origin, pos))
    return check_log_file(log_file, origin), pos


def from_dataset(dataset, origin='snapshot dataset'):
    """The start point in Trove's snapshot ``dataset``, or None."""
    dataset = dataset or {}
    log_file = log_pos = gtid_set = mariadb_pos = None
    if dataset.get('log_file') or dataset.get('log_position'):
        log_file, log_pos = _position(dataset.get('log_file'),
                                      dataset.get('log_position'), origin)
    for key in ('log_executed_gtid_set', 'gtid_executed', 'gtid_pos'):
        if dataset.get(key) is not None:
            gtid_set, mariadb_pos = parse_gtids(dataset[key],
                                                '%s %s' % (origin, key))
            break
    if log_file is None and gtid_set is None and mariadb_pos is None:
        return None
    return StartPoint(origin, log_file, log_pos, gtid_set, mariadb_pos)


def from_binlog_info(text, origin):
    """Parse ``xtrabackup_binlog_info`` / ``mariadb_backup_binlog_info``.

    ``FILE<tab>POSITION[<tab>GTIDS]``; a MySQL GTID set may continue on
    the following lines after ``,``.
    """
    # Only line ends are stripped: an empty third field (no GTID logged
    # yet) is a known empty position, not a missing one.
    fields = (text or '').strip('\r\n ').split('\t', 2)
    if len(fields) < 2:
        raise exceptions.InvalidSeed(
            '%s: expected FILE<tab>POSITION[<tab>GTIDS], got %r'
            % (origin, (text or '').strip()[:80]))
    log_file, log_pos = _position(fields[0].strip(), fields[1].strip(),
                                  origin)
    gtid_set = mariadb_pos = None
    if len(fields) == 3:
        gtid_set, mariadb_pos = parse_gtids(fields[2], origin)
    return StartPoint(origin, log_file, log_pos, gtid_set, mariadb_pos)


_DUMP_GTID_PURGED = re.compile(
    r"^SET @@GLOBAL\.GTID_PURGED\s*=\s*(?:/\*!\d+ '\+'\*/\s*)?'([^']*)'",
    re.IGNORECASE)
_DUMP_SLAVE_POS = re.compile(
    r"^(?:--\s*)?SET GLOBAL gtid_slave_pos\s*=\s*'([^']*)'", re.IGNORECASE)
_DUMP_POSITION = re.compile(
    r"^(?:--\s*)?CHANGE (?:MASTER|REPLICATION SOURCE) TO\s+"
    r"(?:MASTER|SOURCE)_LOG_FILE\s*=\s*'([^']*)',\s*"
    r"(?:MASTER|SOURCE)_LOG_POS\s*=\s*(\S+?)\s*;?\s*$", re.IGNORECASE)


def from_dump(lines, origin):
    """Scan a dump (an iterable of lines) for its start point.

    The whole dump is scanned, because mariadb-dump writes the GTID
    position after the data. A MySQL ``GTID_PURGED`` value can span lines.
    """
    log_file = log_pos = gtid_text = None
    pending = None
    for line in lines:
        if pending is not None:
            pending += line
            if "'" in line:
                gtid_text, pending = pending.split("'", 1)[0], None
            continue
        if not line.startswith(('SET', 'CHANGE', '--')):
            continue
        line = line.rstrip('\n')
        match = _DUMP_POSITION.match(line)
        if match:
            log_file, log_pos = _position(match[1], match[2], origin)
            continue
        match = (_DUMP_GTID_PURGED.match(line)
                 or _DUMP_SLAVE_POS.match(line))
        if match:
            gtid_text = match[1]
            continue
        start = re.match(r"^SET @@GLOBAL\.GTID_PURGED\s*=.*?'([^']*)$",
                         line, re.IGNORECASE)
        if start:
            pending = start[1] + '\n'
    if pending is not None:
        raise exceptions.InvalidSeed('%s: GTID_PURGED value is not '
                                     'terminated' % origin)
    if log_file is None and gtid_text is None:
        raise exceptions.InvalidSeed(
            '%s: no start point found: dump with --master-data=2 (and '
            '--gtid for MariaDB, or with GTIDs on for MySQL)' % origin)
    gtid_set = mariadb_pos = None
    if gtid_text is not None:
        gtid_set, mariadb_pos = parse_gtids(gtid_text, origin)
    return StartPoint(origin, log_file, log_pos, gtid_set, mariadb_pos)


def parse_seed_text(text, origin):
    """A binlog-info file or a dump, told apart by shape."""
    first = (text or '').lstrip().split('\n', 1)[0]
    if '\t' in first and not first.startswith(('--', '/*')):
        return from_binlog_info(text, origin)
    return from_dump(text.splitlines(keepends=True), origin)


def to_dataset(start):
    """A Trove-style snapshot ``dataset`` dict holding ``start``."""
    dataset = {}
    if start.has_position:
        dataset.update(log_file=start.log_file, log_position=start.log_pos)
    if start.gtid_set is not None:
        dataset['log_executed_gtid_set'] = str(start.gtid_set)
    if start.mariadb_pos is not None:
        dataset['gtid_pos'] = str(start.mariadb_pos)
    return dataset
