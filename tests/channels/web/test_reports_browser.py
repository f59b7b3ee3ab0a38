"""In headless Chromium against the real ``helpdesk run``: a manager sees the reports to download
and, asking for last month's report in chat, gets it as file links that download; staff see no
reports at all."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.browser import launch_chromium, sign_in_on_page
from tests.support.processes import BotProcess, free_port, write_config

PASSWORD = "correct horse battery"


@pytest.fixture
def bot(tmp_path: Path, sqlite_url: str) -> Iterator[BotProcess]:
    port = free_port()
    config = write_config(tmp_path, sqlite_url, f"http://127.0.0.1:{free_port()}", port)  # no Rasa: none is needed
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("\n", f'\nreports_dir = "{tmp_path / "reports"}"\n', 1), encoding="utf-8")
    process = BotProcess(config, port, tmp_path / "bot.log")
    process.start()
    yield process
    process.stop()


async def test_a_manager_gets_the_report_as_links_that_download_and_staff_see_no_reports(bot: BotProcess) -> None:
    from playwright.async_api import async_playwright, expect

    bot.set_password("mgr.he", PASSWORD)
    bot.set_password("staff.li", PASSWORD)
    async with async_playwright() as pw:
        browser = await launch_chromium(pw)
        page = await browser.new_page()
        await sign_in_on_page(page, bot.url, "mgr.he", PASSWORD)
        await page.wait_for_selector("#status:has-text('已连接')")
        await expect(page.locator("#reports")).to_be_visible()
        await page.locator("#reports summary").click()
        await expect(page.locator("#report-links a")).to_have_count(30)

        await page.fill("#text", "发我上个月的月报")
        await page.click("#send")
        links = page.locator(".msg.bot .files a")
        await expect(links).to_have_count(2, timeout=60000)
        names = [text.removeprefix("📎 ") for text in await links.all_inner_texts()]
        assert names[0].startswith("monthly-") and names[0].endswith("-zh.pdf") and names[1].endswith("-zh.xlsx")
        async with page.expect_download() as download_info:
            await links.first.click()
        download = await download_info.value
        assert download.suggested_filename == names[0]
        assert Path(await download.path()).read_bytes().startswith(b"%PDF")

        staff = await browser.new_page()  # another browser context: another person
        await sign_in_on_page(staff, bot.url, "staff.li", PASSWORD)
        await staff.wait_for_selector("#status:has-text('已连接')")
        await expect(staff.locator("#reports")).to_be_hidden()
        response = await staff.request.get(bot.url + "/reports/" + names[0])
        assert response.status == 404
        await browser.close()
