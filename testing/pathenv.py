"""PATH manipulation for tests that must run as if a program were not installed."""
from __future__ import annotations

import os


def path_without(program: str, path: str | None = None) -> str:
    """``path`` (default $PATH) minus every directory holding an executable named ``program``."""
    entries = (path if path is not None else os.environ.get('PATH', '')).split(os.pathsep)
    return os.pathsep.join(
        d for d in entries
        if d and not (os.path.isfile(os.path.join(d, program)) and os.access(os.path.join(d, program), os.X_OK))
    )
