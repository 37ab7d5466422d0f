"""``check``: the manifest drift check behind the ``omk-check`` hook.

It judges either the working tree or, with ``staged``, the index — what ``git commit`` is about
to record. Inside a commit hook the index is what matters: an unstaged edit is not part of the
commit and must not block it, and a staged edit must block even when the working tree was
reverted afterwards.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omk_precommit.assets import BASE_DIRS, KIMI_CLI
from omk_precommit.gitutil import StagedFiles, ignored_paths
from omk_precommit.manifest import MANIFEST_NAME, AssetManifest, Drift, DriftState, matches_checksum


@dataclass(frozen=True)
class CheckResult:
    """Drifted managed files, and the drifted ones skipped because git ignores them."""

    drifted: list[Drift] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    managed: int = 0
    manifest_missing: bool = False
    staged: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            'drifted': [{'path': d.path, 'state': d.state.value} for d in self.drifted],
            'skipped': self.skipped,
            'managed': self.managed,
            'manifest_missing': self.manifest_missing,
            'source': 'index' if self.staged else 'worktree',
        }


def check_drift(root: Path, *, staged: bool = False, target: str = KIMI_CLI) -> CheckResult:
    """Compare every managed file with its recorded checksum; git-ignored paths are skipped.

    With ``staged`` both the manifest and the files are read from git's index, so the result
    describes the commit being made; otherwise from the working tree.
    """
    base_dir = BASE_DIRS[target]
    if staged:
        manifest, drifted = _staged_drift(root, base_dir)
    else:
        manifest = AssetManifest.load(root, base_dir)
        drifted = manifest.drifted_files(root) if manifest is not None else []
    if manifest is None:
        return CheckResult(manifest_missing=True, staged=staged)
    # Asking git about ignore rules costs a subprocess, so only drift pays for it.
    ignored = ignored_paths(root, [d.path for d in drifted]) if drifted else set()
    return CheckResult(
        drifted=[d for d in drifted if d.path not in ignored],
        skipped=sorted(ignored),
        managed=len(manifest.files),
        staged=staged,
    )


def _staged_drift(root: Path, base_dir: str) -> tuple[AssetManifest | None, list[Drift]]:
    """The staged manifest and the staged managed files that differ from it."""
    with StagedFiles(root) as index:
        raw = index.read(f'{base_dir}/{MANIFEST_NAME}')
        if raw is None:
            return None, []
        manifest = AssetManifest.parse(root, raw, base_dir)
        contents = index.read_all([entry.path for entry in manifest.files])
    drifted = []
    for entry in manifest.files:
        data = contents[entry.path]
        if data is None:
            drifted.append(Drift(entry.path, DriftState.MISSING))
        elif not matches_checksum(data, entry.checksum):
            drifted.append(Drift(entry.path, DriftState.MODIFIED))
    return manifest, drifted
