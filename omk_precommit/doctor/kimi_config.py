"""Doctor results for the Kimi configs: whole-file validity, and whether the bundled hooks are enabled.

The findings come from ``hooks_diag.diagnose_hooks_enabled``. For the project's
``.kimi/config.toml`` its findings about TOML syntax and ``[[hooks]]`` tables are dropped: the
hooks check reports those, by rules tested against the real Kimi CLI, and one problem should
be reported once.
"""
from __future__ import annotations

from pathlib import Path

from omk_precommit.engine.findings import DiagResult, Severity
from omk_precommit.kimi_config.status import diagnose_hooks_enabled
from omk_precommit.runtimes.registry import Runtime

_REPORTED_BY_HOOKS_CHECK = ('hooks[', 'hooks must be', 'TOML')


def check_kimi_config(root: Path, runtime: Runtime) -> list[DiagResult]:
    """Results for every ``target`` config that applies to ``root`` (Kimi CLI: project and user; Kimi Code:
    its user config), grouped as ``kimi config``."""
    results = []
    for diag in diagnose_hooks_enabled(root, runtime):
        if (diag.path == runtime.project_config and diag.severity != 'ok'
                and any(marker in diag.message for marker in _REPORTED_BY_HOOKS_CHECK)):
            continue
        path = None if diag.path == '-' else diag.path
        results.append(DiagResult(Severity(diag.severity), diag.message, path, diag.fix, 'kimi config'))
    return results
