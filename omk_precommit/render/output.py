"""Terminal output: colour only on a TTY and never with NO_COLOR; JSON on stdout."""
from __future__ import annotations

import os
import sys
from typing import Any

_CODES = {'red': '31', 'yellow': '33', 'green': '32', 'bold': '1'}


def use_colour(stream: Any = None) -> bool:
    stream = stream or sys.stdout
    return 'NO_COLOR' not in os.environ and hasattr(stream, 'isatty') and stream.isatty()


def paint(text: str, colour: str, stream: Any = None) -> str:
    return f'\033[{_CODES[colour]}m{text}\033[0m' if use_colour(stream) else text


def print_json(data: Any) -> None:
    import json  # here: the hook's plain-text run never needs it

    # Non-ASCII as is on a UTF-8 stdout; \u escapes on any other, which could not encode it.
    # (A name that is not UTF-8 arrives as a lone surrogate: the error handler of run_guarded
    # prints it as \udcXX, itself a JSON escape.)
    utf8 = (getattr(sys.stdout, 'encoding', None) or '').lower().replace('-', '').replace('_', '') == 'utf8'
    print(json.dumps(data, indent=2, ensure_ascii=not utf8))


def github_annotation(level: str, path: str, message: str) -> None:
    """A GitHub Actions workflow command, so the finding shows on the pull request."""
    if os.environ.get('GITHUB_ACTIONS') == 'true':
        from omk_precommit.render.quote import annotation_data, annotation_property

        print(f'::{level} file={annotation_property(path)}::{annotation_data(message)}')
