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

"""What one replica holds when its source is gone: pure facts.

A :class:`Holding` is built on the replica (:func:`holding_of`, from its
:class:`~trove_gtid_strategy.state.ServerState`) and judged where the
choice is made (:mod:`~trove_gtid_strategy.decisions.election`); Trove's
guest sends it to the taskmanager over RPC as :meth:`Holding.to_dict`,
so a guest of another version must be understood (:meth:`from_dict`:
what it does not send stays unknown).
"""

import dataclasses

from trove_gtid_strategy.decisions import lineage
from trove_gtid_strategy import exceptions
from trove_gtid_strategy import flavors
from trove_gtid_strategy import gtid as gtid_sets
from trove_gtid_strategy import topology


@dataclasses.dataclass(frozen=True)
class Holding:
    """What one replica holds when its source is gone.

    ``received``: every complete transaction it holds once its relay log
    is applied (MySQL: its executed set; MariaDB: per domain, the later
    of its applied and binary log positions); None without GTIDs.
    ``own``: the transactions of its own ``server_uuid``. ``binlog_state``:
    MariaDB's last GTID per (domain, server), which tells whose
    transaction a sequence number is. ``coords``: without GTIDs, the
    ``(file, position)`` of the old source it applied up to.
    ``purged`` (MySQL: its ``gtid_purged``) and ``searched`` (MariaDB:
    ``(gtid, found, where)`` of the GTIDs looked for in its binary logs)
    say whether it can serve the others once promoted
    (:mod:`~trove_gtid_strategy.decisions.fitness`); a guest that does
    not send them leaves them unknown (None, empty).
    """

    name: str
    received: object = None
    own: object = None
    binlog_state: tuple = ()
    server_id: int = 0
    coords: tuple = ()
    #: Its I/O thread still received from its source when it reported:
    #: the source is alive as this replica sees it.
    receiving: bool = False
    #: MySQL: its ``gtid_purged`` (None: not known).
    purged: object = None
    #: MariaDB: ``(MariaDBGtid, found, where)`` of the GTIDs looked for
    #: in its binary logs, ``where`` saying in which file or why not.
    searched: tuple = ()
    #: MySQL: its own ``server_uuid`` ('' not known).
    server_uuid: str = ''
    #: Its source as configured where it ever connected (MySQL:
    #: ``Source_UUID``; MariaDB: ``Master_Server_Id``): names the lost
    #: source (:mod:`~trove_gtid_strategy.decisions.lineage`); '' and
    #: None when not known, as from an older guest.
    source_uuid: str = ''
    source_server_id: int | None = None

    def to_dict(self):
        """Plain JSON types, as a guest returns it over RPC."""
        flavor = ('mysql' if isinstance(self.received, gtid_sets.GtidSet)
                  else 'mariadb' if isinstance(
                      self.received, gtid_sets.MariaDBGtidPosition)
                  else None)
        return {'name': self.name, 'flavor': flavor,
                'received': None if self.received is None
                else str(self.received),
                'own': None if self.own is None else str(self.own),
                'binlog_state': [str(g) for g in self.binlog_state],
                'server_id': self.server_id,
                'coords': list(self.coords), 'receiving': self.receiving,
                'purged': None if self.purged is None
                else str(self.purged),
                'searched': [[str(g), found, where]
                             for g, found, where in self.searched],
                'server_uuid': self.server_uuid,
                'source_uuid': self.source_uuid,
                'source_server_id': self.source_server_id}

    @classmethod
    def from_dict(cls, facts):
        """The inverse of :meth:`to_dict`; anything malformed raises
        :class:`~trove_gtid_strategy.exceptions.InvalidInput` naming the
        field (a guest is another process, perhaps another version).
        """
        if not isinstance(facts, dict):
            raise exceptions.InvalidInput(
                'replica facts must be a mapping, not %s'
                % type(facts).__name__)
        name = facts.get('name')
        if not isinstance(name, str) or not name:
            raise exceptions.InvalidInput('replica facts without a name')
        try:
            flavor = flavors.named(facts.get('flavor'))
            received = own = None
            if facts.get('received') is not None and flavor.style:
                received = flavor.parse_received(facts['received'])
            if facts.get('own') is not None:
                own = flavor.parse_own(facts['own'])
            binlog_state = tuple(gtid_sets.MariaDBGtid.parse(g)
                                 for g in facts.get('binlog_state') or ())
            coords = tuple(facts.get('coords') or ())
            if coords and (len(coords) != 2 or not isinstance(
                    coords[0], str) or type(coords[1]) is not int):
                raise ValueError('coords must be [file, position], not %r'
                                 % (list(coords),))
            server_id = facts.get('server_id', 0)
            if type(server_id) is not int:
                raise ValueError('server_id must be an integer, not %r'
                                 % (server_id,))
            purged = None
            if facts.get('purged') is not None:
                purged = flavor.parse_purged(facts['purged'])
            searched = tuple(_searched_item(item)
                             for item in facts.get('searched') or ())
            identity = _identity(facts)
        except (ValueError, TypeError) as exc:
            raise exceptions.InvalidInput('%s: %s' % (name, exc))
        receiving = facts.get('receiving', False)
        if type(receiving) is not bool:
            raise exceptions.InvalidInput('%s: receiving must be true or '
                                          'false, not %r' % (name, receiving))
        return cls(name, received, own, binlog_state, server_id, coords,
                   receiving, purged, searched, **identity)


def _identity(facts):
    """``server_uuid``, ``source_uuid`` and ``source_server_id`` sent by
    another process; absent (an older guest) is unknown.
    """
    found = {}
    for key in ('server_uuid', 'source_uuid'):
        value = facts.get(key) or ''
        if not isinstance(value, str):
            raise ValueError('%s must be text, not %r' % (key, value))
        found[key] = value.lower()
    source_server_id = facts.get('source_server_id')
    if source_server_id is not None and type(source_server_id) is not int:
        raise ValueError('source_server_id must be an integer, not %r'
                         % (source_server_id,))
    found['source_server_id'] = source_server_id
    return found


def _searched_item(item):
    """One ``[gtid, found, where]`` of :attr:`Holding.searched` sent by
    another process.
    """
    if not isinstance(item, (list, tuple)) or len(item) != 3 or \
            type(item[1]) is not bool or not isinstance(item[2], str):
        raise ValueError('searched must hold [gtid, found, where], not %r'
                         % (item,))
    return (gtid_sets.MariaDBGtid.parse(item[0]), item[1], item[2])


def holding_of(name, state):
    """The :class:`Holding` of a replica from its
    :class:`~trove_gtid_strategy.state.ServerState`, read after it
    applied its relay log (a transaction fetched only in part is never
    applied, so only what it applied counts).
    """
    own = received = purged = None
    uuid = state.server_uuid.lower()
    if state.gtid_executed is not None and state.has_gtids:
        received = state.gtid_executed
        purged = state.gtid_purged
        own = lineage.of_origin(received, uuid)
    elif state.gtid_binlog_pos is not None:
        received = topology.mariadb_resume_position(state)
    status = state.replica
    coords = ()
    if status is not None and status.exec_log_file:
        coords = tuple(status.exec_coordinates)
    return Holding(name=name, received=received, own=own,
                   binlog_state=state.gtid_binlog_state,
                   server_id=state.server_id, coords=coords,
                   receiving=status is not None
                   and status.io_running == 'Yes', purged=purged,
                   server_uuid=uuid,
                   source_uuid=status.source_uuid.lower() if status else '',
                   # MariaDB shows 0 until the replica first connected.
                   source_server_id=(status.source_server_id or None)
                   if status else None)
