"""A message the NLU could not triage (Rasa down or slow): nothing is lost.

The person gets an ``unknown`` ticket number at once, and an engineer triages it.
"""

from __future__ import annotations

import storage
from bot.messages import Outgoing, Reply
from handlers import texts
from handlers.context import HandlerContext


async def handle_untriaged(ctx: HandlerContext, message: storage.InboundMessage) -> list[Outgoing]:
    """Open an ``unknown`` ticket for ``message`` and tell the person its number."""
    ticket = await storage.open_ticket(
        ctx.session,
        requester_id=ctx.person.id,
        kind="unknown",
        text=message.text,
        channel=message.channel,
        now=ctx.now,
        detail={"inbound_id": message.id, "reason": "triage unavailable"},
    )
    text = texts.say(ctx.lang, "ticket_opened_untriaged", number=ticket.number, hotline=ctx.hotline)
    return [Outgoing(Reply(text), ticket_id=ticket.id)]
