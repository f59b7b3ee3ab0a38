"""Triage corrections: an engineer or manager changing a ticket's kind or severity, the operator's
review of each, and the production triage accuracy they give.

A correction is a ticket event (``triage_corrected``) whose detail holds the values before and
after (``from`` / ``to``: ``{"kind", "severity", "article"}``), why (``why``) and the ticket's text
as the model read it (``text``). A review is another event (``triage_reviewed``) naming the
correction's event id and a verdict, ``accepted`` or ``rejected``; the latest review of a correction
counts. Only accepted corrections become training data: a correction is an operational act (an
engineer may lower a page to stop being woken, or regrade because the situation changed), not
always a statement about the words of the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Ticket, TicketEvent

__all__ = [
    "TRIAGE_CORRECTED_EVENT",
    "TRIAGE_REVIEWED_EVENT",
    "TriageAccuracy",
    "TriageCorrection",
    "review_correction",
    "triage_accuracy",
    "triage_corrections",
]

TRIAGE_CORRECTED_EVENT = "triage_corrected"
TRIAGE_REVIEWED_EVENT = "triage_reviewed"
VERDICTS = ("accepted", "rejected")


@dataclass(frozen=True)
class TriageCorrection:
    """One correction as listed and exported: the event, its ticket, and the operator's verdict."""

    id: int  # the correction's event id: what an operator names to review it
    ticket_number: int
    at: datetime
    by: str | None
    source: str
    before: dict[str, Any]
    after: dict[str, Any]
    why: str
    text: str
    verdict: str | None  # None until reviewed; else the latest review's verdict

    @property
    def accepted(self) -> bool:
        return self.verdict == "accepted"


@dataclass(frozen=True)
class TriageAccuracy:
    """Production triage of the tickets opened in a period.

    ``corrected``: tickets whose kind or severity, as triage gave it, an engineer or manager changed
    (at any time up to the query, so a recent month's figure can still grow). ``classified``: tickets
    that triage had left ``unknown`` (Rasa down, or the person opened it as is) and an engineer then
    classified; they are not triage errors, so they are counted apart and not in ``corrected``."""

    opened: int
    corrected: int
    classified: int = 0

    @property
    def corrected_share(self) -> float | None:
        return None if self.opened == 0 else self.corrected / self.opened

    @property
    def accuracy(self) -> float | None:
        """The share of tickets opened whose triage nobody changed (None for a period with none)."""
        share = self.corrected_share
        return None if share is None else 1.0 - share


async def triage_corrections(session: AsyncSession, since: datetime | None = None) -> list[TriageCorrection]:
    """Every correction (made at or after ``since``), oldest first, with its latest review."""
    query = (
        select(TicketEvent, Ticket.number)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(TicketEvent.action == TRIAGE_CORRECTED_EVENT)
        .order_by(TicketEvent.at, TicketEvent.id)
    )
    if since is not None:
        query = query.where(TicketEvent.at >= since)
    rows = (await session.execute(query)).all()
    verdicts = await _verdicts(session, [event.ticket_id for event, _ in rows])
    return [
        TriageCorrection(
            id=event.id,
            ticket_number=int(number or 0),
            at=event.at,
            by=event.actor_id,
            source=event.source,
            before=dict(event.detail.get("from", {})),
            after=dict(event.detail.get("to", {})),
            why=str(event.detail.get("why", "")),
            text=str(event.detail.get("text", "")),
            verdict=verdicts.get(event.id),
        )
        for event, number in rows
    ]


async def _verdicts(session: AsyncSession, ticket_ids: list[int]) -> dict[int, str]:
    """Correction event id → the verdict of its latest review."""
    if not ticket_ids:
        return {}
    query = (
        select(TicketEvent)
        .where(TicketEvent.action == TRIAGE_REVIEWED_EVENT, TicketEvent.ticket_id.in_(set(ticket_ids)))
        .order_by(TicketEvent.id)
    )
    found: dict[int, str] = {}
    for review in (await session.scalars(query)).all():
        found[int(review.detail["correction"])] = str(review.detail["verdict"])
    return found


async def review_correction(
    session: AsyncSession, correction_id: int, *, verdict: str, by: str | None, source: str, at: datetime
) -> bool:
    """Record an operator's verdict on a correction. False when no correction has that id."""
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}, not {verdict!r}")
    event = await session.get(TicketEvent, correction_id)
    if event is None or event.action != TRIAGE_CORRECTED_EVENT:
        return False
    session.add(
        TicketEvent(
            ticket_id=event.ticket_id,
            at=at,
            actor_id=by,
            action=TRIAGE_REVIEWED_EVENT,
            source=source,
            detail={"correction": correction_id, "verdict": verdict},
        )
    )
    await session.flush()
    return True


async def triage_accuracy(session: AsyncSession, start: datetime, end: datetime) -> TriageAccuracy:
    """Tickets opened in [start, end) and how many of them an engineer's correction changed.

    A ticket counts once however often it was corrected; its first correction decides whether it
    was a triage answer overruled (``corrected``) or an ``unknown`` classified (``classified``)."""
    opened = select(Ticket.id).where(Ticket.created_at >= start, Ticket.created_at < end)
    ticket_ids = list((await session.scalars(opened)).all())
    if not ticket_ids:
        return TriageAccuracy(0, 0, 0)
    query = (
        select(TicketEvent)
        .where(TicketEvent.action == TRIAGE_CORRECTED_EVENT, TicketEvent.ticket_id.in_(opened))
        .order_by(TicketEvent.at, TicketEvent.id)
    )
    first: dict[int, TicketEvent] = {}
    for event in (await session.scalars(query)).all():
        first.setdefault(event.ticket_id, event)
    classified = sum(1 for e in first.values() if e.detail.get("from", {}).get("kind") == "unknown")
    return TriageAccuracy(len(ticket_ids), len(first) - classified, classified)
