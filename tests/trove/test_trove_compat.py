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

"""The pieces of our adapter that copy Trove's behaviour, against Trove's.

* ``coerce_version`` reads a datastore version label as Trove's version
  switch does (``semantic_version.Version.coerce``, installed with Trove).
* ``trove_backoff_poll`` waits as Trove's ``utils.poll_until`` (oslo's
  BackOffLoopingCall): checked against oslo's own idle-time function.
"""

import pytest
import semantic_version

import trove_compat
import trove_support

trove_support.trove()


@pytest.mark.parametrize('label', [
    '9.7.4', '8.4', '8.0.36', '5.7.29', '8', '10.11.6-MariaDB', '11.8.9',
    '8.4.0-rc', '8.4.0+build', '8.4.0.1', '8.4.3-1ubuntu', 'mysql-5.5',
    'MySQL 5.5', '', 'percona-5.7', None])
def test_coerce_version_is_semantic_version(label):
    try:
        expected = semantic_version.Version.coerce(label)
    except Exception as exc:
        with pytest.raises(type(exc)):
            trove_compat.coerce_version(label)
        return
    found = trove_compat.coerce_version(label)
    assert found[:3] == (expected.major, expected.minor, expected.patch)
    assert bool(found[3]) == (not expected.prerelease)
    for bound in ('8.4.0', '10.11.6', '9.7.4'):
        wanted = semantic_version.Version(bound)
        bound_tuple = (wanted.major, wanted.minor, wanted.patch, 1)
        assert (found >= bound_tuple) == (expected >= wanted), \
            bound


class FixedRandom:
    """Gaussian jitter pinned to its mean, so both schedules are exact."""

    def gauss(self, mu, sigma):
        return mu


def oslo_idles(sleep_time, time_out, count):
    """The waits oslo's BackOffLoopingCall computes after failed checks,
    taken from its own _idle_for (start() builds it; run it without a
    thread by capturing it).
    """
    from oslo_service.backend._common import loopingcall as common
    from oslo_service import loopingcall
    captured = {}

    class Capture(loopingcall.BackOffLoopingCall):
        def _start(self, idle_for, initial_delay=None,
                   stop_on_exception=True):
            captured['idle_for'] = idle_for

    call = Capture(f=lambda: None)
    call._RNG = FixedRandom()
    call.start(starting_interval=sleep_time, max_interval=30,
               timeout=time_out)
    idles = []
    for _ in range(count):
        try:
            idles.append(captured['idle_for'](None, 0))
        except common.LoopingCallTimeOut:
            idles.append('timeout')
            break
    return idles


def test_backoff_schedule_is_oslo_s():
    slept = []
    checks = []

    def check():
        checks.append(1)
        return False

    with pytest.raises(TimeoutError):
        trove_compat.trove_backoff_poll(check, sleep_time=3, time_out=180,
                                        sleep=slept.append,
                                        rng=FixedRandom())
    expected = oslo_idles(3, 180, 50)
    assert expected[-1] == 'timeout'
    assert slept == pytest.approx(expected[:-1])
    # The first check is at once; one more check after each wait.
    assert len(checks) == len(slept) + 1


def test_backoff_returns_on_success():
    slept = []
    answers = iter([False, False, True])
    assert trove_compat.trove_backoff_poll(lambda: next(answers),
                                           sleep=slept.append,
                                           rng=FixedRandom()) == 3
    assert slept == pytest.approx(oslo_idles(3, 180, 2))
