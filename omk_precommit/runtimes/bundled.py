"""The bundled asset set of each runtime: every file omk-precommit installs, as data.

The files come from a bundle (``bundle/format.py``): by default ``omk``, the one this package
ships under ``bundle/omk/``, else the one ``install --bundle`` names or the manifest records.
``metadata_assets`` generates the same files from the role metadata (``bundle/agents.py``,
``hookdefs``, ``bundle/data/``): a test keeps ``bundle/omk/`` equal to it, and a runtime without
a bundle folder gets its assets from it.
"""
from __future__ import annotations

import functools
from collections import Counter
from pathlib import Path

from omk_precommit.bundle.agents import default_role_agents
from omk_precommit.bundle.format import BundleInfo
from omk_precommit.bundle.found import OMK_BUNDLE, builtin_bundle, find_bundle, find_recorded, resolved_files
from omk_precommit.bundle.resources import asset_bytes, asset_names
from omk_precommit.engine.asset import BundledAsset
from omk_precommit.engine.manifest import AssetManifest, BundleRef, EntryKind
from omk_precommit.errors import OmkError
from omk_precommit.runtimes.hookdefs import default_project_hooks
from omk_precommit.runtimes.registry import DEFAULT_RUNTIME, Runtime, get_runtime


@functools.cache
def metadata_assets(runtime: Runtime) -> tuple[BundledAsset, ...]:
    """The omk assets of ``runtime`` generated from the role, hook and skill metadata, sorted by path."""
    base = runtime.base_dir
    assets = [BundledAsset(f'{base}/{rel}', kind, content)
              for agent in default_role_agents() for rel, kind, content in runtime.agent_files(agent)]
    hooks = default_project_hooks(runtime=runtime)
    for script in hooks.scripts:
        assets.append(BundledAsset(f'{base}/hooks/{script.name}', EntryKind.HOOK_SCRIPT,
                                   script.content.encode(), executable=True))
    assets.append(BundledAsset(f'{base}/hooks.toml.example', EntryKind.HOOK_CONFIG, hooks.to_toml().encode()))
    for skill in asset_names('skills'):
        assets.append(BundledAsset(f'{base}/skills/{skill}/SKILL.md', EntryKind.SKILL,
                                   asset_bytes(f'skills/{skill}/SKILL.md')))
    return tuple(sorted(assets, key=lambda a: a.path))


def bundle_ref(bundle: BundleInfo) -> BundleRef | None:
    """What the manifest records for ``bundle``'s files; None for omk (as before bundles existed)."""
    if bundle.name == OMK_BUNDLE and bundle.path is None:
        return None
    return BundleRef(bundle.name, bundle.version, bundle.package, bundle.path)


def bundle_assets(bundle: BundleInfo, runtime: Runtime) -> tuple[BundledAsset, ...] | None:
    """``bundle``'s files for ``runtime`` as assets under its asset dir, sorted; None when the bundle
    (with what it extends) has no folder for it."""
    is_omk = bundle.name == OMK_BUNDLE and bundle.path is None
    if runtime.bundle_folder is None:
        return metadata_assets(runtime) if is_omk else None
    files = resolved_files(bundle, runtime.bundle_folder)
    if files is None:
        return metadata_assets(runtime) if is_omk else None
    ref = bundle_ref(bundle)
    return tuple(sorted((BundledAsset(f'{runtime.base_dir}/{f.rel}', f.kind, f.content, f.executable, ref)
                         for f in files.values()), key=lambda a: a.path))


@functools.cache
def _omk(runtime: Runtime) -> tuple[BundledAsset, ...]:
    assets = bundle_assets(builtin_bundle(), runtime)
    assert assets is not None
    return assets


def bundled_assets(runtime: Runtime | str = DEFAULT_RUNTIME) -> tuple[BundledAsset, ...]:
    """Every file of ``runtime`` in the bundle ``omk``, sorted by path."""
    return _omk(get_runtime(runtime))


def bundled_by_path(runtime: Runtime | str = DEFAULT_RUNTIME) -> dict[str, BundledAsset]:
    return {asset.path: asset for asset in bundled_assets(runtime)}


def recorded_bundle_ref(manifest: AssetManifest | None) -> BundleRef | None:
    """The bundle the manifest's files came from (the one most files record); None: omk."""
    refs = Counter(e.bundle for e in manifest.files) if manifest else Counter()
    return refs.most_common(1)[0][0] if refs else None


def project_bundle(root: Path, runtime: Runtime, spec: str | None = None) -> BundleInfo:
    """The bundle a project command uses: ``spec`` (``--bundle``) when given, else the one the
    manifest records, else omk. A recorded bundle that is not installed raises OmkError (never
    a silent fallback to another bundle)."""
    if spec is not None:
        return find_bundle(spec, root)
    ref = recorded_bundle_ref(AssetManifest.load(root, runtime.base_dir))
    return builtin_bundle() if ref is None else find_recorded(ref, root, runtime.manifest_path)


def project_assets(root: Path, runtime: Runtime, spec: str | None = None) -> tuple[BundledAsset, ...]:
    """The files of the project's bundle (see ``project_bundle``) for ``runtime``."""
    bundle = project_bundle(root, runtime, spec)
    assets = bundle_assets(bundle, runtime)
    if assets is None:
        raise OmkError(f'{bundle.origin}: has no {runtime.bundle_folder or runtime.name}/ folder for '
                       f'{runtime.product} ({runtime.base_dir}/); choose another --target or bundle')
    return assets


def project_assets_by_path(root: Path, runtime: Runtime) -> dict[str, BundledAsset]:
    return {asset.path: asset for asset in project_assets(root, runtime)}
