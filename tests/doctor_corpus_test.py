"""Differential tests: on every corpus case the doctor reaches the verdict the real Kimi CLI reaches.

The corpus (``tests/corpus/*.yaml``) holds agent specs, hook configs and skills, valid and subtly
broken. Each case is written into its own project directory, diagnosed by ``diagnose_project``
and judged by kimi-cli 1.52.0's own loaders in one batch subprocess (``testing/kimi_judge_script``).

Agreement, per kind (docs/doctor.md, "Agreement with the real Kimi CLI", states the same):
- agent: the doctor reports an error for the case iff ``KimiCLI.create`` fails to load one of its
  spec files (spec, prompt rendering, tool import, subagent specs).
- hooks: the doctor reports an error iff kimi-cli's ``load_config`` rejects the file, or it loads
  but a hook can never run: its ``HookEngine`` finds the matcher an invalid regex, a Stop
  matcher does not match the empty string Stop is matched against, or running the command
  from the project root exits non-zero (every corpus script exits 0, so that means /bin/sh
  could not run it).
- skills: the doctor accepts a skill iff ``discover_skills`` finds that file under the expected
  name (directory name or flat file stem) with exactly its frontmatter description.
Cases marked ``stricter`` are the documented exceptions, where kimi-cli is lenient and the SPEC
is not; for them the test asserts that kimi-cli does accept the case, so the claim stays true.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from omk_precommit.commands.install import install_project_assets
from omk_precommit.doctor import DiagResult, Severity, diagnose_project
from omk_precommit.runtimes.base import SAFETY_SCRIPT
from omk_precommit.runtimes.kimi_cli.runtime import RUNTIME as KIMI_CLI
from testing.gitrepo import init_repo
from testing.kimi_judge import judge
from testing.pathenv import path_without

CORPUS = Path(__file__).with_name('corpus')
KINDS = {'agents': 'agent', 'hooks': 'hooks', 'skills': 'skills'}  # corpus file stem -> judge kind
EVENTS_MATCHED_AGAINST_EMPTY = {'Stop'}  # kimi-cli triggers Stop with matcher_value "" (soul/kimisoul.py)


@dataclass(frozen=True)
class Case:
    check: str
    id: str
    about: str
    expect: str
    path: str
    files: dict[str, str] = field(default_factory=dict)
    executable: tuple[str, ...] = ()
    judge: tuple[str, ...] = ()
    stricter: str | None = None
    warns: bool = False  # the doctor must also warn about ``path`` (a hook that may never fire, …)
    symlinks: dict[str, str] = field(default_factory=dict)  # link path -> target, as written

    @property
    def name(self) -> str:
        return f'{self.check}/{self.id}'


def load_cases() -> list[Case]:
    cases = []
    for stem in KINDS:
        data = yaml.safe_load((CORPUS / f'{stem}.yaml').read_text())
        defaults = data.get('defaults', {})
        for raw in data['cases']:
            files = {**defaults.get('files', {}), **raw.get('files', {})}
            path = raw.get('path', defaults.get('path'))
            cases.append(Case(
                check=stem, id=raw['id'], about=raw['about'], expect=raw['expect'], path=path,
                files={k: v for k, v in files.items() if v is not None},
                executable=tuple(raw.get('executable', defaults.get('executable', ()))),
                judge=tuple(raw.get('judge', [path])), stricter=raw.get('stricter'),
                warns=raw.get('warns', False), symlinks=raw.get('symlinks', {}),
            ))
    return cases


CASES = load_cases()


def write_case(case: Case, root: Path) -> Path:
    for rel, text in case.files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode())
        path.chmod(0o755 if rel in case.executable else 0o644)
    for rel, target in case.symlinks.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).symlink_to(target)
    return root


@dataclass
class Corpus:
    roots: dict[str, Path]
    results: dict[str, list[DiagResult]]
    installed: Path
    with_user_agent: Path
    verdicts: dict[str, dict[str, Any]] | None = None


@pytest.fixture(scope='module')
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """Every case written and diagnosed (no kimi on PATH), plus two installed projects."""
    base = tmp_path_factory.mktemp('corpus')
    roots = {case.name: write_case(case, base / case.check / case.id) for case in CASES}
    installed = init_repo(base / 'installed')
    install_project_assets(installed)
    with_user_agent = init_repo(base / 'with-user-agent')
    install_project_assets(with_user_agent)
    write_case(Case('agents', 'user', '', 'error', '', files={
        '.kimi/agents/mine/agent.yaml': 'version: 1\nagent:\n  extend: default\n  name: mine\n'
                                        "  tools: ['kimi_cli.tools.file:ReadFile', 'kimi_cli.tools.files:Grep']\n",
    }), with_user_agent)
    home = base / 'home'  # module scope runs before conftest's per-test isolated home
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv('PATH', path_without('kimi'))
        for var, path in (('HOME', home), ('KIMI_SHARE_DIR', home / '.kimi'), ('KIMI_CODE_HOME', home / '.kimi-code')):
            mp.setenv(var, str(path))
        results = {name: diagnose_project(root) for name, root in roots.items()}
    return Corpus(roots, results, installed, with_user_agent)


def _requests(corpus: Corpus) -> list[dict[str, Any]]:
    requests: list[dict[str, Any]] = []
    for case in CASES:
        root = corpus.roots[case.name]
        if case.check == 'agents':
            requests.append({'id': case.name, 'kind': 'agent', 'work_dir': str(root),
                             'agent_files': [str(root / f) for f in case.judge]})
        elif case.check == 'hooks':
            requests.append({'id': case.name, 'kind': 'hooks', 'work_dir': str(root),
                             'config_file': str(root / case.path), 'run': True})
        else:
            target = root / case.path
            requests.append({'id': case.name, 'kind': 'skills', 'skills_dir': str(root / '.kimi/skills'),
                             'files': [str(target)] if target.is_file() else []})
    installed = corpus.installed
    requests += [
        {'id': 'installed/agents', 'kind': 'agent', 'work_dir': str(installed),
         'agent_files': sorted(str(p) for p in installed.glob('.kimi/agents/*/agent.yaml'))},
        {'id': 'installed/hooks', 'kind': 'hooks', 'work_dir': str(installed),
         'config_file': str(installed / '.kimi/hooks.toml.example'), 'run': True},
        {'id': 'installed/skills', 'kind': 'skills', 'skills_dir': str(installed / '.kimi/skills'),
         'files': sorted(str(p) for p in installed.glob('.kimi/skills/*/SKILL.md'))},
        {'id': 'user-agent', 'kind': 'agent', 'work_dir': str(corpus.with_user_agent),
         'agent_files': [str(corpus.with_user_agent / '.kimi/agents/mine/agent.yaml')]},
    ]
    return requests


@pytest.fixture(scope='module')
def verdicts(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """kimi-cli 1.52.0's verdict on every case, from one judge subprocess."""
    if corpus.verdicts is None:
        corpus.verdicts = judge(_requests(corpus), tmp_path_factory.mktemp('judge'))
    return corpus.verdicts


def errors_of(results: list[DiagResult], check: str) -> list[DiagResult]:
    return [r for r in results if r.check == check and r.severity is Severity.ERROR]


def kimi_accepts(case: Case, root: Path, verdict: dict[str, Any]) -> bool:
    if case.check == 'agents':
        return all(load['ok'] for load in verdict['loads'].values())
    if case.check == 'hooks':
        return verdict['loads'] and all(
            not hook['invalid_regex']
            and (hook['event'] not in EVENTS_MATCHED_AGAINST_EMPTY or hook['matches_empty'])
            and hook['exit_code'] == 0
            and not (is_safety_gate(hook) and len(hook['write_tools_matched']) < len(KIMI_CLI.write_tools))
            for hook in verdict['hooks']
        )
    return skill_discovered_as_written(root / case.path, verdict)


def is_safety_gate(hook: dict[str, Any]) -> bool:
    """A PreToolUse hook running the safety script: it must see every write tool, or writes get through."""
    return hook['event'] == 'PreToolUse' and SAFETY_SCRIPT in hook['command']


def skill_discovered_as_written(target: Path, verdict: dict[str, Any]) -> bool:
    """kimi-cli found ``target`` under its directory (or flat) name with its frontmatter description."""
    name = target.parent.name if target.name.upper() == 'SKILL.MD' else target.stem
    frontmatter = verdict['frontmatter'].get(str(target))
    if not isinstance(frontmatter, dict) or '__error__' in frontmatter or 'description' not in frontmatter:
        return False
    return any(
        os.path.samefile(skill['file'], target) and skill['name'] == name
        and skill['description'] == frontmatter['description']
        for skill in verdict['skills'] if os.path.exists(skill['file'])
    )


@pytest.mark.parametrize('case', [c for c in CASES if c.warns], ids=lambda c: c.name)
def test_doctor_warns_about_case(case: Case, corpus: Corpus) -> None:
    warnings = [r for r in corpus.results[case.name] if r.severity is Severity.WARNING and r.path == case.path]
    assert warnings, f'{case.about}: {corpus.results[case.name]}'


def test_corpus_has_forty_cases_valid_and_broken_of_every_kind() -> None:
    assert len(CASES) >= 40
    for check in KINDS:
        assert {c.expect for c in CASES if c.check == check} == {'ok', 'error'}
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize('case', [c for c in CASES if c.expect == 'error'], ids=lambda c: c.name)
def test_doctor_reports_broken_case_as_error_naming_the_file(case: Case, corpus: Corpus) -> None:
    errors = errors_of(corpus.results[case.name], case.check)
    assert case.path in {r.path for r in errors}, f'{case.about}: {corpus.results[case.name]}'


@pytest.mark.parametrize('case', [c for c in CASES if c.expect == 'ok'], ids=lambda c: c.name)
def test_doctor_passes_valid_case(case: Case, corpus: Corpus) -> None:
    results = corpus.results[case.name]
    assert not [r for r in results if r.severity is Severity.ERROR], case.about
    assert any(r.path == case.path and r.severity is Severity.OK for r in results) or \
        any(r.path == case.path for r in results if r.check == case.check), case.about


@pytest.mark.parametrize('case', CASES, ids=lambda c: c.name)
def test_doctor_agrees_with_real_kimi_cli(case: Case, corpus: Corpus, verdicts: dict[str, dict[str, Any]]) -> None:
    doctor_rejects = bool(errors_of(corpus.results[case.name], case.check))
    verdict = verdicts[case.name]
    accepted = kimi_accepts(case, corpus.roots[case.name], verdict)
    if case.stricter:
        assert doctor_rejects and accepted, f'{case.about}: expected kimi-cli to accept it ({case.stricter}); {verdict}'
    else:
        assert doctor_rejects != accepted, f'{case.about}: doctor rejects={doctor_rejects}, kimi-cli: {verdict}'


def test_every_bundled_agent_loads_in_real_kimi_cli(corpus: Corpus, verdicts: dict[str, dict[str, Any]]) -> None:
    loads = verdicts['installed/agents']['loads']
    assert len(loads) == 6
    for file, load in loads.items():
        assert load['ok'], f'{file}: {load}'
        assert load['name'] == Path(file).parent.name
        assert load['tools'], file


def test_bundled_hooks_load_and_run_in_real_kimi_cli(corpus: Corpus, verdicts: dict[str, dict[str, Any]]) -> None:
    verdict = verdicts['installed/hooks']
    assert verdict['loads'], verdict
    assert {h['event'] for h in verdict['hooks']} == {'PreToolUse', 'Stop', 'SubagentStart', 'SubagentStop'}
    for hook in verdict['hooks']:
        assert not hook['invalid_regex'] and hook['exit_code'] == 0, hook


def test_bundled_skills_are_discovered_as_written(corpus: Corpus, verdicts: dict[str, dict[str, Any]]) -> None:
    verdict = verdicts['installed/skills']
    files = list(verdict['frontmatter'])
    assert files
    for file in files:
        assert skill_discovered_as_written(Path(file), verdict), verdict


def test_user_agent_rejected_by_kimi_cli_is_an_error_though_no_manifest_lists_it(
    corpus: Corpus, verdicts: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch,
) -> None:
    rel = '.kimi/agents/mine/agent.yaml'
    (load,) = verdicts['user-agent']['loads'].values()
    assert not load['ok'] and 'InvalidToolError' in load['error']
    manifest = (corpus.with_user_agent / '.kimi/omk-manifest.json').read_text()
    assert rel not in manifest
    monkeypatch.setenv('PATH', path_without('kimi'))
    errors = errors_of(diagnose_project(corpus.with_user_agent), 'agents')
    assert [r.path for r in errors] == [rel]
    assert 'kimi_cli.tools.files:Grep' in errors[0].message and 'kimi_cli.tools.file:Grep' in (errors[0].fix or '')
