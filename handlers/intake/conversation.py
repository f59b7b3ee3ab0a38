"""Chitchat, not understood, and the kinds whose features are still to come."""

from __future__ import annotations

from core.messages import Action, Button, Outgoing, Reply
from handlers.context import HandlerContext
from i18n import feature_name, say
from nlu.triage import Triage

_THANKS = ("谢谢", "感谢", "多谢", "辛苦", "thank", "thx")


async def handle_chitchat(ctx: HandlerContext, triage: Triage) -> list[Outgoing]:
    lowered = ctx.message.text.lower()
    key = "thanks" if any(word in lowered for word in _THANKS) else "chitchat"
    return [Outgoing(Reply(say(ctx.lang, key)))]


def open_as_is_button(ctx: HandlerContext) -> Button:
    return Button(say(ctx.lang, "button_open_as_is"), Action.OPEN_TICKET, str(ctx.message.id))


async def handle_unknown(ctx: HandlerContext, triage: Triage) -> list[Outgoing]:
    """Never guess silently: say so, and offer a clarifying choice or a ticket as is."""
    if triage.needs_clarification:
        ref = str(ctx.message.id)
        buttons = (
            Button(say(ctx.lang, "button_broken"), Action.CLARIFY, f"{ref}:incident"),
            Button(say(ctx.lang, "button_howto"), Action.CLARIFY, f"{ref}:howto"),
            Button(say(ctx.lang, "button_status"), Action.CLARIFY, f"{ref}:status"),
            Button(say(ctx.lang, "button_other"), Action.OPEN_TICKET, ref),
        )
        return [Outgoing(Reply(say(ctx.lang, "clarify"), buttons))]
    return [Outgoing(Reply(say(ctx.lang, "unknown"), (open_as_is_button(ctx),)))]


async def handle_coming_soon(ctx: HandlerContext, triage: Triage) -> list[Outgoing]:
    text = say(ctx.lang, "coming_soon", what=feature_name(ctx.lang, triage.kind))
    return [Outgoing(Reply(text, (open_as_is_button(ctx),)))]
