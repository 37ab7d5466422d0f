#!/usr/bin/env python3
"""Benchmark ``omk-kimi check`` against git, cat and the bare interpreter (not a test).

Builds git repositories in a temporary directory: the default install, and the default
install plus 1,000 and 10,000 extra managed files of 4 KiB under ``.kimi/skills/`` (added to
the manifest with their checksums). Then, in alternating rounds (the order rotates every
round), it times with wall-clock medians:

- ``omk-kimi check`` cold: the stat cache removed first, so every file is read and hashed;
- ``omk-kimi check`` warm: nothing changed since the previous check;
- ``omk-kimi check --staged`` cold and warm: what the ``omk-check`` hook runs inside
  ``git commit``, judging the index (cold: its blob cache removed first);
- ``git status --porcelain`` on the same tree;
- ``cat`` of every managed file (``xargs -0 cat > /dev/null``);
- the bare interpreter, ``python -c pass``.

What is timed is what users run: a virtualenv made in the temporary directory with a regular,
non-editable ``pip install`` of this checkout (an editable install adds an import hook to every
interpreter start in its environment, ~15 ms, the baseline's included); ``python -c pass`` is
that virtualenv's interpreter. ``--omk PATH`` times another ``omk-kimi`` instead (with the
``python`` beside it as the baseline, if there is one).

It prints a table and the ratios the performance targets name, and exits 1 when a target is
missed. Run it with an interpreter that has omk-precommit's test dependencies (pre-commit):

    .venv/bin/python scripts/bench_check.py [--rounds 9] [--sizes default,1000,10000] [--omk PATH]
"""
from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import omk_precommit
from omk_precommit.engine import checksum
from omk_precommit.fastcheck.cachefile import cache_file
from omk_precommit.fastcheck.statcache import RACY_WINDOW_NS, cache_path

FILE_SIZE = 4096
FILES_PER_DIR = 100
COMMANDS = ('check cold', 'check warm', 'staged cold', 'staged warm', 'git status', 'cat', 'python -c pass')
# (size, numerator, denominator, most allowed)
TARGETS = (
    ('10000', 'check warm', 'git status', 6.0),
    ('10000', 'check cold', 'cat', 2.0),
    ('default', 'check cold', 'python -c pass', 8.0),
    ('default', 'check warm', 'python -c pass', 8.0),
)


REPO_ROOT = Path(__file__).resolve().parent.parent


def user_install(workdir: Path, omk: str | None = None) -> tuple[list[str], str]:
    """The ``omk-kimi`` to time and the interpreter whose ``python -c pass`` is the baseline.

    By default a virtualenv in ``workdir`` with a regular (non-editable) ``pip install`` of this
    checkout, as users and pre-commit's hook environments get it; with ``omk``, that command and
    the ``python`` beside it (else this interpreter).
    """
    if omk is not None:
        beside = Path(omk).parent / 'python'
        return [omk], str(beside) if beside.exists() else sys.executable
    venv = workdir / 'venv'
    print(f'installing {REPO_ROOT} (pip install, not editable) into {venv} ...', file=sys.stderr)
    # As pre-commit makes a hook environment: virtualenv (a dependency of pre-commit), whose
    # seeded pip writes console scripts that import nothing more; python -m venv's bundled pip
    # may be older and write ones that import re first. (prek's uv writes its own, also lean.)
    try:
        import virtualenv  # noqa: F401
        subprocess.run((sys.executable, '-m', 'virtualenv', '-q', str(venv)), check=True)
    except ImportError:
        subprocess.run((sys.executable, '-m', 'venv', str(venv)), check=True)
    bin_dir = venv / ('Scripts' if os.name == 'nt' else 'bin')
    subprocess.run((str(bin_dir / 'python'), '-m', 'pip', 'install', '-q', '--disable-pip-version-check', str(REPO_ROOT)),
                   check=True)
    return [str(bin_dir / 'omk-kimi')], str(bin_dir / 'python')


def _git(repo: Path, *args: str) -> None:
    subprocess.run(('git', *args), cwd=repo, check=True, stdout=subprocess.DEVNULL)


def _text(rng: random.Random, size: int) -> bytes:
    words = [bytes(rng.choices(b'abcdefghijklmnopqrstuvwxyz', k=rng.randint(2, 9))) for _ in range(size // 4)]
    return b' '.join(words)[:size - 1] + b'\n'


def build_repo(path: Path, extra_files: int, omk: list[str]) -> list[str]:
    """A committed git repo with the default install plus ``extra_files`` managed files."""
    path.mkdir(parents=True)
    _git(path, 'init', '-q', '-b', 'main')
    _git(path, 'config', 'user.email', 'bench@example.invalid')
    _git(path, 'config', 'user.name', 'bench')
    _git(path, 'config', 'commit.gpgsign', 'false')
    subprocess.run((*omk, 'install'), cwd=path, check=True, stdout=subprocess.DEVNULL)
    manifest_path = path / '.kimi' / 'omk-manifest.json'
    manifest = json.loads(manifest_path.read_bytes())
    rng = random.Random(extra_files)
    for i in range(extra_files):
        rel = f'.kimi/skills/bench-{i // FILES_PER_DIR:03d}/notes-{i % FILES_PER_DIR:02d}.md'
        data = _text(rng, FILE_SIZE)
        (path / rel).parent.mkdir(parents=True, exist_ok=True)
        (path / rel).write_bytes(data)
        manifest['files'].append({'path': rel, 'kind': 'other', 'checksum': checksum.compute_checksum(data)})
    manifest['files'].sort(key=lambda e: e['path'])
    manifest_path.write_text(json.dumps(manifest, indent=2) + '\n')
    _git(path, 'add', '-A')
    _git(path, 'commit', '-q', '-m', 'bench')
    return [e['path'] for e in manifest['files']]


def _run(cmd: Sequence[str], cwd: Path, stdin_path: Path | None = None) -> int:
    """Wall-clock nanoseconds of one run of ``cmd``; fails loudly on a non-zero exit."""
    stdin = open(stdin_path, 'rb') if stdin_path else subprocess.DEVNULL
    try:
        start = time.perf_counter_ns()
        proc = subprocess.run(cmd, cwd=cwd, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        elapsed = time.perf_counter_ns() - start
    finally:
        if stdin_path:
            stdin.close()  # type: ignore[union-attr]
    if proc.returncode != 0:
        raise SystemExit(f'{" ".join(cmd)} failed in {cwd} (exit {proc.returncode}): {proc.stderr.decode()}')
    return elapsed


def _settle(since_ns: int) -> None:
    """Wait until files written before ``since_ns`` are past the stat cache's racy window.

    Files in a real repository were not written in the last seconds before a commit; right
    after writing them, the cache (like git's index) must re-hash them, which is not what
    a warm check measures.
    """
    wait = (since_ns + RACY_WINDOW_NS + 500_000_000 - time.time_ns()) / 1e9
    if wait > 0:
        time.sleep(wait)


def _fmt_ms(ns: float) -> str:
    return f'{ns / 1e6:8.1f}'


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--rounds', type=int, default=9, help='rounds per command (at least 7; default 9)')
    parser.add_argument('--sizes', default='default,1000,10000',
                        help='comma-separated repo sizes: "default" or a number of extra managed files')
    parser.add_argument('--omk', default=None,
                        help='the omk-kimi to time (default: a regular pip install of this checkout in a temporary venv)')
    parser.add_argument('--keep', action='store_true', help='keep the temporary repositories')
    parser.add_argument('--json', metavar='FILE', help='also write the medians as JSON to FILE')
    args = parser.parse_args(argv)
    if args.rounds < 7:
        parser.error('--rounds must be at least 7')

    sizes = [s.strip() for s in args.sizes.split(',') if s.strip()]
    # pip compiles an installed package's bytecode; a checkout under PYTHONDONTWRITEBYTECODE
    # given with --omk would otherwise compile every module on every run and time the compiler.
    compileall.compile_dir(Path(omk_precommit.__file__).parent, quiet=1)
    workdir = Path(tempfile.mkdtemp(prefix='omk-bench-'))
    omk, python = user_install(workdir, args.omk)
    load_before = os.getloadavg()
    try:
        repos: dict[str, tuple[Path, Path, int]] = {}
        for size in sizes:
            extra = 0 if size == 'default' else int(size)
            repo = workdir / f'repo-{size}'
            print(f'building {repo.name} ...', file=sys.stderr)
            files = build_repo(repo, extra, omk)
            listing = workdir / f'files-{size}'
            listing.write_bytes(b'\0'.join(f.encode() for f in files))
            repos[size] = (repo, listing, len(files))
        _settle(time.time_ns())
        for repo, _, _ in repos.values():  # prime git's index and our cache past their racy windows
            _run(('git', 'status', '--porcelain'), repo)
            _run((*omk, 'check'), repo)

        samples: dict[tuple[str, str], list[int]] = {(s, c): [] for s in sizes for c in COMMANDS}
        for round_no in range(args.rounds):
            order = COMMANDS[round_no % len(COMMANDS):] + COMMANDS[:round_no % len(COMMANDS)]
            print(f'round {round_no + 1}/{args.rounds}', file=sys.stderr)
            for size, (repo, listing, _) in repos.items():
                for command in order:
                    if command == 'check cold':
                        cache = cache_path(repo, '.kimi')
                        if cache is not None and cache.exists():
                            cache.unlink()
                        ns = _run((*omk, 'check'), repo)
                    elif command == 'check warm':
                        _run((*omk, 'check'), repo)  # make sure the cache is filled; not timed
                        ns = _run((*omk, 'check'), repo)
                    elif command == 'staged cold':
                        blobs = cache_file(repo, 'omk-check-blobs.kimi')
                        if blobs is not None and blobs.exists():
                            blobs.unlink()
                        ns = _run((*omk, 'check', '--staged'), repo)
                    elif command == 'staged warm':
                        _run((*omk, 'check', '--staged'), repo)  # make sure the cache is filled; not timed
                        ns = _run((*omk, 'check', '--staged'), repo)
                    elif command == 'git status':
                        ns = _run(('git', 'status', '--porcelain'), repo)
                    elif command == 'cat':
                        ns = _run(('xargs', '-0', 'cat'), repo, stdin_path=listing)
                    else:
                        ns = _run((python, '-c', 'pass'), repo)
                    samples[size, command].append(ns)
        load_after = os.getloadavg()
    finally:
        if args.keep:
            print(f'repositories kept in {workdir}', file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    medians = {key: statistics.median(values) for key, values in samples.items()}
    fast = checksum.fnv1a_64 is not checksum.fnv1a_64_pure
    print(f'omk-kimi check benchmark ({" ".join(omk)}): {args.rounds} rounds, medians in ms; '
          f'python {platform.python_version()}, '
          f'{os.cpu_count()} cpus, FNV-1a {"fnv-c (C)" if fast else "pure Python"}; '
          f'load average {load_before[0]:.2f} before, {load_after[0]:.2f} after')
    print(f'{"repo":>8} {"files":>6} ' + ' '.join(f'{c:>12}' for c in COMMANDS))
    for size, (_, _, count) in repos.items():
        print(f'{size:>8} {count:>6} ' + ' '.join(f'{_fmt_ms(medians[size, c]):>12}' for c in COMMANDS))
    print()
    missed = 0
    for size, numerator, denominator, allowed in TARGETS:
        if size not in repos:
            continue
        ratio = medians[size, numerator] / medians[size, denominator]
        verdict = 'ok' if ratio <= allowed else 'MISSED'
        missed += verdict != 'ok'
        print(f'{size:>8}: {numerator} / {denominator} = {ratio:5.2f}x (target <= {allowed:g}x) {verdict}')
    for size in repos:  # no target: what a commit costs, for the record
        print(f'{size:>8}: staged warm / git status = {medians[size, "staged warm"] / medians[size, "git status"]:5.2f}x, '
              f'staged cold / cat = {medians[size, "staged cold"] / medians[size, "cat"]:5.2f}x')
    if args.json:
        Path(args.json).write_text(json.dumps(
            {f'{s} {c}': medians[s, c] / 1e6 for s, c in medians}, indent=2) + '\n')
    return 1 if missed else 0


if __name__ == '__main__':
    raise SystemExit(main())
