"""Which script file a hook ``command`` runs, so the doctor can check that it exists.

Both runtimes run a hook command with ``/bin/sh -c`` from the session's work directory. Only the
first simple command is read (after a ``cd DIR &&``, the one that follows, from DIR), through the
wrappers ``timeout``, ``env``, ``nice``, ``exec``, ``command``, ``nohup`` and into ``sh -c '…'``:
a leading path (``.kimi/hooks/x.sh``, run directly, so it needs the executable bit) or an
interpreter followed by a script (``python3 .kimi/hooks/x.py``, which does not). What the shell
would compute (``$VAR``, ``~``, globs, ``if`` …) is :class:`Unresolved`, which the doctor reports
as a warning: it cannot know the script, and a missing one is exit 127, which both runtimes read
as "allow".
"""
from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass
from typing import Union

from omk_precommit.runtimes.base import SAFETY_SCRIPT

INTERPRETERS = frozenset({'sh', 'bash', 'dash', 'zsh', 'ksh', 'python', 'python3', 'node', 'ruby', 'perl', 'bun', 'deno'})
SCRIPT_SUFFIXES = ('.sh', '.bash', '.py', '.js', '.mjs', '.cjs', '.ts', '.rb', '.pl')
_WRAPPERS = frozenset({'exec', 'env', 'command', 'nohup', 'nice', 'timeout'})
_OPTIONS_WITH_VALUE = {'env': ('-u', '-C', '-S'), 'nice': ('-n',), 'timeout': ('-s', '-k')}
_INLINE_CODE_FLAGS = frozenset({'-c', '-m', '-e', '--eval'})
_ASSIGNMENT = re.compile(r'[A-Za-z_][A-Za-z0-9_]*=.*')
_VERSIONED_PYTHON = re.compile(r'python3\.\d+')


@dataclass(frozen=True)
class ScriptRef:
    """A script path as written in a hook command (joined to the directory a ``cd DIR &&`` moved
    to); ``direct`` when it is the command itself."""

    path: str
    direct: bool


@dataclass(frozen=True)
class ProgramRef:
    """A program the shell looks up on PATH (``true``, ``ruff``)."""

    name: str


@dataclass(frozen=True)
class Unresolved:
    """A command whose script cannot be known without running the shell, and why."""

    why: str


Resolution = Union[ScriptRef, ProgramRef, Unresolved, None]  # None: inline code or nothing to run
_SHELLS = frozenset({'sh', 'bash', 'dash', 'zsh', 'ksh'})
_SHELL_SYNTAX = frozenset({'if', 'for', 'while', 'until', 'case', '{', '(', '!', 'function', '[[', 'select'})
_NESTING_LIMIT = 4


def referenced_script(command: str) -> ScriptRef | None:
    """The script ``command`` runs, or None when it runs a program on PATH, inline code, or cannot be told."""
    resolution = resolve_command(command)
    return resolution if isinstance(resolution, ScriptRef) else None


def runs_safety_gate(command: str) -> bool:
    """True when ``command`` runs the bundled safety script (``SAFETY_SCRIPT``), under any wrapper."""
    ref = referenced_script(command)
    return ref is not None and os.path.basename(ref.path) == SAFETY_SCRIPT


def resolve_command(command: str, depth: int = 0) -> Resolution:
    """What ``/bin/sh -c command`` runs first, through the wrappers ``timeout N``, ``env X=y``,
    ``nice``, ``exec``, ``cd DIR &&`` and ``sh -c '…'`` / ``bash -c "…"``."""
    segments = _simple_commands(command)
    if not segments:
        return None
    words, separator = segments[0]
    cwd = ''
    if words[:1] == ['cd'] and len(segments) > 1 and separator in ('&&', ';'):
        if len(words) != 2 or _shell_expands(words[1]) or words[1].startswith('-'):
            return Unresolved('it changes directory to a place the shell computes')
        cwd, (words, _) = words[1], segments[1]
    unwrapped = _unwrap(words)
    if unwrapped is None:
        return Unresolved('a wrapper (timeout, env, nice) is missing its command')
    if not unwrapped:
        return None
    words = unwrapped
    if words[0] in _SHELL_SYNTAX:
        return Unresolved(f'it starts with the shell keyword {words[0]!r}')
    if _shell_expands(words[0]):
        return Unresolved(f'the program {words[0]!r} is chosen by shell expansion')
    resolution = _program_or_script(words, depth)
    if isinstance(resolution, ScriptRef) and cwd:
        return ScriptRef(os.path.normpath(os.path.join(cwd, resolution.path)), resolution.direct)
    return resolution


def _program_or_script(words: list[str], depth: int) -> Resolution:
    program = os.path.basename(words[0])
    if program in _SHELLS and '-c' in words[1:]:
        inline = words[words.index('-c') + 1:]
        if not inline:
            return Unresolved(f'{program} -c has no command')
        if depth >= _NESTING_LIMIT:
            return Unresolved(f'{program} -c is nested too deeply')
        return resolve_command(inline[0], depth + 1)
    if program in INTERPRETERS or _VERSIONED_PYTHON.fullmatch(program):
        for word in words[1:]:
            if word in _INLINE_CODE_FLAGS:
                return None
            if word.startswith('-'):
                continue
            if _shell_expands(word):
                return Unresolved(f'the script {word!r} is chosen by shell expansion')
            is_script = '/' in word or word.endswith(SCRIPT_SUFFIXES)
            return ScriptRef(word, direct=False) if is_script else None
        return None
    return ScriptRef(words[0], direct=True) if '/' in words[0] else ProgramRef(words[0])


def _unwrap(words: list[str]) -> list[str] | None:
    """``words`` without the assignments and wrapper programs in front; None when a wrapper has no command."""
    words = list(words)
    while words:
        program = os.path.basename(words[0])
        if _ASSIGNMENT.fullmatch(words[0]):
            words.pop(0)
        elif program in _WRAPPERS:
            words.pop(0)
            while words and (words[0].startswith('-') or (program == 'env' and _ASSIGNMENT.fullmatch(words[0]))):
                option = words.pop(0)
                if option in _OPTIONS_WITH_VALUE.get(program, ()) and words:
                    words.pop(0)
            if program == 'timeout':
                if not words:
                    return None
                words.pop(0)  # the duration
            if not words:
                return None if program in ('timeout', 'nice') else []
        else:
            break
    return words


def quoting_problem(command: str) -> str | None:
    """Why ``/bin/sh`` cannot parse ``command`` (unbalanced quotes), or None."""
    try:
        shlex.split(command)
    except ValueError as e:
        return str(e).lower()
    return None


def _simple_commands(command: str) -> list[tuple[list[str], str]]:
    """The simple commands of ``command``, each with the operator after it (``&&``, ``;``, ``|``…)."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    segments: list[tuple[list[str], str]] = []
    words: list[str] = []
    try:
        for token in lexer:
            if token and set(token) <= set(';&|()<>'):
                if words:
                    segments.append((words, token))
                elif token == '(':
                    segments.append((['('], token))
                words = []
                continue
            words.append(token)
    except ValueError:  # unbalanced quotes: sh reports that itself
        return []
    if words:
        segments.append((words, ''))
    return segments


def _shell_expands(word: str) -> bool:
    return word.startswith('~') or any(c in word for c in '$`*?[')
