"""Month end: on the last working day of each month (at ``[assets] month_end_reminder``, local time)
the engineers on duty and the service manager are told what is left of the month's checklist.

One durable timer per month, its dedupe key naming the month (``inspection_month_end:2026-11``):
the timer worker takes it under a row lock and marks it done in the same transaction, so it fires
once however many bot processes run; each firing schedules the next month's, and start-up makes
sure the current month's exists (``schedule_month_end``), so a new store or a restart loses none.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

import storage
from core.messages import Outgoing, Reply
from handlers.assets.inspection import missing_text
from handlers.context import TimerContext
from handlers.contract import Contract
from handlers.paging.calendar import BusinessCalendar
from handlers.service.staff import service_staff
from i18n import say

log = logging.getLogger(__name__)

MONTH_END_TIMER = "inspection_month_end"


def reminder_time(month: str, contract: Contract | None) -> dt.datetime:
    """When the month's reminder is due: its last working day at the configured local time."""
    calendar = contract.calendar if contract is not None else BusinessCalendar()
    at = contract.assets.month_end_reminder if contract is not None else dt.time(10, 0)
    year, number = (int(part) for part in month.split("-"))
    day = dt.date(year + number // 12, number % 12 + 1, 1) - dt.timedelta(days=1)
    while not calendar.is_working_day(day) and day.day > 1:
        day -= dt.timedelta(days=1)
    return dt.datetime.combine(day, at, tzinfo=calendar.zone)


def _next_month(month: str) -> str:
    year, number = (int(part) for part in month.split("-"))
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


async def schedule_month_end(
    session: AsyncSession, now: dt.datetime, contract: Contract | None, month: str | None = None
) -> None:
    """Make sure the reminder of ``month`` (default: this month, local) is scheduled, once.

    Two processes starting together may both try: the second's insert breaks the unique dedupe
    key inside a savepoint and is dropped, leaving the first's."""
    zone = contract.zone if contract is not None else BusinessCalendar().zone
    month = month or storage.month_of(now.astimezone(zone).date())
    try:
        async with session.begin_nested():
            await storage.schedule_timer(
                session,
                kind=MONTH_END_TIMER,
                ref=f"inspection:{month}",
                due_at=reminder_time(month, contract),
                now=now,
                payload={"month": month},
                dedupe_key=f"{MONTH_END_TIMER}:{month}",
            )
    except IntegrityError:
        log.info("the %s inspection reminder was scheduled by another process", month)


async def month_end_due(ctx: TimerContext) -> list[Outgoing]:
    """Tell the team on duty and the service manager what is left of the month; schedule the next."""
    month = str(ctx.timer.payload["month"])
    await schedule_month_end(ctx.session, ctx.now, ctx.contract, _next_month(month))
    if not await storage.inspection_missing(ctx.session, month):
        return []
    roster = ctx.contract.roster if ctx.contract is not None else None
    calendar = ctx.contract.calendar if ctx.contract is not None else None
    staff = await service_staff(ctx.session, ctx.now, roster, calendar)
    recipients = list(dict.fromkeys([*staff.engineers, *([staff.service_manager] if staff.service_manager else [])]))
    out: list[Outgoing] = []
    for person_id in recipients:
        person = await storage.get_person(ctx.session, person_id)
        if person is None:
            continue
        lang = person.language or "zh"
        text = await missing_text(ctx.session, lang, month)
        out.append(Outgoing(Reply(f"{say(lang, 'inspection_month_end', month=month)}\n{text}"), to=person_id))
    return out
