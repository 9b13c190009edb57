"""Argument types shared by the ``trove-gtid`` commands."""

import argparse

from trove_gtid_strategy import dsn
from trove_gtid_strategy import exceptions


def dsn_argument(text):
    """argparse type: a DSN, with our message (naming the bad part)."""
    try:
        return dsn.parse_dsn(text)
    except exceptions.InvalidDSN as exc:
        raise argparse.ArgumentTypeError(str(exc))
