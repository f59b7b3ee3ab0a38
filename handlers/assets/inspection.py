"""The monthly inspection checklist (巡检表): ticking items per device, and the first visit that
registers a device the registry does not know yet.

The same function serves chat and the command line. A first visit gives what the engineer sees on
the spot (``类型=台式机 使用人=李娜 位置=3F``); the label's prefix gives the type when none is
typed (PC- is a desktop), so ``巡检 PC-0160 all 使用人=李娜`` registers PC-0160 and ticks its items.
Fields given for a known device fill in or correct the registry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession

import storage
from handlers.assets.fields import HEADERS, FieldError, check_label, read_fields, type_of_label
from handlers.contract import AssetRules
from i18n import format_list, say

ALL_WORDS = frozenset({"all", "全部", "全", "*"})


class NotInRegistry(LookupError):
    """A device the registry does not know, and the engineer gave no type to register it with."""


def parse_items(text: str) -> tuple[str, ...] | None:
    """``all`` / ``全部`` or numbers of the contract's list (``1,2,3``, ``1-4 7``); None if unreadable."""
    text = text.strip().lower()
    if text in ALL_WORDS:
        return storage.INSPECTION_ITEMS
    chosen: set[int] = set()
    for part in re.split(r"[,，、;；\s]+", text):
        if not part:
            continue
        span = re.fullmatch(r"(\d{1,2})(?:\s*[-~～到]\s*(\d{1,2}))?", part)
        if span is None:
            return None
        first = int(span.group(1))
        last = int(span.group(2) or first)
        if not 1 <= first <= last <= len(storage.INSPECTION_ITEMS):
            return None
        chosen.update(range(first, last + 1))
    if not chosen:
        return None
    return tuple(storage.INSPECTION_ITEMS[n - 1] for n in sorted(chosen))


def item_name(lang: str, item: str) -> str:
    """``2 磁盘优化``: the item's number in the contract's list and its name."""
    return f"{storage.INSPECTION_ITEMS.index(item) + 1} {say(lang, f'inspection_item_{item}')}"


def item_names(lang: str, items: list[str] | tuple[str, ...]) -> str:
    if len(items) == len(storage.INSPECTION_ITEMS):
        return say(lang, "inspection_all_items")
    return format_list(lang, [item_name(lang, item) for item in items])


def device_summary(device: storage.Device) -> str:
    """``联想 M720 3F``: what the device is and where, as far as the registry knows; ``-`` if nothing."""
    return " ".join(part for part in (device.brand, device.model, device.location) if part) or "-"


def local_month(at: datetime, zone: tzinfo) -> str:
    return storage.month_of(at.astimezone(zone).date())


@dataclass(frozen=True)
class Ticked:
    device: storage.Device
    created: bool  # registered by this first visit
    updated: tuple[str, ...]  # registry fields given with the tick
    items: tuple[str, ...]
    left: tuple[str, ...]  # the month's items still not done for this device


async def tick(
    session: AsyncSession,
    *,
    label: str,
    items: tuple[str, ...],
    raw_fields: Mapping[str, str],
    by: str | None,
    at: datetime,
    source: str,
    month: str,
    rules: AssetRules,
) -> Ticked:
    """Tick ``items`` of ``month`` for the device, registering or completing it from ``raw_fields``.

    Raises ``FieldError`` for a bad label or field, ``NotInRegistry`` for an unknown device with no type."""
    label = check_label(label, rules.label_pattern)
    fields = await read_fields(session, raw_fields)
    device = await storage.get_device(session, label)
    if device is None and not fields.get("type"):
        guessed = type_of_label(label, rules.label_types)
        if guessed is None:
            raise NotInRegistry(label)
        fields["type"] = guessed
    device, created = await storage.upsert_device(session, label=label, now=at, **fields)
    await storage.tick_inspection(session, device, month=month, items=items, by=by, at=at, source=source)
    rows = await storage.inspection_for_month(session, month, types=[device.type])
    left = tuple(r.item for r in rows if r.device.id == device.id and not r.done)
    return Ticked(device, created, tuple(fields), items, left)


def field_problem(lang: str, error: FieldError) -> tuple[str, str]:
    """(the column as the export heads it, why its value was refused) in the reader's language."""
    return HEADERS.get(error.column, error.column), say(lang, f"asset_field_{error.code}", value=error.value)


def describe_field_error(lang: str, error: FieldError) -> str:
    column, why = field_problem(lang, error)
    return say(lang, "asset_field_error", column=column, why=why)


async def missing_text(session: AsyncSession, lang: str, month: str, limit: int = 30) -> str:
    """What is left of ``month``'s checklist, device by device (at most ``limit`` devices shown)."""
    missing = await storage.inspection_missing(session, month)
    if not missing:
        return say(lang, "inspection_nothing_left", month=month)
    owners = {p.id: p.name for p in await storage.list_people(session)}
    lines = [say(lang, "inspection_left_header", month=month, devices=len(missing))]
    for device, items in missing[:limit]:
        where = " ".join(part for part in (device.location, owners.get(device.owner_id or "", "")) if part)
        lines.append(
            say(lang, "inspection_left_line", label=device.label, where=where or "-", items=item_names(lang, items))
        )
    if len(missing) > limit:
        lines.append(say(lang, "inspection_left_more", count=len(missing) - limit))
    return "\n".join(lines)
