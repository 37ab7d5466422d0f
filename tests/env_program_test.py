"""Which program a ``#!/usr/bin/env ...`` line runs: the doctor reports it when it is not on PATH."""
from __future__ import annotations

import pytest

from omk_precommit.runtimes.hooks import env_program


@pytest.mark.parametrize(('args', 'program'), [
    (['bash'], 'bash'),
    (['-S', 'bash', '-e'], 'bash'),
    (['-i', 'PATH=/bin', 'sh'], 'sh'),
    (['-u', 'FOO', 'python3'], 'python3'),
    (['--unset', 'FOO', 'python3'], 'python3'),
    (['--unset=FOO', 'python3'], 'python3'),
    (['-uFOO', 'python3'], 'python3'),
    (['-C', '/tmp', 'node'], 'node'),
    (['--chdir', '/tmp', '-u', 'A', 'B=1', 'node', '--flag'], 'node'),
    (['--', 'ruby'], 'ruby'),
    (['-u', 'FOO'], None),
    ([], None),
])
def test_env_program(args: list[str], program: str | None):
    assert env_program(args) == program
