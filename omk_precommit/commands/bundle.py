"""``bundle check PATH`` (every doctor rule over a bundle, both runtimes) and ``bundle init DIR``
(a bundle from the project's current assets, extending omk with only what differs)."""
from __future__ import annotations

import argparse
import os
import stat
import tempfile
from dataclasses import replace
from pathlib import Path

from omk_precommit.commands.base import EXIT_CLEAN, EXIT_FOUND, add_common, project_root, project_runtimes
from omk_precommit.errors import OmkError
from omk_precommit.runtimes.base import Runtime

HELP = 'check a bundle directory with every doctor rule (bundle check PATH), or write one from the project (bundle init DIR)'
_MACHINE_CHECKS = ('kimi', 'kimi config')  # about this machine, not the bundle


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest='action', metavar='ACTION', parser_class=type(parser))
    sub.required = True
    check = sub.add_parser('check', help='run every doctor rule over the bundle in PATH, for each runtime it serves',
                           description='Install the bundle into a temporary project per runtime and run the doctor '
                                       'there; also fails a bundle whose safety gate never fires.')
    check.add_argument('path', type=Path, metavar='PATH')
    check.add_argument('--json', action='store_true', help='machine-readable output on stdout')
    init = sub.add_parser('init', help="write a bundle extending omk from the project's current assets into DIR",
                          description="Write DIR/omk-bundle.toml (extends omk) and the project's files that differ "
                                      "from omk's, including its own agents and skills; omk files the project "
                                      'deleted go into remove.')
    init.add_argument('directory', type=Path, metavar='DIR')
    init.add_argument('--name', help='the bundle name (default: the name of DIR)')
    init.add_argument('--version', default='0.1.0', help='the bundle version (default: 0.1.0)')
    add_common(init)


def check_bundle(directory: Path) -> list[tuple[Runtime, list[object]]]:
    """Every doctor finding (and the safety-gate rule) for each runtime the bundle in ``directory`` serves."""
    from omk_precommit.bundle.format import read_bundle
    from omk_precommit.commands.install import install_assets
    from omk_precommit.doctor import diagnose_project
    from omk_precommit.doctor.gate import check_safety_gate
    from omk_precommit.engine.findings import Findings
    from omk_precommit.runtimes.bundled import bundle_assets
    from omk_precommit.runtimes.registry import RUNTIMES

    bundle = read_bundle(directory.resolve(), str(directory))
    reports: list[tuple[Runtime, list[object]]] = []
    for runtime in RUNTIMES.values():
        if runtime.bundle_folder is None:
            continue
        assets = bundle_assets(bundle, runtime)
        if assets is None:
            continue
        with tempfile.TemporaryDirectory(prefix='omk-bundle-check-') as tmp:
            root = Path(tmp)
            (root / 'AGENTS.md').write_text('# project\n')
            # Recorded as omk's: the temporary project has no way to find a path bundle again.
            install_assets(root, runtime.base_dir, tuple(replace(a, bundle=None) for a in assets), dry_run=False)
            gate = Findings('safety gate')
            check_safety_gate(root, runtime, gate)
            results = [r for r in diagnose_project(root, target=runtime) if r.check not in _MACHINE_CHECKS]
            reports.append((runtime, [*results, *gate.results]))
    if not reports:
        raise OmkError(f'{directory}: the bundle has no runtime folder (kimi-cli/ or kimi-code/) and extends '
                       f'none that has; add one')
    return reports


def _run_check(args: argparse.Namespace) -> int:
    from omk_precommit.engine.findings import Finding, Severity
    from omk_precommit.render.output import print_json

    reports = check_bundle(args.path)
    folder_of = {r.base_dir: r.bundle_folder for r, _ in reports}

    def shown(path: str) -> str:  # a path in the temporary project, as a path in the bundle
        base, _, rest = path.partition('/')
        return f'{args.path}/{folder_of[base]}/{rest}' if base in folder_of and rest else path

    findings = [(runtime, r) for runtime, results in reports for r in results if isinstance(r, Finding)]
    errors = [r for _, r in findings if r.severity is Severity.ERROR]
    if args.json:
        print_json([{**r.to_json(), 'path': shown(r.path) or None, 'runtime': runtime.name} for runtime, r in findings])
    else:
        for runtime, r in findings:
            if r.severity is not Severity.OK:
                fix = f' (fix: {r.fix})' if r.fix else ''
                print(f'{shown(r.path) or args.path}: {r.severity.value}: [{runtime.name}] {r.message}{fix}')
        names = ', '.join(runtime.name for runtime, _ in reports)
        print(f'bundle {args.path}: {len(errors)} error(s) for {names}' if errors
              else f'bundle {args.path}: passes every doctor rule for {names}')
    return EXIT_FOUND if errors else EXIT_CLEAN


def _project_files(root: Path, runtime: Runtime) -> dict[str, bytes]:
    """The project's files of ``runtime`` that a bundle can hold (agents, hooks, skills, the hooks example)."""
    from omk_precommit.bundle.format import LAYOUT_TOPS, MAX_FILE_BYTES
    from omk_precommit.engine.backup import BACKUP_MARKER
    from omk_precommit.engine.plan import CONFLICT_SUFFIX

    base = root / runtime.base_dir
    files: dict[str, bytes] = {}
    for top in LAYOUT_TOPS:
        for dirpath, dirnames, filenames in os.walk(base / top) if (base / top).is_dir() else [(str(base), [], [top])]:
            dirnames[:] = sorted(d for d in dirnames if not os.path.islink(os.path.join(dirpath, d)))
            for name in sorted(filenames):
                path = Path(dirpath) / name
                rel = path.relative_to(base).as_posix()
                if rel.split('/')[0] != top or name.endswith(CONFLICT_SUFFIX) or BACKUP_MARKER in name:
                    continue
                mode = os.lstat(path).st_mode if os.path.lexists(path) else 0
                if not stat.S_ISREG(mode):
                    continue  # a link or special file is not something a bundle can carry
                if os.path.getsize(path) > MAX_FILE_BYTES:
                    raise OmkError(f'{runtime.base_dir}/{rel}: larger than {MAX_FILE_BYTES} bytes; a bundle cannot hold it')
                files[rel] = path.read_bytes()
    return files


def _removals(folder: str, gone: set[str], kept: set[str]) -> list[str]:
    """Bundle paths for the omk files in ``gone``: a whole agent or skill folder when nothing of it is kept."""
    out: set[str] = set()
    for rel in gone:
        parts = rel.split('/')
        group = '/'.join(parts[:2]) if parts[0] in ('agents', 'skills') and len(parts) > 2 else None
        if group and not any(k.startswith(group + '/') for k in kept):
            out.add(f'{folder}/{group}')
        else:
            out.add(f'{folder}/{rel}')
    return sorted(out)


def init_bundle(root: Path, runtimes: tuple[Runtime, ...], directory: Path, name: str, version: str) -> list[str]:
    """Write a bundle extending omk from the project's assets of ``runtimes`` into ``directory``; return its files."""
    import json

    from omk_precommit.engine.fsutil import atomic_write, make_dirs
    from omk_precommit.runtimes.bundled import bundled_assets

    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise OmkError(f'{directory}: exists and is not an empty directory; choose a new one')
    written: list[str] = []
    remove: list[str] = []
    for runtime in runtimes:
        if runtime.bundle_folder is None or not (root / runtime.base_dir).is_dir():
            continue
        folder = runtime.bundle_folder
        omk = {a.path.split('/', 1)[1]: a.content for a in bundled_assets(runtime)}
        project = _project_files(root, runtime)
        for rel, content in sorted(project.items()):
            if omk.get(rel) != content:
                target = directory / folder / rel
                make_dirs(target.parent)
                atomic_write(target, content, mode=0o755 if rel.startswith('hooks/') and rel.endswith('.sh') else 0o644)
                written.append(f'{folder}/{rel}')
        remove += _removals(folder, set(omk) - set(project), set(project))
    make_dirs(directory)
    lines = [f'name = {json.dumps(name)}', f'version = {json.dumps(version)}',
             f'description = {json.dumps(f"Kimi assets tailored from {root.name}")}', 'extends = "omk"']
    if remove:
        lines.append('remove = [\n' + ''.join(f'    {json.dumps(r)},\n' for r in remove) + ']')
    atomic_write(directory / 'omk-bundle.toml', ('\n'.join(lines) + '\n').encode())
    return ['omk-bundle.toml', *written]


def _run_init(args: argparse.Namespace) -> int:
    from omk_precommit.render.output import print_json

    root = project_root(args)
    directory = args.directory if args.directory.is_absolute() else Path.cwd() / args.directory
    name = args.name or directory.name
    if not name or '/' in name or name.startswith('.'):
        raise OmkError(f'{args.directory}: cannot name a bundle after it; pass --name')
    files = init_bundle(root, project_runtimes(args, root), directory, name, args.version)
    if args.json:
        print_json({'bundle': name, 'directory': str(directory), 'files': files})
    else:
        for rel in files:
            print(f'{args.directory}/{rel}: written')
        print(f'bundle {name} {args.version}: {len(files)} file(s) in {args.directory}; '
              f'install it with omk-kimi install --bundle {args.directory}')
    return EXIT_CLEAN


def run(args: argparse.Namespace) -> int:
    return _run_check(args) if args.action == 'check' else _run_init(args)
