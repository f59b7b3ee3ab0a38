"""Status questions answered from the store, within what the asker may see.

Who may see what is the permissions table's (``Move.STATUS_TICKET``, ``Move.STATUS_FIGURES``):
anyone sees their own tickets (staff: those they opened or are affected by; engineers: those
they have); one ticket is shown to its requester, the people it affects, engineers, managers and
admins; counts and lists across people are the managers' (and admins'). A ticket the asker may
not see and a ticket that does not exist get the very same words, so a number reveals nothing.

A question that cannot be answered without guessing (a count with no period, a department the
directory does not know, a question that names nothing) gets one clarifying question whose buttons
carry the question with the missing piece (``Action.STATUS``), answered at once when pressed.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import storage
from core.messages import Action, Button, ButtonPress, Outgoing, Reply
from handlers.context import HandlerContext, privately
from handlers.paging.calendar import CalendarError
from handlers.paging.roster import describe_duty
from handlers.permissions import Move, is_engineer, may, relations
from handlers.status.question import Shape, StatusQuestion, parse_question
from i18n import clock_time, day, format_list, say, severity_name, status_name
from nlu.triage import Triage
from storage import paging as paging_store
from storage import queries
from storage.queries import Group, TicketQuery

__all__ = ["answer_question", "handle_status", "status_pressed"]

LIST_LIMIT = 20
"""Tickets listed in one answer; the count says how many more there are."""

_CLARIFY_PERIODS = ("today", "this_week", "last_week", "this_month", "last_month")
_TEXT_CHARS = 30


async def handle_status(ctx: HandlerContext, triage: Triage) -> list[Outgoing]:
    """A message triaged as a status question."""
    known = await queries.departments(ctx.session)
    question = parse_question(ctx.message.text, triage.entities, _today(ctx), known)
    return await answer_question(ctx, question)


async def status_pressed(ctx: HandlerContext, press: ButtonPress) -> list[Outgoing]:
    """A clarifying question's button: the question, now with what it lacked."""
    question = StatusQuestion.decode(press.ref)
    if question is None:
        return [Outgoing(Reply(say(ctx.lang, "stale_button")))]
    return await answer_question(ctx, question)


async def answer_question(ctx: HandlerContext, q: StatusQuestion) -> list[Outgoing]:
    if q.shape is Shape.DUTY:
        return _reply(await on_duty(ctx))  # the roster is everyone's: answered where it was asked
    return privately(ctx, await _answer(ctx, q))


async def _answer(ctx: HandlerContext, q: StatusQuestion) -> list[Outgoing]:
    if q.shape is Shape.TICKET and q.number is not None:
        return _reply(await one_ticket(ctx, q.number))
    if q.shape is Shape.DUTY:
        return _reply(await on_duty(ctx))
    if q.shape is Shape.MINE:
        return _reply(await _mine(ctx, q))
    if q.shape in (Shape.LIST, Shape.COUNT):
        if not may(Move.STATUS_FIGURES, relations(ctx.person.role, ctx.person.id)):
            return _reply(say(ctx.lang, "query_figures_refused"))
        if q.unknown_department is not None:
            return [await _ask_department(ctx, q)]
        if q.own_department:
            q = replace(q, department=ctx.person.department or None, own_department=False)
        if q.shape is Shape.COUNT and q.period is None and q.state is None:
            return [_ask_period(ctx, q)]
        return _reply(await (_count(ctx, q) if q.shape is Shape.COUNT else _list(ctx, q)))
    return [_ask_what(ctx)]


def _reply(text: str) -> list[Outgoing]:
    return [Outgoing(Reply(text))]


def _today(ctx: HandlerContext) -> date:
    """Today in the contract's zone: the periods are the office's days."""
    return ctx.now.astimezone(ctx.zone).date()


# One ticket -------------------------------------------------------------------------------------


async def one_ticket(ctx: HandlerContext, number: int) -> str:
    """One ticket's state for whoever may read it (the status question and /ticket N); to anyone else
    the same words as for no such ticket."""
    ticket = await storage.get_ticket(ctx.session, number)
    unavailable = say(ctx.lang, "query_ticket_unavailable", number=number)
    if ticket is None:
        return unavailable
    affected = (ctx.person.id,) if await queries.is_affected(ctx.session, ticket.id, ctx.person.id) else ()
    held = relations(
        ctx.person.role, ctx.person.id, requester=ticket.requester_id, assignee=ticket.assignee_id, affected=affected
    )
    if not may(Move.STATUS_TICKET, held):
        return unavailable
    requester = await storage.get_person(ctx.session, ticket.requester_id)
    assignee = await storage.get_person(ctx.session, ticket.assignee_id) if ticket.assignee_id else None
    lines = [
        say(
            ctx.lang,
            "query_ticket",
            number=ticket.number,
            severity=_severity_or_kind(ctx.lang, ticket),
            status=status_name(ctx.lang, ticket.status),
            text=ticket.text,
            requester=_who(ctx.lang, requester),
            opened=clock_time(ctx.lang, ticket.created_at, ctx.zone, ctx.now),
        ),
        say(ctx.lang, "query_assignee", name=assignee.name)
        if assignee is not None
        else say(ctx.lang, "query_unassigned"),
    ]
    if ticket.resolved_at is not None:
        lines.append(say(ctx.lang, "query_resolved_at", at=clock_time(ctx.lang, ticket.resolved_at, ctx.zone, ctx.now)))
    elif ticket.due_at is not None:
        due = clock_time(ctx.lang, ticket.due_at, ctx.zone, ctx.now)
        late = (ticket.acknowledged_at or ctx.now) > ticket.due_at
        lines.append(say(ctx.lang, "query_due_missed" if late else "query_due", due=due))
    return "\n".join(lines)


def _who(lang: str, person: storage.Person | None) -> str:
    if person is None:
        return "?"
    return (
        say(lang, "query_person_in", name=person.name, department=person.department)
        if person.department
        else person.name
    )


# Lists and counts -------------------------------------------------------------------------------


def _ticket_query(ctx: HandlerContext, q: StatusQuestion) -> TicketQuery:
    since = until = None
    period = q.period_of(_today(ctx))
    if period is not None:
        since, until = period.bounds(ctx.zone)
    return TicketQuery(
        since=since,
        until=until,
        severity=q.severity,
        kind=q.kind,
        department=q.department,
        open_only=q.state == "open",
        overdue_at=ctx.now if q.state == "overdue" else None,
    )


async def _mine(ctx: HandlerContext, q: StatusQuestion) -> str:
    """The asker's own tickets: those an engineer has (open), or those a person opened or is
    affected by (not closed), unless a period or state says otherwise."""
    base = _ticket_query(ctx, q)
    engineer = is_engineer(ctx.person.role)
    unfiltered = q.period is None and q.state is None
    if engineer:
        query = replace(base, assignee=ctx.person.id, open_only=base.open_only or unfiltered)
    else:
        query = replace(base, requester_or_affected=ctx.person.id, not_closed=unfiltered)
    tickets, total = await queries.find_tickets(ctx.session, query, LIST_LIMIT)
    what = _describe(ctx, q, say(ctx.lang, "query_mine_assigned" if engineer else "query_mine"))
    if q.count:
        return say(ctx.lang, "query_count", what=what, count=total)
    return await _lines(ctx, what, tickets, total)


async def _list(ctx: HandlerContext, q: StatusQuestion) -> str:
    """Tickets across people: open ones unless a period or state is asked for."""
    if q.period is None and q.state is None:
        q = replace(q, state="open")
    tickets, total = await queries.find_tickets(ctx.session, _ticket_query(ctx, q), LIST_LIMIT)
    return await _lines(ctx, _describe(ctx, q, say(ctx.lang, "query_tickets")), tickets, total)


async def _count(ctx: HandlerContext, q: StatusQuestion) -> str:
    query = _ticket_query(ctx, q)
    what = _describe(ctx, q, say(ctx.lang, "query_tickets"))
    group: Group = "severity"
    if q.group in ("kind", "department"):
        group = "kind" if q.group == "kind" else "department"
    counts = await queries.count_tickets_by(ctx.session, query, group)
    total = sum(counts.values())
    text = say(ctx.lang, "query_count", what=what, count=total)
    filtered = {"severity": q.severity, "kind": q.kind, "department": q.department}[group]
    if total and not filtered:
        parts = [
            say(ctx.lang, "query_part", name=_group_name(ctx.lang, group, key), count=n)
            for key, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        ]
        text += "\n" + say(ctx.lang, "query_breakdown", parts=format_list(ctx.lang, parts))
    return text


async def _lines(ctx: HandlerContext, what: str, tickets: list[storage.Ticket], total: int) -> str:
    if total == 0:
        return say(ctx.lang, "query_none", what=what)
    lines = [say(ctx.lang, "query_list", what=what, count=total)]
    for ticket in tickets:
        count = await paging_store.affected_count(ctx.session, ticket.id)
        text = ticket.text if len(ticket.text) <= _TEXT_CHARS else ticket.text[: _TEXT_CHARS - 1] + "…"
        lines.append(
            say(
                ctx.lang,
                "mine_line",
                number=ticket.number,
                severity=_severity_or_kind(ctx.lang, ticket),
                status=status_name(ctx.lang, ticket.status),
                text=text,
                affected=say(ctx.lang, "affected_suffix", count=count) if count > 1 else "",
            )
        )
    if total > len(tickets):
        lines.append(say(ctx.lang, "query_more", count=total - len(tickets)))
    return "\n".join(lines)


def _describe(ctx: HandlerContext, q: StatusQuestion, noun: str) -> str:
    """``本月（12月1日–12月31日）· 硬件故障 · 财务部 · 未关闭 · 工单``: what was counted or listed."""
    parts: list[str] = []
    period = q.period_of(_today(ctx))
    if period is not None:
        first, last = day(ctx.lang, period.first), day(ctx.lang, period.last)
        if period.name == "range":
            parts.append(first if period.first == period.last else say(ctx.lang, "query_range", first=first, last=last))
        elif period.first == period.last:
            parts.append(say(ctx.lang, "query_span", name=say(ctx.lang, f"query_period_{period.name}"), span=first))
        else:
            span = say(ctx.lang, "query_range", first=first, last=last)
            parts.append(say(ctx.lang, "query_span", name=say(ctx.lang, f"query_period_{period.name}"), span=span))
    if q.department:
        parts.append(q.department)
    if q.severity:
        parts.append(severity_name(ctx.lang, q.severity))
    if q.kind:
        parts.append(say(ctx.lang, f"query_kind_{q.kind}"))
    if q.state:
        parts.append(say(ctx.lang, f"query_state_{q.state}"))
    return say(ctx.lang, "query_what", filters=say(ctx.lang, "query_join").join(parts), noun=noun) if parts else noun


def _severity_or_kind(lang: str, ticket: storage.Ticket) -> str:
    return severity_name(lang, ticket.severity) if ticket.severity else say(lang, f"query_kind_{ticket.kind}")


def _group_name(lang: str, group: Group, key: str) -> str:
    if group == "severity":
        return severity_name(lang, key) if key else say(lang, "query_no_severity")
    if group == "kind":
        return say(lang, f"query_kind_{key}")
    return key or say(lang, "query_no_department")


# Clarifying questions: one question, with the choices as buttons -------------------------------


def _ask_period(ctx: HandlerContext, q: StatusQuestion) -> Outgoing:
    buttons = tuple(
        Button(say(ctx.lang, f"query_period_{p}"), Action.STATUS, q.with_period(p).encode()) for p in _CLARIFY_PERIODS
    )
    return Outgoing(Reply(say(ctx.lang, "query_which_period"), buttons))


async def _ask_department(ctx: HandlerContext, q: StatusQuestion) -> Outgoing:
    known = await queries.departments(ctx.session)
    buttons = tuple(
        Button(d, Action.STATUS, replace(q, department=d, unknown_department=None).encode()) for d in known[:8]
    )
    text = say(ctx.lang, "query_which_department", department=q.unknown_department or "")
    return Outgoing(Reply(text, buttons))


def _ask_what(ctx: HandlerContext) -> Outgoing:
    choices = [(say(ctx.lang, "query_button_mine"), StatusQuestion(Shape.MINE))]
    if may(Move.STATUS_FIGURES, relations(ctx.person.role, ctx.person.id)):
        choices += [
            (say(ctx.lang, "query_button_open"), StatusQuestion(Shape.LIST, state="open")),
            (say(ctx.lang, "query_button_overdue"), StatusQuestion(Shape.LIST, state="overdue")),
            (say(ctx.lang, "query_button_week"), StatusQuestion(Shape.COUNT, period="this_week")),
        ]
    choices.append((say(ctx.lang, "query_button_duty"), StatusQuestion(Shape.DUTY)))
    buttons = tuple(Button(title, Action.STATUS, question.encode()) for title, question in choices)
    return Outgoing(Reply(say(ctx.lang, "query_which"), buttons))


async def on_duty(ctx: HandlerContext) -> str:
    """Who is on duty now and next (谁在值班 / /oncall, and the status question about duty)."""
    if ctx.contract is None:
        return say(ctx.lang, "no_roster")
    names = {p.id: p.name for p in await storage.list_people(ctx.session)}
    calendar = ctx.contract.calendar
    try:
        answer = describe_duty(ctx.contract.roster, ctx.now, calendar, names, ctx.lang)
    except CalendarError as exc:
        return str(exc)
    # This year, and next year from December on: say when the holidays behind the answer are guessed.
    today = calendar.local(ctx.now).date()
    years = sorted({today.year, (today + timedelta(days=31)).year})
    estimated = [str(y) for y in years if calendar.days.year(y).estimated]
    if estimated:
        answer += "\n" + say(ctx.lang, "calendar_estimated", years=format_list(ctx.lang, estimated))
    return answer
