"""The ticket lifecycle as domain functions: one function per move, whichever channel asked.

    new → acknowledged → in_progress → resolved → closed
                       ↘ (release) new          resolved → reopened → … → resolved

Each function takes the ticket (locked by the caller with ``paging_store.lock_ticket``), the person
acting, the source channel and the time; it checks that the person may make the move and that the
ticket's status allows it, changes the ticket, writes one event (who, when, channel) and returns an
``Outcome``: the answer to the person acting and the messages to everyone else, as data. The caller
hands them to the dispatcher, which writes them to the outbox in the same transaction, so they go
out only after the change is committed (Grafana OnCall's ``acknowledge_by_user_or_backsync`` with
its ``ActionSource``, in our words). A message that is replaced later is named by a key: the pages
by ``handlers.paging.escalation.page_message_key``, the service record by ``record_key``.

A refused or repeated move changes nothing and says why: pressing "acknowledge" twice, or after a
colleague, answers who has the ticket.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

import storage
from core.messages import Action, Button, Outgoing, Reply
from handlers.context import TimerContext
from handlers.contract import DEFAULT_ZONE, Contract
from handlers.paging.calendar import CalendarError
from handlers.paging.escalation import display_name, display_names, edit_page_messages, escalate_now, stop_paging
from handlers.paging.roster import on_duty
from handlers.permissions import Move, may, relations
from i18n import clock_time, move_name, plural, say, status_name
from storage import paging as paging_store

log = logging.getLogger(__name__)

RECORD_TIMER = "record_close"


# move → (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "acknowledge": (frozenset({"new", "reopened"}), "acknowledged"),
    "take": (frozenset({"new", "acknowledged", "reopened"}), "in_progress"),
    "release": (frozenset({"acknowledged", "in_progress"}), "new"),
    "resolve": (frozenset({"new", "acknowledged", "in_progress", "reopened"}), "resolved"),
    "close": (frozenset({"resolved"}), "closed"),
    "reopen": (frozenset({"resolved"}), "reopened"),
}


@dataclass(frozen=True)
class Outcome:
    """What a move did: ``answer`` for the person acting, ``notices`` for everyone else, and
    ``sent_first`` what the move itself sends before the answer (the pages of a hand escalation,
    the service record)."""

    done: bool
    answer: str
    notices: tuple[Outgoing, ...] = ()
    ticket_id: int | None = None
    sent_first: tuple[Outgoing, ...] = ()

    def outgoing(self) -> list[Outgoing]:
        return [*self.sent_first, Outgoing(Reply(self.answer), ticket_id=self.ticket_id), *self.notices]


def record_key(record: paging_store.ServiceRecord) -> str:
    """The outbox key of the service record's message to the requester (``record:7``)."""
    return f"record:{record.id}"


def can_move(status: str, move: str) -> bool:
    return status in TRANSITIONS[move][0]


def _lang(person: storage.Person) -> str:
    return person.language or "zh"


def _refuse(by: storage.Person, key: str, ticket: storage.Ticket | None = None, **values: Any) -> Outcome:
    return Outcome(False, say(_lang(by), key, **values), ticket_id=ticket.id if ticket else None)


def _invalid(by: storage.Person, ticket: storage.Ticket, move: str) -> Outcome:
    lang = _lang(by)
    status = status_name(lang, ticket.status)
    return _refuse(by, "invalid_move", ticket, number=ticket.number, status=status, move=move_name(lang, move))


def _only_engineers(by: storage.Person, move: str) -> Outcome | None:
    if may(_MOVES[move], relations(by.role, by.id)):
        return None
    return _refuse(by, "engineers_only", what=_what(by, move))


# The lifecycle's move names → the permissions table's moves.
_MOVES = {
    "acknowledge": Move.TICKET_ACKNOWLEDGE,
    "take": Move.TICKET_TAKE,
    "release": Move.TICKET_RELEASE,
    "resolve": Move.TICKET_RESOLVE,
    "escalate": Move.TICKET_ESCALATE,
    "note": Move.TICKET_NOTE,
}


def _what(by: storage.Person, move: str) -> str:
    return say(_lang(by), f"verb_{move}")


async def _move(
    session: AsyncSession,
    ticket: storage.Ticket,
    move: str,
    by_id: str | None,
    source: str,
    now: datetime,
    **detail: Any,
) -> None:
    before, after = ticket.status, TRANSITIONS[move][1]
    ticket.status = after
    action = {"acknowledge": "acknowledged", "take": "taken", "release": "released", "resolve": "resolved"}.get(
        move, {"close": "closed", "reopen": "reopened"}.get(move, move)
    )
    await storage.add_event(
        session,
        ticket,
        at=now,
        actor_id=by_id,
        action=action,
        source=source,
        detail={"from": before, "to": after, **detail},
    )


async def _holder(
    session: AsyncSession, ticket: storage.Ticket, page: paging_store.Page | None
) -> tuple[str | None, datetime | None]:
    """Who has the ticket and since when. Acknowledging, taking and reassigning all set the
    assignee, and releasing clears it, so the assignee is the one answer."""
    if ticket.assignee_id is None:
        return None, None
    since = page.acknowledged_at if page is not None and page.acknowledged_by == ticket.assignee_id else None
    return ticket.assignee_id, since or ticket.acknowledged_at


async def _already_held(
    session: AsyncSession,
    ticket: storage.Ticket,
    page: paging_store.Page | None,
    by: storage.Person,
    zone: tzinfo,
    now: datetime,
) -> Outcome | None:
    holder, since = await _holder(session, ticket, page)
    if holder is None:
        return None
    time = clock_time(_lang(by), since or now, zone, now)
    if holder == by.id:
        return _refuse(by, "already_yours", ticket, number=ticket.number, time=time)
    name = await display_name(session, holder)
    return _refuse(by, "already_acknowledged", ticket, number=ticket.number, engineer=name, time=time)


async def _people_waiting(session: AsyncSession, ticket: storage.Ticket) -> list[storage.Person]:
    """The requester and everyone whose report of the same outage was grouped into the ticket."""
    ids = [ticket.requester_id] + [a.person_id for a in await paging_store.affected_people(session, ticket.id)]
    people = [await storage.get_person(session, pid) for pid in dict.fromkeys(ids)]
    return [p for p in people if p is not None]


async def _tell_who_is_coming(
    session: AsyncSession, ticket: storage.Ticket, engineer: str, zone: tzinfo, now: datetime
) -> list[Outgoing]:
    notices = []
    for person in await _people_waiting(session, ticket):
        lang = _lang(person)
        if ticket.severity == "urgent":
            when = say(lang, "when_at_once")
        elif ticket.due_at is not None:
            when = say(lang, "when_by", due=clock_time(lang, ticket.due_at, zone, now))
        else:
            when = say(lang, "when_soon")
        text = say(lang, "requester_acknowledged", engineer=engineer, number=ticket.number, when=when)
        notices.append(Outgoing(Reply(text), to=person.id, ticket_id=ticket.id))
    return notices


async def _take_over_page(
    session: AsyncSession,
    ticket: storage.Ticket,
    page: paging_store.Page | None,
    engineer: storage.Person,
    now: datetime,
    zone: tzinfo,
) -> list[Outgoing]:
    """Stop a running page on someone's behalf and show everyone paged who has it."""
    if page is None or page.status != "paging":
        return []
    page.acknowledged_by, page.acknowledged_at = engineer.id, now
    await stop_paging(session, page, "acknowledged")
    return await edit_page_messages(session, page, ticket, "page_acknowledged", engineer.name, now, zone, True)


async def acknowledge(
    session: AsyncSession,
    ticket: storage.Ticket,
    by: storage.Person,
    source: str,
    now: datetime,
    zone: tzinfo = DEFAULT_ZONE,
) -> Outcome:
    """An engineer acknowledges the ticket's page: escalation stops, every page message shows who
    has it, and the requester (and everyone affected) is told who is coming and when."""
    refused = _only_engineers(by, "acknowledge")
    if refused is not None:
        return refused
    page = await paging_store.page_for_ticket(session, ticket.id, lock=True)
    held = await _already_held(session, ticket, page, by, zone, now)
    if held is not None:
        return held
    if not can_move(ticket.status, "acknowledge"):
        return _invalid(by, ticket, "acknowledge")
    ticket.acknowledged_at, ticket.assignee_id = now, by.id
    await _move(session, ticket, "acknowledge", by.id, source, now, page_id=page.id if page else None)
    edits = await _take_over_page(session, ticket, page, by, now, zone)
    told = await _tell_who_is_coming(session, ticket, by.name, zone, now)
    requester = await display_name(session, ticket.requester_id)
    answer = say(_lang(by), "acknowledged_ok", number=ticket.number, requester=requester)
    return Outcome(True, answer, (*edits, *told), ticket.id)


async def take(
    session: AsyncSession,
    ticket: storage.Ticket,
    by: storage.Person,
    source: str,
    now: datetime,
    zone: tzinfo = DEFAULT_ZONE,
) -> Outcome:
    """An engineer takes the ticket to work on it (in progress); an unacknowledged page is
    acknowledged on the way. A ticket someone else has is refused: a manager reassigns."""
    refused = _only_engineers(by, "take")
    if refused is not None:
        return refused
    page = await paging_store.page_for_ticket(session, ticket.id, lock=True)
    holder, _ = await _holder(session, ticket, page)
    other = ticket.assignee_id or holder
    if other is not None and other != by.id:
        name = await display_name(session, other)
        return _refuse(by, "assigned_to_other", ticket, number=ticket.number, engineer=name)
    if ticket.status == "in_progress" and ticket.assignee_id == by.id:
        return Outcome(False, say(_lang(by), "taken_ok", number=ticket.number), ticket_id=ticket.id)
    if not can_move(ticket.status, "take"):
        return _invalid(by, ticket, "take")
    first_response = ticket.acknowledged_at is None
    ticket.assignee_id = by.id
    ticket.acknowledged_at = ticket.acknowledged_at or now
    await _move(session, ticket, "take", by.id, source, now)
    edits = await _take_over_page(session, ticket, page, by, now, zone)
    told = await _tell_who_is_coming(session, ticket, by.name, zone, now) if first_response else []
    return Outcome(True, say(_lang(by), "taken_ok", number=ticket.number), (*edits, *told), ticket.id)


async def release(
    session: AsyncSession,
    ticket: storage.Ticket,
    by: storage.Person,
    source: str,
    now: datetime,
    contract: Contract | None = None,
) -> Outcome:
    """The engineer gives the ticket back: unassigned and new again; the team on duty is asked
    to take it (with the contract's roster; without one, nobody is told)."""
    refused = _only_engineers(by, "release")
    if refused is not None:
        return refused
    if not can_move(ticket.status, "release"):
        return _invalid(by, ticket, "release")
    if ticket.assignee_id not in (None, by.id):
        name = await display_name(session, ticket.assignee_id)
        return _refuse(by, "assigned_to_other", ticket, number=ticket.number, engineer=name)
    ticket.assignee_id = None
    await _move(session, ticket, "release", by.id, source, now)
    notices: list[Outgoing] = []
    try:
        responders = on_duty(contract.roster, now, contract.calendar).responders if contract is not None else ()
    except CalendarError:
        log.error("ticket #%s released, but nobody on duty can be found to take it", ticket.number, exc_info=True)
        responders = ()
    for person_id in responders:
        if person_id == by.id:
            continue
        person = await storage.get_person(session, person_id)
        lang = _lang(person) if person else "zh"
        text = say(lang, "released_notice", number=ticket.number, engineer=by.name, text=ticket.text)
        button = Button(say(lang, "button_take"), Action.TAKE, str(ticket.number))
        notices.append(Outgoing(Reply(text, (button,)), to=person_id, ticket_id=ticket.id))
    return Outcome(True, say(_lang(by), "released_ok", number=ticket.number), tuple(notices), ticket.id)


async def escalate(
    session: AsyncSession, ticket: storage.Ticket, by: storage.Person, source: str, now: datetime
) -> Outcome:
    """Skip ahead: page the next step of the running escalation now (engineers and managers)."""
    refused = _only_engineers(by, "escalate")
    if refused is not None:
        return refused
    page = await paging_store.page_for_ticket(session, ticket.id, lock=True)
    if page is None or page.status != "paging":
        return _refuse(by, "escalate_not_paging", ticket, number=ticket.number)
    escalated = await escalate_now(session, page, ticket, by.name, now)
    if escalated is None:
        return _refuse(by, "escalate_last", ticket, number=ticket.number)
    paged = escalated.people
    await storage.add_event(
        session,
        ticket,
        at=now,
        actor_id=by.id,
        action="escalated",
        source=source,
        detail={"page_id": page.id, "people": list(paged), "by_hand": True},
    )
    names = await display_names(session, paged, _lang(by))
    answer = say(_lang(by), "escalated_ok", number=ticket.number, names=names)
    return Outcome(True, answer, ticket_id=ticket.id, sent_first=escalated.messages)


async def resolve(
    session: AsyncSession,
    ticket: storage.Ticket,
    by: storage.Person,
    source: str,
    now: datetime,
    note: str,
    record_close_days: int = 3,
    zone: tzinfo = DEFAULT_ZONE,
) -> Outcome:
    """An engineer resolves the ticket with a note; the note becomes the service record the
    requester confirms (or reopens); unconfirmed, it closes after ``record_close_days``."""
    refused = _only_engineers(by, "resolve")
    if refused is not None:
        return refused
    if not can_move(ticket.status, "resolve"):
        return _invalid(by, ticket, "resolve")
    note = note.strip()
    if not note:
        return _refuse(by, "resolve_needs_note", ticket, number=ticket.number)
    ticket.resolved_at = now
    ticket.assignee_id = ticket.assignee_id or by.id
    ticket.acknowledged_at = ticket.acknowledged_at or now
    await _move(session, ticket, "resolve", by.id, source, now, note=note)
    page = await paging_store.page_for_ticket(session, ticket.id, lock=True)
    edits: list[Outgoing] = []
    if page is not None and page.status != "resolved":
        await stop_paging(session, page, "resolved")
        edits = await edit_page_messages(session, page, ticket, "page_resolved", by.name, now, zone, False)
    record = await _send_service_record(session, ticket, by, note, now, record_close_days, zone)
    told = []
    for person in await _people_waiting(session, ticket):
        if person.id != ticket.requester_id:
            text = say(_lang(person), "affected_resolved", number=ticket.number, engineer=by.name, note=note)
            told.append(Outgoing(Reply(text), to=person.id, ticket_id=ticket.id))
    requester = await display_name(session, ticket.requester_id)
    answer = say(_lang(by), "resolved_ok", number=ticket.number, requester=requester)
    return Outcome(True, answer, (*edits, *told), ticket.id, sent_first=(record,))


async def _send_service_record(
    session: AsyncSession,
    ticket: storage.Ticket,
    engineer: storage.Person,
    note: str,
    now: datetime,
    days: int,
    zone: tzinfo,
) -> Outgoing:
    """The service record for the requester to confirm, remembered under ``record_key``; its
    auto-close clock starts."""
    record = await paging_store.create_service_record(
        session, ticket=ticket, engineer_id=engineer.id, note=note, now=now
    )
    requester = await storage.get_person(session, ticket.requester_id)
    lang = _lang(requester) if requester else "zh"
    text = say(
        lang,
        "service_record",
        number=ticket.number,
        text=ticket.text,
        engineer=engineer.name,
        note=note,
        time=clock_time(lang, now, zone),
        days=plural(lang, "days", days),
    )
    buttons = (
        Button(say(lang, "button_confirm"), Action.CONFIRM, str(ticket.number)),
        Button(say(lang, "button_reopen"), Action.REOPEN, str(ticket.number)),
    )
    await storage.schedule_timer(
        session,
        kind=RECORD_TIMER,
        ref=f"record:{record.id}",
        due_at=now + timedelta(days=days),
        now=now,
        payload={"record_id": record.id, "days": days},
        dedupe_key=f"record:{record.id}:close",
    )
    return Outgoing(Reply(text, buttons), to=ticket.requester_id, ticket_id=ticket.id, key=record_key(record))


async def add_note(
    session: AsyncSession, ticket: storage.Ticket, by: storage.Person, source: str, now: datetime, note: str
) -> Outcome:
    """A note on the ticket's history (engineers and managers); any status, no state change."""
    refused = _only_engineers(by, "note")
    if refused is not None:
        return refused
    if not note.strip():
        return _refuse(by, "usage", usage=say(_lang(by), "note_usage"))
    await storage.add_event(
        session, ticket, at=now, actor_id=by.id, action="note", source=source, detail={"text": note.strip()}
    )
    return Outcome(True, say(_lang(by), "note_ok", number=ticket.number), ticket_id=ticket.id)


async def reassign(
    session: AsyncSession,
    ticket: storage.Ticket,
    by: storage.Person,
    to: storage.Person,
    source: str,
    now: datetime,
    zone: tzinfo = DEFAULT_ZONE,
) -> Outcome:
    """A manager gives the ticket to another engineer; a running page stops (someone has it now)."""
    if not may(Move.TICKET_REASSIGN, relations(by.role, by.id)):
        return _refuse(by, "managers_only")
    if not may(Move.BE_ASSIGNED, relations(to.role, to.id)) or not to.active:
        return _refuse(by, "unknown_engineer", who=to.id)
    if ticket.status not in storage.OPEN_STATUSES:
        return _invalid(by, ticket, "reassign")
    before = ticket.assignee_id
    ticket.assignee_id = to.id
    await storage.add_event(
        session,
        ticket,
        at=now,
        actor_id=by.id,
        action="reassigned",
        source=source,
        detail={"from": before, "to": to.id},
    )
    page = await paging_store.page_for_ticket(session, ticket.id, lock=True)
    edits = await _take_over_page(session, ticket, page, to, now, zone)
    lang = _lang(to)
    text = say(lang, "reassigned_notice", manager=by.name, number=ticket.number, text=ticket.text)
    button = Button(say(lang, "button_resolve"), Action.RESOLVE, str(ticket.number))
    notice = Outgoing(Reply(text, (button,)), to=to.id, ticket_id=ticket.id)
    answer = say(_lang(by), "reassigned_ok", number=ticket.number, engineer=to.name)
    return Outcome(True, answer, (*edits, notice), ticket.id)


async def _pending_record_for(
    session: AsyncSession, ticket: storage.Ticket, by: storage.Person, move: str
) -> paging_store.ServiceRecord | Outcome:
    if not may(
        Move.TICKET_CONFIRM if move == "close" else Move.TICKET_REOPEN,
        relations(by.role, by.id, requester=ticket.requester_id),
    ):
        return _refuse(by, "requester_only", ticket)
    if not can_move(ticket.status, move):
        return _invalid(by, ticket, move)
    record = await paging_store.pending_service_record(session, ticket.id)
    if record is None:
        status = status_name(_lang(by), ticket.status)
        return _refuse(by, "record_not_pending", ticket, number=ticket.number, status=status)
    return record


async def _answer_record(
    session: AsyncSession, ticket: storage.Ticket, by: storage.Person, move: str, source: str, now: datetime
) -> paging_store.ServiceRecord | Outcome:
    """The requester answers the pending service record: stop its auto-close clock and move the
    ticket (close on confirm, reopen on "还有问题"). A refusal comes back as the Outcome to send."""
    record = await _pending_record_for(session, ticket, by, move)
    if isinstance(record, Outcome):
        return record
    record.status, record.answered_at = ("confirmed" if move == "close" else "reopened"), now
    await storage.cancel_timers(session, f"record:{record.id}", (RECORD_TIMER,))
    extra = {"confirmed": True} if move == "close" else {}
    await _move(session, ticket, move, by.id, source, now, record_id=record.id, **extra)
    return record


async def confirm_record(
    session: AsyncSession,
    ticket: storage.Ticket,
    by: storage.Person,
    source: str,
    now: datetime,
    zone: tzinfo = DEFAULT_ZONE,
) -> Outcome:
    """The requester confirms the service record (确认): the ticket closes."""
    record = await _answer_record(session, ticket, by, "close", source, now)
    if isinstance(record, Outcome):
        return record
    ticket.closed_at = now
    notices = _edit_record(record, ticket, "record_confirmed_page", _lang(by), now, zone)
    return Outcome(True, say(_lang(by), "record_confirmed", number=ticket.number), notices, ticket.id)


async def reopen(
    session: AsyncSession,
    ticket: storage.Ticket,
    by: storage.Person,
    source: str,
    now: datetime,
    zone: tzinfo = DEFAULT_ZONE,
) -> Outcome:
    """The requester says it is still a problem (还有问题): the ticket reopens and its engineer is told."""
    record = await _answer_record(session, ticket, by, "reopen", source, now)
    if isinstance(record, Outcome):
        return record
    ticket.resolved_at = None
    engineer_id = ticket.assignee_id or record.engineer_id
    engineer = await storage.get_person(session, engineer_id)
    notices = list(_edit_record(record, ticket, "record_reopened_page", _lang(by), now, zone))
    if engineer is not None:
        lang = _lang(engineer)
        text = say(lang, "reopened_notice", number=ticket.number, requester=by.name, text=ticket.text)
        buttons = (
            Button(say(lang, "button_take"), Action.TAKE, str(ticket.number)),
            Button(say(lang, "button_resolve"), Action.RESOLVE, str(ticket.number)),
        )
        notices.append(Outgoing(Reply(text, buttons), to=engineer.id, ticket_id=ticket.id))
    name = engineer.name if engineer else "—"
    return Outcome(
        True, say(_lang(by), "record_reopened", number=ticket.number, engineer=name), tuple(notices), ticket.id
    )


def _edit_record(
    record: paging_store.ServiceRecord, ticket: storage.Ticket, key: str, lang: str, now: datetime, zone: tzinfo
) -> tuple[Outgoing, ...]:
    """The service record message with its buttons taken away and what became of it."""
    text = say(lang, key, number=ticket.number, time=clock_time(lang, now, zone, now), note=record.note)
    return (Outgoing(Reply(text), to=ticket.requester_id, ticket_id=ticket.id, replaces_key=record_key(record)),)


async def record_close_due(ctx: TimerContext) -> list[Outgoing]:
    """Timer handler: a service record nobody confirmed closes its ticket after the configured days."""
    record = await paging_store.get_service_record(ctx.session, int(ctx.timer.payload["record_id"]))
    if record is None or record.status != "pending":
        return []
    ticket = await storage.get_ticket_by_id(ctx.session, record.ticket_id)
    if ticket is None or not can_move(ticket.status, "close"):
        return []
    record.status, record.answered_at = "closed", ctx.now
    ticket.closed_at = ctx.now
    days = int(ctx.timer.payload.get("days", 0))
    await _move(ctx.session, ticket, "close", None, "system", ctx.now, record_id=record.id, confirmed=False)
    requester = await storage.get_person(ctx.session, ticket.requester_id)
    lang = _lang(requester) if requester else "zh"
    text = say(lang, "record_auto_closed", number=ticket.number, days=plural(lang, "days", days))
    return [Outgoing(Reply(text), to=ticket.requester_id, ticket_id=ticket.id, replaces_key=record_key(record))]
