"""Run the real ``helpdesk run`` process for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from config.settings import REPO_ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_config(folder: Path, database_url: str, rasa_url: str, port: int) -> Path:
    path = folder / "helpdesk.toml"
    path.write_text(
        f'base_dir = "{REPO_ROOT}"\n'
        f'[database]\nurl = "{database_url}"\n'
        f'[nlu]\nurl = "{rasa_url}"\nstart_server = false\ntimeout_s = 10.0\n'
        f"[web]\nport = {port}\n",
        encoding="utf-8",
    )
    return path


class BotProcess:
    """``helpdesk --config FILE run`` as a child process, started and stopped like an operator would."""

    def __init__(self, config: Path, port: int, log: Path) -> None:
        self.config, self.port, self.log_path = config, port, log
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 60) -> None:
        log = self.log_path.open("ab")
        helpdesk = Path(sys.executable).parent / "helpdesk"
        self._proc = subprocess.Popen(
            [str(helpdesk), "--config", str(self.config), "run"],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=REPO_ROOT,
            env={**os.environ},
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"helpdesk run exited: {self.log_path.read_text(errors='replace')[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + "/api/people", timeout=1) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"helpdesk run did not answer: {self.log_path.read_text(errors='replace')[-3000:]}")

    def stop(self) -> int:
        """Ctrl-C, as an operator stops it; returns the exit code."""
        proc, self._proc = self._proc, None
        if proc is None:
            return 0
        proc.send_signal(signal.SIGINT)
        try:
            return proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            return proc.wait()
