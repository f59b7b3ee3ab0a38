"""Inbound messages and the outbox.

The inbound table makes delivery idempotent: (channel, sender, channel message id) is unique, so a
message redelivered by a channel is recognised and handled once. The sender is part of the key
because on some channels (the REST webhook) the client chooses the id: two people's ids may clash.
The outbox holds every reply until a channel has sent it; it is written in the same transaction as
the change it reports (by ``bot.outbox.dispatch``, the one writer). A row may carry a key, the name
its sender gave it so that a later reply can replace it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import MessageIdReused
from storage.models import InboundMessage, OutboxMessage


async def record_inbound(
    session: AsyncSession,
    *,
    channel: str,
    channel_message_id: str,
    sender_ref: str,
    sender_id: str | None,
    chat_id: str,
    text: str,
    received_at: datetime,
    attachments: dict[str, Any] | None = None,
) -> tuple[InboundMessage, bool]:
    """Store a message once. Returns (row, True) when new, (existing row, False) when redelivered.

    Raises ``MessageIdReused`` when the same sender's id comes back with another text."""
    existing = await find_inbound(session, channel, sender_ref, channel_message_id)
    if existing is not None:
        return _redelivered(existing, text), False
    row = InboundMessage(
        channel=channel,
        channel_message_id=channel_message_id,
        sender_ref=sender_ref,
        sender_id=sender_id,
        chat_id=chat_id,
        text=text,
        received_at=received_at,
        attachments=attachments or {},
        status="received",
    )
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:
        # Another process stored the same delivery between our look-up and insert.
        found = await find_inbound(session, channel, sender_ref, channel_message_id)
        if found is None:
            raise
        return _redelivered(found, text), False
    return row, True


def _redelivered(existing: InboundMessage, text: str) -> InboundMessage:
    if existing.text != text:
        raise MessageIdReused(f"message id {existing.channel_message_id!r} was already used for another message")
    return existing


async def find_inbound(
    session: AsyncSession, channel: str, sender_ref: str, channel_message_id: str
) -> InboundMessage | None:
    return await session.scalar(
        select(InboundMessage).where(
            InboundMessage.channel == channel,
            InboundMessage.sender_ref == sender_ref,
            InboundMessage.channel_message_id == channel_message_id,
        )
    )


async def claim_inbound(session: AsyncSession, inbound_id: int) -> InboundMessage | None:
    """Take a stored message for handling within this transaction, or None if it is taken or done.

    The claim is an UPDATE guarded by the status, so on PostgreSQL a second claimant waits for the
    row lock and then finds nothing to update, and on SQLite writers are serialised anyway. If the
    transaction rolls back, the message is "received" again and will be handled later."""
    result = await session.execute(
        update(InboundMessage)
        .where(InboundMessage.id == inbound_id, InboundMessage.status == "received")
        .values(status="handling")
    )
    if getattr(result, "rowcount", 0) != 1:
        return None
    row = await session.get(InboundMessage, inbound_id)
    if row is not None:
        await session.refresh(row)
    return row


async def count_failed_attempt(session: AsyncSession, inbound_id: int, error: str) -> InboundMessage | None:
    """Record that handling a still-unhandled message raised; None when it is no longer waiting."""
    result = await session.execute(
        update(InboundMessage)
        .where(InboundMessage.id == inbound_id, InboundMessage.status == "received")
        .values(attempts=InboundMessage.attempts + 1, last_error=error[:2000])
    )
    if getattr(result, "rowcount", 0) != 1:
        return None
    row = await session.get(InboundMessage, inbound_id)
    if row is not None:
        await session.refresh(row)
    return row


async def get_inbound(session: AsyncSession, inbound_id: int) -> InboundMessage | None:
    return await session.get(InboundMessage, inbound_id)


async def mark_handled(
    session: AsyncSession,
    inbound: InboundMessage,
    *,
    at: datetime,
    kind: str | None,
    severity: str | None = None,
    article: str | None = None,
    confidence: float | None = None,
    triage_error: str | None = None,
    ticket_id: int | None = None,
) -> None:
    inbound.status = "handled"
    inbound.handled_at = at
    inbound.kind, inbound.severity, inbound.article = kind, severity, article
    inbound.confidence, inbound.triage_error = confidence, triage_error
    if ticket_id is not None:
        inbound.ticket_id = ticket_id
    await session.flush()


def mark_given_up(inbound: InboundMessage, *, at: datetime, ticket_id: int | None) -> None:
    """Handling failed too often: the message is not retried again (``last_error`` says why)."""
    inbound.status = "failed"
    inbound.handled_at = at
    inbound.kind = "unknown"
    if ticket_id is not None:
        inbound.ticket_id = ticket_id


async def unhandled_inbound(session: AsyncSession, older_than: datetime) -> list[InboundMessage]:
    """Messages stored but never handled (the process stopped in between), oldest first."""
    query = (
        select(InboundMessage)
        .where(InboundMessage.status == "received", InboundMessage.received_at <= older_than)
        .order_by(InboundMessage.id)
    )
    return list((await session.scalars(query)).all())


async def enqueue(
    session: AsyncSession,
    *,
    channel: str,
    recipient_id: str | None,
    chat_id: str,
    payload: dict[str, Any],
    now: datetime,
    in_reply_to: int | None = None,
    ticket_id: int | None = None,
    replaces_id: int | None = None,
    key: str | None = None,
) -> OutboxMessage:
    row = OutboxMessage(
        channel=channel,
        recipient_id=recipient_id,
        chat_id=chat_id,
        payload=payload,
        in_reply_to=in_reply_to,
        ticket_id=ticket_id,
        replaces_id=replaces_id,
        key=key,
        status="pending",
        attempts=0,
        created_at=now,
        next_attempt_at=now,
    )
    session.add(row)
    await session.flush()
    return row


async def claim_outbox(
    session: AsyncSession, now: datetime, channels: list[str], lease_s: float, limit: int = 50
) -> list[OutboxMessage]:
    """Take the due rows for sending: they are leased (pushed ``lease_s`` into the future) so that no
    other bot process takes them while this one sends outside the transaction. A process that dies
    mid-send leaves them to be sent again when the lease runs out: delivery is at least once."""
    rows = await due_outbox(session, now, channels, limit)
    for row in rows:
        row.next_attempt_at = now + timedelta(seconds=lease_s)
    await session.flush()
    return rows


async def due_outbox(session: AsyncSession, now: datetime, channels: list[str], limit: int = 50) -> list[OutboxMessage]:
    """Pending rows due now on these channels, locked so that another bot process skips them."""
    query = (
        select(OutboxMessage)
        .where(
            OutboxMessage.status == "pending",
            OutboxMessage.next_attempt_at <= now,
            OutboxMessage.channel.in_(channels),
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.scalars(query)).all())


async def retry_now(session: AsyncSession, channel: str, recipient_id: str, now: datetime) -> int:
    """Make a person's pending rows on a channel due now (they just came online)."""
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.recipient_id == recipient_id,
            OutboxMessage.status == "pending",
        )
        .values(next_attempt_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def get_outbox(session: AsyncSession, outbox_id: int) -> OutboxMessage | None:
    return await session.get(OutboxMessage, outbox_id)


async def outbox_by_key(session: AsyncSession, key: str) -> OutboxMessage | None:
    """The message remembered under ``key``: the newest row written with it, or None."""
    query = select(OutboxMessage).where(OutboxMessage.key == key).order_by(OutboxMessage.id.desc()).limit(1)
    return await session.scalar(query)


def mark_sent(row: OutboxMessage, at: datetime, channel_message_id: str | None) -> None:
    row.status, row.sent_at, row.channel_message_id = "sent", at, channel_message_id
    row.attempts += 1
    row.last_error = None


def mark_retry(row: OutboxMessage, now: datetime, error: str, first_s: float, max_s: float, max_attempts: int) -> None:
    """Exponential backoff; after ``max_attempts`` the row is failed and stays visible for an operator."""
    row.attempts += 1
    row.last_error = error[:2000]
    if row.attempts >= max_attempts:
        row.status = "failed"
        return
    row.next_attempt_at = now + timedelta(seconds=min(max_s, first_s * 2 ** (row.attempts - 1)))


def mark_failed(row: OutboxMessage, error: str) -> None:
    row.attempts += 1
    row.status, row.last_error = "failed", error[:2000]


async def outbox_after(session: AsyncSession, after_id: int) -> list[OutboxMessage]:
    """Outbox rows newer than ``after_id``, oldest first (the demo transcript, operators' views)."""
    query = select(OutboxMessage).where(OutboxMessage.id > after_id).order_by(OutboxMessage.id)
    return list((await session.scalars(query)).all())


async def outbox_for(session: AsyncSession, person_id: str, limit: int = 50) -> list[OutboxMessage]:
    """What was sent to a person, newest first."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.recipient_id == person_id)
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def ticket_outbox_for(session: AsyncSession, ticket_id: int, person_id: str) -> list[OutboxMessage]:
    """What was sent to a person about one ticket (a page's copies among them), oldest first."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.ticket_id == ticket_id, OutboxMessage.recipient_id == person_id)
        .order_by(OutboxMessage.id)
    )
    return list((await session.scalars(query)).all())


async def replies_to(session: AsyncSession, inbound_id: int) -> list[OutboxMessage]:
    """The outbox rows answering one inbound message, in order (for the REST channel's response)."""
    query = select(OutboxMessage).where(OutboxMessage.in_reply_to == inbound_id).order_by(OutboxMessage.id)
    return list((await session.scalars(query)).all())


async def conversation(session: AsyncSession, person_id: str, limit: int = 100) -> list[InboundMessage | OutboxMessage]:
    """What a person said and was sent, oldest first (the web chat shows it on load).

    A sent message that was later edited in place (a page after its acknowledgement) is returned
    with the newest edit's payload, so the history shows what the chat shows."""
    said = (
        await session.scalars(
            select(InboundMessage)
            .where(InboundMessage.sender_id == person_id)
            .order_by(InboundMessage.id.desc())
            .limit(limit)
        )
    ).all()
    sent = (
        await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.recipient_id == person_id, OutboxMessage.replaces_id.is_(None))
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        )
    ).all()
    if sent:
        edits = (
            await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.replaces_id.in_([row.id for row in sent]))
                .order_by(OutboxMessage.id)
            )
        ).all()
        latest = {edit.replaces_id: edit.payload for edit in edits}
        for row in sent:
            if row.id in latest:
                session.expunge(row)  # show the edit without writing it back
                row.payload = latest[row.id]
    items: list[InboundMessage | OutboxMessage] = [*said, *sent]
    items.sort(key=lambda r: (r.received_at if isinstance(r, InboundMessage) else r.created_at, r.id))
    return items[-limit:]
