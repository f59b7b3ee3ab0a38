"""Explicit tables: triage kind → handler, button action → handler, timer kind → handler, dialog
state → the step that takes the answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from core.messages import Action, ButtonPress, Outgoing
from handlers.assets import MONTH_END_TIMER, asset_command, month_end_due
from handlers.context import HandlerContext, TimerHandler
from handlers.dialogs import DialogKind, Dialogs
from handlers.intake.actions import open_ticket_as_is
from handlers.intake.conversation import handle_chitchat, handle_unknown
from handlers.intake.incident import handle_incident
from handlers.kb.howto import handle_howto, mark_solved, show_chosen_article
from handlers.paging.escalation import STEP_TIMER, page_step_due
from handlers.reports import report_request
from handlers.service.actions import press_approve, press_decline, service_command
from handlers.service.complaints import TIMER_KINDS as COMPLAINT_TIMERS
from handlers.service.complaints import (
    answer_step,
    complaint_clock,
    facts_step,
    handle_complaint,
    press_answer,
    press_facts_checked,
)
from handlers.service.purchases import details_step, handle_purchase
from handlers.service.repairs import press_repair_step, press_sign
from handlers.status import handle_status, status_pressed
from handlers.tickets.buttons import (
    acknowledge_pressed,
    confirm_pressed,
    escalate_pressed,
    reopen_pressed,
    resolve_pressed,
    take_pressed,
)
from handlers.tickets.corrections import lower_pressed
from handlers.tickets.lifecycle import RECORD_TIMER, record_close_due
from nlu.triage import Triage

KindHandler = Callable[[HandlerContext, Triage], Awaitable[list[Outgoing]]]
ActionHandler = Callable[[HandlerContext, ButtonPress], Awaitable[list[Outgoing]]]

# Dialog state → what the person's next message means (see handlers.dialogs for the way of a dialog).
DIALOG_STEPS: dict[str, DialogKind] = {
    "complaint_facts": DialogKind(facts_step, ask_first=True),  # facts and answers tell of faults: ask
    "complaint_answer": DialogKind(answer_step, ask_first=True),
    "purchase_details": DialogKind(details_step),
}
DIALOGS = Dialogs(DIALOG_STEPS)

KIND_HANDLERS: dict[str, KindHandler] = {
    "incident": handle_incident,
    "chitchat": handle_chitchat,
    "unknown": handle_unknown,
    "howto": handle_howto,
    "status": handle_status,
    "complaint": handle_complaint,
    "purchase": handle_purchase,
}

ACTION_HANDLERS: dict[Action, ActionHandler] = {
    Action.FACTS_CHECKED: press_facts_checked,
    Action.ANSWER: press_answer,
    Action.REPAIR_STEP: press_repair_step,
    Action.APPROVE: press_approve,
    Action.DECLINE: press_decline,
    Action.SIGN: press_sign,
    Action.OPEN_TICKET: open_ticket_as_is,
    Action.ARTICLE: show_chosen_article,
    Action.SOLVED: mark_solved,
    Action.ACKNOWLEDGE: acknowledge_pressed,
    Action.TAKE: take_pressed,
    Action.ESCALATE: escalate_pressed,
    Action.RESOLVE: resolve_pressed,
    Action.CONFIRM: confirm_pressed,
    Action.REOPEN: reopen_pressed,
    Action.DIALOG_ANSWER: DIALOGS.answer_pressed,
    Action.STATUS: status_pressed,
    Action.LOWER: lower_pressed,
}

# Timer kind → what happens when it is due (paging steps, complaint clocks, ...).
TIMER_HANDLERS: dict[str, TimerHandler] = {
    **dict.fromkeys(COMPLAINT_TIMERS, complaint_clock),
    STEP_TIMER: page_step_due,
    RECORD_TIMER: record_close_due,
    MONTH_END_TIMER: month_end_due,
    # (the report timers, handlers.reports.REPORT_TIMERS, are the report worker's: bot.reports_worker)
}

# Tried in order before a text reaches its kind's handler; the first that returns replies takes it:
# an engineer's repair / quote / purchase command, a registry or checklist command, then the answer
# to a dialog the person has open.
# Each is given the message's triage (None when there is none) so a fault report is not swallowed.
TextHook = Callable[[HandlerContext, Triage | None], Awaitable[list[Outgoing] | None]]
# A manager's request for the monthly report comes first: it is never a dialog's answer.
TEXT_HOOKS: tuple[TextHook, ...] = (report_request, service_command, asset_command, DIALOGS.continue_dialog)
