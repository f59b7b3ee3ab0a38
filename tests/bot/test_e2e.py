"""End to end over HTTP on localhost: the real ``helpdesk run`` process, the real Rasa server with
the trained model, a real store; and the web chat in headless Chromium."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import storage
from config.settings import REPO_ROOT
from tests.support.browser import launch_chromium, sign_in_on_page
from tests.support.processes import BotProcess, free_port, write_config

URGENT = "三楼整层都断网了，大家都没法工作"
PASSWORD = "correct horse battery"


def post_rest(bot: BotProcess, sender: str, message: str, message_id: str | None = None) -> Any:
    body: dict[str, str] = {"sender": sender, "message": message}
    if message_id:
        body["message_id"] = message_id
    request = urllib.request.Request(
        bot.url + "/webhooks/rest/webhook",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {bot.token}"},
    )
    with urllib.request.urlopen(request, timeout=30) as resp:
        return json.loads(resp.read())


def ticket_number(text: str) -> int:
    found = re.search(r"#(\d+)", text)
    assert found, f"no ticket number in {text!r}"
    return int(found.group(1))


@pytest.fixture
def bot_factory(tmp_path: Path, sqlite_url: str) -> Iterator[Any]:
    started: list[BotProcess] = []

    def make(rasa_url: str, database_url: str = sqlite_url) -> BotProcess:
        port = free_port()
        bot = BotProcess(write_config(tmp_path, database_url, rasa_url, port), port, tmp_path / "bot.log")
        bot.start()
        started.append(bot)
        return bot

    yield make
    for bot in started:
        bot.stop()


async def _ticket(database_url: str, number: int) -> tuple[storage.Ticket | None, list[str]]:
    engine = storage.make_engine(database_url)
    try:
        async with storage.make_session_factory(engine)() as s:
            ticket = await storage.get_ticket(s, number)
            events = [e.action for e in await storage.ticket_events(s, ticket)] if ticket else []
            return ticket, events
    finally:
        await engine.dispose()


async def test_an_urgent_outage_over_rest_gets_an_urgent_ticket_that_survives_a_restart(
    rasa_url: str, bot_factory: Any, sqlite_url: str
) -> None:
    bot = bot_factory(rasa_url)
    [reply] = post_rest(bot, "staff.li", URGENT)
    number = ticket_number(reply["text"])
    assert "紧急故障" in reply["text"] and reply["recipient_id"] == "staff.li"
    ticket, events = await _ticket(sqlite_url, number)
    assert ticket is not None and (ticket.kind, ticket.severity) == ("incident", "urgent")
    assert events[0] == "opened" and "paged" in events  # the on-duty engineers were paged at once

    assert bot.stop() == 0
    bot = bot_factory(rasa_url)
    ticket, _ = await _ticket(sqlite_url, number)
    assert ticket is not None and ticket.text == URGENT
    bot.set_password("staff.li", PASSWORD)
    with bot.signed_in("staff.li", PASSWORD).open(bot.url + "/api/history", timeout=10) as resp:
        history = json.loads(resp.read())
    assert any(f"#{number}" in item["text"] for item in history)


async def test_the_same_message_id_twice_over_rest_opens_one_ticket(
    rasa_url: str, bot_factory: Any, sqlite_url: str
) -> None:
    bot = bot_factory(rasa_url)
    [first] = post_rest(bot, "staff.wang", "我电脑开机就蓝屏，今天的报表还没做", message_id="wecom-42")
    [again] = post_rest(bot, "staff.wang", "我电脑开机就蓝屏，今天的报表还没做", message_id="wecom-42")
    assert ticket_number(first["text"]) == ticket_number(again["text"])
    engine = storage.make_engine(sqlite_url)
    async with storage.make_session_factory(engine)() as s:
        assert await storage.count_tickets(s) == 1
    await engine.dispose()


async def test_with_rasa_stopped_the_person_gets_a_ticket_number_and_an_honest_message(
    bot_factory: Any, sqlite_url: str
) -> None:
    bot = bot_factory(f"http://127.0.0.1:{free_port()}")  # nothing listens there
    [reply] = post_rest(bot, "staff.zhang", URGENT)
    number = ticket_number(reply["text"])
    assert "暂时不可用" in reply["text"]
    ticket, _ = await _ticket(sqlite_url, number)
    assert ticket is not None and ticket.kind == "unknown" and ticket.severity is None


def test_a_malformed_webhook_gets_a_clear_400(bot_factory: Any) -> None:
    bot = bot_factory(f"http://127.0.0.1:{free_port()}")
    for body in (b"not json", b"[]", json.dumps({"sender": "staff.li"}).encode()):
        request = urllib.request.Request(
            bot.url + "/webhooks/rest/webhook", data=body, headers={"Authorization": f"Bearer {bot.token}"}
        )
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request, timeout=10)
        assert caught.value.code == 400
        assert "error" in json.loads(caught.value.read())


async def test_the_web_chat_in_chromium_reports_a_fault_and_shows_the_ticket(
    rasa_url: str, bot_factory: Any, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright

    bot = bot_factory(rasa_url)
    bot.set_password("staff.li", PASSWORD)
    async with async_playwright() as pw:
        browser = await launch_chromium(pw)
        page = await browser.new_page()
        await sign_in_on_page(page, bot.url, "staff.li", PASSWORD)
        await page.fill("#text", URGENT)
        await page.click("#send")
        reply = page.locator(".msg.bot", has_text="工单 #")
        await reply.wait_for(timeout=30000)
        text = await reply.inner_text()
        await page.screenshot(path=str(tmp_path / "webchat.png"))
        await browser.close()
    assert "紧急故障" in text
    ticket_number(text)


async def test_a_howto_over_rest_answers_with_the_article_and_not_solved_opens_a_ticket_naming_it(
    rasa_url: str, bot_factory: Any, sqlite_url: str
) -> None:
    bot = bot_factory(rasa_url)
    [answer] = post_rest(bot, "staff.li", "怎么把打印机设成双面打印")
    assert "打印" in answer["text"]
    assert [b["title"] for b in answer["buttons"]] == ["解决了", "没解决，帮我报修"]
    [reply] = post_rest(bot, "staff.li", answer["buttons"][1]["payload"])
    ticket, _ = await _ticket(sqlite_url, ticket_number(reply["text"]))
    assert ticket is not None and ticket.kind == "incident" and ticket.article == "printer-settings"


def test_articles_are_browsable_in_the_web_chat(bot_factory: Any) -> None:
    bot = bot_factory(f"http://127.0.0.1:{free_port()}")
    bot.set_password("staff.li", PASSWORD)
    browser = bot.signed_in("staff.li", PASSWORD)
    with browser.open(bot.url + "/kb", timeout=10) as resp:
        listing = resp.read().decode()
    with browser.open(bot.url + "/kb/printer-jam", timeout=10) as resp:
        page = resp.read().decode()
    assert listing.count("<li>") >= 31 and "/kb/printer-add" in listing
    assert "卡纸" in page and "<ol>" in page
    with pytest.raises(urllib.error.HTTPError) as caught:
        browser.open(bot.url + "/kb/no-such-article", timeout=10)
    assert caught.value.code == 404


def test_a_busy_database_gets_a_clear_retry_answer_and_the_retry_is_handled(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "busy.db"
    port = free_port()
    config = tmp_path / "busy.toml"
    config.write_text(
        f'base_dir = "{REPO_ROOT}"\n[database]\nurl = "sqlite+aiosqlite:///{db}"\nbusy_timeout_ms = 300\n'
        f'[nlu]\nurl = "http://127.0.0.1:{free_port()}"\nstart_server = false\ntimeout_s = 2.0\n[web]\nport = {port}\n',
        encoding="utf-8",
    )
    bot = BotProcess(config, port, tmp_path / "bot.log")
    bot.start()
    try:
        token = bot.token  # made before the database is held
        blocker = sqlite3.connect(db, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")  # another writer holds the database
        request = urllib.request.Request(
            bot.url + "/webhooks/rest/webhook",
            data=json.dumps({"sender": "staff.li", "message": "打印机卡纸了", "message_id": "busy-1"}).encode(),
            headers={"Authorization": f"Bearer {token}"},
        )
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request, timeout=30)
        answer = json.loads(caught.value.read())
        assert caught.value.code == 503 and answer["retry"] is True and "稍后重新发送" in answer["error"]
        blocker.execute("ROLLBACK")
        blocker.close()
        [reply] = post_rest(bot, "staff.li", "打印机卡纸了", message_id="busy-1")
        ticket_number(reply["text"])  # the retry was stored and handled: a ticket number
    finally:
        bot.stop()


async def test_an_engineer_sees_the_page_pushed_live_and_acknowledges_it_with_the_button(
    rasa_url: str, bot_factory: Any
) -> None:
    from datetime import UTC, datetime

    from playwright.async_api import async_playwright, expect

    from handlers.paging.calendar import BusinessCalendar
    from handlers.paging.roster import load_roster, on_duty

    engineer = on_duty(
        load_roster(REPO_ROOT / "config" / "roster.yaml"), datetime.now(UTC), BusinessCalendar()
    ).engineers[0]
    bot = bot_factory(rasa_url)
    async with async_playwright() as pw:
        browser = await launch_chromium(pw)
        pages = []
        for person in (engineer, "staff.zhang"):
            bot.set_password(person, PASSWORD)
            page = await browser.new_page()  # a browser context of its own: its own cookies
            await sign_in_on_page(page, bot.url, person, PASSWORD)
            pages.append(page)
        eng_page, staff_page = pages
        await staff_page.fill("#text", URGENT)
        await staff_page.click("#send")
        page_msg = eng_page.locator(".msg.bot", has_text="紧急故障")
        await page_msg.wait_for(timeout=30000)  # pushed to the engineer's open page, no reload
        await page_msg.get_by_role("button", name="接单").click()
        await eng_page.locator(".msg.bot", has_text="✅ 已由").first.wait_for(timeout=30000)
        await expect(page_msg).to_have_count(0)  # the page itself was edited in place, not answered anew
        await staff_page.locator(".msg.bot", has_text="已接手").wait_for(timeout=30000)  # requester told
        await browser.close()
