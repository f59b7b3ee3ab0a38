"""Buttons and commands of the service requests that are shared between repairs and purchases.

Approve and decline carry what they are about in the ref (``repair:1042``, ``purchase:12``), so
one button format serves both kinds of quote. Engineer commands are tried before triage.
"""

from __future__ import annotations

from core.messages import ButtonPress, Outgoing, Reply
from handlers.context import HandlerContext
from handlers.service import purchases, repairs
from i18n import say
from nlu.triage import Triage

__all__ = ["press_approve", "press_decline", "service_command"]


async def _decide(ctx: HandlerContext, press: ButtonPress, approve: bool) -> list[Outgoing]:
    subject, _, ref = press.ref.partition(":")
    if subject == "purchase":
        return await purchases.decide_purchase(ctx, ref, approve)
    if subject == "repair" and ref.isdigit():
        if approve:
            return await repairs.press_approve_repair(ctx, int(ref))
        return await repairs.press_decline_repair(ctx, int(ref))
    return [Outgoing(Reply(say(ctx.lang, "stale_button")))]


async def press_approve(ctx: HandlerContext, press: ButtonPress) -> list[Outgoing]:
    return await _decide(ctx, press, approve=True)


async def press_decline(ctx: HandlerContext, press: ButtonPress) -> list[Outgoing]:
    return await _decide(ctx, press, approve=False)


async def service_command(ctx: HandlerContext, _triage: Triage | None = None) -> list[Outgoing] | None:
    """An engineer's repair, quote or purchase command; None when the text is none of these."""
    for command in (repairs.repair_command, purchases.purchase_command):
        out = await command(ctx)
        if out is not None:
            return out
    return None
