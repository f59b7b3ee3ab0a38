"""Purchase requests: the requester asks, the engineers recommend and quote, the requester decides.

What the message gives (items, quantity, budget, needed-by) is parsed and stored at once, and the
engineers are told at once, so nothing waits on a question. When something is missing the bot
asks for it once, through a dialog stored in the database; the answer (or "skip") updates the
request and the engineers. An engineer answers with ``采购 P12 推荐 <型号> 报价 <金额>``; the
requester, or a manager of the customer approving for them, approves or declines with a button.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

import storage
from core.messages import Action, Button, Outgoing, Reply
from handlers import dialogs
from handlers.context import HandlerContext
from handlers.numerals import NUMERAL, chinese_number
from handlers.permissions import Move, Relation, may, relations
from handlers.service.staff import staff_for
from i18n import format_list, say, yuan
from nlu.triage import Triage
from storage import service_requests as service_store
from storage.models import Dialog, PurchaseRequest

__all__ = [
    "PurchaseDetails",
    "decide_purchase",
    "details_step",
    "handle_purchase",
    "parse_details",
    "purchase_code",
    "purchase_command",
    "quote_purchase",
]

_SKIP = ("跳过", "不清楚", "不知道", "没有", "skip", "no", "none")

_UNITS = r"(?:台|个|套|部|张|只|把|份|件|副|组|支|条|units?|pcs|sets?)"
_QUANTITY = re.compile(rf"(\d+|{NUMERAL}+)\s*{_UNITS}", re.IGNORECASE)
# A sum in Chinese numerals has a 十, 百, 千 or 万 (一万五, 三千): "预算一下" names no sum.
_AMOUNT = rf"[¥￥]?\s*(\d+(?:\.\d+)?|{NUMERAL}*[十百千万]{NUMERAL}*)\s*(万|w|千|k)?\s*(?:元|块|rmb|yuan)?"
_BUDGET = (
    re.compile(rf"(?:预算|budget)\s*(?:是|为|在|大概|大约|约|:|：)?\s*{_AMOUNT}", re.IGNORECASE),
    re.compile(rf"{_AMOUNT}\s*(?:以内|左右|以下|之内)", re.IGNORECASE),
)
_NEEDED_BY = re.compile(
    r"(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\s*月\s*\d{1,2}\s*[日号]?|[下本这]周[一二三四五六日天]?|下个?月[初中底]?|月底|月初|"
    r"年底|明天|后天|今天|尽快|马上)\s*(?:之前|以前|前|到位|要)?"
)
_COMMAND = re.compile(r"^\s*(?:采购|purchase)\s*P?(\d+)\s+(.+)$", re.IGNORECASE | re.DOTALL)
_QUOTE = re.compile(
    rf"(?:(?:推荐|recommend)\s*(.*?)\s*)?(?:报价|quote)\s*(?::|：)?\s*{_AMOUNT}\s*(.*)$", re.IGNORECASE | re.DOTALL
)


@dataclass(frozen=True)
class PurchaseDetails:
    quantity: int | None
    budget_fen: int | None
    needed_by: str | None

    @property
    def empty(self) -> bool:
        return self.quantity is None and self.budget_fen is None and self.needed_by is None


def _fen(number: str, scale: str | None) -> int | None:
    """An amount in fen from its figure (1.5, 3000, 一万五) and scale; None for a range (两三千)."""
    factor = {"万": 10000, "w": 10000, "千": 1000, "k": 1000}.get((scale or "").lower(), 1)
    value = float(number) if number[0].isdecimal() else chinese_number(number)
    return None if value is None else round(value * factor * 100)


def _quantity(numeral: str) -> int | None:
    """两台 is 2, 十二台 12; a range (两三台, 三四十个) counts its upper end, which a quote must cover."""
    quantity = chinese_number(numeral)
    return quantity if quantity is not None or len(numeral) < 2 else chinese_number(numeral[1:])


def parse_details(text: str) -> PurchaseDetails:
    """Quantity, budget and needed-by as far as the text says them."""
    quantity = None
    if (q := _QUANTITY.search(text)) is not None:
        quantity = _quantity(q.group(1))
    budget = None
    for pattern in _BUDGET:
        if (b := pattern.search(text)) is not None:
            budget = _fen(b.group(1), b.group(2))
            break
    needed = _NEEDED_BY.search(text)
    return PurchaseDetails(quantity, budget, needed.group(0).strip() if needed else None)


def purchase_code(request_id: int) -> str:
    return f"P{request_id}"


def _summary(lang: str, request: PurchaseRequest) -> str:
    missing = say(lang, "not_given")
    return say(
        lang,
        "purchase_summary",
        items=request.items,
        quantity=request.quantity if request.quantity is not None else missing,
        budget=yuan(request.budget_fen, lang),
        needed_by=request.needed_by or missing,
    )


def _notes(lang: str, request: PurchaseRequest) -> str:
    return say(lang, "purchase_notes", notes=request.notes) if request.notes else ""


async def _tell_engineers(
    session: AsyncSession, engineers: tuple[str, ...], key: str, request: PurchaseRequest, requester: storage.Person
) -> list[Outgoing]:
    out: list[Outgoing] = []
    for engineer_id in engineers:
        engineer = await storage.get_person(session, engineer_id)
        lang = (engineer.language if engineer else None) or "zh"
        text = say(
            lang,
            key,
            code=purchase_code(request.id),
            name=requester.name,
            department=requester.department or "-",
            summary=_summary(lang, request),
            notes=_notes(lang, request),
        )
        out.append(Outgoing(Reply(text), to=engineer_id))
    return out


async def handle_purchase(ctx: HandlerContext, triage: Triage) -> list[Outgoing]:
    """Record the request, tell the engineers, and ask the requester for what is missing."""
    details = parse_details(ctx.message.text)
    request = await service_store.add_purchase_request(
        ctx.session,
        requester_id=ctx.person.id,
        text=ctx.message.text,
        channel=ctx.message.channel,
        items=ctx.message.text,
        quantity=details.quantity,
        budget_fen=details.budget_fen,
        needed_by=details.needed_by,
        now=ctx.now,
    )
    staff = await staff_for(ctx)
    await service_store.record_service_event(
        ctx.session,
        subject="purchase",
        subject_id=request.id,
        at=ctx.now,
        actor_id=ctx.person.id,
        action="requested",
        source=ctx.message.channel,
        detail={"engineers": list(staff.engineers)},
    )
    code = purchase_code(request.id)
    text = say(ctx.lang, "purchase_recorded", code=code, summary=_summary(ctx.lang, request))
    missing = [
        say(ctx.lang, f"field_{name}")
        for name, value in (
            ("quantity", details.quantity),
            ("budget", details.budget_fen),
            ("needed_by", details.needed_by),
        )
        if value is None
    ]
    if missing:
        text += "\n\n" + say(ctx.lang, "purchase_ask_details", missing=format_list(ctx.lang, missing))
        await dialogs.open_dialog(ctx, "purchase_details", str(request.id))
    notices = await _tell_engineers(ctx.session, staff.engineers, "purchase_notice", request, ctx.person)
    return [Outgoing(Reply(text)), *notices]


async def details_step(ctx: HandlerContext, dialog: Dialog) -> list[Outgoing] | None:
    """The requester's answer to "what is missing": fills what it names, the rest becomes notes."""
    await dialogs.close_dialog(ctx, dialog)
    request = await service_store.get_purchase_request(ctx.session, int(dialog.ref)) if dialog.ref.isdigit() else None
    if request is None or request.status != "open":
        return None
    text = ctx.message.text.strip()
    if text.lower() in _SKIP:
        return [Outgoing(Reply(say(ctx.lang, "purchase_skip")))]
    details = parse_details(text)
    request.quantity = request.quantity if details.quantity is None else details.quantity
    request.budget_fen = request.budget_fen if details.budget_fen is None else details.budget_fen
    request.needed_by = request.needed_by or details.needed_by
    request.notes = f"{request.notes}\n{text}" if request.notes else text
    await service_store.record_service_event(
        ctx.session,
        subject="purchase",
        subject_id=request.id,
        at=ctx.now,
        actor_id=ctx.person.id,
        action="details",
        source=ctx.message.channel,
        detail={"text": text},
    )
    staff = await staff_for(ctx)
    code = purchase_code(request.id)
    reply = say(
        ctx.lang, "purchase_updated", code=code, summary=_summary(ctx.lang, request), notes=_notes(ctx.lang, request)
    )
    notices = await _tell_engineers(ctx.session, staff.engineers, "purchase_update_notice", request, ctx.person)
    return [Outgoing(Reply(reply)), *notices]


def _request_id(ref: str) -> int | None:
    ref = ref.strip().upper().removeprefix("P")
    return int(ref) if ref.isdigit() else None


async def quote_purchase(
    ctx: HandlerContext, request: PurchaseRequest, recommendation: str, quote_fen: int
) -> list[Outgoing]:
    """An engineer's recommendation and quote; goes to the requester with approve / decline buttons."""
    code = purchase_code(request.id)
    if request.status in ("approved", "declined"):
        decision = say(ctx.lang, f"decision_{request.status}")
        return [Outgoing(Reply(say(ctx.lang, "purchase_decided_already", code=code, decision=decision)))]
    request.status, request.recommendation, request.quote_fen = "quoted", recommendation, quote_fen
    request.quoted_by, request.quoted_at = ctx.person.id, ctx.now
    await service_store.record_service_event(
        ctx.session,
        subject="purchase",
        subject_id=request.id,
        at=ctx.now,
        actor_id=ctx.person.id,
        action="quoted",
        source=ctx.message.channel,
        detail={"recommendation": recommendation, "fen": quote_fen},
    )
    requester = await storage.get_person(ctx.session, request.requester_id)
    lang = (requester.language if requester else None) or "zh"
    buttons = (
        Button(say(lang, "button_approve_purchase"), Action.APPROVE, f"purchase:{request.id}"),
        Button(say(lang, "button_decline_purchase"), Action.DECLINE, f"purchase:{request.id}"),
    )
    text = say(
        lang,
        "purchase_quoted",
        code=code,
        recommendation=recommendation or "-",
        quote=yuan(quote_fen, lang),
        engineer=ctx.person.name,
    )
    name = requester.name if requester else request.requester_id
    out = [
        Outgoing(Reply(say(ctx.lang, "purchase_quote_sent", name=name, code=code))),
        Outgoing(Reply(text, buttons), to=request.requester_id),
    ]
    for manager in await _approvers(ctx, requester):
        mlang = manager.language or "zh"
        copy = say(
            mlang,
            "purchase_quoted_manager",
            code=code,
            name=name,
            recommendation=recommendation or "-",
            quote=yuan(quote_fen, mlang),
            engineer=ctx.person.name,
        )
        their_buttons = (
            Button(say(mlang, "button_approve_purchase"), Action.APPROVE, f"purchase:{request.id}"),
            Button(say(mlang, "button_decline_purchase"), Action.DECLINE, f"purchase:{request.id}"),
        )
        out.append(Outgoing(Reply(copy, their_buttons), to=manager.id))
    return out


async def _approvers(ctx: HandlerContext, requester: storage.Person | None) -> list[storage.Person]:
    """The customer's managers who may approve for the requester and so get their own copy of the
    quote (a button is bound to whom it was sent): those of the requester's department, else all."""
    if requester is None:
        return []
    managers = [
        p
        for p in await storage.list_people(ctx.session, role="manager")
        if p.id != requester.id
        and may(Move.PURCHASE_DECIDE, relations(p.role, p.id, service_company=p.service_company))
    ]
    staff = await staff_for(ctx)
    managers = [p for p in managers if p.id not in (staff.service_manager, staff.director)]
    same = [p for p in managers if p.department == requester.department]
    return same or managers


async def purchase_command(ctx: HandlerContext) -> list[Outgoing] | None:
    """``采购 P12 推荐 ThinkPad T14 报价 8999`` from an engineer; None for anything else."""
    if not may(Move.PURCHASE_QUOTE, relations(ctx.person.role, ctx.person.id)):
        return None
    command = _COMMAND.match(ctx.message.text)
    if command is None:
        return None
    request = await service_store.get_purchase_request(ctx.session, int(command.group(1)))
    if request is None:
        return [Outgoing(Reply(say(ctx.lang, "purchase_none", code=purchase_code(int(command.group(1))))))]
    body = _QUOTE.search(command.group(2))
    if body is None:
        return [Outgoing(Reply(say(ctx.lang, "purchase_quote_unreadable")))]
    quote_fen = _fen(body.group(2), body.group(3))
    if quote_fen is None:
        return [Outgoing(Reply(say(ctx.lang, "purchase_quote_unreadable")))]
    recommendation = " ".join(part.strip() for part in (body.group(1) or "", body.group(4) or "") if part.strip())
    return await quote_purchase(ctx, request, recommendation, quote_fen)


async def _may_decide(ctx: HandlerContext, request: PurchaseRequest) -> bool:
    """The requester, or a manager of the customer (not the service company's) approving for them."""
    staff = await staff_for(ctx)
    held = relations(
        ctx.person.role,
        ctx.person.id,
        service_company=ctx.person.service_company,
        requester=request.requester_id,
    )
    if ctx.person.id in (staff.service_manager, staff.director):
        held -= {Relation.CUSTOMER_MANAGER}  # the service company's leads never approve for the customer
    return may(Move.PURCHASE_DECIDE, held)


async def decide_purchase(ctx: HandlerContext, ref: str, approve: bool) -> list[Outgoing]:
    """Approve or decline a quoted request; the engineer who quoted is told."""
    request_id = _request_id(ref)
    request = await service_store.get_purchase_request(ctx.session, request_id) if request_id else None
    if request is None:
        return [Outgoing(Reply(say(ctx.lang, "stale_button")))]
    code = purchase_code(request.id)
    if not await _may_decide(ctx, request):
        return [Outgoing(Reply(say(ctx.lang, "purchase_not_approver")))]
    if request.status in ("approved", "declined"):
        decision = say(ctx.lang, f"decision_{request.status}")
        return [Outgoing(Reply(say(ctx.lang, "purchase_decided_already", code=code, decision=decision)))]
    if request.status != "quoted":
        return [Outgoing(Reply(say(ctx.lang, "purchase_not_quoted", code=code)))]
    status = "approved" if approve else "declined"
    request.status, request.decided_by, request.decided_at = status, ctx.person.id, ctx.now
    await service_store.record_service_event(
        ctx.session,
        subject="purchase",
        subject_id=request.id,
        at=ctx.now,
        actor_id=ctx.person.id,
        action=status,
        source=ctx.message.channel,
        detail={"fen": request.quote_fen},
    )
    reply = say(
        ctx.lang,
        "purchase_decided",
        decision=say(ctx.lang, f"decision_{status}"),
        code=code,
        recommendation=request.recommendation or "-",
        quote=yuan(request.quote_fen, ctx.lang),
    )
    out = [Outgoing(Reply(reply))]
    if request.quoted_by:
        engineer = await storage.get_person(ctx.session, request.quoted_by)
        lang = (engineer.language if engineer else None) or "zh"
        notice = say(
            lang,
            "purchase_decided_notice",
            code=code,
            name=ctx.person.name,
            decision=say(lang, f"decision_{status}"),
            recommendation=request.recommendation or "-",
            quote=yuan(request.quote_fen, lang),
        )
        out.append(Outgoing(Reply(notice), to=request.quoted_by))
    return out
