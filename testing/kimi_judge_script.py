"""Run inside the kimi-cli venv: ask the real Kimi CLI 1.52 loaders about a batch of requests.

Usage: python -P kimi_judge_script.py REQUESTS.json VERDICTS.json  (writes {id: verdict} as JSON).

Requests (one subprocess answers all of them, so kimi-cli is imported once):
- {"id", "kind": "agent", "work_dir", "agent_files": [...]}: full load of each file with
  ``KimiCLI.create`` (spec, prompt rendering, tool import, subagent specs), no LLM configured.
- {"id", "kind": "hooks", "work_dir", "config_file", "run": bool}: ``load_config(file)``; per hook
  whether ``HookEngine._match_regex`` finds its matcher invalid and whether it matches the empty
  string Stop is matched against, and which write tools it matches; with "run", the hook's exit code when ``HookEngine`` runs it
  (matcher cleared so it fires) from ``work_dir`` with an ordinary payload (a plain file write
  for tool events).
- {"id", "kind": "skills", "skills_dir", "files": [...]}: ``discover_skills(scope="project")``
  and kimi-cli's own ``parse_frontmatter`` of each listed file.
"""
from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

_SCRATCH = Path(tempfile.mkdtemp(prefix='omk-kimi-judge-'))
# Sessions and metadata go to the share dir: never let them reach a real home directory.
os.environ['KIMI_SHARE_DIR'] = str(_SCRATCH / 'share')
os.environ['HOME'] = str(_SCRATCH / 'home')
os.environ['KIMI_DISABLE_TELEMETRY'] = '1'

from kaos.path import KaosPath  # noqa: E402
from kimi_cli import logger  # noqa: E402
from kimi_cli.app import KimiCLI  # noqa: E402
from kimi_cli.config import Config, load_config  # noqa: E402
from kimi_cli.hooks.engine import HookEngine  # noqa: E402
from kimi_cli.session import Session  # noqa: E402
from kimi_cli.skill import discover_skills  # noqa: E402
from kimi_cli.utils.frontmatter import parse_frontmatter  # noqa: E402

LOGS: list[str] = []
WRITE_TOOLS = ('WriteFile', 'StrReplaceFile')
logger.enable('kimi_cli')
logger.remove()
logger.add(lambda m: LOGS.append(f"{m.record['level'].name}: {m.record['message']}"), level='WARNING')


def _error(e: BaseException) -> str:
    return f'{type(e).__name__}: {" ".join(str(e).split())[:500]}'


async def _full_load(work_dir: Path, agent_file: Path) -> dict[str, object]:
    session = await Session.create(KaosPath.unsafe_from_local_path(work_dir))
    cli = await KimiCLI.create(session, config=Config(telemetry=False), agent_file=agent_file, ui_mode='print')
    agent = cli.soul.agent
    return {'name': agent.name, 'tools': [t.name for t in agent.toolset.tools]}


def judge_agent(request: dict[str, Any]) -> dict[str, object]:
    loads = {}
    for file in request['agent_files']:
        try:
            loads[file] = {'ok': True, **asyncio.run(_full_load(Path(request['work_dir']), Path(file)))}
        except BaseException as e:  # noqa: B036 - RecursionError, SystemExit: all are rejections
            loads[file] = {'ok': False, 'error': _error(e)}
    return {'loads': loads}


def judge_hooks(request: dict[str, Any]) -> dict[str, object]:
    try:
        config = load_config(Path(request['config_file']))
    except Exception as e:
        return {'loads': False, 'error': _error(e)}
    hooks = []
    for hook in config.hooks:
        LOGS.clear()
        engine = HookEngine([hook], cwd=request['work_dir'])
        matches_empty = engine._match_regex(hook.matcher, '')
        verdict = {
            'event': hook.event, 'matcher': hook.matcher, 'command': hook.command, 'matches_empty': matches_empty,
            'invalid_regex': any('Invalid regex' in line for line in LOGS),
            # The file-write tools (``WriteFile``, ``StrReplaceFile``) this matcher lets the hook see.
            'write_tools_matched': [t for t in WRITE_TOOLS if engine._match_regex(hook.matcher, t)],
        }
        if request.get('run'):
            runner = HookEngine([hook.model_copy(update={'matcher': ''})], cwd=request['work_dir'])
            payload: dict[str, object] = {'hook_event_name': hook.event}
            if hook.event in ('PreToolUse', 'PostToolUse'):
                # An ordinary write: the safety hook blocks (fails closed) when it cannot see one.
                payload.update(tool_name='WriteFile', tool_input={'path': 'notes.md', 'content': 'x'})
            results = asyncio.run(runner.trigger(hook.event, matcher_value='', input_data=payload))
            verdict['exit_code'] = results[0].exit_code if results else None
            verdict['stderr'] = results[0].stderr.strip()[:300] if results else ''
        hooks.append(verdict)
    return {'loads': True, 'hooks': hooks}


def judge_skills(request: dict[str, Any]) -> dict[str, object]:
    try:
        skills_dir = KaosPath.unsafe_from_local_path(Path(request['skills_dir']))
        skills = asyncio.run(discover_skills(skills_dir, scope='project'))
    except Exception as e:
        return {'error': _error(e), 'skills': [], 'frontmatter': {}}
    frontmatter = {}
    for file in request['files']:
        try:
            frontmatter[file] = parse_frontmatter(Path(file).read_text(encoding='utf-8'))
        except Exception as e:
            frontmatter[file] = {'__error__': _error(e)}
    return {
        'skills': [{'name': s.name, 'description': s.description, 'file': str(s.skill_md_file)} for s in skills],
        'frontmatter': frontmatter,
    }


def main() -> None:
    requests = json.loads(Path(sys.argv[1]).read_text())
    judges = {'agent': judge_agent, 'hooks': judge_hooks, 'skills': judge_skills}
    verdicts = {r['id']: judges[r['kind']](r) for r in requests}
    Path(sys.argv[2]).write_text(json.dumps(verdicts, default=str))


main()
