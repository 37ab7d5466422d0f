"""``doctor``: every diagnostic of a project's assets for one runtime, as a list of results.

| module | checks |
|---|---|
| ``project`` | the runtime's asset dir present; ``AGENTS.md`` (warning) |
| the runtime's own | ``Runtime.doctor_checks``: agents, hooks, skills by that CLI's rules (``runtimes/<name>/``) |
| ``manifest`` | manifest loads and is safe; missing / edited managed files; backup index |
| ``bundle`` | the bundle the manifest records is installed, at the recorded version |
| ``kimi_config`` | the Kimi configs: valid as a whole, bundled hooks enabled (``kimi_config.status``) |
| ``kimi_binary`` | the ``kimi`` command and its version (advisory: never an error) |
| ``staged`` | in a commit: the staged files written to a temporary tree the checks run on |

The findings are ``engine.findings`` records (``DiagResult`` / ``Severity``).
"""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from omk_precommit.doctor.bundle import check_recorded_bundle
from omk_precommit.doctor.kimi_binary import KimiQuery, check_kimi_binary
from omk_precommit.doctor.kimi_config import check_kimi_config
from omk_precommit.doctor.manifest import LoadedManifest, check_manifest, load_manifest, managed_paths
from omk_precommit.doctor.project import base_dir_problem, check_project
from omk_precommit.doctor.staged import staged_tree
from omk_precommit.engine.findings import DiagResult, Finding, Severity
from omk_precommit.runtimes.registry import DEFAULT_RUNTIME, Runtime, get_runtime

__all__ = ['DiagResult', 'Finding', 'Severity', 'diagnose_project']


def diagnose_project(root: Path, *, strict: bool = False, target: Runtime | str = DEFAULT_RUNTIME,
                     staged: bool = False, kimi: KimiQuery | None = None,
                     inputs: list[str] | None = None) -> list[DiagResult]:
    """Run every doctor check of the runtime ``target`` on the project at ``root`` and return the
    results, grouped by check.

    With ``staged`` the project's files are read from git's index (``staged.py``): the verdict is
    on what is being committed, and untracked files are reported as skipped. With ``strict``,
    warnings about the project's files become errors; warnings about this machine (the ``kimi``
    command, the user's Kimi config) never do: a CI runner without Kimi must pass. ``kimi``: the
    answer of ``query_kimi()`` when the caller already asked (once for several runtimes).

    ``inputs``, when given, receives the project-relative paths of the project the verdict read
    (from the index with ``staged``), for the verdict cache; directories stand for what is under them.
    """
    runtime = get_runtime(target)
    if staged:
        with staged_tree(root, runtime) as tree:
            results = tree.as_project(_project_results(tree.root, runtime, git_root=root, staged=True,
                                                        clean=tree.left_out, loaded=tree.manifest))
            if inputs is not None:
                inputs += tree.pathspecs
    else:
        results = _project_results(root, runtime, git_root=root)
        if inputs is not None:
            from omk_precommit.doctor.inputs import project_inputs

            inputs += project_inputs(root, runtime.base_dir)
    results += check_kimi_binary(runtime, root, kimi)
    if strict:
        results = [replace(r, severity=Severity.ERROR) if _about_the_project(r) else r for r in results]
    return results


def _project_results(root: Path, runtime: Runtime, *, git_root: Path, staged: bool = False,
                     clean: frozenset[str] = frozenset(), loaded: LoadedManifest | None = None) -> list[DiagResult]:
    """Every check that reads the project's files under ``root``; ``git_root`` answers which paths git ignores.
    ``clean``: managed files a staged tree left out, known from the index to match the manifest;
    ``loaded``: the manifest under ``root``, if the staged tree loaded it already."""
    results = check_project(root, runtime, staged=staged)
    if base_dir_problem(root, runtime) is None:
        loaded = loaded or load_manifest(root, runtime.base_dir)  # once, for all
        for group, check in runtime.doctor_checks(root, managed_paths(root, runtime.base_dir, loaded)):
            results += _guarded(group, check)
        results += _guarded('manifest', lambda: check_manifest(root, runtime, git_root=git_root, loaded=loaded,
                                                               clean=clean))
        results += _guarded('bundle', lambda: check_recorded_bundle(root, runtime, bundle_root=git_root,
                                                                    loaded=loaded.error or loaded.manifest))
    return results + _guarded('kimi config', lambda: check_kimi_config(root, runtime))


def _about_the_project(result: DiagResult) -> bool:
    """A warning about a file of the project (strict fails on it), not about this machine's Kimi setup."""
    return result.severity is Severity.WARNING and bool(result.path) and not os.path.isabs(result.path)


def _guarded(check: str, run: Callable[[], list[DiagResult]]) -> list[DiagResult]:
    """The results of one check group; a directory it cannot list becomes an error result, not a traceback."""
    try:
        return run()
    except OSError as e:
        where = e.filename if isinstance(e.filename, str) else 'a file'
        return [Finding(Severity.ERROR, '', f'cannot read {where} ({e.strerror})', 'fix its permissions', check)]
