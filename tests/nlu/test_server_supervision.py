"""The Rasa process the bot started is supervised: killed, it is restarted, a log line says so and the
health state shows it; stopped, it stays stopped.

The real ``RasaServer`` runs a real child process here, but its ``rasa`` executable is a stand-in (a
small HTTP server answering ``/model/parse`` as Rasa does), because the real one takes about a minute
to load its model and the NLU tests share it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest

from bot.health import Health
from core.clock import FakeClock
from nlu.rasa_http import RasaHttpClient
from nlu.server import RasaServer

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)

STAND_IN = f"""#!{sys.executable}
# A stand-in for `rasa run --enable-api -p PORT`. Launches listed in the file `fail` exit at once.
import json, pathlib, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

here = pathlib.Path(__file__).resolve().parents[2]
count = here / "launches"
launch = int(count.read_text() if count.exists() else "0") + 1
count.write_text(str(launch))
fail = here / "fail"
if fail.exists() and str(launch) in fail.read_text().split():
    print("stand-in: failing launch", launch, flush=True)
    sys.exit(3)

class Parse(BaseHTTPRequestHandler):
    def do_POST(self):
        text = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["text"]
        intent = {{"name": "chitchat", "confidence": 0.9}}
        body = json.dumps({{"text": text, "intent": intent, "intent_ranking": [intent]}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[sys.argv.index("-p") + 1])), Parse)
print("Rasa server is up and running", flush=True)
server.serve_forever()
"""


@pytest.fixture
def nlu_dir(tmp_path: Path) -> Path:
    rasa = tmp_path / ".venv" / "bin" / "rasa"
    rasa.parent.mkdir(parents=True)
    rasa.write_text(STAND_IN, encoding="utf-8")
    rasa.chmod(0o755)
    return tmp_path


@pytest.fixture
async def server(nlu_dir: Path) -> AsyncIterator[RasaServer]:
    model = nlu_dir / "model.tar.gz"
    model.write_bytes(b"")
    rasa = RasaServer(model, nlu_dir=nlu_dir, log_path=nlu_dir / "rasa.log", startup_timeout_s=30)
    await rasa.start()
    yield rasa
    await rasa.stop()


@contextlib.asynccontextmanager
async def _supervised(server: RasaServer, health: Health, backoff_s: tuple[float, ...] = (0.1,)) -> AsyncIterator[None]:
    task = asyncio.create_task(server.supervise(health, poll_s=0.05, backoff_s=backoff_s))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _until(condition: Callable[[], bool], timeout_s: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def _parse(server: RasaServer) -> str:
    async with aiohttp.ClientSession() as session:
        return (await RasaHttpClient(session, server.base_url, 5.0).parse("你好")).intent.name


async def test_a_killed_rasa_is_restarted_with_a_log_line_and_the_health_shows_it(
    server: RasaServer, caplog: pytest.LogCaptureFixture
) -> None:
    health = Health(FakeClock(NOW))
    health.rasa_supervised()
    first = server.pid
    assert first is not None
    async with _supervised(server, health):
        with caplog.at_level(logging.INFO, logger="nlu.server"):
            os.kill(first, signal.SIGKILL)
            await _until(lambda: health.restarts == 1)
        assert f"Rasa exited with code {-signal.SIGKILL}, restarting" in caplog.text
        assert server.running and server.pid != first and server.restarts == 1
        assert await _parse(server) == "chitchat"
    state = health.snapshot()
    assert state["status"] == "ok" and state["nlu"]["state"] == "up"
    assert state["rasa"] == {
        "state": "running",
        "restarts": 1,
        "last_exit_code": -signal.SIGKILL,
        "last_exit_at": NOW.isoformat(),
    }


async def test_while_it_is_down_the_health_says_so(server: RasaServer, nlu_dir: Path) -> None:
    (nlu_dir / "fail").write_text(" ".join(map(str, range(2, 1000))), encoding="utf-8")  # it will not come back
    health = Health(FakeClock(NOW))
    health.rasa_supervised()
    assert server.pid is not None
    async with _supervised(server, health):
        os.kill(server.pid, signal.SIGTERM)
        await _until(lambda: health.rasa == "restarting")
        await asyncio.sleep(0.5)  # restarts are tried and fail meanwhile
    state = health.snapshot()
    assert state["status"] == "degraded" and state["nlu"]["state"] == "down"
    assert state["rasa"]["state"] == "restarting" and state["rasa"]["last_exit_code"] == -signal.SIGTERM
    assert health.restarts == 0 and int((nlu_dir / "launches").read_text()) >= 2


async def test_a_restart_that_fails_is_tried_again_after_a_wait(
    server: RasaServer, nlu_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (nlu_dir / "fail").write_text("2", encoding="utf-8")  # the first restart exits at once
    health = Health(FakeClock(NOW))
    assert server.pid is not None
    async with _supervised(server, health, backoff_s=(0.1, 0.2)):
        with caplog.at_level(logging.INFO, logger="nlu.server"):
            os.kill(server.pid, signal.SIGKILL)
            await _until(lambda: health.restarts == 1)
        assert "Rasa did not restart, trying again in" in caplog.text and "exited with code 3" in caplog.text
        assert (nlu_dir / "launches").read_text() == "3"
        assert await _parse(server) == "chitchat"
    assert "stand-in: failing launch 2" in (nlu_dir / "rasa.log").read_text()  # the log keeps every run


async def test_a_stopped_rasa_is_not_restarted(server: RasaServer, nlu_dir: Path) -> None:
    health = Health(FakeClock(NOW))
    supervisor = asyncio.create_task(server.supervise(health, poll_s=0.05, backoff_s=(0.1,)))
    await asyncio.sleep(0.2)
    await server.stop()
    await asyncio.wait_for(supervisor, timeout=5)  # the supervisor ends by itself
    await asyncio.sleep(0.3)
    assert not server.running and server.pid is None and health.restarts == 0
    assert (nlu_dir / "launches").read_text() == "1"
