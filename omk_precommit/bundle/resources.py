"""Read the bundled template files shipped as package data under ``omk_precommit/assets``."""
from __future__ import annotations

import functools
from pathlib import Path

ASSETS_DIR = Path(__file__).with_name('data')


@functools.cache
def asset_bytes(rel: str) -> bytes:
    """The bytes of the bundled file ``assets/<rel>``."""
    return (ASSETS_DIR / rel).read_bytes()


def asset_text(rel: str) -> str:
    return asset_bytes(rel).decode()


def asset_names(rel_dir: str) -> list[str]:
    """Sorted names of the entries in the bundled directory ``assets/<rel_dir>``."""
    return sorted(p.name for p in (ASSETS_DIR / rel_dir).iterdir())
