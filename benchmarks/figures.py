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

"""What the per-line benchmarks share: their common flags and how a
measure's runs are summarised.
"""

import argparse
import json
import statistics

from machine import machine
from trove_gtid_strategy.sandbox import lines


def summary(values):
    """``{min, median, max, runs}`` of the runs that measured something
    (None: a run that could not), or None when none did.
    """
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {'min': round(min(values), 3),
            'median': round(statistics.median(values), 3),
            'max': round(max(values), 3), 'runs': len(values)}


def line_parser(description, runs_help):
    """A parser with ``--lines``, ``--runs`` and ``--json``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('--lines', nargs='+', default=lines.names(),
                        help='server lines (default: all)')
    parser.add_argument('--runs', type=int, default=3,
                        help='runs per %s (default: 3)' % runs_help)
    parser.add_argument('--json', metavar='FILE',
                        help='also write the figures as JSON')
    return parser


def new_report(**fields):
    """A report starting with the machine it ran on, which is printed."""
    report = dict({'machine': machine()}, **fields)
    print('machine: %(cpu)s, %(cores)s cores, %(memory_gib)s GiB'
          % report['machine'])
    return report


def write_json(path, report):
    """``report`` as JSON to ``path`` (``--json``), when one was given."""
    if path:
        with open(path, 'w') as f:
            json.dump(report, f, indent=2)
