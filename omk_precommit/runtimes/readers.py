"""Reading a project file for a doctor check: never through a symlink out of the project, never
waiting on a FIFO, and an unreadable, non-regular or non-UTF-8 file is a finding, not a traceback."""
from __future__ import annotations

from pathlib import Path

from omk_precommit.engine.findings import Findings
from omk_precommit.engine.fsutil import NotRegularFileError, read_regular
from omk_precommit.engine.paths import is_inside_root


def not_regular_fix(rel: str) -> str:
    """The fix for a FIFO, socket or device where a file of the project belongs."""
    # rm, not sync --force: sync refuses to replace what is not a regular file, and a FIFO holds no data
    return f'rm {rel}, then restore the file: git checkout -- {rel}, or omk-kimi sync if omk-kimi manages it'


def read_project_text(root: Path, path: Path, rel: str, findings: Findings) -> str | None:
    """The UTF-8 text of ``path`` (shown as ``rel``); None once an error says why it cannot be read."""
    if not is_inside_root(root, path):
        findings.error(rel, 'resolves outside the project root through a symlink', f'replace the link {rel} with a file')
        return None
    try:
        return read_regular(path).decode('utf-8')
    except UnicodeDecodeError:
        findings.error(rel, 'is not UTF-8 text', f'save {rel} as UTF-8')
    except NotRegularFileError as e:
        findings.error(rel, str(e.strerror), not_regular_fix(rel))
    except OSError as e:
        findings.error(rel, f'cannot be read ({e.strerror})', f'fix the permissions of {rel}')
    return None
