"""Explicit tables: triage kind → handler, button action → handler."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.messages import Action, ButtonPress, Outgoing
from handlers.actions import open_ticket_as_is
from handlers.context import HandlerContext, TimerHandler
from handlers.conversation import handle_chitchat, handle_coming_soon, handle_unknown
from handlers.incident import handle_incident
from nlu.triage import Triage

KindHandler = Callable[[HandlerContext, Triage], Awaitable[list[Outgoing]]]
ActionHandler = Callable[[HandlerContext, ButtonPress], Awaitable[list[Outgoing]]]

KIND_HANDLERS: dict[str, KindHandler] = {
    "incident": handle_incident,
    "chitchat": handle_chitchat,
    "unknown": handle_unknown,
    "howto": handle_coming_soon,
    "status": handle_coming_soon,
    "complaint": handle_coming_soon,
    "purchase": handle_coming_soon,
}

ACTION_HANDLERS: dict[Action, ActionHandler] = {
    Action.OPEN_TICKET: open_ticket_as_is,
    Action.NOT_SOLVED: open_ticket_as_is,
}

# Timer kind → what happens when it is due (paging steps, complaint clocks, ...).
TIMER_HANDLERS: dict[str, TimerHandler] = {}
