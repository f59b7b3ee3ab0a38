"""Paging: a ticket's escalation plan is frozen into a page, its steps are sent as chat messages
with buttons, and the later steps wait in durable timers.

Each page message is returned as data under a key naming it (``page:1042:eng.chen``, the page of
ticket 1042 to one engineer), and the page keeps the keys: acknowledging later replaces exactly
those messages ("✅ 已由 陈工 10:32 接单") for everyone who was paged. A step's timer does nothing once
the page is acknowledged or resolved, or when a hand escalation re-planned the remaining steps (its
generation is then stale).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import cast

from sqlalchemy.ext.asyncio import AsyncSession

import storage
from core.messages import Action, Button, Outgoing, Reply
from handlers.context import TimerContext
from handlers.contract import Contract
from handlers.paging.policy import EscalationPlan, EscalationStep, Severity, plan_escalation
from i18n import clock_time, format_list, say, severity_name
from storage import paging as paging_store

STEP_TIMER = "page_step"
# The page's "not urgent" button lowers a ticket paged as the key to the value (one step down the
# response ladder; handlers.tickets.corrections explains the choice and does the lowering).
NOT_URGENT: dict[str, Severity] = {"urgent": "high", "high": "normal"}

# Why a step is sent later than the start: a catalog key (i18n) and its values.
Reason = tuple[str, dict[str, object]] | None


@dataclass(frozen=True)
class PagingStarted:
    """What starting a page did: the messages it sends now, and for the requester's answer, the plan
    and who was paged."""

    plan: EscalationPlan
    paged: tuple[str, ...]  # display names of the people paged at once
    messages: tuple[Outgoing, ...] = ()


@dataclass(frozen=True)
class Escalated:
    """A hand escalation: the people of the step sent now, and its messages."""

    people: tuple[str, ...]
    messages: tuple[Outgoing, ...]


def page_ref(page: paging_store.Page) -> str:
    return f"page:{page.id}"


def page_message_key(ticket: storage.Ticket, person_id: str) -> str:
    """The outbox key of the page of ``ticket`` to one person (``page:1042:eng.chen``)."""
    return f"page:{ticket.number}:{person_id}"


async def display_name(session: AsyncSession, person_id: str | None) -> str:
    if person_id is None:
        return "—"
    person = await storage.get_person(session, person_id)
    return person.name if person is not None else person_id


async def display_names(session: AsyncSession, person_ids: Iterable[str], lang: str = "zh") -> str:
    """The people's names joined for a reader of ``lang`` (陈工、刘工 / Chen and Liu)."""
    return format_list(lang, [await display_name(session, p) for p in person_ids])


async def requester_label(session: AsyncSession, ticket: storage.Ticket) -> str:
    """``李娜（财务部 3F）``: who reported it and where to find them."""
    person = await storage.get_person(session, ticket.requester_id)
    if person is None:
        return ticket.requester_id
    where = " ".join(part for part in (person.department, person.location) if part)
    return f"{person.name}（{where}）" if where else person.name


async def start_paging(
    session: AsyncSession, ticket: storage.Ticket, contract: Contract, now: datetime
) -> PagingStarted:
    """Freeze the plan for the ticket's severity, send the steps due now, schedule the rest."""
    severity = cast(Severity, ticket.severity or "normal")
    plan = plan_escalation(severity, now, contract.roster, contract.calendar, contract.policy)
    page = await paging_store.create_page(session, ticket=ticket, severity=severity, plan=plan.to_snapshot(), now=now)
    await storage.add_event(
        session,
        ticket,
        at=now,
        actor_id=None,
        action="paging_started",
        source="system",
        detail={"page_id": page.id, "steps": len(plan.steps), "held_until": _iso(plan.held_until)},
    )
    paged: list[str] = []
    messages: list[Outgoing] = []
    for index, step in enumerate(plan.steps):
        if step.at <= now:
            if step.action == "page":
                paged.extend(step.people)
            messages += await _send_step(session, page, plan, index, ticket, now, why=None)
            page.next_step = index + 1
        else:
            await _schedule_step(session, page, index, step.at, now)
    names = [await display_name(session, person_id) for person_id in dict.fromkeys(paged)]
    return PagingStarted(plan, tuple(names), tuple(messages))


async def stop_paging(session: AsyncSession, page: paging_store.Page, status: str) -> int:
    """End the escalation (acknowledged or resolved): cancel the step timers. Returns how many."""
    page.status = status
    return await storage.cancel_timers(session, page_ref(page), (STEP_TIMER,))


async def escalate_now(
    session: AsyncSession, page: paging_store.Page, ticket: storage.Ticket, by_name: str, now: datetime
) -> Escalated | None:
    """Skip ahead: send the next step at once and move the later ones earlier by the same amount.

    Returns the people paged and their messages, or None when every step was sent already."""
    plan = EscalationPlan.from_snapshot(page.plan)
    if page.next_step >= len(plan.steps):
        return None
    index = page.next_step
    step = plan.steps[index]
    await storage.cancel_timers(session, page_ref(page), (STEP_TIMER,))
    page.generation += 1
    messages = await _send_step(session, page, plan, index, ticket, now, why=("why_by_hand", {"by": by_name}))
    page.next_step = index + 1
    for later in range(index + 1, len(plan.steps)):
        await _schedule_step(session, page, later, now + (plan.steps[later].offset - step.offset), now)
    return Escalated(step.people, tuple(messages))


async def page_step_due(ctx: TimerContext) -> list[Outgoing]:
    """Timer handler: a step of an unacknowledged page is due; send it (and any earlier unsent)."""
    payload = ctx.timer.payload
    page = await paging_store.get_page(ctx.session, int(payload["page_id"]), lock=True)
    if page is None or page.status != "paging" or int(payload.get("generation", 0)) != page.generation:
        return []
    index = int(payload["step"])
    ticket = await storage.get_ticket_by_id(ctx.session, page.ticket_id)
    if ticket is None or index < page.next_step:
        return []
    plan = EscalationPlan.from_snapshot(page.plan)
    messages: list[Outgoing] = []
    for pending in range(page.next_step, index + 1):
        why = _timeout_reason(plan, pending)
        messages += await _send_step(ctx.session, page, plan, pending, ticket, ctx.now, why=why)
    page.next_step = index + 1
    await storage.add_event(
        ctx.session,
        ticket,
        at=ctx.now,
        actor_id=None,
        action="escalated",
        source="system",
        detail={"page_id": page.id, "step": index, "role": plan.steps[index].role},
    )
    return messages


async def edit_page_messages(
    session: AsyncSession,
    page: paging_store.Page,
    ticket: storage.Ticket,
    key: str,
    engineer: str,
    at: datetime,
    zone: tzinfo,
    buttons: bool,
) -> list[Outgoing]:
    """Replacements of every message the page sent (by their keys), in each recipient's language."""
    edits: list[Outgoing] = []
    for message in await paging_store.page_messages(session, page.id):
        lang = await _language(session, message.person_id)
        time = clock_time(lang, at, zone, at)
        text = say(lang, key, engineer=engineer, time=time, number=ticket.number, text=ticket.text)
        keep = (
            (_button(lang, Action.TAKE, ticket), _button(lang, Action.RESOLVE, ticket))
            if buttons and message.action == "page"
            else ()
        )
        edits.append(Outgoing(Reply(text, keep), to=message.person_id, ticket_id=ticket.id, replaces_key=message.key))
    return edits


def plan_zone(plan: EscalationPlan) -> tzinfo:
    """The calendar's zone the plan was made in (its start is stored as a local time)."""
    return plan.started_at.tzinfo or UTC


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()


def _timeout_reason(plan: EscalationPlan, index: int) -> Reason:
    step = plan.steps[index]
    earlier = [s for s in plan.steps[:index] if s.action == "page" and s.offset < step.offset]
    if step.action != "page" or not earlier:
        return None
    minutes = int((step.offset - earlier[-1].offset) / timedelta(minutes=1))
    return ("why_timeout", {"minutes": minutes})


async def _schedule_step(
    session: AsyncSession, page: paging_store.Page, index: int, due: datetime, now: datetime
) -> None:
    await storage.schedule_timer(
        session,
        kind=STEP_TIMER,
        ref=page_ref(page),
        due_at=due,
        now=now,
        payload={"page_id": page.id, "step": index, "generation": page.generation},
        dedupe_key=f"{page_ref(page)}:g{page.generation}:s{index}",
    )


async def _language(session: AsyncSession, person_id: str) -> str:
    person = await storage.get_person(session, person_id)
    return (person.language if person else None) or "zh"


def _button(lang: str, action: Action, ticket: storage.Ticket) -> Button:
    key = {
        Action.ACKNOWLEDGE: "button_acknowledge",
        Action.TAKE: "button_take",
        Action.ESCALATE: "button_escalate",
        Action.RESOLVE: "button_resolve",
    }[action]
    return Button(say(lang, key), action, str(ticket.number))


async def _step_reply(
    session: AsyncSession, plan: EscalationPlan, step: EscalationStep, ticket: storage.Ticket, lang: str, why: Reason
) -> Reply:
    requester = await requester_label(session, ticket)
    common = {"number": ticket.number, "requester": requester, "text": ticket.text}
    if step.action == "page":
        affected = max(1, await paging_store.affected_count(session, ticket.id))
        severity = severity_name(lang, plan.severity)
        why_text = "" if why is None else say(lang, why[0], **why[1])
        text = say(lang, "page", severity_name=severity, affected=affected, why=why_text, **common)
        actions = (Action.ACKNOWLEDGE, Action.TAKE, Action.ESCALATE, Action.RESOLVE)
        buttons = tuple(_button(lang, a, ticket) for a in actions)
        if plan.severity in NOT_URGENT:  # the ref names the severity it lowers from: pressed twice, lowered once
            buttons += (Button(say(lang, "button_not_urgent"), Action.LOWER, f"{ticket.number}:{plan.severity}"),)
        return Reply(text, buttons)
    if step.role == "service_manager":
        paged = [p for s in plan.steps if s.action == "page" and s.offset == step.offset for p in s.people]
        return Reply(say(lang, "notice_urgent", paged=await display_names(session, paged, lang), **common))
    take = (_button(lang, Action.TAKE, ticket),)
    if plan.severity == "hardware":
        return Reply(say(lang, "notice_hardware", **common), take)
    zone = plan_zone(plan)
    due = "—" if plan.response_due is None else clock_time(lang, plan.response_due, zone, plan.started_at)
    severity = severity_name(lang, plan.severity)
    return Reply(say(lang, "notice_queue", severity_name=severity, due=due, **common), take)


async def _send_step(
    session: AsyncSession,
    page: paging_store.Page,
    plan: EscalationPlan,
    index: int,
    ticket: storage.Ticket,
    now: datetime,
    why: Reason,
) -> list[Outgoing]:
    """The step's messages, each under its key, which the page keeps (and an event for the history)."""
    step = plan.steps[index]
    taken = {message.key for message in await paging_store.page_messages(session, page.id)}
    messages: list[Outgoing] = []
    for person_id in step.people:
        lang = await _language(session, person_id)
        reply = await _step_reply(session, plan, step, ticket, lang, why)
        key = page_message_key(ticket, person_id)
        if key in taken:  # one person in two steps of a policy (a notice, then a page): keep both
            key = f"{key}:{index}"
        taken.add(key)
        messages.append(Outgoing(reply, to=person_id, ticket_id=ticket.id, key=key))
        await paging_store.record_page_message(
            session, page=page, key=key, person_id=person_id, step=index, action=step.action, now=now
        )
    await storage.add_event(
        session,
        ticket,
        at=now,
        actor_id=None,
        action="paged" if step.action == "page" else "notified",
        source="system",
        detail={"page_id": page.id, "step": index, "role": step.role, "people": list(step.people)},
    )
    return messages


async def ask_for_manual_paging(
    session: AsyncSession, ticket: storage.Ticket, contract: Contract, now: datetime, reason: str
) -> list[Outgoing]:
    """Paging could not be planned (the calendar has no data for this year): the message asking the
    service manager, or else the technical director, to arrange an engineer by hand (none when
    neither is set)."""
    roster = contract.roster
    person_id = roster.service_manager or roster.director
    if person_id is None:
        return []
    lang = await _language(session, person_id)
    severity = severity_name(lang, ticket.severity or "normal")
    requester = await requester_label(session, ticket)
    text = say(
        lang,
        "manual_paging",
        number=ticket.number,
        severity_name=severity,
        reason=reason,
        requester=requester,
        text=ticket.text,
    )
    await storage.add_event(
        session,
        ticket,
        at=now,
        actor_id=None,
        action="paging_failed",
        source="system",
        detail={"reason": reason, "told": person_id},
    )
    return [Outgoing(Reply(text), to=person_id, ticket_id=ticket.id)]
