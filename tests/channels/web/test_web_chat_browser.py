"""What a newcomer meets in the web chat, in headless Chromium against the real ``helpdesk run``
and the real Rasa server: signing in, the greeting and its examples, guide links, pressed buttons
after a reload, emoji in colour; and in demo mode, the picker under a banner on every page."""

from __future__ import annotations

import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support.browser import launch_chromium, sign_in_on_page
from tests.support.processes import BotProcess, free_port, write_config

if TYPE_CHECKING:
    from playwright.async_api import Page

EXAMPLES = ["打印机卡纸了", "怎么连WiFi", "我的工单"]
PASSWORD = "correct horse battery"
DEMO_BANNER = "演示模式：任何人都可以选择任何身份"
StartBot = Callable[..., BotProcess]  # the real bot against a Rasa URL (demo_mode=True for the demo)


@pytest.fixture
def start_bot(tmp_path: Path, sqlite_url: str) -> Iterator[StartBot]:
    started: list[BotProcess] = []

    def start(rasa_url: str, demo_mode: bool = False) -> BotProcess:
        port = free_port()
        config = write_config(tmp_path, sqlite_url, rasa_url, port, demo_mode=demo_mode)
        bot = BotProcess(config, port, tmp_path / "bot.log")
        bot.start()
        started.append(bot)
        return bot

    yield start
    for bot in started:
        bot.stop()


async def _open_as(page: Page, bot: BotProcess, person: str) -> None:
    """Sign in through the sign-in page with a password the operator set."""
    bot.set_password(person, PASSWORD)
    await sign_in_on_page(page, bot.url, person, PASSWORD)


async def test_a_newcomer_is_greeted_presses_examples_and_sees_titles_after_a_reload(
    rasa_url: str, start_bot: StartBot
) -> None:
    from playwright.async_api import async_playwright, expect

    bot = start_bot(rasa_url)
    async with async_playwright() as pw:
        browser = await launch_chromium(pw)
        page = await browser.new_page()
        await _open_as(page, bot, "staff.li")
        await expect(page.locator("#me")).to_have_text("李娜")
        await expect(page.locator("#who")).to_have_count(0)  # no picker outside demo mode
        await expect(page.locator(".demo-banner")).to_have_count(0)

        greeting = page.locator(".msg.greeting")
        await expect(greeting).to_contain_text("我是 IT 服务台机器人")
        await expect(greeting.locator("button")).to_have_text(EXAMPLES)
        await expect(greeting.locator("a")).to_have_attribute("href", "/kb")

        # An example is sent as if typed, and answered: a how-to with the article and a link to it.
        await greeting.get_by_role("button", name="怎么连WiFi").click()
        await expect(page.locator(".msg.me").last).to_have_text("怎么连WiFi")
        answer = page.locator(".msg.bot", has_text="📖")
        await answer.wait_for(timeout=30000)
        link = answer.locator("a[href^='/kb/']")
        await expect(link).to_have_count(1)
        href = await link.get_attribute("href")
        assert href is not None and await link.inner_text() == href
        with urllib.request.urlopen(bot.url + href, timeout=10) as resp:
            assert resp.status == 200  # the link leads to the guide's page

        # A button under the answer: its payload is sent, its title is what the person said.
        await answer.get_by_role("button", name="解决了").click()
        await expect(page.locator(".msg.me").last).to_have_text("解决了")
        await expect(page.locator(".msg.me.pending")).to_have_count(0)  # stored
        # The signed press counted: the bot thanks them (a refused one would say the button is stale).
        await expect(page.locator(".msg.bot", has_text="问题已解决")).to_have_count(1, timeout=30000)

        await page.reload()  # still signed in: the session cookie
        await page.wait_for_selector("#status:has-text('已连接')")
        mine = page.locator(".msg.me")
        await expect(mine).to_have_text(["怎么连WiFi", "解决了"])
        await expect(page.locator(".msg", has_text="/v1.")).to_have_count(0)
        await expect(page.locator(".msg", has_text="/v2.")).to_have_count(0)
        await expect(page.locator(".msg.greeting")).to_have_count(1)  # greeted again, not twice
        await expect(page.locator(".msg.bot a[href^='/kb/']")).to_have_count(1)  # links after a reload too

        await page.get_by_role("button", name="退出 Sign out").click()
        await page.wait_for_url("**/sign-in")
        await page.goto(bot.url + "/")
        await page.wait_for_url("**/sign-in")  # signed out: the chat is not shown again
        await browser.close()


async def test_the_fault_example_answers_with_the_guide_and_not_solved_gives_a_ticket_in_my_tickets(
    rasa_url: str, start_bot: StartBot
) -> None:
    from playwright.async_api import async_playwright, expect

    bot = start_bot(rasa_url)
    async with async_playwright() as pw:
        browser = await launch_chromium(pw)
        page = await browser.new_page()
        await _open_as(page, bot, "staff.wang")
        greeting = page.locator(".msg.greeting")
        await greeting.get_by_role("button", name="打印机卡纸了").click()
        guide = page.locator(".msg.bot:not(.greeting)", has_text="卡纸")
        await guide.wait_for(timeout=30000)
        await expect(guide.locator("a")).to_have_attribute("href", "/kb/printer-jam")
        await guide.get_by_role("button", name="没解决，帮我报修").click()
        opened = page.locator(".msg.bot", has_text="工单 #")
        await opened.wait_for(timeout=30000)
        number = (await opened.inner_text()).split("工单 #")[1].split("（")[0]
        await greeting.get_by_role("button", name="我的工单").click()
        await expect(page.locator(".msg.bot").last).to_contain_text(f"#{number}", timeout=30000)
        await expect(page.locator(".msg.me")).to_have_text(["打印机卡纸了", "没解决，帮我报修", "我的工单"])
        await browser.close()


async def test_emoji_in_the_web_chat_are_drawn_in_colour(start_bot: StartBot) -> None:
    """With the page's font stack, 👋 comes out as a colour glyph, not an empty box (tofu)."""
    from playwright.async_api import async_playwright

    bot = start_bot(f"http://127.0.0.1:{free_port()}")
    async with async_playwright() as pw:
        browser = await launch_chromium(pw)
        page = await browser.new_page()
        await _open_as(page, bot, "staff.li")
        await page.locator(".msg.greeting", has_text="👋").wait_for()
        coloured = await page.evaluate(
            """() => {
              const canvas = document.createElement("canvas");
              canvas.width = canvas.height = 64;
              const g = canvas.getContext("2d");
              g.font = "48px " + getComputedStyle(document.querySelector(".msg.greeting")).fontFamily;
              g.fillText("👋", 4, 52);
              const px = g.getImageData(0, 0, 64, 64).data;
              let count = 0;
              for (let i = 0; i < px.length; i += 4) {
                const [r, gr, b, a] = [px[i], px[i + 1], px[i + 2], px[i + 3]];
                if (a > 200 && Math.max(r, gr, b) - Math.min(r, gr, b) > 80) count++;
              }
              return count;
            }"""
        )
        await browser.close()
    assert coloured > 200, (
        f"👋 drew {coloured} coloured pixels: no colour emoji font (run scripts/system-packages test)"
    )


async def test_a_wrong_password_is_refused_on_the_page_and_a_sign_in_link_sets_one(start_bot: StartBot) -> None:
    from playwright.async_api import async_playwright, expect

    bot = start_bot(f"http://127.0.0.1:{free_port()}")
    link = bot.helpdesk("people", "sign-in-link", "staff.zhang").strip().splitlines()[-1]
    async with async_playwright() as pw:
        browser = await launch_chromium(pw)
        page = await browser.new_page()
        await page.goto(bot.url + "/sign-in")
        await page.fill("#person", "staff.zhang")
        await page.fill("#password", "a guess at it")
        await page.click("#sign-in-form button[type=submit]")
        await expect(page.locator("#error")).to_contain_text("账号或密码不正确")

        await page.goto(link)
        await expect(page.locator("#set-password-form")).to_be_visible()
        assert "link=" not in page.url  # the token is dropped from the address bar and history
        await page.fill("#new-password", PASSWORD)
        await page.fill("#again", PASSWORD)
        await page.click("#set-password-form button[type=submit]")
        await page.wait_for_selector("#status:has-text('已连接')")
        await expect(page.locator("#me")).to_have_text("张伟")

        again = await browser.new_page()  # someone else opening the same link later
        await again.goto(link)
        await again.fill("#new-password", "my own password")
        await again.fill("#again", "my own password")
        await again.click("#set-password-form button[type=submit]")
        await expect(again.locator("#link-error")).to_contain_text("此链接无效、已使用或已过期")
        await browser.close()


async def test_demo_mode_shows_the_picker_under_a_banner_on_every_page(start_bot: StartBot) -> None:
    from playwright.async_api import async_playwright, expect

    bot = start_bot(f"http://127.0.0.1:{free_port()}", demo_mode=True)
    async with async_playwright() as pw:
        browser = await launch_chromium(pw)
        page = await browser.new_page()
        await page.goto(bot.url + "/")
        await expect(page.locator(".demo-banner")).to_contain_text(DEMO_BANNER)
        await page.wait_for_selector("#who option[value='eng.chen']", state="attached")
        await page.select_option("#who", "eng.chen")
        await page.wait_for_selector("#status:has-text('已连接')")
        await expect(page.locator(".msg.greeting")).to_contain_text("陈工")
        for path in ("/kb", "/kb/printer-jam", "/sign-in"):
            await page.goto(bot.url + path)
            await expect(page.locator(".demo-banner")).to_contain_text(DEMO_BANNER)
        await browser.close()
