"""The storage suite: runs on SQLite and on a real PostgreSQL server (see the database_url fixture)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import storage
from storage.db import make_engine


def _now() -> datetime:
    return datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


async def test_migrations_reach_head_and_running_them_again_changes_nothing(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        await storage.upgrade(engine)
        assert await storage.current_heads(engine) == storage.script_heads()
        await storage.upgrade(engine)
        assert await storage.current_heads(engine) == storage.script_heads()
    finally:
        await engine.dispose()


async def test_a_redelivered_message_is_stored_once(sessions: storage.SessionFactory) -> None:
    async with sessions() as s, s.begin():
        first, created = await storage.record_inbound(
            s,
            channel="rest",
            channel_message_id="abc",
            sender_ref="staff.li",
            sender_id="staff.li",
            chat_id="staff.li",
            text="打印机坏了",
            received_at=_now(),
        )
    async with sessions() as s, s.begin():
        again, created_again = await storage.record_inbound(
            s,
            channel="rest",
            channel_message_id="abc",
            sender_ref="staff.li",
            sender_id="staff.li",
            chat_id="staff.li",
            text="打印机坏了",
            received_at=_now(),
        )
    assert created and not created_again
    assert again.id == first.id


async def test_a_message_is_claimed_for_handling_only_once(sessions: storage.SessionFactory) -> None:
    async with sessions() as s, s.begin():
        row, _ = await storage.record_inbound(
            s,
            channel="web",
            channel_message_id="m1",
            sender_ref="staff.li",
            sender_id="staff.li",
            chat_id="staff.li",
            text="hi",
            received_at=_now(),
        )
    async with sessions() as s, s.begin():
        assert await storage.claim_inbound(s, row.id) is not None
    async with sessions() as s, s.begin():
        assert await storage.claim_inbound(s, row.id) is None


async def test_a_ticket_gets_a_human_number_and_an_opened_event(sessions: storage.SessionFactory) -> None:
    async with sessions() as s, s.begin():
        ticket = await storage.open_ticket(
            s,
            requester_id="staff.li",
            kind="incident",
            severity="urgent",
            text="三楼断网",
            channel="rest",
            now=_now(),
            due_at=_now(),
        )
        number = ticket.number
    async with sessions() as s:
        stored = await storage.get_ticket(s, number or 0)
        assert stored is not None
        events = await storage.ticket_events(s, stored)
    assert number is not None and number > storage.tickets.FIRST_NUMBER
    assert (stored.kind, stored.severity, stored.status) == ("incident", "urgent", "new")
    assert [e.action for e in events] == ["opened"]
    assert events[0].detail["severity"] == "urgent" and events[0].source == "rest"


async def test_times_come_back_aware_and_in_utc(sessions: storage.SessionFactory) -> None:
    shanghai = timezone(timedelta(hours=8))
    at = datetime(2026, 11, 23, 10, 30, tzinfo=shanghai)
    async with sessions() as s, s.begin():
        ticket = await storage.open_ticket(s, requester_id="staff.li", kind="incident", text="x", channel="web", now=at)
        number = ticket.number
    async with sessions() as s:
        stored = await storage.get_ticket(s, number or 0)
    assert stored is not None
    assert stored.created_at == at and stored.created_at.tzinfo is not None
    assert stored.created_at.utcoffset() == timedelta(0)


async def test_claimed_outbox_rows_are_leased_so_no_one_else_takes_them(sessions: storage.SessionFactory) -> None:
    async with sessions() as s, s.begin():
        for i in range(3):
            await storage.enqueue(
                s,
                channel="web",
                recipient_id="eng.chen",
                chat_id="eng.chen",
                payload={"text": f"page {i}", "buttons": []},
                now=_now(),
            )
    async with sessions() as s, s.begin():
        first = await storage.claim_outbox(s, _now(), ["web"], lease_s=60)
    async with sessions() as s, s.begin():
        second = await storage.claim_outbox(s, _now(), ["web"], lease_s=60)
    async with sessions() as s, s.begin():
        after_lease = await storage.claim_outbox(s, _now() + timedelta(seconds=61), ["web"], lease_s=60)
    assert len(first) == 3 and second == []
    assert sorted(r.id for r in after_lease) == sorted(r.id for r in first)


async def test_concurrent_claims_never_take_the_same_outbox_row(sessions: storage.SessionFactory) -> None:
    async with sessions() as s, s.begin():
        for i in range(40):
            await storage.enqueue(
                s,
                channel="web",
                recipient_id="eng.chen",
                chat_id="eng.chen",
                payload={"text": f"n{i}", "buttons": []},
                now=_now(),
            )

    async def claim() -> list[int]:
        taken: list[int] = []
        while True:
            async with sessions() as s, s.begin():
                rows = await storage.claim_outbox(s, _now(), ["web"], lease_s=600, limit=5)
                if not rows:
                    return taken
                taken += [r.id for r in rows]

    a, b = await asyncio.gather(claim(), claim())
    assert len(a) + len(b) == 40
    assert not set(a) & set(b)


async def test_failed_sends_back_off_then_give_up(sessions: storage.SessionFactory) -> None:
    async with sessions() as s, s.begin():
        row = await storage.enqueue(
            s,
            channel="web",
            recipient_id="eng.chen",
            chat_id="eng.chen",
            payload={"text": "x", "buttons": []},
            now=_now(),
        )
        storage.mark_retry(row, _now(), "boom", first_s=2, max_s=10, max_attempts=3)
        first_delay = row.next_attempt_at - _now()
        storage.mark_retry(row, _now(), "boom", first_s=2, max_s=10, max_attempts=3)
        second_delay = row.next_attempt_at - _now()
        storage.mark_retry(row, _now(), "boom", first_s=2, max_s=10, max_attempts=3)
    assert first_delay == timedelta(seconds=2) and second_delay == timedelta(seconds=4)
    assert row.status == "failed" and row.last_error == "boom" and row.attempts == 3


async def test_the_conversation_shows_an_edited_message_as_edited(sessions: storage.SessionFactory) -> None:
    async with sessions() as s, s.begin():
        page = await storage.enqueue(
            s,
            channel="web",
            recipient_id="eng.chen",
            chat_id="eng.chen",
            payload={"text": "🚨 #1001 三楼断网", "buttons": [{"title": "接单", "action": "ack", "ref": "1001"}]},
            now=_now(),
        )
        await storage.enqueue(
            s,
            channel="web",
            recipient_id="eng.chen",
            chat_id="eng.chen",
            payload={"text": "✅ 已由 刘工 10:32 接单", "buttons": []},
            now=_now(),
            replaces_id=page.id,
        )
    async with sessions() as s:
        [shown] = await storage.conversation(s, "eng.chen")
    assert shown.id == page.id and shown.payload["text"] == "✅ 已由 刘工 10:32 接单"
    async with sessions() as s:
        stored = await storage.get_outbox(s, page.id)
    assert stored is not None and stored.payload["text"] == "🚨 #1001 三楼断网"


def test_the_migrations_have_one_head() -> None:
    assert len(storage.script_heads()) == 1, storage.script_heads()  # two branches need a merge revision
