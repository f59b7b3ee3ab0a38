"""服务记录单: one ticket's service record as a document — the problem, the work done, the times,
the engineer and the requester's confirmation, with the ticket's history under it.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession

import storage
from i18n import say, severity_name, status_name
from reports.document import Cell, Document, Section, Table
from storage import reports as report_store

__all__ = ["record_document"]


def _time(at: datetime | None, zone: tzinfo) -> Cell:
    return Cell(at.astimezone(zone).replace(tzinfo=None) if at else None, "time")


async def record_document(
    session: AsyncSession, number: int, lang: str, zone: tzinfo, now: datetime
) -> Document | None:
    """The service record of ticket ``number``; None when there is no such ticket."""
    ticket = await storage.get_ticket(session, number)
    if ticket is None:
        return None
    people = await report_store.people_by_id(session)
    events = await storage.ticket_events(session, ticket)
    records = await report_store.service_records_of(session, ticket.id)
    record = records[-1] if records else None

    def name(person_id: str | None) -> str:
        if person_id is None:
            return "—"
        person = people.get(person_id)
        return person.name if person is not None else person_id

    requester = people.get(ticket.requester_id)
    where = " ".join(p for p in (requester.department, requester.location) if p) if requester else ""
    notes = [str(e.detail.get("text", "")) for e in events if e.action == "note" and e.detail.get("text")]
    work = "\n".join([*([record.note] if record else []), *notes]) or "—"
    confirmation = (
        say(lang, f"record_confirmation_{record.status}", at=_time(record.answered_at, zone).value or "")
        if record is not None
        else say(lang, "record_confirmation_none")
    )
    severity = severity_name(lang, ticket.severity) if ticket.severity else "—"
    rows = (
        ("record_number", Cell(f"#{ticket.number}")),
        ("record_requester", Cell(f"{name(ticket.requester_id)}（{where}）" if where else name(ticket.requester_id))),
        ("record_opened", _time(ticket.created_at, zone)),
        ("record_severity", Cell(severity)),
        ("record_status", Cell(status_name(lang, ticket.status))),
        ("record_problem", Cell(ticket.text)),
        ("record_engineer", Cell(name(record.engineer_id if record else ticket.assignee_id))),
        ("record_acknowledged", _time(ticket.acknowledged_at, zone)),
        ("record_resolved", _time(ticket.resolved_at, zone)),
        ("record_work", Cell(work)),
        ("record_closed", _time(ticket.closed_at, zone)),
        ("record_confirmation", Cell(confirmation)),
    )
    form = Table(
        (say(lang, "report_col_item"), say(lang, "report_col_value")),
        tuple((Cell(say(lang, key)), value) for key, value in rows),
        widths=(1, 3),
    )
    history = Table(
        tuple(say(lang, f"record_col_{k}") for k in ("at", "action", "by", "source")),
        tuple(
            (_time(e.at, zone), Cell(e.action), Cell(name(e.actor_id) if e.actor_id else "—"), Cell(e.source))
            for e in events
        ),
        title=say(lang, "record_history"),
        widths=(2, 1.5, 2, 1),
    )
    title = say(lang, "record_title")
    return Document(
        title=title,
        subtitle=say(lang, "record_subtitle", number=ticket.number),
        lang=lang,
        sections=(Section(title, (form, history)),),
        overview_sheet=say(lang, "report_sheet_overview"),
        footer=say(lang, "report_footer", at=now.astimezone(zone).strftime("%Y-%m-%d %H:%M")),
    )
