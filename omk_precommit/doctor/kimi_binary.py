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

from omk_precommit.engine.findings import DiagResult, Findings

VERSION_TIMEOUT = 5.0
INSTALL_HINT = 'npm install -g @moonshot-ai/kimi-code'
_VERSION = re.compile(r'\d+\.\d+(?:\.\d+)?[^\s,]*')


def check_kimi_binary(install_hint: str = INSTALL_HINT) -> list[DiagResult]:
    """Ok with the version of ``kimi`` on PATH; a warning when it is missing (naming ``install_hint``,
    the checked runtime's CLI), archived or does not answer."""
    findings = Findings('kimi')
    executable = shutil.which('kimi')
    if executable is None:
        findings.warning(None, 'the kimi command is not on PATH; omk-kimi does not need it, you need it to run the agents',
                         install_hint)
        return findings.results
    # Telemetry and self-update have no business in a version query.
    env = {**os.environ, 'KIMI_DISABLE_TELEMETRY': '1', 'KIMI_CODE_NO_AUTO_UPDATE': '1'}
    try:
        returncode, output = _run_version_query(executable, env)
    except subprocess.TimeoutExpired:
        findings.warning(None, f'{executable} --version did not answer within {VERSION_TIMEOUT:g} s', INSTALL_HINT)
        return findings.results
    except OSError as e:
        findings.warning(None, f'{executable} cannot be run ({e.strerror})', INSTALL_HINT)
        return findings.results
    version = _VERSION.search(output)
    if returncode != 0 or version is None:
        first_line = next((line for line in output.splitlines() if line.strip()), 'no output')
        findings.warning(None, f'{executable} --version failed (exit {returncode}): {first_line.strip()}', INSTALL_HINT)
    elif 'no longer maintained' in output:
        findings.warning(None, f'kimi {version.group()} at {executable} is the archived Python kimi-cli; '
                               'its kimi command only prints a deprecation notice', INSTALL_HINT)
    else:
        findings.ok(None, f'kimi {version.group()} at {executable}')
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
