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

"""tools/provision-server-lines: roots come from the machine's own apt
sources (or an explicit mirror), and the repository names no mirror host.
"""

import importlib.machinery
import importlib.util
import os
import re
import subprocess

import pytest

TOP = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir)
TOOL = os.path.join(TOP, 'tools', 'provision-server-lines')


@pytest.fixture(scope='module')
def tool():
    loader = importlib.machinery.SourceFileLoader('provision_tool', TOOL)
    spec = importlib.util.spec_from_loader('provision_tool', loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def no_mirror_env(monkeypatch):
    monkeypatch.delenv('TROVE_GTID_MIRROR', raising=False)


def test_one_line_sources(tool, tmp_path):
    (tmp_path / 'sources.list').write_text(
        '# a comment\n'
        'deb [arch=amd64 signed-by=/k.gpg] http://mirror.example/debian/ '
        'bookworm main\n')
    assert tool.debian_mirror(sources=[str(tmp_path / 'sources.list')]) \
        == 'http://mirror.example/debian'


def test_deb822_sources_in_a_directory(tool, tmp_path):
    listed = tmp_path / 'sources.list.d'
    listed.mkdir()
    (listed / 'other.sources').write_text(
        'Types: deb\nURIs: https://deb.nodesource.example/node_20.x\n')
    (listed / 'debian.sources').write_text(
        'Types: deb\nURIs: http://local.example/debian\n'
        'Suites: bookworm\nComponents: main\n')
    (listed / 'debian.sources.disabled').write_text(
        'Types: deb\nURIs: http://disabled.example/debian\n')
    assert tool.debian_mirror(sources=[str(tmp_path / 'missing.list'),
                                       str(listed)]) \
        == 'http://local.example/debian'


def test_explicit_mirror_wins(tool, tmp_path, monkeypatch):
    assert tool.debian_mirror('http://given.example/debian/',
                              sources=[]) == 'http://given.example/debian'
    monkeypatch.setenv('TROVE_GTID_MIRROR', 'http://env.example/debian')
    assert tool.debian_mirror(sources=[]) == 'http://env.example/debian'


def test_no_archive_found_names_the_remedy(tool, tmp_path):
    (tmp_path / 'sources.list').write_text('deb http://x.example/ubuntu '
                                           'noble main\n')
    with pytest.raises(tool.Failed, match='give one with --mirror URI'):
        tool.debian_mirror(sources=[str(tmp_path / 'sources.list')])


def test_repository_names_no_package_mirror_host():
    listed = subprocess.run(['git', 'ls-files'], cwd=TOP, check=True,
                            capture_output=True, text=True).stdout.split()
    mirror = re.compile(r'(deb|ftp|httpredir|archive|security)\.debian\.org'
                        r'|mirrors?\.[a-z0-9.-]+/debian|pypi\.org/simple')
    found = []
    for name in listed:
        path = os.path.join(TOP, name)
        if not os.path.isfile(path):
            continue
        with open(path, encoding='utf-8', errors='replace') as f:
            for number, text in enumerate(f, 1):
                if mirror.search(text) and 'test_provisioning.py' not in name:
                    found.append('%s:%d' % (name, number))
    assert found == []
