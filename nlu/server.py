"""Run the Rasa NLU server as a child process of the bot, the tests or the CLI.

Rasa lives in its own Python 3.10 environment (``nlu/.venv``), so the bot never imports
it: it starts ``rasa run --enable-api`` and talks to it over HTTP on the loopback
interface. This module owns that child process's whole lifecycle — start, wait until the
model is really loaded, stop — so callers get either a server that answers
``POST /model/parse`` or a :class:`RasaStartError` whose message carries the tail of
Rasa's own log, which is where the reason always is.

A long-running caller (the bot) also runs :meth:`RasaServer.supervise`: when the process
exits by itself (killed, out of memory, a crash) it is logged and started again, waiting
longer after each failed or short-lived try, until :meth:`RasaServer.stop`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Protocol

import aiohttp

NLU_DIR = Path(__file__).resolve().parent
"""The Rasa project folder: config.yml, domain.yml, data/, components/, models/."""

MODEL_NAME = "helpdesk-nlu.tar.gz"
_UP_MARKER = "Rasa server is up and running"

RESTART_BACKOFF_S: tuple[float, ...] = (1.0, 2.0, 5.0, 15.0, 30.0, 60.0)
"""Waits before successive restarts; a Rasa that dies at once (a broken model, no memory) is
not restarted in a tight loop. Back to the first wait once it stayed up for ``STABLE_S``."""
STABLE_S = 120.0

log = logging.getLogger(__name__)


class RasaStartError(RuntimeError):
    """The Rasa server could not be started or did not load its model in time."""


class SupervisionListener(Protocol):
    """Told what :meth:`RasaServer.supervise` saw (the bot's health state implements it)."""

    def rasa_exited(self, code: int) -> None: ...

    def rasa_restarted(self) -> None: ...

    def rasa_restart_failed(self, error: str) -> None: ...


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
    that ``components.e5_featurizer`` named in config.yml imports; numpy and scikit-learn
    get one thread (their work per message is small), the e5 engine sets its own.
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
        self._log_offset = 0  # where this run's output starts in the log (a restart appends)
        self._closing = False  # stop() was called: the supervisor must not restart
        self.restarts = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        """The process id of the running Rasa (it changes when the supervisor restarts it)."""
        return self._process.pid if self._process is not None else None

    def command(self) -> list[str]:
        return [
            str(rasa_executable(self.nlu_dir)),
            "run",
            "--enable-api",
            "-m",
            str(self.model),
            # Adds POST /webhooks/parse_many/ (components/parse_many.py), which the bot uses.
            "--credentials",
            str(self.nlu_dir / "credentials.yml"),
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
        self._closing = False
        await self._start(append=False)

    async def _start(self, append: bool) -> None:
        exe = rasa_executable(self.nlu_dir)
        if not exe.exists():
            raise RasaStartError(f"{exe} not found; run `bash nlu/tools/setup_venv.sh` to create nlu/.venv")
        if not self.model.is_file():
            raise RasaStartError(f"model {self.model} not found; run `bash nlu/tools/train.sh`")
        self._spawn(append)
        try:
            await self._wait_until_ready()
        except BaseException:
            await self._terminate()
            raise

    def _spawn(self, append: bool) -> None:
        if self.log_path is None:
            fd, name = tempfile.mkstemp(prefix="rasa-", suffix=".log")
            os.close(fd)
            self.log_path = Path(name)
        # A restart appends, so the log keeps what the dead process said before it died.
        self._log_offset = self.log_path.stat().st_size if append and self.log_path.exists() else 0
        self._log_file = open(self.log_path, "ab" if append else "wb")  # closed in _terminate()
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
                if self._process is None:
                    raise RasaStartError("rasa was stopped while it was starting")
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
        with self.log_path.open("rb") as log_file:
            log_file.seek(self._log_offset)
            return _UP_MARKER in log_file.read().decode("utf-8", errors="replace")

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of Rasa's log, for error messages."""
        if self.log_path is None or not self.log_path.exists():
            return "(no log)"
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    async def supervise(
        self,
        listener: SupervisionListener | None = None,
        *,
        poll_s: float = 0.5,
        backoff_s: Sequence[float] = RESTART_BACKOFF_S,
        stable_s: float = STABLE_S,
    ) -> None:
        """Keep the started server running until :meth:`stop` is called or the task is cancelled.

        When the process exits by itself, log it, tell ``listener`` and start it again; a restart
        that fails is tried again after a longer wait (``backoff_s``), and so is a process that
        died within ``stable_s`` of its last start."""
        attempt = 0
        up_since = time.monotonic()
        while True:
            code = await self._wait_for_exit(poll_s)
            if code is None:
                return
            if time.monotonic() - up_since >= stable_s:
                attempt = 0
            delay = backoff_s[min(attempt, len(backoff_s) - 1)]
            log.warning("Rasa exited with code %d, restarting in %.0f s (log: %s)", code, delay, self.log_path)
            if listener is not None:
                listener.rasa_exited(code)
            await self._terminate()
            while True:
                await asyncio.sleep(delay)
                if self._closing:
                    return
                attempt += 1
                try:
                    await self._start(append=True)
                    break
                except RasaStartError as exc:
                    if self._closing:
                        return
                    delay = backoff_s[min(attempt, len(backoff_s) - 1)]
                    log.error("Rasa did not restart, trying again in %.0f s: %s", delay, exc)
                    if listener is not None:
                        listener.rasa_restart_failed(str(exc))
            self.restarts += 1
            up_since = time.monotonic()
            log.info("Rasa restarted and answers again (%d restart(s) since start-up)", self.restarts)
            if listener is not None:
                listener.rasa_restarted()

    async def _wait_for_exit(self, poll_s: float) -> int | None:
        """The exit code once the process exits by itself; None once :meth:`stop` was called."""
        while not self._closing and self._process is not None:
            code = self._process.poll()
            if code is not None:
                return code
            await asyncio.sleep(poll_s)
        return None

    async def stop(self, grace_s: float = 10.0) -> None:
        """Terminate Rasa, kill it if it has not exited within ``grace_s``; a supervisor stops too."""
        self._closing = True
        await self._terminate(grace_s)

    async def _terminate(self, grace_s: float = 10.0) -> None:
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
