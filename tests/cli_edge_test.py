"""The real ``omk-kimi`` console script never ends in a traceback (issue 13, "Output"): a closed
pipe ends quietly with status 141, every other failure is one line on stderr and status 2."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from omk_precommit.cli import main
from omk_precommit.render.edge import run_guarded
from testing.unprivileged import as_other_user, hand_over, shared_tempdir

CONSOLE_SCRIPT = str(Path(sys.executable).parent / 'omk-kimi')


def run(*args: str, env: dict[str, str] | None = None, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([CONSOLE_SCRIPT, *args], env={**os.environ, **(env or {})},
                          capture_output='stdout' not in kwargs, check=False, **kwargs)  # type: ignore[call-overload]


def in_process(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def one_line(stderr: bytes, *expected: str) -> str:
    """The single ``omk-kimi: ...`` line of ``stderr``, which names every ``expected`` part."""
    text = stderr.decode('utf-8', 'backslashreplace')
    assert 'Traceback' not in text and 'Exception ignored' not in text, text
    lines = text.splitlines()
    assert len(lines) == 1 and lines[0].startswith('omk-kimi: '), text
    for part in expected:
        assert part in lines[0], text
    return lines[0]


def test_a_closed_pipe_ends_quietly_with_status_141(installed: Path):
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone, as `| head -1` does once it has its line
    try:
        result = run('doctor', '--dir', str(installed), stdout=write_end, stderr=subprocess.PIPE)
    finally:
        os.close(write_end)
    assert result.returncode == 141
    assert result.stderr == b''


def test_a_pipe_closed_while_a_long_diff_is_written_ends_quietly(installed: Path):
    (installed / '.kimi/agents/architect/system.md').write_text('changed\n' * 200_000)
    proc = subprocess.Popen([CONSOLE_SCRIPT, 'diff', '--dir', str(installed)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline().startswith(b'--- a/')
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=60) in (1, 141)  # 1 only if everything fit in the pipe first
    assert err == b''


@pytest.mark.skipif(not os.path.exists('/dev/full'), reason='needs /dev/full')
def test_a_full_disk_on_stdout_is_one_line_and_status_2(installed: Path):
    with open('/dev/full', 'wb') as full:
        result = run('doctor', '--dir', str(installed), stdout=full, stderr=subprocess.PIPE)
    assert result.returncode == 2
    one_line(result.stderr, 'cannot write the output', 'No space left on device')


def test_a_dir_name_too_long_is_one_line_and_status_2(tmp_path: Path):
    result = run('check', '--dir', str(tmp_path / ('a' * 300)))
    assert result.returncode == 2
    one_line(result.stderr, 'a' * 300, 'File name too long')


def test_a_dir_the_user_cannot_enter_is_one_line_and_status_2():
    with shared_tempdir() as shared:
        project = shared / 'private' / 'project'
        project.mkdir(parents=True)
        hand_over(shared)
        os.chmod(shared / 'private', 0o700)
        if os.geteuid() == 0:
            os.chown(shared / 'private', 0, 0)  # root's, so the unprivileged user is kept out
        for command in ('doctor', 'check', 'sync', 'install'):
            # main in the unprivileged child: that user cannot run the interpreter under /root.
            code, out, err = as_other_user(lambda command=command: in_process(command, '--dir', str(project)))
            assert code == 2, (command, out, err)
            one_line(err.encode(), str(project), 'Permission denied')


@pytest.mark.parametrize('encoding', ['utf-8:strict', 'ascii:strict'])
def test_file_names_that_are_not_utf8_print_quoted_on_a_strict_stdout(installed: Path, encoding: str):
    skills = os.fsencode(installed / '.kimi/skills')
    os.mkdir(skills + b'/caf\xe9')
    os.mkdir(skills + '/naïve'.encode())
    result = run('doctor', '--dir', str(installed), env={'PYTHONIOENCODING': encoding})
    assert result.returncode == 1
    assert result.stderr == b''
    out = result.stdout.decode('ascii' if encoding.startswith('ascii') else 'utf-8')  # strictly decodable
    assert '".kimi/skills/caf\\351": error: skill directory has no SKILL.md' in out
    assert ('.kimi/skills/na\\xefve: error' if encoding.startswith('ascii') else '.kimi/skills/naïve: error') in out

    as_json = run('doctor', '--json', '--dir', str(installed), env={'PYTHONIOENCODING': encoding})
    assert as_json.stderr == b''
    assert '.kimi/skills/caf\udce9' in {r['path'] for r in json.loads(as_json.stdout)}


def test_an_unexpected_failure_is_one_line_and_status_2(capsys):
    def broken(argv):
        raise RuntimeError('something nobody planned for')

    assert run_guarded(broken, []) == 2
    captured = capsys.readouterr()
    assert captured.out == ''
    one_line(captured.err.encode(), 'unexpected error: RuntimeError: something nobody planned for', 'report it')


def test_error_messages_quote_control_characters_in_the_names_they_show(tmp_path: Path):
    err = io.StringIO()
    with redirect_stdout(io.StringIO()), redirect_stderr(err):
        assert main(['check', '--dir', str(tmp_path / 'no\n::such')]) == 2
    one_line(err.getvalue().encode(), 'no\\n::such')
