"""Run inside the kimi-cli venv: one real kimi-cli 1.52.0 print-mode session, approvals off.

Usage: python -P kimi_cli_session_script.py WORK_DIR CONFIG.toml AGENT_FILE PROMPT
The config names the model (a scripted local server, ``testing/fake_llm.py``) and the
``[[hooks]]`` the session runs with; exits with the session's exit status.
"""
from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

_SCRATCH = Path(tempfile.mkdtemp(prefix='omk-kimi-session-'))
os.environ['KIMI_SHARE_DIR'] = str(_SCRATCH / 'share')
os.environ['HOME'] = str(_SCRATCH / 'home')
os.environ['KIMI_DISABLE_TELEMETRY'] = '1'

from kaos.path import KaosPath  # noqa: E402
from kimi_cli.app import KimiCLI  # noqa: E402
from kimi_cli.session import Session  # noqa: E402


async def session(work_dir: Path, config: Path, agent_file: Path, prompt: str) -> int:
    kimi_session = await Session.create(KaosPath.unsafe_from_local_path(work_dir))
    cli = await KimiCLI.create(kimi_session, config=config, agent_file=agent_file, yolo=True, ui_mode='print')
    return await cli.run_print('text', 'text', prompt)


def main() -> None:
    work_dir, config, agent_file, prompt = sys.argv[1:5]
    os.chdir(work_dir)
    raise SystemExit(asyncio.run(session(Path(work_dir), Path(config), Path(agent_file), prompt)))


main()
