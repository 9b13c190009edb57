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

"""Sparse datadir copies (sandbox/sparse.py): the same bytes, fewer
blocks written.
"""

import os
import random
import stat

import pytest

from trove_gtid_strategy.sandbox import sparse

BLOCK = sparse.BLOCK


def _write(path, chunks, mode=0o640):
    """A file of ``chunks``: bytes, or an int for that many zero bytes
    written as zeros (not a hole).
    """
    with open(path, 'wb') as f:
        for chunk in chunks:
            f.write(bytes(chunk) if isinstance(chunk, int) else chunk)
    os.chmod(path, mode)


def _read(path):
    with open(path, 'rb') as f:
        return f.read()


def _allocated(path):
    return os.stat(path).st_blocks * 512


def _holes_supported(directory):
    probe = os.path.join(directory, 'probe')
    with open(probe, 'wb') as f:
        f.truncate(1 << 20)
    supported = _allocated(probe) < (1 << 20)
    os.unlink(probe)
    return supported


@pytest.fixture
def tree(tmp_path):
    if not _holes_supported(str(tmp_path)):
        pytest.fail('%s keeps no holes: these tests need a file system '
                    'that does (ext4, xfs, tmpfs, btrfs)' % tmp_path)
    src = tmp_path / 'src'
    (src / 'sub').mkdir(parents=True)
    rng = random.Random(7)
    data = bytes(rng.getrandbits(8) for _ in range(3 * BLOCK + 100))
    # Zeros at the start, between data, at the end; a tail shorter than
    # a block; an empty file; a zero byte inside a data block.
    _write(src / 'ibdata1', [8 * BLOCK, data[:BLOCK], 4 * BLOCK,
                             data[BLOCK:2 * BLOCK] + b'\0' * 10,
                             16 * BLOCK + 5])
    _write(src / 'sub' / 'undo_001', [data, 32 * BLOCK], mode=0o600)
    _write(src / 'empty', [])
    _write(src / 'zeros', [10 * BLOCK])
    os.symlink('ibdata1', src / 'link')
    return src


def test_dig_holes_keeps_bytes_and_modes_and_frees_zero_blocks(tree):
    before = {p: (_read(tree / p), stat.S_IMODE(os.stat(tree / p).st_mode))
              for p in ('ibdata1', 'sub/undo_001', 'empty', 'zeros')}
    allocated = _allocated(tree / 'ibdata1')
    sparse.dig_holes(str(tree))
    for path, (content, mode) in before.items():
        assert _read(tree / path) == content, path
        assert stat.S_IMODE(os.stat(tree / path).st_mode) == mode, path
    # Two data blocks (one with its zero bytes) and a partial tail
    # remain of 30-odd blocks.
    assert _allocated(tree / 'ibdata1') <= 3 * BLOCK < allocated
    assert _allocated(tree / 'zeros') == 0
    assert os.readlink(tree / 'link') == 'ibdata1'
    assert sorted(os.listdir(tree)) == ['empty', 'ibdata1', 'link', 'sub',
                                        'zeros']


def test_copy_tree_copies_data_and_keeps_holes(tree, tmp_path):
    sparse.dig_holes(str(tree))
    dst = tmp_path / 'dst'
    sparse.copy_tree(str(tree), str(dst))
    for path in ('ibdata1', 'sub/undo_001', 'empty', 'zeros'):
        assert _read(dst / path) == _read(tree / path), path
        assert (stat.S_IMODE(os.stat(dst / path).st_mode)
                == stat.S_IMODE(os.stat(tree / path).st_mode)), path
        assert _allocated(dst / path) <= _allocated(tree / path), path
    assert os.readlink(dst / 'link') == 'ibdata1'


def test_copy_of_a_file_without_holes_is_whole(tmp_path):
    src, dst = tmp_path / 'full', tmp_path / 'copy'
    content = bytes(range(256)) * 1000
    _write(src, [content, 3 * BLOCK])
    sparse.copy_file(str(src), str(dst))
    assert _read(dst) == content + bytes(3 * BLOCK)


def test_copy_file_never_overwrites(tmp_path):
    src, dst = tmp_path / 'a', tmp_path / 'b'
    _write(src, [b'new'])
    _write(dst, [b'old'])
    with pytest.raises(FileExistsError):
        sparse.copy_file(str(src), str(dst))
    assert _read(dst) == b'old'
