"""The real clients omk is checked against ("judges") and what a run does when one is missing.

Two judges: kimi-cli 1.52.0 in a cached venv (``testing/kimi_cli.py``) and Kimi Code 2.1.0
from npm in a cached prefix (``testing/kimi_code.py``). In the full tier ``tests/conftest.py``
installs both before the first test and ends the session with one line if either cannot be
installed. In the fast tier every test that needs a missing judge skips from the one call in
``skip_without`` with one reason per judge; tests/conftest.py reports them all from this file, so
pytest's ``-ra`` summary folds them into one line per missing judge.
"""
from __future__ import annotations

from typing import NoReturn

import pytest

from testing.tier import is_full

KIMI_CLI = 'kimi-cli'
KIMI_CODE = 'Kimi Code'
JUDGE_SKIP = ' judge unavailable: '


class JudgeUnavailable(Exception):
    """A judge cannot be installed or run here; the message says why and what to do about it."""


# Which judges ran in this session and on what (judge name -> description), for the summary.
used: dict[str, str] = {}


def skip_without(judge: str, reason: str) -> NoReturn:
    """Skip the calling test (fast tier) or fail it (full tier): ``judge`` cannot be installed."""
    message = f'{judge}{JUDGE_SKIP}{reason}'
    if is_full():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)
