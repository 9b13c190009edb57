"""Edge: reading and changing real servers.

``inspect`` reads a server's state through a Trove-style service object
(Trove's own inside the guest agent, or ours); ``service`` is our PyMySQL
stand-in for Trove's service and admin objects; ``source`` reaches the
source from a replica, as its replication thread will.
"""
