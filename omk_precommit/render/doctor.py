"""The doctor report; kept for the callers of 0.1's module name (``render/findings.py`` renders it)."""
from __future__ import annotations

from omk_precommit.render.findings import render as render
