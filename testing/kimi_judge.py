"""Ask the real Kimi CLI (cached kimi-cli venv) for its verdict on a batch of assets, in one process."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from testing.kimi_cli import kimi_cli_python

SCRIPT = Path(__file__).with_name('kimi_judge_script.py')


def judge(requests: list[dict[str, Any]], scratch: Path) -> dict[str, dict[str, Any]]:
    """Verdicts keyed by request id (see ``kimi_judge_script``); the calling test skips without kimi-cli."""
    python = kimi_cli_python()
    scratch.mkdir(parents=True, exist_ok=True)
    requests_file, verdicts_file = scratch / 'requests.json', scratch / 'verdicts.json'
    requests_file.write_text(json.dumps(requests))
    env = {**os.environ, 'HOME': str(scratch / 'home'), 'KIMI_SHARE_DIR': str(scratch / 'share')}
    proc = subprocess.run(
        # -P: the script's own directory (testing/, with its kimi_cli.py) must not shadow the real kimi_cli.
        (str(python), '-P', str(SCRIPT), str(requests_file), str(verdicts_file)),
        capture_output=True, text=True, env=env, timeout=600, check=False,
    )
    if proc.returncode != 0:
        raise AssertionError(f'kimi-cli judge failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}')
    verdicts: dict[str, dict[str, Any]] = json.loads(verdicts_file.read_text())
    return verdicts
