"""Multi-step dialogs in the core: the bot's question waits in the database for the person's answer.

A dialog is keyed by (channel, person), so it works the same on channels with no conversation
support (WeCom) and survives a restart. ``continue_dialog`` runs before triage: when the person has
a dialog open, their message is the answer to it. A step may hand the message back (return None)
when it is not an answer after all; "取消" / "cancel" ends any dialog.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.messages import Outgoing, Reply
from handlers import complaints, purchases
from handlers import service_texts as st
from handlers.context import HandlerContext
from storage import dialogs as dialog_store
from storage.service_models import Dialog

__all__ = ["DIALOG_STEPS", "DialogStep", "continue_dialog"]

DialogStep = Callable[[HandlerContext, Dialog], Awaitable[list[Outgoing] | None]]

# Dialog state → what the person's next message means.
DIALOG_STEPS: dict[str, DialogStep] = {
    "complaint_facts": complaints.facts_step,
    "complaint_answer": complaints.answer_step,
    "purchase_details": purchases.details_step,
}

_CANCEL = ("取消", "算了", "cancel", "/cancel")


async def continue_dialog(ctx: HandlerContext) -> list[Outgoing] | None:
    """The reply when the message answers an open dialog; None when there is none (triage as usual)."""
    dialog = await dialog_store.active_dialog(ctx.session, ctx.message.channel, ctx.person.id, ctx.now)
    if dialog is None:
        return None
    step = DIALOG_STEPS.get(dialog.state)
    if step is None or ctx.message.text.strip().lower() in _CANCEL:
        await dialog_store.end_dialog(ctx.session, dialog.channel, dialog.person_id)
        return [Outgoing(Reply(st.say(ctx.lang, "dialog_cancelled")))] if step is not None else None
    return await step(ctx, dialog)
