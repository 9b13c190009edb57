"""Edge: the ``trove-gtid`` command."""
