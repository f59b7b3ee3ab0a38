"""The timer worker: acts on due timers exactly once, even across restarts and several processes.

Each due timer is taken under a row lock (``SKIP LOCKED``), its handler runs in that same
transaction, the handler's messages are dispatched to the outbox there too, and the timer is marked done
before the commit. A crash before the commit leaves the timer pending; after it, done: never both.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import storage
from bot.outbox import dispatch
from core.clock import Clock
from handlers.context import TimerContext, TimerHandler
from handlers.contract import Contract

log = logging.getLogger(__name__)


class TimerWorker:
    def __init__(
        self,
        sessions: storage.SessionFactory,
        clock: Clock,
        handlers: dict[str, TimerHandler],
        on_enqueued: Callable[[], None] = lambda: None,
        poll_interval_s: float = 1.0,
        contract: Contract | None = None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._handlers = handlers
        self._on_enqueued = on_enqueued
        self._poll = poll_interval_s
        self._contract = contract  # handed to each timer handler: the zone of the times it shows

    async def run_due(self, limit: int = 1000) -> int:
        """Act on every timer due now (up to ``limit``). Returns how many were acted on."""
        done = 0
        while done < limit:
            outcome = await self._run_one()
            if outcome is None:
                break
            done += outcome
        if done:
            self._on_enqueued()
        return done

    async def _run_one(self) -> int | None:
        """One due timer: 1 when acted on, 0 when its handler failed, None when nothing is due."""
        now = self._clock.now()
        failed: tuple[int, str] | None = None
        try:
            async with self._sessions() as session, session.begin():
                timer = await storage.next_due_timer(session, now, list(self._handlers))
                if timer is None:
                    return None
                failed = (timer.id, "")
                outgoing = await self._handlers[timer.kind](TimerContext(session, timer, now, self._contract))
                await dispatch(session, outgoing, now)
                storage.mark_timer_done(timer, now)
            return 1
        except Exception as exc:
            if failed is None:
                raise
            log.exception("timer %s failed; it will be retried", failed[0])
            async with self._sessions() as session, session.begin():
                await storage.record_timer_failure(session, failed[0], now, f"{type(exc).__name__}: {exc}")
            return 0

    async def run(self) -> None:
        while True:
            try:
                await self.run_due()
            except Exception:
                log.exception("timer pass failed; retrying at the next poll")
            await asyncio.sleep(self._poll)
