"""What the web chat shows on load: pressed buttons by their titles, and the greeting (SQLite and
PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

import storage
from bot.history import conversation_items, greeting

_T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


async def _sent(s: AsyncSession, to: str, text: str, buttons: list[dict[str, str]], at: datetime) -> int:
    row = await storage.enqueue(
        s, channel="web", recipient_id=to, chat_id=to, payload={"text": text, "buttons": buttons}, now=at
    )
    return row.id


async def _said(s: AsyncSession, who: str, text: str, at: datetime) -> None:
    await storage.record_inbound(
        s,
        channel="web",
        channel_message_id=f"m-{at.timestamp()}",
        sender_ref=who,
        sender_id=who,
        chat_id=who,
        text=text,
        received_at=at,
    )


async def test_a_pressed_button_shows_the_title_it_had_not_its_payload(sessions: storage.SessionFactory) -> None:
    async with sessions() as s, s.begin():
        await _sent(
            s,
            "staff.li",
            "📖 连接办公室 WiFi",
            [{"title": "解决了", "action": "solved", "ref": "7:wifi-connect"}],
            _T0,
        )
        await _said(s, "staff.li", "/v1.solved 7:wifi-connect", _T0 + timedelta(minutes=1))
    async with sessions() as s:
        items = await conversation_items(s, "staff.li")
    assert [(i.from_person, i.reply.text) for i in items] == [(False, "📖 连接办公室 WiFi"), (True, "解决了")]


async def test_a_page_edited_after_the_press_still_gives_the_pressed_title(sessions: storage.SessionFactory) -> None:
    async with sessions() as s, s.begin():
        page = await _sent(s, "eng.chen", "🚨 #1001 三楼断网", [{"title": "接单", "action": "ack", "ref": "1001"}], _T0)
        await _said(s, "eng.chen", "/v1.ack 1001", _T0 + timedelta(minutes=1))
        await storage.enqueue(
            s,
            channel="web",
            recipient_id="eng.chen",
            chat_id="eng.chen",
            payload={"text": "✅ 已由 陈工 接单", "buttons": []},
            now=_T0 + timedelta(minutes=1),
            replaces_id=page,
        )
    async with sessions() as s:
        items = await conversation_items(s, "eng.chen")
    assert [i.reply.text for i in items] == ["✅ 已由 陈工 接单", "接单"]


async def test_the_title_is_that_of_the_newest_button_sent_before_the_press(sessions: storage.SessionFactory) -> None:
    async with sessions() as s, s.begin():
        button = {"action": "confirm", "ref": "1002"}
        await _sent(s, "staff.li", "服务记录", [{"title": "确认", **button}], _T0)
        await _sent(s, "staff.li", "服务记录（修订）", [{"title": "确认修订后的记录", **button}], _T0 + timedelta(1))
        await _said(s, "staff.li", "/v1.confirm 1002", _T0 + timedelta(days=1, minutes=5))
        await _sent(s, "staff.li", "服务记录（再次修订）", [{"title": "以后的按钮", **button}], _T0 + timedelta(2))
    async with sessions() as s:
        items = await conversation_items(s, "staff.li")
    assert [i.reply.text for i in items if i.from_person] == ["确认修订后的记录"]


async def test_a_press_with_no_button_on_record_reads_as_a_pressed_button(sessions: storage.SessionFactory) -> None:
    async with sessions() as s, s.begin():
        await _said(s, "staff.li", "/v1.ack 1001", _T0)  # typed by hand, or its message long gone
        await _said(s, "staff.li", "/v1.nosuchaction 1", _T0 + timedelta(minutes=1))  # a format since retired
        await _said(s, "staff.li", "打印机卡纸了", _T0 + timedelta(minutes=2))
    async with sessions() as s:
        items = await conversation_items(s, "staff.li")
    assert [i.reply.text for i in items] == ["（按了一个按钮）", "（按了一个按钮）", "打印机卡纸了"]


async def test_the_greeting_names_the_person_and_offers_examples_in_their_language(
    sessions: storage.SessionFactory,
) -> None:
    async with sessions() as s, s.begin():
        person = await storage.get_person(s, "staff.li")
        assert person is not None
        zh = await greeting(s, "staff.li")
        person.language = "en"
        await s.flush()
        en = await greeting(s, "staff.li")
        nobody = await greeting(s, "no.such.person")
    assert zh is not None and person.name in zh.text and "/kb" in zh.text
    assert zh.examples == ("打印机卡纸了", "怎么连WiFi", "我的工单")
    assert en is not None and en.text.startswith("👋 Hello") and en.examples[-1] == "/mine"
    assert nobody is None
