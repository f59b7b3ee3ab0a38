"""Multi-step dialogs, in one place: the bot's question waits in the database for the person's answer.

A dialog is keyed by (channel, person), so it works the same on channels with no conversation
support (WeCom) and survives a restart; the rows are ``storage.dialogs``'s, reached only from here.

The way of one dialog:

1. A handler asks a question and opens a dialog for the answer: ``open_dialog(ctx, state, ref)``
   (a complaint's facts, its answer, a purchase's missing details). ``state`` names the step that
   will take the answer, ``ref`` what it is about; opening another replaces it.
2. The person's next message reaches ``Dialogs.continue_dialog`` (a text hook of the pipeline, run
   before the message's kind is handled). "取消" / "/cancel" ends any dialog. A message that stands
   on its own — a fault report (triaged as an incident), a command or a button press — is handled
   as itself and the dialog waits; for the dialogs whose answers read like fault reports
   (``DialogKind.ask_first``: the service manager's facts and answer) the bot asks instead, with a
   button to report a new fault and one to use the message as the answer (``answer_pressed``).
   Anything else is the answer: the state's step (``DialogKind.step``) takes it.
3. The step lives with its domain (``handlers.service.complaints``, ``handlers.service.purchases``)
   and is registered by state in ``handlers.registry.DIALOG_STEPS``. It closes the dialog
   (``close_dialog``), or opens the next one (the facts lead to the answer), and returns the replies;
   it may hand the message back (return None) when it is not an answer after all.
4. After a message handled as itself, ``Dialogs.reminder`` tells the person what the dialog still
   waits for and how to finish or cancel it.
5. A dialog nobody answers expires after the contract's ``dialog_expiry`` (30 minutes by default)
   and is then treated as absent, so it never swallows a message days later.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import storage
from core.messages import Action, Button, ButtonPress, Outgoing, Reply
from handlers.context import HandlerContext
from i18n import say
from nlu.triage import Triage
from storage import dialogs as dialog_store
from storage.models import Dialog

__all__ = [
    "CANCEL_WORDS",
    "Dialog",
    "DialogKind",
    "DialogStep",
    "Dialogs",
    "close_dialog",
    "open_dialog",
    "stands_alone",
]

DialogStep = Callable[[HandlerContext, Dialog], Awaitable[list[Outgoing] | None]]


@dataclass(frozen=True)
class DialogKind:
    """What a dialog state does with the answer: its ``step``; ``ask_first`` for dialogs whose
    answers naturally tell of faults, where a fault report is asked about rather than guessed."""

    step: DialogStep
    ask_first: bool = False


CANCEL_WORDS = ("取消", "算了", "cancel", "/cancel")


async def open_dialog(ctx: HandlerContext, state: str, ref: str, data: dict[str, Any] | None = None) -> None:
    """Take this person's next message on this channel as the answer for ``state`` (about ``ref``)."""
    await dialog_store.start_dialog(
        ctx.session,
        channel=ctx.message.channel,
        person_id=ctx.person.id,
        state=state,
        ref=ref,
        now=ctx.now,
        expires_at=ctx.now + ctx.dialog_expiry,
        data=data,
    )


async def close_dialog(ctx: HandlerContext, dialog: Dialog) -> None:
    """The dialog is over (answered, or what it was about is gone)."""
    await dialog_store.end_dialog(ctx.session, dialog.channel, dialog.person_id)


def stands_alone(triage: Triage | None) -> bool:
    """A message that must not become a dialog's answer: a fault report the model is sure of."""
    return triage is not None and triage.kind == "incident" and not triage.needs_clarification


class Dialogs:
    """The dialogs that exist, by state (``handlers.registry`` builds the one instance)."""

    def __init__(self, kinds: Mapping[str, DialogKind]) -> None:
        self._kinds = dict(kinds)

    async def continue_dialog(self, ctx: HandlerContext, triage: Triage | None) -> list[Outgoing] | None:
        """The reply when the message answers an open dialog; None when there is none, or when the
        message stands on its own (it is then handled as itself and the dialog waits)."""
        dialog = await dialog_store.active_dialog(ctx.session, ctx.message.channel, ctx.person.id, ctx.now)
        text = ctx.message.text.strip().lower()
        if dialog is None:
            if text in CANCEL_WORDS:
                return [Outgoing(Reply(say(ctx.lang, "nothing_to_cancel")))]
            return None
        kind = self._kinds.get(dialog.state)
        if kind is None or text in CANCEL_WORDS:
            await close_dialog(ctx, dialog)
            return [Outgoing(Reply(say(ctx.lang, "dialog_cancelled")))] if kind is not None else None
        if stands_alone(triage):
            if kind.ask_first:
                return [_which_is_it(ctx, dialog)]
            return None
        return await kind.step(ctx, dialog)

    async def answer_pressed(self, ctx: HandlerContext, press: ButtonPress) -> list[Outgoing]:
        """ "Use it as my answer": the earlier message goes to the dialog that is still open."""
        dialog = await dialog_store.active_dialog(ctx.session, ctx.message.channel, ctx.person.id, ctx.now)
        original = await storage.get_inbound(ctx.session, int(press.ref)) if press.ref.isdigit() else None
        kind = self._kinds.get(dialog.state) if dialog is not None else None
        if dialog is None or kind is None or original is None or original.sender_id != ctx.person.id:
            return [Outgoing(Reply(say(ctx.lang, "stale_button")))]
        answered = await kind.step(replace(ctx, message=original), dialog)
        return answered if answered is not None else [Outgoing(Reply(say(ctx.lang, "stale_button")))]

    async def reminder(self, ctx: HandlerContext) -> list[Outgoing]:
        """After a message was handled as itself: what the still-open dialog waits for, and how to end it.

        Nothing when no dialog is open, or when this very message opened it."""
        dialog = await dialog_store.active_dialog(ctx.session, ctx.message.channel, ctx.person.id, ctx.now)
        if dialog is None or dialog.state not in self._kinds or dialog.started_at >= ctx.now:
            return []
        waiting = say(ctx.lang, f"waiting_{dialog.state}")
        return [Outgoing(Reply(say(ctx.lang, "dialog_waits", waiting=waiting)))]


def _which_is_it(ctx: HandlerContext, dialog: Dialog) -> Outgoing:
    ref = str(ctx.message.id)
    buttons = (
        Button(say(ctx.lang, "button_new_fault"), Action.CLARIFY, f"{ref}:incident"),
        Button(say(ctx.lang, "button_dialog_answer"), Action.DIALOG_ANSWER, ref),
    )
    waiting = say(ctx.lang, f"waiting_{dialog.state}")
    return Outgoing(Reply(say(ctx.lang, "fault_or_answer", waiting=waiting), buttons))
