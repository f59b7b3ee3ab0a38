"""设备状况表 and 巡检表: the asset registry with each device's faults and repairs, and one month's
inspection checklist per computer, as documents (from the registry the asset helpers keep:
``storage.list_devices``, ``device_faults``, ``inspection_for_month``).
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession

import storage
from i18n import say, severity_name, step_name
from reports.document import Cell, Document, Section, Table
from reports.period import Month
from storage import reports as report_store
from storage import service_requests as service_store

__all__ = ["device_status_document", "inspection_document"]


def _time(at: datetime | None, zone: tzinfo) -> Cell:
    return Cell(at.astimezone(zone).replace(tzinfo=None) if at else None, "time")


def _day(day: date | None) -> Cell:
    return Cell(day.isoformat() if day else None)


async def device_status_document(session: AsyncSession, lang: str, zone: tzinfo, now: datetime) -> Document:
    """Every device of the registry with its faults (linked tickets) and their repairs and costs."""
    people = await report_store.people_by_id(session)
    today = now.astimezone(zone).date()
    registry, faults = [], []
    for device in await storage.list_devices(session):
        tickets = await storage.device_faults(session, device.id)
        cost = 0
        repairs = 0
        for ticket in tickets:
            repair = await service_store.repair_for_ticket(session, ticket.id)
            if repair is not None:
                repairs += 1
                if repair.step in ("approved", "repaired", "returned", "signed"):
                    cost += repair.quote_fen or 0
            faults.append(
                (
                    Cell(device.label),
                    Cell(f"#{ticket.number}"),
                    _time(ticket.created_at, zone),
                    Cell(severity_name(lang, ticket.severity) if ticket.severity else "—"),
                    Cell(ticket.text[:40]),
                    Cell(step_name(lang, repair.step) if repair is not None else "—"),
                    Cell(repair.quote_fen if repair is not None else None, "money"),
                )
            )
        owner = people.get(device.owner_id or "")
        warranty = device.warranty_end
        registry.append(
            (
                Cell(device.label),
                Cell(device.type or "—"),
                Cell(" ".join(p for p in (device.brand, device.model) if p) or "—"),
                Cell(owner.name if owner else (device.owner_id or "—")),
                Cell(device.location or "—"),
                _day(device.purchase_date),
                Cell(
                    None
                    if warranty is None
                    else say(lang, "devices_warranty_expired", day=warranty.isoformat())
                    if warranty < today
                    else warranty.isoformat()
                ),
                Cell(len(tickets), "int"),
                Cell(repairs, "int"),
                Cell(cost, "money"),
            )
        )
    columns = ("label", "type", "model", "owner", "location", "purchased", "warranty", "faults", "repairs", "cost")
    registry_table = Table(
        tuple(say(lang, f"devices_col_{c}") for c in columns),
        tuple(registry),
        widths=(1.3, 0.9, 2, 1.2, 1.2, 1.3, 1.5, 0.8, 0.8, 1.1),
    )
    fault_columns = ("label", "ticket", "opened", "severity", "problem", "step", "quote")
    fault_table = Table(
        tuple(say(lang, f"devices_col_{c}") for c in fault_columns),
        tuple(faults),
        title=say(lang, "devices_faults"),
        widths=(1.2, 1, 1.8, 1.4, 3.5, 1.2, 1.1),
    )
    title = say(lang, "devices_title")
    return Document(
        title=title,
        subtitle=say(lang, "devices_subtitle", day=today.isoformat()),
        lang=lang,
        sections=(Section(title, (registry_table, fault_table)),),
        overview_sheet=say(lang, "report_sheet_overview"),
        footer=say(lang, "report_footer", at=now.astimezone(zone).strftime("%Y-%m-%d %H:%M")),
    )


async def inspection_document(session: AsyncSession, month: Month, lang: str, zone: tzinfo, now: datetime) -> Document:
    """The month's checklist: one row per computer, one column per contract item (√ done, ! done
    with an issue, blank not done), and how much of it was done."""
    rows = await storage.inspection_for_month(session, str(month))
    items = storage.INSPECTION_ITEMS
    devices: dict[str, dict[str, str]] = {}
    issues = []
    for row in rows:
        marks = devices.setdefault(row.device.label, {})
        if row.record is not None:
            marks[row.item] = "!" if row.record.result == "issue" else "√"
            if row.record.result == "issue" or row.record.note:
                issues.append((row.device.label, row.item, row.record))
    body = []
    for label, marks in devices.items():
        done = sum(1 for item in items if item in marks)
        body.append(
            (
                Cell(label),
                *(Cell(marks.get(item, "")) for item in items),
                Cell(done / len(items), "percent"),
            )
        )
    checklist = Table(
        (
            say(lang, "devices_col_label"),
            *(say(lang, f"inspection_item_{i}") for i in items),
            say(lang, "inspection_done"),
        ),
        tuple(body),
        widths=(1.4, *(1.0 for _ in items), 1.1),
    )
    total = len(devices) * len(items)
    done_count = sum(1 for row in rows if row.record is not None)
    summary = Table(
        (say(lang, "report_col_item"), say(lang, "report_col_value")),
        (
            (Cell(say(lang, "inspection_devices")), Cell(len(devices), "int")),
            (Cell(say(lang, "inspection_items_done")), Cell(done_count, "int")),
            (Cell(say(lang, "inspection_done")), Cell(done_count / total if total else None, "percent")),
        ),
        widths=(3, 1),
    )
    notes = Table(
        tuple(say(lang, f"inspection_col_{c}") for c in ("label", "item", "result", "note", "at")),
        tuple(
            (
                Cell(label),
                Cell(say(lang, f"inspection_item_{item}")),
                Cell(record.result),
                Cell(record.note or "—"),
                _time(record.done_at, zone),
            )
            for label, item, record in issues
        ),
        title=say(lang, "inspection_notes"),
        widths=(1.2, 1.6, 0.8, 4, 1.6),
    )
    title = say(lang, "inspection_title")
    return Document(
        title=title,
        subtitle=str(month),
        lang=lang,
        sections=(Section(title, (summary, checklist, notes)),),
        overview_sheet=say(lang, "report_sheet_overview"),
        footer=say(lang, "report_footer", at=now.astimezone(zone).strftime("%Y-%m-%d %H:%M")),
    )
