"""The hardware repair process (维修流程) of a `hardware` ticket, one step at a time.

confirm with the customer's contact → pickup (equipment repair slip) → diagnosis and quote at the
repair station → the customer approves or declines in chat → repair → returned, installed, signed
for (equipment receipt). A declined quote skips the repair: the device comes back unrepaired and
is signed for all the same, so every device that left a desk is accounted for.

Engineers move the steps by button or command; the requester approves, declines and signs. Every
step is written to the ticket's history (action ``repair``) and told to the requester. A step out
of order is refused with the step the repair is at and the one that should come next.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

import storage
from core.messages import Action, Button, ButtonPress, Outgoing, Reply
from handlers.context import HandlerContext
from handlers.paging.escalation import stop_paging
from handlers.permissions import Move, may, relations
from i18n import say, step_name, yuan
from storage import paging as paging_store
from storage import service_requests as service_store
from storage.models import Repair

__all__ = [
    "RepairRefused",
    "RepairSlip",
    "advance_repair",
    "parse_quote",
    "press_approve_repair",
    "press_decline_repair",
    "press_repair_step",
    "press_sign",
    "repair_command",
    "start_repair",
]

FIRST_STEP = "awaiting_confirmation"


@dataclass(frozen=True)
class _Move:
    before: frozenset[str]
    after: str
    by: str  # engineer | requester


_MOVES: dict[str, _Move] = {
    "confirm": _Move(frozenset({FIRST_STEP}), "confirmed", "engineer"),
    "pickup": _Move(frozenset({"confirmed"}), "picked_up", "engineer"),
    "quote": _Move(frozenset({"picked_up", "quoted"}), "quoted", "engineer"),  # a new quote replaces the old
    "approve": _Move(frozenset({"quoted"}), "approved", "requester"),
    "decline": _Move(frozenset({"quoted"}), "declined", "requester"),
    "repair": _Move(frozenset({"approved"}), "repaired", "engineer"),
    "return": _Move(frozenset({"repaired", "declined"}), "returned", "engineer"),
    "sign": _Move(frozenset({"returned"}), "signed", "requester"),
}
_NEXT = {
    FIRST_STEP: "confirm",
    "confirmed": "pickup",
    "picked_up": "quote",
    "quoted": "approve",
    "approved": "repair",
    "declined": "return",
    "repaired": "return",
    "returned": "sign",
}

# Command words (Chinese and English) → move.
_WORDS = {
    "确认": "confirm",
    "confirm": "confirm",
    "取件": "pickup",
    "pickup": "pickup",
    "修好": "repair",
    "维修完成": "repair",
    "完成": "repair",
    "repaired": "repair",
    "送回": "return",
    "归还": "return",
    "返还": "return",
    "returned": "return",
    "return": "return",
}
_REPAIR_COMMAND = re.compile(r"^\s*(?:维修|repair)\s*#?(\d+)\s*(\S*)\s*(.*)$", re.IGNORECASE | re.DOTALL)
_QUOTE_COMMAND = re.compile(r"^\s*(?:报价|quote)\s*#?(\d+)\s+(.+)$", re.IGNORECASE | re.DOTALL)
_QUOTE_ITEM = re.compile(r"^(.*?)[\s:：=]*[¥￥]?\s*(\d+(?:\.\d{1,2})?)\s*(?:元|块|yuan|rmb)?$", re.IGNORECASE)


@dataclass(frozen=True)
class RepairSlip:
    """The equipment repair slip (设备维修单) written at pickup."""

    device: str
    serial: str
    fault: str
    accessories: str = ""


class RepairRefused(Exception):
    """A step that may not be done now, or not by this person; ``text`` says why, for the person."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def parse_quote(text: str) -> list[tuple[str, int]]:
    """``更换硬盘 450; 人工 100`` → [("更换硬盘", 45000), ("人工", 10000)] (fen). Empty if unreadable."""
    items: list[tuple[str, int]] = []
    for part in re.split(r"[;；\n]+", text):
        part = part.strip().rstrip(",，")
        if not part:
            continue
        match = _QUOTE_ITEM.match(part)
        if match is None or not match.group(1).strip():
            return []
        items.append((match.group(1).strip(), round(float(match.group(2)) * 100)))
    return items


def parse_slip(text: str) -> RepairSlip | None:
    """``设备; 序列号; 故障; 附件`` (or the same separated by spaces, accessories last)."""
    if re.search(r"[;；|]", text):
        parts = [p.strip() for p in re.split(r"[;；|]", text)]
    else:
        parts = text.split(maxsplit=3)
    parts += [""] * (4 - len(parts))
    device, serial, fault, accessories = parts[:4]
    if not (device and serial and fault):
        return None
    return RepairSlip(device, serial, fault, accessories)


async def start_repair(session: AsyncSession, ticket: storage.Ticket, now: datetime) -> list[Outgoing]:
    """Put a hardware ticket into the repair process (once) and tell the requester the steps ahead."""
    _, created = await service_store.add_repair(session, ticket_id=ticket.id, step=FIRST_STEP, now=now)
    if not created:
        return []
    await storage.add_event(
        session, ticket, at=now, actor_id=None, action="repair", source="system", detail={"step": FIRST_STEP}
    )
    requester = await storage.get_person(session, ticket.requester_id)
    lang = (requester.language if requester else None) or "zh"
    text = say(lang, "repair_started", number=ticket.number)
    return [Outgoing(Reply(text), to=ticket.requester_id, ticket_id=ticket.id)]


def _quote_lines(lang: str, repair: Repair) -> tuple[str, str]:
    items = repair.quote.get("items", [])
    lines = "\n".join(f"· {i['item']}：{yuan(int(i['fen']), lang)}" for i in items)
    return lines, yuan(repair.quote_fen, lang)


async def advance_repair(
    session: AsyncSession,
    ticket: storage.Ticket,
    actor: storage.Person,
    move: str,
    *,
    source: str,
    now: datetime,
    slip: RepairSlip | None = None,
    quote: list[tuple[str, int]] | None = None,
) -> list[Outgoing]:
    """Do one step of a ticket's repair; raises ``RepairRefused`` for a step out of order or by the wrong
    person. Returns what the requester, the engineer and the actor are told (the actor in their chat)."""
    lang = actor.language or "zh"
    repair = await service_store.repair_for_ticket(session, ticket.id)
    if repair is None:
        raise RepairRefused(say(lang, "repair_none", number=ticket.number))
    rule = _MOVES[move]
    held = relations(actor.role, actor.id, requester=ticket.requester_id)
    if rule.by == "engineer" and not may(Move.REPAIR_STEP, held):
        raise RepairRefused(say(lang, "only_engineers"))
    if rule.by == "requester" and not may(Move.REPAIR_SIGN if move == "sign" else Move.REPAIR_DECIDE, held):
        raise RepairRefused(say(lang, "only_requester"))
    if repair.step not in rule.before:
        expected = _NEXT.get(repair.step)
        raise RepairRefused(
            say(
                lang,
                "repair_refused",
                number=ticket.number,
                current=step_name(lang, repair.step),
                wanted=step_name(lang, move),
                expected=step_name(lang, expected) if expected else "-",
            )
        )
    detail: dict[str, object] = {"step": rule.after, "move": move}
    if move == "pickup" and slip is not None:
        repair.device, repair.serial, repair.fault, repair.accessories = (
            slip.device,
            slip.serial,
            slip.fault,
            slip.accessories,
        )
        detail["slip"] = slip.__dict__
    if move == "quote" and quote:
        repair.quote = {"items": [{"item": name, "fen": fen} for name, fen in quote]}
        repair.quote_fen = sum(fen for _, fen in quote)
        detail["quote"] = repair.quote
    if move == "return":
        repair.outcome = "repaired" if repair.step == "repaired" else "unrepaired"
        detail["outcome"] = repair.outcome
    if move == "sign":
        repair.signed_at = now
    if rule.by == "engineer":
        repair.engineer_id = actor.id
        if ticket.assignee_id is None:
            # The engineer who works on the device has the ticket, unless someone took it already.
            ticket.assignee_id = actor.id
            ticket.acknowledged_at = ticket.acknowledged_at or now
            await storage.add_event(
                session,
                ticket,
                at=now,
                actor_id=actor.id,
                action="reassigned",
                source=source,
                detail={"from": None, "to": actor.id, "via": "repair"},
            )
    repair.step, repair.updated_at = rule.after, now
    await storage.add_event(session, ticket, at=now, actor_id=actor.id, action="repair", source=source, detail=detail)
    if move == "sign":
        await _close_on_receipt(session, ticket, repair, actor, source, now)
    return await _tell(session, ticket, repair, actor, move)


async def _close_on_receipt(
    session: AsyncSession, ticket: storage.Ticket, repair: Repair, actor: storage.Person, source: str, now: datetime
) -> None:
    """The signed equipment receipt is the requester's confirmation: the ticket is resolved (by the
    repairing engineer) and closed, and a page still under way for it stops."""
    if ticket.status == "closed":
        return
    if ticket.status != "resolved":
        before = ticket.status
        ticket.status, ticket.resolved_at = "resolved", now
        await storage.add_event(
            session,
            ticket,
            at=now,
            actor_id=repair.engineer_id,
            action="resolved",
            source=source,
            detail={"from": before, "to": "resolved", "via": "repair", "outcome": repair.outcome},
        )
    ticket.status, ticket.closed_at = "closed", now
    await storage.add_event(
        session,
        ticket,
        at=now,
        actor_id=actor.id,
        action="closed",
        source=source,
        detail={"from": "resolved", "to": "closed", "via": "equipment receipt signed"},
    )
    page = await paging_store.page_for_ticket(session, ticket.id)
    if page is not None and page.status not in ("acknowledged", "resolved"):
        await stop_paging(session, page, "resolved")


async def _tell(
    session: AsyncSession, ticket: storage.Ticket, repair: Repair, actor: storage.Person, move: str
) -> list[Outgoing]:
    """The step's messages: the requester always, the engineer on the requester's steps, the actor in chat."""
    requester = await storage.get_person(session, ticket.requester_id)
    engineer = await storage.get_person(session, repair.engineer_id) if repair.engineer_id else None
    r_lang = (requester.language if requester else None) or "zh"
    e_lang = (engineer.language if engineer else None) or "zh"
    number = ticket.number
    n = str(number)
    name = requester.name if requester else ticket.requester_id
    eng_name = engineer.name if engineer else ""
    for_requester: Reply
    for_engineer: Reply | None = None
    if move == "confirm":
        for_requester = Reply(say(r_lang, "repair_confirmed", number=number, engineer=eng_name))
        for_engineer = Reply(_done(e_lang, number, repair) + "\n" + say(e_lang, "hint_pickup", number=number))
    elif move == "pickup":
        for_requester = Reply(
            say(
                r_lang,
                "repair_picked_up",
                number=number,
                device=repair.device,
                serial=repair.serial,
                fault=repair.fault,
                accessories=repair.accessories or "-",
                engineer=eng_name,
            )
        )
        for_engineer = Reply(_done(e_lang, number, repair) + "\n" + say(e_lang, "hint_quote", number=number))
    elif move == "quote":
        lines, total = _quote_lines(r_lang, repair)
        buttons = (
            Button(say(r_lang, "button_approve_quote"), Action.APPROVE, f"repair:{n}"),
            Button(say(r_lang, "button_decline_quote"), Action.DECLINE, f"repair:{n}"),
        )
        for_requester = Reply(say(r_lang, "repair_quoted", number=number, lines=lines, total=total), buttons)
        for_engineer = Reply(_done(e_lang, number, repair))
    elif move in ("approve", "decline"):
        key = "repair_approved" if move == "approve" else "repair_declined"
        for_requester = Reply(say(r_lang, key, number=number, name=name, total=yuan(repair.quote_fen, r_lang)))
        next_move = "repair" if move == "approve" else "return"
        button = Button(
            say(e_lang, f"button_{'repaired' if move == 'approve' else 'return'}"),
            Action.REPAIR_STEP,
            f"{n}:{next_move}",
        )
        for_engineer = Reply(
            say(e_lang, key, number=number, name=name, total=yuan(repair.quote_fen, e_lang)), (button,)
        )
    elif move == "repair":
        for_requester = Reply(say(r_lang, "repair_repaired", number=number))
        button = Button(say(e_lang, "button_return"), Action.REPAIR_STEP, f"{n}:return")
        for_engineer = Reply(_done(e_lang, number, repair), (button,))
    elif move == "return":
        for_requester = Reply(
            say(
                r_lang,
                "repair_returned",
                number=number,
                outcome=say(r_lang, f"outcome_{repair.outcome}"),
                device=repair.device or "-",
                serial=repair.serial or "-",
                accessories=repair.accessories or "-",
            ),
            (Button(say(r_lang, "button_sign"), Action.SIGN, n),),
        )
        for_engineer = Reply(_done(e_lang, number, repair))
    else:  # sign
        for_requester = Reply(say(r_lang, "repair_signed", number=number, name=name))
        for_engineer = Reply(say(e_lang, "repair_signed", number=number, name=name))
    out = [
        Outgoing(
            for_requester, to=None if actor.id == ticket.requester_id else ticket.requester_id, ticket_id=ticket.id
        )
    ]
    if for_engineer is not None and engineer is not None:
        out.append(Outgoing(for_engineer, to=None if actor.id == engineer.id else engineer.id, ticket_id=ticket.id))
    return out


def _done(lang: str, number: int | None, repair: Repair) -> str:
    return say(lang, "repair_done_engineer", number=number, step=step_name(lang, repair.step))


async def _run(
    ctx: HandlerContext,
    number: int,
    move: str,
    slip: RepairSlip | None = None,
    quote: list[tuple[str, int]] | None = None,
) -> list[Outgoing]:
    ticket = await storage.get_ticket(ctx.session, number)
    if ticket is None:
        return [Outgoing(Reply(say(ctx.lang, "repair_no_ticket", number=number)))]
    try:
        return await advance_repair(
            ctx.session, ticket, ctx.person, move, source=ctx.message.channel, now=ctx.now, slip=slip, quote=quote
        )
    except RepairRefused as refused:
        return [Outgoing(Reply(refused.text))]


async def repair_command(ctx: HandlerContext) -> list[Outgoing] | None:
    """``维修 1042 <step> ...`` and ``报价 1042 <items>`` from an engineer; None for anything else."""
    if not may(Move.REPAIR_STEP, relations(ctx.person.role, ctx.person.id)):
        return None
    text = ctx.message.text
    quote = _QUOTE_COMMAND.match(text)
    if quote is not None:
        items = parse_quote(quote.group(2))
        if not items:
            return [Outgoing(Reply(say(ctx.lang, "quote_unreadable")))]
        return await _run(ctx, int(quote.group(1)), "quote", quote=items)
    command = _REPAIR_COMMAND.match(text)
    if command is None:
        return None
    number, word, rest = int(command.group(1)), command.group(2).lower(), command.group(3).strip()
    move = _WORDS.get(word)
    if move is None:
        return [Outgoing(Reply(say(ctx.lang, "repair_usage")))]
    if move == "pickup":
        slip = parse_slip(rest)
        if slip is None:
            return [Outgoing(Reply(say(ctx.lang, "pickup_incomplete")))]
        return await _run(ctx, number, "pickup", slip=slip)
    return await _run(ctx, number, move)


def _number(ref: str) -> int | None:
    ref = ref.strip().lstrip("#")
    return int(ref) if ref.isdigit() else None


async def press_repair_step(ctx: HandlerContext, press: ButtonPress) -> list[Outgoing]:
    """An engineer's button for a step that needs no details (confirm, repaired, returned)."""
    ref, _, move = press.ref.partition(":")
    number = _number(ref)
    if number is None or move not in ("confirm", "repair", "return"):
        return [Outgoing(Reply(say(ctx.lang, "stale_button")))]
    return await _run(ctx, number, move)


async def press_approve_repair(ctx: HandlerContext, number: int) -> list[Outgoing]:
    return await _run(ctx, number, "approve")


async def press_decline_repair(ctx: HandlerContext, number: int) -> list[Outgoing]:
    return await _run(ctx, number, "decline")


async def press_sign(ctx: HandlerContext, press: ButtonPress) -> list[Outgoing]:
    number = _number(press.ref)
    if number is None:
        return [Outgoing(Reply(say(ctx.lang, "stale_button")))]
    return await _run(ctx, number, "sign")
