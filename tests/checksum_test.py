from __future__ import annotations

import pytest

from omk_precommit.checksum import compute_checksum, fnv1a_64_pure, is_identical

# Published FNV-1a 64-bit test vectors (Fowler/Noll/Vo reference test suite).
VECTORS = [
    (b'', 'cbf29ce484222325'),
    (b'a', 'af63dc4c8601ec8c'),
    (b'foobar', '85944171f73967e8'),
]


@pytest.mark.parametrize(('data', 'expected'), VECTORS)
def test_compute_checksum_matches_fnv1a_64_vectors(data, expected):
    assert compute_checksum(data) == expected
    assert f'{fnv1a_64_pure(data):016x}' == expected


def test_compute_checksum_of_str_is_checksum_of_utf8_bytes():
    assert compute_checksum('héllo') == compute_checksum('héllo'.encode())


def test_is_identical_compares_bytes_and_treats_missing_as_different(tmp_path):
    path = tmp_path / 'f'
    assert not is_identical(path, 'x')
    path.write_bytes(b'x\r\n')
    assert is_identical(path, b'x\r\n')
    assert not is_identical(path, 'x\n')
