"""The report worker: acts on due report timers (the monthly push, a manager's request) exactly once,
without holding the store's write lock while the files are made.

Rendering a report takes seconds (charts, a CJK font subset), and on SQLite a write transaction
holds the one write lock for its whole length, so the timer worker's way (handler inside the
claiming transaction) would stall every other writer. Here each due timer is:

1. **planned and rendered** with a read-only session, outside any transaction that writes;
2. **claimed** in a short write transaction (row lock, SKIP LOCKED on PostgreSQL; a timer another
   process finished is no longer pending), which dispatches the messages with the files and marks
   the timer done before the commit.

Two processes may both render the same report; only the first to claim it sends it, and the
second's render is dropped (its files are the same, written atomically). A failure is recorded on
the timer and retried with backoff, as the timer worker does.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import storage
from bot.outbox import dispatch
from core.clock import Clock
from handlers.contract import Contract
from handlers.reports import REPORT_TIMERS, finish_job, plan_job, render_job
from storage import reports as report_store

log = logging.getLogger(__name__)


class ReportWorker:
    def __init__(
        self,
        sessions: storage.SessionFactory,
        clock: Clock,
        contract: Contract,
        on_enqueued: Callable[[], None] = lambda: None,
        poll_interval_s: float = 2.0,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._contract = contract
        self._on_enqueued = on_enqueued
        self._poll = poll_interval_s

    async def run_due(self) -> int:
        """Act on every report timer due now. Returns how many this process sent."""
        now = self._clock.now()
        async with self._sessions() as session:
            due = [(t.id, t.kind) for t in await report_store.due_report_timers(session, now, REPORT_TIMERS)]
        sent = 0
        for timer_id, kind in due:
            try:
                sent += await self._run_one(timer_id)
            except Exception as exc:
                log.exception("report timer %s (%s) failed; it will be retried", timer_id, kind)
                async with self._sessions() as session, session.begin():
                    await storage.record_timer_failure(session, timer_id, now, f"{type(exc).__name__}: {exc}")
        if sent:
            self._on_enqueued()
        return sent

    async def _run_one(self, timer_id: int) -> int:
        now = self._clock.now()
        async with self._sessions() as session:  # reads only: no write lock while rendering
            timer = await session.get(storage.Timer, timer_id)
            if timer is None or timer.status != "pending":
                return 0
            job = await plan_job(session, timer)
            rendered = await render_job(session, job, self._contract, now) if job is not None else None
        async with self._sessions() as session, session.begin():
            claimed = await report_store.claim_report_timer(session, timer_id)
            if claimed is None:
                return 0  # another process sent it (or is sending it now)
            outgoing = await finish_job(session, claimed, job, rendered, self._contract, now)
            await dispatch(session, outgoing, now)
            storage.mark_timer_done(claimed, now)
        return 1

    async def run(self) -> None:
        while True:
            try:
                await self.run_due()
            except Exception:
                log.exception("report pass failed; retrying at the next poll")
            await asyncio.sleep(self._poll)
