#!/usr/bin/env python3
"""Benchmark rollback planning on large manifests (not a test).

Builds a project in a temporary directory whose manifest manages N files under
``.kimi/skills/``, each replaced at install time, so each has an indexed backup on disk (the
case issue 13 measured at 22 s for 20,000 files when planning was quadratic). Then it times,
with wall-clock medians over a few rounds:

- ``load``: ``AssetManifest.load`` (validation of every path, symlinks followed);
- ``plan``: ``plan_rollback`` (reads every file and its backup, decides each step), in wall
  time and in CPU time (steadier on a shared machine);
- ``dry run``: ``omk-kimi rollback --dry-run`` in-process (load + plan + report).

It prints one row per size, and the ratio of the per-file cost at the largest size to the
smallest: about 1 for a linear (or n log n) planner, about 2 for a quadratic one when the
sizes differ by 2x. Run it with the interpreter omk-precommit is installed in:

    .venv/bin/python scripts/bench_rollback.py [--sizes 10000,20000] [--rounds 3]
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from omk_precommit.cli import main
from omk_precommit.commands.rollback import plan_rollback
from omk_precommit.engine.checksum import compute_checksum
from omk_precommit.engine.manifest import AssetManifest

FILES_PER_DIR = 100


def build(root: Path, n: int) -> None:
    """A project whose manifest manages ``n`` files, each with an indexed backup on disk."""
    files, backups = [], []
    for i in range(n):
        rel = f'.kimi/skills/s{i // FILES_PER_DIR:04d}/f{i:05d}.md'
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        content = f'managed file {i}\n'.encode()
        path.write_bytes(content)
        backup = f'{rel}.omk-backup-20260101T000000000000Z'
        (root / backup).write_bytes(f'the original {i}\n'.encode())
        files.append({'path': rel, 'kind': 'skill', 'checksum': compute_checksum(content)})
        backups.append({'managed_path': rel, 'backup_path': backup, 'created_at': '2026-01-01T00:00:00Z'})
    manifest = {'version': 1, 'created_at': '2026-01-01T00:00:00Z', 'omk_version': 'bench', 'project_dir': '.',
                'files': files, 'directories': ['.kimi/skills'], 'backups': backups}
    (root / '.kimi/omk-manifest.json').write_text(json.dumps(manifest))


def _median(fn: object, rounds: int, clock: Callable[[], float] = time.perf_counter) -> float:
    times = []
    for _ in range(rounds):
        start = clock()
        fn()  # type: ignore[operator]
        times.append(clock() - start)
    return statistics.median(times)


def measure(n: int, rounds: int) -> tuple[float, float, float, float]:
    with tempfile.TemporaryDirectory(prefix='omk-bench-rollback-') as tmp:
        root = Path(tmp)
        build(root, n)
        manifest = AssetManifest.load(root)
        assert manifest is not None

        def dry_run() -> None:
            with contextlib.redirect_stdout(io.StringIO()):
                code = main(['rollback', '--dry-run', '--dir', str(root)])
            assert code == 0, code

        return (
            _median(lambda: AssetManifest.load(root), rounds),
            _median(lambda: plan_rollback(root, manifest, {}), rounds),
            # CPU time of the same planning: steadier than wall time on a shared machine.
            _median(lambda: plan_rollback(root, manifest, {}), rounds, time.process_time),
            _median(dry_run, rounds),
        )


def run(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument('--sizes', default='10000,20000', help='comma-separated file counts')
    parser.add_argument('--rounds', type=int, default=3)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(',')]
    print(f'{"files (each with a backup)":>28} {"load s":>8} {"plan s":>8} {"plan cpu s":>11} {"dry run s":>10} '
          f'{"plan cpu us/file":>17}')
    per_file = []
    for n in sizes:
        load, plan, plan_cpu, dry = measure(n, args.rounds)
        per_file.append(plan_cpu / n)
        print(f'{n:>28,} {load:>8.3f} {plan:>8.3f} {plan_cpu:>11.3f} {dry:>10.3f} {plan_cpu / n * 1e6:>17.1f}')
    if len(sizes) > 1:
        print(f'plan CPU cost per file, {sizes[-1]:,} vs {sizes[0]:,}: x{per_file[-1] / per_file[0]:.2f} '
              '(about 1 when planning is n log n or better; a quadratic planner doubles it per doubling of n)')
    return 0


if __name__ == '__main__':
    sys.exit(run())
