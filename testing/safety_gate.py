"""The bundled safety gate (``safety-check.sh``) as a test subject: payloads in each runtime's
real shape, a run under a chosen PATH, and a small reference of what it must block.

Payload shapes, read from the real clients: kimi-cli 1.52.0 sends
``json.dumps(events.pre_tool_use(...))`` (``", "`` separators, non-ASCII as ``\\uXXXX``); Kimi Code
2.1.0 sends ``JSON.stringify`` of its snake-cased hook input (compact, UTF-8 as is). Both pass the
model's tool arguments as ``tool_input``: ``path`` for WriteFile/StrReplaceFile and Write/Edit,
``command`` for Shell and Bash.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, NamedTuple

from omk_precommit.bundle.resources import asset_text
from omk_precommit.runtimes.registry import KIMI_CLI, KIMI_CODE

GATE_TEXT = asset_text('hooks/safety-check.sh')


class Call(NamedTuple):
    """One tool call of a runtime: its tool name and arguments."""

    tool: str
    args: dict[str, Any]


def write_call(target: str, path: str, content: str = 'x = 1\n') -> Call:
    return Call('WriteFile', {'path': path, 'content': content}) if target == KIMI_CLI else \
        Call('Write', {'path': path, 'content': content})


def edit_call(target: str, path: str, new: str = 'y = 2') -> Call:
    if target == KIMI_CLI:
        return Call('StrReplaceFile', {'path': path, 'edit': {'old': 'x = 1', 'new': new}})
    return Call('Edit', {'path': path, 'old_string': 'x = 1', 'new_string': new})


def shell_call(target: str, command: str) -> Call:
    return Call('Shell', {'command': command}) if target == KIMI_CLI else Call('Bash', {'command': command})


def payload(target: str, call: Call, cwd: str = '/work/project') -> bytes:
    """The PreToolUse payload ``target`` writes on the hook's stdin for ``call``."""
    if target == KIMI_CLI:
        data = {'hook_event_name': 'PreToolUse', 'session_id': 'session-1', 'cwd': cwd,
                'tool_name': call.tool, 'tool_input': call.args, 'tool_call_id': 'call_1'}
        return json.dumps(data).encode()
    assert target == KIMI_CODE
    data = {'hook_event_name': 'PreToolUse', 'session_id': 'session-1', 'cwd': cwd, 'session_title': 'hi',
            'tool_name': call.tool, 'tool_input': call.args, 'tool_call_id': 'call_1'}
    return json.dumps(data, separators=(',', ':'), ensure_ascii=False).encode()


class Verdict(NamedTuple):
    status: int
    stderr: str


def install_gate(directory: Path) -> Path:
    script = directory / 'safety-check.sh'
    script.write_text(GATE_TEXT)
    script.chmod(0o755)
    return script


def run_gate(script: Path, data: bytes, path_env: str | None = None, shell: str = 'sh') -> Verdict:
    """Run the gate on ``data``; ``path_env`` replaces PATH (for busybox or POSIX shims)."""
    env = {'PATH': path_env or os.environ.get('PATH', '/usr/bin:/bin'), 'LANG': 'C.UTF-8'}
    proc = subprocess.run((shell, str(script)), input=data, capture_output=True, env=env, timeout=60)
    return Verdict(proc.returncode, proc.stderr.decode(errors='replace'))


def shim_dir(directory: Path, shims: dict[str, str]) -> str:
    """A PATH whose first directory holds ``name -> command line`` wrappers, then the usual PATH."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, command in shims.items():
        shim = directory / name
        shim.write_text(f'#!/bin/sh\nexec {command} "$@"\n')
        shim.chmod(0o755)
    return f'{directory}{os.pathsep}{os.environ.get("PATH", "/usr/bin:/bin")}'


def busybox_path(directory: Path) -> str | None:
    """A PATH of nothing but busybox applets, or None without busybox."""
    busybox = shutil.which('busybox')
    if busybox is None:
        return None
    directory.mkdir(parents=True, exist_ok=True)
    applets = subprocess.run((busybox, '--list'), capture_output=True, text=True, check=True).stdout.split()
    for applet in applets:
        link = directory / applet
        if not link.exists():
            link.symlink_to(busybox)
    return str(directory)


# The reference: what the gate must block, in a few lines of Python.
ENV_TEMPLATES = {'.env.example', '.env.sample', '.env.template', '.env.dist'}
SSH_KEYS = {'id_rsa', 'id_dsa', 'id_ecdsa', 'id_ed25519', 'id_ecdsa_sk', 'id_ed25519_sk'}
KEY_SUFFIXES = ('.pem', '.key', '.p12', '.pfx', '.jks', '.keystore')
_ASCII_LOWER = str.maketrans('ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')


def normalise(path: str) -> list[str]:
    """The segments of ``path`` as the runtimes open it: ``\\`` as ``/``, no empty or ``.``
    segments, ``..`` resolved (a leading ``..`` stays)."""
    kept: list[str] = []
    for segment in path.replace('\\', '/').split('/'):
        if segment in ('', '.'):
            continue
        if segment == '..' and kept and kept[-1] != '..':
            kept.pop()
            continue
        kept.append(segment)
    return kept


def is_secret(path: str) -> bool:
    """Whether writing ``path`` must be blocked (ASCII case ignored, as on macOS and Windows)."""
    segments = normalise(path.translate(_ASCII_LOWER))
    name = segments[-1] if segments else ''
    parent = segments[-2] if len(segments) > 1 else ''
    return (
        name == '.env' or (name.startswith('.env.') and name not in ENV_TEMPLATES)
        or name in SSH_KEYS or name.endswith(KEY_SUFFIXES)
        or name in ('.netrc', '_netrc', '.git-credentials') or (parent, name) == ('.aws', 'credentials')
    )
