"""What install, sync and rollback report back: plain records with ``to_json``."""
from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import Any


class SyncScope(str, enum.Enum):
    """Whether a sync works on a project's assets or on the user's."""

    PROJECT = 'project'
    USER = 'user'


def _jsonable(obj: Any) -> dict[str, Any]:
    return {k: (v.value if isinstance(v, enum.Enum) else v) for k, v in asdict(obj).items()}


@dataclass(frozen=True)
class InstallReport:
    """What install did (or, with ``dry_run``, would do)."""

    agents_installed: list[str] = field(default_factory=list)
    hooks_installed: list[str] = field(default_factory=list)
    skills_linked: list[str] = field(default_factory=list)
    backups_created: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dry_run: bool = False
    plan: list[str] = field(default_factory=list)
    outside_sparse: list[str] = field(default_factory=list)  # left alone: the sparse checkout excludes them

    def to_json(self) -> dict[str, Any]:
        return _jsonable(self)


@dataclass(frozen=True)
class SyncReport:
    """What sync did per file; with ``dry_run`` the lists say what it would do."""

    scope: SyncScope = SyncScope.PROJECT
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_local: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    backups_created: list[str] = field(default_factory=list)
    dry_run: bool = False
    ignored: list[str] = field(default_factory=list)  # created/updated/removed paths that git ignores
    backups_forgotten: list[str] = field(default_factory=list)  # index entries of deleted backups (--force)
    merged: list[str] = field(default_factory=list)         # a bundle upgrade merged cleanly into an edit
    accepted: list[str] = field(default_factory=list)       # the project's accepted version, left alone
    stays_deleted: list[str] = field(default_factory=list)  # accepted deletions, not brought back
    recreated: list[str] = field(default_factory=list)      # accepted deletions --force brought back
    forgotten: list[str] = field(default_factory=list)      # bundled files the project forgot: not managed
    # Each conflict's kind: 'markers' (written into the file), 'unresolved' (markers from an
    # earlier sync still in it) or 'sidecar' (new version beside it as .omk-new); with a reason.
    conflict_kinds: dict[str, str] = field(default_factory=dict)
    # --dry-run only: per merged or conflicting file, a unified diff of the file to the merge result.
    merge_previews: dict[str, str] = field(default_factory=dict)
    outside_sparse: list[str] = field(default_factory=list)  # left alone: the sparse checkout excludes them
    manifest_missing: bool = False  # nothing was synced: only install installs

    @property
    def would_create(self) -> list[str]:
        return self.created if self.dry_run else []

    @property
    def would_update(self) -> list[str]:
        return self.updated if self.dry_run else []

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed or self.merged or self.recreated)

    @property
    def counted_changes(self) -> list[str]:
        """The changes ``--fail-on-change`` counts: a git-ignored file can never be committed,
        so changing it is never something to stage."""
        ignored = set(self.ignored)
        return [p for p in (*self.created, *self.updated, *self.removed, *self.merged, *self.recreated)
                if p not in ignored]

    def to_json(self) -> dict[str, Any]:
        return _jsonable(self)


@dataclass(frozen=True)
class RollbackReport:
    """What rollback restored, removed and left alone; ``manifest_missing`` marks a no-op."""

    restored: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    manifest_missing: bool = False
    dry_run: bool = False
    hooks_removed: list[str] = field(default_factory=list)   # [[hooks]] tables taken out of a config
    hooks_kept: list[str] = field(default_factory=list)      # ours but edited since: left in the config

    def to_json(self) -> dict[str, Any]:
        return _jsonable(self)
