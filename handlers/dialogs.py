"""Multi-step dialogs in the core: the bot's question waits in the database for the person's answer.

A dialog is keyed by (channel, person), so it works the same on channels with no conversation
support (WeCom) and survives a restart. ``continue_dialog`` runs before the kind's handler: when the
person has a dialog open, their message is the answer to it — unless it stands on its own. A fault
report (triaged as an incident), a command or a button press is handled as itself, and the dialog
waits: ``dialog_reminder`` then tells the person what is still asked and how to finish or cancel it.
A step may hand the message back (return None) when it is not an answer after all; "取消" / "/cancel"
ends any dialog; a dialog expires after the contract's ``dialog_expiry`` (30 minutes by default).

The service manager's complaint dialogs ask for text that naturally tells of faults ("已核实：因处理
三楼断网被调走"), so there a fault report is not taken as either: the bot asks, with one button to
report it as a new fault and one to use it as the answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace

import storage
from core.messages import Action, Button, ButtonPress, Outgoing, Reply
from handlers.context import HandlerContext
from handlers.service import complaints, purchases
from i18n import say
from nlu.triage import Triage
from storage import dialogs as dialog_store
from storage.service_models import Dialog

__all__ = ["CANCEL_WORDS", "DIALOG_STEPS", "DialogStep", "answer_pressed", "continue_dialog", "dialog_reminder"]

DialogStep = Callable[[HandlerContext, Dialog], Awaitable[list[Outgoing] | None]]

# Dialog state → what the person's next message means.
DIALOG_STEPS: dict[str, DialogStep] = {
    "complaint_facts": complaints.facts_step,
    "complaint_answer": complaints.answer_step,
    "purchase_details": purchases.details_step,
}

CANCEL_WORDS = ("取消", "算了", "cancel", "/cancel")

# Dialogs whose answers read like fault reports: ask rather than guess.
ASK_FIRST = frozenset({"complaint_facts", "complaint_answer"})


def stands_alone(triage: Triage | None) -> bool:
    """A message that must not become a dialog's answer: a fault report the model is sure of."""
    return triage is not None and triage.kind == "incident" and not triage.needs_clarification


async def continue_dialog(ctx: HandlerContext, triage: Triage | None) -> list[Outgoing] | None:
    """The reply when the message answers an open dialog; None when there is none, or when the
    message stands on its own (it is then handled as itself and the dialog waits)."""
    dialog = await dialog_store.active_dialog(ctx.session, ctx.message.channel, ctx.person.id, ctx.now)
    text = ctx.message.text.strip().lower()
    if dialog is None:
        if text in CANCEL_WORDS:
            return [Outgoing(Reply(say(ctx.lang, "nothing_to_cancel")))]
        return None
    step = DIALOG_STEPS.get(dialog.state)
    if step is None or text in CANCEL_WORDS:
        await dialog_store.end_dialog(ctx.session, dialog.channel, dialog.person_id)
        return [Outgoing(Reply(say(ctx.lang, "dialog_cancelled")))] if step is not None else None
    if stands_alone(triage):
        if dialog.state in ASK_FIRST:
            return [_which_is_it(ctx, dialog)]
        return None
    return await step(ctx, dialog)


def _which_is_it(ctx: HandlerContext, dialog: Dialog) -> Outgoing:
    ref = str(ctx.message.id)
    buttons = (
        Button(say(ctx.lang, "button_new_fault"), Action.CLARIFY, f"{ref}:incident"),
        Button(say(ctx.lang, "button_dialog_answer"), Action.DIALOG_ANSWER, ref),
    )
    waiting = say(ctx.lang, f"waiting_{dialog.state}")
    return Outgoing(Reply(say(ctx.lang, "fault_or_answer", waiting=waiting), buttons))


async def answer_pressed(ctx: HandlerContext, press: ButtonPress) -> list[Outgoing]:
    """ "Use it as my answer": the earlier message goes to the dialog that is still open."""
    dialog = await dialog_store.active_dialog(ctx.session, ctx.message.channel, ctx.person.id, ctx.now)
    original = await storage.get_inbound(ctx.session, int(press.ref)) if press.ref.isdigit() else None
    step = DIALOG_STEPS.get(dialog.state) if dialog is not None else None
    if dialog is None or step is None or original is None or original.sender_id != ctx.person.id:
        return [Outgoing(Reply(say(ctx.lang, "stale_button")))]
    answered = await step(replace(ctx, message=original), dialog)
    return answered if answered is not None else [Outgoing(Reply(say(ctx.lang, "stale_button")))]


async def dialog_reminder(ctx: HandlerContext) -> list[Outgoing]:
    """After a message was handled as itself: what the still-open dialog waits for, and how to end it.

    Nothing when no dialog is open, or when this very message opened it."""
    dialog = await dialog_store.active_dialog(ctx.session, ctx.message.channel, ctx.person.id, ctx.now)
    if dialog is None or dialog.state not in DIALOG_STEPS or dialog.started_at >= ctx.now:
        return []
    waiting = say(ctx.lang, f"waiting_{dialog.state}")
    return [Outgoing(Reply(say(ctx.lang, "dialog_waits", waiting=waiting)))]
