"""Benchmark: what the effective roster costs per message, with many roster overrides stored.

A temporary SQLite store with N overrides (all but five of them in the past). For each message the
pipeline asks for the effective roster; this times that call three ways:

- replay all: what every message cost before the cache — read every override, replay each;
- rebuild: today's overrides only, as after an override was added (the cache's miss);
- cached: the version query alone (the cache's hit, i.e. almost every message).

Prints figures only; no target is asserted (targets live in the closing notes, not in timed tests).

Run: PYTHONPATH=. .venv/bin/python bench/roster_cache.py [N]
"""

from __future__ import annotations

import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

import storage
from bot.directory import load_directory
from config.settings import REPO_ROOT
from handlers.paging import duty
from handlers.paging.roster import Leave, Roster, Swap, load_roster, with_leave, with_swap

NOW = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 23)
ENGINEERS = ["eng.chen", "eng.liu", "eng.zhao", "eng.wu", "eng.sun", "eng.qian"]


async def _replay_all(session: AsyncSession, base: Roster) -> Roster:
    roster = base
    for override in await storage.roster_overrides(session):
        if override.kind == "swap":
            roster = with_swap(roster, Swap.model_validate(override.data))
        else:
            roster = with_leave(roster, Leave.model_validate(override.data))
    return roster


async def _seed(sessions: storage.SessionFactory, count: int) -> None:
    async with sessions() as s, s.begin():
        await storage.sync_people(s, load_directory(REPO_ROOT / "config" / "people.yaml"))
        for i in range(count):
            day = TODAY + dt.timedelta(days=i % 5) if i >= count - 5 else TODAY - dt.timedelta(days=1 + i % 700)
            a, b = ENGINEERS[i % 6], ENGINEERS[(i + 1) % 6]
            data = {"date": day.isoformat(), "engineer": a, "with": b}
            await storage.add_roster_override(s, kind="swap", data=data, created_by="svc.ma", source="cli", now=NOW)


async def _time(sessions: storage.SessionFactory, call: Callable[[AsyncSession], Awaitable[Roster]]) -> float:
    timings = []
    for _ in range(200):
        async with sessions() as s, s.begin():
            await s.connection()  # the transaction's BEGIN is not what is measured
            t0 = time.perf_counter()
            await call(s)
            timings.append((time.perf_counter() - t0) * 1000)
    return statistics.median(timings)


async def main(count: int) -> None:
    base = load_roster(REPO_ROOT / "config" / "roster.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        engine = storage.make_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        await storage.upgrade(engine)
        sessions = storage.make_session_factory(engine)
        await _seed(sessions, count)
        replay_all = await _time(sessions, lambda s: _replay_all(s, base))
        rebuild = await _time(sessions, lambda s: duty.effective_roster(s, base.model_copy(), TODAY))
        cached = await _time(sessions, lambda s: duty.effective_roster(s, base, TODAY))
        await engine.dispose()
    print(
        f"roster_overrides={count} effective_roster_ms p50: replay_all={replay_all:.2f} "
        f"rebuild={rebuild:.2f} cached={cached:.2f}"
    )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 500))
