"""Regenerate docs/webchat.png: a fresh bot on a temporary store, a staff member reports an outage.

Run: PYTHONPATH=. .venv/bin/python docs/screenshot.py   (needs the trained model and Debian's chromium)
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from playwright.async_api import async_playwright

from nlu.server import RasaServer
from tests.support.processes import BotProcess, free_port, write_config

OUT = Path(__file__).resolve().parent / "webchat.png"


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        async with RasaServer(log_path=folder / "rasa.log") as rasa:
            port = free_port()
            demo_db = f"sqlite+aiosqlite:///{folder / 'demo.db'}"
            config = write_config(folder, demo_db, rasa.base_url, port, demo_mode=True)  # as `make run` shows it
            bot = BotProcess(config, port, folder / "bot.log")
            bot.start()
            try:
                async with async_playwright() as pw:
                    browser = await pw.chromium.launch(
                        executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
                    )
                    page = await browser.new_page(viewport={"width": 900, "height": 560})
                    await page.goto(bot.url + "/")
                    await page.wait_for_selector("#who option[value='staff.li']", state="attached")
                    await page.select_option("#who", "staff.li")
                    await page.wait_for_selector("#status:has-text('已连接')")
                    for text in ("你好", "三楼整层都断网了，大家都没法工作"):
                        count = await page.locator(".msg.bot").count()
                        await page.fill("#text", text)
                        await page.click("#send")
                        await page.locator(".msg.bot").nth(count).wait_for()
                    await page.screenshot(path=str(OUT))
                    await browser.close()
            finally:
                bot.stop()
    print(f"wrote {OUT}")


if __name__ == "__main__":
    asyncio.run(main())
