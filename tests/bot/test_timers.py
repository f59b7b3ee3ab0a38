"""Durable timers: acted on once, surviving restarts, shared by several worker processes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

import storage
from bot.timers import TimerWorker
from core.clock import FakeClock
from core.messages import Outgoing, Reply
from handlers.context import TimerContext

START = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


async def _notify(ctx: TimerContext) -> list[Outgoing]:
    return [Outgoing(Reply(f"due: {ctx.timer.ref}"), to="eng.chen")]


async def _schedule(sessions: storage.SessionFactory, count: int, minutes: int = 5) -> None:
    async with sessions() as s, s.begin():
        for i in range(count):
            await storage.schedule_timer(
                s, kind="notify", ref=f"t{i}", due_at=START + timedelta(minutes=minutes), now=START
            )


async def _sent_texts(sessions: storage.SessionFactory) -> list[str]:
    async with sessions() as s:
        rows = (await s.scalars(select(storage.OutboxMessage).order_by(storage.OutboxMessage.id))).all()
        return [r.payload["text"] for r in rows]


async def test_a_timer_acts_when_due_and_only_once(sessions: storage.SessionFactory) -> None:
    await _schedule(sessions, 1)
    clock = FakeClock(START)
    worker = TimerWorker(sessions, clock, {"notify": _notify})
    assert await worker.run_due() == 0
    clock.advance(timedelta(minutes=5))
    assert await worker.run_due() == 1
    assert await worker.run_due() == 0
    assert await _sent_texts(sessions) == ["due: t0"]


async def test_a_restarted_worker_acts_on_timers_scheduled_before_the_restart(
    sessions: storage.SessionFactory,
) -> None:
    await _schedule(sessions, 2)
    before = TimerWorker(sessions, FakeClock(START + timedelta(minutes=4)), {"notify": _notify})
    assert await before.run_due() == 0  # minute 4: nothing due; then the process "stops"
    after = TimerWorker(sessions, FakeClock(START + timedelta(minutes=5)), {"notify": _notify})
    assert await after.run_due() == 2
    assert sorted(await _sent_texts(sessions)) == ["due: t0", "due: t1"]


async def test_a_failing_handler_leaves_nothing_half_done_and_is_retried(sessions: storage.SessionFactory) -> None:
    await _schedule(sessions, 1)
    calls = 0

    async def flaky(ctx: TimerContext) -> list[Outgoing]:
        nonlocal calls
        calls += 1
        if calls == 1:
            await storage.enqueue(
                ctx.session,
                channel="web",
                recipient_id="eng.chen",
                chat_id="eng.chen",
                payload={"text": "half", "buttons": []},
                now=ctx.now,
            )
            raise RuntimeError("boom")
        return await _notify(ctx)

    clock = FakeClock(START + timedelta(minutes=5))
    worker = TimerWorker(sessions, clock, {"notify": flaky})
    assert await worker.run_due() == 0
    assert await _sent_texts(sessions) == []  # the half-done work was rolled back
    clock.advance(timedelta(minutes=1))
    assert await worker.run_due() == 1
    assert await _sent_texts(sessions) == ["due: t0"]


async def test_cancelled_timers_never_fire(sessions: storage.SessionFactory) -> None:
    await _schedule(sessions, 1)
    async with sessions() as s, s.begin():
        assert await storage.cancel_timers(s, "t0") == 1
    worker = TimerWorker(sessions, FakeClock(START + timedelta(hours=1)), {"notify": _notify})
    assert await worker.run_due() == 0


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_two_workers_on_one_postgresql_act_on_each_of_100_timers_exactly_once(
    sessions: storage.SessionFactory, database_url: str
) -> None:
    await _schedule(sessions, 100)
    # Two engines: two processes' worth of connections competing for the same rows.
    engines = [storage.make_engine(database_url) for _ in range(2)]
    try:
        clock = FakeClock(START + timedelta(minutes=5))
        workers = [TimerWorker(storage.make_session_factory(e), clock, {"notify": _notify}) for e in engines]
        counts = await asyncio.gather(*(w.run_due() for w in workers))
    finally:
        for engine in engines:
            await engine.dispose()
    texts = await _sent_texts(sessions)
    assert sum(counts) == 100 and all(c > 0 for c in counts)
    assert sorted(texts) == sorted(f"due: t{i}" for i in range(100))
    async with sessions() as s:
        done = await s.scalar(select(func.count()).select_from(storage.Timer).where(storage.Timer.status == "done"))
    assert done == 100
