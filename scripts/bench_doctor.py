#!/usr/bin/env python3
"""Benchmark the omk hooks against what they are compared with, side by side (not a test).

Two kinds of repository, built in a temporary directory with ``scripts/bench_check.py``'s builder:

- typical: the default install plus 2,000 committed source files outside ``.kimi/``, in two
  copies, one whose pre-commit config runs omk-check + omk-doctor, the other one trivial hook
  (``true``); each timed commit changes one source file (staging it is not timed); the
  standalone commands run in the second copy, so their cold runs never empty the first one's caches;
- 10,000: the default install plus 10,000 managed files of 4 KiB under ``.kimi/skills/``.

In alternating rounds (the order rotates) it times, wall clock, medians: ``python -c pass``,
``omk-kimi check`` and ``check --staged`` (warm: nothing changed since the last run), ``doctor``
and ``doctor --staged`` warm (the verdict cache holds the verdict) and cold (cache removed),
``git status --porcelain``, ``cat`` of every managed file, cold ``check`` (stat cache removed),
at 10,000 files also a cold ``doctor --staged`` without the blob cache ``check --staged`` leaves
(as when omk-doctor runs before omk-check), and the two commits. It prints a table and the
target ratios, and exits 1 when one is missed.

What is timed is what users run: a regular, non-editable ``pip install`` of this checkout in a
temporary virtualenv (``bench_check.user_install``; an editable install's import hook would add
~15 ms to every interpreter start, the baseline's included), whose interpreter is the
``python -c pass`` baseline; ``--omk PATH`` times another ``omk-kimi``. pre-commit is the one
beside the interpreter running this script:

    .venv/bin/python scripts/bench_doctor.py [--rounds 9] [--skip-10000] [--omk PATH]
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_check import _run, _settle, build_repo, user_install  # noqa: E402

from omk_precommit.fastcheck.cachefile import cache_file  # noqa: E402
from omk_precommit.fastcheck.statcache import cache_path  # noqa: E402
from omk_precommit.fastcheck.verdict import cache_path as verdict_path  # noqa: E402

SOURCE_FILES = 2000
# (repo, numerator, denominator, most allowed)
TARGETS = (
    ('typical', 'doctor warm', 'python -c pass', 3.0),
    ('typical', 'doctor --staged warm', 'python -c pass', 3.0),
    ('typical', 'check warm', 'python -c pass', 2.5),
    ('typical', 'check --staged warm', 'python -c pass', 2.5),
    ('typical', 'commit omk-check+omk-doctor', 'commit one trivial hook', 1.4),
    ('10000', 'doctor --staged warm', 'cat', 3.0),
    ('10000', 'doctor --staged cold', 'cat', 3.0),
    ('10000', 'check cold', 'cat', 1.5),
    ('10000', 'check warm', 'git status', 4.0),
)
TRIVIAL_CONFIG = """repos:
- repo: local
  hooks:
  - {id: trivial, name: trivial, entry: 'true', language: system, pass_filenames: false, always_run: true}
"""
OMK_CONFIG = """repos:
- repo: local
  hooks:
  - {{id: omk-check, name: omk-check, entry: '{omk} check', language: system, pass_filenames: false, always_run: true}}
  - {{id: omk-doctor, name: omk-doctor, entry: '{omk} doctor', language: system, pass_filenames: false,
     always_run: true}}
"""


def _git(repo: Path, *args: str) -> None:
    subprocess.run(('git', *args), cwd=repo, check=True, stdout=subprocess.DEVNULL)


def typical_repo(path: Path, omk: list[str], config: str, pre_commit: str) -> None:
    """The default install plus ``SOURCE_FILES`` committed source files, with ``config`` installed as its pre-commit hook."""
    build_repo(path, 0, omk)
    rng = random.Random(7)
    for i in range(SOURCE_FILES):
        rel = path / 'src' / f'pkg{i // 100:02d}' / f'module_{i % 100:02d}.py'
        rel.parent.mkdir(parents=True, exist_ok=True)
        rel.write_text(''.join(f'def f{j}(x):\n    return x + {rng.randint(0, 99)}\n' for j in range(40)))
    (path / 'AGENTS.md').write_text('Run the tests before committing.\n')
    (path / '.pre-commit-config.yaml').write_text(config)
    _git(path, 'add', '-A')
    _git(path, 'commit', '-q', '-m', 'sources')
    subprocess.run((pre_commit, 'install'), cwd=path, check=True, stdout=subprocess.DEVNULL)


def _commit(repo: Path, counter: list[int]) -> int:
    """Change one source file, stage it (not timed), and time ``git commit``."""
    counter[0] += 1
    source = repo / 'src' / 'pkg00' / 'module_00.py'
    source.write_text(source.read_text() + f'# change {counter[0]}\n')
    _git(repo, 'add', str(source))
    return _run(('git', 'commit', '-q', '-m', f'change {counter[0]}'), repo)


def _run_judged(cmd: Sequence[str], cwd: Path) -> int:
    """Wall-clock nanoseconds of a doctor or check run, which may find something (exit 1) but must run."""
    start = time.perf_counter_ns()
    proc = subprocess.run(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter_ns() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f'{" ".join(cmd)} failed in {cwd} (exit {proc.returncode}): {proc.stderr.decode()}')
    return elapsed


def _drop(path: Path | None) -> None:
    if path is not None and path.exists():
        path.unlink()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--rounds', type=int, default=9, help='rounds per command (default 9)')
    parser.add_argument('--skip-10000', action='store_true', help='only the typical project')
    parser.add_argument('--omk', default=None,
                        help='the omk-kimi to time (default: a regular pip install of this checkout in a temporary venv)')
    args = parser.parse_args(argv)
    pre_commit = str(Path(sys.executable).parent / 'pre-commit')
    workdir = Path(tempfile.mkdtemp(prefix='omk-bench-doctor-'))
    omk, python = user_install(workdir, args.omk)
    script = omk[0]
    env_home = workdir / 'home'
    env_home.mkdir()
    # A machine without Kimi (like CI), and pre-commit's own cache kept inside the work dir.
    os.environ.update({'HOME': str(env_home), 'KIMI_SHARE_DIR': str(env_home / '.kimi'),
                       'KIMI_CODE_HOME': str(env_home / '.kimi-code'), 'PRE_COMMIT_HOME': str(workdir / 'pc'),
                       'GIT_CONFIG_NOSYSTEM': '1', 'GIT_CONFIG_GLOBAL': str(env_home / '.gitconfig')})
    load_before = os.getloadavg()
    try:
        print('building repositories ...', file=sys.stderr)
        typical = workdir / 'typical'
        typical_repo(typical, omk, OMK_CONFIG.format(omk=script), pre_commit)
        trivial = workdir / 'trivial'
        typical_repo(trivial, omk, TRIVIAL_CONFIG, pre_commit)
        big = workdir / 'big'
        listing = workdir / 'files-10000'
        if not args.skip_10000:
            files = build_repo(big, 10_000, omk)
            listing.write_bytes(b'\0'.join(f.encode() for f in files))
        _settle(time.time_ns())
        counters = {typical: [0], trivial: [0]}
        for repo in (typical, trivial):  # the first commit builds pre-commit's environment
            _commit(repo, counters[repo])
        _settle(time.time_ns())

        def warm(repo: Path, *cmd: str) -> int:
            _run_judged((*omk, *cmd), repo)  # fills the cache; not timed
            return _run_judged((*omk, *cmd), repo)

        def cold_doctor(repo: Path, staged: bool) -> int:
            _drop(verdict_path(repo, '.kimi', staged=staged))
            return _run_judged((*omk, 'doctor', *(['--staged'] if staged else [])), repo)

        def cold_staged_doctor_no_blobs(repo: Path) -> int:  # as if omk-doctor ran before omk-check
            _drop(cache_file(repo, 'omk-check-blobs.kimi'))
            return cold_doctor(repo, True)

        def cold_check(repo: Path) -> int:
            _drop(cache_path(repo, '.kimi'))
            return _run((*omk, 'check'), repo)

        def cold_staged_check(repo: Path) -> int:
            _drop(cache_file(repo, 'omk-check-blobs.kimi'))
            return _run((*omk, 'check', '--staged'), repo)

        def timed(repo: Path) -> dict[str, Callable[[], int]]:
            return {
                'python -c pass': lambda: _run((python, '-c', 'pass'), repo),
                'check warm': lambda: warm(repo, 'check'),
                'check --staged warm': lambda: warm(repo, 'check', '--staged'),
                'doctor warm': lambda: warm(repo, 'doctor'),
                'doctor --staged warm': lambda: warm(repo, 'doctor', '--staged'),
                'doctor cold': lambda: cold_doctor(repo, False),
                'doctor --staged cold': lambda: cold_doctor(repo, True),
                'git status': lambda: _run(('git', 'status', '--porcelain'), repo),
            }

        # The standalone runs use the trivial copy (same files): a cold run there drops its
        # caches, which must not turn the omk copy's next timed commit into a cold one.
        plan: dict[str, dict[str, Callable[[], int]]] = {'typical': {
            **timed(trivial),
            'commit omk-check+omk-doctor': lambda: _commit(typical, counters[typical]),
            'commit one trivial hook': lambda: _commit(trivial, counters[trivial]),
        }}
        if not args.skip_10000:
            plan['10000'] = {**timed(big), 'check cold': lambda: cold_check(big),
                             'doctor --staged cold, no blob cache': lambda: cold_staged_doctor_no_blobs(big),
                             'check --staged cold': lambda: cold_staged_check(big),
                             'cat': lambda: _run(('xargs', '-0', 'cat'), big, stdin_path=listing)}
        samples: dict[tuple[str, str], list[int]] = {(r, c): [] for r, cmds in plan.items() for c in cmds}
        for round_no in range(args.rounds):
            print(f'round {round_no + 1}/{args.rounds}', file=sys.stderr)
            for repo_name, commands in plan.items():
                names = list(commands)
                shift = round_no % len(names)
                for name in names[shift:] + names[:shift]:
                    samples[repo_name, name].append(commands[name]())
        load_after = os.getloadavg()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    medians = {key: statistics.median(values) / 1e6 for key, values in samples.items()}
    print(f'omk-kimi doctor/check/commit benchmark ({script}): {args.rounds} rounds, medians in ms; python '
          f'{platform.python_version()}, {os.cpu_count()} cpus; load average {load_before[0]:.2f} before, '
          f'{load_after[0]:.2f} after')
    for repo_name, commands in plan.items():
        print(f'\n{repo_name}:')
        for name in commands:
            print(f'  {name:<32} {medians[repo_name, name]:8.1f}')
    print()
    missed = 0
    for repo_name, numerator, denominator, allowed in TARGETS:
        if (repo_name, numerator) not in medians:
            continue
        ratio = medians[repo_name, numerator] / medians[repo_name, denominator]
        verdict = 'ok' if ratio <= allowed else 'MISSED'
        missed += verdict != 'ok'
        print(f'| {repo_name} | {numerator} / {denominator} | {medians[repo_name, numerator]:.1f} / '
              f'{medians[repo_name, denominator]:.1f} ms | {ratio:.2f}x | <= {allowed:g}x | {verdict} |')
    return 1 if missed else 0


if __name__ == '__main__':
    raise SystemExit(main())
