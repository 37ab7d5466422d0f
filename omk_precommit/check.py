"""``check``: the manifest drift check behind the ``omk-check`` hook."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omk_precommit.assets import BASE_DIRS, KIMI_CLI
from omk_precommit.gitutil import ignored_paths
from omk_precommit.manifest import AssetManifest, Drift


@dataclass(frozen=True)
class CheckResult:
    """Drifted managed files, and the drifted ones skipped because git ignores them."""

    drifted: list[Drift] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    managed: int = 0
    manifest_missing: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            'drifted': [{'path': d.path, 'state': d.state.value} for d in self.drifted],
            'skipped': self.skipped,
            'managed': self.managed,
            'manifest_missing': self.manifest_missing,
        }


def check_drift(root: Path, *, target: str = KIMI_CLI) -> CheckResult:
    """Compare every managed file with its recorded checksum; git-ignored paths are skipped."""
    manifest = AssetManifest.load(root, BASE_DIRS[target])
    if manifest is None:
        return CheckResult(manifest_missing=True)
    drifted = manifest.drifted_files(root)
    ignored = ignored_paths(root, [d.path for d in drifted]) if drifted else set()
    return CheckResult(
        drifted=[d for d in drifted if d.path not in ignored],
        skipped=sorted(ignored),
        managed=len(manifest.files),
    )
