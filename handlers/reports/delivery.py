"""The monthly report reaching managers: asked for in chat, pushed on the first working day of each
month, and looked up for a web download — each checked against the permissions table.

- **Asked** (``report_request``, a text hook before triage): a manager or admin gets the PDF and the
  XLSX as files in their chat; anyone else a polite refusal that says nothing about the reports.
- **Pushed** (``monthly_report_due``, a durable timer): one timer per month, its dedupe key naming
  the month (``report_monthly:2026-12``), due at the on-site start of the month's first working day
  (调休 counted). The timer worker takes it under a row lock and marks it done in the same
  transaction, so every manager gets the previous month's report exactly once however many bot
  processes run; each firing schedules the next month's, and start-up makes sure the next one
  exists (``schedule_monthly_push``).
- **Downloaded** (``report_file``): the web chat names a report by its file name; the name is
  parsed into what it is (never used as a path) and the file built or reused in the contract's
  reports folder.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

import storage
from core.messages import FileRef, Outgoing, Reply
from handlers.context import HandlerContext, TimerContext
from handlers.contract import Contract
from handlers.permissions import Move, may, relations
from handlers.reports.request import parse_report_request
from i18n import language, say
from nlu.triage import Triage
from reports import Month, MonthError, ReportName, build_monthly, monthly_push_at
from reports.figures import MonthlyFigures

__all__ = [
    "MONTHLY_TIMER",
    "may_read_reports",
    "monthly_report_due",
    "report_file",
    "report_request",
    "schedule_monthly_push",
]

log = logging.getLogger(__name__)

MONTHLY_TIMER = "report_monthly"


def may_read_reports(role: str, person_id: str) -> bool:
    return may(Move.REPORT_READ, relations(role, person_id))


def _files(paths: list[Path]) -> tuple[FileRef, ...]:
    return tuple(FileRef(path.name, str(path)) for path in paths)


def _summary(lang: str, month: Month, figures: MonthlyFigures) -> str:
    high = next(s for s in figures.severities if s.severity == "high")
    share = "—" if high.in_time_share is None else f"{high.in_time_share * 100:.0f}%"
    return say(
        lang,
        "report_sent",
        month=str(month),
        tickets=figures.total,
        high_in_time=share,
        complaints=figures.complaints.total,
    )


async def report_request(ctx: HandlerContext, _triage: Triage | None) -> list[Outgoing] | None:
    """Text hook: a request for the monthly report; None for any other message."""
    request = parse_report_request(ctx.message.text)
    if request is None:
        return None
    if not may_read_reports(ctx.person.role, ctx.person.id):
        return [Outgoing(Reply(say(ctx.lang, "report_refused")))]
    if ctx.contract is None:
        return [Outgoing(Reply(say(ctx.lang, "report_unavailable")))]
    try:
        month = request.month(ctx.now, ctx.zone)
    except MonthError:
        return [Outgoing(Reply(say(ctx.lang, "report_bad_month")))]
    if month > Month.of(ctx.now, ctx.zone):
        return [Outgoing(Reply(say(ctx.lang, "report_future_month", month=str(month))))]
    lang = language(ctx.lang)
    figures, paths = await build_monthly(ctx.session, month, ctx.contract, ctx.contract.reports_dir, ctx.now, (lang,))
    return [Outgoing(Reply(_summary(lang, month, figures), files=_files(paths)))]


async def schedule_monthly_push(
    session: AsyncSession, now: datetime, contract: Contract, month: Month | None = None
) -> None:
    """Make sure the next monthly push is scheduled, once: ``month``'s, or by default this month's
    when its time is still ahead, else next month's. A push whose time passed while the bot was
    down stays pending and goes out at start-up.

    Two processes starting together may both try: the second's insert breaks the unique dedupe key
    inside a savepoint and is dropped, leaving the first's."""
    if month is None:
        month = Month.of(now, contract.zone)
        if monthly_push_at(month, contract.calendar) <= now:
            month = month.next()
    try:
        async with session.begin_nested():
            await storage.schedule_timer(
                session,
                kind=MONTHLY_TIMER,
                ref=f"report:{month}",
                due_at=monthly_push_at(month, contract.calendar),
                now=now,
                payload={"month": str(month)},
                dedupe_key=f"{MONTHLY_TIMER}:{month}",
            )
    except IntegrityError:
        log.info("the %s monthly report push was scheduled by another process", month)


async def monthly_report_due(ctx: TimerContext) -> list[Outgoing]:
    """Timer handler: send the previous month's report to every manager; schedule next month's push."""
    if ctx.contract is None:
        log.error("the monthly report push has no contract; nothing sent")
        return []
    month = Month.parse(str(ctx.timer.payload["month"]))
    await schedule_monthly_push(ctx.session, ctx.now, ctx.contract, month.next())
    covered = month.previous()
    recipients = [
        person
        for person in await storage.list_people(ctx.session)
        if may(Move.REPORT_RECEIVE, relations(person.role, person.id))
    ]
    langs = tuple(dict.fromkeys(language(p.language) for p in recipients))
    if not langs:
        return []
    contract = ctx.contract
    figures, paths = await build_monthly(ctx.session, covered, contract, contract.reports_dir, ctx.now, langs)
    out = []
    for person in recipients:
        lang = language(person.language)
        mine = [p for p in paths if p.stem.endswith(f"-{lang}")]
        text = say(lang, "report_pushed", month=str(covered)) + "\n" + _summary(lang, covered, figures)
        out.append(Outgoing(Reply(text, files=_files(mine)), to=person.id))
    log.info("monthly report %s sent to %d manager(s)", covered, len(out))
    return out


async def report_file(
    session: AsyncSession, contract: Contract, role: str, person_id: str, name: str, now: datetime
) -> Path | None:
    """The file a report name stands for, built if need be, when the person may read reports;
    None for a name that is no report, a month not yet begun, or a person who may not."""
    if not may_read_reports(role, person_id):
        return None
    parsed = ReportName.parse(name)
    if parsed is None or parsed.kind != "monthly":
        return None
    try:
        month = Month.parse(parsed.ref)
    except MonthError:
        return None
    if month > Month.of(now, contract.zone):
        return None
    _, paths = await build_monthly(session, month, contract, contract.reports_dir, now, (parsed.lang,))
    wanted = contract.reports_dir / str(parsed)
    return wanted if wanted in paths else None
