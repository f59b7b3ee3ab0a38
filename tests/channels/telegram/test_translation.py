"""The adapter's translation both ways, without a network: Telegram updates (as the fake Bot API
builds them, in Telegram's JSON) read as what they ask of the bot, and our replies and errors in the
Bot API's terms."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Bot, Update, User
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from channels.base import PermanentDeliveryError, RecipientUnreachable
from channels.telegram.inbound import read_update
from channels.telegram.outbound import (
    MAX_TEXT,
    delivery_error,
    keyboard,
    message_ref,
    parse_message_ref,
    text_parts,
)
from core.messages import Action, Button, Reply
from tests.support.fake_telegram import BOT_ID, BOT_USERNAME, TOKEN, FakeTelegram, Sent, TgUser

ME = User(BOT_ID, "IT 服务台", is_bot=True, username=BOT_USERNAME)
LI = TgUser(1001, "李娜")
GROUP = {"id": -1001122334455, "type": "supergroup", "title": "财务部"}
fake = FakeTelegram()  # its builders only: no server


def update(data: dict[str, Any]) -> Update:
    return Update.de_json(data, Bot(TOKEN))


def test_a_private_message_is_read_with_the_update_id_the_user_and_the_chat() -> None:
    data = fake.message_update(LI, "打印机卡纸了")
    incoming = read_update(update(data), ME)
    assert incoming is not None
    assert (incoming.update_id, incoming.sender, incoming.chat) == (data["update_id"], "1001", "1001")
    assert incoming.text == "打印机卡纸了" and not incoming.is_group and incoming.callback_id is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("打印机卡纸了", None),  # not addressed to the bot
        ("/oncall@some_other_bot", None),  # a command for another bot
        (f"@{BOT_USERNAME} 打印机卡纸了", "打印机卡纸了"),
        (f"打印机 @{BOT_USERNAME} 卡纸了", "打印机 卡纸了"),
        (f"/oncall@{BOT_USERNAME}", "/oncall"),
        (f"/take@{BOT_USERNAME} 1042", "/take 1042"),
        ("/mine", "/mine"),  # a command without a name goes to every bot in the group
    ],
)
def test_in_a_group_only_what_addresses_the_bot_is_read_without_its_name(text: str, expected: str | None) -> None:
    incoming = read_update(update(fake.message_update(LI, text, chat=GROUP)), ME)
    assert (incoming.text if incoming else None) == expected
    assert incoming is None or (incoming.is_group and incoming.chat == str(GROUP["id"]))


def test_a_reply_to_the_bots_message_in_a_group_addresses_it() -> None:
    ours = Sent(GROUP["id"], 77, "工单 #1042 已创建", [])
    incoming = read_update(update(fake.message_update(LI, "还是不行", chat=GROUP, reply_to=ours)), ME)
    assert incoming is not None and incoming.text == "还是不行"


def test_a_button_press_is_its_callback_data_with_the_query_to_answer() -> None:
    sent = Sent(GROUP["id"], 5, "【紧急故障】工单 #1042", [("接单", "/v2.ack 57.0.AbCdEfGhIjKlMn")])
    data = fake.press_update(TgUser(2001, "陈工"), sent, sent.buttons[0][1])
    incoming = read_update(update(data), ME)
    assert incoming is not None
    assert incoming.text == "/v2.ack 57.0.AbCdEfGhIjKlMn" and incoming.sender == "2001"
    assert incoming.chat == str(GROUP["id"]) and incoming.is_group
    assert incoming.callback_id == data["callback_query"]["id"]


def test_a_photo_is_wanted_at_its_largest_size_and_a_document_by_its_name() -> None:
    photo = read_update(update(fake.message_update(LI, "报错截图", photo=("ph-big", 52_000))), ME)
    assert photo is not None and photo.text == "报错截图"
    assert photo.file is not None and (photo.file.file_id, photo.file.kind, photo.file.size) == (
        "ph-big",
        "image",
        52_000,
    )
    document = read_update(update(fake.message_update(LI, "", document=("doc-1", "日志.txt", 900, "text/plain"))), ME)
    assert document is not None and document.text == ""
    assert document.file is not None and (document.file.name, document.file.kind) == ("日志.txt", "file")
    scan = read_update(update(fake.message_update(LI, "", document=("doc-2", "scan.png", 900, "image/png"))), ME)
    assert scan is not None and scan.file is not None and scan.file.kind == "image"


def test_what_is_not_for_the_bot_is_not_read() -> None:
    bot_user = {"id": 999, "is_bot": True, "first_name": "another bot"}
    from_bot = fake.message_update(LI, "hello")
    from_bot["message"]["from"] = bot_user
    edited = fake.message_update(LI, "改一下")
    edited["edited_message"] = edited.pop("message")
    sticker = fake.message_update(LI, "")
    sticker["message"]["sticker"] = {
        "file_id": "st",
        "file_unique_id": "st1",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "type": "regular",
    }
    for data in (from_bot, edited, sticker):
        assert read_update(update(data), ME) is None


def test_control_characters_are_dropped_and_the_text_kept_within_the_stores_limit() -> None:
    incoming = read_update(update(fake.message_update(LI, "打印机\x07坏了" + "。" * 5000)), ME)
    assert incoming is not None and incoming.text.startswith("打印机坏了") and len(incoming.text) == 4000


def test_every_button_becomes_a_row_of_the_inline_keyboard_and_an_oversized_payload_is_left_out() -> None:
    ok = Button("接单", Action.ACKNOWLEDGE, "1042", "/v2.ack 57.0.AbCdEfGhIjKlMn")
    too_long = Button("太长", Action.TAKE, "1042", "/v2.take " + "9" * 60)
    markup = keyboard(Reply("【紧急故障】", (ok, too_long)))
    assert markup is not None
    assert [[(b.text, b.callback_data) for b in row] for row in markup.inline_keyboard] == [
        [("接单", "/v2.ack 57.0.AbCdEfGhIjKlMn")]
    ]
    assert keyboard(Reply("没有按钮")) is None


def test_a_long_text_goes_in_parts_telegram_accepts_and_an_empty_one_is_never_sent_empty() -> None:
    text = "\n".join(f"第 {i} 行：" + "字" * 50 for i in range(300))
    parts = text_parts(text)
    assert len(parts) > 1 and all(len(p) <= MAX_TEXT for p in parts)
    assert "".join(parts).replace("\n", "") == text.replace("\n", "")
    assert text_parts("  ") == ["…"]


def test_a_sent_message_is_named_by_its_chat_and_id() -> None:
    assert parse_message_ref(message_ref(-1001122334455, 42)) == (-1001122334455, 42)
    assert parse_message_ref("o17") is None


def test_bot_api_errors_become_the_outboxs_errors() -> None:
    blocked = delivery_error(Forbidden("Forbidden: bot was blocked by the user"), 1001)
    assert isinstance(blocked, RecipientUnreachable)
    kicked = delivery_error(Forbidden("Forbidden: bot was kicked from the supergroup chat"), -1001122334455)
    assert isinstance(kicked, PermanentDeliveryError) and not isinstance(kicked, RecipientUnreachable)
    assert isinstance(delivery_error(BadRequest("Chat not found"), 1001), RecipientUnreachable)
    assert not isinstance(delivery_error(BadRequest("Chat not found"), -100), RecipientUnreachable)
    assert isinstance(delivery_error(BadRequest("Message text is empty"), 1001), PermanentDeliveryError)
    for retried in (NetworkError("Internal Server Error"), TimedOut(), RetryAfter(5)):
        assert not isinstance(delivery_error(retried, 1001), PermanentDeliveryError)
