"""What every command module shares: the exit codes, the common options, the project root, the runtime.

A command module has ``HELP`` (one line), ``add_arguments(parser)`` and ``run(args) -> int``;
``cli`` builds the parser of the one command being run and calls ``run``.
"""
from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

from omk_precommit.errors import EXIT_CLEAN, EXIT_ERROR, EXIT_FOUND, OmkError  # noqa: F401 - the exit statuses, for the commands
from omk_precommit.runtimes.registry import DEFAULT_RUNTIME, RUNTIMES, Runtime, get_runtime, runtime_names

USER_HELP = ('the user scope: role agents and hook scripts in $OMK_KIMI_USER_DIR, else $KIMI_SHARE_DIR or ~/.kimi '
             '(Kimi Code: $KIMI_CODE_HOME or ~/.kimi-code), created if missing. '
             'Without --user: the project scope, .kimi/ (or .kimi-code/) in --dir')


def add_common(parser: argparse.ArgumentParser) -> None:
    """``--dir``, ``--json`` and ``--target``, which every project command takes."""
    parser.add_argument('--dir', type=Path, help='project root (default: the git work tree containing the current directory)')
    parser.add_argument('--json', action='store_true', help='machine-readable output on stdout')
    add_target(parser, default=None)


def add_target(parser: argparse.ArgumentParser, *, default: object, help_text: str | None = None) -> None:
    products = '; '.join(f'{name}: {get_runtime(name).product}, {get_runtime(name).base_dir}/' for name in runtime_names())
    parser.add_argument('--target', choices=runtime_names(), default=default,
                        help=help_text or f'which runtime ({products}; default: every one whose manifest the '
                                          'project has; install: the CLI you have); each has its own manifest')


def add_dry_run(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--dry-run', action='store_true', help='print the plan, change nothing')


def runtime_of(args: argparse.Namespace) -> Runtime:
    """The runtime ``--target`` names, else the default one (the user scope; ``install``: ``detect_install_runtime``)."""
    target = getattr(args, 'target', None)
    return DEFAULT_RUNTIME if target is None else get_runtime(target)


def project_runtimes(args: argparse.Namespace, root: Path, *, staged: bool = False) -> tuple[Runtime, ...]:
    """The runtimes a project command acts on: the one ``--target`` names, else every runtime whose
    manifest the repository has (in git's index when ``staged``: what the commit holds; else on disk).

    With none, the runtimes whose asset dir exists, else the default one: their "nothing to check"
    (or the doctor's "run install") then names the right place.
    """
    target = getattr(args, 'target', None)
    if target is not None:
        return (get_runtime(target),)
    runtimes = tuple(RUNTIMES.values())
    if staged:
        from omk_precommit.engine.gitutil import staged_paths

        in_index = staged_paths(root, [r.manifest_path for r in runtimes])
        found = tuple(r for r in runtimes if r.manifest_path in in_index)
        if found:
            return found
    found = tuple(r for r in runtimes if os.path.lexists(root / r.manifest_path))
    found = found or tuple(r for r in runtimes if os.path.isdir(root / r.base_dir))
    return found or (DEFAULT_RUNTIME,)


def json_of_runtimes(reports: list[tuple[Runtime, dict[str, Any]]]) -> dict[str, Any]:
    """The ``--json`` object of a command run on several runtimes.

    One runtime: its report as before, plus ``"runtime": NAME`` (backward compatible). Several:
    ``{"runtimes": [report, ...]}``, each report with its ``"runtime"`` key.
    """
    labelled = [{**report, 'runtime': runtime.name} for runtime, report in reports]
    return labelled[0] if len(labelled) == 1 else {'runtimes': labelled}


def runtime_heading(runtime: Runtime, runtimes: tuple[Runtime, ...]) -> None:
    """Before the text output of one runtime among several, a heading that names it (none for one)."""
    if len(runtimes) > 1:
        print(runtime.heading())


def project_root(args: argparse.Namespace) -> Path:
    """``--dir`` (which must be a directory), else the root of the git work tree around the current directory."""
    from omk_precommit.engine.gitutil import enclosing_git_dir, find_root

    if args.dir is not None:
        if not args.dir.is_dir():
            raise OmkError(f'{args.dir}: --dir is not a directory')
        root = Path(args.dir).resolve()
    else:
        root = find_root(Path.cwd())
    if not os.path.lexists(root / '.git'):
        # Writing .kimi/ into a bare repository (or into .git) would put it where git never looks.
        git_directory = enclosing_git_dir(root)
        if git_directory is not None:
            raise OmkError(f'{root}: inside the git directory {git_directory} (a bare repository has no work tree); '
                           'run omk-kimi in a checkout, e.g. one made with git worktree add')
    return root


def judges_staged(args: argparse.Namespace) -> bool:
    """Whether to read the git index: ``--staged``, or inside a commit hook when ``--dir`` is not given
    (``GIT_INDEX_FILE`` belongs to the repository being committed, not to an explicit ``--dir``)."""
    from omk_precommit.engine.gitutil import in_commit_hook

    return bool(args.staged) or (args.dir is None and in_commit_hook())


def announce_user_scope(args: argparse.Namespace, runtime: Runtime) -> None:
    """With ``--user`` (and text output), name the user directory first, so every path below has a place."""
    if args.user and not args.json:
        from omk_precommit.render.quote import one_line, quote_path
        from omk_precommit.runtimes.user_scope import user_scope

        scope = user_scope(runtime)
        print(f'user scope: {quote_path(scope.directory)} ({one_line(scope.reason)}); '
              f'paths below are relative to {quote_path(scope.root)}')


def route_paths(root: Path, paths: list[str], runtimes: tuple[Runtime, ...]) -> list[tuple[Runtime, list[str]]]:
    """Each PATH with the runtime whose asset dir holds it (one in none goes to the first, which
    rejects it); every runtime with no paths when none are given."""
    if not paths or len(runtimes) == 1:
        return [(runtime, paths) for runtime in runtimes]
    from omk_precommit.engine.pathargs import managed_path

    cwd = Path.cwd()

    def owner(given: str) -> Runtime:
        rel = managed_path(root, given, cwd, set())
        return next((r for r in runtimes if rel.startswith(f'{r.base_dir}/')), runtimes[0])

    routed = [(runtime, [p for p in paths if owner(p) is runtime]) for runtime in runtimes]
    return [(runtime, found) for runtime, found in routed if found]



class Reported(Protocol):
    def to_json(self) -> dict[str, Any]: ...


R = TypeVar('R', bound=Reported)


def reports_by_runtime(
    args: argparse.Namespace,
    for_project: Callable[[Path, Runtime, list[str]], R],
    for_user: Callable[[Runtime], R],
    *,
    paths: list[str],
) -> tuple[tuple[Runtime, ...], list[tuple[Runtime, R]]]:
    """A command's API run once per runtime it acts on: with ``--user`` the user scope of
    ``--target`` (named first), else each runtime of the project, each PATH given to the runtime
    whose asset dir holds it (``route_paths``)."""
    if args.user:
        runtime = runtime_of(args)
        announce_user_scope(args, runtime)
        return (runtime,), [(runtime, for_user(runtime))]
    root = project_root(args)
    runtimes = project_runtimes(args, root)
    return runtimes, [(runtime, for_project(root, runtime, found)) for runtime, found in route_paths(root, paths, runtimes)]


def print_reports(args: argparse.Namespace, runtimes: tuple[Runtime, ...], reports: list[tuple[Runtime, R]],
                  render: Callable[[R], None]) -> None:
    """``--json``: the reports as one object (``json_of_runtimes``); else each rendered under its runtime's heading."""
    if args.json:
        from omk_precommit.render.output import print_json

        print_json(json_of_runtimes([(runtime, report.to_json()) for runtime, report in reports]))
        return
    for runtime, report in reports:
        runtime_heading(runtime, runtimes)
        render(report)
