"""A month's rows, read from the store once and handed to the pure functions of ``reports.figures``.

The rows are plain frozen values, not ORM objects, so the figures can be computed (and tested)
without a session, and a report is built from one consistent read.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from reports.period import Month
from storage import reports as report_store
from storage.corrections import TriageAccuracy, triage_accuracy

__all__ = ["ArticleRow", "ComplaintRow", "DeviceTicket", "MonthData", "RepairRow", "TicketRow", "load_month"]

_R = TypeVar("_R")

# Repairs this far back count towards a device's repeated faults.
REPEAT_WINDOW = timedelta(days=365)


@dataclass(frozen=True)
class TicketRow:
    id: int
    number: int
    kind: str
    severity: str | None
    status: str
    text: str
    article: str | None
    requester_id: str
    department: str
    assignee_id: str | None
    created_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    escalations: int = 0  # escalation steps sent because nobody acknowledged in time
    escalations_by_hand: int = 0  # "escalate" pressed or typed


@dataclass(frozen=True)
class ComplaintRow:
    id: int
    created_at: datetime
    status: str
    facts_due_at: datetime
    facts_checked_at: datetime | None
    answer_due_at: datetime
    answered_at: datetime | None
    ticket_number: int | None = None


@dataclass(frozen=True)
class RepairRow:
    ticket_number: int
    created_at: datetime
    step: str
    device: str | None
    serial: str | None
    fault: str | None
    outcome: str | None
    quote_fen: int | None


@dataclass(frozen=True)
class ArticleRow:
    article_id: str
    outcome: str  # served | solved | ticket
    at: datetime


@dataclass(frozen=True)
class DeviceTicket:
    """A ticket linked to a device of the registry (its label, 编号贴标)."""

    label: str
    device: str  # brand and model
    ticket_number: int
    created_at: datetime
    text: str


@dataclass(frozen=True)
class MonthData:
    month: Month
    tickets: tuple[TicketRow, ...]
    complaints: tuple[ComplaintRow, ...]
    repairs: tuple[RepairRow, ...]  # the month's repairs
    repair_history: tuple[RepairRow, ...]  # every repair of the year up to the month's end
    article_events: tuple[ArticleRow, ...]
    device_tickets: tuple[DeviceTicket, ...] = ()  # tickets linked to devices, the year up to the month's end
    since: datetime | None = None  # the month's first instant on the contract's clock
    triage: TriageAccuracy | None = None  # the month's tickets whose triage an engineer changed


def _row(cls: type[_R], stored: object, **given: Any) -> _R:
    """A report row from a stored object: every field of the row not ``given`` is the stored
    object's attribute of the same name."""
    copied = {f.name: getattr(stored, f.name) for f in fields(cls) if f.name not in given}  # type: ignore[arg-type]
    return cls(**copied, **given)


async def load_month(session: AsyncSession, month: Month, since: datetime, until: datetime) -> MonthData:
    """The month ``[since, until)``'s rows (the caller gives the month's bounds on the contract's clock)."""
    people = await report_store.people_by_id(session)
    tickets = await report_store.tickets_created_between(session, since, until)
    escalations: Counter[int] = Counter()
    by_hand: Counter[int] = Counter()
    for event in await report_store.events_of_tickets(session, [t.id for t in tickets]):
        if event.action == "escalated":
            (escalations if event.source == "system" else by_hand)[event.ticket_id] += 1
    ticket_rows = tuple(
        _row(
            TicketRow,
            t,
            number=t.number or t.id,
            department=people[t.requester_id].department if t.requester_id in people else "",
            escalations=escalations[t.id],
            escalations_by_hand=by_hand[t.id],
        )
        for t in tickets
    )
    numbers = {t.id: t.number for t in ticket_rows}
    complaints = tuple(
        _row(ComplaintRow, c, ticket_number=numbers.get(c.ticket_id) if c.ticket_id is not None else None)
        for c in await report_store.complaints_created_between(session, since, until)
    )
    history = []
    for repair in await report_store.repairs_created_between(session, until - REPEAT_WINDOW, until):
        number = numbers.get(repair.ticket_id) or await report_store.ticket_number(session, repair.ticket_id)
        history.append(_row(RepairRow, repair, ticket_number=number))
    articles = tuple(
        ArticleRow(e.article_id, e.outcome, e.at)
        for e in await report_store.article_events_between(session, since, until)
    )
    links = tuple(
        DeviceTicket(*row) for row in await report_store.device_tickets_between(session, until - REPEAT_WINDOW, until)
    )
    return MonthData(
        month=month,
        device_tickets=links,
        since=since,
        tickets=ticket_rows,
        complaints=complaints,
        repairs=tuple(r for r in history if r.created_at >= since),
        repair_history=tuple(history),
        article_events=articles,
        triage=await triage_accuracy(session, since, until),
    )
