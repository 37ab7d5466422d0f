"""Doctor results for the Kimi configs: whole-file validity, and whether the bundled hooks are enabled.

The findings come from ``kimi_config.status.diagnose_hooks_enabled``. For the project's
``.kimi/config.toml`` its findings about TOML syntax and ``[[hooks]]`` tables (by their ``rule``)
are dropped: the hooks check reports those, by rules tested against the real Kimi CLI, and one
problem should be reported once.
"""
from __future__ import annotations

from pathlib import Path

from omk_precommit.engine.findings import RULE_HOOKS, RULE_TOML, Finding, Severity
from omk_precommit.kimi_config.status import diagnose_hooks_enabled
from omk_precommit.runtimes.registry import Runtime

_REPORTED_BY_HOOKS_CHECK = (RULE_TOML, RULE_HOOKS)


def check_kimi_config(root: Path, runtime: Runtime) -> list[Finding]:
    """Results for every config of ``runtime`` that applies to ``root`` (Kimi CLI: project and user; Kimi Code:
    its user config), grouped as ``kimi config``."""
    return [f for f in diagnose_hooks_enabled(root, runtime)
            if not (f.path == runtime.project_config and f.severity is not Severity.OK
                    and f.rule in _REPORTED_BY_HOOKS_CHECK)]
