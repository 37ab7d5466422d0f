"""``agents``, ``hooks`` and ``skills``: list what the bundle holds, for the chosen runtime."""
from __future__ import annotations

import argparse

from omk_precommit.commands.base import EXIT_CLEAN, runtime_of
from omk_precommit.render.output import print_json
from omk_precommit.render.quote import one_line


def rows(what: str, args: argparse.Namespace) -> list[dict[str, object]]:
    """One row per bundled agent, hook or skill of the runtime ``--target`` names."""
    from omk_precommit.bundle.agents import default_role_agents
    from omk_precommit.runtimes.bundled import bundled_assets
    from omk_precommit.runtimes.hookdefs import default_project_hooks

    runtime = runtime_of(args)
    if what == 'agents':
        return [{'id': a.id, 'description': a.description, 'tools': list(runtime.agent_tools(a))}
                for a in default_role_agents()]
    if what == 'hooks':
        return [{'script': h.command, 'event': h.event.value, 'matcher': h.matcher, 'timeout': h.timeout}
                for s in default_project_hooks(runtime=runtime).scripts for h in s.hooks]
    return [{'id': a.path.split('/')[2], 'path': a.path} for a in bundled_assets(runtime)
            if a.path.endswith('/SKILL.md')]


def print_rows(what: str, args: argparse.Namespace) -> int:
    found = rows(what, args)
    if args.json:
        print_json(found)
    else:
        for row in found:
            print('  '.join(one_line(','.join(v) if isinstance(v, list) else v) for v in row.values()))
    return EXIT_CLEAN
