"""Chitchat, and messages not understood: the clarifying question."""

from __future__ import annotations

from core.messages import Action, Button, Outgoing, Reply
from handlers.context import HandlerContext
from i18n import say
from nlu.triage import Triage

_CHOICE_BUTTONS = {
    "incident": "button_broken",
    "howto": "button_howto",
    "status": "button_status",
    "complaint": "button_complaint",
    "purchase": "button_purchase",
}
_USUAL_CHOICES = ("incident", "howto", "status")
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
        # The two kinds the model hesitated between come first, then the usual choices.
        offered = [k for k in triage.kinds if k in _CHOICE_BUTTONS]
        offered += [k for k in _USUAL_CHOICES if k not in offered]
        buttons = [Button(say(ctx.lang, _CHOICE_BUTTONS[k]), Action.CLARIFY, f"{ref}:{k}") for k in offered]
        buttons.append(Button(say(ctx.lang, "button_other"), Action.OPEN_TICKET, ref))
        return [Outgoing(Reply(say(ctx.lang, "clarify"), tuple(buttons)))]
    return [Outgoing(Reply(say(ctx.lang, "unknown"), (open_as_is_button(ctx),)))]
