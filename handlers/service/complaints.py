"""Complaints: recorded, the service manager told at once, and two clocks that cannot be forgotten.

The contract's promise is facts checked within 8 hours and an answer to the complainant within 24
hours by default ([complaints] in the settings, ``Contract.complaints``), on the wall clock (a
complaint is not held over a weekend). Each clock is a pair of durable timers:
a reminder to the service manager before it runs out, and escalation to the technical director
when it does. The manager and director are frozen into the timers when the complaint is recorded,
so a roster change later does not redirect an escalation already under way.

The manager records the facts and then writes the answer in chat, through a dialog stored in the
database; the answer goes to the complainant as written and stops every clock.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

import storage
from core.messages import Action, Button, ButtonPress, Outgoing, Reply
from handlers import dialogs
from handlers.context import HandlerContext, TimerContext
from handlers.contract import ComplaintClocks
from handlers.permissions import Move, may, relations
from handlers.service.staff import ServiceStaff, staff_for
from i18n import clock_time, format_list, plural, say
from nlu.triage import Triage
from storage import service_requests as service_store
from storage.models import Complaint, Dialog

__all__ = [
    "TIMER_KINDS",
    "answer_complaint",
    "answer_step",
    "complaint_clock",
    "complaint_code",
    "facts_step",
    "handle_complaint",
    "press_answer",
    "press_facts_checked",
    "record_facts",
]

# A complaint message this soon after the person's last complaint was answered continues it.
FOLLOW_UP_WINDOW = timedelta(days=7)

FACTS_TIMERS = ("complaint.facts_reminder", "complaint.facts_overdue")
ANSWER_TIMERS = ("complaint.answer_reminder", "complaint.answer_overdue")
TIMER_KINDS = FACTS_TIMERS + ANSWER_TIMERS

_TICKET_MARKED = re.compile(r"(?:#|＃|工单\s*|单号\s*|ticket\s*)(\d{4,7})", re.IGNORECASE)
_BARE_NUMBER = re.compile(r"(?<![\d.])(\d{4,7})(?![\d.])")
_DELAY_WORDS = (
    "一直没人",
    "没人来",
    "没来",
    "还没",
    "迟迟",
    "太慢",
    "好慢",
    "拖了",
    "拖延",
    "等了",
    "耽误",
    "半天",
    "不及时",
    "不回",
    "没回",
    "delay",
    "late",
    "slow",
    "waiting",
    "nobody came",
)


def complaint_code(complaint_id: int) -> str:
    return f"C{complaint_id}"


def _ref(complaint: Complaint) -> str:
    return f"complaint:{complaint.id}"


def _after_title(lang: str, person: storage.Person | None) -> str:
    """A name after 服务经理 / "the service manager" in a text; nothing when nobody is named."""
    return say(lang, "name_after_title", name=person.name) if person is not None else ""


def _clocks(ctx: HandlerContext) -> ComplaintClocks:
    """The contract's complaint windows; the defaults when the context carries no contract (tests)."""
    return ctx.contract.complaints if ctx.contract is not None else ComplaintClocks()


def _hours(window: timedelta) -> int:
    return int(window.total_seconds() // 3600)


def _complaint_id(ref: str) -> int | None:
    ref = ref.strip().upper().removeprefix("C")
    return int(ref) if ref.isdigit() else None


async def _about(ctx: HandlerContext) -> tuple[dict[str, Any], int | None, str | None]:
    """What the complaint names: a ticket (marked, or a bare number that is a ticket), an engineer, a delay."""
    text = ctx.message.text
    about: dict[str, Any] = {}
    ticket_id: int | None = None
    candidates = [int(m) for m in _TICKET_MARKED.findall(text)] + [int(m) for m in _BARE_NUMBER.findall(text)]
    for number in candidates:
        ticket = await storage.get_ticket(ctx.session, number)
        if ticket is not None:
            about["ticket"], ticket_id = ticket.number, ticket.id
            break
    engineer_id: str | None = None
    for person in await storage.list_people(ctx.session, role="engineer"):
        short = re.split(r"[（(]", person.name, maxsplit=1)[0].strip()
        if short and short in text:
            about["engineer"], engineer_id = person.id, person.id
            break
    lowered = text.lower()
    if any(word in lowered for word in _DELAY_WORDS):
        about["delay"] = True
    return about, ticket_id, engineer_id


async def _describe_about(session: AsyncSession, lang: str, about: dict[str, Any]) -> str:
    parts: list[str] = []
    if "ticket" in about:
        parts.append(say(lang, "about_ticket", number=about["ticket"]))
    if "engineer" in about:
        person = await storage.get_person(session, about["engineer"])
        parts.append(say(lang, "about_engineer", name=person.name if person else about["engineer"]))
    if about.get("delay"):
        parts.append(say(lang, "about_delay"))
    return say(lang, "complaint_about", what=format_list(lang, parts)) if parts else ""


def _buttons(lang: str, complaint: Complaint) -> tuple[Button, ...]:
    ref = str(complaint.id)
    return (
        Button(say(lang, "button_facts_checked"), Action.FACTS_CHECKED, ref),
        Button(say(lang, "button_answer"), Action.ANSWER, ref),
    )


async def _lang_of(session: AsyncSession, person_id: str) -> str:
    person = await storage.get_person(session, person_id)
    return (person.language if person else None) or "zh"


async def _start_clocks(
    ctx: HandlerContext,
    complaint: Complaint,
    staff: ServiceStaff,
    clocks: tuple[tuple[str, timedelta], ...],
    dedupe_suffix: str = "",
) -> None:
    """Schedule the complaint's reminders and deadlines, naming who is told when each is due."""
    snapshot = {"complaint": complaint.id, "manager": staff.service_manager, "director": staff.director}
    for kind, offset in clocks:
        await storage.schedule_timer(
            ctx.session,
            kind=kind,
            ref=_ref(complaint),
            due_at=ctx.now + offset,
            now=ctx.now,
            payload=snapshot,
            dedupe_key=f"{kind}:{complaint.id}{dedupe_suffix}",
        )


async def _continued(ctx: HandlerContext, about: dict[str, Any]) -> Complaint | None:
    """The complainant's latest complaint when this message continues it: it is still being handled,
    or was answered within ``FOLLOW_UP_WINDOW`` (the answer invites a reply) — unless the new message
    names another ticket or engineer, which makes it a complaint of its own."""
    mine = await service_store.list_complaints(ctx.session, complainant_id=ctx.person.id)
    if not mine:
        return None
    latest = mine[-1]
    if latest.status == "answered" and (latest.answered_at is None or ctx.now - latest.answered_at > FOLLOW_UP_WINDOW):
        return None
    if any(key in about and about[key] != latest.about.get(key) for key in ("ticket", "engineer")):
        return None
    return latest


async def _follow_up(ctx: HandlerContext, complaint: Complaint) -> list[Outgoing]:
    """Add the message to the complaint it continues; an answered complaint is open for a new answer,
    with the answer clock started again; the service manager is told with the answer button."""
    staff = await staff_for(ctx)
    clocks = _clocks(ctx)
    reopened = complaint.status == "answered"
    if reopened:
        complaint.status, complaint.answer_due_at = "facts_checked", ctx.now + clocks.answer
        clocks_to_run = (
            ("complaint.answer_reminder", clocks.answer_reminder),
            ("complaint.answer_overdue", clocks.answer),
        )
        await _start_clocks(ctx, complaint, staff, clocks_to_run, dedupe_suffix=f":{ctx.message.id}")
    await service_store.record_service_event(
        ctx.session,
        subject="complaint",
        subject_id=complaint.id,
        at=ctx.now,
        actor_id=ctx.person.id,
        action="followed_up",
        source=ctx.message.channel,
        detail={"text": ctx.message.text, "reopened": reopened},
    )
    code = complaint_code(complaint.id)
    manager_id = complaint.manager_id or staff.service_manager
    manager = await storage.get_person(ctx.session, manager_id) if manager_id else None
    hours = plural(ctx.lang, "hours", _hours(clocks.answer))
    out = [Outgoing(Reply(say(ctx.lang, "complaint_followed_up", code=code, hours=hours)))]
    if manager is not None:
        lang = manager.language or "zh"
        notice = say(
            lang,
            "complaint_follow_up_notice",
            code=code,
            name=ctx.person.name,
            text=ctx.message.text,
            answer_due=clock_time(lang, complaint.answer_due_at, ctx.zone),
        )
        out.append(Outgoing(Reply(notice, _buttons(lang, complaint)), to=manager.id))
    return out


async def handle_complaint(ctx: HandlerContext, triage: Triage) -> list[Outgoing]:
    """Record the complaint, promise the clocks, tell the service manager, start the timers — or, when
    it continues the person's latest complaint (a reply to its answer), add it to that one."""
    staff = await staff_for(ctx)
    about, ticket_id, engineer_id = await _about(ctx)
    continued = await _continued(ctx, about)
    if continued is not None:
        return await _follow_up(ctx, continued)
    clocks = _clocks(ctx)
    complaint = await service_store.add_complaint(
        ctx.session,
        complainant_id=ctx.person.id,
        text=ctx.message.text,
        channel=ctx.message.channel,
        about=about,
        ticket_id=ticket_id,
        engineer_id=engineer_id,
        manager_id=staff.service_manager,
        now=ctx.now,
        facts_due_at=ctx.now + clocks.facts,
        answer_due_at=ctx.now + clocks.answer,
    )
    await service_store.record_service_event(
        ctx.session,
        subject="complaint",
        subject_id=complaint.id,
        at=ctx.now,
        actor_id=ctx.person.id,
        action="recorded",
        source=ctx.message.channel,
        detail={"about": about, "manager": staff.service_manager, "director": staff.director},
    )
    clocks_to_run = (
        ("complaint.facts_reminder", clocks.facts_reminder),
        ("complaint.facts_overdue", clocks.facts),
        ("complaint.answer_reminder", clocks.answer_reminder),
        ("complaint.answer_overdue", clocks.answer),
    )
    await _start_clocks(ctx, complaint, staff, clocks_to_run)
    code = complaint_code(complaint.id)
    manager = await storage.get_person(ctx.session, staff.service_manager) if staff.service_manager else None
    reply = say(
        ctx.lang,
        "complaint_recorded",
        code=code,
        facts_hours=plural(ctx.lang, "hours", _hours(clocks.facts)),
        answer_hours=plural(ctx.lang, "hours", _hours(clocks.answer)),
        manager=_after_title(ctx.lang, manager),
        about=await _describe_about(ctx.session, ctx.lang, about),
    )
    out = [Outgoing(Reply(reply))]
    if manager is not None:
        lang = manager.language or "zh"
        notice = say(
            lang,
            "complaint_notice",
            code=code,
            name=ctx.person.name,
            department=ctx.person.department or "-",
            text=ctx.message.text,
            about=await _describe_about(ctx.session, lang, about),
            facts_due=clock_time(lang, complaint.facts_due_at, ctx.zone),
            answer_due=clock_time(lang, complaint.answer_due_at, ctx.zone),
        )
        out.append(Outgoing(Reply(notice, _buttons(lang, complaint)), to=manager.id))
    return out


async def complaint_clock(ctx: TimerContext) -> list[Outgoing]:
    """A complaint clock's reminder or deadline: nothing if that stage is already done."""
    kind, payload = ctx.timer.kind, ctx.timer.payload
    complaint = await service_store.get_complaint(ctx.session, int(payload["complaint"]))
    if complaint is None:
        return []
    clock = "facts" if kind in FACTS_TIMERS else "answer"
    done = complaint.status != "open" if clock == "facts" else complaint.status == "answered"
    if done:
        return []
    due = complaint.facts_due_at if clock == "facts" else complaint.answer_due_at
    manager_id: str | None = payload.get("manager")
    director_id: str | None = payload.get("director")
    complainant = await storage.get_person(ctx.session, complaint.complainant_id)
    code = complaint_code(complaint.id)
    out: list[Outgoing] = []
    if kind.endswith("_reminder"):
        if manager_id:
            lang = await _lang_of(ctx.session, manager_id)
            hours = max(0, round((due - ctx.now).total_seconds() / 3600))
            text = say(
                lang,
                "complaint_reminder",
                code=code,
                clock=say(lang, f"clock_{clock}"),
                due=clock_time(lang, due, ctx.zone),
                left=plural(lang, "hours", hours),
                text=complaint.text,
            )
            out.append(Outgoing(Reply(text, _buttons(lang, complaint)), to=manager_id))
        action = f"{clock}_reminder"
    else:
        manager = await storage.get_person(ctx.session, manager_id) if manager_id else None
        director = await storage.get_person(ctx.session, director_id) if director_id else None
        if director is not None:
            lang = director.language or "zh"
            text = say(
                lang,
                "complaint_escalated",
                code=code,
                clock=say(lang, f"clock_{clock}"),
                due=clock_time(lang, due, ctx.zone),
                manager=_after_title(lang, manager),
                name=complainant.name if complainant else complaint.complainant_id,
                department=(complainant.department if complainant else "") or "-",
                text=complaint.text,
            )
            out.append(Outgoing(Reply(text, _buttons(lang, complaint)), to=director.id))
        if manager is not None:
            lang = manager.language or "zh"
            text = say(
                lang,
                "complaint_escalated_manager",
                code=code,
                clock=say(lang, f"clock_{clock}"),
                director=_after_title(lang, director),
            )
            out.append(Outgoing(Reply(text, _buttons(lang, complaint)), to=manager.id))
        action = f"{clock}_escalated"
    await service_store.record_service_event(
        ctx.session,
        subject="complaint",
        subject_id=complaint.id,
        at=ctx.now,
        actor_id=None,
        action=action,
        source="system",
        detail={"manager": manager_id, "director": director_id},
    )
    return out


async def _may_handle(ctx: HandlerContext, complaint: Complaint) -> bool:
    staff = await staff_for(ctx)
    held = relations(
        ctx.person.role,
        ctx.person.id,
        complaint_manager=complaint.manager_id,
        service_leads=(staff.service_manager, staff.director),
    )
    return may(Move.COMPLAINT_HANDLE, held)


async def _pressed_complaint(ctx: HandlerContext, press: ButtonPress) -> Complaint | Outgoing:
    complaint_id = _complaint_id(press.ref)
    complaint = await service_store.get_complaint(ctx.session, complaint_id) if complaint_id else None
    if complaint is None:
        return Outgoing(Reply(say(ctx.lang, "stale_button")))
    if not await _may_handle(ctx, complaint):
        return Outgoing(Reply(say(ctx.lang, "not_complaint_handler")))
    if complaint.status == "answered" and complaint.answered_at is not None:
        text = say(
            ctx.lang,
            "complaint_closed",
            code=complaint_code(complaint.id),
            when=clock_time(ctx.lang, complaint.answered_at, ctx.zone),
        )
        return Outgoing(Reply(text))
    return complaint


async def press_facts_checked(ctx: HandlerContext, press: ButtonPress) -> list[Outgoing]:
    """The manager is ready to record the facts: ask for them, and wait for the next message."""
    found = await _pressed_complaint(ctx, press)
    if isinstance(found, Outgoing):
        return [found]
    code = complaint_code(found.id)
    if found.status != "open":
        button = Button(say(ctx.lang, "button_answer"), Action.ANSWER, str(found.id))
        return [Outgoing(Reply(say(ctx.lang, "facts_already", code=code, facts=found.facts or ""), (button,)))]
    await _wait_for(ctx, "complaint_facts", found)
    return [Outgoing(Reply(say(ctx.lang, "ask_facts", code=code)))]


async def press_answer(ctx: HandlerContext, press: ButtonPress) -> list[Outgoing]:
    """The manager will write the answer: only once the facts are recorded."""
    found = await _pressed_complaint(ctx, press)
    if isinstance(found, Outgoing):
        return [found]
    code = complaint_code(found.id)
    if found.status == "open":
        button = Button(say(ctx.lang, "button_facts_checked"), Action.FACTS_CHECKED, str(found.id))
        return [Outgoing(Reply(say(ctx.lang, "facts_first", code=code), (button,)))]
    await _wait_for(ctx, "complaint_answer", found)
    complainant = await storage.get_person(ctx.session, found.complainant_id)
    name = complainant.name if complainant else found.complainant_id
    return [Outgoing(Reply(say(ctx.lang, "ask_answer", code=code, name=name)))]


async def _wait_for(ctx: HandlerContext, state: str, complaint: Complaint) -> None:
    await dialogs.open_dialog(ctx, state, str(complaint.id))


async def record_facts(
    session: AsyncSession, complaint: Complaint, *, by: str, facts: str, source: str, now: datetime
) -> None:
    """Facts checked: the facts clock stops (its reminder and escalation are cancelled)."""
    complaint.status, complaint.facts, complaint.facts_checked_by, complaint.facts_checked_at = (
        "facts_checked",
        facts,
        by,
        now,
    )
    await storage.cancel_timers(session, _ref(complaint), FACTS_TIMERS)
    await service_store.record_service_event(
        session,
        subject="complaint",
        subject_id=complaint.id,
        at=now,
        actor_id=by,
        action="facts_checked",
        source=source,
        detail={"facts": facts},
    )


async def answer_complaint(
    session: AsyncSession, complaint: Complaint, *, by: str, answer: str, source: str, now: datetime
) -> list[Outgoing]:
    """The answer goes to the complainant as written; every clock of the complaint stops."""
    if complaint.status == "open":
        await record_facts(session, complaint, by=by, facts="", source=source, now=now)
    complaint.status, complaint.answer, complaint.answered_by, complaint.answered_at = "answered", answer, by, now
    await storage.cancel_timers(session, _ref(complaint))
    await service_store.record_service_event(
        session,
        subject="complaint",
        subject_id=complaint.id,
        at=now,
        actor_id=by,
        action="answered",
        source=source,
        detail={"answer": answer},
    )
    manager = await storage.get_person(session, by)
    lang = await _lang_of(session, complaint.complainant_id)
    text = say(
        lang,
        "answer_to_complainant",
        code=complaint_code(complaint.id),
        manager=manager.name if manager else by,
        answer=answer,
    )
    return [Outgoing(Reply(text), to=complaint.complainant_id, ticket_id=complaint.ticket_id)]


async def _dialog_complaint(ctx: HandlerContext, dialog: Dialog) -> Complaint | None:
    complaint_id = _complaint_id(dialog.ref)
    return await service_store.get_complaint(ctx.session, complaint_id) if complaint_id else None


async def facts_step(ctx: HandlerContext, dialog: Dialog) -> list[Outgoing] | None:
    """The manager's message is the facts; then the bot waits for the answer."""
    complaint = await _dialog_complaint(ctx, dialog)
    if complaint is None or complaint.status != "open":
        await dialogs.close_dialog(ctx, dialog)
        return None
    await record_facts(
        ctx.session, complaint, by=ctx.person.id, facts=ctx.message.text, source=ctx.message.channel, now=ctx.now
    )
    await _wait_for(ctx, "complaint_answer", complaint)
    complainant = await storage.get_person(ctx.session, complaint.complainant_id)
    name = complainant.name if complainant else complaint.complainant_id
    return [Outgoing(Reply(say(ctx.lang, "facts_recorded", code=complaint_code(complaint.id), name=name)))]


async def answer_step(ctx: HandlerContext, dialog: Dialog) -> list[Outgoing] | None:
    """The manager's message is the answer: it goes to the complainant and the complaint is closed."""
    complaint = await _dialog_complaint(ctx, dialog)
    await dialogs.close_dialog(ctx, dialog)
    if complaint is None or complaint.status == "answered":
        return None
    out = await answer_complaint(
        ctx.session, complaint, by=ctx.person.id, answer=ctx.message.text, source=ctx.message.channel, now=ctx.now
    )
    complainant = await storage.get_person(ctx.session, complaint.complainant_id)
    name = complainant.name if complainant else complaint.complainant_id
    return [Outgoing(Reply(say(ctx.lang, "answer_sent", name=name, code=complaint_code(complaint.id)))), *out]
