"""Tickets and their append-only history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Ticket, TicketEvent

# Human ticket numbers start here so that "#1001" never looks like a row id or a count.
FIRST_NUMBER = 1000

STATUSES = ("new", "acknowledged", "in_progress", "resolved", "closed", "reopened")
OPEN_STATUSES = ("new", "acknowledged", "in_progress", "reopened")


async def open_ticket(
    session: AsyncSession,
    *,
    requester_id: str,
    kind: str,
    text: str,
    channel: str,
    now: datetime,
    severity: str | None = None,
    article: str | None = None,
    due_at: datetime | None = None,
    detail: dict[str, Any] | None = None,
) -> Ticket:
    """Create a ticket with its number and its first event ("opened"), in the caller's transaction."""
    ticket = Ticket(
        requester_id=requester_id,
        kind=kind,
        severity=severity,
        status="new",
        text=text,
        article=article,
        channel=channel,
        created_at=now,
        due_at=due_at,
    )
    session.add(ticket)
    await session.flush()
    ticket.number = FIRST_NUMBER + ticket.id
    await add_event(
        session,
        ticket,
        at=now,
        actor_id=requester_id,
        action="opened",
        source=channel,
        detail={"kind": kind, "severity": severity, "article": article, **(detail or {})},
    )
    return ticket


async def add_event(
    session: AsyncSession,
    ticket: Ticket,
    *,
    at: datetime,
    actor_id: str | None,
    action: str,
    source: str,
    detail: dict[str, Any] | None = None,
) -> TicketEvent:
    event = TicketEvent(
        ticket_id=ticket.id, at=at, actor_id=actor_id, action=action, source=source, detail=detail or {}
    )
    session.add(event)
    await session.flush()
    return event


async def get_ticket(session: AsyncSession, number: int) -> Ticket | None:
    return await session.scalar(select(Ticket).where(Ticket.number == number))


async def get_ticket_by_id(session: AsyncSession, ticket_id: int) -> Ticket | None:
    return await session.get(Ticket, ticket_id)


async def list_tickets(
    session: AsyncSession,
    *,
    status: str | None = None,
    open_only: bool = False,
    requester_id: str | None = None,
    limit: int = 50,
) -> list[Ticket]:
    query = select(Ticket).order_by(Ticket.id.desc()).limit(limit)
    if status:
        query = query.where(Ticket.status == status)
    if open_only:
        query = query.where(Ticket.status.in_(OPEN_STATUSES))
    if requester_id:
        query = query.where(Ticket.requester_id == requester_id)
    return list((await session.scalars(query)).all())


async def ticket_events(session: AsyncSession, ticket: Ticket) -> list[TicketEvent]:
    query = select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)
    return list((await session.scalars(query)).all())


# The history events of a ticket opened while triage was unavailable: the engineers were told it
# needs triage, and later the NLU triaged it (or left it to an engineer).
NEEDS_TRIAGE_EVENT = "needs_triage"
RETRIAGED_EVENT = "retriaged"


async def tickets_awaiting_triage(session: AsyncSession, limit: int = 20) -> list[Ticket]:
    """Tickets still waiting for the triage they missed, oldest first: ``unknown``, new, nobody has
    taken them, marked as needing triage and not triaged since."""
    events = TicketEvent.ticket_id == Ticket.id
    query = (
        select(Ticket)
        .where(
            Ticket.kind == "unknown",
            Ticket.status == "new",
            Ticket.assignee_id.is_(None),
            exists().where(events, TicketEvent.action == NEEDS_TRIAGE_EVENT),
            ~exists().where(events, TicketEvent.action == RETRIAGED_EVENT),
        )
        .order_by(Ticket.id)
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def count_tickets(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Ticket)) or 0)


# Any fixed number: the key of the PostgreSQL advisory lock that orders outage reports.
_OUTAGE_LOCK_KEY = 720_451


async def serialize_outage_reports(session: AsyncSession) -> None:
    """Let one transaction at a time decide whether a report joins an open outage or opens one.

    Without it, two first reports of the same outage at the same moment on PostgreSQL would each
    see no open ticket and open two. The lock is held until the transaction ends. SQLite needs
    nothing: its write transactions (BEGIN IMMEDIATE) are already one at a time."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _OUTAGE_LOCK_KEY})
