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

"""Sandbox ports: chosen outside the ephemeral range, reserved per sandbox.

The choice is tested against given ranges; the reservations against a
private directory, with sandboxes faked by their state files.
"""

import json
import os
import socket

import pytest

from trove_gtid_strategy import exceptions
from trove_gtid_strategy.sandbox import ports
from trove_gtid_strategy.sandbox import state as state_mod


def test_usable_leaves_out_the_ephemeral_range():
    assert ports.usable((100, 110), (105, 200)) == [100, 101, 102, 103,
                                                    104]
    assert ports.usable((100, 104), (1, 99)) == [100, 101, 102, 103, 104]
    assert ports.usable((32000, 33000), (32768, 60999))[-1] == 32767
    assert ports.usable((40000, 41000), (32768, 60999)) == []


def test_choose_skips_unavailable_and_names_the_range_when_short():
    assert ports.choose(3, [1, 2, 3, 4, 5], {2, 3}) == [1, 4, 5]
    with pytest.raises(exceptions.SandboxError,
                       match=r'only 1 of the 2 .*between 7 and 8.*'
                             r'TROVE_GTID_PORT_RANGE'):
        ports.choose(2, [7, 8], {7})
    with pytest.raises(exceptions.SandboxError, match=r'\(empty, less'):
        ports.choose(1, [], ())


@pytest.mark.parametrize('text', ['', '20000', '2-1', 'a-b', '100-200',
                                  '30000-70000', '30000-20000'])
def test_bad_range_is_named(text):
    with pytest.raises(exceptions.InvalidInput, match='LOW-HIGH'):
        ports.parse_range(text, 'TROVE_GTID_PORT_RANGE')


def test_configured_range_from_the_environment():
    assert ports.configured_range({}) == ports.DEFAULT_RANGE
    assert ports.configured_range(
        {ports.RANGE_ENV: '21000-21009'}) == (21000, 21009)


def test_default_range_is_outside_linux_default_ephemeral_range():
    usable = ports.usable(ports.DEFAULT_RANGE, ports.DEFAULT_EPHEMERAL)
    assert len(usable) == ports.DEFAULT_RANGE[1] - ports.DEFAULT_RANGE[0] + 1


def test_ephemeral_range_read_from_the_kernel_file(tmp_path):
    path = tmp_path / 'range'
    path.write_text('40000\t50000\n')
    assert ports.ephemeral_range(str(path)) == (40000, 50000)
    assert ports.ephemeral_range(str(tmp_path / 'none')) == \
        ports.DEFAULT_EPHEMERAL


def _free_block(count):
    """``count`` consecutive ports nobody listens on, below 32768."""
    for low in range(24000, 32000, 50):
        block = range(low, low + count)
        if all(_bindable(port) for port in block):
            return low, low + count - 1
    pytest.fail('no free block of %d ports' % count)


def _bindable(port):
    sock = socket.socket()
    try:
        sock.bind(('127.0.0.1', port))
        return True
    except OSError:
        return False
    finally:
        sock.close()


def _sandbox(base_dir, reserved):
    """A fake sandbox: a state file recording ``reserved``."""
    os.makedirs(base_dir, exist_ok=True)
    state_mod.StateFile(base_dir).write(
        {'servers': [{'name': 's%d' % i, 'port': port}
                     for i, port in enumerate(reserved)]})


@pytest.fixture
def block():
    return _free_block(8)


def test_two_sandboxes_never_get_the_same_port(tmp_path, block):
    reservations = ports.Reservations(str(tmp_path / 'ports'))
    first, second = str(tmp_path / 'a'), str(tmp_path / 'b')
    with reservations.locked():
        got_a = reservations.claim_new(first, 3, block, (1, 2))
        _sandbox(first, got_a)
    with reservations.locked():
        got_b = reservations.claim_new(second, 3, block, (1, 2))
        _sandbox(second, got_b)
    assert got_a == list(range(block[0], block[0] + 3))
    assert got_b == list(range(block[0] + 3, block[0] + 6))
    # Held while the sandbox records them, even with no server running.
    assert reservations.owner(got_a[0]) == first


def test_a_listening_port_is_never_chosen(tmp_path, block):
    reservations = ports.Reservations(str(tmp_path / 'ports'))
    listener = socket.socket()
    listener.bind(('127.0.0.1', block[0]))
    listener.listen()
    try:
        with reservations.locked():
            got = reservations.claim_new(str(tmp_path / 'a'), 2, block,
                                         (1, 2))
    finally:
        listener.close()
    assert block[0] not in got


def test_a_removed_sandbox_gives_its_ports_back(tmp_path, block):
    reservations = ports.Reservations(str(tmp_path / 'ports'))
    gone, kept = str(tmp_path / 'gone'), str(tmp_path / 'kept')
    with reservations.locked():
        _sandbox(gone, reservations.claim_new(gone, 2, block, (1, 2)))
    # Deleted without `down --remove`: the reservation is stale.
    os.unlink(os.path.join(gone, state_mod.STATE_FILE))
    with reservations.locked():
        got = reservations.claim_new(kept, 2, block, (1, 2))
    assert got == [block[0], block[0] + 1]
    # Released by the owner: the files go.
    _sandbox(kept, got)
    reservations.release(kept)
    assert [n for n in os.listdir(reservations.directory)
            if n.isdigit()] == []


def test_a_port_the_sandbox_no_longer_records_is_free(tmp_path, block):
    reservations = ports.Reservations(str(tmp_path / 'ports'))
    base = str(tmp_path / 'a')
    with reservations.locked():
        got = reservations.claim_new(base, 2, block, (1, 2))
    _sandbox(base, got[1:])
    with reservations.locked():
        assert reservations.owner(got[0]) is None
        assert reservations.owner(got[1]) == base


def test_an_existing_sandbox_port_reserved_by_another_is_named(
        tmp_path, block):
    reservations = ports.Reservations(str(tmp_path / 'ports'))
    holder, other = str(tmp_path / 'holder'), str(tmp_path / 'other')
    with reservations.locked():
        _sandbox(holder, reservations.claim_new(holder, 1, block, (1, 2)))
        with pytest.raises(exceptions.SandboxError,
                           match='replica1: its port %d is reserved by the '
                                 'sandbox in %s' % (block[0], holder)):
            reservations.claim_existing(other, [('replica1', block[0])])


def test_an_existing_sandbox_port_someone_listens_on_names_the_pid(
        tmp_path, block):
    reservations = ports.Reservations(str(tmp_path / 'ports'))
    listener = socket.socket()
    listener.bind(('127.0.0.1', block[0]))
    listener.listen()
    try:
        with reservations.locked():
            with pytest.raises(exceptions.SandboxError,
                               match=r'source: its port %d is taken by '
                                     r'pid %d \(' % (block[0], os.getpid())):
                reservations.claim_existing(str(tmp_path / 'a'),
                                            [('source', block[0])])
    finally:
        listener.close()


def test_a_garbled_reservation_is_stale(tmp_path, block):
    reservations = ports.Reservations(str(tmp_path / 'ports'))
    with reservations.locked():
        with open(os.path.join(reservations.directory, str(block[0])),
                  'w') as f:
            f.write('not json')
        assert reservations.owner(block[0]) is None
        with open(os.path.join(reservations.directory, str(block[1])),
                  'w') as f:
            json.dump({'base_dir': str(tmp_path / 'missing')}, f)
        assert reservations.owner(block[1]) is None
