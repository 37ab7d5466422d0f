"""The outermost edge of ``omk-kimi``: whatever escapes a command ends as one line and an exit status.

- stdout closed by its reader (``omk-kimi doctor | head -1``): nothing more is printed and the
  status is 141 (128 + SIGPIPE), the status a shell reports for ``git log | head``, so a
  ``set -o pipefail`` script still sees that the output was cut short;
- stdout cannot be written (``> /dev/full``): ``omk-kimi: cannot write the output: <reason>``, status 2;
- any other ``OSError`` (a ``--dir`` name too long or not accessible):
  ``omk-kimi: <file>: <reason>`` on stderr, status 2;
- anything else unexpected: ``omk-kimi: unexpected error: ...`` on stderr, status 2 (a bug: report it).

Output that cannot be encoded for the terminal (a strict ASCII or UTF-8 stdout and a file name
that is not) is backslash-escaped instead of failing.
"""
from __future__ import annotations

import os
import sys

from omk_precommit.errors import EXIT_ERROR

TYPE_CHECKING = False  # every run passes here, the hooks' hot path included: no typing at import
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any, TextIO

EXIT_BROKEN_PIPE = 128 + 13  # SIGPIPE


class _OutputFailed(Exception):
    """Writing stdout failed (not a file a command was working on)."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error.strerror or str(error))


class _Output:
    """``sys.stdout``, with a failed write told apart from every other file's failure."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        try:
            return self.stream.write(text)
        except BrokenPipeError:
            raise
        except OSError as e:
            raise _OutputFailed(e) from e

    def flush(self) -> None:
        try:
            self.stream.flush()
        except BrokenPipeError:
            raise
        except OSError as e:
            raise _OutputFailed(e) from e

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def run_guarded(dispatch: Callable[[Sequence[str] | None], int], argv: Sequence[str] | None) -> int:
    """``dispatch(argv)``, its output flushed, with every escaping failure turned into an exit status."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, 'reconfigure', None)
        if reconfigure is not None:
            reconfigure(errors='backslashreplace')
    stdout = sys.stdout
    sys.stdout = _Output(stdout)
    try:
        status = dispatch(argv)
        sys.stdout.flush()  # a closed pipe or a full disk shows here, not after main returned
        return status
    except BrokenPipeError:
        _silence_stdout(stdout)
        return EXIT_BROKEN_PIPE
    except _OutputFailed as e:
        _silence_stdout(stdout)
        _say(f'cannot write the output: {e}')
        return EXIT_ERROR
    except OSError as e:
        _say(_describe(e))
        return EXIT_ERROR
    except Exception as e:  # noqa: BLE001 (the edge: a traceback is never the answer)
        _say(f'unexpected error: {type(e).__name__}: {e}; this is a bug in omk-kimi, please report it')
        return EXIT_ERROR
    finally:
        sys.stdout = stdout


def _describe(e: OSError) -> str:
    """``file: reason`` for an OSError, the file quoted like every printed path."""
    reason = e.strerror or str(e)
    if e.filename is None:
        return reason
    name = os.fsdecode(e.filename)
    if e.filename2 is not None:
        name += f' -> {os.fsdecode(e.filename2)}'
    from omk_precommit.render.quote import quote_path

    return f'{quote_path(name)}: {reason}'


def _silence_stdout(stdout: TextIO) -> None:
    """Point stdout at /dev/null, so the interpreter's final flush of what is left in its buffer
    cannot fail a second time (and print "Exception ignored ..." after our one line)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real file descriptor (e.g. captured in a test)
        pass


def _say(message: str) -> None:
    from omk_precommit.render.quote import one_line

    try:
        print(f'omk-kimi: {one_line(message)}', file=sys.stderr, flush=True)
    except OSError:  # stderr is gone too: the exit status is all that is left
        pass
