"""Complaints, repairs and purchase requests: rows, look-ups and their trail.

These functions store what the handlers decided; the rules (who may do what, which step follows
which) live in ``handlers``. Every change a caller makes is expected to come with ``record_service_event``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Complaint, PurchaseRequest, Repair, ServiceEvent


async def record_service_event(
    session: AsyncSession,
    *,
    subject: str,
    subject_id: int,
    at: datetime,
    actor_id: str | None,
    action: str,
    source: str,
    detail: dict[str, Any] | None = None,
) -> ServiceEvent:
    event = ServiceEvent(
        subject=subject,
        subject_id=subject_id,
        at=at,
        actor_id=actor_id,
        action=action,
        source=source,
        detail=detail or {},
    )
    session.add(event)
    await session.flush()
    return event


async def service_events(session: AsyncSession, subject: str, subject_id: int) -> list[ServiceEvent]:
    query = (
        select(ServiceEvent)
        .where(ServiceEvent.subject == subject, ServiceEvent.subject_id == subject_id)
        .order_by(ServiceEvent.id)
    )
    return list((await session.scalars(query)).all())


async def add_complaint(
    session: AsyncSession,
    *,
    complainant_id: str,
    text: str,
    channel: str,
    about: dict[str, Any],
    ticket_id: int | None,
    engineer_id: str | None,
    manager_id: str | None,
    now: datetime,
    facts_due_at: datetime,
    answer_due_at: datetime,
) -> Complaint:
    complaint = Complaint(
        complainant_id=complainant_id,
        text=text,
        channel=channel,
        about=about,
        ticket_id=ticket_id,
        engineer_id=engineer_id,
        manager_id=manager_id,
        status="open",
        created_at=now,
        facts_due_at=facts_due_at,
        answer_due_at=answer_due_at,
    )
    session.add(complaint)
    await session.flush()
    return complaint


async def get_complaint(session: AsyncSession, complaint_id: int) -> Complaint | None:
    return await session.get(Complaint, complaint_id)


async def list_complaints(session: AsyncSession, complainant_id: str | None = None) -> list[Complaint]:
    query = select(Complaint).order_by(Complaint.id)
    if complainant_id is not None:
        query = query.where(Complaint.complainant_id == complainant_id)
    return list((await session.scalars(query)).all())


async def add_repair(session: AsyncSession, *, ticket_id: int, step: str, now: datetime) -> tuple[Repair, bool]:
    """The repair of a ticket, created once: (repair, True) when new, (existing, False) otherwise."""
    existing = await repair_for_ticket(session, ticket_id)
    if existing is not None:
        return existing, False
    repair = Repair(ticket_id=ticket_id, step=step, quote={}, created_at=now, updated_at=now)
    session.add(repair)
    await session.flush()
    return repair, True


async def repair_for_ticket(session: AsyncSession, ticket_id: int) -> Repair | None:
    return await session.scalar(select(Repair).where(Repair.ticket_id == ticket_id))


async def add_purchase_request(
    session: AsyncSession,
    *,
    requester_id: str,
    text: str,
    channel: str,
    items: str,
    quantity: int | None,
    budget_fen: int | None,
    needed_by: str | None,
    now: datetime,
) -> PurchaseRequest:
    request = PurchaseRequest(
        requester_id=requester_id,
        text=text,
        channel=channel,
        items=items,
        quantity=quantity,
        budget_fen=budget_fen,
        needed_by=needed_by,
        status="open",
        created_at=now,
    )
    session.add(request)
    await session.flush()
    return request


async def get_purchase_request(session: AsyncSession, request_id: int) -> PurchaseRequest | None:
    return await session.get(PurchaseRequest, request_id)


async def list_purchase_requests(session: AsyncSession, requester_id: str | None = None) -> list[PurchaseRequest]:
    query = select(PurchaseRequest).order_by(PurchaseRequest.id)
    if requester_id is not None:
        query = query.where(PurchaseRequest.requester_id == requester_id)
    return list((await session.scalars(query)).all())
