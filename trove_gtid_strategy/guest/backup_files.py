"""The start point a backup tool left in a restored data directory."""

import os

from trove_gtid_strategy import exceptions
from trove_gtid_strategy import seeding


def read_start_point(datadir):
    """The start point in ``mariadb_backup_binlog_info`` or
    ``xtrabackup_binlog_info`` under ``datadir``; InvalidSeed without one.
    """
    for name in seeding.BINLOG_INFO_FILES:
        path = os.path.join(datadir, name)
        try:
            with open(path, encoding='utf-8', errors='replace') as f:
                return seeding.from_binlog_info(f.read(), path)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise exceptions.InvalidSeed('cannot read %s: %s'
                                         % (path, exc.strerror))
    raise exceptions.InvalidSeed(
        'the replica was restored from a backup but no start point was '
        'found (dataset keys, %s in %s)'
        % (' or '.join(seeding.BINLOG_INFO_FILES), datadir))
