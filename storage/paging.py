"""Pages, the messages they sent, affected people and service records.

Call as ``from storage import paging as paging_store``. Functions that change a ticket's state
take the ticket with ``lock_ticket`` first: on PostgreSQL two engineers pressing "acknowledge"
at the same moment then act one after the other (SQLite serialises writers anyway).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AffectedPerson, Page, PageMessage, ServiceRecord, Ticket
from storage.tickets import OPEN_STATUSES

__all__ = [
    "AffectedPerson",
    "Page",
    "PageMessage",
    "ServiceRecord",
    "add_affected",
    "affected_count",
    "affected_people",
    "assigned_tickets",
    "create_page",
    "create_service_record",
    "get_page",
    "get_service_record",
    "lock_ticket",
    "open_incidents_since",
    "page_for_ticket",
    "page_messages",
    "pending_service_record",
    "record_page_message",
    "requested_tickets",
]


async def lock_ticket(session: AsyncSession, number: int) -> Ticket | None:
    """The ticket with this number, row-locked for the rest of the transaction (PostgreSQL)."""
    query = select(Ticket).where(Ticket.number == number).with_for_update()
    ticket = await session.scalar(query)
    if ticket is not None:
        await session.refresh(ticket)
    return ticket


async def create_page(
    session: AsyncSession, *, ticket: Ticket, severity: str, plan: dict[str, Any], now: datetime
) -> Page:
    page = Page(
        ticket_id=ticket.id, severity=severity, plan=plan, status="paging", next_step=0, generation=0, started_at=now
    )
    session.add(page)
    await session.flush()
    return page


async def get_page(session: AsyncSession, page_id: int, lock: bool = False) -> Page | None:
    query = select(Page).where(Page.id == page_id)
    if lock:
        query = query.with_for_update()
    return await session.scalar(query)


async def page_for_ticket(session: AsyncSession, ticket_id: int, lock: bool = False) -> Page | None:
    """The ticket's latest page, or None when it was never paged."""
    query = select(Page).where(Page.ticket_id == ticket_id).order_by(Page.id.desc()).limit(1)
    if lock:
        query = query.with_for_update()
    return await session.scalar(query)


async def record_page_message(
    session: AsyncSession, *, page: Page, key: str, person_id: str, step: int, action: str, now: datetime
) -> PageMessage:
    """Remember a message the page sends, by the outbox key it is sent under."""
    row = PageMessage(page_id=page.id, key=key, person_id=person_id, step=step, action=action, sent_at=now)
    session.add(row)
    await session.flush()
    return row


async def page_messages(session: AsyncSession, page_id: int) -> list[PageMessage]:
    query = select(PageMessage).where(PageMessage.page_id == page_id).order_by(PageMessage.id)
    return list((await session.scalars(query)).all())


async def add_affected(
    session: AsyncSession, *, ticket: Ticket, person_id: str, text: str, now: datetime, inbound_id: int | None = None
) -> bool:
    """Count someone as affected by the ticket's outage. False when they were counted already."""
    existing = await session.scalar(
        select(AffectedPerson).where(AffectedPerson.ticket_id == ticket.id, AffectedPerson.person_id == person_id)
    )
    if existing is not None:
        return False
    session.add(AffectedPerson(ticket_id=ticket.id, person_id=person_id, inbound_id=inbound_id, text=text, at=now))
    await session.flush()
    return True


async def affected_people(session: AsyncSession, ticket_id: int) -> list[AffectedPerson]:
    query = select(AffectedPerson).where(AffectedPerson.ticket_id == ticket_id).order_by(AffectedPerson.id)
    return list((await session.scalars(query)).all())


async def affected_count(session: AsyncSession, ticket_id: int) -> int:
    query = select(func.count()).select_from(AffectedPerson).where(AffectedPerson.ticket_id == ticket_id)
    return int(await session.scalar(query) or 0)


async def open_incidents_since(session: AsyncSession, severities: Sequence[str], since: datetime) -> list[Ticket]:
    """Open incident tickets of these severities opened at or after ``since``, newest first."""
    query = (
        select(Ticket)
        .where(
            Ticket.kind == "incident",
            Ticket.severity.in_(list(severities)),
            Ticket.status.in_(OPEN_STATUSES),
            Ticket.created_at >= since,
        )
        .order_by(Ticket.id.desc())
    )
    return list((await session.scalars(query)).all())


async def assigned_tickets(session: AsyncSession, person_id: str, limit: int = 20) -> list[Ticket]:
    """An engineer's open tickets (acknowledging, taking and reassigning all set the assignee)."""
    query = (
        select(Ticket)
        .where(Ticket.status.in_(OPEN_STATUSES), Ticket.assignee_id == person_id)
        .order_by(Ticket.id.desc())
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def requested_tickets(session: AsyncSession, person_id: str, limit: int = 20) -> list[Ticket]:
    """A staff member's own tickets that are not closed, newest first."""
    query = (
        select(Ticket)
        .where(Ticket.requester_id == person_id, Ticket.status != "closed")
        .order_by(Ticket.id.desc())
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def create_service_record(
    session: AsyncSession, *, ticket: Ticket, engineer_id: str, note: str, now: datetime
) -> ServiceRecord:
    record = ServiceRecord(ticket_id=ticket.id, engineer_id=engineer_id, note=note, created_at=now, status="pending")
    session.add(record)
    await session.flush()
    return record


async def get_service_record(session: AsyncSession, record_id: int) -> ServiceRecord | None:
    return await session.get(ServiceRecord, record_id)


async def pending_service_record(session: AsyncSession, ticket_id: int) -> ServiceRecord | None:
    """The ticket's service record still waiting for the requester, if any."""
    query = (
        select(ServiceRecord)
        .where(ServiceRecord.ticket_id == ticket_id, ServiceRecord.status == "pending")
        .order_by(ServiceRecord.id.desc())
        .limit(1)
    )
    return await session.scalar(query)
