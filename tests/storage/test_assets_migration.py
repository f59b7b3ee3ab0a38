"""Migration 0011b (the asset registry) on a store with tickets, up and down and up again (SQLite and
PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

import storage
from storage.db import downgrade, make_engine

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: sa.inspect(sync).get_table_names()))


async def test_0011b_adds_the_registry_to_a_store_with_tickets_and_the_downgrade_removes_it(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        await storage.upgrade(engine, "0010")
        async with engine.begin() as conn:
            await conn.execute(
                sa.text(
                    "INSERT INTO people (id, name, department, location, role, language, active, service_company) "
                    "VALUES ('staff.li', '李', '财务部', '', 'staff', 'zh', true, false)"
                )
            )
            await conn.execute(
                sa.text(
                    "INSERT INTO tickets (number, requester_id, kind, status, text, channel, created_at) "
                    "VALUES (1001, 'staff.li', 'incident', 'new', 'PC-0157 开不了机', 'rest', :now)"
                ),
                {"now": NOW},
            )
        assert not {"devices", "ticket_devices", "inspections"} & await _tables(engine)

        await storage.upgrade(engine, "0011b")
        sessions = storage.make_session_factory(engine)
        async with sessions() as s, s.begin():
            device, _ = await storage.upsert_device(
                s, label="pc-0157", now=NOW, type="pc", owner_id="staff.li", purchase_date=date(2023, 5, 1)
            )
            ticket = await storage.get_ticket(s, 1001)
            assert ticket is not None
            await storage.link_ticket_device(s, ticket, device, at=NOW, by=None, source="rest")
            await storage.tick_inspection(s, device, month="2026-11", items=["backups"], by=None, at=NOW, source="cli")
        async with sessions() as s:
            [stored] = await storage.list_devices(s)
            assert (stored.label, stored.purchase_date, stored.active) == ("PC-0157", date(2023, 5, 1), True)
            assert [t.number for t in await storage.device_faults(s, stored.id)] == [1001]

        await downgrade(engine, "0010")
        assert not {"devices", "ticket_devices", "inspections"} & await _tables(engine)
        async with engine.connect() as conn:
            assert (await conn.execute(sa.text("SELECT number FROM tickets"))).scalars().all() == [1001]

        await storage.upgrade(engine, "0011b")  # and forward again, empty
        async with sessions() as s:
            assert await storage.list_devices(s) == []
    finally:
        await engine.dispose()
