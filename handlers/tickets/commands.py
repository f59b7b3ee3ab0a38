"""Engineer commands in chat, recognised before triage: plain text, Chinese and English forms.

    我的工单 | /mine | /my                 my open tickets (staff: those I reported or am affected by)
    接单 1042 | /take 1042                take a ticket (in progress)
    /ack 1042                            acknowledge its page
    释放 1042 | /release 1042             give it back to the team on duty
    解决 1042 <说明> | /resolve 1042 <note>  resolve; the note becomes the service record
    备注 1042 <内容> | /note 1042 <text>    add a note to the history
    升级 1042 | /escalate 1042            page the next escalation step now
    转派 1042 eng.liu | /assign 1042 eng.liu  managers: give the ticket to an engineer
    谁在值班 | who is on duty | /oncall    everyone: who is on duty now and next
    帮助 | /help | /start                  everyone: what one can say (/start: Telegram's first message)
    /ticket 1042                         one ticket's state: its requester, the affected, engineers, managers
    改级 1042 紧急 [原因] | /severity 1042 urgent [why]   engineers, managers: correct the severity
    改类 1042 咨询 [原因] | /kind 1042 howto [why]        engineers, managers: correct the kind
    文章 [id] | /article [id]             everyone: a knowledge-base article in full, or the list
    换班 2026-12-01 eng.chen eng.zhao | /swap ...          swap a day's duty (the engineer or a manager)
    请假 eng.liu 2026-12-01 2026-12-03 eng.sun | /leave ...  leave with a substitute

A command is a whole message in one of these shapes, so an ordinary report ("解决不了打印问题")
never parses as one. Each ticket command calls the lifecycle's domain function, the same one the
page's buttons call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import storage
from core.messages import Outgoing, Reply
from handlers.context import HandlerContext, privately
from handlers.kb.howto import show_article
from handlers.paging import duty
from handlers.permissions import is_engineer, is_manager
from handlers.status.answers import on_duty, one_ticket
from handlers.tickets import lifecycle
from handlers.tickets.corrections import run_correction
from i18n import say, severity_name, status_name
from storage import paging as paging_store
from storage import queries

_NUMBER = r"\s*#?(\d{1,9})"
_REST = r"(?:\s+(?P<arg>.+))?"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE | re.DOTALL))
    for name, pattern in (
        ("mine", r"(?:我的工单|/mine|/my)"),
        ("help", r"(?:帮助|/help|/start(?:\s+\S+)?)"),  # /start: a bound person opening the bot again
        ("ticket", rf"/ticket{_NUMBER}"),
        (
            "oncall",
            r"(?:现在|今天|今晚|这会儿)?(?:是)?(?:谁在值班|谁值班|哪位工程师值班|值班的是谁)(?:啊|呢)?"
            r"|who(?:'s| is) on (?:duty|call)(?: (?:now|today|tonight))?|/oncall",
        ),
        ("take", rf"(?:接单|/take){_NUMBER}"),
        ("ack", rf"/ack{_NUMBER}"),
        ("release", rf"(?:释放|/release){_NUMBER}"),
        ("resolve", rf"(?:解决|/resolve){_NUMBER}{_REST}"),
        ("note", rf"(?:备注|/note){_NUMBER}{_REST}"),
        ("escalate", rf"(?:升级|/escalate){_NUMBER}"),
        ("reassign", rf"(?:转派|/assign|/reassign){_NUMBER}\s+(?P<arg>\S+)"),
        ("severity", rf"(?:改级|/severity){_NUMBER}{_REST}"),
        ("kind", rf"(?:改类|/kind){_NUMBER}{_REST}"),
    )
)
_TRAILING = "？?。.!！ \t\n"
_ARTICLE = re.compile(r"(?:文章|/article)(?:\s+(?P<arg>[a-z0-9-]+))?", re.IGNORECASE)


@dataclass(frozen=True)
class Command:
    name: str
    number: int | None = None
    arg: str = ""


def parse_command(text: str) -> Command | None:
    """The command a message is, or None for anything else (which goes to triage)."""
    article = _ARTICLE.fullmatch(text.strip().rstrip(_TRAILING))
    if article is not None:
        return Command("article", None, (article.group("arg") or "").lower())
    for name, duty_pattern in (("swap", duty.SWAP_COMMAND), ("leave", duty.LEAVE_COMMAND)):
        found = duty_pattern.fullmatch(text.strip().rstrip(_TRAILING))
        if found is not None:
            return Command(name, None, " ".join(found.groups()))
    cleaned = (
        text.strip().rstrip(_TRAILING)
        if not text.strip().startswith(("解决", "备注", "/resolve", "/note"))
        else text.strip()
    )
    for name, pattern in _PATTERNS:
        match = pattern.fullmatch(cleaned)
        if match is None:
            continue
        number = int(match.group(1)) if match.groups() and match.group(1) else None
        arg = (match.groupdict().get("arg") or "").strip()
        return Command(name, number, arg)
    return None


async def run_command(ctx: HandlerContext, command: Command) -> list[Outgoing]:
    if command.name == "mine":
        return privately(ctx, [Outgoing(Reply(await _my_tickets(ctx)))])
    if command.name == "oncall":
        return [Outgoing(Reply(await on_duty(ctx)))]
    if command.name == "help":
        return [Outgoing(Reply(_help(ctx)))]
    if command.name == "ticket":
        assert command.number is not None
        return privately(ctx, [Outgoing(Reply(await one_ticket(ctx, command.number)))])
    if command.name == "article":
        return await show_article(ctx, command.arg)
    if command.name in ("swap", "leave"):
        return [Outgoing(Reply(await _change_roster(ctx, command)))]
    assert command.number is not None
    if command.name in ("severity", "kind"):  # asks the permissions table before the ticket is looked up
        return await run_correction(ctx, command.name, command.number, command.arg)
    ticket = await paging_store.lock_ticket(ctx.session, command.number)
    if ticket is None:
        return [Outgoing(Reply(say(ctx.lang, "no_ticket", number=command.number)))]
    zone = ctx.zone
    source, by, now = ctx.message.channel, ctx.person, ctx.now
    if command.name == "take":
        outcome = await lifecycle.take(ctx.session, ticket, by, source, now, zone)
    elif command.name == "ack":
        outcome = await lifecycle.acknowledge(ctx.session, ticket, by, source, now, zone)
    elif command.name == "release":
        outcome = await lifecycle.release(ctx.session, ticket, by, source, now, ctx.contract)
    elif command.name == "resolve":
        days = ctx.contract.record_close_days if ctx.contract is not None else 3
        outcome = await lifecycle.resolve(ctx.session, ticket, by, source, now, command.arg, days, zone)
    elif command.name == "note":
        outcome = await lifecycle.add_note(ctx.session, ticket, by, source, now, command.arg)
    elif command.name == "escalate":
        outcome = await lifecycle.escalate(ctx.session, ticket, by, source, now)
    else:
        target = await _engineer(ctx, command.arg)
        if target is None:
            return [Outgoing(Reply(say(ctx.lang, "unknown_engineer", who=command.arg)))]
        outcome = await lifecycle.reassign(ctx.session, ticket, by, target, source, now, zone)
    return outcome.outgoing()


async def _change_roster(ctx: HandlerContext, command: Command) -> str:
    if ctx.contract is None:
        return say(ctx.lang, "roster_not_loaded")
    parts = command.arg.split()
    try:
        if command.name == "swap":
            day, first, second = duty.parse_date(parts[0]), parts[1], parts[2]
            result = await duty.add_swap(
                ctx.session, ctx.person, day, first, second, ctx.contract.roster, ctx.message.channel, ctx.now
            )
        else:
            who, start, end, sub = parts[0], duty.parse_date(parts[1]), duty.parse_date(parts[2]), parts[3]
            result = await duty.add_leave(
                ctx.session, ctx.person, who, start, end, sub, ctx.contract.roster, ctx.message.channel, ctx.now
            )
    except ValueError as exc:  # an impossible date such as 2026-02-30
        return say(ctx.lang, "roster_invalid", why=str(exc))
    return result.text


async def _engineer(ctx: HandlerContext, who: str) -> storage.Person | None:
    """An engineer by id (eng.liu) or by name (刘工)."""
    person = await storage.get_person(ctx.session, who)
    if person is not None:
        return person
    for candidate in await storage.list_people(ctx.session, role="engineer"):
        if candidate.name == who or candidate.name.split("（")[0] == who:
            return candidate
    return None


async def _my_tickets(ctx: HandlerContext) -> str:
    engineer = is_engineer(ctx.person.role)
    if engineer:
        tickets = await paging_store.assigned_tickets(ctx.session, ctx.person.id)
    else:
        # Their own, and the outages they are counted as affected by (as the status question answers).
        query = queries.TicketQuery(requester_or_affected=ctx.person.id, not_closed=True)
        tickets, _ = await queries.find_tickets(ctx.session, query)
    if not tickets:
        return say(ctx.lang, "mine_none")
    lines = [say(ctx.lang, "mine_engineer" if engineer else "mine_requester", count=len(tickets))]
    for ticket in tickets:
        count = await paging_store.affected_count(ctx.session, ticket.id)
        affected = say(ctx.lang, "affected_suffix", count=count) if count > 1 else ""
        severity = severity_name(ctx.lang, ticket.severity) if ticket.severity else ticket.kind
        status = status_name(ctx.lang, ticket.status)
        text = ticket.text if len(ticket.text) <= 30 else ticket.text[:29] + "…"
        lines.append(
            say(
                ctx.lang,
                "mine_line",
                number=ticket.number,
                severity=severity,
                status=status,
                text=text,
                affected=affected,
            )
        )
    return "\n".join(lines)


def _help(ctx: HandlerContext) -> str:
    """What the person can say: everyone's part, then the engineers' and the managers' commands."""
    parts = [say(ctx.lang, "help_everyone")]
    if is_engineer(ctx.person.role):
        parts.append(say(ctx.lang, "help_engineer"))
    if is_manager(ctx.person.role):
        parts.append(say(ctx.lang, "help_manager"))
    return "\n\n".join(parts)
