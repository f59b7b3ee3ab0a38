"""A message the NLU could not triage (Rasa down or slow): nothing is lost, and someone is told.

The person gets an ``unknown`` ticket number at once. The engineers who would take a new ticket
now — the on-duty team on site, the on-call engineer after hours (``Shift.responders``) — are told
it needs triage, and that notice is the ticket's ``needs_triage`` history event. When the NLU
answers again, ``bot.retriage`` triages the ticket with :func:`retriage`: an incident gets its
severity, due time and that severity's paging, or joins the open outage ticket it reports (storm
grouping); any other answer leaves it to the engineers already told. Either way a ``retriaged``
event records what the NLU said, so a ticket is triaged once.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession

import storage
from core.messages import Action, Button, Outgoing, Reply
from handlers.assets.links import link_labels
from handlers.context import HandlerContext
from handlers.contract import Contract
from handlers.paging.calendar import CalendarError
from handlers.paging.escalation import ask_for_manual_paging, requester_label, start_paging
from handlers.paging.policy import Severity, response_due
from handlers.paging.roster import on_duty
from handlers.paging.storm import join_known_outage
from handlers.service.repairs import start_repair
from i18n import clock_time, format_list, promise, say, severity_name
from nlu.triage import Triage
from storage import paging as paging_store

log = logging.getLogger(__name__)


async def handle_untriaged(ctx: HandlerContext, message: storage.InboundMessage) -> list[Outgoing]:
    """Open an ``unknown`` ticket for ``message``, tell the person its number and the engineers
    that it needs triage."""
    ticket = await storage.open_ticket(
        ctx.session,
        requester_id=ctx.person.id,
        kind="unknown",
        text=message.text,
        channel=message.channel,
        now=ctx.now,
        detail={"inbound_id": message.id, "reason": "triage unavailable"},
    )
    await link_labels(ctx, ticket)
    text = say(ctx.lang, "ticket_opened_untriaged", number=ticket.number, hotline=ctx.hotline)
    return [Outgoing(Reply(text), ticket_id=ticket.id), *await _tell_needs_triage(ctx, ticket)]


async def _tell_needs_triage(ctx: HandlerContext, ticket: storage.Ticket) -> list[Outgoing]:
    people, detail = _who_triages(ctx)
    await storage.add_event(
        ctx.session,
        ticket,
        at=ctx.now,
        actor_id=None,
        action=storage.NEEDS_TRIAGE_EVENT,
        source="system",
        detail={"people": list(people), **detail},
    )
    requester = await requester_label(ctx.session, ticket)
    notices = []
    for person_id in people:
        lang = await _language(ctx.session, person_id)
        text = say(lang, "needs_triage", number=ticket.number, requester=requester, text=ticket.text)
        take = Button(say(lang, "button_take"), Action.TAKE, str(ticket.number))
        notices.append(Outgoing(Reply(text, (take,)), to=person_id, ticket_id=ticket.id))
    return notices


def _who_triages(ctx: HandlerContext) -> tuple[tuple[str, ...], dict[str, Any]]:
    """Who is told a ticket needs triage now, and why them (for the history)."""
    contract = ctx.contract
    if contract is None:
        return (), {"why": "no roster"}
    try:
        shift = on_duty(contract.roster, ctx.now, contract.calendar)
    except CalendarError as exc:
        # Never nobody: the people who arrange engineers by hand when the calendar cannot answer.
        log.error("nobody on duty can be named for an untriaged ticket", exc_info=True)
        person = contract.roster.service_manager or contract.roster.director
        return ((person,) if person else ()), {"why": "calendar", "error": str(exc)}
    return shift.responders, {"why": "after hours" if shift.after_hours else "on duty"}


async def awaiting_triage(session: AsyncSession, ticket: storage.Ticket) -> bool:
    """Whether ``ticket`` still waits for the triage it missed (checked again under its lock)."""
    if ticket.kind != "unknown" or ticket.status != "new" or ticket.assignee_id is not None:
        return False
    actions = {event.action for event in await storage.ticket_events(session, ticket)}
    return storage.NEEDS_TRIAGE_EVENT in actions and storage.RETRIAGED_EVENT not in actions


async def retriage(ctx: HandlerContext, ticket: storage.Ticket, result: Triage) -> list[Outgoing]:
    """Apply the NLU's late triage of ``ticket``; ``ctx`` is its requester and original message.

    Returns the messages to send, each to a named person: the requester, and the engineers who
    were told the ticket needs triage (so they know it no longer does)."""
    detail: dict[str, Any] = {"kind": result.kind, "confidence": round(result.confidence, 3), "rule": result.rule}
    if result.kind != "incident" or result.needs_clarification:
        await _record(ctx.session, ticket, ctx.now, "left to the engineers", detail)
        return []
    severity = result.severity or "normal"
    detail["severity"] = severity
    contract = ctx.contract
    if contract is not None:
        if severity == "urgent":
            await storage.serialize_outage_reports(ctx.session)
        joined = await join_known_outage(ctx, severity, contract)
        if joined and joined[0].ticket_id is not None:
            outage = await storage.get_ticket_by_id(ctx.session, joined[0].ticket_id)
            assert outage is not None
            return await _merge(ctx, ticket, outage, severity, detail)
    ticket.kind, ticket.severity, ticket.article = "incident", severity, result.article
    ticket.due_at = _due(ticket, cast(Severity, severity), contract)
    await _record(ctx.session, ticket, ctx.now, "triaged", detail)
    text = say(
        ctx.lang,
        "retriaged",
        number=ticket.number,
        severity_name=severity_name(ctx.lang, severity),
        promise=promise(ctx.lang, severity),
    )
    outgoing: list[Outgoing] = []
    if contract is not None:
        paged, outgoing = await _page(ctx, ticket, contract)  # the pages first, as they are sent first
        if paged.strip():
            text += "\n" + paged
    outgoing.append(Outgoing(Reply(text), to=ctx.person.id, ticket_id=ticket.id))
    if severity == "hardware":
        outgoing += await start_repair(ctx.session, ticket, ctx.now)
    for person_id, lang in await _told(ctx.session, ticket):
        name = severity_name(lang, severity)
        done = say(lang, "triage_done", number=ticket.number, severity_name=name)
        outgoing.append(Outgoing(Reply(done), to=person_id, ticket_id=ticket.id))
    return outgoing


async def leave_to_engineers(session: AsyncSession, ticket: storage.Ticket, now: datetime, why: str) -> None:
    """Stop waiting for the NLU on ``ticket`` (its original message is gone, say)."""
    await _record(session, ticket, now, "left to the engineers", {"why": why})


async def _merge(
    ctx: HandlerContext, ticket: storage.Ticket, outage: storage.Ticket, severity: str, detail: dict[str, Any]
) -> list[Outgoing]:
    """The report joined the open outage ticket (``join_known_outage`` counted the requester as
    affected there): this ticket is closed as part of it."""
    ticket.kind, ticket.severity = "incident", severity
    ticket.status, ticket.closed_at = "closed", ctx.now
    await _record(ctx.session, ticket, ctx.now, "joined", {**detail, "into": outage.number})
    affected = await paging_store.affected_count(ctx.session, outage.id)
    text = say(ctx.lang, "retriaged_joined", number=ticket.number, outage=outage.number, affected=affected)
    outgoing = [Outgoing(Reply(text), to=ctx.person.id, ticket_id=outage.id)]
    for person_id, lang in await _told(ctx.session, ticket):
        done = say(lang, "triage_done_joined", number=ticket.number, outage=outage.number)
        outgoing.append(Outgoing(Reply(done), to=person_id, ticket_id=ticket.id))
    return outgoing


async def _record(
    session: AsyncSession, ticket: storage.Ticket, now: datetime, outcome: str, detail: dict[str, Any]
) -> None:
    await storage.add_event(
        session,
        ticket,
        at=now,
        actor_id=None,
        action=storage.RETRIAGED_EVENT,
        source="system",
        detail={"outcome": outcome, **detail},
    )


def _due(ticket: storage.Ticket, severity: Severity, contract: Contract | None) -> datetime | None:
    """The contract's response is due counted from the report, not from the late triage."""
    if contract is None:
        return None
    try:
        return response_due(severity, ticket.created_at, contract.calendar, contract.policy)
    except CalendarError:
        log.error("no response due time: the business calendar cannot answer", exc_info=True)
        return None


async def _page(ctx: HandlerContext, ticket: storage.Ticket, contract: Contract) -> tuple[str, list[Outgoing]]:
    """Start the ticket's page, as for an incident triaged at once: the line telling the requester
    who was paged, or when it waits, and the messages paging sends now."""
    if ticket.severity == "urgent":
        await paging_store.add_affected(
            ctx.session,
            ticket=ticket,
            person_id=ctx.person.id,
            text=ticket.text,
            now=ctx.now,
            inbound_id=ctx.message.id,
        )
    try:
        started = await start_paging(ctx.session, ticket, contract, ctx.now)
    except CalendarError as exc:
        log.error("ticket #%s could not be paged", ticket.number, exc_info=True)
        asked = await ask_for_manual_paging(ctx.session, ticket, contract, ctx.now, str(exc))
        return say(ctx.lang, "opened_manual", hotline=ctx.hotline), asked
    pages = list(started.messages)
    if started.plan.held_until is not None:
        at = clock_time(ctx.lang, started.plan.held_until, contract.zone, ctx.now)
        return say(ctx.lang, "opened_held", at=at), pages
    line = say(ctx.lang, "opened_paged", names=format_list(ctx.lang, started.paged)) if started.paged else ""
    return line, pages


async def _told(session: AsyncSession, ticket: storage.Ticket) -> list[tuple[str, str]]:
    """The engineers told the ticket needs triage, with their languages."""
    people: list[str] = []
    for event in await storage.ticket_events(session, ticket):
        if event.action == storage.NEEDS_TRIAGE_EVENT:
            people += [p for p in event.detail.get("people", []) if p not in people]
    return [(p, await _language(session, p)) for p in people]


async def _language(session: AsyncSession, person_id: str) -> str:
    person = await storage.get_person(session, person_id)
    return (person.language if person else None) or "zh"
