"""A person's conversation as the web chat shows it on load: what they said and what they were sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

import storage
from bot.messages import Reply


@dataclass(frozen=True)
class HistoryItem:
    id: str  # "i<inbound id>" for what the person said, "o<outbox id>" for what the bot sent
    from_person: bool
    reply: Reply
    at: datetime


async def conversation_items(session: AsyncSession, person_id: str, limit: int = 100) -> list[HistoryItem]:
    """Oldest first; a sent message edited in place shows its newest edit."""
    out: list[HistoryItem] = []
    for item in await storage.conversation(session, person_id, limit):
        if isinstance(item, storage.InboundMessage):
            out.append(HistoryItem(f"i{item.id}", True, Reply(item.text), item.received_at))
        else:
            out.append(HistoryItem(f"o{item.id}", False, Reply.from_payload(item.payload), item.created_at))
    return out
