"""``install``: make the project's assets exactly the bundled ones, backing up what differs."""
from __future__ import annotations

from pathlib import Path

from omk_precommit.engine.manifest import EntryKind
from omk_precommit.engine.plan import WRITES, ActionKind, reconcile
from omk_precommit.engine.reports import InstallReport
from omk_precommit.errors import OmkError
from omk_precommit.runtimes.bundled import BASE_DIRS, KIMI_CLI, BundledAsset, bundled_assets
from omk_precommit.runtimes.user_scope import user_assets, user_scope


def install_project_assets(root: Path, *, dry_run: bool = False, target: str = KIMI_CLI) -> InstallReport:
    """Install every bundled asset of ``target`` under ``root``; differing files are backed up first."""
    return install_assets(root, BASE_DIRS[target], bundled_assets(target), dry_run=dry_run)


def install_user_assets(*, dry_run: bool = False, target: str = KIMI_CLI) -> InstallReport:
    """Install the role agents and hook scripts into the user directory (see ``user_scope``)."""
    scope = user_scope(target)
    return install_assets(scope.root, scope.base_dir, user_assets(scope, target), dry_run=dry_run)


def install_assets(root: Path, base_dir: str, assets: tuple[BundledAsset, ...], *, dry_run: bool) -> InstallReport:
    """Make ``assets`` under ``root/base_dir`` exactly the bundled bytes, recorded in that dir's manifest."""
    if not root.is_dir():
        raise OmkError(f'{root}: not a directory; create it or point omk-kimi elsewhere')
    actions, new_backups = reconcile(root, base_dir, assets, overwrite_edits=True, dry_run=dry_run)
    backups = [b.backup_path for b in new_backups]

    def written(kind: EntryKind) -> list[str]:
        return [a.path for a in actions if a.kind in WRITES and a.asset is not None and a.asset.kind is kind]

    return InstallReport(
        agents_installed=sorted({p.split('/')[2] for p in written(EntryKind.AGENT_SPEC) + written(EntryKind.AGENT_PROMPT)}),
        hooks_installed=[p.rsplit('/', 1)[1] for p in written(EntryKind.HOOK_SCRIPT) + written(EntryKind.HOOK_CONFIG)],
        skills_linked=[p.split('/')[2] for p in written(EntryKind.SKILL)],
        backups_created=backups,
        dry_run=dry_run,
        plan=[a.describe() for a in actions if a.kind not in (ActionKind.UNCHANGED, ActionKind.OUTSIDE_SPARSE)],
        outside_sparse=[a.path for a in actions if a.kind is ActionKind.OUTSIDE_SPARSE],
    )
