"""The runtimes omk-precommit serves, by name: the one table every command looks a runtime up in.

``kimi-cli`` is the Python Kimi CLI (``.kimi/``), ``kimi-code`` its successor Kimi Code
(``.kimi-code/``); each is a :class:`~omk_precommit.runtimes.base.Runtime` in its own package.
``kimi-cli`` is the default, as in omk 0.5.0.
"""
from __future__ import annotations

from omk_precommit.errors import OmkError
from omk_precommit.runtimes.base import HOOK_KEYS, MANIFEST_NAME, Runtime
from omk_precommit.runtimes.kimi_cli.runtime import RUNTIME as _KIMI_CLI
from omk_precommit.runtimes.kimi_code.runtime import RUNTIME as _KIMI_CODE

__all__ = ['DEFAULT_RUNTIME', 'HOOK_KEYS', 'KIMI_CLI', 'KIMI_CODE', 'MANIFEST_NAME', 'RUNTIMES', 'Runtime',
           'get_runtime', 'runtime_names']

KIMI_CLI = _KIMI_CLI.name
KIMI_CODE = _KIMI_CODE.name
RUNTIMES: dict[str, Runtime] = {r.name: r for r in (_KIMI_CLI, _KIMI_CODE)}
DEFAULT_RUNTIME: Runtime = _KIMI_CLI


def runtime_names() -> tuple[str, ...]:
    """The names (``--target`` choices), in registry order."""
    return tuple(RUNTIMES)


def get_runtime(runtime: Runtime | str) -> Runtime:
    """The runtime object for a name (or the object itself); an OmkError names the valid choices otherwise."""
    if isinstance(runtime, Runtime):
        return runtime
    try:
        return RUNTIMES[runtime]
    except KeyError:
        raise OmkError(f'unknown target {runtime!r}; choose one of {", ".join(RUNTIMES)}') from None
