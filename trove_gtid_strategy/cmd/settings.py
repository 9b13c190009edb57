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

"""The application's own options checked before a command runs: the
oslo.config files of ``--config-file`` (every value read at once, so a
bad one is bad input naming the file) and ``--log-file``.
"""

import contextlib
import io
import os
import re

from oslo_config import cfg

from trove_gtid_strategy import exceptions
from trove_gtid_strategy import opts

# How oslo.config names where a bad value came from.
_LOCATION = re.compile(r"from LocationInfo\(location=<[^>]*>, "
                       r"detail='([^']*)'\)")


def load_config(conf, paths, project):
    """Load the ``--config-file`` files into ``conf`` (the command's own
    ``ConfigOpts``, options registered) and check every value in them
    now (oslo.config checks a value only when it is read): bad input,
    naming the file, before any server is contacted.
    """
    for path in paths:
        if not path or not os.path.isfile(path):
            raise exceptions.ConfigError(
                '--config-file %r: not a file' % path)
    said = io.StringIO()
    try:
        with contextlib.redirect_stderr(said):
            conf([], project=project, default_config_files=paths)
            for group, options in opts.list_opts():
                for opt in options:
                    getattr(conf[group], opt.dest)
            for opt in ('debug', 'log_file', 'use_stderr'):
                getattr(conf, opt)
    except SystemExit:
        # oslo's argparse rejected a value from a file (``debug = maybe``),
        # saying why on stderr.
        raise exceptions.ConfigError('--config-file: %s' % (
            ' '.join(said.getvalue().split()) or 'a value is not valid'))
    except (cfg.Error, OSError, ValueError) as exc:
        # UnicodeDecodeError is a ValueError: a file that is not UTF-8.
        raise exceptions.ConfigError('--config-file: %s' % _LOCATION.sub(
            r'in \1', str(exc))) from None


def check_log_file(path):
    if path is None:
        return
    directory = os.path.dirname(os.path.abspath(path)) if path else ''
    if not path or os.path.isdir(path) or not os.path.isdir(directory):
        raise exceptions.InvalidInput(
            '--log-file %r: not a file in an existing directory' % path)
