"""Sending through the WeCom API: the adapter against the fake WeCom API over a real aiohttp session.
The token shared and renewed once, errcodes mapped to the outbox's errors, how replies look."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from channels.base import DeliveryError, PermanentDeliveryError, RecipientUnreachable
from channels.wecom import WecomApi, WecomBadSecret, WecomChannel, WecomGroupChannel
from channels.wecom.render import SentRef, split_text
from core.messages import Action, Button, Delivery, FileRef, Reply
from tests.support.fake_wecom import AGENT_ID, CORP_ID, SECRET, FakeWecom

USER = "LiNa"


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def fake() -> AsyncIterator[FakeWecom]:
    server = FakeWecom().start()
    yield server  # type: ignore[misc]
    server.stop()


def _api(http: aiohttp.ClientSession, fake: FakeWecom, secret: str = SECRET) -> WecomApi:
    return WecomApi(http, CORP_ID, secret, fake.base, busy_delays_s=(0.01, 0.02, 0.05))


def _delivery(reply: Reply, outbox_id: int = 1, chat: str = USER, edit_of: str | None = None) -> Delivery:
    return Delivery(outbox_id, "wecom", "staff.li", chat, reply, edit_of=edit_of)


def _buttons(count: int) -> tuple[Button, ...]:
    return tuple(Button(f"选项{i}", Action.ACKNOWLEDGE, "1042", f"/v2.ack 57.{i}.AbCdEfGhIjKlMn") for i in range(count))


async def test_an_expired_token_is_renewed_once_for_ten_concurrent_sends(
    http: aiohttp.ClientSession, fake: FakeWecom
) -> None:
    api = _api(http, fake)
    await api.start()
    channel = WecomChannel(api, AGENT_ID)
    fake.expire_tokens()
    ids = await asyncio.gather(*(channel.send(_delivery(Reply(f"第{i}条"), i)) for i in range(10)))
    assert len(ids) == 10
    assert sorted(m["text"]["content"] for m in fake.sent_to(USER)) == sorted(f"第{i}条" for i in range(10))
    assert fake.gettoken_calls == 2  # start-up, and one renewal for all ten
    assert api.token_fetches == 2
    assert sum(1 for path, code in fake.refused if code == 42001) == 10


async def test_the_token_is_kept_between_sends(http: aiohttp.ClientSession, fake: FakeWecom) -> None:
    channel = WecomChannel(_api(http, fake), AGENT_ID)
    for i in range(3):
        await channel.send(_delivery(Reply("好的"), i))
    assert fake.gettoken_calls == 1


async def test_a_rate_limit_is_retried_and_the_message_arrives(http: aiohttp.ClientSession, fake: FakeWecom) -> None:
    channel = WecomChannel(_api(http, fake), AGENT_ID)
    fake.fail_next("/message/send", 45009, -1)
    await channel.send(_delivery(Reply("工单 #1042 已创建")))
    assert fake.texts_to(USER) == ["工单 #1042 已创建"]
    assert [code for _, code in fake.refused] == [45009, -1]


async def test_busy_beyond_the_inline_retries_is_left_to_the_outbox(
    http: aiohttp.ClientSession, fake: FakeWecom
) -> None:
    channel = WecomChannel(_api(http, fake), AGENT_ID)
    fake.fail_next("/message/send", 45033, 45033, 45033, 45033)
    with pytest.raises(DeliveryError) as raised:
        await channel.send(_delivery(Reply("稍后")))
    assert not isinstance(raised.value, PermanentDeliveryError)
    await channel.send(_delivery(Reply("稍后")))  # the outbox's retry
    assert fake.texts_to(USER) == ["稍后"]


@pytest.mark.parametrize("errcode", [81013, 60111])
async def test_a_user_outside_the_visible_range_is_unreachable(
    http: aiohttp.ClientSession, fake: FakeWecom, errcode: int
) -> None:
    channel = WecomChannel(_api(http, fake), AGENT_ID)
    fake.fail_next("/message/send", errcode)
    with pytest.raises(RecipientUnreachable, match=str(errcode)):
        await channel.send(_delivery(Reply("你好")))


async def test_another_error_fails_the_row_with_errcode_and_errmsg(
    http: aiohttp.ClientSession, fake: FakeWecom
) -> None:
    channel = WecomChannel(_api(http, fake), AGENT_ID)
    fake.fail_next("/message/send", 40058)
    with pytest.raises(PermanentDeliveryError, match="errcode 40058: injected error 40058") as raised:
        await channel.send(_delivery(Reply("你好")))
    assert not isinstance(raised.value, RecipientUnreachable)


async def test_a_bad_secret_is_told_at_start(http: aiohttp.ClientSession, fake: FakeWecom) -> None:
    with pytest.raises(WecomBadSecret) as raised:
        await _api(http, fake, secret="wrong").start()
    assert raised.value.errcode == 40001


async def test_buttons_become_a_card_with_our_payloads_as_keys(http: aiohttp.ClientSession, fake: FakeWecom) -> None:
    channel = WecomChannel(_api(http, fake), AGENT_ID)
    ref = SentRef.decode(await channel.send(_delivery(Reply("🚨 紧急故障 #1042\n财务系统打不开", _buttons(2)), 57)))
    [card] = fake.cards_to(USER)
    assert card["card_type"] == "button_interaction"
    assert card["main_title"]["title"] == "🚨 紧急故障 #1042" and card["sub_title_text"] == "财务系统打不开"
    assert [b["key"] for b in card["button_list"]] == ["/v2.ack 57.0.AbCdEfGhIjKlMn", "/v2.ack 57.1.AbCdEfGhIjKlMn"]
    assert ref.task_id == card["task_id"] and ref.task_id.startswith("hd57_") and ref.response_code


async def test_more_than_six_buttons_list_the_rest_as_text(http: aiohttp.ClientSession, fake: FakeWecom) -> None:
    channel = WecomChannel(_api(http, fake), AGENT_ID)
    await channel.send(_delivery(Reply("请选择", _buttons(8))))
    cards = fake.cards_to(USER)
    assert len(cards[0]["button_list"]) == 6
    assert "选项6" in cards[0]["sub_title_text"] and "选项7" in cards[0]["sub_title_text"]


async def test_a_long_answer_goes_as_text_before_its_card(http: aiohttp.ClientSession, fake: FakeWecom) -> None:
    channel = WecomChannel(_api(http, fake), AGENT_ID)
    body = "\n".join(f"{i}. 打开设置，找到无线网络，选择公司网络并输入密码。" for i in range(1, 40))
    await channel.send(_delivery(Reply(f"怎么连 WiFi\n{body}", _buttons(2))))
    kinds = [m["msgtype"] for m in fake.sent_to(USER)]
    assert kinds[-1] == "template_card" and set(kinds[:-1]) == {"text"} and len(kinds) >= 2
    assert all(len(m["text"]["content"].encode()) <= 2048 for m in fake.sent_to(USER)[:-1])
    assert "39. 打开设置" in "".join(m["text"]["content"] for m in fake.sent_to(USER)[:-1])


async def test_markdown_goes_as_markdown(http: aiohttp.ClientSession, fake: FakeWecom) -> None:
    channel = WecomChannel(_api(http, fake), AGENT_ID)
    await channel.send(_delivery(Reply("**工单 #1042** 已解决")))
    assert fake.sent_to(USER)[0]["msgtype"] == "markdown"


async def test_a_file_is_uploaded_then_sent(http: aiohttp.ClientSession, fake: FakeWecom, tmp_path: Path) -> None:
    path = tmp_path / "service-record-1042.pdf"
    path.write_bytes(b"%PDF-1.4 service record")
    channel = WecomChannel(_api(http, fake), AGENT_ID)
    await channel.send(_delivery(Reply("服务记录单", files=(FileRef(path.name, str(path)),))))
    [(name, data)] = fake.uploads.values()
    assert (name, data) == ("service-record-1042.pdf", b"%PDF-1.4 service record")
    sent = fake.sent_to(USER)
    assert sent[-1]["msgtype"] == "file" and sent[-1]["file"]["media_id"] in fake.uploads


async def test_an_edit_updates_the_card_with_its_response_code_once_then_sends_anew(
    http: aiohttp.ClientSession, fake: FakeWecom
) -> None:
    channel = WecomChannel(_api(http, fake), AGENT_ID)
    sent = await channel.send(_delivery(Reply("🚨 紧急故障 #1042", _buttons(2)), 57))
    await channel.edit(_delivery(Reply("✅ 已由 陈工 10:32 接单"), 58, edit_of=sent))
    [update] = fake.updates
    assert update["response_code"] == SentRef.decode(sent).response_code and update["userids"] == [USER]
    assert update["template_card"]["main_title"]["title"] == "✅ 已由 陈工 10:32 接单"
    assert update["template_card"]["task_id"] == SentRef.decode(sent).task_id
    # The code is spent: a second replacement of the same card arrives as a new message.
    await channel.edit(_delivery(Reply("✔️ #1042 已解决"), 59, edit_of=sent))
    assert len(fake.updates) == 1 and fake.texts_to(USER)[-1] == "✔️ #1042 已解决"


async def test_an_edit_of_a_card_without_a_response_code_is_a_new_message(
    http: aiohttp.ClientSession, fake: FakeWecom
) -> None:
    channel = WecomChannel(_api(http, fake), AGENT_ID)
    await channel.edit(_delivery(Reply("✅ 已由 陈工 接单"), 60, edit_of=SentRef(task_id="hd1_ab").encode()))
    assert fake.updates == [] and fake.texts_to(USER) == ["✅ 已由 陈工 接单"]


async def test_the_group_gets_plain_text(http: aiohttp.ClientSession, fake: FakeWecom) -> None:
    api = _api(http, fake)
    chat = await api.appchat_create("IT 值班", "eng.chen", ["eng.chen", "eng.liu"])
    await WecomGroupChannel(api).send(Delivery(1, "wecom_group", "", chat, Reply("🚨 #1042", _buttons(2))))
    assert fake.appchat_sent == [{"chatid": chat, "msgtype": "text", "text": {"content": "🚨 #1042"}}]


async def test_a_token_refused_again_after_renewal_is_left_to_the_outbox(
    http: aiohttp.ClientSession, fake: FakeWecom
) -> None:
    channel = WecomChannel(_api(http, fake), AGENT_ID)
    fake.fail_next("/message/send", 42001, 40014)
    with pytest.raises(DeliveryError) as raised:
        await channel.send(_delivery(Reply("你好")))
    assert not isinstance(raised.value, PermanentDeliveryError)
    assert fake.gettoken_calls == 2  # renewed once, not in a loop


def test_text_is_split_under_wecoms_limit_without_losing_a_character() -> None:
    long_line = "网络" * 2000 + "end"  # 12 003 bytes on one line
    text = f"第一行\n{long_line}\n最后一行"
    pieces = split_text(text)
    assert all(len(p.encode("utf-8")) <= 2048 for p in pieces) and len(pieces) >= 6
    assert "".join(pieces).replace("\n", "") == text.replace("\n", "")
