"""FNV-1a 64-bit checksums, the manifest's drift fingerprint (omk 0.5.0 compatible)."""
from __future__ import annotations

from pathlib import Path

FNV_OFFSET_BASIS = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3
_MASK = 0xFFFFFFFFFFFFFFFF


def fnv1a_64_pure(data: bytes) -> int:
    """Reference FNV-1a 64 in pure Python: slow, but always available."""
    h = FNV_OFFSET_BASIS
    for byte in data:
        h = ((h ^ byte) * FNV_PRIME) & _MASK
    return h


fnv1a_64 = fnv1a_64_pure


def compute_checksum(data: bytes | str) -> str:
    """Return the FNV-1a 64 of ``data`` as 16 lowercase hex digits."""
    if isinstance(data, str):
        data = data.encode()
    return f'{fnv1a_64(data):016x}'


def is_identical(path: Path, content: bytes | str) -> bool:
    """True when the file at ``path`` holds exactly ``content`` (missing files differ)."""
    if isinstance(content, str):
        content = content.encode()
    try:
        return path.read_bytes() == content
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return False


def normalize_eol(data: bytes) -> bytes:
    """Turn CRLF into LF, the conversion git's autocrlf/eol settings apply on checkout."""
    return data.replace(b'\r\n', b'\n')
