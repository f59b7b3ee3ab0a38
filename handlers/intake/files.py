"""Files people send: a photo of the error, a document. The pipeline links them to the ticket a
message opens or names; this handler answers a message that is only files (no words)."""

from __future__ import annotations

from core.messages import Outgoing, Reply
from handlers.context import HandlerContext
from i18n import say
from storage import paging as paging_store


async def handle_files_only(ctx: HandlerContext, count: int) -> list[Outgoing]:
    """Files with no words: they go to the person's newest open ticket; with none open, they wait for
    the words that open one (the pipeline links files sent shortly before a new ticket)."""
    if count == 0:
        return [Outgoing(Reply(say(ctx.lang, "empty_message")))]
    open_tickets = await paging_store.requested_tickets(ctx.session, ctx.person.id, limit=1)
    if not open_tickets:
        return [Outgoing(Reply(say(ctx.lang, "files_waiting", count=count)))]
    ticket = open_tickets[0]
    return [Outgoing(Reply(say(ctx.lang, "files_attached", count=count, number=ticket.number)), ticket_id=ticket.id)]
