"""A directory outside the project root that symlinks inside the project point into.

Its files are as tempting as possible: copies of the bundled assets (so a careless rollback
would take them for its own and delete them), a valid-looking manifest, user-looking files.
The tests snapshot it and watch it with inotify while omk-kimi runs on the project.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from omk_precommit.engine.checksum import compute_checksum
from omk_precommit.runtimes.bundled import bundled_assets
from testing.gitrepo import snapshot

SENTINEL = b'outside the project root: never read, written or deleted\n'


def make_outside(path: Path) -> Path:
    """Fill ``path`` with sentinel files, bundled copies and a manifest describing them."""
    files = []
    for asset in bundled_assets():
        rel = asset.path.split('/', 1)[1]  # 'agents/architect/agent.yaml'
        for copy in (path / rel, path / 'kimi' / rel):
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(asset.content)
        files.append({'path': asset.path, 'kind': asset.kind.value, 'checksum': compute_checksum(asset.content)})
    manifest = json.dumps({'version': 1, 'files': files, 'directories': ['.kimi/agents']}).encode()
    for where in (path / 'omk-manifest.json', path / 'kimi' / 'omk-manifest.json'):
        where.write_bytes(manifest)
    for name in ('sentinel.txt', 'notify.sh', 'evil-backup', 'agents/architect/agent.yaml.omk-backup-1'):
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_bytes(SENTINEL)
    return path


def outside_state(path: Path) -> tuple[dict[str, tuple[bytes, int]], list[str]]:
    """Every file (bytes, mode) and every name under ``path``, links included."""
    names = sorted(
        os.path.relpath(os.path.join(d, n), path)
        for d, dirnames, filenames in os.walk(path) for n in dirnames + filenames
    )
    return snapshot(path), names


def replace_with_link(link: Path, target: Path) -> None:
    """Put a symlink to ``target`` where ``link`` is (file or directory)."""
    if link.is_symlink() or link.is_file():
        link.unlink()
    elif link.is_dir():
        shutil.rmtree(link)
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)
