"""omk 0.5.0's manifest reader, as its rules: ``serde_json::from_str`` into the structs of
``src/kimi_native/manifest/types.rs`` (tag v0.5.0), then the version check of ``ops.rs::load``.

serde's derive without ``deny_unknown_fields`` ignores unknown keys; every field without
``#[serde(default)]`` is required (only ``backups`` has it); ``Option`` accepts null;
``chrono::DateTime<Utc>`` parses RFC 3339; ``EntryKind`` is snake_case. No Rust toolchain
with those crates is available offline, so the rules are restated here, field by field.
"""
from __future__ import annotations

import json
import re
from typing import Any

_RFC3339 = re.compile(r'\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})')
_KINDS = {'agent_spec', 'agent_prompt', 'hook_script', 'hook_config', 'skill', 'config', 'other'}
_SCHEMA_VERSION = 1


class OmkRejects(Exception):
    """omk 0.5.0 would fail to load the manifest."""


def _field(obj: dict[str, Any], key: str, check: Any, *, default: Any = ...) -> Any:
    if key not in obj:
        if default is ...:
            raise OmkRejects(f'missing field `{key}`')
        return default
    value = obj[key]
    if not check(value):
        raise OmkRejects(f'invalid type for `{key}`: {value!r}')
    return value


def _is_str(v: Any) -> bool:
    return isinstance(v, str)


def _is_time(v: Any) -> bool:
    return isinstance(v, str) and _RFC3339.fullmatch(v) is not None


def _is_u32(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 2**32


def load_like_omk_050(raw: bytes) -> dict[str, Any]:
    """The manifest as omk 0.5.0 sees it (only the fields its structs have); OmkRejects otherwise."""
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise OmkRejects('invalid type: expected struct AssetManifest')
    seen = {
        'version': _field(data, 'version', _is_u32),
        'created_at': _field(data, 'created_at', _is_time),
        'omk_version': _field(data, 'omk_version', _is_str),
        'project_dir': _field(data, 'project_dir', _is_str),
        'files': [],
        'directories': _field(data, 'directories', lambda v: isinstance(v, list) and all(map(_is_str, v))),
        'backups': [],
    }
    for entry in _field(data, 'files', lambda v: isinstance(v, list)):
        if not isinstance(entry, dict):
            raise OmkRejects('invalid type: expected struct ManifestEntry')
        seen['files'].append({
            'path': _field(entry, 'path', _is_str),
            'kind': _field(entry, 'kind', lambda v: v in _KINDS),
            'checksum': _field(entry, 'checksum', lambda v: v is None or _is_str(v)),
        })
    for backup in _field(data, 'backups', lambda v: isinstance(v, list), default=[]):
        if not isinstance(backup, dict):
            raise OmkRejects('invalid type: expected struct BackupEntry')
        seen['backups'].append({
            'managed_path': _field(backup, 'managed_path', _is_str),
            'backup_path': _field(backup, 'backup_path', _is_str),
            'created_at': _field(backup, 'created_at', _is_time),
        })
    if seen['version'] > _SCHEMA_VERSION:
        raise OmkRejects(f'Manifest version {seen["version"]} is newer than supported {_SCHEMA_VERSION}')
    return seen
