"""Live sessions through dead safety gates: whenever a real session writes a private key past the
gate, ``omk-kimi doctor`` must exit non-zero. Both runtimes: kimi-cli 1.52.0 (its own ``KimiCLI``
in print mode, approvals off, ``testing/kimi_cli_session_script.py``) and Kimi Code 2.1.0 (``kimi -p``).

Each variant breaks the bundled safety gate the way a user might (the other CLI's tool names, a
stray space, the wrong case, one write tool only, a missing script behind a wrapper, an
interpreter that is not installed, a blank command) in the project's ``hooks.toml.example``,
which is also the hooks config the session runs with. The scripted local model
(``testing/fake_llm.py``) then asks for ``server.pem`` to be written (at the root: kimi-cli's
WriteFile does not create directories) and for a private key to be put into ``ok.txt`` with the
edit tool. The unbroken gate is the control: it blocks both,
and the doctor passes. The fast tier runs the sessions of ``LIVE_IN_THE_FAST_TIER`` only.
"""
from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from omk_precommit.cli import main
from omk_precommit.commands.install import install_project_assets
from omk_precommit.runtimes.base import SAFETY_SCRIPT, Runtime
from omk_precommit.runtimes.registry import RUNTIMES, get_runtime
from testing.fake_llm import FakeLLM, fake_llm
from testing.gitrepo import init_repo
from testing.kimi_cli import kimi_cli_python
from testing.kimi_code import KimiCode
from testing.tier import is_full

KEY = '-----BEGIN RSA PRIVATE KEY-----'
SESSION_SCRIPT = Path(__file__).parents[1] / 'testing' / 'kimi_cli_session_script.py'
Breakage = Callable[[Path, Runtime], None]


def _edit_example(root: Path, runtime: Runtime, old: str, new: str) -> None:
    example = root / runtime.base_dir / 'hooks.toml.example'
    text = example.read_text()
    assert old in text
    example.write_text(text.replace(old, new, 1))


def _matcher(new: Callable[[Runtime], str]) -> Breakage:
    return lambda root, rt: _edit_example(root, rt, f'matcher = "{rt.gate_matcher}"', f'matcher = "{new(rt)}"')


def _command(new: Callable[[str], str]) -> Breakage:
    def apply(root: Path, rt: Runtime) -> None:
        script = f'{rt.hooks_dir}/{SAFETY_SCRIPT}'
        _edit_example(root, rt, f'command = "{script}"', f'command = "{new(script)}"')
    return apply


def _interpreter(root: Path, rt: Runtime) -> None:
    script = root / rt.hooks_dir / SAFETY_SCRIPT
    script.write_text(script.read_text().replace('#!/bin/sh', '#!/usr/bin/env python9', 1))


def _other_names(rt: Runtime) -> str:
    (other,) = [r for r in RUNTIMES.values() if r is not rt]
    return other.gate_matcher


VARIANTS: dict[str, Breakage | None] = {
    'bundled-gate': None,
    'other-cli-tool-names': _matcher(_other_names),
    'wrong-case': _matcher(lambda rt: rt.gate_matcher.lower()),
    'stray-space': _matcher(lambda rt: rt.gate_matcher.replace('(', '( ', 1)),
    'first-write-tool-only': _matcher(lambda rt: f'^{rt.write_tools[0]}$'),
    'missing-script-behind-timeout': _command(lambda script: f'timeout 5 {script}.old'),
    'missing-script-behind-sh-c': _command(lambda script: f"sh -c '{script}.old'"),
    'interpreter-not-installed': _interpreter,
    'blank-command': _command(lambda script: '  '),
}


# The fast tier runs a live session for the control and two breakages per runtime (the doctor's
# verdict on every variant still); the full tier runs every session.
LIVE_IN_THE_FAST_TIER = {
    ('kimi-cli', 'bundled-gate'), ('kimi-cli', 'other-cli-tool-names'), ('kimi-cli', 'missing-script-behind-sh-c'),
    ('kimi-code', 'bundled-gate'), ('kimi-code', 'wrong-case'), ('kimi-code', 'interpreter-not-installed'),
}


def _replies(rt: Runtime) -> list[dict[str, Any]]:
    write, edit = rt.write_tools
    edit_args: dict[str, Any] = ({'path': 'ok.txt', 'edit': {'old': 'fine', 'new': KEY}} if edit == 'StrReplaceFile'
                                 else {'path': 'ok.txt', 'old_string': 'fine', 'new_string': KEY})
    return [
        {'tool': write, 'args': {'path': 'server.pem', 'content': f'{KEY}\nsecret\n'}},
        {'tool': write, 'args': {'path': 'ok.txt', 'content': 'fine\n'}},
        {'tool': edit, 'args': edit_args},
        {'text': 'done'},
    ]


def _kimi_cli_session(project: Path, home: Path, llm: FakeLLM) -> subprocess.CompletedProcess[str]:
    python = kimi_cli_python()
    if python is None:
        pytest.skip('kimi-cli 1.52.0 needs Python >= 3.12.2 and none was found (set OMK_KIMI_PYTHON to one)')
    config = home / 'config.toml'
    config.write_text(llm.config_toml().replace('type = "openai"', 'type = "openai_legacy"') + '\n'
                      + (project / '.kimi/hooks.toml.example').read_text())
    return subprocess.run(
        (str(python), '-P', str(SESSION_SCRIPT), str(project), str(config),
         str(project / '.kimi/agents/executor/agent.yaml'), 'write things'),
        capture_output=True, text=True, timeout=300, check=False,
    )


def _session(target: str, project: Path, home: Path, request: pytest.FixtureRequest) -> bool:
    """Run the scripted session; True when a private key reached the disk."""
    rt = get_runtime(target)
    with fake_llm(_replies(rt)) as llm:
        if target == 'kimi-cli':
            proc = _kimi_cli_session(project, home, llm)
        else:
            kimi_code: KimiCode = request.getfixturevalue('kimi_code')
            example = (project / rt.base_dir / 'hooks.toml.example').read_text()
            (home / 'config.toml').write_text(llm.config_toml() + '\n' + example)
            proc = kimi_code.run('-p', 'write things', '--agent', 'executor', cwd=project, kimi_code_home=home)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert len(llm.requests) == 4, proc.stderr[-3000:]  # every scripted tool call was made
    ok = project / 'ok.txt'
    return (project / 'server.pem').exists() or (ok.exists() and KEY in ok.read_text())


@pytest.mark.parametrize('variant', VARIANTS, ids=str)
@pytest.mark.parametrize('target', ['kimi-cli', 'kimi-code'])
def test_no_write_gets_through_the_gate_while_the_doctor_passes(
    target: str, variant: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest,
) -> None:
    rt = get_runtime(target)
    project = init_repo(tmp_path / 'project')
    install_project_assets(project, target=target)
    breaks = VARIANTS[variant]
    if breaks is not None:
        breaks(project, rt)
    home = tmp_path / 'home-of-the-cli'
    home.mkdir()
    monkeypatch.chdir(project)
    monkeypatch.setenv(rt.home_env, str(home))
    if is_full() or (target, variant) in LIVE_IN_THE_FAST_TIER:
        wrote_through = _session(target, project, home, request)
        # The variants are real: each broken gate lets the key through, the bundled one does not.
        assert wrote_through == (breaks is not None), variant
    doctor_exit = main(['doctor', *rt.target_option.split()])
    assert doctor_exit == (0 if breaks is None else 1), variant
