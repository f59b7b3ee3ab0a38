"""Button presses. A press is looked up, not trusted: the referenced message must be the presser's."""

from __future__ import annotations

import storage
from core.messages import ButtonPress, Outgoing, Reply
from handlers.assets.links import link_labels
from handlers.context import HandlerContext
from i18n import say


async def open_ticket_as_is(ctx: HandlerContext, press: ButtonPress) -> list[Outgoing]:
    """Open a ticket of kind ``unknown`` from an earlier message, once, for an engineer to triage."""
    original = await storage.get_inbound(ctx.session, int(press.ref)) if press.ref.isdigit() else None
    if original is None or original.sender_id != ctx.person.id:
        return [Outgoing(Reply(say(ctx.lang, "stale_button")))]
    if original.ticket_id is not None:
        existing = await storage.get_ticket_by_id(ctx.session, original.ticket_id)
        number = existing.number if existing else "?"
        return [Outgoing(Reply(say(ctx.lang, "already_ticket", number=number)))]
    ticket = await storage.open_ticket(
        ctx.session,
        requester_id=ctx.person.id,
        kind="unknown",
        text=original.text,
        channel=ctx.message.channel,
        now=ctx.now,
        detail={"inbound_id": original.id, "opened_by": "button"},
    )
    original.ticket_id = ticket.id
    await link_labels(ctx, ticket)
    return [Outgoing(Reply(say(ctx.lang, "ticket_opened_as_is", number=ticket.number)), ticket_id=ticket.id)]
