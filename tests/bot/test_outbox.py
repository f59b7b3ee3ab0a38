"""The outbox worker: sends, marks sent, retries with backoff, gives up visibly, edits in place."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import storage
from bot.outbox import OutboxWorker, dispatch
from channels.base import PermanentDeliveryError, RecipientUnavailable
from config.settings import OutboxSettings
from core.clock import FakeClock
from core.messages import Delivery, Outgoing, Reply

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


class RecordingChannel:
    """A channel adapter that records what it was asked to send and fails as told."""

    name = "web"
    supports_buttons = True
    supports_edit = True

    def __init__(self, failures: list[Exception] | None = None) -> None:
        self.failures = failures or []
        self.sent: list[Delivery] = []
        self.edited: list[Delivery] = []

    async def send(self, delivery: Delivery) -> str:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(delivery)
        return f"msg-{delivery.outbox_id}"

    async def edit(self, delivery: Delivery) -> None:
        self.edited.append(delivery)


async def _enqueue(
    sessions: storage.SessionFactory, text: str, key: str | None = None, replaces_key: str | None = None
) -> int:
    async with sessions() as s, s.begin():
        [row] = await dispatch(s, [Outgoing(Reply(text), to="eng.chen", key=key, replaces_key=replaces_key)], NOW)
        return row.id


async def _row(sessions: storage.SessionFactory, outbox_id: int) -> storage.OutboxMessage:
    async with sessions() as s:
        row = await storage.get_outbox(s, outbox_id)
        assert row is not None
        return row


async def test_a_sent_message_is_marked_sent_with_the_channels_id(sessions: storage.SessionFactory) -> None:
    channel = RecordingChannel()
    outbox_id = await _enqueue(sessions, "page")
    worker = OutboxWorker(sessions, {"web": channel}, FakeClock(NOW), OutboxSettings())
    assert await worker.run_once() == 1
    row = await _row(sessions, outbox_id)
    assert (row.status, row.channel_message_id) == ("sent", f"msg-{outbox_id}")
    assert [d.reply.text for d in channel.sent] == ["page"] and channel.sent[0].recipient == "eng.chen"
    assert await worker.run_once() == 0


async def test_a_failed_send_is_retried_after_a_backoff(sessions: storage.SessionFactory) -> None:
    channel = RecordingChannel([RecipientUnavailable("no tab open")])
    outbox_id = await _enqueue(sessions, "page")
    clock = FakeClock(NOW)
    worker = OutboxWorker(sessions, {"web": channel}, clock, OutboxSettings(first_retry_s=2))
    assert await worker.run_once() == 0
    row = await _row(sessions, outbox_id)
    assert row.status == "pending" and row.attempts == 1 and row.next_attempt_at == NOW + timedelta(seconds=2)
    assert await worker.run_once() == 0  # not due yet
    clock.advance(timedelta(seconds=2))
    assert await worker.run_once() == 1
    assert (await _row(sessions, outbox_id)).status == "sent"


async def test_a_permanent_failure_is_marked_failed_and_not_retried(sessions: storage.SessionFactory) -> None:
    channel = RecordingChannel([PermanentDeliveryError("user blocked the bot")])
    outbox_id = await _enqueue(sessions, "page")
    clock = FakeClock(NOW)
    worker = OutboxWorker(sessions, {"web": channel}, clock, OutboxSettings())
    await worker.run_once()
    clock.advance(timedelta(hours=1))
    assert await worker.run_once() == 0
    row = await _row(sessions, outbox_id)
    assert row.status == "failed" and "blocked" in (row.last_error or "")


async def test_an_edit_changes_the_sent_message_in_place(sessions: storage.SessionFactory) -> None:
    channel = RecordingChannel()
    worker = OutboxWorker(sessions, {"web": channel}, FakeClock(NOW), OutboxSettings())
    page = await _enqueue(sessions, "page: #1001 三楼断网", key="page:1001:eng.chen")
    await worker.run_once()
    await _enqueue(sessions, "✅ 已由 陈工 接单", replaces_key="page:1001:eng.chen")
    await worker.run_once()
    assert [d.reply.text for d in channel.sent] == ["page: #1001 三楼断网"]
    assert [(d.edit_of, d.reply.text) for d in channel.edited] == [(f"msg-{page}", "✅ 已由 陈工 接单")]


async def test_a_channel_without_a_running_adapter_keeps_its_rows_waiting(sessions: storage.SessionFactory) -> None:
    async with sessions() as s, s.begin():
        row = await storage.enqueue(
            s, channel="wecom", recipient_id="eng.chen", chat_id="chen", payload=Reply("x").to_payload(), now=NOW
        )
    worker = OutboxWorker(sessions, {"web": RecordingChannel()}, FakeClock(NOW), OutboxSettings())
    assert await worker.run_once() == 0
    assert (await _row(sessions, row.id)).status == "pending"
