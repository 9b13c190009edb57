"""Version-aware replication strategies for the OpenStack Trove guest agent.

Layout, so a reader finds things from the folder names alone:

* the pure core, importable without a server and doing no I/O:
  ``versions`` (what a server or a label is), ``capabilities`` (what that
  version can do), ``modes`` (binlog-position or GTID, and why),
  ``gtid`` (GTID-set algebra), ``literals`` and ``dialect`` (the SQL a
  version understands), ``rendering`` and ``templates/`` (my.cnf settings),
  ``seeding`` (start points read from backups and dumps) and ``topology``
  (pre-checks of a replica against a source);
* ``strategy``: the classes Trove loads, talking to a server only through
  Trove's ``service`` and ``adm`` objects;
* the edges: ``guest/`` (a PyMySQL stand-in for Trove's service object),
  ``sandbox/`` (local MariaDB servers) and ``cmd/`` (the ``trove-gtid``
  command).
"""
