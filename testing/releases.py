"""Two real releases of this package, for upgrade tests: the checkout as it is (``OLD_TAG``), and
a second release built from a copy with a bundled prompt edited and the version bumped
(``NEW_TAG``). Both are tags of one hook repository (what ``pre-commit autoupdate`` moves a
``rev`` between) and each is pip-installed into its own virtualenv.
"""
from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from testing.hookrepo import _SNAPSHOT_ENV, HookRepo, snapshot_hook_repo
from testing.installed import install_checkout

OLD_TAG, NEW_TAG = 'v0.1.0', 'v0.1.1'
CHANGED_PROMPT = 'omk_precommit/bundle/data/prompts/reviewer.md'
# The same prompt in the bundle omk, the files install writes (kept equal to the metadata by a test).
CHANGED_BUNDLE_FILES = ('omk_precommit/bundle/omk/kimi-cli/agents/reviewer/system.md',
                        'omk_precommit/bundle/omk/kimi-code/agents/reviewer.md')
OLD_LINE = 'You review a change the way a careful maintainer would before merging it.\n'
NEW_LINE = 'You review a change the way a careful, patient maintainer would before merging it.\n'


@dataclass(frozen=True)
class Releases:
    """The hook repository holding both tags, and each release's installed ``omk-kimi``."""

    hook_repo: Path
    old_omk: Path
    new_omk: Path

    def hooks(self, tag: str) -> HookRepo:
        return HookRepo(self.hook_repo, tag)


def _git(repo: Path, *args: str) -> None:
    subprocess.run(('git', *args), cwd=repo, env={**os.environ, **_SNAPSHOT_ENV}, capture_output=True, check=True)


def build_releases(base: Path) -> Releases:
    """Tag the checkout as the old release, commit and tag the new one beside it, install both."""
    repo = snapshot_hook_repo(base / 'hook-repo').path
    _git(repo, 'tag', OLD_TAG)
    new = base / 'new-release'
    _git(repo, 'worktree', 'add', '-q', '-b', 'next', str(new))
    for rel in (CHANGED_PROMPT, *CHANGED_BUNDLE_FILES):
        prompt = new / rel
        text = prompt.read_text()
        assert OLD_LINE in text, f'{rel}: the bundled reviewer prompt changed: update testing/releases.py'
        prompt.write_text(text.replace(OLD_LINE, NEW_LINE))
    # pyproject.toml reads the version from omk_precommit.__version__.
    for rel, old, bumped in (('omk_precommit/__init__.py', "__version__ = '0.1.0'", "__version__ = '0.1.1'"),):
        source = (new / rel).read_text()
        assert old in source, f'{rel}: the version is no longer 0.1.0; update testing/releases.py'
        (new / rel).write_text(source.replace(old, bumped))
    _git(new, 'commit', '-q', '-am', 'release 0.1.1: a clearer reviewer prompt')
    _git(new, 'tag', NEW_TAG)
    install_checkout(base / 'venv-old', repo)
    install_checkout(base / 'venv-new', new)
    return releases_in(base)


def releases_in(base: Path) -> Releases:
    """The releases :func:`build_releases` built in ``base``."""
    return Releases(base / 'hook-repo', base / 'venv-old' / 'bin' / 'omk-kimi', base / 'venv-new' / 'bin' / 'omk-kimi')
