"""The asset targets omk-precommit knows, the base directory each one manages, and its manifest's name.

Kept apart from ``assets`` so that the drift check can name its base directory without
importing the bundled templates (and PyYAML with them).
"""
from __future__ import annotations

KIMI_CLI = 'kimi-cli'
TARGETS = (KIMI_CLI,)
BASE_DIRS = {KIMI_CLI: '.kimi'}
MANIFEST_NAME = 'omk-manifest.json'
