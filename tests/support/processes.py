"""Run the real ``helpdesk run`` process for end-to-end tests."""

from __future__ import annotations

import http.cookiejar
import json
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


def write_config(folder: Path, database_url: str, rasa_url: str, port: int, *, demo_mode: bool = False) -> Path:
    """A settings file for one test bot; demo mode off unless asked for, as in a real deployment."""
    path = folder / "helpdesk.toml"
    path.write_text(
        f'base_dir = "{REPO_ROOT}"\n'
        f'[database]\nurl = "{database_url}"\n'
        f'[nlu]\nurl = "{rasa_url}"\nstart_server = false\ntimeout_s = 10.0\n'
        f"[web]\nport = {port}\ndemo_mode = {'true' if demo_mode else 'false'}\n",
        encoding="utf-8",
    )
    return path


class BotProcess:
    """``helpdesk --config FILE run`` as a child process, started and stopped like an operator would."""

    def __init__(self, config: Path, port: int, log: Path) -> None:
        self.config, self.port, self.log_path = config, port, log
        self._proc: subprocess.Popen[bytes] | None = None
        self._token: str | None = None

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
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"helpdesk run did not answer: {self.log_path.read_text(errors='replace')[-3000:]}")

    def helpdesk(self, *args: str, stdin: str | None = None) -> str:
        """Run ``helpdesk --config FILE ARGS…`` on the same store, as an operator would; its stdout."""
        helpdesk = Path(sys.executable).parent / "helpdesk"
        done = subprocess.run(
            [str(helpdesk), "--config", str(self.config), *args],
            input=stdin if stdin is not None else "",
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            env={**os.environ},
            timeout=120,
        )
        assert done.returncode == 0, f"helpdesk {' '.join(args)} failed: {done.stderr}"
        return done.stdout

    def create_token(self, name: str = "tests", senders: list[str] | None = None) -> str:
        """``helpdesk tokens create``: the token is alone on the last line."""
        extra = ["--senders", ",".join(senders)] if senders else []
        return self.helpdesk("tokens", "create", name, *extra).strip().splitlines()[-1]

    @property
    def token(self) -> str:
        """An API token that may speak for everyone, made on first use (as an integration would)."""
        if self._token is None:
            self._token = self.create_token(f"tests-{self.port}")
        return self._token

    def set_password(self, person: str, password: str) -> None:
        self.helpdesk("people", "set-password", person, stdin=password + "\n")

    def signed_in(self, person: str, password: str) -> urllib.request.OpenerDirector:
        """An HTTP client holding the person's session cookie, signed in as the sign-in page does."""
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        request = urllib.request.Request(
            self.url + "/api/sign-in",
            data=json.dumps({"person": person, "password": password}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with opener.open(request, timeout=30) as resp:
            assert resp.status == 200
        return opener

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
