#!/usr/bin/env python3
"""Benchmark the safety gate (``safety-check.sh``) on large payloads (not a test).

For each payload size (default 1, 10 and 50 MB of file content) it builds two PreToolUse
payloads in the runtimes' real shapes: a kimi-cli WriteFile of ``big.txt`` (allowed) and a Kimi
Code Write of ``.env`` with the path *after* the content (blocked). It times the gate on each
with every tool set present (the system ``sh``/``awk``; busybox alone; ``gawk --posix``;
``original-awk``), taking the median of a few rounds of wall-clock time and of CPU time (user +
system of the whole pipeline: the figure a busy machine does not inflate), one row per run. The target is
a 50 MB payload judged in under 2 s (both runtimes treat a hook timeout as "allow"); it exits 1
when the system tools miss it.

    .venv/bin/python scripts/bench_gate.py [--rounds 3] [--sizes 1,10,50]
"""
from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from omk_precommit.runtimes.registry import KIMI_CLI, KIMI_CODE  # noqa: E402
from testing.safety_gate import busybox_path, install_gate, payload, run_gate, shim_dir, write_call  # noqa: E402

TARGET_SECONDS = 2.0


def content(megabytes: int) -> str:
    line = 'def handler(event):  # "quoted" \\ text, key=value\n'
    return (line * (megabytes * 1024 * 1024 // len(line) + 1))[:megabytes * 1024 * 1024]


def tool_sets(base: Path) -> dict[str, str | None]:
    sets: dict[str, str | None] = {'system sh + awk': None}
    busybox = busybox_path(base / 'busybox')
    if busybox:
        sets['busybox'] = busybox
    if shutil.which('gawk'):
        sets['gawk --posix'] = shim_dir(base / 'gawk', {'awk': f'{shutil.which("gawk")} --posix'})
    if shutil.which('original-awk'):
        sets['original-awk'] = shim_dir(base / 'original-awk', {'awk': shutil.which('original-awk') or ''})
    return sets


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--sizes', default='1,10,50', help='payload content sizes in MB, comma-separated')
    args = parser.parse_args(argv)
    missed = False
    with tempfile.TemporaryDirectory(prefix='omk-bench-gate-') as tmp:
        base = Path(tmp)
        gate = install_gate(base)
        print(f'{"tools":<18} {"MB":>4} {"payload":<32} {"median s":>9} {"cpu s":>6} {"verdict":>8}')
        for megabytes in (int(s) for s in args.sizes.split(',')):
            text = content(megabytes)
            cases = []
            for target, path, status in ((KIMI_CLI, 'big.txt', 0), (KIMI_CODE, '.env', 2)):
                call = write_call(target, 'placeholder', text)
                del call.args['path']
                call.args['path'] = path  # after the content
                cases.append((f'{call.tool} {path} (path last)', payload(target, call), status))
            for tools, path_env in tool_sets(base).items():
                shell = 'sh' if tools != 'busybox' else str(Path(path_env or '') / 'sh')
                for name, data, status in cases:
                    times, cpu, verdicts = [], [], set()
                    for _ in range(args.rounds):
                        before = resource.getrusage(resource.RUSAGE_CHILDREN)
                        started = time.perf_counter()
                        verdicts.add(run_gate(gate, data, path_env=path_env, shell=shell).status)
                        times.append(time.perf_counter() - started)
                        after = resource.getrusage(resource.RUSAGE_CHILDREN)
                        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
                    median = statistics.median(times)
                    ok = verdicts == {status}
                    print(f'{tools:<18} {len(data) / 1e6:>4.0f} {name:<32} {median:>9.2f} '
                          f'{statistics.median(cpu):>6.2f} {"ok" if ok else "WRONG":>8}')
                    if not ok or (tools == 'system sh + awk' and megabytes >= 50 and median >= TARGET_SECONDS):
                        missed = True
    sizes = [int(size) for size in args.sizes.split(',')]
    outcome = 'MISSED' if missed else 'met' if max(sizes) >= 50 else 'not measured (no size of 50 MB or more)'
    print(f'target: a 50 MB payload in under {TARGET_SECONDS:.0f} s with the system tools: {outcome}')
    return 1 if missed else 0


if __name__ == '__main__':
    raise SystemExit(main())
