"""The bundle the manifest records: installed (else sync, diff and upgrades cannot run), and at the
recorded version (else a sync upgrades the files)."""
from __future__ import annotations

from pathlib import Path

from omk_precommit.engine.findings import DiagResult, Findings
from omk_precommit.engine.manifest import AssetManifest
from omk_precommit.errors import OmkError
from omk_precommit.runtimes.base import Runtime
from omk_precommit.runtimes.bundled import bundle_assets, recorded_bundle_ref


def check_recorded_bundle(root: Path, runtime: Runtime, *, bundle_root: Path,
                          loaded: AssetManifest | None | OmkError = None) -> list[DiagResult]:
    """Whether the bundle recorded in ``root``'s manifest is found; a path bundle is looked up under
    ``bundle_root`` (the work tree, when ``root`` is a staged copy of the asset dir). ``loaded``: the
    manifest (or the error loading it) when the caller has it already; else it is loaded here."""
    from omk_precommit.bundle.found import find_recorded

    findings = Findings('bundle')
    try:
        if isinstance(loaded, OmkError):
            raise loaded
        ref = recorded_bundle_ref(loaded if loaded is not None else AssetManifest.load(root, runtime.base_dir))
    except OmkError:
        return []  # the manifest check reports it
    if ref is None:
        return []  # omk, always installed
    try:
        bundle = find_recorded(ref, bundle_root, runtime.manifest_path)
        served = bundle_assets(bundle, runtime) is not None
    except OmkError as e:
        findings.error(runtime.manifest_path, str(e).split(': ', 1)[-1],
                       f'pin {ref.package}=={ref.version} in additional_dependencies' if ref.package else
                       runtime.command('install --bundle NAME|PATH'))
        return findings.results
    if not served:
        findings.error(runtime.manifest_path, f'bundle {bundle.name} has no {runtime.bundle_folder}/ folder',
                       runtime.command('install --bundle NAME|PATH'))
    elif bundle.version != ref.version:
        findings.warning(runtime.manifest_path, f'bundle {ref.name}: {ref.version} installed in the project, '
                                                f'{bundle.version} available', runtime.command('sync'))
    else:
        findings.ok(runtime.manifest_path, f'bundle {ref.name} {ref.version} found ({bundle.origin})')
    return findings.results
