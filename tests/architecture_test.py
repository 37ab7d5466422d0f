"""docs/ARCHITECTURE.md and the tree agree: every module has a row, every row names a module."""
from __future__ import annotations

import re

from testing.cache import REPO_ROOT

PACKAGE = REPO_ROOT / 'omk_precommit'
TABLE_ROW = re.compile(r'^\| (`[^|]+`) \|', re.M)


def _modules() -> set[str]:
    return {p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob('*.py')
            if p.name != '__init__.py' or p.parent == PACKAGE or p.parent.name == 'doctor'}


def _documented() -> set[str]:
    text = (REPO_ROOT / 'docs/ARCHITECTURE.md').read_text()
    section = text.split('## Modules', 1)[1].split('\n## ', 1)[0]
    return {name for cell in TABLE_ROW.findall(section) for name in re.findall(r'`([^`]+\.py)`', cell)}


def test_every_module_has_a_row_in_the_architecture_page() -> None:
    assert _modules() - _documented() == set()


def test_every_row_of_the_architecture_page_names_a_module_that_exists() -> None:
    assert _documented() - _modules() == set()


def test_the_page_names_every_top_level_folder_in_its_tree() -> None:
    text = (REPO_ROOT / 'docs/ARCHITECTURE.md').read_text()
    tree = text.split('```', 2)[1]
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / '__init__.py').exists()}
    assert {f for f in folders if f'{f}/' not in tree} == set()
