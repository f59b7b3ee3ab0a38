"""An incident opens a ticket with its severity and the contract's promised response."""

from __future__ import annotations

from datetime import datetime, timedelta

import storage
from bot.messages import Outgoing, Reply
from handlers import texts
from handlers.context import HandlerContext
from nlu.triage import Triage

# Response windows from the service contract; hardware has none (it enters the repair process).
RESPONSE_WINDOW = {
    "urgent": timedelta(minutes=0),
    "high": timedelta(hours=2),
    "normal": timedelta(hours=24),
}


def response_due(severity: str, created_at: datetime) -> datetime | None:
    window = RESPONSE_WINDOW.get(severity)
    return created_at + window if window is not None else None


async def handle_incident(ctx: HandlerContext, triage: Triage) -> list[Outgoing]:
    severity = triage.severity or "normal"
    ticket = await storage.open_ticket(
        ctx.session,
        requester_id=ctx.person.id,
        kind="incident",
        severity=severity,
        article=triage.article,
        text=ctx.message.text,
        channel=ctx.message.channel,
        now=ctx.now,
        due_at=response_due(severity, ctx.now),
        detail={"confidence": round(triage.confidence, 3), "rule": triage.rule, "inbound_id": ctx.message.id},
    )
    text = texts.say(
        ctx.lang,
        "ticket_opened",
        number=ticket.number,
        severity_name=texts.severity_name(ctx.lang, severity),
        promise=texts.promise(ctx.lang, severity),
        text=ctx.message.text,
    )
    return [Outgoing(Reply(text), ticket_id=ticket.id)]
