"""Reading a project file for a doctor check: never through a symlink out of the project, and
an unreadable or non-UTF-8 file is a finding, not a traceback."""
from __future__ import annotations

from pathlib import Path

from omk_precommit.doctor.results import Findings
from omk_precommit.paths import is_inside_root


def read_project_text(root: Path, path: Path, rel: str, findings: Findings) -> str | None:
    """The UTF-8 text of ``path`` (shown as ``rel``); None once an error says why it cannot be read."""
    if not is_inside_root(root, path):
        findings.error(rel, 'resolves outside the project root through a symlink', f'replace the link {rel} with a file')
        return None
    try:
        return path.read_bytes().decode('utf-8')
    except UnicodeDecodeError:
        findings.error(rel, 'is not UTF-8 text', f'save {rel} as UTF-8')
    except OSError as e:
        findings.error(rel, f'cannot be read ({e.strerror})', f'fix the permissions of {rel}')
    return None
