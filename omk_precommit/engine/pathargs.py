"""The PATH arguments of commands (diff, accept, forget) as the manifest paths they name."""
from __future__ import annotations

import os
from pathlib import Path

from omk_precommit.engine.manifest import AssetManifest
from omk_precommit.engine.paths import MANIFEST_NAME
from omk_precommit.errors import OmkError


def managed_path(root: Path, given: str, cwd: Path, managed: set[str]) -> str:
    """The root-relative manifest path ``given`` names: relative to ``cwd`` (or absolute) when that
    names a managed file or an existing one, else relative to the root, so ``.kimi/...`` works from
    any directory. Symlinks are not resolved: the manifest names paths, not their targets."""
    from_cwd = os.path.relpath(os.path.normpath(os.path.join(cwd, given)), root)
    outside = from_cwd == os.pardir or from_cwd.startswith(os.pardir + os.sep)
    if not outside and (from_cwd.replace(os.sep, '/') in managed or os.path.lexists(cwd / given)):
        return from_cwd.replace(os.sep, '/')
    return Path(given).as_posix()  # pathlib drops a leading './'


def load_for_change(root: Path, base_dir: str) -> AssetManifest:
    """The manifest under ``root/base_dir``; an OmkError saying to install when there is none."""
    manifest = AssetManifest.load(root, base_dir)
    if manifest is None:
        raise OmkError(f'{base_dir}/{MANIFEST_NAME}: no manifest, nothing is managed; run omk-kimi install first')
    return manifest


def named_paths(root: Path, given: list[str], cwd: Path, *, known: set[str]) -> list[str]:
    """The manifest paths ``given`` names (see ``managed_path``); an OmkError for one it does not know."""
    rels = []
    for path in given:
        rel = managed_path(root, path, cwd, known)
        if rel not in known:
            raise OmkError(f'{path}: not a file the manifest manages; run omk-kimi check to list drift')
        rels.append(rel)
    return list(dict.fromkeys(rels))
