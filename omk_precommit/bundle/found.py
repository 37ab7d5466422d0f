"""Finding bundles: the built-in ``omk``, a directory in the repository, or a name in the entry
point group ``omk_precommit.bundles``; and a bundle's files after ``extends`` and ``remove``.

Nothing is fetched and no bundle code runs: an entry point's value names a package whose folder
is located with ``importlib.util.find_spec`` (which does not execute a top-level package).
"""
from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

from omk_precommit.bundle.format import BundleFile, BundleInfo, bundle_files, is_inside, read_bundle, removed
from omk_precommit.engine.fsutil import probed
from omk_precommit.engine.manifest import BundleRef
from omk_precommit.errors import OmkError

OMK_BUNDLE = 'omk'
OMK_BUNDLE_DIR = Path(__file__).with_name('omk')
ENTRY_POINT_GROUP = 'omk_precommit.bundles'
MAX_EXTENDS = 16


def builtin_bundle() -> BundleInfo:
    """The bundle this package ships."""
    return read_bundle(OMK_BUNDLE_DIR, 'bundle omk (built in)')


def _entry_points() -> list[tuple[str, str, str | None, str | None]]:
    """(name, value, distribution, its version) of every entry point in the bundle group."""
    from importlib.metadata import distributions

    found = []
    for dist in distributions():
        for ep in dist.entry_points:
            if ep.group == ENTRY_POINT_GROUP:
                found.append((ep.name, ep.value, dist.metadata['Name'], dist.version))
    return sorted(set(found))


def _package_dir(name: str, value: str, dist: str | None) -> Path:
    origin = f'bundle {name} (entry point {value!r} of {dist})'
    try:
        spec = importlib.util.find_spec(value.split(':', 1)[0].strip())
    except (ImportError, ValueError):
        spec = None
    locations = list(spec.submodule_search_locations or ()) if spec is not None else []
    if not locations:
        raise OmkError(f'{origin}: not an importable package; its entry point must name a package '
                       f'whose folder holds omk-bundle.toml')
    return Path(locations[0])


def bundle_by_name(name: str) -> BundleInfo | None:
    """The installed bundle called ``name`` (entry point name), or None when none is installed."""
    if name == OMK_BUNDLE:
        return builtin_bundle()
    matches = [ep for ep in _entry_points() if ep[0] == name]
    if not matches:
        return None
    if len({ep[2] for ep in matches}) > 1:
        dists = ', '.join(sorted({str(ep[2]) for ep in matches}))
        raise OmkError(f'bundle {name}: offered by several packages ({dists}); uninstall all but one')
    _, value, dist, _ = matches[0]
    directory = _package_dir(name, value, dist)
    info = read_bundle(directory, f'bundle {name} ({dist})', package=dist)
    if info.name != name:
        raise OmkError(f'bundle {name} ({dist}): its omk-bundle.toml says name = {info.name!r}; '
                       f'make the entry point name and the bundle name the same')
    return info


def bundle_by_path(given: Path, root: Path) -> BundleInfo:
    """The bundle in directory ``given`` (relative to the current directory), which must be in the repository."""
    directory = given if given.is_absolute() else Path.cwd() / given
    if not is_inside(directory, root):
        raise OmkError(f'{given}: a path bundle must be a directory inside the repository ({root})')
    rel = directory.resolve().relative_to(root.resolve()).as_posix()
    return read_bundle(directory.resolve(), f'bundle at {rel}', path=rel)


def is_path_spec(spec: str) -> bool:
    """True when ``--bundle`` names a directory rather than an installed bundle."""
    return '/' in spec or spec.startswith('.') or spec.endswith('\\')


def find_bundle(spec: str, root: Path) -> BundleInfo:
    """The bundle ``--bundle SPEC`` names: a directory (``./tools/kimi-bundle``) or an installed name."""
    if is_path_spec(spec):
        return bundle_by_path(Path(spec), root)
    info = bundle_by_name(spec)
    if info is None:
        installed = ', '.join(installed_bundle_names())
        raise OmkError(f'bundle {spec}: not installed (installed: {installed}); pip install the package that '
                       f'ships it, or add it to the omk hooks\' additional_dependencies')
    return info


def find_recorded(ref: BundleRef, root: Path, manifest_rel: str) -> BundleInfo:
    """The bundle ``ref`` recorded in ``manifest_rel``; missing: one line naming it and the package to add."""
    if ref.path is not None:
        directory = root / ref.path
        probed(directory / 'omk-bundle.toml')
        if not (directory / 'omk-bundle.toml').exists():
            raise OmkError(f'{manifest_rel}: the recorded bundle {ref.name} {ref.version} was at {ref.path}/, '
                           f'which has no omk-bundle.toml; restore it, or run omk-kimi install --bundle NAME|PATH')
        return bundle_by_path(directory, root)
    for place in sys.path:  # where packages are installed: a folder's identity changes with each one added or removed
        if place and os.path.isdir(place):
            probed(place)
    info = bundle_by_name(ref.name)
    if info is None:
        package = f'{ref.package}=={ref.version}' if ref.package else 'the package that ships it'
        raise OmkError(f'{manifest_rel}: the recorded bundle {ref.name} {ref.version} is not installed; '
                       f'add {package} to the omk hooks\' additional_dependencies (or pip install it)')
    probed(info.directory / 'omk-bundle.toml')  # edited in place (an editable install), it is seen
    return info


def installed_bundle_names() -> list[str]:
    """``omk`` and the name of every bundle installed through the entry point group, sorted after it."""
    return [OMK_BUNDLE, *sorted({ep[0] for ep in _entry_points()} - {OMK_BUNDLE})]


def installed_bundles() -> list[BundleInfo]:
    """``omk`` and every bundle installed through the entry point group, by name; a broken one raises OmkError."""
    return [info for name in installed_bundle_names() if (info := bundle_by_name(name)) is not None]


def resolved_files(
    bundle: BundleInfo, folder: str, _chain: tuple[BundleInfo, ...] = (),
) -> dict[str, BundleFile] | None:
    """The files of ``bundle``'s runtime folder ``folder`` after ``extends`` and ``remove``, by path
    under the folder; None when neither the bundle nor what it extends has that folder."""
    chain = (*_chain, bundle)
    if bundle.directory in {b.directory for b in _chain} or len(chain) > MAX_EXTENDS:
        names = ' -> '.join(b.name for b in chain)
        raise OmkError(f'{chain[0].origin}: extends forms a cycle ({names}); fix "extends"')
    inherited: dict[str, BundleFile] | None = None
    if bundle.extends is not None:
        parent = bundle_by_name(bundle.extends)
        if parent is None:
            raise OmkError(f'{bundle.origin}: extends {bundle.extends!r}, which is not installed; '
                           f'add the package that ships it')
        inherited = resolved_files(parent, folder, chain)
        if inherited is not None:
            inherited = {rel: f for rel, f in inherited.items() if not removed(f'{folder}/{rel}', bundle.remove)}
    own = bundle_files(bundle, folder)
    if own is None and inherited is None:
        return None
    return {**(inherited or {}), **(own or {})}
