"""The contract's reports reaching managers: asked for in chat, pushed on the first working day of
each month, and looked up for a web download — each checked against the permissions table.

- **Asked** (``report_request``, a text hook before triage): a manager or admin is told the files
  are coming and a durable timer due at once (``report_request``) is scheduled; anyone else gets a
  polite refusal that says nothing about the reports, and nothing is built.
- **Pushed**: one timer per month (``report_monthly``), its dedupe key naming the month
  (``report_monthly:2026-12``), due at the on-site start of the month's first working day (调休
  counted); each firing schedules the next month's, and start-up makes sure the next one exists
  (``schedule_monthly_push``).
- Both kinds are acted on by the report worker (``bot.reports_worker``) in three steps given here:
  ``plan_job`` (who gets which month, read only), ``render_job`` (the files, outside any write
  transaction) and ``finish_job`` (the messages with the files, in the transaction that claims the
  timer), so each person gets each report once however many bot processes run.
- **Downloaded** (``report_file``): the web chat names a report by its file name; the name is
  parsed into what it is (never used as a path) and the file built or reused in the contract's
  reports folder.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

import storage
from core.messages import FileRef, Outgoing, Reply
from handlers.context import HandlerContext
from handlers.contract import Contract
from handlers.permissions import Move, may, relations
from handlers.reports.request import parse_report_request
from i18n import language, say
from nlu.triage import Triage
from reports import FORMATS, Month, MonthError, ReportName, build_monthly, monthly_push_at, write_document
from reports.assets import device_status_document, inspection_document
from reports.figures import MonthlyFigures

__all__ = [
    "MONTHLY_TIMER",
    "REPORT_TIMERS",
    "REQUEST_TIMER",
    "ReportJob",
    "finish_job",
    "may_read_reports",
    "plan_job",
    "render_job",
    "report_file",
    "report_names",
    "report_request",
    "schedule_monthly_push",
]

log = logging.getLogger(__name__)

MONTHLY_TIMER = "report_monthly"
REQUEST_TIMER = "report_request"
# The kinds the report worker (bot.reports_worker) acts on; the timer worker leaves them alone.
REPORT_TIMERS = (MONTHLY_TIMER, REQUEST_TIMER)


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


@dataclass(frozen=True)
class ReportJob:
    """What a due report timer asks for: the month covered and who gets it in which language."""

    month: Month
    recipients: tuple[tuple[str, str], ...]  # (person id, language)
    pushed: bool  # the monthly push (True) or the answer to a request
    push_month: Month | None = None  # the push's own month: the next one is scheduled from it

    @property
    def langs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(lang for _, lang in self.recipients))


async def report_request(ctx: HandlerContext, _triage: Triage | None) -> list[Outgoing] | None:
    """Text hook: a request for the monthly report; None for any other message.

    The files are made by the report worker outside any transaction (rendering takes seconds and
    must not hold the store's write lock): the request is a durable timer due now, and the person
    is told the files are on their way."""
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
    await storage.schedule_timer(
        ctx.session,
        kind=REQUEST_TIMER,
        ref=f"report:{month}",
        due_at=ctx.now,
        now=ctx.now,
        payload={"month": str(month), "person": ctx.person.id, "lang": language(ctx.lang)},
        dedupe_key=f"{REQUEST_TIMER}:{ctx.message.id}",
    )
    return [Outgoing(Reply(say(ctx.lang, "report_preparing", month=str(month))))]


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


async def plan_job(session: AsyncSession, timer: storage.Timer) -> ReportJob | None:
    """Read what a due report timer asks for (no change to the store); None when nobody is to get
    it (no manager, or a requester no longer allowed)."""
    month = Month.parse(str(timer.payload["month"]))
    if timer.kind == MONTHLY_TIMER:
        recipients = tuple(
            (person.id, language(person.language))
            for person in await storage.list_people(session)
            if may(Move.REPORT_RECEIVE, relations(person.role, person.id))
        )
        return ReportJob(month.previous(), recipients, pushed=True, push_month=month) if recipients else None
    person = await storage.get_person(session, str(timer.payload["person"]))
    if person is None or not person.active or not may_read_reports(person.role, person.id):
        return None
    return ReportJob(month, ((person.id, str(timer.payload.get("lang") or "zh")),), pushed=False)


async def render_job(
    session: AsyncSession, job: ReportJob, contract: Contract, now: datetime
) -> tuple[MonthlyFigures, list[Path]]:
    """Read the month and write its files (seconds of work: call it outside a write transaction)."""
    return await build_monthly(session, job.month, contract, contract.reports_dir, now, job.langs)


async def finish_job(
    session: AsyncSession,
    timer: storage.Timer,
    job: ReportJob | None,
    rendered: tuple[MonthlyFigures, list[Path]] | None,
    contract: Contract,
    now: datetime,
) -> list[Outgoing]:
    """In the transaction that claims the timer: the messages with the files, and for the monthly
    push the next month's push scheduled."""
    if timer.kind == MONTHLY_TIMER:
        await schedule_monthly_push(session, now, contract, Month.parse(str(timer.payload["month"])).next())
    if job is None or rendered is None:
        return []
    figures, paths = rendered
    out = []
    for person_id, lang in job.recipients:
        mine = [p for p in paths if p.stem.endswith(f"-{lang}")]
        text = _summary(lang, job.month, figures)
        if job.pushed:
            text = say(lang, "report_pushed") + "\n" + text
        out.append(Outgoing(Reply(text, files=_files(mine)), to=person_id))
    if job.pushed:
        log.info("monthly report %s sent to %d manager(s)", job.month, len(out))
    return out


async def report_file(
    session: AsyncSession, contract: Contract, role: str, person_id: str, name: str, now: datetime
) -> Path | None:
    """The file a report name stands for, built if need be, when the person may read reports;
    None for a name that is no report, a month not yet begun, or a person who may not."""
    if not may_read_reports(role, person_id):
        return None
    parsed = ReportName.parse(name)
    if parsed is None or parsed.kind == "record":
        return None
    try:
        month = Month.parse(parsed.ref)
    except MonthError:
        return None
    if month > Month.of(now, contract.zone):
        return None
    folder, lang = contract.reports_dir, parsed.lang
    if parsed.kind == "monthly":
        _, paths = await build_monthly(session, month, contract, folder, now, (lang,))
    else:
        if parsed.kind == "inspection":
            document = await inspection_document(session, month, lang, contract.zone, now)
        else:
            document = await device_status_document(session, lang, contract.zone, now)
        paths = await asyncio.to_thread(write_document, document, folder, f"{parsed.kind}-{month}-{lang}")
    wanted = folder / str(parsed)
    return wanted if wanted in paths else None


def report_names(lang: str, now: datetime, contract: Contract) -> list[str]:
    """What the web chat offers, newest first: the monthly report of each of the last twelve
    months, the inspection checklist of this month and the last, and the device status today."""
    this_month = Month.of(now, contract.zone)
    names = [str(ReportName("devices", str(this_month), lang, fmt)) for fmt in FORMATS]
    for month in (this_month, this_month.previous()):
        names += [str(ReportName("inspection", str(month), lang, fmt)) for fmt in FORMATS]
    month = this_month
    for _ in range(12):
        month = month.previous()
        names += [str(ReportName("monthly", str(month), lang, fmt)) for fmt in FORMATS]
    return names
