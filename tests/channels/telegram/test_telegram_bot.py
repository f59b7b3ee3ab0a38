"""The Telegram channel end to end: the real bot app and python-telegram-bot against the fake Bot
API, in webhook and in polling mode. Triage by the real Rasa server where the test is about what a
message becomes; a scripted NLU where it is about the channel (groups, redelivery, retries)."""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

import storage
from bot.app import RUNTIME, build_app
from bot.invites import make_invite
from channels.telegram import TelegramChannel
from core.messages import FileRef, Outgoing, Reply
from tests.channels.telegram.conftest import DUTY_CHAT, NOW, SECRET, TELEGRAM_IDS, StartBot, TelegramBot
from tests.conftest import make_settings
from tests.support.builders import ScriptedNlu
from tests.support.fake_telegram import BOT_USERNAME, SECRET_HEADER, TOKEN
from tests.support.http_proxy import HttpProxy
from tests.support.processes import free_port

MODES = ["webhook", "polling"]
URGENT = "三楼整层都断网了，大家都没法工作"
PRINTER = "打印机一直报错，打不出来"


def scripted_nlu() -> ScriptedNlu:
    return ScriptedNlu({PRINTER: ("incident_normal", 0.95), URGENT: ("incident_urgent", 0.95)})


GROUP = {"id": -1009876543210, "type": "supergroup", "title": "财务部"}


def ticket_number(text: str) -> int:
    found = re.search(r"#(\d+)", text)
    assert found, f"no ticket number in {text!r}"
    return int(found.group(1))


async def _count(bot: TelegramBot, model: Any) -> int:
    async with bot.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _ticket(bot: TelegramBot, number: int) -> storage.Ticket:
    async with bot.sessions() as session:
        ticket = await storage.get_ticket(session, number)
    assert ticket is not None
    return ticket


@pytest.mark.parametrize("mode", MODES)
async def test_a_staff_message_becomes_a_ticket_and_the_reply_reaches_telegram_with_its_number(
    mode: str, start_bot: StartBot, rasa_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    bot = await start_bot(mode, rasa_url=rasa_url)
    await bot.says("staff.li", PRINTER)
    reply = await bot.fake.wait_message(TELEGRAM_IDS["staff.li"], "#")
    ticket = await _ticket(bot, ticket_number(reply.text))
    assert (ticket.requester_id, ticket.channel, ticket.kind) == ("staff.li", "telegram", "incident")
    assert "@helpdesk_test_bot ready" in caplog.text and TOKEN not in caplog.text  # the token stays out of logs


@pytest.mark.parametrize("mode", MODES)
async def test_a_page_is_acknowledged_with_its_button_every_copy_is_edited_and_a_staff_press_is_refused(
    mode: str, start_bot: StartBot, rasa_url: str
) -> None:
    bot = await start_bot(mode, rasa_url=rasa_url, duty_chat=DUTY_CHAT)
    fake = bot.fake
    await bot.says("staff.zhang", URGENT)
    number = ticket_number((await fake.wait_message(TELEGRAM_IDS["staff.zhang"], "#")).text)
    # The engineers on duty (Monday morning: eng.chen, eng.liu) and the duty group get the page with buttons.
    copies = [await fake.wait_message(chat, f"#{number}") for chat in (2001, 2002, DUTY_CHAT)]
    for copy in copies:
        titles = [title for title, _ in copy.buttons]
        assert titles == ["接单", "我来处理", "升级", "已解决", "不紧急"], titles
        assert all(len(data.encode()) <= 64 for _, data in copy.buttons)
    chen, _liu, group = copies

    # A staff member in the duty group presses acknowledge on the group's copy: refused, nothing changes.
    await bot.send(fake.press_update(bot.user("staff.wang"), group, group.buttons[0][1]))
    refused = await fake.wait_for(lambda: fake.callback_answers, what="the staff press to be answered")
    assert "不是发给您" in refused[0].get("text", "")
    assert (await _ticket(bot, number)).assignee_id is None and not any(c.edits for c in copies)

    # eng.chen acknowledges on his own copy: every copy is edited in place, the requester is told.
    await bot.send(fake.press_update(bot.user("eng.chen"), chen, chen.buttons[0][1]))
    await fake.wait_for(lambda: all(c.edits for c in copies), what="every copy of the page to be edited")
    for copy in copies:
        assert "已由" in copy.text and "陈工" in copy.text
        assert "接单" not in [title for title, _ in copy.buttons]  # the acknowledge button is gone
    await fake.wait_message(TELEGRAM_IDS["staff.zhang"], "已接手")
    assert len(fake.callback_answers) == 2 and "text" not in fake.callback_answers[1]
    ticket = await _ticket(bot, number)
    assert ticket.assignee_id == "eng.chen"
    async with bot.sessions() as session:
        events = await storage.ticket_events(session, ticket)
    assert any(e.action == "acknowledged" and e.source == "telegram" for e in events)


@pytest.mark.parametrize("mode", MODES)
async def test_in_a_group_only_a_mention_a_reply_to_the_bot_or_a_command_is_handled(
    mode: str, start_bot: StartBot
) -> None:
    bot = await start_bot(mode, nlu=scripted_nlu())
    fake = bot.fake
    li = bot.user("staff.li")
    await bot.send(fake.message_update(li, PRINTER, chat=GROUP))
    await bot.send(fake.message_update(li, "/oncall@some_other_bot", chat=GROUP))
    await bot.send(fake.message_update(li, f"@{BOT_USERNAME} {PRINTER}", chat=GROUP))
    reply = await fake.wait_message(GROUP["id"], "#")
    assert await _count(bot, storage.InboundMessage) == 1  # the two before were not even stored
    async with bot.sessions() as session:
        [inbound] = (await session.scalars(select(storage.InboundMessage))).all()
    assert inbound.text == PRINTER and inbound.sender_id == "staff.li" and inbound.chat_id == str(GROUP["id"])
    await bot.send(fake.message_update(li, f"/oncall@{BOT_USERNAME}", chat=GROUP))
    await fake.wait_message(GROUP["id"], "值班")
    # Her own tickets are hers alone: answered in her private chat, the group only told so.
    await bot.send(fake.message_update(li, "我的工单", chat=GROUP, reply_to=reply))
    await fake.wait_message(GROUP["id"], "私信")
    await fake.wait_message(li.id, "您的工单")
    assert not [m for m in fake.messages_to(GROUP["id"]) if "您的工单" in m.text and "私信" not in m.text]
    assert await _count(bot, storage.InboundMessage) == 3


@pytest.mark.parametrize("mode", MODES)
async def test_an_unbound_user_gets_no_data_and_an_invite_binds_once_and_not_twice(
    mode: str, start_bot: StartBot
) -> None:
    nlu = scripted_nlu()
    bot = await start_bot(mode, nlu=nlu, unbound=("staff.zhang", "mgr.he"))
    fake = bot.fake
    zhang, stranger = bot.user("staff.zhang"), bot.user("mgr.he")
    await bot.send(fake.message_update(zhang, PRINTER))
    await bot.send(fake.message_update(zhang, "我的工单"))
    await fake.wait_for(lambda: len(fake.messages_to(zhang.id)) == 2, what="two answers")
    for answer in fake.messages_to(zhang.id):
        assert "绑定身份" in answer.text and "#" not in answer.text and not answer.buttons
    assert await _count(bot, storage.Ticket) == 0 and nlu.calls == 0
    # In a group, too, the sender's identity is checked first.
    await bot.send(fake.message_update(zhang, f"@{BOT_USERNAME} {PRINTER}", chat=GROUP))
    await fake.wait_message(GROUP["id"], "绑定身份")
    assert await _count(bot, storage.Ticket) == 0

    async with bot.sessions() as session, session.begin():
        code = await make_invite(session, "staff.zhang", NOW, timedelta(hours=72))
    await bot.send(fake.message_update(zhang, f"/start {code}"))
    await fake.wait_message(zhang.id, "绑定成功")
    await bot.send(fake.message_update(stranger, f"/start {code}"))
    await fake.wait_message(stranger.id, "无效、已用过或已过期")
    await bot.send(fake.message_update(zhang, PRINTER))
    number = ticket_number((await fake.wait_message(zhang.id, "#")).text)
    assert (await _ticket(bot, number)).requester_id == "staff.zhang"
    async with bot.sessions() as session:
        assert await storage.person_for_identity(session, "telegram", str(stranger.id)) is None


@pytest.mark.parametrize("mode", MODES)
async def test_the_same_update_twice_is_handled_once(mode: str, start_bot: StartBot) -> None:
    bot = await start_bot(mode, nlu=scripted_nlu())
    update = bot.fake.message_update(bot.user("staff.li"), PRINTER)
    await bot.send(update)
    await bot.fake.wait_message(TELEGRAM_IDS["staff.li"], "#")
    await bot.send(update)  # Telegram delivers at least once
    await bot.says("staff.li", "我的工单")  # handled after the redelivery, so the redelivery was seen
    await bot.fake.wait_message(TELEGRAM_IDS["staff.li"], "您的工单")
    assert await _count(bot, storage.Ticket) == 1
    assert len([m for m in bot.fake.messages_to(TELEGRAM_IDS["staff.li"]) if "#" in m.text]) == 2


@pytest.mark.parametrize("mode", MODES)
async def test_a_429_with_retry_after_and_a_500_are_retried_and_the_reply_arrives(
    mode: str, start_bot: StartBot
) -> None:
    bot = await start_bot(mode, nlu=scripted_nlu())
    fake = bot.fake
    li, wang = TELEGRAM_IDS["staff.li"], TELEGRAM_IDS["staff.wang"]
    fake.fail("sendMessage", 429, retry_after=1, chat_id=li)
    await bot.says("staff.li", PRINTER)
    await fake.wait_message(li, "#")
    assert len([c for c in fake.calls_of("sendMessage") if c["chat_id"] == str(li)]) == 2  # waited, sent again
    fake.fail("sendMessage", 500, times=2, chat_id=wang)
    await bot.says("staff.wang", PRINTER)
    await fake.wait_message(wang, "#")
    assert len([c for c in fake.calls_of("sendMessage") if c["chat_id"] == str(wang)]) == 3
    for _ in range(100):  # the worker marks the row just after Telegram's answer
        async with bot.sessions() as session:
            query = select(storage.OutboxMessage).where(storage.OutboxMessage.chat_id == str(wang))
            [row] = (await session.scalars(query)).all()
        if row.status == "sent":
            break
        await asyncio.sleep(0.05)
    assert row.status == "sent" and row.attempts == 3  # two retries by the outbox, with backoff


@pytest.mark.parametrize("mode", MODES)
async def test_an_engineer_who_blocked_the_bot_is_marked_unreachable_and_the_page_goes_to_the_next_step(
    mode: str, start_bot: StartBot
) -> None:
    bot = await start_bot(mode, nlu=scripted_nlu())
    fake = bot.fake
    fake.block(TELEGRAM_IDS["eng.chen"])
    await bot.says("staff.li", URGENT)
    number = ticket_number((await fake.wait_message(TELEGRAM_IDS["staff.li"], "#")).text)
    await fake.wait_message(TELEGRAM_IDS["eng.liu"], f"#{number}")
    # eng.chen is on no app the bot can reach: the next step (the backup engineer) is paged at once.
    await fake.wait_message(TELEGRAM_IDS["eng.sun"], f"#{number}", timeout_s=30)
    async with bot.sessions() as session:
        identity = await storage.identity_of(session, "telegram", str(TELEGRAM_IDS["eng.chen"]))
        assert identity is not None and identity.unreachable_at is not None
        web_copy = await session.scalar(
            select(storage.OutboxMessage).where(
                storage.OutboxMessage.recipient_id == "eng.chen", storage.OutboxMessage.channel == "web"
            )
        )
    assert web_copy is not None and f"#{number}" in web_copy.payload["text"]
    # Writing to the bot again makes him reachable there.
    fake.blocked.clear()
    await bot.says("eng.chen", "我的工单")
    await fake.wait_message(TELEGRAM_IDS["eng.chen"], "工单")
    async with bot.sessions() as session:
        identity = await storage.identity_of(session, "telegram", str(TELEGRAM_IDS["eng.chen"]))
        assert identity is not None and identity.unreachable_at is None


async def test_a_webhook_call_with_a_wrong_or_no_secret_is_refused_with_403_and_nothing_is_stored(
    start_bot: StartBot,
) -> None:
    bot = await start_bot("webhook", nlu=scripted_nlu())
    update = bot.fake.message_update(bot.user("staff.li"), PRINTER)
    assert await bot.fake.deliver(update, secret="wrong") == 403
    assert await bot.fake.deliver(update, secret="") == 403
    assert await _count(bot, storage.InboundMessage) == 0
    url, headers = bot.fake.webhook_url, {SECRET_HEADER: SECRET}
    async with aiohttp.ClientSession() as http:
        for body in (b"not json", b"[]", b'{"update_id": "x"}', b'{"message": {}}'):
            async with http.post(url, data=body, headers=headers) as resp:
                assert resp.status == 400, body
    assert await _count(bot, storage.InboundMessage) == 0
    assert await bot.fake.deliver(update) == 200
    await bot.fake.wait_message(TELEGRAM_IDS["staff.li"], "#")


@pytest.mark.parametrize("mode", MODES)
async def test_a_photo_attaches_to_the_ticket_and_a_file_too_large_is_refused_without_download(
    mode: str, start_bot: StartBot, tmp_path: Any
) -> None:
    bot = await start_bot(mode, nlu=scripted_nlu())
    fake = bot.fake
    li = bot.user("staff.li")
    photo = b"\xff\xd8\xff\xe0 a jpeg of the printer's error light"
    file_id = fake.add_file(photo, "photos/file_7.jpg")
    await bot.send(fake.message_update(li, PRINTER, photo=(file_id, len(photo))))
    number = ticket_number((await fake.wait_message(li.id, "#")).text)
    ticket = await _ticket(bot, number)
    async with bot.sessions() as session:
        [attachment] = await storage.attachments_of_ticket(session, ticket.id)
        events = [e.action for e in await storage.ticket_events(session, ticket)]
    assert attachment.kind == "image" and attachment.size == len(photo) and "attachment" in events
    assert bot.core.files.read(attachment.ref) == photo

    big = fake.add_file(b"x" * 10, "documents/file_8.zip")  # Telegram says 5 MB; the bot takes 1 MB
    await bot.send(fake.message_update(li, "", document=(big, "日志.zip", 5 * 1024 * 1024, "application/zip")))
    await fake.wait_message(li.id, "太大")
    assert [c["file_id"] for c in fake.calls_of("getFile")] == [file_id]  # the big one was never fetched


@pytest.mark.parametrize("mode", MODES)
async def test_a_report_goes_out_as_a_document(mode: str, start_bot: StartBot, tmp_path: Any) -> None:
    bot = await start_bot(mode, nlu=scripted_nlu())
    report = tmp_path / "report.xlsx"
    report.write_bytes(b"PK\x03\x04 the month's figures")
    async with bot.sessions() as session, session.begin():
        from bot.outbox import dispatch

        await dispatch(
            session,
            [Outgoing(Reply("11月服务报告", files=(FileRef("11月服务报告.xlsx", str(report)),)), to="mgr.he")],
            NOW,
        )
    bot.core.worker.wake()
    await bot.fake.wait_message(TELEGRAM_IDS["mgr.he"], "11月服务报告")
    doc = await bot.fake.wait_for(
        lambda: next((s for s in bot.fake.messages_to(TELEGRAM_IDS["mgr.he"]) if s.document), None), what="a document"
    )
    assert doc.document == ("11月服务报告.xlsx", report.read_bytes())


async def test_the_command_lists_are_registered_in_chinese_and_english(start_bot: StartBot) -> None:
    bot = await start_bot("polling", nlu=scripted_nlu())
    zh = {c["command"]: c["description"] for c in bot.fake.commands["zh"]}
    en = {c["command"]: c["description"] for c in bot.fake.commands[""]}
    assert zh.keys() == en.keys() >= {"start", "help", "my", "ticket", "oncall", "take", "ack", "resolve", "assign"}
    assert zh["my"] == "我的工单" and en["my"] == "My tickets"


async def test_with_a_proxy_configured_every_bot_api_call_goes_through_it(start_bot: StartBot) -> None:
    async with HttpProxy() as proxy:
        bot = await start_bot("polling", nlu=scripted_nlu(), proxy=proxy.url)
        await bot.says("staff.li", PRINTER)
        await bot.fake.wait_message(TELEGRAM_IDS["staff.li"], "#")
        methods = {url.rsplit("/", 1)[-1] for url in proxy.forwarded}
        assert {"getMe", "setMyCommands", "getUpdates", "sendMessage"} <= methods
        assert all(url.startswith(bot.fake.api_base) for url in proxy.forwarded)
        await bot.server.close()  # stop polling before the proxy goes


@pytest.mark.parametrize("mode", MODES)
async def test_a_clarifying_question_offers_its_choices_as_buttons_and_a_choice_opens_a_ticket(
    mode: str, start_bot: StartBot
) -> None:
    bot = await start_bot(mode, nlu=ScriptedNlu({}, default=("nlu_fallback", 0.3)))
    fake, li = bot.fake, bot.user("staff.li")
    await bot.says("staff.li", "电脑那个东西又不行了")
    question = await fake.wait_for(
        lambda: next((m for m in fake.messages_to(li.id) if m.buttons), None), what="the clarifying question"
    )
    assert {"有东西坏了", "查工单进度"} <= {title for title, _ in question.buttons}
    await bot.send(fake.press_update(li, question, question.button("有东西坏了")))
    opened = await fake.wait_message(li.id, "#")
    ticket = await _ticket(bot, ticket_number(opened.text))
    assert ticket.requester_id == "staff.li" and ticket.text == "电脑那个东西又不行了"
    await fake.wait_for(lambda: fake.callback_answers, what="the press to be answered")
    assert "text" not in fake.callback_answers[0]  # it counted: no notice


class HeldNlu(ScriptedNlu):
    """Triage that waits until the test lets it go: shows what happens before handling ends."""

    def __init__(self) -> None:
        super().__init__({PRINTER: ("incident_normal", 0.95)})
        self.go = asyncio.Event()

    async def parse(self, text: str) -> Any:
        await self.go.wait()
        return await super().parse(text)


async def test_the_webhook_stores_the_update_and_answers_200_before_it_is_handled(start_bot: StartBot) -> None:
    nlu = HeldNlu()
    bot = await start_bot("webhook", nlu=nlu)
    update = bot.fake.message_update(bot.user("staff.li"), PRINTER)
    assert await bot.fake.deliver(update) == 200  # while triage has not even answered
    async with bot.sessions() as session:
        [stored] = (await session.scalars(select(storage.InboundMessage))).all()
    assert stored.status == "received" and stored.channel_message_id == str(update["update_id"])
    assert not bot.fake.messages_to(TELEGRAM_IDS["staff.li"])
    nlu.go.set()
    await bot.fake.wait_message(TELEGRAM_IDS["staff.li"], "#")


async def test_while_telegram_is_unreachable_the_rest_of_the_bot_runs_and_stops_cleanly(
    sqlite_url: str, tmp_path: Any
) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"  # nothing listens: as when the proxy is down
    settings = make_settings(
        sqlite_url, telegram={"token": TOKEN, "api_base": nowhere}, files={"dir": str(tmp_path / "files")}
    )
    app = build_app(settings, nlu=scripted_nlu())
    async with TestClient(TestServer(app)) as client:
        assert (await client.get("/healthz")).status == 200
        channel = app[RUNTIME].extra_adapters["telegram"]
        assert isinstance(channel, TelegramChannel) and not channel.ready
        await asyncio.sleep(0.5)  # a first attempt to reach Telegram has failed meanwhile
        assert (await client.get("/healthz")).status == 200
    # Leaving the block stopped the app, the half-started channel with it, without an error.
