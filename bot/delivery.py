"""Turning a handler's ``Outgoing`` into an outbox row: to whom, on which channel, in which chat."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

import storage
from core.messages import Outgoing

# Where a person with no chat identity is reached: the web chat (shown when they open it).
DEFAULT_PUSH_CHANNEL = "web"


async def route(session: AsyncSession, person_id: str) -> tuple[str, str]:
    """Where to push a message to someone who did not just write: their first chat identity."""
    for identity in await storage.identities_of(session, person_id):
        return identity.channel, identity.channel_user_id
    return DEFAULT_PUSH_CHANNEL, person_id


async def enqueue_outgoing(
    session: AsyncSession, out: Outgoing, now: datetime, reply_to: storage.InboundMessage | None = None
) -> storage.OutboxMessage:
    """Write one outbox row. ``out.to`` None answers ``reply_to`` in the chat it came from.

    An edit (``out.replaces``) goes where the edited message went."""
    if out.replaces is not None:
        original = await storage.get_outbox(session, out.replaces)
        if original is not None:
            channel, chat, recipient = original.channel, original.chat_id, original.recipient_id
        else:
            channel, chat = await route(session, out.to or "")
            recipient = out.to
    elif out.to is None:
        if reply_to is None:
            raise ValueError("an answer needs the message it answers")
        channel, chat, recipient = reply_to.channel, reply_to.chat_id, reply_to.sender_id
    else:
        channel, chat = await route(session, out.to)
        recipient = out.to
    return await storage.enqueue(
        session,
        channel=channel,
        recipient_id=recipient,
        chat_id=chat,
        payload=out.reply.to_payload(),
        now=now,
        in_reply_to=reply_to.id if reply_to is not None and out.to is None else None,
        ticket_id=out.ticket_id,
        replaces_id=out.replaces,
    )
