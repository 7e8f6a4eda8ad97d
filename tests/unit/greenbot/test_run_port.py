"""`greenbot run` on a port another program holds stops at once and names the setting to change,
instead of loading the model for seconds and ending on a bare uvicorn error."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def test_a_taken_port_is_named_with_the_setting_that_changes_it(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith("GREENBOT_")}
        env.update(GREENBOT_WEB_PORT=str(port), GREENBOT_DATA_DIR=str(tmp_path), HF_HUB_OFFLINE="1")
        done = subprocess.run(
            [sys.executable, "-m", "greenbot", "run"],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 1
    assert f"端口 {port} 已被占用" in done.stderr
    assert f"GREENBOT_WEB_PORT={port + 1}" in done.stderr
    assert "Traceback" not in done.stderr
