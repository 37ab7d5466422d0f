from __future__ import annotations

import sys

import pytest
import tomlkit
from hypothesis import given, settings
from hypothesis import strategies as st

from omk_precommit.errors import OmkError
from omk_precommit.kimi_config.toml_hooks import add_tables, data_of, remove_tables
from omk_precommit.runtimes.hookdefs import bundled_hook_tables
from omk_precommit.runtimes.registry import KIMI_CLI
from testing.kimi_configs import REAL_WORLD, SHAPES
from testing.tier import per_tier

TABLES = bundled_hook_tables(KIMI_CLI, lambda name: f'.kimi/hooks/{name}')


def hooks_of(text: str) -> list[dict[str, object]]:
    return data_of(text, 'config.toml').get('hooks', [])


@pytest.mark.parametrize('text', SHAPES.values(), ids=SHAPES.keys())
def test_enable_then_disable_restores_the_exact_bytes(text):
    enabled, insertions, _ = add_tables(text, TABLES, 'config.toml')
    removal = remove_tables(enabled, insertions, 'config.toml')
    assert removal.text == text
    assert len(removal.removed) == len(TABLES)


@pytest.mark.parametrize('text', SHAPES.values(), ids=SHAPES.keys())
def test_enable_twice_equals_enable_once(text):
    once, insertions, _ = add_tables(text, TABLES, 'config.toml')
    twice, more, present = add_tables(once, TABLES, 'config.toml')
    assert twice == once
    assert more == [] and present == TABLES
    assert len(insertions) == len(TABLES)


@pytest.mark.parametrize('text', SHAPES.values(), ids=SHAPES.keys())
def test_enable_keeps_every_setting_and_appends_the_bundled_hooks(text):
    enabled, _, _ = add_tables(text, TABLES, 'config.toml')
    before, after = data_of(text, 'c'), data_of(enabled, 'c')
    assert after.pop('hooks') == before.pop('hooks', []) + TABLES
    assert after == before


@pytest.mark.parametrize('text', SHAPES.values(), ids=SHAPES.keys())
def test_enabled_file_is_valid_toml_for_a_strict_parser(text):
    # tomllib is in the standard library from 3.11; tomli is the same parser for 3.9 and 3.10.
    tomllib = pytest.importorskip('tomllib' if sys.version_info >= (3, 11) else 'tomli')
    enabled, _, _ = add_tables(text, TABLES, 'config.toml')
    assert tomllib.loads(enabled)['hooks'][-len(TABLES):] == TABLES


def test_top_level_empty_hooks_array_gets_the_tables_inside_it_not_a_second_hooks_key():
    enabled, _, _ = add_tables('hooks = []\n', TABLES, 'config.toml')
    assert enabled.count('hooks') == 1 + sum('.kimi/hooks/' in str(t['command']) for t in TABLES)
    assert '[[hooks]]' not in enabled
    assert hooks_of(enabled) == TABLES


def test_crlf_file_gets_crlf_lines_only():
    enabled, _, _ = add_tables(SHAPES['crlf'], TABLES, 'config.toml')
    assert '\n' not in enabled.replace('\r\n', '')


def test_file_without_trailing_newline_gets_its_last_line_ended_then_restored():
    text = SHAPES['no trailing newline']
    enabled, insertions, _ = add_tables(text, TABLES, 'config.toml')
    assert enabled.startswith(text + '\n\n[[hooks]]\n')
    assert remove_tables(enabled, insertions, 'config.toml').text == text


def test_disable_keeps_the_users_edits_to_other_tables_made_in_between():
    enabled, insertions, _ = add_tables(REAL_WORLD, TABLES, 'config.toml')
    edited = enabled.replace('max_steps_per_turn = 200', 'max_steps_per_turn = 300  # more')
    edited = edited.replace('# my own hook', '# my own hook (still mine)')
    edited += '\n[[hooks]]\nevent = "SessionStart"\ncommand = "echo hi"\n'
    removal = remove_tables(edited, insertions, 'config.toml')
    expected = REAL_WORLD.replace('max_steps_per_turn = 200', 'max_steps_per_turn = 300  # more')
    expected = expected.replace('# my own hook', '# my own hook (still mine)')
    assert removal.text == expected + '\n[[hooks]]\nevent = "SessionStart"\ncommand = "echo hi"\n'


def test_a_bundled_table_the_user_edited_is_left_alone_and_reported():
    enabled, insertions, _ = add_tables(REAL_WORLD, TABLES, 'config.toml')
    edited = enabled.replace('timeout = 10\n', 'timeout = 15\n', 1)
    removal = remove_tables(edited, insertions, 'config.toml')
    assert removal.edited == [TABLES[0]]
    assert removal.removed == TABLES[1:]
    assert hooks_of(removal.text)[-1] == {**TABLES[0], 'timeout': 15}


def test_a_user_key_appended_to_a_bundled_table_makes_it_edited_not_removed():
    enabled, insertions, _ = add_tables('telemetry = false\n', TABLES[:1], 'config.toml')
    removal = remove_tables(enabled + 'fail_mode = "closed"\n', insertions, 'config.toml')
    assert removal.edited == TABLES[:1]
    assert removal.text == enabled + 'fail_mode = "closed"\n'


def test_a_bundled_table_the_user_deleted_is_reported_gone():
    enabled, insertions, _ = add_tables('', TABLES[:2], 'config.toml')
    only_second = enabled[enabled.index('[[hooks]]', 1):]
    removal = remove_tables(only_second, insertions, 'config.toml')
    assert removal.gone == TABLES[:1] and removal.removed == TABLES[1:2]
    assert removal.text == ''


def test_a_hook_the_user_already_has_is_not_added_again_nor_removed_later():
    mine = 'telemetry = false\n\n' + tomlkit.dumps({'hooks': [TABLES[1]]})
    enabled, insertions, present = add_tables(mine, TABLES, 'config.toml')
    assert present == [TABLES[1]]
    assert TABLES[1] not in [i.table for i in insertions]
    assert remove_tables(enabled, insertions, 'config.toml').text == mine


def test_a_reformatted_but_identical_table_is_still_removed_with_only_whitespace_left_behind():
    enabled, insertions, _ = add_tables('telemetry = false\n', TABLES[1:2], 'config.toml')
    reformatted = enabled.replace('event = "Stop"', "event = 'Stop'")
    removal = remove_tables(reformatted, insertions, 'config.toml')
    assert removal.removed == TABLES[1:2]
    assert removal.text.rstrip() == 'telemetry = false'


@pytest.mark.parametrize('text, message', [
    ('[hooks]\nevent = "Stop"\n', '`hooks` is a table'),
    ('hooks = "none"\n', '`hooks` is a str'),
    ('[[hooks]\nevent = 1', 'not valid TOML'),
    ('a = 1\na = 2\n', 'not valid TOML'),
])
def test_a_config_kimi_cannot_read_is_refused_with_one_clear_line(text, message):
    with pytest.raises(OmkError, match=message):
        add_tables(text, TABLES, 'config.toml')


command_text = st.text(st.characters(blacklist_categories=('Cs',)), min_size=1, max_size=40)


@settings(max_examples=per_tier(full=60, fast=20), deadline=None)
@given(command=command_text, shape=st.sampled_from(sorted(SHAPES)))
def test_any_command_text_round_trips_through_toml_quoting(command, shape):
    table = {'event': 'PreToolUse', 'command': command, 'matcher': 'WriteFile', 'timeout': 10}
    enabled, insertions, _ = add_tables(SHAPES[shape], [table], 'config.toml')
    assert hooks_of(enabled)[-1] == table
    assert remove_tables(enabled, insertions, 'config.toml').text == SHAPES[shape]
