"""Differential tests for ``--target kimi-code``: the doctor reaches the verdict the real Kimi Code 2.1.0 reaches.

The corpus is ``tests/corpus/kimi_code.yaml`` (its header says how each kind is judged). Agreement:
- agent or skill: the doctor reports an error for the file iff Kimi Code's discovery logs that it
  skips it; ``ignored`` cases are files Kimi Code never reads: the doctor warns, and discovery
  neither loads nor mentions them.
- hooks: every table loads (``kimi doctor config`` on all of them at once), and the doctor reports an
  error iff a hook can never work: its matcher is not a JavaScript regex, a safety gate's matcher
  misses one of Kimi Code's write tools (evaluated by Kimi Code's own ``matches$1``), or its command
  exits non-zero when run as Kimi Code runs it (every corpus script exits 0).
Cases marked ``stricter`` are the documented exceptions: Kimi Code accepts them, the doctor does not.
"""
from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from omk_precommit.doctor import DiagResult, Severity, diagnose_project
from omk_precommit.runtimes.base import SAFETY_SCRIPT
from omk_precommit.runtimes.kimi_code.runtime import RUNTIME as KIMI_CODE
from testing.kimi_code import KimiCode
from testing.pathenv import path_without

CORPUS = yaml.safe_load((Path(__file__).with_name('corpus') / 'kimi_code.yaml').read_text(encoding='utf-8'))
JUDGE = Path(__file__).parents[1] / 'testing' / 'kimi_code_hook_judge.mjs'
GUARD = '#!/bin/sh\ncat >/dev/null\nexit 0\n'


@dataclass(frozen=True)
class Case:
    kind: str
    id: str
    about: str
    expect: str
    path: str
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f'{self.kind}/{self.id}'


def _path(kind: str, raw: dict[str, Any]) -> str:
    default = {'agents': f'.kimi-code/agents/{raw["id"]}.md', 'skills': f'.kimi-code/skills/{raw["id"]}/SKILL.md',
               'hooks': '.kimi-code/hooks.toml.example'}[kind]
    return str(raw.get('path', default))


CASES = [Case(kind, raw['id'], raw['about'], raw['expect'], _path(kind, raw), raw)
         for kind in ('agents', 'skills', 'hooks') for raw in CORPUS[kind]]


def _hook_table(case: Case) -> dict[str, str]:
    raw = case.raw
    default_command = '.kimi-code/hooks/gate.sh' if 'script' in raw else f'.kimi-code/hooks/{SAFETY_SCRIPT}'
    return {'event': raw.get('event', 'PreToolUse'), 'command': raw.get('command', default_command),
            'matcher': raw.get('matcher', KIMI_CODE.gate_matcher)}


def _toml(table: dict[str, str]) -> str:
    return '[[hooks]]\n' + ''.join(f'{key} = {json.dumps(value)}\n' for key, value in table.items()) + 'timeout = 10\n'


def _write(root: Path, rel: str, text: str, *, executable: bool = False) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode())
    path.chmod(0o755 if executable else 0o644)


def _write_discovered(root: Path, case: Case) -> None:
    """An agent or skill case into the shared project; a symlinked directory gets its real files outside ``.kimi-code``."""
    symlink = case.raw.get('symlink')
    if symlink:
        link, target = symlink
        real = (root / link).parent / target
        real.mkdir(parents=True, exist_ok=True)
        (root / link).parent.mkdir(parents=True, exist_ok=True)
        (root / link).symlink_to(target)
        _write(real, Path(case.path).name if case.kind == 'agents' else 'SKILL.md', case.raw['text'])
    else:
        _write(root, case.path, case.raw['text'])


@dataclass
class Corpus:
    shared: Path
    roots: dict[str, Path]
    results: dict[str, list[DiagResult]]


@pytest.fixture(scope='module')
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    base = tmp_path_factory.mktemp('kimi-code-corpus')
    shared = base / 'shared-project'
    (shared / '.kimi-code').mkdir(parents=True)
    roots: dict[str, Path] = {}
    for case in CASES:
        if case.kind == 'hooks':
            root = base / 'hooks' / case.id
            _write(root, case.path, _toml(_hook_table(case)))
            _write(root, f'.kimi-code/hooks/{SAFETY_SCRIPT}', GUARD, executable=True)
            _write(root, '.kimi-code/hooks/guard.sh', GUARD, executable=True)
            if 'script' in case.raw:
                _write(root, '.kimi-code/hooks/gate.sh', case.raw['script'], executable=True)
            roots[case.name] = root
        else:
            _write_discovered(shared, case)
            roots[case.name] = shared
    home = base / 'home'
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv('PATH', path_without('kimi'))
        for var, path in (('HOME', home), ('KIMI_SHARE_DIR', home / '.kimi'), ('KIMI_CODE_HOME', home / '.kimi-code')):
            mp.setenv(var, str(path))
        results = {str(root): diagnose_project(root, target='kimi-code') for root in set(roots.values())}
    return Corpus(shared, roots, {name: results[str(root)] for name, root in roots.items()})


@pytest.fixture(scope='module')
def verdicts(corpus: Corpus, kimi_code: KimiCode, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Kimi Code's discovery of the shared project, its config check of every hook table, and its
    matcher and shell run of each hook case: three node processes for the whole corpus."""
    scratch = tmp_path_factory.mktemp('kimi-code-judge')
    discovery = kimi_code.discover(corpus.shared, scratch)
    hook_cases = [c for c in CASES if c.kind == 'hooks']
    combined = scratch / 'all-hooks.toml'
    combined.write_text(''.join(_toml(_hook_table(c)) for c in hook_cases))
    config = kimi_code.doctor_config(combined, scratch)
    requests = [{'id': c.name, 'cwd': str(corpus.roots[c.name]), 'hooks': [_hook_table(c)]} for c in hook_cases]
    (scratch / 'requests.json').write_text(json.dumps(requests))
    main_mjs = kimi_code.prefix / 'node_modules/@moonshot-ai/kimi-code/dist/main.mjs'
    node = kimi_code.prefix / 'node_modules/.bin/node'
    proc = subprocess.run((str(node), str(JUDGE), str(main_mjs), str(scratch / 'requests.json'), str(scratch / 'verdicts.json')),
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    return {'discovery': discovery, 'config': config, 'hooks': json.loads((scratch / 'verdicts.json').read_text())}


def kimi_code_accepts(case: Case, corpus: Corpus, verdicts: dict[str, Any]) -> bool:
    if case.kind == 'hooks':
        return all(
            hook['valid_regex'] and hook['exit_code'] == 0
            and not (hook['event'] in KIMI_CODE.empty_matched_events and not hook['matches_empty'])
            and not (hook['event'] == 'PreToolUse' and SAFETY_SCRIPT in hook['command']
                     and len(hook['write_tools_matched']) < len(KIMI_CODE.write_tools))
            for hook in verdicts['hooks'][case.name]
        )
    return not _skipped(case, corpus, verdicts)


def _skipped(case: Case, corpus: Corpus, verdicts: dict[str, Any]) -> bool:
    absolute = str(corpus.shared / case.path)
    real = str((corpus.shared / case.path).resolve())
    return any(absolute in w or real in w for w in verdicts['discovery'].warnings)


def _errors(case: Case, corpus: Corpus) -> list[DiagResult]:
    return [r for r in corpus.results[case.name] if r.severity is Severity.ERROR and r.path == case.path]


def test_corpus_covers_every_kind_both_ways() -> None:
    assert len(CASES) >= 35
    for kind in ('agents', 'skills', 'hooks'):
        assert {'ok', 'error'} <= {c.expect for c in CASES if c.kind == kind}


def test_every_hook_table_of_the_corpus_loads_in_kimi_code(verdicts: dict[str, Any]) -> None:
    assert verdicts['config'].ok, verdicts['config'].output


@pytest.mark.parametrize('case', CASES, ids=lambda c: c.name)
def test_doctor_verdict_is_the_expected_one(case: Case, corpus: Corpus) -> None:
    errors = _errors(case, corpus)
    warnings = [r for r in corpus.results[case.name] if r.severity is Severity.WARNING and r.path == case.path]
    assert bool(errors) == (case.expect == 'error'), f'{case.about}: {corpus.results[case.name]}'
    if case.expect == 'ignored' or case.raw.get('warns'):
        assert warnings, f'{case.about}: {corpus.results[case.name]}'


@pytest.mark.parametrize('case', CASES, ids=lambda c: c.name)
def test_doctor_agrees_with_real_kimi_code(case: Case, corpus: Corpus, verdicts: dict[str, Any]) -> None:
    doctor_rejects = bool(_errors(case, corpus))
    accepted = kimi_code_accepts(case, corpus, verdicts)
    if case.expect == 'ignored':
        name = case.raw['id']
        assert name not in verdicts['discovery'].profiles and not _skipped(case, corpus, verdicts), case.about
    elif case.raw.get('stricter'):
        assert doctor_rejects and accepted, f'{case.about}: expected Kimi Code to accept it ({case.raw["stricter"]})'
    else:
        assert doctor_rejects != accepted, f'{case.about}: doctor rejects={doctor_rejects}, Kimi Code: {verdicts}'


def test_recorded_tool_names_are_tools_kimi_code_registers(kimi_code: KimiCode) -> None:
    source = (kimi_code.prefix / 'node_modules/@moonshot-ai/kimi-code/dist/main.mjs').read_text(encoding='utf-8')
    assert set(KIMI_CODE.write_tools) | set(KIMI_CODE.shell_tools) <= set(KIMI_CODE.tool_names)
    for name in KIMI_CODE.tool_names:
        assert f'name: "{name}",' in source, name
