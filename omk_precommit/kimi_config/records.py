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
        """The record beside ``config``; None when there is none; a broken one is a one-line error."""
        path = record_path(config)
        raw = read_if_exists(path, path)
        if raw is None:
            return None
        try:
            return _from_json(json.loads(raw))
        except (ValueError, KeyError, TypeError) as e:
            raise OmkError(
                f'{path}: not a valid omk hooks record ({e}); restore it, or delete it and remove '
                'the omk [[hooks]] tables from the config by hand',
            ) from None


def _from_json(data: Any) -> HooksRecord:
    if not isinstance(data, dict):
        raise ValueError('top level must be an object')
    version = data['version']
    if not isinstance(version, int) or version > RECORD_VERSION:
        raise ValueError(f'unsupported version {version!r}; upgrade omk-precommit')
    insertions = []
    for item in data['tables']:
        table = item['table']
        if not isinstance(table, dict) or not all(
            isinstance(k, str) and isinstance(v, (str, int)) and not isinstance(v, bool) for k, v in table.items()
        ):
            raise ValueError('each table must map names to strings or integers')
        inserted, replaced = item['inserted'], item.get('replaced', '')
        if not isinstance(inserted, str) or not isinstance(replaced, str):
            raise ValueError('inserted/replaced must be strings')
        insertions.append(Insertion(table, inserted, replaced))
    created_file, created_dirs = data.get('created_file', False), data.get('created_parent_dirs', 0)
    if not isinstance(created_file, bool) or not isinstance(created_dirs, int) or isinstance(created_dirs, bool):
        raise ValueError('created_file must be a boolean and created_parent_dirs an integer')
    return HooksRecord(str(data['cli']), tuple(insertions), created_file, max(0, created_dirs))
