"""Quoting for everything printed: a file name can never start a line of its own.

File names are data an attacker may choose (a skill directory named ``x\\n::stop-commands::tok``
would otherwise inject GitHub workflow commands into a CI log). So:

- ``quote_path``: a path is printed as git prints it with ``core.quotePath`` — C-quoted in double
  quotes when it holds a control character, ``"`` or ``\\`` — except that UTF-8 text other than
  controls is printed as is (git's default ``\\303\\251`` for ``é`` helps nobody). Bytes that are
  not UTF-8 (a ``surrogateescape`` name from the file system), C1 controls and the Unicode line
  and paragraph separators are octal-escaped like git's. A path that starts with ``:`` (after
  blanks) is quoted too: printed as ``path: message`` it would start a line with ``::``, which
  GitHub reads as a workflow command.
- ``one_line``: free text (a message, a fix hint, an error) with the same characters escaped, not
  quoted, so it stays on its line.
- ``annotation_data`` / ``annotation_property``: the escaping GitHub's workflow commands define.
"""
from __future__ import annotations

import re

_NAMED = {'\a': '\\a', '\b': '\\b', '\t': '\\t', '\n': '\\n', '\v': '\\v', '\f': '\\f', '\r': '\\r'}
# Unicode categories Cc (C0 and C1 controls, DEL), Zl and Zp (U+2028, U+2029) and Cs (lone
# surrogates: bytes that are not UTF-8).
_UNSAFE = re.compile('[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]')


def _unsafe(char: str) -> bool:
    return _UNSAFE.match(char) is not None


def _plain(text: str) -> bool:
    return _UNSAFE.search(text) is None


def _escape(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    if '\udc80' <= char <= '\udcff':  # a byte os.fsdecode could not decode: that byte
        data = char.encode('utf-8', 'surrogateescape')
    else:
        data = char.encode('utf-8', 'surrogatepass')
    return ''.join(f'\\{byte:03o}' for byte in data)


def quote_path(path: object) -> str:
    """``path`` as printed: as is, or C-quoted in double quotes (see the module docstring)."""
    text = str(path)
    if _plain(text) and '"' not in text and '\\' not in text and not text.lstrip().startswith(':'):
        return text
    return '"' + ''.join('\\' + c if c in '"\\' else _escape(c) if _unsafe(c) else c for c in text) + '"'


def one_line(text: object) -> str:
    """``text`` with every control character, line separator and undecodable byte escaped."""
    text = str(text)
    if _plain(text):
        return text
    return ''.join(_escape(c) if _unsafe(c) else c for c in text)


def _printable(text: str) -> str:
    """``text`` encodable as UTF-8: undecodable bytes become U+FFFD."""
    return text.encode('utf-8', 'surrogateescape').decode('utf-8', 'replace')


def annotation_data(text: str) -> str:
    """The message of a workflow command, escaped as GitHub's runner unescapes it."""
    return _printable(text).replace('%', '%25').replace('\r', '%0D').replace('\n', '%0A')


def annotation_property(text: str) -> str:
    """A property value (``file=...``) of a workflow command: the data escapes plus ``:`` and ``,``."""
    return annotation_data(text).replace(':', '%3A').replace(',', '%2C')
