"""The callback URL, in process on SQLite and PostgreSQL: real ``WeChatCrypto`` encrypting real
payloads, the real app, a scripted NLU, the fake WeCom API. What is stored, what reaches WeCom."""

from __future__ import annotations

import asyncio
import time
import urllib.parse
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from wechatpy.enterprise.crypto import WeChatCrypto

import storage
from core.clock import FakeClock
from nlu.client import ParseResult
from tests.channels.wecom.conftest import WECOM, post_callback, sessions_of, wx
from tests.support.builders import ScriptedNlu
from tests.support.fake_wecom import (
    AES_KEY,
    TOKEN,
    FakeWecom,
    make_wecom_event,
    make_wecom_file,
    make_wecom_image,
    make_wecom_press,
    make_wecom_text,
    make_wecom_voice,
)

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai: team A (陈工, 刘工) on duty
NLU = ScriptedNlu(
    {
        "键盘有几个键失灵了": ("incident_hardware", 0.95),
        "服务器连不上了，整个财务系统用不了": ("incident_urgent", 0.95),
        "打印机卡纸了": ("incident_normal", 0.95),
    }
)


async def _inbound_count(client: Any) -> int:
    async with sessions_of(client)() as session:
        return int(await session.scalar(select(func.count()).select_from(storage.InboundMessage)) or 0)


async def _tickets(client: Any) -> list[storage.Ticket]:
    async with sessions_of(client)() as session:
        return await storage.list_tickets(session, open_only=False, limit=50)


async def test_the_url_check_answers_the_decrypted_echostr(wecom_client: Any, fake_wecom: FakeWecom) -> None:
    client = await wecom_client(NLU)
    crypto = fake_wecom.crypto()
    echostr_plain = "1616140317555161061"
    encrypted = crypto.encrypt_message(echostr_plain, "nonce1", "1700000000")
    echostr = encrypted.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
    signature = encrypted.split("<MsgSignature><![CDATA[")[1].split("]]>")[0]
    query = urllib.parse.urlencode(
        {"msg_signature": signature, "timestamp": "1700000000", "nonce": "nonce1", "echostr": echostr}
    )
    answer = await client.get(f"{WECOM}?{query}")
    assert answer.status == 200 and await answer.text() == echostr_plain
    forged = query.replace(signature, "0" * 40)
    assert (await client.get(f"{WECOM}?{forged}")).status == 403


async def test_a_text_message_becomes_a_ticket_and_the_reply_reaches_wecom(
    wecom_client: Any, fake_wecom: FakeWecom
) -> None:
    client = await wecom_client(NLU)
    answer = await post_callback(client, fake_wecom, make_wecom_text(wx("staff.li"), "键盘有几个键失灵了"))
    assert answer.status == 200 and await answer.text() == ""
    await fake_wecom.until(lambda: bool(fake_wecom.sent_to(wx("staff.li"))))
    [ticket] = await _tickets(client)
    assert ticket.requester_id == "staff.li" and ticket.channel == "wecom"
    assert any(f"#{ticket.number}" in text for text in fake_wecom.texts_to(wx("staff.li")))


async def test_the_same_callback_three_times_is_handled_once(wecom_client: Any, fake_wecom: FakeWecom) -> None:
    client = await wecom_client(NLU)
    xml = make_wecom_text(wx("staff.li"), "打印机卡纸了")
    query, body = fake_wecom.callback(xml)
    answers = [await client.post(f"{WECOM}?{query}", data=body.encode()) for _ in range(3)]
    assert [a.status for a in answers] == [200, 200, 200]
    await fake_wecom.until(lambda: bool(fake_wecom.sent_to(wx("staff.li"))))
    await asyncio.sleep(0.5)  # time for any second handling to show
    assert len(await _tickets(client)) == 1
    assert await _inbound_count(client) == 1
    assert len(fake_wecom.sent_to(wx("staff.li"))) == 1


class SlowNlu(ScriptedNlu):
    """Rasa taking 3 s to answer; records when it finished."""

    def __init__(self) -> None:
        super().__init__({}, default=("incident_normal", 0.95))
        self.finished_at: float | None = None

    async def parse(self, text: str) -> ParseResult:
        await asyncio.sleep(3)
        self.finished_at = time.monotonic()
        return await super().parse(text)


async def test_the_callback_is_answered_while_the_nlu_is_still_working(
    wecom_client: Any, fake_wecom: FakeWecom
) -> None:
    nlu = SlowNlu()
    client = await wecom_client(nlu)
    answer = await post_callback(client, fake_wecom, make_wecom_text(wx("staff.wang"), "打印机卡纸了"))
    answered_at = time.monotonic()
    assert answer.status == 200
    assert nlu.finished_at is None  # answered before triage was done
    await fake_wecom.until(lambda: bool(fake_wecom.sent_to(wx("staff.wang"))))
    assert nlu.finished_at is not None and nlu.finished_at > answered_at
    assert len(await _tickets(client)) == 1


def _bomb() -> str:
    """A billion laughs: ten entities of ten, 10⁹ "lol"s if a parser expanded them."""
    entities = ['<!ENTITY l0 "lol">'] + [f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)]
    return f'<?xml version="1.0"?><!DOCTYPE xml [{"".join(entities)}]><xml><Encrypt>&l9;</Encrypt></xml>'


def _refused_requests(fake: FakeWecom) -> dict[str, tuple[str, bytes]]:
    good_query, good_body = fake.callback(make_wecom_text(wx("staff.li"), "打印机卡纸了"))
    params = dict(urllib.parse.parse_qsl(good_query))
    forged = urllib.parse.urlencode({**params, "msg_signature": "f" * 40})
    other_corp = WeChatCrypto(TOKEN, AES_KEY, "wwothercorp")
    wrong_corp_query, wrong_corp_body = fake.callback(
        make_wecom_text(wx("staff.li"), "打印机卡纸了", corp_id="wwothercorp"), crypto=other_corp
    )
    inner_bomb_query, inner_bomb_body = fake.callback(_bomb())
    return {
        "forged signature": (forged, good_body.encode()),
        "wrong corp id": (wrong_corp_query, wrong_corp_body.encode()),
        "malformed XML": (good_query, b"<xml><Encrypt>abc</Encrypt"),
        "2 MB body": (good_query, b"<xml><Encrypt>" + b"A" * (2 * 1024 * 1024) + b"</Encrypt></xml>"),
        "XML bomb": (good_query, _bomb().encode()),
        "XML bomb inside the encrypted message": (inner_bomb_query, inner_bomb_body.encode()),
    }


@pytest.mark.parametrize(
    "case",
    [
        "forged signature",
        "wrong corp id",
        "malformed XML",
        "2 MB body",
        "XML bomb",
        "XML bomb inside the encrypted message",
    ],
)
async def test_a_refused_callback_is_a_client_error_and_stores_nothing(
    wecom_client: Any, fake_wecom: FakeWecom, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    client = await wecom_client(NLU)
    query, body = _refused_requests(fake_wecom)[case]
    answer = await client.post(f"{WECOM}?{query}", data=body)
    assert 400 <= answer.status < 500, (case, answer.status, await answer.text())
    assert await _inbound_count(client) == 0
    assert "WeCom callback refused" in caplog.text
    await asyncio.sleep(0.2)
    assert fake_wecom.sent == []


async def test_an_urgent_page_is_a_button_card_whose_press_acknowledges_and_updates_the_cards(
    wecom_client: Any, fake_wecom: FakeWecom
) -> None:
    client = await wecom_client(NLU)
    await post_callback(client, fake_wecom, make_wecom_text(wx("staff.li"), "服务器连不上了，整个财务系统用不了"))
    engineers = [wx(e) for e in ("eng.chen", "eng.liu", "eng.zhao", "eng.wu")]
    await fake_wecom.until(lambda: sum(bool(fake_wecom.cards_to(e)) for e in engineers) >= 2)
    paged = [e for e in engineers if fake_wecom.cards_to(e)]
    presser, other = paged[0], paged[1]
    [card] = fake_wecom.cards_to(presser)
    assert card["card_type"] == "button_interaction" and 1 <= len(card["button_list"]) <= 6
    ack = next(i for i, b in enumerate(card["button_list"]) if b["key"].startswith("/v2.ack "))
    code = fake_wecom.response_code_for(presser, card["task_id"])
    answer = await post_callback(client, fake_wecom, make_wecom_press(presser, card, ack, code))
    assert answer.status == 200

    [ticket] = await _tickets(client)
    await fake_wecom.until(lambda: len(fake_wecom.updates) >= 2)
    async with sessions_of(client)() as session:
        ticket = await storage.get_ticket(session, ticket.number)
    assert ticket is not None and ticket.assignee_id == presser.removeprefix("wx-")
    pressed = [u for u in fake_wecom.updates if u["response_code"] == code]
    assert pressed and pressed[0]["userids"] == [presser]  # the pressed card, with the press's code
    assert any(u["_user"] == other for u in fake_wecom.updates)  # the other copy, with its own code
    name = {"wx-eng.chen": "陈工", "wx-eng.liu": "刘工", "wx-eng.zhao": "赵工", "wx-eng.wu": "吴工"}[presser]
    assert any(name in u["template_card"]["main_title"]["title"] for u in pressed)
    await fake_wecom.until(lambda: any(name in t for t in fake_wecom.texts_to(wx("staff.li"))))

    # The updated card keeps "resolve"; pressed, it asks for the note, and resolving replaces the same
    # card again in place, with the code of that later press.
    updated = pressed[0]["template_card"]
    resolve = next(i for i, b in enumerate(updated["button_list"]) if b["key"].startswith("/v2.resolve "))
    second = fake_wecom.response_code_for(presser, updated["task_id"])
    assert (await post_callback(client, fake_wecom, make_wecom_press(presser, updated, resolve, second))).status == 200
    asked = len(fake_wecom.sent_to(presser))
    await fake_wecom.until(lambda: any(f"解决 {ticket.number}" in t for t in fake_wecom.texts_to(presser)[asked - 1 :]))
    note = make_wecom_text(presser, f"解决 {ticket.number} 重启了核心交换机")
    assert (await post_callback(client, fake_wecom, note)).status == 200
    await fake_wecom.until(lambda: any(u["response_code"] == second for u in fake_wecom.updates))
    async with sessions_of(client)() as session:
        resolved = await storage.get_ticket(session, ticket.number)
    assert resolved is not None and resolved.status == "resolved"


async def test_a_press_redelivered_is_handled_once(wecom_client: Any, fake_wecom: FakeWecom) -> None:
    client = await wecom_client(NLU)
    await post_callback(client, fake_wecom, make_wecom_text(wx("staff.li"), "服务器连不上了，整个财务系统用不了"))
    await fake_wecom.until(lambda: bool(fake_wecom.cards_to(wx("eng.chen")) or fake_wecom.cards_to(wx("eng.zhao"))))
    presser = wx("eng.chen") if fake_wecom.cards_to(wx("eng.chen")) else wx("eng.zhao")
    [card] = fake_wecom.cards_to(presser)
    xml = make_wecom_press(presser, card, 0, fake_wecom.response_code_for(presser, card["task_id"]), created=1700000000)
    query, body = fake_wecom.callback(xml)
    for _ in range(3):
        assert (await client.post(f"{WECOM}?{query}", data=body.encode())).status == 200
    await asyncio.sleep(1.0)
    async with sessions_of(client)() as session:
        presses = (
            await session.scalars(select(storage.InboundMessage).where(storage.InboundMessage.sender_ref == presser))
        ).all()
    assert len(presses) == 1


async def test_an_unknown_wecom_user_is_taken_as_staff_and_the_service_manager_is_told_once(
    wecom_client: Any, fake_wecom: FakeWecom
) -> None:
    client = await wecom_client(NLU)
    for text in ("打印机卡纸了", "键盘有几个键失灵了"):
        assert (await post_callback(client, fake_wecom, make_wecom_text("ZhouXin", text))).status == 200
    await fake_wecom.until(lambda: len(fake_wecom.sent_to("ZhouXin")) >= 2)
    async with sessions_of(client)() as session:
        person = await storage.person_for_identity(session, "wecom", "ZhouXin")
    assert person is not None and person.role == "staff" and person.department == ""
    assert len(await _tickets(client)) == 2
    told = [t for t in fake_wecom.texts_to(wx("svc.ma")) if "ZhouXin" in t]
    assert len(told) == 1 and "sync-people" in told[0]


async def test_a_voice_message_is_taken_as_its_recognised_text(wecom_client: Any, fake_wecom: FakeWecom) -> None:
    client = await wecom_client(NLU)
    assert (await post_callback(client, fake_wecom, make_wecom_voice(wx("staff.li"), "打印机卡纸了"))).status == 200
    await fake_wecom.until(lambda: bool(fake_wecom.sent_to(wx("staff.li"))))
    [ticket] = await _tickets(client)
    assert ticket.text == "打印机卡纸了"


async def test_other_events_are_answered_and_not_stored(wecom_client: Any, fake_wecom: FakeWecom) -> None:
    client = await wecom_client(NLU)
    answer = await post_callback(client, fake_wecom, make_wecom_event(wx("staff.li"), "enter_agent"))
    assert answer.status == 200 and await _inbound_count(client) == 0


async def test_a_photo_and_a_file_are_fetched_kept_and_attached_to_the_persons_ticket(
    wecom_client: Any, fake_wecom: FakeWecom
) -> None:
    client = await wecom_client(NLU)
    await post_callback(client, fake_wecom, make_wecom_text(wx("staff.zhang"), "键盘有几个键失灵了"))
    await fake_wecom.until(lambda: bool(fake_wecom.sent_to(wx("staff.zhang"))))
    photo, log = b"\xff\xd8\xff photo of the keyboard", b"key 17 stuck"
    media_id = fake_wecom.add_media("keyboard.jpg", photo)
    assert (await post_callback(client, fake_wecom, make_wecom_image(wx("staff.zhang"), media_id))).status == 200
    await fake_wecom.until(lambda: len(fake_wecom.sent_to(wx("staff.zhang"))) >= 2)
    [ticket] = await _tickets(client)
    assert f"#{ticket.number}" in fake_wecom.texts_to(wx("staff.zhang"))[-1]
    file_xml = make_wecom_file(wx("staff.zhang"), fake_wecom.add_media("keyboard.log", log), "键盘日志.log")
    assert (await post_callback(client, fake_wecom, file_xml)).status == 200
    await fake_wecom.until(lambda: len(fake_wecom.sent_to(wx("staff.zhang"))) >= 3)
    async with sessions_of(client)() as session:
        files = await storage.attachments_of_ticket(session, ticket.id)
    kept = sorted((f.name, f.kind, f.size) for f in files)
    assert kept == [("keyboard.jpg", "image", len(photo)), ("键盘日志.log", "file", len(log))]


async def test_pages_are_copied_to_the_engineers_group(wecom_client: Any, fake_wecom: FakeWecom) -> None:
    fake_wecom.appchats["wrEngineers"] = {"name": "IT 值班"}
    client = await wecom_client(NLU, wecom={"engineers_chat_id": "wrEngineers"})
    await post_callback(client, fake_wecom, make_wecom_text(wx("staff.li"), "服务器连不上了，整个财务系统用不了"))
    await fake_wecom.until(lambda: bool(fake_wecom.appchat_sent))
    [copy] = fake_wecom.appchat_sent
    [ticket] = await _tickets(client)
    assert copy["chatid"] == "wrEngineers" and f"#{ticket.number}" in copy[copy["msgtype"]]["content"]


async def test_an_unreachable_engineer_falls_through_to_the_next_step_of_the_page(
    wecom_client: Any, fake_wecom: FakeWecom
) -> None:
    clock = FakeClock(NOW)
    fake_wecom.unreachable.add(wx("eng.chen"))  # outside the application's visible range: 81013
    client = await wecom_client(NLU, clock=clock)
    await post_callback(client, fake_wecom, make_wecom_text(wx("staff.li"), "服务器连不上了，整个财务系统用不了"))
    await fake_wecom.until(lambda: bool(fake_wecom.cards_to(wx("eng.liu"))))  # the other on-duty engineer
    assert ("/message/send", 81013) in fake_wecom.refused
    # Chen cannot be reached on WeCom: the backup is paged now, not after the step's 5 minutes.
    await fake_wecom.until(lambda: bool(fake_wecom.cards_to(wx("eng.sun"))))
    assert clock.now() == NOW
    async with sessions_of(client)() as session:
        identity = await storage.identity_of(session, "wecom", wx("eng.chen"))
    assert identity is not None and identity.unreachable_at is not None
