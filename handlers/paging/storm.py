"""Storm grouping: many people reporting one outage get one ticket and one page.

When a floor loses its network, thirty people write within minutes. Paging thirty times would
bury the one page that matters, so a report that looks like an open urgent ticket's outage joins
that ticket as an affected person instead, and is told the ticket number.

"Looks like the same outage" is judged from what we know without a model:

- the **system** named (network, email, ERP/OA, server, shared storage, power, VPN): reports naming
  different systems are different outages; a shared system (email, ERP, a server) is one outage
  for the whole office, whatever the floor;
- the **place**: the floor written in the text (三楼, 3楼, 3F), else the reporter's floor from the
  directory, and the reporter's department; a floor-level system (network, power) must match on
  floor or department;
- the **text**: character bigrams, whose overlap catches the same words in another order
  ("三楼断网了" / "整个三楼都断网").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import storage
from core.messages import Outgoing, Reply
from handlers.context import HandlerContext
from handlers.contract import Contract
from handlers.numerals import chinese_number
from i18n import say
from storage import paging as paging_store

# Reports of these severities may join an open urgent outage (one desk "no network" during a floor
# outage is usually the floor outage); the ticket they join is always urgent.
JOINING_SEVERITIES = ("urgent", "high")
TEXT_SIMILARITY = 0.6  # bigram overlap above which two texts say the same thing
MAX_COMPARED = 30  # affected reports compared per ticket, newest first, beyond the original one

SYSTEMS: dict[str, tuple[str, ...]] = {
    "network": (
        "断网",
        "网络",
        "上网",
        "上不了网",
        "网不通",
        "网断",
        "没网",
        "网速",
        "wifi",
        "wi-fi",
        "无线",
        "网线",
        "交换机",
        "internet",
        "network",
    ),
    "email": ("邮箱", "邮件", "outlook", "exchange", "email", "mail"),
    "erp": ("erp", "财务系统", "用友", "金蝶", "sap"),
    "oa": ("oa", "审批", "办公系统"),
    "server": ("服务器", "server"),
    "storage": ("共享盘", "共享文件夹", "nas", "文件服务器", "存储"),
    "power": ("停电", "断电", "没电", "ups", "机房空调"),
    "vpn": ("vpn",),
}
SHARED_SYSTEMS = frozenset({"email", "erp", "oa", "server", "storage", "vpn"})

_FLOOR_IN_TEXT = re.compile(r"([一二两三四五六七八九十]{1,3}|\d{1,2})\s*(?:楼|层)|(\d{1,2})\s*f\b", re.IGNORECASE)
_LOCATION_FLOOR = re.compile(r"(\d{1,2})\s*(?:f|楼|层)?", re.IGNORECASE)
_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Report:
    text: str
    department: str = ""
    location: str = ""


def bigrams(text: str) -> frozenset[str]:
    chars = _NOT_WORD.sub("", text.lower())
    return frozenset(chars[i : i + 2] for i in range(len(chars) - 1))


def text_similarity(a: str, b: str) -> float:
    """Overlap of character bigrams, 0..1, relative to the shorter text."""
    first, second = bigrams(a), bigrams(b)
    if not first or not second:
        return 0.0
    return len(first & second) / min(len(first), len(second))


def systems_named(text: str) -> frozenset[str]:
    lowered = text.lower()
    found = set()
    for system, words in SYSTEMS.items():
        for word in words:
            if word.isascii() and word.isalpha():
                if re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", lowered):
                    found.add(system)
            elif word in lowered:
                found.add(system)
    return frozenset(found)


def floor_written(text: str) -> int | None:
    match = _FLOOR_IN_TEXT.search(text)
    if match is None:
        return None
    return chinese_number(match.group(1) or match.group(2))


def floor_of(report: Report) -> int | None:
    """The floor a report is about: the one written in it, else the reporter's own."""
    written = floor_written(report.text)
    if written is not None:
        return written
    match = _LOCATION_FLOOR.match(report.location.strip())
    return int(match.group(1)) if match else None


def same_outage(new: Report, known: Report) -> bool:
    """Whether ``new`` reports the outage ``known`` reported (see the module docstring)."""
    new_systems, known_systems = systems_named(new.text), systems_named(known.text)
    if new_systems and known_systems and not new_systems & known_systems:
        return False
    written_new, written_known = floor_written(new.text), floor_written(known.text)
    if written_new is not None and written_known is not None and written_new != written_known:
        return False
    common = new_systems & known_systems
    if common & SHARED_SYSTEMS:
        return True
    floor_new, floor_known = floor_of(new), floor_of(known)
    same_place = (floor_new is not None and floor_new == floor_known) or (
        bool(new.department) and new.department == known.department
    )
    if common and same_place:
        return True
    return text_similarity(new.text, known.text) >= TEXT_SIMILARITY and (
        same_place or floor_new is None or floor_known is None
    )


async def _report_of(ctx: HandlerContext, person_id: str, text: str) -> Report:
    person = await storage.get_person(ctx.session, person_id)
    if person is None:
        return Report(text)
    return Report(text, person.department, person.location)


async def join_known_outage(ctx: HandlerContext, severity: str, contract: Contract) -> list[Outgoing] | None:
    """If the message reports an open urgent outage, count the sender as affected and answer with
    the ticket number; None when it is a new problem (the caller opens a ticket)."""
    if severity not in JOINING_SEVERITIES:
        return None
    new = Report(ctx.message.text, ctx.person.department, ctx.person.location)
    for ticket in await paging_store.open_incidents_since(ctx.session, ("urgent",), ctx.now - contract.storm_window):
        known = [await _report_of(ctx, ticket.requester_id, ticket.text)]
        affected = await paging_store.affected_people(ctx.session, ticket.id)
        known += [await _report_of(ctx, a.person_id, a.text) for a in affected[-MAX_COMPARED:]]
        if not any(same_outage(new, report) for report in known):
            continue
        added = await paging_store.add_affected(
            ctx.session,
            ticket=ticket,
            person_id=ctx.person.id,
            text=ctx.message.text,
            now=ctx.now,
            inbound_id=ctx.message.id,
        )
        if added:
            await storage.add_event(
                ctx.session,
                ticket,
                at=ctx.now,
                actor_id=ctx.person.id,
                action="affected",
                source=ctx.message.channel,
                detail={"inbound_id": ctx.message.id, "text": ctx.message.text},
            )
        count = await paging_store.affected_count(ctx.session, ticket.id)
        text = say(ctx.lang, "storm_joined", number=ticket.number, affected=count)
        return [Outgoing(Reply(text), ticket_id=ticket.id)]
    return None
