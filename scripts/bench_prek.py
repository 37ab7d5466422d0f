#!/usr/bin/env python3
"""What a commit through prek costs with and without compiled bytecode in its hook environment (not a test).

prek (like uv, which builds its environments) installs packages without ``.pyc`` files. Python
writes them on the first import, so only the first run pays for compiling, unless
``PYTHONDONTWRITEBYTECODE=1`` is set, when every run compiles what it imports. This script
builds a repository whose prek config runs omk-check + omk-doctor from a snapshot of this
checkout, then times commits (each changes one unrelated file) in these states:

- ``no pyc, PYTHONDONTWRITEBYTECODE=1``: the ``__pycache__`` folders of the hook environment
  removed, and kept from being written: what every commit paid before the verdict cache;
- ``first run, no pyc``: removed, then one commit that writes them;
- ``pyc present``: the following commits;
- ``pyc present, PYTHONDONTWRITEBYTECODE=1``: compiled once, then the variable set.

    .venv/bin/python scripts/bench_prek.py [--rounds 7]
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from omk_precommit.commands.install import install_project_assets  # noqa: E402
from testing.hookrepo import hooked_project, snapshot_hook_repo  # noqa: E402


def _pycaches(home: Path) -> list[Path]:
    return [p for p in home.rglob('__pycache__') if 'omk_precommit' in str(p) or 'site-packages' in str(p)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--rounds', type=int, default=7)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix='omk-bench-prek-'))
    home = work / 'home'
    home.mkdir()
    os.environ.update({'HOME': str(home), 'KIMI_SHARE_DIR': str(home / '.kimi'), 'KIMI_CODE_HOME': str(home / '.kimi-code'),
                       'GIT_CONFIG_NOSYSTEM': '1', 'GIT_CONFIG_GLOBAL': str(home / '.gitconfig')})
    os.environ.pop('PYTHONDONTWRITEBYTECODE', None)
    homes = {'PRE_COMMIT_HOME': str(work / 'pre-commit'), 'PREK_HOME': str(work / 'prek')}
    try:
        hook_repo = snapshot_hook_repo(work / 'hook-repo')
        project = hooked_project(work / 'project', 'prek', hook_repo, ('omk-check', 'omk-doctor'), homes)
        install_project_assets(project.path)
        (project.path / 'AGENTS.md').write_text('Run the tests.\n')
        project.git('add', '-A')
        assert project.commit('install').returncode == 0  # builds the hook environment
        time.sleep(3.5)  # past the racy window: later commits find the verdicts cached
        counter = [0]

        def commit(env: dict[str, str]) -> float:
            counter[0] += 1
            (project.path / 'notes.txt').write_text(f'change {counter[0]}\n')
            project.git('add', 'notes.txt')
            start = time.perf_counter()
            result = subprocess.run(('git', 'commit', '-q', '-m', f'change {counter[0]}'), cwd=project.path,
                                    env={**project.env, **env}, capture_output=True, text=True, check=False)
            elapsed = (time.perf_counter() - start) * 1000
            assert result.returncode == 0, result.stdout + result.stderr
            return elapsed

        no_write = {'PYTHONDONTWRITEBYTECODE': '1'}
        samples: dict[str, list[float]] = {k: [] for k in (
            'no pyc, PYTHONDONTWRITEBYTECODE=1', 'first run, no pyc', 'pyc present', 'pyc present, PYTHONDONTWRITEBYTECODE=1')}
        removed = 0
        for _ in range(args.rounds):
            for cache in _pycaches(Path(homes['PREK_HOME'])):
                removed += 1
                shutil.rmtree(cache, ignore_errors=True)
            samples['no pyc, PYTHONDONTWRITEBYTECODE=1'].append(commit(no_write))
            samples['first run, no pyc'].append(commit({}))
            samples['pyc present'].append(commit({}))
            samples['pyc present, PYTHONDONTWRITEBYTECODE=1'].append(commit(no_write))
        print(f'prek commit with omk-check + omk-doctor: medians of {args.rounds} in ms; load average '
              f'{os.getloadavg()[0]:.2f}; {removed // args.rounds} __pycache__ folders removed per round')
        for name, values in samples.items():
            print(f'| {name} | {statistics.median(values):.0f} |')
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
