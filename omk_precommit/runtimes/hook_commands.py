"""Which script file a hook ``command`` runs, so the doctor can check that it exists.

Kimi CLI runs a hook command with ``/bin/sh -c`` from the session's work directory. Only the
first simple command is read: a leading path (``.kimi/hooks/x.sh``, run directly, so it needs
the executable bit) or an interpreter followed by a script (``python3 .kimi/hooks/x.py``,
which does not). Anything the shell would expand (``$VAR``, ``~``, globs) is left alone.
"""
from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass

INTERPRETERS = frozenset({'sh', 'bash', 'dash', 'zsh', 'ksh', 'python', 'python3', 'node', 'ruby', 'perl', 'bun', 'deno'})
SCRIPT_SUFFIXES = ('.sh', '.bash', '.py', '.js', '.mjs', '.cjs', '.ts', '.rb', '.pl')
_WRAPPERS = frozenset({'exec', 'env', 'command', 'nohup'})
_INLINE_CODE_FLAGS = frozenset({'-c', '-m', '-e', '--eval'})
_ASSIGNMENT = re.compile(r'[A-Za-z_][A-Za-z0-9_]*=.*')
_VERSIONED_PYTHON = re.compile(r'python3\.\d+')


@dataclass(frozen=True)
class ScriptRef:
    """A script path as written in a hook command; ``direct`` when it is the command itself."""

    path: str
    direct: bool


def referenced_script(command: str) -> ScriptRef | None:
    """The script ``command`` runs, or None when it runs a program on PATH or inline code."""
    words = _first_simple_command(command)
    while words and (_ASSIGNMENT.fullmatch(words[0]) or os.path.basename(words[0]) in _WRAPPERS):
        words.pop(0)
    if not words or _shell_expands(words[0]):
        return None
    program = os.path.basename(words[0])
    if program in INTERPRETERS or _VERSIONED_PYTHON.fullmatch(program):
        for word in words[1:]:
            if word in _INLINE_CODE_FLAGS:
                return None
            if word.startswith('-'):
                continue
            is_script = '/' in word or word.endswith(SCRIPT_SUFFIXES)
            return ScriptRef(word, direct=False) if is_script and not _shell_expands(word) else None
        return None
    return ScriptRef(words[0], direct=True) if '/' in words[0] else None


def quoting_problem(command: str) -> str | None:
    """Why ``/bin/sh`` cannot parse ``command`` (unbalanced quotes), or None."""
    try:
        shlex.split(command)
    except ValueError as e:
        return str(e).lower()
    return None


def _first_simple_command(command: str) -> list[str]:
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    words = []
    try:
        for token in lexer:
            if token and set(token) <= set(';&|()<>'):
                break
            words.append(token)
    except ValueError:  # unbalanced quotes: sh reports that itself
        return []
    return words


def _shell_expands(word: str) -> bool:
    return word.startswith('~') or any(c in word for c in '$`*?[')
