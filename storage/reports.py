"""What the contract's reports read: a period's tickets with their trail, complaints, repairs and
knowledge-base events, in plain rows. Call as ``from storage import reports as report_store``.

Read-only: nothing here changes the store. Every function takes the period as UTC-aware instants
``[since, until)``; the caller turns a local month into them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    ArticleEvent,
    Complaint,
    Device,
    Person,
    Repair,
    ServiceRecord,
    Ticket,
    TicketDevice,
    TicketEvent,
    Timer,
)

__all__ = [
    "article_events_between",
    "claim_report_timer",
    "complaints_created_between",
    "device_tickets_between",
    "due_report_timers",
    "events_of_tickets",
    "people_by_id",
    "repairs_created_between",
    "service_records_of",
    "ticket_number",
    "tickets_created_between",
]


async def tickets_created_between(session: AsyncSession, since: datetime, until: datetime) -> list[Ticket]:
    query = select(Ticket).where(Ticket.created_at >= since, Ticket.created_at < until).order_by(Ticket.id)
    return list((await session.scalars(query)).all())


async def ticket_number(session: AsyncSession, ticket_id: int) -> int:
    """The human number of a ticket (its row id when it has none)."""
    number = await session.scalar(select(Ticket.number).where(Ticket.id == ticket_id))
    return int(number) if number is not None else ticket_id


async def events_of_tickets(session: AsyncSession, ticket_ids: Iterable[int]) -> list[TicketEvent]:
    ids = list(ticket_ids)
    if not ids:
        return []
    query = select(TicketEvent).where(TicketEvent.ticket_id.in_(ids)).order_by(TicketEvent.id)
    return list((await session.scalars(query)).all())


async def complaints_created_between(session: AsyncSession, since: datetime, until: datetime) -> list[Complaint]:
    query = select(Complaint).where(Complaint.created_at >= since, Complaint.created_at < until).order_by(Complaint.id)
    return list((await session.scalars(query)).all())


async def repairs_created_between(session: AsyncSession, since: datetime, until: datetime) -> list[Repair]:
    query = select(Repair).where(Repair.created_at >= since, Repair.created_at < until).order_by(Repair.id)
    return list((await session.scalars(query)).all())


async def article_events_between(session: AsyncSession, since: datetime, until: datetime) -> list[ArticleEvent]:
    query = select(ArticleEvent).where(ArticleEvent.at >= since, ArticleEvent.at < until).order_by(ArticleEvent.id)
    return list((await session.scalars(query)).all())


async def service_records_of(session: AsyncSession, ticket_id: int) -> list[ServiceRecord]:
    query = select(ServiceRecord).where(ServiceRecord.ticket_id == ticket_id).order_by(ServiceRecord.id)
    return list((await session.scalars(query)).all())


async def people_by_id(session: AsyncSession) -> dict[str, Person]:
    """Everyone, active or not: a report names the people of its period even after they left."""
    return {p.id: p for p in (await session.scalars(select(Person))).all()}


async def due_report_timers(session: AsyncSession, now: datetime, kinds: Iterable[str]) -> list[Timer]:
    """Pending report timers due by ``now``, oldest first (read without a lock: the work is done
    outside any transaction, then claimed with ``claim_report_timer``)."""
    query = (
        select(Timer)
        .where(Timer.status == "pending", Timer.due_at <= now, Timer.kind.in_(list(kinds)))
        .order_by(Timer.due_at, Timer.id)
        .limit(20)
    )
    return list((await session.scalars(query)).all())


async def claim_report_timer(session: AsyncSession, timer_id: int) -> Timer | None:
    """The timer, locked for this transaction, if it is still pending (None when another process
    has done it, or holds it now)."""
    query = select(Timer).where(Timer.id == timer_id, Timer.status == "pending").with_for_update(skip_locked=True)
    return await session.scalar(query)


async def device_tickets_between(
    session: AsyncSession, since: datetime, until: datetime
) -> list[tuple[str, str, int, datetime, str]]:
    """(label, brand and model, ticket number, opened, text) for each ticket opened in the period and
    linked to a device of the registry, oldest first."""
    query = (
        select(Device.label, Device.brand, Device.model, Ticket.number, Ticket.id, Ticket.created_at, Ticket.text)
        .join(TicketDevice, TicketDevice.device_id == Device.id)
        .join(Ticket, Ticket.id == TicketDevice.ticket_id)
        .where(Ticket.created_at >= since, Ticket.created_at < until)
        .order_by(Ticket.created_at, Ticket.id)
    )
    return [
        (label, " ".join(p for p in (brand, model) if p), number or ticket_id, created, text)
        for label, brand, model, number, ticket_id, created, text in (await session.execute(query)).all()
    ]
