"""Does the safety gate fire? The bundled ``hooks.toml.example`` must run ``hooks/safety-check.sh``
on PreToolUse with a matcher that matches every file-writing tool of the runtime; otherwise the
runtime writes secrets unchecked. ``bundle check`` applies it to a bundle's files.
"""
from __future__ import annotations

import re
from pathlib import Path

from omk_precommit.engine.findings import Findings, Severity
from omk_precommit.runtimes.base import Runtime
from omk_precommit.runtimes.hook_rules import load_hook_tables

GATE_SCRIPT = 'safety-check.sh'


def check_safety_gate(root: Path, runtime: Runtime, findings: Findings) -> None:
    """Add to ``findings`` whether ``root``'s ``hooks.toml.example`` runs the safety gate on every write tool."""
    rel = f'{runtime.base_dir}/hooks.toml.example'
    script = f'{runtime.hooks_dir}/{GATE_SCRIPT}'
    if not (root / script).is_file():
        findings.error(script, 'missing: nothing blocks writes to secrets', f'keep hooks/{GATE_SCRIPT} in the bundle')
        return
    path = root / rel
    if not path.is_file():
        findings.error(rel, f'missing: no [[hooks]] table runs {GATE_SCRIPT}, so the gate never fires',
                       'keep hooks.toml.example in the bundle')
        return
    tables, problems = load_hook_tables(rel, path.read_text(errors='replace'))
    for problem in problems:
        findings.add(Severity.ERROR, problem.path, problem.message, problem.fix)
    gates = [t for t in tables if isinstance(t, dict) and t.get('event') == 'PreToolUse'
             and GATE_SCRIPT in str(t.get('command', ''))]
    if not gates:
        findings.error(rel, f'no PreToolUse hook runs {GATE_SCRIPT}: the safety gate never fires',
                       f'add a [[hooks]] table with event = "PreToolUse", matcher = "{runtime.write_matcher}"')
        return
    unmatched = set(runtime.write_tools)
    for gate in gates:
        matcher = str(gate.get('matcher', ''))
        try:
            pattern = re.compile(matcher)
        except re.error:
            continue
        unmatched -= {tool for tool in runtime.write_tools if pattern.search(tool)}
    if unmatched:
        findings.error(rel, f'the {GATE_SCRIPT} hook never fires for {", ".join(sorted(unmatched))} '
                            f'({runtime.product}\'s file-writing tools): its matcher does not match them',
                       f'set matcher = "{runtime.write_matcher}"')
    else:
        findings.ok(rel, f'the safety gate fires on every file-writing tool ({", ".join(runtime.write_tools)})')
