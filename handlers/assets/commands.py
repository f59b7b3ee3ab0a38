"""The registry and the checklist in chat, Chinese and English forms:

    设备 1042 PC-0157 | /device 1042 PC-0157        link ticket 1042 to device PC-0157
    巡检 PC-0157 1,2,3 | /inspect PC-0157 all       tick this month's items (numbers of the contract's list)
    巡检 PC-0160 all 使用人=李娜 位置=3F             a first visit: registers PC-0160 and ticks its items
    巡检 PC-0157 | /inspect PC-0157                 the device's checklist this month
    巡检 剩余 | /inspect left [2026-11]              what is left of the month, device by device

Engineers tick and link; managers see what is left; anyone else who writes one of these gets one
refusal that says nothing about the ticket or the device. The Chinese forms are taken only when
they parse, so "巡检什么时候来" still reaches triage; a ``/`` form always gets an answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import storage
from core.messages import Outgoing, Reply
from handlers.assets.fields import FieldError, parse_assignments
from handlers.assets.inspection import (
    NotInRegistry,
    describe_field_error,
    device_summary,
    item_name,
    item_names,
    local_month,
    missing_text,
    parse_items,
    tick,
)
from handlers.assets.links import rules_of
from handlers.context import HandlerContext
from handlers.permissions import Move, may, relations
from i18n import format_list, say
from nlu.triage import Triage

_TRAILING = "？?。.!！ \t\n"
_LINK = re.compile(r"(?:设备|/device)\s*#?(?P<number>\d{1,9})\s+(?P<label>[A-Za-z0-9-]{2,32})", re.IGNORECASE)
_LEFT = re.compile(
    r"(?:巡检|/inspect)\s*(?:left|剩余|未完成|还剩什么|还剩)(?:\s+(?P<month>\d{4}-\d{1,2}))?", re.IGNORECASE
)
_DEVICE = re.compile(r"(?:巡检|/inspect)\s+(?P<label>[A-Za-z]+-\d+)(?:\s+(?P<rest>.+))?", re.IGNORECASE | re.DOTALL)
_SLASH = re.compile(r"/(?:inspect|device)\b", re.IGNORECASE)


@dataclass(frozen=True)
class AssetCommand:
    name: str  # link | tick | show | left | usage
    label: str = ""
    number: int | None = None
    items: tuple[str, ...] = ()
    fields_text: str = ""
    month: str | None = None


def parse_asset_command(text: str) -> AssetCommand | None:
    """The registry or checklist command a message is, or None for anything else."""
    cleaned = text.strip().rstrip(_TRAILING)
    link = _LINK.fullmatch(cleaned)
    if link is not None:
        return AssetCommand("link", label=link.group("label"), number=int(link.group("number")))
    left = _LEFT.fullmatch(cleaned)
    if left is not None:
        month = left.group("month")
        if month is not None:
            year, _, number = month.partition("-")
            month = f"{year}-{int(number):02d}" if 1 <= int(number) <= 12 else None
            if month is None:
                return AssetCommand("usage")
        return AssetCommand("left", month=month)
    device = _DEVICE.fullmatch(text.strip())
    if device is not None:
        rest = (device.group("rest") or "").strip().rstrip("。.!！")
        if not rest:
            return AssetCommand("show", label=device.group("label"))
        items_text = rest.partition(_first_assignment(rest))[0]
        items = parse_items(items_text) if items_text.strip() else None
        if items is not None:
            assignment = rest[len(items_text) :]
            return AssetCommand("tick", label=device.group("label"), items=items, fields_text=assignment)
    if _SLASH.match(cleaned):
        return AssetCommand("usage")
    return None


def _first_assignment(rest: str) -> str:
    """The first ``name=`` word of ``rest`` (where the fields start), or a string not in it."""
    found = re.search(r"\S+\s*[=＝]", rest)
    return found.group(0) if found else "\0"


_MOVES = {
    "link": Move.DEVICE_LINK,
    "tick": Move.INSPECTION_TICK,
    "show": Move.INSPECTION_VIEW,
    "left": Move.INSPECTION_VIEW,
    "usage": Move.INSPECTION_VIEW,
}


async def asset_command(ctx: HandlerContext, _triage: Triage | None = None) -> list[Outgoing] | None:
    """A registry or checklist command (see the module), or None when the text is none of these."""
    command = parse_asset_command(ctx.message.text)
    if command is None:
        return None
    held = relations(ctx.person.role, ctx.person.id, service_company=ctx.person.service_company)
    if not may(_MOVES[command.name], held):
        return [Outgoing(Reply(say(ctx.lang, "asset_refused")))]
    if command.name == "usage":
        return [Outgoing(Reply(say(ctx.lang, "asset_usage")))]
    if command.name == "link":
        return [Outgoing(Reply(await _link(ctx, command)))]
    if command.name == "left":
        month = command.month or local_month(ctx.now, ctx.zone)
        return [Outgoing(Reply(await missing_text(ctx.session, ctx.lang, month)))]
    if command.name == "show":
        return [Outgoing(Reply(await _show(ctx, command.label)))]
    return [Outgoing(Reply(await _tick(ctx, command)))]


async def _link(ctx: HandlerContext, command: AssetCommand) -> str:
    assert command.number is not None
    ticket = await storage.get_ticket(ctx.session, command.number)
    if ticket is None:
        return say(ctx.lang, "no_ticket", number=command.number)
    device = await storage.get_device(ctx.session, command.label)
    if device is None:
        return say(ctx.lang, "asset_unknown_device", label=storage.normalise_label(command.label))
    linked = await storage.link_ticket_device(
        ctx.session, ticket, device, at=ctx.now, by=ctx.person.id, source=ctx.message.channel
    )
    if not linked:
        return say(ctx.lang, "asset_already_linked", number=ticket.number, label=device.label)
    faults = [t.number for t in await storage.device_faults(ctx.session, device.id) if t.id != ticket.id]
    text = say(ctx.lang, "asset_linked", number=ticket.number, label=device.label, what=device_summary(device))
    if faults:
        earlier = format_list(ctx.lang, [f"#{n}" for n in faults])
        text += "\n" + say(ctx.lang, "asset_earlier_faults", count=len(faults), tickets=earlier)
    return text


async def _tick(ctx: HandlerContext, command: AssetCommand) -> str:
    assignments = parse_assignments(command.fields_text)
    if assignments.unknown:
        return say(ctx.lang, "asset_unknown_fields", names=format_list(ctx.lang, list(assignments.unknown)))
    month = local_month(ctx.now, ctx.zone)
    try:
        # A savepoint: a refused field leaves nothing half-done in the message's transaction.
        async with ctx.session.begin_nested():
            done = await tick(
                ctx.session,
                label=command.label,
                items=command.items,
                raw_fields=assignments.fields,
                by=ctx.person.id,
                at=ctx.now,
                source=ctx.message.channel,
                month=month,
                rules=rules_of(ctx),
            )
    except FieldError as error:
        return describe_field_error(ctx.lang, error)
    except NotInRegistry:
        return say(ctx.lang, "inspection_needs_type", label=storage.normalise_label(command.label))
    lines = []
    if done.created:
        lines.append(say(ctx.lang, "inspection_registered", label=done.device.label, what=device_summary(done.device)))
    lines.append(
        say(ctx.lang, "inspection_ticked", label=done.device.label, month=month, items=item_names(ctx.lang, done.items))
    )
    if done.left:
        lines.append(say(ctx.lang, "inspection_device_left", items=item_names(ctx.lang, list(done.left))))
    else:
        lines.append(say(ctx.lang, "inspection_device_complete"))
    return "\n".join(lines)


async def _show(ctx: HandlerContext, label: str) -> str:
    device = await storage.get_device(ctx.session, label)
    if device is None:
        return say(ctx.lang, "asset_unknown_device", label=storage.normalise_label(label))
    month = local_month(ctx.now, ctx.zone)
    rows = [
        r
        for r in await storage.inspection_for_month(ctx.session, month, types=[device.type])
        if r.device.id == device.id
    ]
    done = [item_name(ctx.lang, r.item) for r in rows if r.done]
    left = [r.item for r in rows if not r.done]
    lines = [say(ctx.lang, "inspection_device_header", label=device.label, what=device_summary(device), month=month)]
    lines.append(say(ctx.lang, "inspection_device_done", items=format_list(ctx.lang, done) if done else "-"))
    lines.append(
        say(ctx.lang, "inspection_device_left", items=item_names(ctx.lang, left))
        if left
        else say(ctx.lang, "inspection_device_complete")
    )
    return "\n".join(lines)
