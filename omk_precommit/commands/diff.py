"""``diff``: show how each drifted file differs from what the manifest expects."""
from __future__ import annotations

import argparse
import difflib
import os
import sys
from pathlib import Path

from omk_precommit.commands.base import (
    EXIT_CLEAN,
    EXIT_FOUND,
    add_common,
    json_of_runtimes,
    project_root,
    project_runtimes,
    route_paths,
    runtime_heading,
)
from omk_precommit.engine.asset import BundledAsset
from omk_precommit.engine.checksum import compute_checksum
from omk_precommit.engine.manifest import AssetManifest, read_managed
from omk_precommit.engine.merge import find_base
from omk_precommit.engine.pathargs import managed_path
from omk_precommit.errors import OmkError
from omk_precommit.render.output import print_json
from omk_precommit.render.quote import quote_path
from omk_precommit.runtimes.bundled import bundled_by_path, project_assets_by_path
from omk_precommit.runtimes.registry import DEFAULT_RUNTIME, Runtime, get_runtime


def expected_content(entry_path: str, checksum: str | None, target: Runtime | str,
                     assets: dict[str, BundledAsset] | None = None) -> bytes | None:
    """The bytes the manifest recorded for ``entry_path``, when the bundle (``assets``; default omk)
    still has them."""
    asset = (bundled_by_path(target) if assets is None else assets).get(entry_path)
    if asset is not None and (checksum is None or compute_checksum(asset.content) == checksum):
        return asset.content
    return None


def _lines(data: bytes) -> list[str] | None:
    try:
        return data.decode().splitlines(keepends=True)
    except UnicodeDecodeError:
        return None


def unified_diffs(root: Path, paths: list[str], *, target: Runtime | str = DEFAULT_RUNTIME,
                  cwd: Path | None = None) -> list[str]:
    """One unified diff (or a one-line note) per drifted file among ``paths`` (all when empty);
    an accepted file named in ``paths`` is compared with the bundled version.

    ``paths`` are relative to ``cwd`` (default: the root) or absolute; see ``managed_path``."""
    base_dir = get_runtime(target).base_dir
    manifest = AssetManifest.load(root, base_dir)
    if manifest is None:
        raise OmkError(f'{base_dir}/omk-manifest.json: no manifest; run omk-kimi install first')
    managed = {e.path for e in manifest.files}
    wanted = set()
    for given in paths:
        rel = managed_path(root, given, cwd or root, managed)
        if rel not in managed:
            raise OmkError(f'{given}: not a file the manifest manages; run omk-kimi check to list drift')
        wanted.add(rel)
    drifted = {d.path for d in manifest.drifted_files(root)}
    # The recorded bundle's files (one line and exit 2 when it is not installed), only when needed.
    assets = project_assets_by_path(root, get_runtime(target)) if drifted or wanted else {}
    out = []
    for entry in manifest.files:
        if entry.path in wanted and entry.path not in drifted and entry.accepted:
            out.append(_accepted_diff(root, entry.path, assets))
            continue
        if entry.path not in drifted or (wanted and entry.path not in wanted):
            continue
        if os.path.exists(root / entry.path) and not os.path.isfile(root / entry.path):
            out.append(f'{quote_path(entry.path)}: not a regular file (a directory, FIFO or device is in its place)\n')
            continue
        expected = expected_content(entry.path, entry.checksum, target, assets)
        if expected is None:  # e.g. an accepted version: git history has the recorded bytes
            expected = find_base(root, entry.path, entry.checksum)
        actual = read_managed(root, entry.path)
        if expected is None:
            out.append(f'{quote_path(entry.path)}: modified; the recorded version is no longer bundled, compare with git diff\n')
            continue
        old, new = _lines(expected), _lines(actual or b'')
        if old is None or new is None:
            out.append(f'Binary files {quote_path("a/" + entry.path)} and {quote_path("b/" + entry.path)} differ\n')
            continue
        # Headers quoted as git quotes them: "a/x\n" for a name with a control character.
        tofile = '/dev/null' if actual is None else quote_path(f'b/{entry.path}')
        out.append(''.join(difflib.unified_diff(old, new, quote_path(f'a/{entry.path}'), tofile)))
    return out


def _accepted_diff(root: Path, rel: str, assets: dict[str, BundledAsset]) -> str:
    """How the accepted version of ``rel`` differs from the bundled one in ``assets`` (``a/`` is the bundle)."""
    asset = assets.get(rel)
    if asset is None:
        return f'{rel}: accepted; no longer bundled, nothing to compare with\n'
    old, new = _lines(asset.content), _lines(read_managed(root, rel) or b'')
    if old is None or new is None:
        return f'Binary files a/{rel} (bundled) and b/{rel} (accepted) differ\n'
    return ''.join(difflib.unified_diff(old, new, f'a/{rel} (bundled)', f'b/{rel} (accepted)'))
HELP = 'show a unified diff of each drifted file against what the manifest expects'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_common(parser)
    parser.add_argument('paths', nargs='*', metavar='PATH',
                        help='managed files to diff (default: every drifted one), relative to the current directory, '
                             'absolute, or relative to the project root (e.g. .kimi/hooks/notify.sh)')


def run(args: argparse.Namespace) -> int:
    root, cwd = project_root(args), Path.cwd()
    runtimes = project_runtimes(args, root)
    jobs = route_paths(root, args.paths, runtimes)
    diffs = [(r, unified_diffs(root, paths, target=r, cwd=cwd)) for r, paths in jobs]
    if args.json:
        print_json(json_of_runtimes([(r, {'diffs': found}) for r, found in diffs]))
    else:
        shown = tuple(r for r, _ in diffs)
        for r, found in diffs:
            if found:
                runtime_heading(r, shown)
            sys.stdout.write(''.join(found))
    return EXIT_FOUND if any(found for _, found in diffs) else EXIT_CLEAN
