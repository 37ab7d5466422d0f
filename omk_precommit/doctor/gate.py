"""Is there a safety gate at all? ``hooks/safety-check.sh`` must exist and ``hooks.toml.example`` must
run it on PreToolUse; otherwise the runtime writes secrets unchecked. ``bundle check`` applies it to
a bundle's files (whether the gate's matcher reaches every write tool is a doctor hook rule).
"""
from __future__ import annotations

from pathlib import Path

from omk_precommit.engine.findings import Findings
from omk_precommit.runtimes.base import Runtime
from omk_precommit.runtimes.hook_rules import load_hook_tables

GATE_SCRIPT = 'safety-check.sh'


def check_safety_gate(root: Path, runtime: Runtime, findings: Findings) -> None:
    """Add to ``findings`` whether ``root``'s asset dir has the safety gate and ``hooks.toml.example`` runs it."""
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
    if problems:
        return  # the doctor reports why the file cannot be read
    gates = [t for t in tables if isinstance(t, dict) and t.get('event') == 'PreToolUse'
             and GATE_SCRIPT in str(t.get('command', ''))]
    if not gates:
        findings.error(rel, f'no PreToolUse hook runs {GATE_SCRIPT}: the safety gate never fires',
                       f'add a [[hooks]] table with event = "PreToolUse", matcher = "{runtime.gate_matcher}"')
        return
    # Whether its matcher reaches every write tool is the doctor's hook rule (``hook_rules``), run beside this.
    findings.ok(rel, f'a PreToolUse hook runs {GATE_SCRIPT}')
