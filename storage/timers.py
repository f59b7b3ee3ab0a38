"""Durable timers: scheduled in the transaction that creates the reason for them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Timer


async def schedule_timer(
    session: AsyncSession,
    *,
    kind: str,
    ref: str,
    due_at: datetime,
    now: datetime,
    payload: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> Timer:
    """Add a timer. With ``dedupe_key``, scheduling the same timer again returns the existing one."""
    if dedupe_key is not None:
        existing = await session.scalar(select(Timer).where(Timer.dedupe_key == dedupe_key))
        if existing is not None:
            return existing
    timer = Timer(
        kind=kind,
        ref=ref,
        due_at=due_at,
        payload=payload or {},
        status="pending",
        dedupe_key=dedupe_key,
        attempts=0,
        created_at=now,
    )
    session.add(timer)
    await session.flush()
    return timer


async def cancel_timers(session: AsyncSession, ref: str, kinds: tuple[str, ...] | None = None) -> int:
    """Cancel the pending timers about ``ref`` (optionally only these kinds). Returns how many."""
    query = update(Timer).where(Timer.ref == ref, Timer.status == "pending").values(status="cancelled")
    if kinds:
        query = query.where(Timer.kind.in_(kinds))
    result = await session.execute(query)
    return int(getattr(result, "rowcount", 0) or 0)


async def next_due_timer(session: AsyncSession, now: datetime, kinds: list[str]) -> Timer | None:
    """The oldest due timer, locked for this transaction; other workers skip it (SKIP LOCKED)."""
    query = (
        select(Timer)
        .where(Timer.status == "pending", Timer.due_at <= now, Timer.kind.in_(kinds))
        .order_by(Timer.due_at, Timer.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return await session.scalar(query)


def mark_timer_done(timer: Timer, now: datetime) -> None:
    timer.status, timer.done_at = "done", now


async def record_timer_failure(
    session: AsyncSession, timer_id: int, now: datetime, error: str, max_attempts: int = 10
) -> None:
    """A handler raised: try again later with backoff, and give up (visibly) after ``max_attempts``."""
    timer = await session.get(Timer, timer_id)
    if timer is None:
        return
    timer.attempts += 1
    timer.last_error = error[:2000]
    if timer.attempts >= max_attempts:
        timer.status = "failed"
    else:
        timer.due_at = now + timedelta(seconds=min(300, 5 * 2 ** (timer.attempts - 1)))


async def pending_timers(session: AsyncSession, ref: str | None = None) -> list[Timer]:
    query = select(Timer).where(Timer.status == "pending").order_by(Timer.due_at, Timer.id)
    if ref is not None:
        query = query.where(Timer.ref == ref)
    return list((await session.scalars(query)).all())


async def hurry_next_timer(session: AsyncSession, ref: str, kind: str, now: datetime) -> Timer | None:
    """Make the earliest pending timer of this kind about ``ref`` due now (a page's next step, when
    the people of this step cannot be reached). Returns it, or None when none is pending."""
    query = (
        select(Timer)
        .where(Timer.ref == ref, Timer.kind == kind, Timer.status == "pending")
        .order_by(Timer.due_at, Timer.id)
        .limit(1)
        .with_for_update()
    )
    timer = await session.scalar(query)
    if timer is not None and timer.due_at > now:
        timer.due_at = now
    return timer
