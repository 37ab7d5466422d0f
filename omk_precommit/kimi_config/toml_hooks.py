"""Add and remove ``[[hooks]]`` tables in a config's text, changing no other byte.

tomlkit parses; the edits are text splices we compute and then verify by re-parsing, because
tomlkit's own dump reorders an array of tables split by other tables. Each added table is
remembered as an :class:`Insertion` (the text spliced in and the text it replaced), so removing
it restores the original bytes exactly while the user's edits elsewhere stay untouched.

Shapes of ``hooks`` handled: absent or ``[[hooks]]`` tables (new tables are appended at the end
of the file), and a top-level inline array ``hooks = [...]`` (new inline tables go into that
array, so the file never gets a second ``hooks`` key). Line endings follow the file.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import AoT, Array

from omk_precommit.errors import OmkError
from omk_precommit.runtimes.hookdefs import HookTable


@dataclass(frozen=True)
class Insertion:
    """A table ``add_tables`` put in: the table, the text it spliced in, the text that replaced."""

    table: HookTable
    inserted: str
    replaced: str = ''


@dataclass(frozen=True)
class Removal:
    """What ``remove_tables`` did: the new text and each recorded table's fate."""

    text: str
    removed: list[HookTable] = field(default_factory=list)
    edited: list[HookTable] = field(default_factory=list)    # ours but changed since: left alone
    gone: list[HookTable] = field(default_factory=list)      # no longer in the file
    stuck: list[HookTable] = field(default_factory=list)     # ours and untouched, but not removable without reformatting


def parse(text: str, name: str) -> Any:
    """The tomlkit document of ``text``; a syntax error becomes a one-line OmkError."""
    try:
        return tomlkit.parse(text)
    except (TOMLKitError, ValueError) as e:
        raise OmkError(f'{name}: not valid TOML ({e}); fix the file first') from None


def data_of(text: str, name: str) -> dict[str, Any]:
    """Plain data of ``text`` as Kimi sees it; an empty ``hooks`` list is the same as none."""
    data: dict[str, Any] = parse(text, name).unwrap()
    if data.get('hooks') == []:
        del data['hooks']
    return data


def hook_identity(table: object) -> tuple[str, str, str] | None:
    """What makes a hook table "the same hook": its event, command and matcher."""
    if not isinstance(table, dict):
        return None
    return (str(table.get('event', '')), str(table.get('command', '')), str(table.get('matcher', '')))


def existing_hooks(text: str, name: str) -> list[Any]:
    hooks = data_of(text, name).get('hooks', [])
    return hooks if isinstance(hooks, list) else []


def eol_of(text: str) -> str:
    return '\r\n' if '\r\n' in text else '\n'


def _with_eol(text: str, eol: str) -> str:
    return text.replace('\r\n', '\n').replace('\n', eol)


def render_table(table: HookTable, eol: str) -> str:
    """A ``[[hooks]]`` table as TOML text, values quoted by tomlkit (spaces, quotes, apostrophes)."""
    lines = ['[[hooks]]'] + [f'{key} = {tomlkit.item(value).as_string()}' for key, value in table.items()]
    return eol.join(lines) + eol


def _hooks_item(doc: Any, name: str) -> Any:
    if 'hooks' not in doc:
        return None
    item = doc.item('hooks')
    if isinstance(item, (AoT, Array)):
        return item
    value = doc['hooks'].unwrap()
    kind = 'table' if isinstance(value, dict) else type(value).__name__
    raise OmkError(
        f'{name}: `hooks` is a {kind}, but Kimi expects an array of [[hooks]] tables; '
        'fix it first (see .kimi/hooks.toml.example)',
    )


def _verified(text: str, expected: dict[str, Any], name: str) -> bool:
    try:
        return data_of(text, name) == expected
    except OmkError:
        return False


def _append_table(text: str, table: HookTable) -> Insertion:
    eol = eol_of(text)
    if not text:
        lead = ''
    elif text.endswith('\n'):
        lead = eol
    else:
        lead = eol + eol  # end the last line first, then a blank line
    return Insertion(table, lead + render_table(table, eol))


def _array_insertion(text: str, table: HookTable, name: str) -> tuple[str, Insertion]:
    doc = parse(text, name)
    if doc.as_string() != text:
        raise OmkError(
            f'{name}: tomlkit cannot rewrite this file without reformatting it; '
            'add the hooks by hand from .kimi/hooks.toml.example',
        )
    inline = tomlkit.inline_table()
    inline.update(table)
    doc['hooks'].append(inline)
    new = doc.as_string()
    # Keep only the changed middle, so the splice touches nothing but the array's tail.
    start = 0
    while start < min(len(text), len(new)) and text[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(text), len(new)) - start and text[-1 - end] == new[-1 - end]:
        end += 1
    inserted = _with_eol(new[start:len(new) - end], eol_of(text))
    replaced = text[start:len(text) - end]
    return text[:start] + inserted + text[len(text) - end:], Insertion(table, inserted, replaced)


def add_tables(text: str, tables: list[HookTable], name: str) -> tuple[str, list[Insertion], list[HookTable]]:
    """Add each table whose hook is not in ``text`` yet; returns (new text, insertions, already present)."""
    insertions: list[Insertion] = []
    present: list[HookTable] = []
    for table in tables:
        data = data_of(text, name)
        hooks = data.get('hooks', [])
        if any(hook_identity(h) == hook_identity(table) for h in hooks):
            present.append(table)
            continue
        if isinstance(_hooks_item(parse(text, name), name), Array):
            new_text, insertion = _array_insertion(text, table, name)
        else:
            insertion = _append_table(text, table)
            new_text = text + insertion.inserted
        if not _verified(new_text, {**data, 'hooks': [*hooks, dict(table)]}, name):
            raise OmkError(f'{name}: adding the {table["event"]} hook would change other settings; '
                           'add it by hand from .kimi/hooks.toml.example')
        text = new_text
        insertions.append(insertion)
    return text, insertions, present


def _splice_last(text: str, old: str, new: str) -> str:
    at = text.rfind(old)
    return text[:at] + new + text[at + len(old):]


def _without_one(hooks: list[Any], table: HookTable) -> list[Any]:
    index = max(i for i, h in enumerate(hooks) if h == table)
    return hooks[:index] + hooks[index + 1:]


def _structural_removal(text: str, table: HookTable, name: str) -> str | None:
    doc = parse(text, name)
    if doc.as_string() != text:
        return None
    item = _hooks_item(doc, name)
    for index in range(len(item) - 1, -1, -1):
        if item[index].unwrap() == table:
            del item[index]
            break
    if isinstance(item, AoT) and len(item) == 0:
        del doc['hooks']
    return str(doc.as_string())


def remove_tables(text: str, insertions: list[Insertion], name: str) -> Removal:
    """Remove each recorded table that is still exactly as added; edited and vanished ones are reported."""
    removed: list[HookTable] = []
    edited: list[HookTable] = []
    gone: list[HookTable] = []
    stuck: list[HookTable] = []
    for insertion in reversed(insertions):
        table = insertion.table
        data = data_of(text, name)
        hooks = data.get('hooks', [])
        if table not in hooks:
            same_hook = any(isinstance(h, dict) and (h.get('event'), h.get('command')) ==
                            (table.get('event'), table.get('command')) for h in hooks)
            (edited if same_hook else gone).insert(0, table)
            continue
        remaining = _without_one(hooks, table)
        expected = {**data, 'hooks': remaining} if remaining else {k: v for k, v in data.items() if k != 'hooks'}
        # The exact undo of our own splice first; tomlkit's structural delete only as a fallback,
        # and either is kept only if the re-parsed file is exactly what it was minus this table.
        undone = _splice_last(text, insertion.inserted, insertion.replaced) if insertion.inserted in text else None
        if undone is None or not _verified(undone, expected, name):
            undone = _structural_removal(text, table, name)
        if undone is not None and _verified(undone, expected, name):
            text = undone
            removed.insert(0, table)
        else:
            stuck.insert(0, table)
    return Removal(text, removed, edited, gone, stuck)
