"""Run the Rasa NLU server as a child process of the bot, the tests or the CLI.

Rasa lives in its own Python 3.10 environment (``nlu/.venv``), so the bot never imports
it: it starts ``rasa run --enable-api`` and talks to it over HTTP on the loopback
interface. This module owns that child process's whole lifecycle — start, wait until the
model is really loaded, stop — so callers get either a server that answers
``POST /model/parse`` or a :class:`RasaStartError` whose message carries the tail of
Rasa's own log, which is where the reason always is.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import IO

import aiohttp

NLU_DIR = Path(__file__).resolve().parent
"""The Rasa project folder: config.yml, domain.yml, data/, components/, models/."""

MODEL_NAME = "helpdesk-nlu.tar.gz"
_UP_MARKER = "Rasa server is up and running"


class RasaStartError(RuntimeError):
    """The Rasa server could not be started or did not load its model in time."""


def default_model_path(nlu_dir: Path = NLU_DIR) -> Path:
    """The trained model that ``nlu/tools/train.sh`` writes; it may not exist yet."""
    return nlu_dir / "models" / MODEL_NAME


def find_model(nlu_dir: Path = NLU_DIR) -> Path:
    """Return the trained model, or raise with the command that builds it."""
    path = default_model_path(nlu_dir)
    if not path.is_file():
        raise FileNotFoundError(f"no trained NLU model at {path}; run `bash nlu/tools/train.sh` first")
    return path


def rasa_executable(nlu_dir: Path = NLU_DIR) -> Path:
    """The ``rasa`` command of the NLU's own virtual environment."""
    return nlu_dir / ".venv" / "bin" / "rasa"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now (for tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def rasa_env(nlu_dir: Path = NLU_DIR, base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for any Rasa command of this project.

    Telemetry is off because it would try the network; ``nlu/`` is on PYTHONPATH so
    that ``components.e5_featurizer`` named in config.yml imports; the e5 engine gets
    one thread because the machines have two cores shared with the bot and the tests.
    """
    env = dict(os.environ if base is None else base)
    env["RASA_TELEMETRY_ENABLED"] = "false"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(nlu_dir), env.get("PYTHONPATH", "")) if p)
    env.setdefault("OMP_NUM_THREADS", "1")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # The bot's own venv must not leak into Rasa's interpreter.
    env.pop("VIRTUAL_ENV", None)
    env.pop("PYTHONHOME", None)
    return env


class RasaServer:
    """A ``rasa run --enable-api`` child process serving one model on 127.0.0.1.

    Use ``async with RasaServer(model) as server:`` or ``await start()`` / ``await
    stop()``. ``base_url`` is what :class:`nlu.client.RasaHttpClient` needs. The log
    goes to a file (``log_path``) rather than a pipe so that a chatty Rasa can never
    block on a full pipe buffer.
    """

    def __init__(
        self,
        model: Path | None = None,
        *,
        port: int | None = None,
        startup_timeout_s: float = 180.0,
        nlu_dir: Path = NLU_DIR,
        log_path: Path | None = None,
    ) -> None:
        self.nlu_dir = nlu_dir
        self.model = model if model is not None else find_model(nlu_dir)
        self.port = port if port is not None else free_port()
        self.startup_timeout_s = startup_timeout_s
        self.log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def command(self) -> list[str]:
        return [
            str(rasa_executable(self.nlu_dir)),
            "run",
            "--enable-api",
            "-m",
            str(self.model),
            "-i",
            "127.0.0.1",
            "-p",
            str(self.port),
        ]

    async def start(self) -> None:
        """Start Rasa and return once ``/model/parse`` answers with an intent.

        Raises :class:`RasaStartError` (with Rasa's log tail) when the executable is
        missing, the process exits, or the model is not loaded within the timeout.
        """
        if self.running:
            return
        exe = rasa_executable(self.nlu_dir)
        if not exe.exists():
            raise RasaStartError(f"{exe} not found; run `bash nlu/tools/setup_venv.sh` to create nlu/.venv")
        if not self.model.is_file():
            raise RasaStartError(f"model {self.model} not found; run `bash nlu/tools/train.sh`")
        self._spawn()
        try:
            await self._wait_until_ready()
        except BaseException:
            await self.stop()
            raise

    def _spawn(self) -> None:
        if self.log_path is None:
            fd, name = tempfile.mkstemp(prefix="rasa-", suffix=".log")
            os.close(fd)
            self.log_path = Path(name)
        self._log_file = open(self.log_path, "wb")  # closed in stop()
        self._process = subprocess.Popen(
            self.command(),
            cwd=self.nlu_dir,
            env=rasa_env(self.nlu_dir),
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    async def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout_s
        timeout = aiohttp.ClientTimeout(total=5)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while True:
                assert self._process is not None
                if self._process.poll() is not None:
                    raise RasaStartError(
                        f"rasa exited with code {self._process.returncode} before its "
                        f"model was loaded; log {self.log_path}:\n{self.log_tail()}"
                    )
                if await self._answers(session):
                    return
                if self._up_without_model() and not await self._answers(session):
                    raise RasaStartError(
                        f"rasa is up but could not load the model {self.model}; log {self.log_path}:\n{self.log_tail()}"
                    )
                if time.monotonic() > deadline:
                    raise RasaStartError(
                        f"rasa did not load {self.model} within {self.startup_timeout_s:.0f}s; "
                        f"log {self.log_path}:\n{self.log_tail()}"
                    )
                await asyncio.sleep(0.5)

    async def _answers(self, session: aiohttp.ClientSession) -> bool:
        """True once a real parse comes back: /status answers before the model loads."""
        try:
            async with session.post(f"{self.base_url}/model/parse", json={"text": "你好"}) as resp:
                if resp.status != 200:
                    return False
                body = await resp.json()
        except (TimeoutError, aiohttp.ClientError, ValueError):
            return False
        intent = body.get("intent") if isinstance(body, dict) else None
        return isinstance(intent, dict) and bool(intent.get("name"))

    def _up_without_model(self) -> bool:
        """Rasa logs "up and running" only after trying to load the model, and keeps
        serving without one when that failed; parse then answers an error."""
        if self.log_path is None or not self.log_path.exists():
            return False
        return _UP_MARKER in self.log_path.read_text(encoding="utf-8", errors="replace")

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of Rasa's log, for error messages."""
        if self.log_path is None or not self.log_path.exists():
            return "(no log)"
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    async def stop(self, grace_s: float = 10.0) -> None:
        """Terminate Rasa, kill it if it has not exited within ``grace_s``."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                await asyncio.to_thread(process.wait, grace_s)
            except subprocess.TimeoutExpired:
                process.kill()
                await asyncio.to_thread(process.wait)
        if self._log_file is not None:
            with contextlib.suppress(OSError):
                self._log_file.close()
            self._log_file = None

    async def __aenter__(self) -> RasaServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
