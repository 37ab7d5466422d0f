"""Test tiers: how many examples and trials a run spends, from one environment variable.

``OMK_TEST_TIER=fast`` (the default, ``./scripts/test``) runs every test with fewer hypothesis
examples and fewer random crash and race trials, and skips a test whose real judge cannot be
installed. ``OMK_TEST_TIER=full`` (``./scripts/test --full``, what CI runs) uses the full counts
and requires every judge. Deterministic tests run the same in both tiers.
"""
from __future__ import annotations

import os

TIER_VAR = 'OMK_TEST_TIER'
TIERS = ('fast', 'full')


def tier() -> str:
    """The tier named by ``OMK_TEST_TIER`` (``fast`` when unset; validated in tests/conftest.py)."""
    return os.environ.get(TIER_VAR, 'fast') or 'fast'


def is_full() -> bool:
    return tier() == 'full'


def per_tier(*, full: int, fast: int) -> int:
    """How many examples or trials this tier runs: ``full`` in CI, ``fast`` by default."""
    return full if is_full() else fast
