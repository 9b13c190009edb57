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

"""A sandbox session ends when the server has ended its side: MySQL's
shutdown sleeps 2 s for a connection thread still ending when it is
signalled (the sandbox signals right after its last query).
"""

import socket
import threading

from trove_gtid_strategy.sandbox import process


def test_returns_once_the_peer_closes_with_data_still_unread():
    ours, server = socket.socketpair()
    released = threading.Event()

    def end_connection():
        server.sendall(b'x' * 100000)   # an answer nobody reads
        released.wait()
        server.close()

    ender = threading.Thread(target=end_connection)
    ender.start()
    try:
        waiting = threading.Thread(
            target=process._until_closed_by_peer, args=(ours, 30))
        waiting.start()
        waiting.join(0.2)
        assert waiting.is_alive()   # the server has not ended its side
        released.set()
        waiting.join(30)
        assert not waiting.is_alive()
    finally:
        released.set()
        ender.join()
        ours.close()


def test_gives_up_at_its_bound_when_the_peer_never_closes():
    ours, server = socket.socketpair()
    with ours, server:
        process._until_closed_by_peer(ours, 0.05)
        # Still open on the server's side: nothing was read as an end.
        server.sendall(b'still here')
        assert ours.recv(64) == b'still here'
