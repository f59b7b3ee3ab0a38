"""A message whose handling kept raising: given up on, but not lost.

After the configured number of attempts the pipeline stops retrying. The person gets an ``unknown``
ticket number (the error is kept on the ticket for the engineers) and the service manager is told,
because a message a machine could not handle is a fault of the bot that a person must look at.
"""

from __future__ import annotations

import storage
from core.messages import Outgoing, Reply
from handlers.context import HandlerContext
from handlers.service.staff import staff_for
from i18n import say


async def handle_failed(ctx: HandlerContext, error: str, attempts: int) -> list[Outgoing]:
    """Open an ``unknown`` ticket carrying ``error``; tell the person and the service manager."""
    ticket = await storage.open_ticket(
        ctx.session,
        requester_id=ctx.person.id,
        kind="unknown",
        text=ctx.message.text,
        channel=ctx.message.channel,
        now=ctx.now,
        detail={"inbound_id": ctx.message.id, "reason": "handling failed", "error": error, "attempts": attempts},
    )
    out = [
        Outgoing(
            Reply(say(ctx.lang, "handling_failed", number=ticket.number, hotline=ctx.hotline)),
            ticket_id=ticket.id,
        )
    ]
    manager_id = (await staff_for(ctx)).service_manager
    manager = await storage.get_person(ctx.session, manager_id) if manager_id else None
    if manager is not None:
        text = say(
            manager.language or "zh",
            "handling_failed_manager",
            number=ticket.number,
            name=ctx.person.name,
            attempts=attempts,
            error=error[:300],
        )
        out.append(Outgoing(Reply(text), to=manager.id, ticket_id=ticket.id))
    return out
