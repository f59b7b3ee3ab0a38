"""Month end: on the last working day the engineers on duty and the service manager are told, once,
what is left of the month's inspection checklist (SQLite and PostgreSQL, two timer workers)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

import storage
from bot.contract import load_contract
from bot.timers import TimerWorker
from config.settings import load_settings
from core.clock import FakeClock
from core.messages import Reply
from handlers.assets import MONTH_END_TIMER, schedule_month_end
from handlers.registry import TIMER_HANDLERS
from tests.support.service_steps import NOW

# Monday 30 November 2026 is the month's last working day; 10:00 in Shanghai is 02:00 UTC.
DUE = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


async def _sent(sessions: storage.SessionFactory) -> dict[str, list[str]]:
    async with sessions() as s:
        rows = (await s.scalars(select(storage.OutboxMessage).order_by(storage.OutboxMessage.id))).all()
    sent: dict[str, list[str]] = {}
    for row in rows:
        sent.setdefault(row.recipient_id or "", []).append(Reply.from_payload(row.payload).text)
    return sent


async def test_the_month_end_list_reaches_the_team_and_the_manager_once_and_the_next_month_is_scheduled(
    sessions: storage.SessionFactory, database_url: str
) -> None:
    contract = load_contract(load_settings(env={}))
    async with sessions() as s, s.begin():
        pc, _ = await storage.upsert_device(s, label="PC-0157", now=NOW, type="pc", location="3F", owner_id="staff.li")
        done, _ = await storage.upsert_device(s, label="PC-0158", now=NOW, type="pc")
        await storage.upsert_device(s, label="PR-003", now=NOW, type="printer")  # no checklist for printers
        await storage.tick_inspection(
            s, pc, month="2026-11", items=storage.INSPECTION_ITEMS[:9], by="eng.chen", at=NOW, source="rest"
        )
        await storage.tick_inspection(
            s, done, month="2026-11", items=storage.INSPECTION_ITEMS, by="eng.chen", at=NOW, source="rest"
        )
    for _ in range(2):  # two processes start: one timer
        async with sessions() as s, s.begin():
            await schedule_month_end(s, NOW, contract)
    async with sessions() as s:
        [timer] = await storage.pending_timers(s, "inspection:2026-11")
    assert (timer.kind, timer.due_at) == (MONTH_END_TIMER, DUE)

    second_engine = storage.make_engine(database_url)
    try:
        clock = FakeClock(DUE - timedelta(minutes=1))
        workers = [
            TimerWorker(factory, clock, TIMER_HANDLERS, contract=contract)
            for factory in (sessions, storage.make_session_factory(second_engine))
        ]
        assert sum(await asyncio.gather(*(w.run_due() for w in workers))) == 0
        clock.set(DUE)
        assert sum(await asyncio.gather(*(w.run_due() for w in workers))) == 1
        clock.advance(timedelta(days=1))
        assert sum(await asyncio.gather(*(w.run_due() for w in workers))) == 0
    finally:
        await second_engine.dispose()

    sent = await _sent(sessions)
    assert set(sent) == {"eng.zhao", "eng.wu", "svc.ma"}  # B组 is on duty that week
    assert all(len(texts) == 1 for texts in sent.values())
    [text] = sent["svc.ma"]
    assert "本月最后一个工作日" in text and "2026-11 巡检未完成：1 台设备" in text
    assert "· PC-0157（3F 李娜）：10 硬件检查、11 升级建议" in text
    assert "PC-0158" not in text and "PR-003" not in text
    async with sessions() as s:
        [december] = await storage.pending_timers(s, "inspection:2026-12")
    assert december.due_at == datetime(2026, 12, 31, 2, 0, tzinfo=UTC)  # Thursday 31 December, 10:00


async def test_a_month_with_everything_done_sends_nothing(sessions: storage.SessionFactory) -> None:
    async with sessions() as s, s.begin():
        pc, _ = await storage.upsert_device(s, label="PC-0157", now=NOW, type="pc")
        await storage.tick_inspection(
            s, pc, month="2026-11", items=storage.INSPECTION_ITEMS, by=None, at=NOW, source="cli"
        )
        await schedule_month_end(s, NOW, None)
    worker = TimerWorker(sessions, FakeClock(DUE), TIMER_HANDLERS)
    assert await worker.run_due() == 1
    assert await _sent(sessions) == {}
