"""An incident opens a ticket with its severity and the contract's promised response, then pages.

A report of an outage that already has an open urgent ticket joins that ticket instead (storm
grouping, ``handlers.paging.storm``). Without a contract (tests of other parts) nobody is paged and the
default calendar and policy give the due time.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import cast

import storage
from core.messages import Outgoing, Reply
from handlers.assets.links import link_labels
from handlers.context import HandlerContext
from handlers.paging.calendar import BusinessCalendar, CalendarError
from handlers.paging.escalation import ask_for_manual_paging, start_paging
from handlers.paging.policy import DEFAULT_POLICY, PagingPolicy, Severity, response_due
from handlers.paging.storm import join_known_outage
from handlers.service.repairs import start_repair
from i18n import clock_time, format_list, promise, say, severity_name
from nlu.triage import Triage
from storage import paging as paging_store

log = logging.getLogger(__name__)


async def handle_incident(ctx: HandlerContext, triage: Triage) -> list[Outgoing]:
    severity = triage.severity or "normal"
    contract = ctx.contract
    if contract is not None:
        if severity == "urgent":
            await storage.serialize_outage_reports(ctx.session)
        joined = await join_known_outage(ctx, severity, contract)
        if joined is not None:
            return joined
    calendar = contract.calendar if contract is not None else BusinessCalendar()
    policy = contract.policy if contract is not None else DEFAULT_POLICY
    ticket = await storage.open_ticket(
        ctx.session,
        requester_id=ctx.person.id,
        kind="incident",
        severity=severity,
        article=triage.article,
        text=ctx.message.text,
        channel=ctx.message.channel,
        now=ctx.now,
        due_at=_due(cast(Severity, severity), ctx, calendar, policy),
        detail={"confidence": round(triage.confidence, 3), "rule": triage.rule, "inbound_id": ctx.message.id},
    )
    await link_labels(ctx, ticket)
    if triage.article:
        # A how-to answer did not help: count it against the article (deflection figures).
        await storage.record_article_event(
            ctx.session,
            article_id=triage.article,
            outcome="ticket",
            at=ctx.now,
            person_id=ctx.person.id,
            inbound_id=ctx.message.id,
            ticket_id=ticket.id,
        )
    text = say(
        ctx.lang,
        "ticket_opened",
        number=ticket.number,
        severity_name=severity_name(ctx.lang, severity),
        promise=promise(ctx.lang, severity),
        text=ctx.message.text,
    )
    pages: list[Outgoing] = []
    if contract is not None:
        paged, pages = await _page(ctx, ticket)
        if paged.strip():
            text += "\n" + paged
    if severity == "hardware":  # the repair process starts with the ticket; one reply tells both
        text += "".join("\n\n" + out.reply.text for out in await start_repair(ctx.session, ticket, ctx.now))
    return [*pages, Outgoing(Reply(text), ticket_id=ticket.id)]


def _due(severity: Severity, ctx: HandlerContext, calendar: BusinessCalendar, policy: PagingPolicy) -> datetime | None:
    try:
        return response_due(severity, ctx.now, calendar, policy)
    except CalendarError:
        log.error("no response due time: the business calendar cannot answer", exc_info=True)
        return None


async def _page(ctx: HandlerContext, ticket: storage.Ticket) -> tuple[str, list[Outgoing]]:
    """Start the ticket's page: the line telling the requester who was paged, or when it waits, and
    the messages paging sends now."""
    assert ctx.contract is not None
    if ticket.severity == "urgent":
        person, inbound = ctx.person.id, ctx.message.id
        await paging_store.add_affected(
            ctx.session, ticket=ticket, person_id=person, text=ticket.text, now=ctx.now, inbound_id=inbound
        )
    try:
        started = await start_paging(ctx.session, ticket, ctx.contract, ctx.now)
    except CalendarError as exc:
        # Never a silent drop: the ticket stands, a person is asked to page by hand.
        log.error("ticket #%s could not be paged", ticket.number, exc_info=True)
        asked = await ask_for_manual_paging(ctx.session, ticket, ctx.contract, ctx.now, str(exc))
        return say(ctx.lang, "opened_manual", hotline=ctx.hotline), asked
    pages = list(started.messages)
    if started.plan.held_until is not None:
        at = clock_time(ctx.lang, started.plan.held_until, ctx.contract.zone, ctx.now)
        return say(ctx.lang, "opened_held", at=at), pages
    line = say(ctx.lang, "opened_paged", names=format_list(ctx.lang, started.paged)) if started.paged else ""
    return line, pages
