"""Local MariaDB servers, as plain processes, for trying and testing.

A sandbox is a source and N replicas listening on 127.0.0.1, each a
``mariadbd`` process started from its own ``my.cnf``. The sandbox only
creates, starts and stops servers: replication is set up by other code,
through SQL and through override files dropped in each server's
``conf.d/`` directory (read at the next restart).

Everything lives in :mod:`trove_gtid_strategy.sandbox.servers`::

    from trove_gtid_strategy.sandbox import servers

    box = servers.Sandbox('/tmp/tg-demo')
    source, replica1 = box.up(replicas=1)
    ...
    box.down(remove=True)

See that module for the directory layout, the admin account and the
template cache that makes ``up`` take seconds.
"""
