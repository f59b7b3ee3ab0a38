"""The asset registry's store functions: upsert by label, ticket links with their history event,
inspection ticks and the month's checklist (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import storage

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


async def test_a_device_saved_twice_under_one_label_is_one_row_with_the_later_fields(
    sessions: storage.SessionFactory,
) -> None:
    async with sessions() as s, s.begin():
        _, created = await storage.upsert_device(s, label="PC-0157", now=NOW, type="pc", brand="联想", model="M720")
        assert created
        _, created = await storage.upsert_device(
            s, label=" pc-0157 ", now=NOW + timedelta(days=1), location="3F", warranty_end=date(2027, 5, 1)
        )
        assert not created
    async with sessions() as s:
        [device] = await storage.list_devices(s)
    assert (device.label, device.type, device.brand, device.model, device.location, device.warranty_end) == (
        "PC-0157",
        "pc",
        "联想",
        "M720",
        "3F",
        date(2027, 5, 1),
    )
    assert device.updated_at == NOW + timedelta(days=1) and device.created_at == NOW


async def test_linking_a_ticket_writes_one_history_event_and_lists_the_ticket_among_the_device_faults(
    sessions: storage.SessionFactory,
) -> None:
    async with sessions() as s, s.begin():
        device, _ = await storage.upsert_device(s, label="PC-0157", now=NOW, type="pc")
        ticket = await storage.open_ticket(
            s, requester_id="staff.li", kind="incident", text="电脑蓝屏", channel="rest", now=NOW
        )
        assert await storage.link_ticket_device(s, ticket, device, at=NOW, by="eng.chen", source="rest")
        assert not await storage.link_ticket_device(s, ticket, device, at=NOW, by="eng.chen", source="rest")
        number = ticket.number
    async with sessions() as s:
        stored = await storage.get_ticket(s, number or 0)
        assert stored is not None
        linked = [e for e in await storage.ticket_events(s, stored) if e.action == storage.DEVICE_LINKED_EVENT]
        assert [(e.actor_id, e.detail) for e in linked] == [("eng.chen", {"device": "PC-0157", "how": "engineer"})]
        assert [d.label for d in await storage.devices_of_ticket(s, stored.id)] == ["PC-0157"]
        assert [t.number for t in await storage.device_faults(s, device.id)] == [number]


async def test_the_month_lists_every_computer_and_item_with_what_was_done_and_leaves_out_printers(
    sessions: storage.SessionFactory,
) -> None:
    async with sessions() as s, s.begin():
        pc, _ = await storage.upsert_device(s, label="PC-0157", now=NOW, type="pc")
        await storage.upsert_device(s, label="NB-012", now=NOW, type="laptop")
        await storage.upsert_device(s, label="PR-003", now=NOW, type="printer")
        await storage.tick_inspection(
            s, pc, month="2026-11", items=["junk_cleanup", "backups"], by="eng.chen", at=NOW, source="rest"
        )
        # Ticked again later: still one record, now by the second engineer.
        await storage.tick_inspection(
            s, pc, month="2026-11", items=["backups"], by="eng.liu", at=NOW + timedelta(hours=1), source="cli"
        )
        await storage.tick_inspection(s, pc, month="2026-10", items=["lan_sharing"], by=None, at=NOW, source="cli")
    async with sessions() as s:
        rows = await storage.inspection_for_month(s, "2026-11")
        missing = await storage.inspection_missing(s, "2026-11")
    assert len(rows) == 2 * len(storage.INSPECTION_ITEMS)
    done = {(r.device.label, r.item): r.record.done_by for r in rows if r.record is not None}
    assert done == {("PC-0157", "junk_cleanup"): "eng.chen", ("PC-0157", "backups"): "eng.liu"}
    assert [(d.label, len(items)) for d, items in missing] == [("NB-012", 11), ("PC-0157", 9)]
    assert "backups" not in dict((d.label, items) for d, items in missing)["PC-0157"]
