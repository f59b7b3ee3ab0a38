"""End to end: the real ``helpdesk run`` process with the real Rasa server and the trained model,
WeCom's callbacks encrypted with the real ``WeChatCrypto``, the fake WeCom API receiving the replies."""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import storage
from tests.channels.wecom.conftest import people_file, wx
from tests.support.fake_wecom import AES_KEY, AGENT_ID, SECRET, TOKEN, FakeWecom, make_wecom_press, make_wecom_text
from tests.support.processes import BotProcess, free_port, write_config

URGENT = "三楼整层都断网了，大家都没法工作"
FAULT = "显示器突然黑了，主机还在响"
HOWTO = "打印机卡纸了，怎么都取不出来"


@pytest.fixture
def fake() -> Iterator[FakeWecom]:
    server = FakeWecom().start()
    yield server
    server.stop()


@pytest.fixture
def bot(rasa_url: str, tmp_path: Path, sqlite_url: str, fake: FakeWecom) -> Iterator[BotProcess]:
    port = free_port()
    config = write_config(tmp_path, sqlite_url, rasa_url, port)
    text = config.read_text(encoding="utf-8")
    config.write_text(
        f'people_file = "{people_file(tmp_path)}"\n'
        + text
        + f'[wecom]\ncorp_id = "{fake.corp_id}"\nagent_id = {AGENT_ID}\nsecret = "{SECRET}"\n'
        f'token = "{TOKEN}"\naes_key = "{AES_KEY}"\napi_base = "{fake.base}"\n'
        f'[outbox]\npoll_interval_s = 0.2\n[files]\ndir = "{tmp_path / "files"}"\n',
        encoding="utf-8",
    )
    process = BotProcess(config, port, tmp_path / "bot.log")
    process.start()
    yield process
    process.stop()


def post(bot: BotProcess, fake: FakeWecom, xml: str) -> tuple[int, bytes]:
    query, body = fake.callback(xml)
    request = urllib.request.Request(f"{bot.url}/webhooks/wecom?{query}", data=body.encode(), method="POST")
    with urllib.request.urlopen(request, timeout=10) as resp:
        return resp.status, resp.read()


def number_in(text: str) -> int:
    found = re.search(r"#(\d+)", text)
    assert found, text
    return int(found.group(1))


async def _ticket(url: str, number: int) -> storage.Ticket | None:
    engine = storage.make_engine(url)
    try:
        async with storage.make_session_factory(engine)() as session:
            return await storage.get_ticket(session, number)
    finally:
        await engine.dispose()


async def test_a_wecom_text_becomes_a_ticket_and_a_howto_question_an_answer_card(
    bot: BotProcess, fake: FakeWecom, sqlite_url: str
) -> None:
    assert fake.gettoken_calls == 1  # fetched at start-up
    assert post(bot, fake, make_wecom_text(wx("staff.wang"), FAULT)) == (200, b"")
    fake.wait_until(lambda: any("#" in t for t in fake.texts_to(wx("staff.wang"))))
    reply = next(t for t in fake.texts_to(wx("staff.wang")) if "#" in t)
    ticket = await _ticket(sqlite_url, number_in(reply))
    assert ticket is not None and ticket.requester_id == "staff.wang" and ticket.channel == "wecom"
    # A how-to question: the answer, then a card asking whether it helped.
    assert post(bot, fake, make_wecom_text(wx("staff.zhang"), HOWTO)) == (200, b"")
    fake.wait_until(lambda: bool(fake.cards_to(wx("staff.zhang"))))
    [card] = fake.cards_to(wx("staff.zhang"))
    assert "打印机" in card["main_title"]["title"] and len(card["button_list"]) == 2
    assert any("取出" in t for t in fake.texts_to(wx("staff.zhang")))


async def test_an_urgent_page_card_press_acknowledges_updates_the_card_and_tells_the_requester(
    bot: BotProcess, fake: FakeWecom, sqlite_url: str
) -> None:
    assert post(bot, fake, make_wecom_text(wx("staff.li"), URGENT))[0] == 200
    engineers = [wx(e) for e in ("eng.chen", "eng.liu", "eng.zhao", "eng.wu", "eng.sun")]
    fake.wait_until(lambda: any(fake.cards_to(e) for e in engineers))
    presser = next(e for e in engineers if fake.cards_to(e))
    [card] = fake.cards_to(presser)
    number = number_in(card["main_title"]["title"] + card.get("sub_title_text", ""))
    ack = next(i for i, b in enumerate(card["button_list"]) if b["key"].startswith("/v2.ack "))
    code = fake.response_code_for(presser, card["task_id"])
    assert post(bot, fake, make_wecom_press(presser, card, ack, code))[0] == 200
    fake.wait_until(lambda: any(u["response_code"] == code for u in fake.updates))
    ticket = await _ticket(sqlite_url, number)
    assert ticket is not None and ticket.severity == "urgent" and ticket.assignee_id == presser.removeprefix("wx-")
    fake.wait_until(lambda: sum(f"#{number}" in t for t in fake.texts_to(wx("staff.li"))) >= 2)
