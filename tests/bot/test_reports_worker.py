"""The report worker: a report that cannot be made leaves its timer pending (retried with backoff,
nothing half sent), and is sent once it can be."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

import storage
from bot.reports_worker import ReportWorker
from core.clock import FakeClock
from core.messages import Reply
from handlers.reports import MONTHLY_TIMER, schedule_monthly_push
from reports import Month, monthly_push_at
from tests.reports.seed import contract as seeded_contract


async def _sent_files(sessions: storage.SessionFactory) -> list[tuple[str | None, list[str]]]:
    async with sessions() as s:
        rows = (await s.scalars(select(storage.OutboxMessage).order_by(storage.OutboxMessage.id))).all()
        return [(r.recipient_id, [f.name for f in Reply.from_payload(r.payload).files]) for r in rows]


async def test_a_report_that_cannot_be_made_is_retried_and_sent_once_it_can(
    sessions: storage.SessionFactory, tmp_path: Path
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the reports folder should be", encoding="utf-8")
    contract = dataclasses.replace(seeded_contract(), reports_dir=blocked)
    due = monthly_push_at(Month(2026, 12), contract.calendar)
    async with sessions() as s, s.begin():
        await schedule_monthly_push(s, due - timedelta(days=1), contract)
    clock = FakeClock(due)
    assert await ReportWorker(sessions, clock, contract).run_due() == 0
    async with sessions() as s:
        [timer] = await storage.pending_timers(s, "report:2026-12")
    assert timer.kind == MONTHLY_TIMER and timer.attempts == 1 and "FileExistsError" in (timer.last_error or "")
    assert await _sent_files(sessions) == []  # nothing half sent, next month not scheduled yet

    blocked.unlink()
    clock.advance(timedelta(seconds=10))  # past the first backoff
    worker = ReportWorker(sessions, clock, contract)
    assert await worker.run_due() == 1
    assert await worker.run_due() == 0
    sent = await _sent_files(sessions)
    assert sorted(who for who, _ in sent) == ["mgr.he", "svc.ma"]
    assert all(files == ["monthly-2026-11-zh.pdf", "monthly-2026-11-zh.xlsx"] for _, files in sent)
