"""Operations on real servers, as library functions.

Each takes service objects (never opens connections itself) and a
strategy, decides with the pure core, and changes servers only once the
decision is made. The ``trove-gtid`` commands call these; a Trove
taskmanager flow can call the same decisions.
"""
