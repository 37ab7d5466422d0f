"""One file omk-precommit installs: the record the planner, install, sync and rollback work on."""
from __future__ import annotations

from dataclasses import dataclass

from omk_precommit.engine.manifest import BundleRef, EntryKind


@dataclass(frozen=True)
class BundledAsset:
    """One file to install: project-relative path, manifest kind, bytes, executable bit."""

    path: str
    kind: EntryKind
    content: bytes
    executable: bool = False
    bundle: BundleRef | None = None  # recorded in the manifest; None for the bundle omk

    @property
    def mode(self) -> int:
        return 0o755 if self.executable else 0o644
