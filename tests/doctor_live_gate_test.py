"""Live sessions through dead safety gates: whenever a real Kimi Code session writes a private key
past the gate, ``omk-kimi doctor --target kimi-code`` must exit non-zero.

Each variant breaks the bundled safety gate the way a user might (the other CLI's tool names, a
stray space, the wrong case, a missing script behind a wrapper, an interpreter that is not
installed, a blank command) in both the project's ``hooks.toml.example`` and the Kimi Code
config the session runs with. The scripted local model (``testing/fake_llm.py``) then asks the
real ``kimi`` 2.1.0 to write ``certs/server.pem`` and to put a private key into ``ok.txt`` with
Edit. The unbroken gate is the control: it blocks both, and the doctor passes.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from omk_precommit.cli import main
from omk_precommit.commands.install import install_project_assets
from testing.fake_llm import fake_llm
from testing.gitrepo import init_repo
from testing.kimi_code import KimiCode

EXAMPLE = '.kimi-code/hooks.toml.example'
SCRIPT = '.kimi-code/hooks/safety-check.sh'
KEY = '-----BEGIN RSA PRIVATE KEY-----'
REPLIES = [
    {'tool': 'Write', 'args': {'path': 'certs/server.pem', 'content': f'{KEY}\nsecret\n'}},
    {'tool': 'Write', 'args': {'path': 'ok.txt', 'content': 'fine\n'}},
    {'tool': 'Edit', 'args': {'path': 'ok.txt', 'old_string': 'fine', 'new_string': KEY}},
    {'text': 'done'},
]


def _matcher(new: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        example = root / EXAMPLE
        example.write_text(example.read_text().replace('matcher = "^(Write|Edit)$"', f'matcher = "{new}"', 1))
    return apply


def _command(new: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        example = root / EXAMPLE
        example.write_text(example.read_text().replace(f'command = "{SCRIPT}"', f'command = "{new}"', 1))
    return apply


def _interpreter(root: Path) -> None:
    script = root / SCRIPT
    script.write_text(script.read_text().replace('#!/bin/sh', '#!/usr/bin/env python9', 1))


VARIANTS: dict[str, Callable[[Path], None] | None] = {
    'bundled-gate': None,
    'kimi-cli-tool-names': _matcher('^(WriteFile|StrReplaceFile)$'),
    'wrong-case': _matcher('^(write|edit)$'),
    'stray-space': _matcher('^( Write|Edit)$'),
    'write-only': _matcher('^Write$'),
    'missing-script-behind-timeout': _command(f'timeout 5 {SCRIPT}.old'),
    'missing-script-behind-sh-c': _command(f"sh -c '{SCRIPT}.old'"),
    'interpreter-not-installed': _interpreter,
    'blank-command': _command('  '),
}


def _session(kimi_code: KimiCode, project: Path, home: Path) -> bool:
    """Run the scripted session; True when a private key reached the disk."""
    with fake_llm(REPLIES) as llm:
        (home / 'config.toml').write_text(llm.config_toml() + '\n' + (project / EXAMPLE).read_text())
        proc = kimi_code.run('-p', 'write things', '--agent', 'executor', cwd=project, kimi_code_home=home)
    assert proc.returncode == 0, proc.stderr
    ok = project / 'ok.txt'
    return (project / 'certs/server.pem').exists() or (ok.exists() and KEY in ok.read_text())


@pytest.mark.parametrize('variant', VARIANTS, ids=str)
def test_no_write_gets_through_the_gate_while_the_doctor_passes(
    variant: str, kimi_code: KimiCode, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    project = init_repo(tmp_path / 'project')
    install_project_assets(project, target='kimi-code')
    breaks = VARIANTS[variant]
    if breaks is not None:
        breaks(project)
    home = tmp_path / 'kimi-code-home'
    home.mkdir()
    wrote_through = _session(kimi_code, project, home)
    monkeypatch.chdir(project)
    monkeypatch.setenv('KIMI_CODE_HOME', str(home))
    doctor_exit = main(['doctor', '--target', 'kimi-code'])
    assert not (wrote_through and doctor_exit == 0), f'{variant}: a key was written and the doctor passed'
    # The variants are real: each broken gate lets the key through, the bundled one does not.
    assert wrote_through == (breaks is not None), variant
    assert doctor_exit == (0 if breaks is None else 1), variant
