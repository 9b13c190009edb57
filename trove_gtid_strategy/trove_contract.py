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

"""Trove's dictionaries, read and built in one place.

Trove passes plain dicts between its taskmanager and guests: the
snapshot a new replica is attached with (``master_info``), the replica
context of a re-point (``{'master', 'replica_conf'}``), the position in
``replica_conf['log_position']``. Everything in them is checked here,
completely, before a server is contacted, so a bad value is an
:class:`~trove_gtid_strategy.exceptions.InvalidInput` naming the key and
never a half-done attach. Pure.
"""

from trove_gtid_strategy import accounts
from trove_gtid_strategy import dialect
from trove_gtid_strategy import exceptions
from trove_gtid_strategy.modes import base
from trove_gtid_strategy import seeding

_SSL_MODES = ('disabled', 'preferred', 'required', 'verify_ca',
              'verify_identity')


def _bad(key, message, *args):
    return exceptions.InvalidInput('master_info %s: %s'
                                   % (key, message % args))


def _host(value, key):
    if not isinstance(value, str) or not value.strip():
        raise _bad(key, 'expected a host name or address, got %r', value)
    if any(c.isspace() or ord(c) < 32 for c in value):
        raise _bad(key, 'host %r contains blanks or control characters',
                   value)
    return value


def _port(value, key):
    if isinstance(value, bool) or not (
            isinstance(value, int) or (isinstance(value, str)
                                       and value.isascii()
                                       and value.isdigit())):
        raise _bad(key, 'port must be a whole number, not %r', value)
    port = int(value)
    if not 1 <= port <= 65535:
        raise _bad(key, 'port %d is out of range 1-65535', port)
    return port


def read_tls(master_info):
    """TLS for the replication connection from Trove's ``ssl_mode`` and
    ``cert_container`` (Trove 2026+), explicitly off without them.
    """
    mode = master_info.get('ssl_mode')
    if not mode or not master_info.get('cert_container'):
        return dialect.Tls()
    mode = str(mode).lower()
    if mode not in _SSL_MODES:
        raise _bad('ssl_mode', '%r is not one of %s', mode,
                   ', '.join(_SSL_MODES))
    if mode == 'disabled':
        return dialect.Tls()
    return dialect.Tls(
        enabled=True,
        verify_server_cert=mode in ('verify_ca', 'verify_identity'),
        verify_identity=mode == 'verify_identity',
        ca=master_info.get('ssl_ca') or '',
        cert=master_info.get('ssl_cert') or '',
        key=master_info.get('ssl_key') or '')


def read_promotion_point(position):
    """The :class:`PromotionPoint` a new source recorded, or None."""
    point = (position or {}).get('promoted_from')
    if not point:
        return None
    key = 'replica_conf log_position promoted_from'
    if not isinstance(point, dict):
        raise _bad(key, 'expected a dict, got %r', point)
    old = seeding.from_dataset({'log_file': point.get('old_log_file'),
                                'log_position': point.get('old_log_pos')},
                               key + ' old_log_file/old_log_pos')
    own = seeding.from_dataset({'log_file': point.get('log_file'),
                                'log_position': point.get('log_pos')},
                               key + ' log_file/log_pos')
    if old is None or own is None:
        raise _bad(key, 'needs old_log_file, old_log_pos, log_file and '
                   'log_pos')
    server_id = point.get('old_source_server_id')
    if server_id is not None:
        server_id = _server_id(server_id, key)
    return base.PromotionPoint(server_id, old.log_file, old.log_pos,
                               own.log_file, own.log_pos,
                               str(point.get('gtids') or ''))


def _server_id(value, key):
    if isinstance(value, bool) or not isinstance(value, int) \
            or not 0 <= value < 2 ** 32:
        raise _bad(key, 'old_source_server_id must be 0..2^32-1, not %r',
                   value)
    return value


def read_master_info(master_info, caps=None):
    """An :class:`~trove_gtid_strategy.modes.base.AttachRequest` from the
    dict Trove passes to ``enable_as_slave``.

    ``seed`` is None for a seeded replica whose start point is not in the
    dataset keys; the caller then reads the backup's info file.
    """
    if not isinstance(master_info, dict):
        raise exceptions.InvalidInput('master_info must be a dict, not %s'
                                      % type(master_info).__name__)
    master = master_info.get('master')
    if not isinstance(master, dict):
        raise _bad('master', 'expected {"host": ..., "port": ...}, got %r',
                   master)
    replica_conf = master_info.get('replica_conf') or {}
    user = replica_conf.get('replication_user') or {}
    if not isinstance(user, dict) or not user.get('name'):
        raise _bad('replica_conf replication_user',
                   'expected {"name": ..., "password": ...}')
    name = accounts.check_user_name(user['name'], caps)
    password = accounts.check_password(user.get('password') or '', caps)
    source = dialect.SourceAddress(
        host=_host(master.get('host'), 'master host'),
        port=_port(master.get('port'), 'master port'),
        user=name, password=password)
    seeded = 'dataset' in master_info
    seed = None
    if seeded:
        dataset = master_info['dataset']
        if dataset is not None and not isinstance(dataset, dict):
            raise _bad('dataset', 'expected a dict, got %r', dataset)
        seed = seeding.from_dataset(dataset)
    position = replica_conf.get('log_position')
    if position is not None and not isinstance(position, dict):
        raise _bad('replica_conf log_position', 'expected a dict, got %r',
                   position)
    return base.AttachRequest(
        source=source, tls=read_tls(master_info), seeded=seeded, seed=seed,
        position=seeding.from_dataset(position, 'replica_conf log_position'),
        promoted_from=read_promotion_point(position),
        source_schemas=_schemas(position))


def _schemas(position):
    schemas = (position or {}).get('source_schemas')
    if schemas is None:
        return None
    if not isinstance(schemas, (list, tuple)) or not all(
            isinstance(name, str) for name in schemas):
        raise _bad('replica_conf log_position source_schemas',
                   'expected a list of schema names, got %r', schemas)
    return tuple(schemas)


def position_dict(log_file, log_pos, gtids=None, mariadb_pos=None,
                  promoted_from=None, source_schemas=None):
    """``replica_conf['log_position']`` as Trove stores it, with what we
    add: the GTIDs at the coordinates, the source's user schemas, the
    promotion point.
    """
    position = {'log_file': log_file, 'log_position': log_pos}
    if source_schemas is not None:
        position['source_schemas'] = list(source_schemas)
    if gtids is not None:
        position['gtid_executed'] = str(gtids)
    if mariadb_pos is not None:
        position['gtid_pos'] = str(mariadb_pos)
    if promoted_from is not None:
        position['promoted_from'] = {
            'old_source_server_id': promoted_from.old_source_server_id,
            'old_log_file': promoted_from.old_log_file,
            'old_log_pos': promoted_from.old_log_pos,
            'log_file': promoted_from.log_file,
            'log_pos': promoted_from.log_pos,
            'gtids': promoted_from.gtids,
        }
    return position


def replica_context(master_ref, position, user):
    """What ``get_replica_context`` returns and ``enable_as_slave`` reads
    back: where the source is, where it stood, the account to use.
    """
    return {'master': dict(master_ref),
            'replica_conf': {'log_position': position,
                             'replication_user': dict(user)}}
