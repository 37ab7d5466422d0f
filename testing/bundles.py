"""Team bundles for the tests: a bundle directory, and a real Python package shipping one through the
entry point group ``omk_precommit.bundles``, pip-installed into a site directory."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

ACME_PROMPT = '.kimi/agents/reviewer/system.md'
ACME_SKILL = '.kimi/skills/acme-style/SKILL.md'
REMOVED_AGENT = '.kimi/agents/explore'


def write_bundle(directory: Path, toml: str, files: dict[str, str] | None = None) -> Path:
    """A bundle directory: ``omk-bundle.toml`` holding ``toml`` and ``files`` (bundle path -> text)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / 'omk-bundle.toml').write_text(toml)
    for rel, text in (files or {}).items():
        (directory / rel).parent.mkdir(parents=True, exist_ok=True)
        (directory / rel).write_text(text)
    return directory


def acme_files(version: str) -> dict[str, str]:
    """acme extends omk: the reviewer's prompt replaced, a skill added, the explore agent removed."""
    extra = 'Check the changelog too.\n' if version >= '2' else ''
    return {
        'kimi-cli/agents/reviewer/system.md': 'You review for ACME.\nFollow docs/style.md.\n' + extra,
        'kimi-cli/skills/acme-style/SKILL.md': f'---\nname: acme-style\ndescription: ACME style ({version})\n---\nUse it.\n',
    }


def acme_toml(version: str) -> str:
    return (f'name = "acme"\nversion = "{version}"\ndescription = "ACME team assets"\nextends = "omk"\n'
            'remove = ["kimi-cli/agents/explore", "kimi-code/agents/explore.md"]\n')


def bundle_package(dest: Path, *, dist: str, module: str, name: str, version: str, toml: str,
                   files: dict[str, str]) -> Path:
    """A pip-installable project at ``dest`` whose package ``module`` holds the bundle (as package data)
    and whose entry point ``name`` in ``omk_precommit.bundles`` names it."""
    dest.mkdir(parents=True, exist_ok=True)
    (dest / 'pyproject.toml').write_text(
        '[build-system]\nrequires = ["setuptools>=64"]\nbuild-backend = "setuptools.build_meta"\n\n'
        f'[project]\nname = "{dist}"\nversion = "{version}"\n\n'
        f'[project.entry-points."omk_precommit.bundles"]\n{name} = "{module}"\n\n'
        f'[tool.setuptools]\npackages = ["{module}"]\n\n'
        f'[tool.setuptools.package-data]\n{module} = ["omk-bundle.toml", "**/*"]\n'
    )
    package = write_bundle(dest / module, toml, files)
    (package / '__init__.py').write_text('')
    return dest


def pip_install_into(site: Path, project: Path) -> Path:
    """``pip install --target site project`` (built like any sdist, as pre-commit builds additional_dependencies)."""
    subprocess.run(
        (sys.executable, '-m', 'pip', 'install', '--quiet', '--no-deps', '--upgrade',
         '--target', str(site), str(project)),
        check=True, capture_output=True,
    )
    return site


class BundlePackage(NamedTuple):
    """A bundle package's source project (what ``additional_dependencies`` names) and a site
    directory it is pip-installed into (what the in-process tests put on ``sys.path``)."""

    source: Path
    site: Path


def acme_package(source: Path, site: Path, version: str) -> BundlePackage:
    """acme-kimi-assets ``version``, built from ``source`` and pip-installed into ``site``."""
    bundle_package(source, dist='acme-kimi-assets', module='acme_kimi_assets', name='acme', version=version,
                   toml=acme_toml(version), files=acme_files(version))
    return BundlePackage(source, pip_install_into(site, source))
