"""Engineers correct triage: a ticket's kind or severity changed in chat, and the page follows.

    改级 1042 紧急 [why] | /severity 1042 urgent [why]     the severity (the rubric's four levels)
    改类 1042 咨询 [why] | /kind 1042 howto [article] [why]  the kind (a how-to may name its article)
    the page's "不紧急 / Not urgent" button                  urgent → high, high → normal

Engineers and managers may (``Move.TICKET_CORRECT_TRIAGE``); anyone else is refused before the
ticket is looked up, so the refusal says nothing about it. Each correction is one ticket event
(``triage_corrected``: who, from which channel, the values before and after, why, and the text as
triage read it), which ``helpdesk triage corrections`` lists and exports as training data once an
operator accepted it (``storage.corrections``).

What follows a correction of an open ticket, reusing the paging functions:

- a running page is stopped (``stop_paging``), its copies edited to say so, and the ticket is paged
  anew as its new severity (``start_paging``): a raised severity pages as the new level now, a lower
  one's plan replaces the remaining steps (a normal ticket after hours waits for the on-site start);
  a ticket someone has already taken is not paged again, its engineer is told instead;
- the response is due by the new severity's promise: counted from the correction when raised (it
  cannot be due before anyone knew it was urgent), from the report when lowered (lowering never
  lengthens the contract's promise to the requester);
- the requester is told the new severity and its promise; a ticket that became hardware enters the
  repair process. A ticket changed to another kind stops paging and loses its severity.

The "not urgent" button lowers by one step of the response ladder: urgent → high (the usual false
urgent is one person who cannot work, written with urgent words: the rubric's ``high``), high →
normal (it is degraded, not blocking). It never gives ``hardware``: that is a kind of fault, not a
lesser urgency. The button names the severity it lowers from, so two engineers pressing it on the
same page lower it once.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession

import storage
from core.messages import ButtonPress, Outgoing, Reply
from handlers.context import HandlerContext
from handlers.contract import DEFAULT_ZONE, Contract
from handlers.kb.articles import KnowledgeBase
from handlers.paging.calendar import BusinessCalendar, CalendarError
from handlers.paging.escalation import (
    NOT_URGENT,
    ask_for_manual_paging,
    edit_page_messages,
    start_paging,
    stop_paging,
)
from handlers.paging.policy import DEFAULT_POLICY, Severity, response_due
from handlers.permissions import Move, may, relations
from handlers.service.repairs import start_repair
from handlers.tickets.lifecycle import Outcome
from i18n import clock_time, format_list, promise, say, severity_name
from storage import corrections as corrections_store
from storage import paging as paging_store

log = logging.getLogger(__name__)

__all__ = [
    "KINDS",
    "LOWER",
    "SEVERITIES",
    "correct_triage",
    "lower_pressed",
    "parse_kind",
    "parse_severity",
    "run_correction",
]

SEVERITIES: tuple[Severity, ...] = ("urgent", "high", "normal", "hardware")
KINDS = ("incident", "howto", "status", "complaint", "purchase", "chitchat", "unknown")
# What the page's "not urgent" button lowers each severity to (see the module docstring).
LOWER = NOT_URGENT
# How soon each severity is answered: a correction to a higher rank is "raised".
_RANK = {"urgent": 3, "high": 2, "normal": 1, "hardware": 1}

# The words an engineer may type for each value: the rubric's Chinese names (and their short
# forms) and the English names. The longest match wins, so 一般紧急 is high, 一般 normal.
_SEVERITY_WORDS: dict[str, Severity] = {
    "紧急故障": "urgent",
    "紧急": "urgent",
    "urgent": "urgent",
    "一般紧急故障": "high",
    "一般紧急": "high",
    "high": "high",
    "一般故障": "normal",
    "一般": "normal",
    "normal": "normal",
    "硬件故障": "hardware",
    "硬件": "hardware",
    "hardware": "hardware",
}
_KIND_WORDS: dict[str, str] = {
    "故障": "incident",
    "报修": "incident",
    "incident": "incident",
    "操作指南": "howto",
    "咨询": "howto",
    "howto": "howto",
    "how-to": "howto",
    "查询": "status",
    "status": "status",
    "投诉": "complaint",
    "complaint": "complaint",
    "采购": "purchase",
    "purchase": "purchase",
    "闲聊": "chitchat",
    "chitchat": "chitchat",
    "其他": "unknown",
    "unknown": "unknown",
}
_ARTICLE_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _match(words: dict[str, Any], text: str) -> tuple[Any, str] | None:
    """The value the text starts with and the rest (the reason), or None. An English word must end
    at a space; a Chinese one may run straight into the reason (改级 1042 一般只是一台电脑)."""
    lowered = text.strip().lower()
    for word in sorted(words, key=len, reverse=True):
        if not lowered.startswith(word):
            continue
        rest = text.strip()[len(word) :]
        if word.isascii() and rest and not rest[0].isspace():
            continue
        return words[word], rest.strip()
    return None


def parse_severity(text: str) -> tuple[Severity, str] | None:
    """``("high", "只是一台电脑")`` for ``一般紧急 只是一台电脑``; None when no severity starts it."""
    return cast(tuple[Severity, str] | None, _match(_SEVERITY_WORDS, text))


def parse_kind(text: str) -> tuple[str, str] | None:
    return cast(tuple[str, str] | None, _match(_KIND_WORDS, text))


@dataclass(frozen=True)
class _Triage:
    kind: str
    severity: str | None
    article: str | None

    def as_detail(self) -> dict[str, Any]:
        return {"kind": self.kind, "severity": self.severity, "article": self.article}


def _lang(person: storage.Person | None) -> str:
    return (person.language if person else None) or "zh"


def _describe(lang: str, triage: _Triage) -> str:
    """紧急故障, or 操作指南 (printer-settings): what a ticket is, in the reader's words."""
    if triage.kind == "incident" and triage.severity:
        return severity_name(lang, triage.severity)
    name = say(lang, f"kind_{triage.kind}")
    return f"{name} ({triage.article})" if triage.kind == "howto" and triage.article else name


async def run_correction(ctx: HandlerContext, name: str, number: int, arg: str) -> list[Outgoing]:
    """The chat commands ``改级`` / ``/severity`` (``name`` "severity") and ``改类`` / ``/kind``."""
    if not may(Move.TICKET_CORRECT_TRIAGE, relations(ctx.person.role, ctx.person.id)):
        return [Outgoing(Reply(say(ctx.lang, "triage_fix_refused")))]
    usage = "triage_fix_usage_severity" if name == "severity" else "triage_fix_usage_kind"
    severity: Severity | None = None
    kind: str | None = None
    article: str | None = None
    if name == "severity":
        parsed = parse_severity(arg)
        if parsed is None:
            return [Outgoing(Reply(say(ctx.lang, usage)))]
        severity, why = parsed
    else:
        found = parse_kind(arg)
        if found is None:
            return [Outgoing(Reply(say(ctx.lang, usage)))]
        kind, why = found
        if kind == "howto":
            article, why = _article(ctx.kb, why)
    ticket = await paging_store.lock_ticket(ctx.session, number)
    if ticket is None:
        return [Outgoing(Reply(say(ctx.lang, "no_ticket", number=number)))]
    outcome = await correct_triage(
        ctx.session,
        ticket,
        ctx.person,
        ctx.message.channel,
        ctx.now,
        ctx.contract,
        kind=kind,
        severity=severity,
        article=article,
        why=why,
    )
    return outcome.outgoing()


def _article(kb: KnowledgeBase, text: str) -> tuple[str | None, str]:
    """An article id leading the reason (``printer-settings 他会自己弄``), when the knowledge base has it."""
    head, _, rest = text.partition(" ")
    if _ARTICLE_ID.fullmatch(head) and head in kb:
        return head, rest.strip()
    return None, text


async def lower_pressed(ctx: HandlerContext, press: ButtonPress) -> list[Outgoing]:
    """The page's "not urgent" button: lower the ticket one step, once (see the module docstring)."""
    if not may(Move.TICKET_CORRECT_TRIAGE, relations(ctx.person.role, ctx.person.id)):
        return [Outgoing(Reply(say(ctx.lang, "triage_fix_refused")))]
    number, _, was = press.ref.partition(":")
    ticket = await paging_store.lock_ticket(ctx.session, int(number)) if number.isdigit() else None
    if ticket is None or was not in LOWER:
        return [Outgoing(Reply(say(ctx.lang, "stale_button")))]
    if ticket.kind != "incident" or ticket.severity != was:
        now_is = _describe(ctx.lang, _Triage(ticket.kind, ticket.severity, ticket.article))
        text = say(ctx.lang, "triage_fix_already", number=ticket.number, now_is=now_is)
        return [Outgoing(Reply(text), ticket_id=ticket.id)]
    outcome = await correct_triage(
        ctx.session, ticket, ctx.person, ctx.message.channel, ctx.now, ctx.contract, severity=LOWER[was], button=True
    )
    return outcome.outgoing()


async def correct_triage(
    session: AsyncSession,
    ticket: storage.Ticket,
    by: storage.Person,
    source: str,
    now: datetime,
    contract: Contract | None,
    *,
    kind: str | None = None,
    severity: Severity | None = None,
    article: str | None = None,
    why: str = "",
    button: bool = False,
) -> Outcome:
    """Change the ticket's kind and/or severity (a severity makes it an incident); the ticket is
    locked by the caller. Records the correction and re-plans the page as the module docstring says."""
    lang = _lang(by)
    if not may(Move.TICKET_CORRECT_TRIAGE, relations(by.role, by.id)):
        return Outcome(False, say(lang, "triage_fix_refused"))
    before = _Triage(ticket.kind, ticket.severity, ticket.article)
    after = _after(before, kind, severity, article)
    if after == before:
        text = say(lang, "triage_fix_already", number=ticket.number, now_is=_describe(lang, before))
        return Outcome(False, text, ticket_id=ticket.id)
    detail = {"from": before.as_detail(), "to": after.as_detail(), "why": why.strip(), "text": ticket.text}
    if button:
        detail["button"] = "not_urgent"
    await storage.add_event(
        session,
        ticket,
        at=now,
        actor_id=by.id,
        action=corrections_store.TRIAGE_CORRECTED_EVENT,
        source=source,
        detail=detail,
    )
    ticket.kind, ticket.severity, ticket.article = after.kind, after.severity, after.article
    described = {"before": _describe(lang, before), "after": _describe(lang, after)}
    answer = say(lang, "triage_fixed", number=ticket.number, **described)
    if ticket.status not in storage.OPEN_STATUSES:
        return Outcome(True, answer, ticket_id=ticket.id)  # for the record (and the training data) only
    ticket.due_at = _due(ticket, before, after, now, contract)
    edits = await _stop_running_page(session, ticket, by, now, contract, after)
    pages: list[Outgoing] = []
    if after.kind == "incident" and contract is not None and ticket.assignee_id is None:
        line, pages = await _page_again(session, ticket, contract, now, lang)
        if line:
            answer += "\n" + line
    told = await _tell(session, ticket, by, before, after, why.strip(), now, contract)
    if after.severity == "hardware" and before.severity != "hardware":
        told += await start_repair(session, ticket, now)
    return Outcome(True, answer, (*told,), ticket.id, sent_first=(*edits, *pages))


def _after(before: _Triage, kind: str | None, severity: Severity | None, article: str | None) -> _Triage:
    new_kind = kind or ("incident" if severity else before.kind)
    if new_kind == "incident":
        return _Triage("incident", severity or before.severity or "normal", before.article)
    return _Triage(new_kind, None, (article or before.article) if new_kind == "howto" else None)


def _due(
    ticket: storage.Ticket, before: _Triage, after: _Triage, now: datetime, contract: Contract | None
) -> datetime | None:
    if after.kind != "incident" or after.severity is None:
        return None
    raised = before.kind != "incident" or _RANK[after.severity] > _RANK.get(before.severity or "normal", 1)
    calendar = contract.calendar if contract is not None else BusinessCalendar()
    policy = contract.policy if contract is not None else DEFAULT_POLICY
    try:
        return response_due(cast(Severity, after.severity), now if raised else ticket.created_at, calendar, policy)
    except CalendarError:
        log.error("no response due time: the business calendar cannot answer", exc_info=True)
        return None


async def _stop_running_page(
    session: AsyncSession,
    ticket: storage.Ticket,
    by: storage.Person,
    now: datetime,
    contract: Contract | None,
    after: _Triage,
) -> list[Outgoing]:
    """Stop the ticket's unacknowledged page and edit its copies (no buttons left on them)."""
    page = await paging_store.page_for_ticket(session, ticket.id, lock=True)
    if page is None or page.status != "paging":
        return []
    await stop_paging(session, page, "replanned")
    key = "page_regraded" if after.kind == "incident" else "page_reclassified"
    zone = contract.zone if contract is not None else DEFAULT_ZONE
    return await edit_page_messages(session, page, ticket, key, by.name, now, zone, False)


async def _page_again(
    session: AsyncSession, ticket: storage.Ticket, contract: Contract, now: datetime, lang: str
) -> tuple[str, list[Outgoing]]:
    """Page the ticket as its new severity: the line for the engineer who corrected, and the pages."""
    if ticket.severity == "urgent":
        await paging_store.add_affected(
            session, ticket=ticket, person_id=ticket.requester_id, text=ticket.text, now=now
        )
    try:
        started = await start_paging(session, ticket, contract, now)
    except CalendarError as exc:
        log.error("ticket #%s could not be paged after its triage was corrected", ticket.number, exc_info=True)
        return "", await ask_for_manual_paging(session, ticket, contract, now, str(exc))
    pages = list(started.messages)
    if started.plan.held_until is not None:
        return say(lang, "triage_fix_held", at=clock_time(lang, started.plan.held_until, contract.zone, now)), pages
    if started.paged:
        return say(lang, "triage_fix_paged", names=format_list(lang, started.paged)), pages
    return "", pages


async def _tell(
    session: AsyncSession,
    ticket: storage.Ticket,
    by: storage.Person,
    before: _Triage,
    after: _Triage,
    why: str,
    now: datetime,
    contract: Contract | None,
) -> list[Outgoing]:
    """The requester hears the new promise (or kind); an engineer who has the ticket hears of the change."""
    told: list[Outgoing] = []
    requester = await storage.get_person(session, ticket.requester_id)
    if requester is not None and requester.id != by.id:
        lang = _lang(requester)
        if after.kind == "incident" and after.severity:
            text = say(
                lang,
                "triage_fix_requester",
                number=ticket.number,
                severity_name=severity_name(lang, after.severity),
                promise=promise(lang, after.severity),
            )
            if ticket.due_at is not None and after.severity != "urgent":
                zone = contract.zone if contract is not None else DEFAULT_ZONE
                text += say(lang, "triage_fix_due", due=clock_time(lang, ticket.due_at, zone, now))
        else:
            text = say(lang, "triage_fix_requester_kind", number=ticket.number, kind=_describe(lang, after))
        told.append(Outgoing(Reply(text), to=requester.id, ticket_id=ticket.id))
    if ticket.assignee_id is not None and ticket.assignee_id != by.id:
        engineer = await storage.get_person(session, ticket.assignee_id)
        lang = _lang(engineer)
        text = say(
            lang,
            "triage_fix_assignee",
            by=by.name,
            number=ticket.number,
            before=_describe(lang, before),
            after=_describe(lang, after),
            why=why or "—",
        )
        told.append(Outgoing(Reply(text), to=ticket.assignee_id, ticket_id=ticket.id))
    return told
