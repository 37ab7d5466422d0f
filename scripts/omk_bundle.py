"""Rewrite omk_precommit/bundle/omk/<runtime folder>/ from the role, hook and skill metadata.

The bundle omk is data (files), generated from the metadata the Python API exposes
(``default_role_agents()``, ``default_project_hooks()``, ``bundle/data/``); tests/bundle_format_test.py
fails when the two differ. After changing the metadata run: .venv/bin/python scripts/omk_bundle.py
"""
from __future__ import annotations

import shutil
from pathlib import Path

from omk_precommit.bundle.found import OMK_BUNDLE_DIR
from omk_precommit.runtimes.bundled import metadata_assets
from omk_precommit.runtimes.registry import RUNTIMES


def main() -> int:
    for runtime in RUNTIMES.values():
        if runtime.bundle_folder is None:
            continue
        folder = OMK_BUNDLE_DIR / runtime.bundle_folder
        shutil.rmtree(folder, ignore_errors=True)
        for asset in metadata_assets(runtime):
            path = folder / asset.path.split('/', 1)[1]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(asset.content)
            path.chmod(asset.mode)
        print(f'{Path(folder)}: {len(metadata_assets(runtime))} files')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
