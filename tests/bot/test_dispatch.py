"""The one dispatcher: replies become outbox rows, and a reply names the message it replaces by the key
the handler gave it, never by a row id (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import storage
from bot.outbox import OutboxWorker, dispatch
from config.settings import OutboxSettings
from core.clock import FakeClock
from core.messages import Outgoing, Reply
from tests.bot.test_outbox import RecordingChannel

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
PAGE = "page:1001:eng.chen"


async def _dispatch(sessions: storage.SessionFactory, *outgoing: Outgoing) -> list[storage.OutboxMessage]:
    async with sessions() as s, s.begin():
        return await dispatch(s, outgoing, NOW)


async def test_a_keyed_message_is_remembered_under_its_key(sessions: storage.SessionFactory) -> None:
    [page] = await _dispatch(sessions, Outgoing(Reply("🚨 #1001 三楼断网"), to="eng.chen", key=PAGE))
    async with sessions() as s:
        found = await storage.outbox_by_key(s, PAGE)
        assert await storage.outbox_by_key(s, "page:1001:eng.liu") is None
    assert found is not None and (found.id, found.key, found.recipient_id) == (page.id, PAGE, "eng.chen")


async def test_a_reply_naming_a_key_replaces_that_message_where_it_went(sessions: storage.SessionFactory) -> None:
    [page] = await _dispatch(sessions, Outgoing(Reply("🚨 #1001 三楼断网"), to="eng.chen", key=PAGE))
    # Sent to someone else by mistake or not: the edit goes where the page went, as an edit of it.
    [edit] = await _dispatch(sessions, Outgoing(Reply("✅ 已由 陈工 接单"), to="eng.liu", replaces_key=PAGE))
    assert (edit.replaces_id, edit.recipient_id, edit.channel, edit.chat_id) == (
        page.id,
        page.recipient_id,
        page.channel,
        page.chat_id,
    )
    assert edit.key is None
    async with sessions() as s:
        [shown] = await storage.conversation(s, "eng.chen")
    assert shown.id == page.id and shown.payload["text"] == "✅ 已由 陈工 接单"


async def test_a_second_replacement_edits_the_first_message_again(sessions: storage.SessionFactory) -> None:
    channel = RecordingChannel()
    worker = OutboxWorker(sessions, {"web": channel}, FakeClock(NOW), OutboxSettings())
    [page] = await _dispatch(sessions, Outgoing(Reply("🚨 #1001"), to="eng.chen", key=PAGE))
    await worker.run_once()
    await _dispatch(sessions, Outgoing(Reply("✅ 已由 陈工 接单"), to="eng.chen", replaces_key=PAGE))
    await worker.run_once()
    [resolved] = await _dispatch(sessions, Outgoing(Reply("☑️ 已由 陈工 解决"), to="eng.chen", replaces_key=PAGE))
    await worker.run_once()
    assert resolved.replaces_id == page.id
    assert [d.reply.text for d in channel.sent] == ["🚨 #1001"]
    assert [(d.edit_of, d.reply.text) for d in channel.edited] == [
        (f"msg-{page.id}", "✅ 已由 陈工 接单"),
        (f"msg-{page.id}", "☑️ 已由 陈工 解决"),
    ]


async def test_replacing_a_key_given_to_an_edit_replaces_the_message_it_edited(
    sessions: storage.SessionFactory,
) -> None:
    [page] = await _dispatch(sessions, Outgoing(Reply("🚨 #1001"), to="eng.chen", key=PAGE))
    await _dispatch(sessions, Outgoing(Reply("✅ 接单"), to="eng.chen", replaces_key=PAGE, key="ack:1001"))
    [again] = await _dispatch(sessions, Outgoing(Reply("☑️ 解决"), to="eng.chen", replaces_key="ack:1001"))
    assert again.replaces_id == page.id


async def test_a_key_names_the_newest_message_written_under_it(sessions: storage.SessionFactory) -> None:
    [first, second] = await _dispatch(
        sessions,
        Outgoing(Reply("第一次"), to="eng.chen", key=PAGE),
        Outgoing(Reply("第二次"), to="eng.chen", key=PAGE),
    )
    [edit] = await _dispatch(sessions, Outgoing(Reply("✅"), to="eng.chen", replaces_key=PAGE))
    assert edit.replaces_id == second.id != first.id


async def test_a_key_that_names_nothing_sends_the_reply_anew(sessions: storage.SessionFactory) -> None:
    [row] = await _dispatch(sessions, Outgoing(Reply("✅ 已由 陈工 接单"), to="eng.chen", replaces_key="page:9:x"))
    assert (row.replaces_id, row.recipient_id, row.channel) == (None, "eng.chen", "web")


async def test_an_answer_goes_to_the_chat_it_answers_and_a_push_to_the_person(
    sessions: storage.SessionFactory,
) -> None:
    async with sessions() as s, s.begin():
        inbound, _ = await storage.record_inbound(
            s,
            channel="rest",
            channel_message_id="m1",
            sender_ref="li",
            sender_id="staff.li",
            chat_id="chat-li",
            text="三楼断网",
            received_at=NOW,
        )
        answer, push = await dispatch(
            s, [Outgoing(Reply("已登记")), Outgoing(Reply("🚨"), to="eng.chen")], NOW, reply_to=inbound
        )
    assert (answer.channel, answer.chat_id, answer.recipient_id, answer.in_reply_to) == (
        "rest",
        "chat-li",
        "staff.li",
        inbound.id,
    )
    assert (push.channel, push.recipient_id, push.in_reply_to) == ("web", "eng.chen", None)


async def test_an_answer_without_a_message_to_answer_is_refused(sessions: storage.SessionFactory) -> None:
    with pytest.raises(ValueError, match="answer needs the message"):
        await _dispatch(sessions, Outgoing(Reply("已登记")))
