"""The core's REST answer: woken when the replies are committed, waiting without taking SQLite's
write lock (the handler it waits for needs that lock)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import event

import storage
from bot.core import HelpdeskCore
from bot.directory import load_directory
from bot.outbox import OutboxWorker
from bot.pipeline import Pipeline
from config.settings import REPO_ROOT, OutboxSettings
from core.clock import FakeClock
from nlu.client import ParseResult
from tests.support.builders import ScriptedNlu, make_inbound
from tests.support.service_steps import NOW


class SlowNlu(ScriptedNlu):
    """Answers only once released, so the message is handled while the REST caller waits."""

    def __init__(self) -> None:
        super().__init__({})
        self.release = asyncio.Event()

    async def parse(self, text: str) -> ParseResult:
        await self.release.wait()
        return await super().parse(text)


@pytest.fixture
async def engine_and_sessions(sqlite_url: str) -> AsyncIterator[tuple[Any, storage.SessionFactory]]:
    engine = storage.make_engine(sqlite_url)
    await storage.upgrade(engine)
    sessions = storage.make_session_factory(engine)
    async with sessions() as session, session.begin():
        await storage.sync_people(session, load_directory(REPO_ROOT / "config" / "people.yaml"))
    yield engine, sessions
    await engine.dispose()


async def test_the_rest_answer_is_woken_by_the_handler_and_waits_without_the_write_lock(
    engine_and_sessions: tuple[Any, storage.SessionFactory],
) -> None:
    engine, sessions = engine_and_sessions
    nlu = SlowNlu()
    clock = FakeClock(NOW)
    pipeline = Pipeline(sessions, nlu, clock, hotline="400-000-0000")
    core = HelpdeskCore(sessions, pipeline, OutboxWorker(sessions, {}, clock, OutboxSettings()), clock)
    receipt = await core.accept(make_inbound("你好", at=NOW))

    statements: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    handling = asyncio.create_task(core.handle_stored(receipt))
    waiting = asyncio.create_task(core.take_replies(receipt.inbound_id, wait_s=30))
    await asyncio.sleep(0.35)  # the caller waits; a 100 ms poll would have read three times by now
    reads_while_waiting = sum("FROM inbound_messages" in s for s in statements)
    locks_while_waiting = sum(s == "BEGIN IMMEDIATE" for s in statements)
    nlu.release.set()
    await handling
    [(_, reply)] = await asyncio.wait_for(waiting, timeout=5)

    assert "服务台" in reply.text
    assert reads_while_waiting == 2  # the handler's look at the message, and the caller's one check
    assert locks_while_waiting == 0
