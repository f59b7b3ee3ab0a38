"""Migration 0008 (outbox keys) on a store with pages and service records already sent, and back
(SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncEngine

import storage
from bot.outbox import dispatch
from core.messages import Outgoing, Reply
from storage.db import downgrade, make_engine
from storage.models import Base

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def _outbox_row(to: str, text: str, replaces: int | None = None) -> dict[str, Any]:
    return {
        "channel": "web",
        "recipient_id": to,
        "chat_id": to,
        "payload": {"text": text, "buttons": []},
        "status": "sent",
        "attempts": 1,
        "created_at": NOW,
        "next_attempt_at": NOW,
        "replaces_id": replaces,
    }


async def _store_at_0007(engine: AsyncEngine) -> None:
    """A ticket paged to two people, one page already edited, and its service record sent. The
    store is empty, so every table's ids count from 1 in the order of insertion."""
    await storage.upgrade(engine, "0007")
    async with engine.begin() as conn:
        tables = await conn.run_sync(lambda sync: _reflect(sync))
        person = {"department": "IT", "location": "", "role": "engineer", "language": "zh", "active": True}
        await conn.execute(
            tables["people"].insert(),
            [{"id": p, "name": p, **person} for p in ("eng.chen", "svc.ma", "staff.li")],
        )
        await conn.execute(
            tables["tickets"].insert(),
            {
                "number": 1001,
                "requester_id": "staff.li",
                "kind": "incident",
                "status": "resolved",
                "text": "三楼断网",
                "channel": "rest",
                "created_at": NOW,
            },
        )
        await conn.execute(
            tables["outbox"].insert(),
            [
                _outbox_row("eng.chen", "🚨 #1001"),
                _outbox_row("svc.ma", "📣 #1001"),
                _outbox_row("staff.li", "📄 服务记录单 #1001"),
                _outbox_row("eng.chen", "✅ 已由 陈工 接单", replaces=1),
            ],
        )
        plan = {"version": 1, "steps": []}
        message = {"page_id": 1, "step": 0, "sent_at": NOW}
        await conn.execute(
            tables["pages"].insert(),
            {
                "ticket_id": 1,
                "severity": "urgent",
                "plan": plan,
                "status": "paging",
                "next_step": 1,
                "generation": 0,
                "started_at": NOW,
            },
        )
        await conn.execute(
            tables["page_messages"].insert(),
            [
                {"outbox_id": 1, "person_id": "eng.chen", "action": "page", **message},
                {"outbox_id": 2, "person_id": "svc.ma", "action": "notice", **message},
            ],
        )
        await conn.execute(
            tables["service_records"].insert(),
            {
                "ticket_id": 1,
                "engineer_id": "eng.chen",
                "note": "换了模块",
                "created_at": NOW,
                "status": "pending",
                "outbox_id": 3,
            },
        )


def _reflect(sync: sa.Connection) -> dict[str, sa.Table]:
    metadata = sa.MetaData()
    metadata.reflect(sync, only=["people", "tickets", "outbox", "pages", "page_messages", "service_records"])
    return dict(metadata.tables)


async def _rows(engine: AsyncEngine, query: str) -> list[tuple[Any, ...]]:
    async with engine.connect() as conn:
        return [tuple(row) for row in (await conn.execute(sa.text(query))).all()]


async def test_0008_keys_what_was_sent_before_it_and_the_downgrade_gives_the_ids_back(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        await _store_at_0007(engine)
        await storage.upgrade(engine)
        assert await _rows(engine, 'SELECT id, "key" FROM outbox ORDER BY id') == [
            (1, "page:1001:eng.chen"),
            (2, "page:1001:svc.ma"),
            (3, "record:1"),
            (4, None),
        ]
        assert await _rows(engine, 'SELECT id, "key" FROM page_messages ORDER BY id') == [
            (1, "page:1001:eng.chen"),
            (2, "page:1001:svc.ma"),
        ]
        # A page sent before the upgrade is still edited by its key, as the original message.
        sessions = storage.make_session_factory(engine)
        async with sessions() as s, s.begin():
            replies = [Outgoing(Reply("✔️ 已解决"), to="eng.chen", replaces_key="page:1001:eng.chen")]
            [edit] = await dispatch(s, replies, NOW)
            assert edit.replaces_id == 1

        await downgrade(engine, "0007")
        assert await _rows(engine, "SELECT id, outbox_id FROM page_messages ORDER BY id") == [(1, 1), (2, 2)]
        assert await _rows(engine, "SELECT id, outbox_id FROM service_records") == [(1, 3)]
        async with engine.connect() as conn:
            columns = await conn.run_sync(lambda sync: [c["name"] for c in sa.inspect(sync).get_columns("outbox")])
        assert "key" not in columns

        await storage.upgrade(engine)  # and forward again
        assert await storage.current_heads(engine) == storage.script_heads()
    finally:
        await engine.dispose()


async def test_the_migrations_at_head_build_the_schema_the_models_describe(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        await storage.upgrade(engine)
        async with engine.connect() as conn:
            differences = await conn.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
            )
        assert differences == []
    finally:
        await engine.dispose()


async def test_0010_marks_the_old_service_company_department_as_the_service_company(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        await storage.upgrade(engine, "0009")
        async with engine.begin() as conn:
            await conn.exec_driver_sql(
                "INSERT INTO people (id, name, department, location, role, language, active) VALUES "
                "('svc.ma', '马经理', '服务公司', '', 'manager', 'zh', 1), "
                "('mgr.he', '何经理', '行政部', '', 'manager', 'zh', 1)"
            )
        await storage.upgrade(engine)
        async with storage.make_session_factory(engine)() as session:
            marked = {p.id: p.service_company for p in await storage.list_people(session)}
        assert marked == {"svc.ma": True, "mgr.he": False}
    finally:
        await engine.dispose()


async def test_a_store_with_messages_and_replies_upgrades_from_0006_to_the_head(sqlite_url: str) -> None:
    """SQLite rebuilds a table to alter it; rows of other tables pointing at it must not stop that."""
    engine = make_engine(sqlite_url)
    try:
        await storage.upgrade(engine, "0006")
        async with engine.begin() as conn:
            await conn.exec_driver_sql(
                "INSERT INTO inbound_messages (channel, channel_message_id, sender_ref, chat_id, text, attachments, "
                "received_at, status) VALUES ('rest', 'm1', 'staff.li', 'staff.li', '打印机卡纸了', '{}', "
                "'2026-11-23 02:00:00', 'handled')"
            )
            await conn.exec_driver_sql(
                "INSERT INTO outbox (channel, recipient_id, chat_id, payload, status, attempts, created_at, "
                "next_attempt_at, in_reply_to) VALUES ('rest', NULL, 'staff.li', '{\"text\": \"ok\"}', 'sent', 1, "
                "'2026-11-23 02:00:00', '2026-11-23 02:00:00', 1)"
            )
        await storage.upgrade(engine)
        assert await storage.current_heads(engine) == storage.script_heads()
        async with storage.make_session_factory(engine)() as session:
            [reply] = await storage.replies_to(session, 1)
            inbound = await storage.get_inbound(session, 1)
        assert reply.payload == {"text": "ok"} and inbound is not None and inbound.attempts == 0
    finally:
        await engine.dispose()
