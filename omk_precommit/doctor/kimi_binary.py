"""Doctor check for the ``kimi`` command: advisory only, a missing binary never fails a run.

The only thing ever executed is ``kimi --version``, with stdin closed and a short timeout.
Both known ``kimi`` programs answer it without side effects (kimi-cli 1.52.0 prints its version
and a deprecation notice; Kimi Code 2.x prints its version), whereas kimi-cli 1.52.0 run with
*no* arguments downloads and runs an installer, so no other invocation is ever made.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from pathlib import Path
from typing import NamedTuple

from omk_precommit.engine.findings import DiagResult, Findings
from omk_precommit.runtimes.registry import RUNTIMES, Runtime

VERSION_TIMEOUT = 5.0
_VERSION = re.compile(r'\d+\.\d+(?:\.\d+)?[^\s,]*')


class KimiQuery(NamedTuple):
    """What ``kimi --version`` said: the executable (None: not on PATH), its version, or why there is none."""

    executable: str | None
    version: str | None = None
    problem: str | None = None  # the query failed, timed out or could not run
    archived: bool = False      # the archived Python kimi-cli, whose kimi only prints a deprecation notice

    @property
    def runtime(self) -> Runtime | None:
        """The runtime this ``kimi`` is, by its major version (Kimi Code 2.x, kimi-cli 1.x); None when unknown."""
        if self.version is None:
            return None
        major = self.version.split('.', 1)[0]
        return next((r for r in RUNTIMES.values() if str(r.binary_major) == major), None)


def query_kimi() -> KimiQuery:
    """Ask the ``kimi`` on PATH for its version, the one safe question (see the module docstring)."""
    executable = shutil.which('kimi')
    if executable is None:
        return KimiQuery(None)
    # Telemetry and self-update have no business in a version query.
    env = {**os.environ, 'KIMI_DISABLE_TELEMETRY': '1', 'KIMI_CODE_NO_AUTO_UPDATE': '1'}
    try:
        returncode, output = _run_version_query(executable, env)
    except subprocess.TimeoutExpired:
        return KimiQuery(executable, problem=f'{executable} --version did not answer within {VERSION_TIMEOUT:g} s')
    except OSError as e:
        return KimiQuery(executable, problem=f'{executable} cannot be run ({e.strerror})')
    version = _VERSION.search(output)
    if returncode != 0 or version is None:
        first_line = next((line for line in output.splitlines() if line.strip()), 'no output')
        return KimiQuery(executable, problem=f'{executable} --version failed (exit {returncode}): {first_line.strip()}')
    return KimiQuery(executable, version.group(), archived='no longer maintained' in output)


def check_kimi_binary(runtime: Runtime, root: Path, query: KimiQuery | None = None) -> list[DiagResult]:
    """Ok with the version of ``kimi`` on PATH; a warning when it is missing, archived, does not answer,
    or is the CLI of another runtime while the project at ``root`` has no assets for that one."""
    findings = Findings('kimi')
    kimi = query_kimi() if query is None else query
    hint = runtime.install_hint
    if kimi.executable is None:
        findings.warning(None, f'the kimi command is not on PATH; omk-kimi does not need it, you need it to run '
                               f'the {runtime.product} agents', hint)
    elif kimi.problem is not None:
        findings.warning(None, kimi.problem, hint)
    elif kimi.archived:
        findings.warning(None, f'kimi {kimi.version} at {kimi.executable} is the archived Python kimi-cli; '
                               'its kimi command only prints a deprecation notice'
                               + ('' if kimi.runtime in (runtime, None) else f' and it never reads {runtime.base_dir}/'),
                         hint)
    elif kimi.runtime is not None and kimi.runtime is not runtime and not os.path.isdir(root / kimi.runtime.base_dir):
        other = kimi.runtime
        fix = (f'omk-kimi migrate --to {other.name}' if other.migrates_from == runtime.name
               else f'{other.command("install")} (assets for the CLI you have), or install {runtime.product}: {hint}')
        findings.warning(None, f'kimi {kimi.version} at {kimi.executable} is {other.product}, which reads '
                               f'{other.base_dir}/, not {runtime.base_dir}/: none of these agents, hooks or skills '
                               'run with it', fix)
    else:
        findings.ok(None, f'kimi {kimi.version} at {kimi.executable}')
    return findings.results


def _run_version_query(executable: str, env: dict[str, str]) -> tuple[int, str]:
    """Exit status and combined output of ``executable --version``; kills its whole process group on timeout."""
    # Its own session, so a child that keeps the output pipes open is killed with it.
    proc = subprocess.Popen((executable, '--version'), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=VERSION_TIMEOUT)
    except subprocess.TimeoutExpired:
        if hasattr(os, 'killpg'):
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # Windows: no process groups to kill
            proc.kill()
        proc.communicate()
        raise
    return proc.returncode, f'{stdout.decode(errors="replace")}\n{stderr.decode(errors="replace")}'
