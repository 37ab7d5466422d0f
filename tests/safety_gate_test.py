"""The safety gate (``safety-check.sh``): a table of payloads per runtime, a property test against
a reference, the same table under busybox and POSIX-only tools, and the real runtimes' hook engines.

Set ``OMK_GATE_EXAMPLES`` to change how many examples each property test tries (default 60).
"""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omk_precommit.commands.install import install_project_assets
from omk_precommit.runtimes.registry import KIMI_CLI, KIMI_CODE
from testing.fake_llm import fake_llm
from testing.gitrepo import init_repo
from testing.kimi_cli import kimi_cli_python
from testing.safety_gate import (
    GATE_TEXT,
    busybox_path,
    edit_call,
    install_gate,
    is_secret,
    payload,
    run_gate,
    shell_call,
    shim_dir,
    write_call,
)
from testing.tier import is_full

BLOCKED_PATHS = [
    '.env', './.env', '.env/', '.env/.', './.env//', '.env/./', 'a/../.env', 'src/../../.env',
    '/home/me/project/.env', '.ENV', '.Env.Local', '.env.local', '.env.production', 'config/.env.development',
    '.env.example.local', 'C:\\Users\\me\\project\\.env', 'id_rsa', 'ID_RSA', 'id_rsa/', '/home/me/.ssh/id_ed25519',
    'keys/id_ecdsa_sk', 'id_dsa', 'server.pem', 'server.pem/.', 'KEY.PEM', 'certs/tls.key', 'store.p12',
    'cert.PFX', 'keystore.jks', 'release.keystore', '.netrc', '/home/me/.netrc', '_netrc', '.git-credentials',
    '/home/me/.aws/credentials', '.AWS/Credentials', '.aws//credentials', '.aws/./x/../credentials',
]
ALLOWED_PATHS = [
    'src/app.py', 'README.md', '.env.example', '.ENV.Example', 'config/.env.sample', '.env.template',
    '.env.dist', 'env.py', '.envrc', 'environment.md', '.env/../app.py', 'id_rsa.pub', '/home/me/.ssh/known_hosts',
    '/home/me/.ssh/config', 'server.crt', 'keys/README.md', 'notes/key.txt', 'credentials', 'aws/credentials',
    '.aws/config', 'docs/pem.md', 'monkey.py', 'a.pem.txt', 'my.env', '.netrc.example', 'pem', 'id_rsa_notes.md',
]
PRIVATE_KEYS = [
    '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n',
    '-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n', '-----BEGIN EC PRIVATE KEY-----\n',
    '-----BEGIN ENCRYPTED PRIVATE KEY-----\n', '-----BEGIN PRIVATE KEY-----\n',
    '-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQdG\n',
]
HARMLESS_CONTENT = ['-----BEGIN PUBLIC KEY-----\nMIIB\n', '-----BEGIN CERTIFICATE-----\nMIID\n',
                    'PRIVATE KEY handling is documented in SECURITY.md\n', 'TOKEN = os.environ["TOKEN"]  # from .env\n']
BLOCKED_COMMANDS = [
    'echo TOKEN=abc > .env', 'echo TOKEN=abc >> .env', "printf 'K=v\\n' 1> .env.local", 'echo x &> .ENV',
    'echo x >| ./.env/', 'echo x>.env', 'echo x &>>.env', 'echo x >& .env', 'echo x 2> .env', 'ls; echo x >.env',
    'cat secrets.txt | tee .env', 'echo x | tee -a /home/me/.netrc', 'cp .env.example .env', 'mv .env .env.bak',
    'mv tmp.txt config/.env.production', 'install -m 600 key.tmp /home/me/.ssh/id_rsa',
    'cp /tmp/id_ed25519 /home/me/.ssh/', 'cp -t /home/me/.ssh/ new/id_rsa', 'cp a/server.pem b/x.txt certs',
    "sed -i 's/a/b/' .env", "sed -i.bak -e 's/a/b/' .env.local", 'sed --in-place s/a/b/ .git-credentials',
    'dd if=/dev/zero of=server.key bs=1 count=1', "sh -c 'echo x > .env'", 'bash -lc "echo x > .git-credentials"',
    'cd app && echo KEY=1 > .env', 'eval "echo x > .env"', 'echo x > ".e"nv', 'echo x > \\.env',
    'FOO=1 echo x > .aws/credentials', 'sudo tee /root/.aws/credentials < creds', 'x=$(echo x > .env)',
    'echo x <> .env', 'true && printf x > "$HOME/.env"', 'echo x > id_rsa', '(echo x) > KEY.PEM',
    'for f in a; do cp "$f" .env; done', 'if true; then mv a .netrc; fi', 'ls | xargs -r cp -t backup/ .env.local',
    "echo x > $'.env'", 'CP a .ENV', '/bin/cp a .env', '\\cp a .env', "c''p a .env", 'cp -- a .env',
    '>.env echo x', 'exec 3>.env', 'tee </dev/null .env', '{ echo x; } > .env', 'busybox tee .env',
    # A << that is a shift, or a here-document that never ends, hides no command after it.
    'echo $((1<<2))\necho x > .env', 'echo $[1<<2]\necho x > .env\n2]', '((x = 1 << 2))\ncp a .env',
    'cat <<EOF\ntext\necho x > .env', 'echo x > \\\n.env', 'echo x > ".e\\\nnv"',
    'echo $(( $(echo x > .env) ))',
]
ALLOWED_COMMANDS = [
    'cat .env', 'grep -c KEY .env', 'test -f .env && echo yes', '[ -e /home/me/.ssh/id_rsa ]', 'source .env',
    '. ./.env', 'ls -la /home/me/.ssh', 'echo hi > notes.txt', 'ls 2>&1 | tee out.log', 'cp .env.example .env.sample',
    'cp .env.example config/', "sed 's/a/b/' .env", 'sed -n p .env > out.txt', 'dd if=server.key of=/dev/null',
    'diff .env .env.example', 'git add .env.example', 'python -m pytest -q', 'echo "a > .env"',
    "cat > notes.md <<'EOF'\necho x > .env\nEOF\nls", 'ls >&2', 'ls 2>/dev/null', 'echo hi >/dev/null 2>&1',
    'git commit -m "fix .env loading"', 'cat .env > backup.txt', 'env | grep PATH', 'openssl rand -hex 16',
    'echo $(( 2 > 1 ))', "cat > README.md <<'EOF'\nRun: cp .env.example .env\nEOF\ngit add README.md",
]


def table(target: str) -> list[tuple[str, bytes, bool]]:
    """(id, payload, blocked) for every row, in ``target``'s payload shape."""
    rows = []
    for paths, blocked in ((BLOCKED_PATHS, True), (ALLOWED_PATHS, False)):
        for path in paths:
            rows.append((f'write {path}', payload(target, write_call(target, path)), blocked))
            rows.append((f'edit {path}', payload(target, edit_call(target, path)), blocked))
    rows += [(f'content {c[:24]}', payload(target, write_call(target, 'notes.txt', c)), True) for c in PRIVATE_KEYS]
    rows += [(f'edit content {c[:24]}', payload(target, edit_call(target, 'notes.txt', c)), True) for c in PRIVATE_KEYS]
    rows += [(f'content {c[:24]}', payload(target, write_call(target, 'notes.txt', c)), False) for c in HARMLESS_CONTENT]
    rows += [(f'shell {c}', payload(target, shell_call(target, c)), True) for c in BLOCKED_COMMANDS]
    rows += [(f'shell {c}', payload(target, shell_call(target, c)), False) for c in ALLOWED_COMMANDS]
    return rows


ROWS = [(target, *row) for target in (KIMI_CLI, KIMI_CODE) for row in table(target)]


@pytest.fixture(scope='module')
def gate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return install_gate(tmp_path_factory.mktemp('gate'))


def test_the_table_has_at_least_60_blocked_and_allowed_payloads_per_runtime():
    for target in (KIMI_CLI, KIMI_CODE):
        blocked = [row for row in table(target) if row[2]]
        assert len(blocked) >= 60 and len(table(target)) - len(blocked) >= 60


@pytest.mark.parametrize(('target', 'name', 'data', 'blocked'), ROWS, ids=[f'{r[0]}: {r[1]}' for r in ROWS])
def test_gate_verdict_per_payload(gate, target, name, data, blocked):
    verdict = run_gate(gate, data)
    assert verdict.status == (2 if blocked else 0), verdict.stderr
    if blocked:
        assert verdict.stderr.startswith('omk safety-check: ') and verdict.stderr.count('\n') == 1
    else:
        assert verdict.stderr == ''


def test_the_reason_names_the_file_and_why(gate):
    verdict = run_gate(gate, payload(KIMI_CLI, write_call(KIMI_CLI, './.env//')))
    assert verdict.stderr == 'omk safety-check: refusing to write ./.env//: it looks like an environment file with secrets\n'
    verdict = run_gate(gate, payload(KIMI_CODE, shell_call(KIMI_CODE, 'cp new/id_rsa ~/.ssh/')))
    assert verdict.stderr == 'omk safety-check: refusing to write ~/.ssh/id_rsa: it looks like an SSH private key\n'
    verdict = run_gate(gate, payload(KIMI_CLI, write_call(KIMI_CLI, 'keys\\cert\\server.pem')))
    assert verdict.stderr == ('omk safety-check: refusing to write keys\\cert\\server.pem: '
                              'it looks like a private key or certificate store\n')
    # Control characters cannot start a line of their own in the reason.
    verdict = run_gate(gate, payload(KIMI_CODE, write_call(KIMI_CODE, 'x/\n::error::hi/\r/.env')))
    assert verdict.stderr == ('omk safety-check: refusing to write x/?::error::hi/?/.env: '
                              'it looks like an environment file with secrets\n')


@pytest.mark.parametrize(('data', 'reason'), [
    (b'', 'the hook payload is empty'),
    (b'  \n', 'the hook payload is empty'),
    (b'not json', 'cannot parse the hook payload'),
    (b'{"tool_name": "WriteFile", "tool_input": {"path": "ok.txt", "content": "x"', 'cannot parse the hook payload'),
    (b'{"tool_name": "WriteFile", "tool_input": {"path": "ok.txt', 'cannot parse the hook payload'),
    (b'{"tool_input": {"path": "ok.txt"}}', 'cannot find the tool name'),
    (b'{"tool_name": "WriteFile", "tool_input": {"content": "x"}}', 'cannot find the target path of this WriteFile'),
    (b'{"tool_name": "Edit", "tool_input": {"path": null}}', 'cannot find the target path of this Edit'),
    (b'{"tool_name": "Write", "tool_input": {"path": ["a"]}}', 'cannot find the target path of this Write'),
    (b'{"tool_name": "Shell", "tool_input": {}}', 'cannot find the command of this Shell'),
    (b'{"tool_name": "Bash", "tool_input": {"command": 1}}', 'cannot find the command of this Bash'),
    (json.dumps({'tool_name': 'Bash', 'tool_input': {'command': 'echo ' + 'a' * 70_000}}).encode(), 'too long to judge'),
    (json.dumps({'tool_name': 'Write', 'tool_input': {'path': 'a/' * 40_000, 'content': ''}}).encode(),
     'too long to judge'),
    (json.dumps({'tool_name': 'Write', 'tool_input': {'path': 'x', 'items': [{'path': 'x'}] * 300}}).encode(),
     'too many paths'),
    (json.dumps({'tool_name': 'Bash', 'tool_input': {'command': 'sh -c "sh -c \\"' + 'eval ' * 9 + 'ls\\""'}}).encode(),
     'too deeply nested'),
    (json.dumps({'tool_name': 'Bash', 'tool_input': {'command': 'ls', 'more': [{'command': 'ls'}] * 20}}).encode(),
     'too many commands'),
    (json.dumps({'tool_name': 'Bash', 'tool_input': {'command': 'ls', 'more': [{'command': 'ls ' * 2000}] * 12}}).encode(),
     'too long to judge'),
    (json.dumps({'tool_name': 'Bash', 'tool_input': {'command': 'sh -c ' + shlex.quote('ls ' * 1500 + '> .env')}}).encode(),
     'a nested script too long to judge'),
])
def test_gate_fails_closed_on_a_payload_it_cannot_judge(gate, data, reason):
    verdict = run_gate(gate, data)
    assert verdict.status == 2 and reason in verdict.stderr, verdict.stderr
    assert verdict.stderr.count('\n') == 1


def test_a_path_key_inside_the_content_is_not_taken_for_the_target(gate):
    # Keys cannot occur inside a JSON string: the decoy "path" in the content is escaped.
    data = payload(KIMI_CLI, write_call(KIMI_CLI, '.env', content='{"path": "ok.txt"}'))
    assert run_gate(gate, data).status == 2
    data = payload(KIMI_CODE, write_call(KIMI_CODE, 'ok.txt', content='{"path": ".env"}'))
    assert run_gate(gate, data).status == 0


def test_every_path_key_is_judged_not_just_the_last(gate):
    # kimi-cli passes the model's arguments as they came, extra keys included.
    call = write_call(KIMI_CLI, '.env')
    call.args['extra'] = {'path': 'ok.txt'}
    assert run_gate(gate, payload(KIMI_CLI, call)).status == 2


def test_escaped_characters_in_a_handwritten_payload_are_decoded(gate):
    for path in (r'\u002eenv', r'.\u0045NV', r'\/home\/me\/.env', r'.e\u006ev'):
        data = ('{"tool_name": "Write", "tool_input": {"path": "' + path + '", "content": "x"}}').encode()
        assert run_gate(gate, data).status == 2, path


def test_gate_runs_on_a_path_that_json_escapes_and_non_ascii(gate):
    for target in (KIMI_CLI, KIMI_CODE):
        assert run_gate(gate, payload(target, write_call(target, 'docs/ümlaut "quoted" \\ name.md'))).status == 0
        assert run_gate(gate, payload(target, write_call(target, 'ü/../.env'))).status == 2
        assert run_gate(gate, payload(target, shell_call(target, 'echo "ü" > "ü dir/.env"'))).status == 2


def test_the_gate_fails_closed_for_every_tool_the_installed_matcher_routes_to_it(tmp_path):
    # The script names the write and shell tools it needs a path or command from; the installed
    # PreToolUse matcher (each runtime's write and shell tools) must route no other tool to it.
    fail_closed = {tool for names in re.findall(r'tool ~ /\^\(([^)]*)\)\$/', GATE_TEXT) for tool in names.split('|')}
    for target, shell in ((KIMI_CLI, 'Shell'), (KIMI_CODE, 'Bash')):
        project = init_repo(tmp_path / target)
        install_project_assets(project, target=target)
        base = '.kimi' if target == KIMI_CLI else '.kimi-code'
        matcher = re.search(r'matcher = "\^\(([^)]*)\)\$"', (project / base / 'hooks.toml.example').read_text())
        assert matcher is not None
        tools = set(matcher.group(1).split('|'))
        assert shell in tools and tools <= fail_closed, (tools, fail_closed)


def test_the_gate_uses_posix_tools_only():
    body = [line for line in GATE_TEXT.splitlines() if not line.lstrip().startswith('#')]
    text = '\n'.join(body)
    # A GNU BRE alternation, GNU-only options and gawk-only names, ERE intervals (old mawk lacks them).
    for gnu_only in (re.escape('\\|'), r'grep -[a-zA-Z]*[oP]', r'sed -[a-zA-Z]*[Er]', r'\bgensub\b', r'\bjq\b',
                     r'\bIGNORECASE\b', r'\bRT\b', r'\bFPAT\b', r'\{[0-9],?[0-9]*\}', r'/dev/stderr'):
        assert not re.search(gnu_only, text), gnu_only


# Property tests: the gate against the reference ``is_secret`` over generated paths.
EXAMPLES = int(os.environ.get('OMK_GATE_EXAMPLES', '60'))
SEGMENTS = st.sampled_from([
    '.env', '.ENV', '.Env.local', '.env.example', '.env.SAMPLE', '.env.template', '.env.dist', '.env.', 'env',
    'id_rsa', 'ID_Ed25519', 'id_rsa.pub', 'server.pem', 'X.Key', 'a.p12', 'b.PFX', 'c.jks', 'd.keystore',
    '.netrc', '_NETRC', '.git-credentials', '.aws', '.AWS', 'credentials', 'src', 'a b', 'é', '.', '..', '', 'app.py',
])
RANDOM_SEGMENT = st.text(alphabet='.aeEnNvV_-/\\ é"\'', max_size=8)
PATHS = st.builds(lambda parts, seps: ''.join(p + s for p, s in zip(parts, seps)),
                  st.lists(st.one_of(SEGMENTS, SEGMENTS, RANDOM_SEGMENT), min_size=1, max_size=5),
                  st.lists(st.sampled_from(['/', '/', '//', '/./', '\\', '']), min_size=5, max_size=5))


@settings(max_examples=EXAMPLES, deadline=None)
@given(path=PATHS, target=st.sampled_from([KIMI_CLI, KIMI_CODE]), edit=st.booleans())
def test_property_gate_blocks_a_write_exactly_when_the_reference_says_secret(gate, path, target, edit):
    call = edit_call(target, path) if edit else write_call(target, path)
    verdict = run_gate(gate, payload(target, call))
    assert verdict.status == (2 if is_secret(path) else 0), (path, verdict.stderr)


WRITING_FORMS = ['echo x > {}', 'echo x >> {}', 'printf x 2>{}', 'tee -a {} < in.txt', 'cp src.txt {}',
                 'install -m 600 src.txt {}', 'sed -i s/a/b/ {}', 'dd if=in.txt of={}']
READING_FORMS = ['cat {}', 'test -f {}', 'sed -n p {}', 'cp {} copy.txt', 'dd if={} of=/dev/null']


def shell_command(form: str, path: str) -> str:
    if form == 'sh -c':
        return 'sh -c ' + shlex.quote('echo x > ' + shlex.quote(path))
    return form.format(shlex.quote(path))


@settings(max_examples=EXAMPLES, deadline=None)
@given(path=PATHS, form=st.sampled_from(WRITING_FORMS + READING_FORMS + ['sh -c']),
       target=st.sampled_from([KIMI_CLI, KIMI_CODE]))
def test_property_gate_blocks_a_shell_write_exactly_when_the_reference_says_secret(gate, path, form, target):
    path = './' + path  # never an option
    command = shell_command(form, path)
    expected = form not in READING_FORMS and is_secret(path)
    verdict = run_gate(gate, payload(target, shell_call(target, command)))
    assert verdict.status == (2 if expected else 0), (command, verdict.stderr)


# The same table under other tool sets: busybox alone, and POSIX-only awk and sed.
def tool_sets(base: Path) -> dict[str, str | None]:
    sets: dict[str, str | None] = {
        'sed --posix': shim_dir(base / 'sed-posix', {'sed': f'{shutil.which("sed")} --posix'}) if shutil.which('sed') else None,
        'busybox': busybox_path(base / 'busybox'),
    }
    if shutil.which('gawk'):
        sets['gawk --posix'] = shim_dir(base / 'gawk-posix', {'awk': f'{shutil.which("gawk")} --posix'})
    if shutil.which('original-awk'):  # the one-true-awk, as on macOS and the BSDs
        sets['original-awk'] = shim_dir(base / 'original-awk', {'awk': shutil.which('original-awk') or ''})
    return sets


OTHER_TOOLS = ('sed --posix', 'busybox', 'gawk --posix', 'original-awk')


@pytest.mark.parametrize('tools', OTHER_TOOLS)
def test_the_whole_table_gives_the_same_verdicts_under_other_posix_tools(gate, tmp_path, tools):
    path_env = tool_sets(tmp_path).get(tools)
    if path_env is None:
        pytest.skip(f'{tools} is not installed here')
    shell = 'sh' if tools != 'busybox' else str(Path(path_env) / 'sh')
    # The fast tier gives each tool set every other row (alternating, so every row still runs
    # under two of them); the full tier, every row.
    rows = ROWS if is_full() else ROWS[OTHER_TOOLS.index(tools) % 2::2]
    wrong = []
    for target, name, data, blocked in rows:
        verdict = run_gate(gate, data, path_env=path_env, shell=shell)
        if verdict.status != (2 if blocked else 0):
            wrong.append((target, name, verdict.status, verdict.stderr))
    assert wrong == []


def test_a_50_mb_payload_is_judged_well_within_the_hook_timeout(gate):
    # scripts/bench_gate.py measures; this only guards against a return of the linear-in-MB gate.
    content = ('x = "value"  # some code\n' * 2_200_000)[:50 * 1024 * 1024]
    for target, path, status in ((KIMI_CLI, 'big.txt', 0), (KIMI_CODE, '.env', 2)):
        call = write_call(target, 'placeholder', content)
        call.args.pop('path')
        call.args['path'] = path  # after the content, where a naive reader would not look
        started = time.monotonic()
        verdict = run_gate(gate, payload(target, call))
        assert verdict.status == status, verdict.stderr
        assert time.monotonic() - started < 10


def test_the_gate_benchmark_runs_and_reports_the_target():
    script = Path(__file__).resolve().parent.parent / 'scripts' / 'bench_gate.py'
    proc = subprocess.run((sys.executable, str(script), '--sizes', '1', '--rounds', '1'),
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert 'WRONG' not in proc.stdout and 'WriteFile big.txt (path last)' in proc.stdout
    assert proc.stdout.splitlines()[-1].startswith('target: a 50 MB payload in under 2 s')


# The real runtimes: kimi-cli's HookEngine runs the installed hooks example on every row; a live
# Kimi Code session with the fake model sends a representative subset through its own engine.
KIMI_CLI_ENGINE = '''
import asyncio, json, sys
from pathlib import Path
from kimi_cli.config import load_config
from kimi_cli.hooks import events
from kimi_cli.hooks.engine import HookEngine

project = sys.argv[1]
engine = HookEngine(load_config(Path(project) / ".kimi" / "hooks.toml.example").hooks, cwd=project)

async def judge(call):
    data = events.pre_tool_use(session_id="s1", cwd=project, tool_name=call["tool"],
                               tool_input=call["args"], tool_call_id="c1")
    results = await engine.trigger("PreToolUse", matcher_value=call["tool"], input_data=data)
    return [r.action for r in results]

calls = json.loads(Path(sys.argv[2]).read_text())
print(json.dumps([asyncio.run(judge(call)) for call in calls]))
'''


def test_the_real_kimi_cli_hook_engine_blocks_exactly_the_blocked_rows(tmp_path):
    python = kimi_cli_python()
    if python is None:
        pytest.skip('no Python >= 3.12.2 to run the real kimi-cli 1.52.0 (set OMK_KIMI_PYTHON)')
    project = init_repo(tmp_path / 'project')
    install_project_assets(project)
    rows = [(json.loads(data), blocked) for target, _, data, blocked in ROWS if target == KIMI_CLI]
    calls = [{'tool': p['tool_name'], 'args': p['tool_input']} for p, _ in rows]
    (tmp_path / 'calls.json').write_text(json.dumps(calls))
    env = {**os.environ, 'HOME': str(tmp_path / 'home'), 'KIMI_SHARE_DIR': str(tmp_path / 'share')}
    proc = subprocess.run((str(python), '-P', '-c', KIMI_CLI_ENGINE, str(project), str(tmp_path / 'calls.json')),
                          capture_output=True, text=True, env=env, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    actions = json.loads(proc.stdout.splitlines()[-1])
    wrong = [(call, action) for call, action, (_, blocked) in zip(calls, actions, rows)
             if action != (['block'] if blocked else ['allow'])]
    assert wrong == []
    assert len(actions) == len(rows) >= 120


# Kimi Code 2.1.0's file tools refuse env, credential and SSH key paths themselves, before any
# hook runs; the writes here are the ones only the gate stops.
KIMI_CODE_SESSION = [  # (tool call, blocked), sent one by one by the fake model
    (write_call(KIMI_CODE, 'ok.txt', 'a = 1\n'), False),
    (write_call(KIMI_CODE, 'certs/SERVER.PEM/.'), True),
    (write_call(KIMI_CODE, './store.P12//'), True),
    (write_call(KIMI_CODE, '.env.example', 'TOKEN=\n'), False),
    (edit_call(KIMI_CODE, 'ok.txt', PRIVATE_KEYS[-1]), True),
    (edit_call(KIMI_CODE, 'keys/../tls.Key'), True),
    (shell_call(KIMI_CODE, 'echo TOKEN=1 > .env'), True),
    (shell_call(KIMI_CODE, "sh -c 'echo x >> .env.local'"), True),
    (shell_call(KIMI_CODE, 'cp ok.txt .git-credentials'), True),
    (shell_call(KIMI_CODE, 'sed -i s/a/b/ .Netrc'), True),
    (shell_call(KIMI_CODE, 'cat ok.txt .env.example'), False),
    (shell_call(KIMI_CODE, 'echo hi > notes.md'), False),
]


def test_a_live_kimi_code_session_routes_writes_and_the_shell_through_the_gate(kimi_code, tmp_path):
    project = init_repo(tmp_path / 'project')
    install_project_assets(project, target=KIMI_CODE)
    home = tmp_path / 'kimi-code-home'
    home.mkdir()
    replies = [{'tool': call.tool, 'args': call.args} for call, _ in KIMI_CODE_SESSION] + [{'text': 'done'}]
    with fake_llm(replies) as llm:
        example = (project / '.kimi-code/hooks.toml.example').read_text()
        (home / 'config.toml').write_text(llm.config_toml() + '\n' + example)
        proc = kimi_code.run('-p', 'do things', '--agent', 'executor', cwd=project, kimi_code_home=home)
    assert proc.returncode == 0, proc.stderr
    results = [m['content'] for m in llm.requests[-1]['messages'] if m['role'] == 'tool']
    assert len(results) == len(KIMI_CODE_SESSION)
    wrong = [(call, result) for (call, blocked), result in zip(KIMI_CODE_SESSION, results)
             if ('omk safety-check: ' in str(result)) != blocked]
    assert wrong == [], '\n'.join(map(repr, wrong))
    assert not any((project / name).exists() for name in ('.env', '.env.local', '.git-credentials', '.Netrc'))
    assert (project / 'ok.txt').read_text() == 'a = 1\n' and (project / 'notes.md').read_text() == 'hi\n'
