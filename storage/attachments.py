"""Files people sent: the rows that say whose they are and which ticket they belong to. The bytes
live in the file store (``storage.files``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Attachment

__all__ = ["Attachment", "add_attachment", "attachments_of_ticket", "link_attachments", "unlinked_attachments"]


async def add_attachment(
    session: AsyncSession,
    *,
    ref: str,
    name: str,
    kind: str,
    size: int,
    sender_id: str,
    inbound_id: int | None,
    now: datetime,
) -> Attachment:
    row = Attachment(
        ref=ref, name=name, kind=kind, size=size, sender_id=sender_id, inbound_id=inbound_id, created_at=now
    )
    session.add(row)
    await session.flush()
    return row


async def unlinked_attachments(session: AsyncSession, sender_id: str, since: datetime) -> list[Attachment]:
    """What the person sent since ``since`` that belongs to no ticket yet (a photo before the words)."""
    query = (
        select(Attachment)
        .where(Attachment.sender_id == sender_id, Attachment.ticket_id.is_(None), Attachment.created_at >= since)
        .order_by(Attachment.id)
    )
    return list((await session.scalars(query)).all())


def link_attachments(rows: list[Attachment], ticket_id: int) -> None:
    for row in rows:
        row.ticket_id = ticket_id


async def attachments_of_ticket(session: AsyncSession, ticket_id: int) -> list[Attachment]:
    query = select(Attachment).where(Attachment.ticket_id == ticket_id).order_by(Attachment.id)
    return list((await session.scalars(query)).all())
