"""The record of what ``hooks enable`` added to a config: ``<config>.omk-hooks.json`` beside it.

A separate small file rather than a field of ``omk-manifest.json``: the config may live outside
any project (the user's ``~/.kimi/config.toml``), and the omk manifest's ``files`` must stay
readable by omk 0.5.0. The record holds each added table with the exact text spliced in, so
``hooks disable`` can restore the original bytes, whether we created the file, and how many of
its parent directories we created.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omk_precommit import __version__
from omk_precommit.engine.fsutil import atomic_write, read_if_exists
from omk_precommit.errors import OmkError
from omk_precommit.kimi_config.toml_hooks import Insertion
from omk_precommit.runtimes.registry import RUNTIMES

RECORD_SUFFIX = '.omk-hooks.json'
RECORD_VERSION = 1


def record_path(config: Path) -> Path:
    return config.with_name(config.name + RECORD_SUFFIX)


@dataclass(frozen=True)
class HooksRecord:
    """What omk added to one config file, and what it created to do so."""

    cli: str
    insertions: tuple[Insertion, ...] = ()
    created_file: bool = False
    created_parent_dirs: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            'version': RECORD_VERSION,
            'omk_version': f'omk-precommit/{__version__}',
            'cli': self.cli,
            'created_file': self.created_file,
            'created_parent_dirs': self.created_parent_dirs,
            'tables': [{'table': i.table, 'inserted': i.inserted, 'replaced': i.replaced} for i in self.insertions],
        }

    def save(self, config: Path) -> None:
        data = (json.dumps(self.to_json(), indent=2, ensure_ascii=False) + '\n').encode()
        atomic_write(record_path(config), data, mode=0o644)

    @classmethod
    def load(cls, config: Path) -> HooksRecord | None:
        """The record beside ``config``; None when there is none; a broken one is a one-line error.

        The record is input like any file in a repository: every field is checked (type,
        range, consistency), and JSON with a key given twice is refused.
        """
        path = record_path(config)
        raw = read_if_exists(path, path)
        if raw is None:
            return None
        try:
            return _from_json(json.loads(raw, object_pairs_hook=_unique_keys))
        except (ValueError, RecursionError) as e:
            raise OmkError(
                f'{path}: not a valid omk hooks record ({_one_line(e)}); restore it, or delete it and remove '
                'the omk [[hooks]] tables from the config by hand',
            ) from None


# Directories ``hooks enable`` may create above a config: a user's Kimi home and a parent or two.
MAX_CREATED_PARENT_DIRS = 8


def _one_line(e: Exception) -> str:
    text = str(e).encode('utf-8', 'backslashreplace').decode('utf-8')
    text = ''.join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= 160 else text[:157] + '...'


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) != len(pairs):
        raise ValueError('a key appears twice in one object')
    return data


def _field(data: dict[str, Any], key: str, types: type | tuple[type, ...], default: Any = ...) -> Any:
    if key not in data:
        if default is ...:
            raise ValueError(f'missing field {key!r}')
        return default
    value = data[key]
    if isinstance(value, bool) != (types is bool) or not isinstance(value, types):
        raise ValueError(f'field {key!r} has the wrong type ({type(value).__name__})')
    return value


def _text(value: str, what: str) -> str:
    try:
        value.encode('utf-8')
    except UnicodeEncodeError:
        raise ValueError(f'{what} is not valid UTF-8 text') from None
    return value


def _from_json(data: Any) -> HooksRecord:
    if not isinstance(data, dict):
        raise ValueError('top level must be an object')
    version = _field(data, 'version', int)
    if not 1 <= version <= RECORD_VERSION:
        raise ValueError(f'unsupported version {version!r}; upgrade omk-precommit')
    _field(data, 'omk_version', str, '')
    cli = _field(data, 'cli', str)
    if cli not in RUNTIMES:
        raise ValueError(f'unknown cli {_text(cli, "cli")[:40]!r} (expected one of {", ".join(sorted(RUNTIMES))})')
    insertions = []
    for item in _field(data, 'tables', list):
        if not isinstance(item, dict):
            raise ValueError('each entry of "tables" must be an object')
        table = _field(item, 'table', dict)
        if not table or not all(
            isinstance(k, str) and isinstance(v, (str, int)) and not isinstance(v, bool) for k, v in table.items()
        ):
            raise ValueError('each table must map names to strings or integers')
        for k, v in table.items():
            _text(k, 'a table key')
            if isinstance(v, str):
                _text(v, f'table value {k!r}')
        inserted = _text(_field(item, 'inserted', str), '"inserted"')
        replaced = _text(_field(item, 'replaced', str, ''), '"replaced"')
        if not inserted:
            raise ValueError('"inserted" must not be empty')
        insertions.append(Insertion(table, inserted, replaced))
    created_file = _field(data, 'created_file', bool, False)
    created_dirs = _field(data, 'created_parent_dirs', int, 0)
    if not 0 <= created_dirs <= MAX_CREATED_PARENT_DIRS:
        raise ValueError(f'created_parent_dirs must be 0 to {MAX_CREATED_PARENT_DIRS}, got {created_dirs}')
    if created_dirs and not created_file:
        # Parent directories were made only for a config that did not exist yet.
        raise ValueError('created_parent_dirs without created_file: the record contradicts itself')
    return HooksRecord(cli, tuple(insertions), created_file, created_dirs)
