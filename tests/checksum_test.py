from __future__ import annotations

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omk_precommit.engine import checksum
from omk_precommit.engine.checksum import Fingerprint, compute_checksum, fingerprint, fnv1a_64_pure, is_identical
from testing.tier import per_tier

# Published FNV-1a 64-bit test vectors (Fowler/Noll/Vo reference test suite).
KNOWN_VECTORS = [
    (b'', 'cbf29ce484222325'),
    (b'a', 'af63dc4c8601ec8c'),
    (b'foobar', '85944171f73967e8'),
]


@pytest.mark.parametrize(('data', 'expected'), KNOWN_VECTORS)
def test_pure_fnv1a_64_matches_known_vectors(data: bytes, expected: str) -> None:
    assert f'{fnv1a_64_pure(data):016x}' == expected


@pytest.mark.parametrize(('data', 'expected'), KNOWN_VECTORS)
def test_compute_checksum_matches_known_vectors(data: bytes, expected: str) -> None:
    assert compute_checksum(data) == expected
    assert compute_checksum(data.decode()) == expected


@pytest.mark.skipif(sys.version_info < (3, 10), reason='fnv-c is a dependency from Python 3.10 on')
def test_checksums_run_at_c_speed_where_fnv_c_is_a_dependency() -> None:
    # A silent fallback to the pure loop would make a cold check of 10,000 files ~60x slower.
    assert checksum.fnv1a_64 is not fnv1a_64_pure


@settings(max_examples=per_tier(full=300, fast=50), deadline=None)
@given(st.binary(max_size=2048))
def test_fast_and_pure_fnv1a_64_agree(data: bytes) -> None:
    assert checksum.fnv1a_64(data) == fnv1a_64_pure(data)


def test_fingerprint_of_lf_text_has_no_lf_checksum() -> None:
    assert fingerprint(b'a\nb\n') == Fingerprint(compute_checksum(b'a\nb\n'), None)


def test_fingerprint_of_crlf_text_also_matches_its_lf_checksum() -> None:
    fp = fingerprint(b'a\r\nb\r\n')
    assert fp.matches(compute_checksum(b'a\r\nb\r\n'))
    assert fp.matches(compute_checksum(b'a\nb\n'))
    assert not fp.matches(compute_checksum(b'a\nc\n'))


def test_fingerprint_with_a_lone_cr_is_not_normalised() -> None:
    assert fingerprint(b'a\rb').lf_checksum is None


def test_fingerprint_matches_a_null_checksum() -> None:
    assert fingerprint(b'anything').matches(None)


def test_compute_checksum_of_str_is_checksum_of_utf8_bytes() -> None:
    assert compute_checksum('héllo') == compute_checksum('héllo'.encode())


def test_is_identical_compares_bytes_and_treats_missing_as_different(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / 'f'
    assert not is_identical(path, 'x')
    path.write_bytes(b'x\r\n')
    assert is_identical(path, b'x\r\n')
    assert not is_identical(path, 'x\n')
