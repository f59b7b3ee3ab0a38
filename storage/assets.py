"""The asset registry and the monthly inspection checklist: rows, look-ups and their trail.

What callers can rely on (the reports read these; keep the names stable):

- ``list_devices(session)`` — the registry, by label;
- ``device_faults(session, device_id)`` — the tickets linked to a device, oldest first;
- ``inspection_for_month(session, month)`` — one ``InspectionRow`` per inspected device and
  checklist item, in label then contract order, with the record when the item was done;
- ``INSPECTION_ITEMS`` — the contract's monthly items, in the contract's order (numbered from 1).

Labels are compared upper-case (``normalise_label``): ``pc-0157`` and ``PC-0157`` are one device.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Device, InspectionRecord, Ticket, TicketDevice
from storage.tickets import add_event

# The contract's monthly items per computer, in the contract's order; people tick them by number
# (1 = junk clean-up ... 11 = upgrade advice). Their names are catalog entries ``inspection_item_<key>``.
INSPECTION_ITEMS: tuple[str, ...] = (
    "junk_cleanup",  # 垃圾清理
    "disk_optimisation",  # 磁盘优化
    "startup_items",  # 启动项
    "backups",  # 备份
    "virus_definitions",  # 病毒库更新
    "os_driver_patches",  # 系统及驱动补丁
    "full_virus_scan",  # 全盘杀毒
    "peripherals",  # 外设检查
    "lan_sharing",  # 局域网及共享
    "hardware_check",  # 硬件检查
    "upgrade_advice",  # 升级建议
)

# The device types the monthly checklist applies to ("per computer").
COMPUTER_TYPES: tuple[str, ...] = ("pc", "laptop")

# The registry's columns a caller may set, besides the label (what import and export carry).
DEVICE_FIELDS: tuple[str, ...] = (
    "type",
    "brand",
    "model",
    "configuration",
    "owner_id",
    "location",
    "purchase_date",
    "warranty_end",
    "notes",
    "active",
)

# The ticket history action written when a ticket is linked to a device.
DEVICE_LINKED_EVENT = "device_linked"


def normalise_label(label: str) -> str:
    return label.strip().upper()


def month_of(day: date | datetime) -> str:
    """The ``YYYY-MM`` month key of a day (give a local date, not a UTC time, near midnight)."""
    return f"{day.year:04d}-{day.month:02d}"


async def get_device(session: AsyncSession, label: str) -> Device | None:
    return await session.scalar(select(Device).where(Device.label == normalise_label(label)))


async def get_device_by_id(session: AsyncSession, device_id: int) -> Device | None:
    return await session.get(Device, device_id)


async def list_devices(
    session: AsyncSession, *, active_only: bool = False, types: Sequence[str] | None = None
) -> list[Device]:
    """The registry ordered by label; ``types`` keeps only those types (e.g. ``COMPUTER_TYPES``)."""
    query = select(Device).order_by(Device.label)
    if active_only:
        query = query.where(Device.active.is_(True))
    if types is not None:
        query = query.where(Device.type.in_(list(types)))
    return list((await session.scalars(query)).all())


async def upsert_device(session: AsyncSession, *, label: str, now: datetime, **fields: Any) -> tuple[Device, bool]:
    """Create the device with this label, or update the given fields of the existing one.

    Returns (device, created). Only the fields passed are changed, so a partial row (a first visit's
    inspection knows the type and the owner, not the purchase date) never blanks what is known."""
    unknown = set(fields) - set(DEVICE_FIELDS)
    if unknown:
        raise ValueError(f"not a device field: {sorted(unknown)}")
    device = await get_device(session, label)
    created = device is None
    if device is None:
        device = Device(
            label=normalise_label(label),
            type="",
            brand="",
            model="",
            configuration="",
            location="",
            notes="",
            active=True,
            created_at=now,
            updated_at=now,
        )
        session.add(device)
    changed = False
    for name, value in fields.items():
        if getattr(device, name) != value:
            setattr(device, name, value)
            changed = True
    if changed and not created:
        device.updated_at = now
    await session.flush()
    return device, created


async def link_ticket_device(
    session: AsyncSession,
    ticket: Ticket,
    device: Device,
    *,
    at: datetime,
    by: str | None,
    source: str,
) -> bool:
    """Link a ticket to a device and write the ``device_linked`` event in the ticket's history.

    ``by`` None means the label was recognised in the message. Linking again is a no-op (False)."""
    existing = await session.scalar(
        select(TicketDevice).where(TicketDevice.ticket_id == ticket.id, TicketDevice.device_id == device.id)
    )
    if existing is not None:
        return False
    session.add(TicketDevice(ticket_id=ticket.id, device_id=device.id, linked_at=at, linked_by=by, source=source))
    await add_event(
        session,
        ticket,
        at=at,
        actor_id=by,
        action=DEVICE_LINKED_EVENT,
        source=source,
        detail={"device": device.label, "how": "engineer" if by else "message"},
    )
    return True


async def devices_of_ticket(session: AsyncSession, ticket_id: int) -> list[Device]:
    query = (
        select(Device)
        .join(TicketDevice, TicketDevice.device_id == Device.id)
        .where(TicketDevice.ticket_id == ticket_id)
        .order_by(Device.label)
    )
    return list((await session.scalars(query)).all())


async def device_faults(session: AsyncSession, device_id: int) -> list[Ticket]:
    """The tickets linked to a device, oldest first: its faults and repairs as the store knows them."""
    query = (
        select(Ticket)
        .join(TicketDevice, TicketDevice.ticket_id == Ticket.id)
        .where(TicketDevice.device_id == device_id)
        .order_by(Ticket.created_at, Ticket.id)
    )
    return list((await session.scalars(query)).all())


async def tick_inspection(
    session: AsyncSession,
    device: Device,
    *,
    month: str,
    items: Iterable[str],
    by: str | None,
    at: datetime,
    source: str,
    result: str = "ok",
    note: str = "",
) -> list[InspectionRecord]:
    """Record items of the month's checklist as done for a device; an item done again is updated
    (who, when, result), so a tick is never counted twice."""
    records: list[InspectionRecord] = []
    for item in items:
        if item not in INSPECTION_ITEMS:
            raise ValueError(f"not an inspection item: {item!r}")
        record = await session.scalar(
            select(InspectionRecord).where(
                InspectionRecord.device_id == device.id,
                InspectionRecord.month == month,
                InspectionRecord.item == item,
            )
        )
        if record is None:
            record = InspectionRecord(device_id=device.id, month=month, item=item)
            session.add(record)
        record.result, record.note, record.done_by, record.done_at, record.source = result, note, by, at, source
        records.append(record)
    await session.flush()
    return records


@dataclass(frozen=True)
class InspectionRow:
    """One cell of the month's checklist: a device, an item, and the record if it was done."""

    device: Device
    item: str
    record: InspectionRecord | None

    @property
    def done(self) -> bool:
        return self.record is not None


async def inspection_for_month(
    session: AsyncSession, month: str, *, types: Sequence[str] = COMPUTER_TYPES
) -> list[InspectionRow]:
    """Every active device of ``types`` × every contract item, with what was done in ``month``.

    A device retired (inactive) is left out unless something was ticked for it that month."""
    records = (await session.scalars(select(InspectionRecord).where(InspectionRecord.month == month))).all()
    done = {(r.device_id, r.item): r for r in records}
    ticked_devices = {r.device_id for r in records}
    rows: list[InspectionRow] = []
    for device in await list_devices(session, types=types):
        if not device.active and device.id not in ticked_devices:
            continue
        rows.extend(InspectionRow(device, item, done.get((device.id, item))) for item in INSPECTION_ITEMS)
    return rows


async def inspection_missing(
    session: AsyncSession, month: str, *, types: Sequence[str] = COMPUTER_TYPES
) -> list[tuple[Device, list[str]]]:
    """The devices with items not done in ``month``, each with its missing items in contract order."""
    missing: dict[int, tuple[Device, list[str]]] = {}
    for row in await inspection_for_month(session, month, types=types):
        if not row.done:
            missing.setdefault(row.device.id, (row.device, []))[1].append(row.item)
    return list(missing.values())
