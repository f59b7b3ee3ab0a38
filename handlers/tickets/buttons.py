"""The buttons on pages and service records. A press is looked up, not trusted: the ticket is
found by its number, and the lifecycle function checks that the person pressing may do it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession

import storage
from core.messages import ButtonPress, Outgoing, Reply
from handlers.context import HandlerContext
from handlers.permissions import Move, may, relations
from handlers.tickets import lifecycle
from i18n import move_name, say, status_name
from storage import paging as paging_store


async def _ticket(ctx: HandlerContext, press: ButtonPress) -> storage.Ticket | None:
    return await paging_store.lock_ticket(ctx.session, int(press.ref)) if press.ref.isdigit() else None


def _stale(ctx: HandlerContext) -> list[Outgoing]:
    return [Outgoing(Reply(say(ctx.lang, "stale_button")))]


ZonedMove = Callable[
    [AsyncSession, storage.Ticket, storage.Person, str, datetime, tzinfo], Awaitable[lifecycle.Outcome]
]


def _pressed(move: ZonedMove) -> Callable[[HandlerContext, ButtonPress], Awaitable[list[Outgoing]]]:
    """A button handler for one lifecycle move: find the ticket, let the move check the person."""

    async def pressed(ctx: HandlerContext, press: ButtonPress) -> list[Outgoing]:
        ticket = await _ticket(ctx, press)
        if ticket is None:
            return _stale(ctx)
        zone = ctx.zone
        outcome = await move(ctx.session, ticket, ctx.person, ctx.message.channel, ctx.now, zone)
        return outcome.outgoing()

    return pressed


acknowledge_pressed = _pressed(lifecycle.acknowledge)
take_pressed = _pressed(lifecycle.take)
confirm_pressed = _pressed(lifecycle.confirm_record)
reopen_pressed = _pressed(lifecycle.reopen)


async def escalate_pressed(ctx: HandlerContext, press: ButtonPress) -> list[Outgoing]:
    ticket = await _ticket(ctx, press)
    if ticket is None:
        return _stale(ctx)
    outcome = await lifecycle.escalate(ctx.session, ticket, ctx.person, ctx.message.channel, ctx.now)
    return outcome.outgoing()


async def resolve_pressed(ctx: HandlerContext, press: ButtonPress) -> list[Outgoing]:
    """A button cannot carry the resolution note, so it asks for it in the command's form."""
    ticket = await _ticket(ctx, press)
    if ticket is None:
        return _stale(ctx)
    if not may(Move.TICKET_RESOLVE, relations(ctx.person.role, ctx.person.id)):
        return [Outgoing(Reply(say(ctx.lang, "engineers_only", what=move_name(ctx.lang, "resolve"))))]
    if not lifecycle.can_move(ticket.status, "resolve"):
        status, move = status_name(ctx.lang, ticket.status), move_name(ctx.lang, "resolve")
        return [Outgoing(Reply(say(ctx.lang, "invalid_move", number=ticket.number, status=status, move=move)))]
    return [Outgoing(Reply(say(ctx.lang, "resolve_needs_note", number=ticket.number)), ticket_id=ticket.id)]
