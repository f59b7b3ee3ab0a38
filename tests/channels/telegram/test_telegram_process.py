"""The operator's path: ``helpdesk run`` as a process with Telegram in webhook mode, the webhook
registered with ``helpdesk telegram set-webhook``, a message through the real Rasa, and Ctrl-C."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from tests.channels.telegram.conftest import SECRET, TELEGRAM_IDS, people_with_telegram
from tests.support.fake_telegram import TOKEN, FakeTelegram, TgUser
from tests.support.processes import BotProcess, free_port, write_config


async def test_helpdesk_run_answers_telegram_through_the_webhook_it_was_given(
    tmp_path: Path, sqlite_url: str, rasa_url: str, fake_telegram: FakeTelegram
) -> None:
    port = free_port()
    config = write_config(tmp_path, sqlite_url, rasa_url, port)
    people = people_with_telegram(tmp_path)
    text = config.read_text(encoding="utf-8")
    config.write_text(  # a top-level key before the sections, the Telegram section after them
        f'people_file = "{people}"\n{text}'
        f'[telegram]\ntoken = "{TOKEN}"\nmode = "webhook"\nsecret = "{SECRET}"\n'
        f'api_base = "{fake_telegram.api_base}"\n',
        encoding="utf-8",
    )
    bot = BotProcess(config, port, tmp_path / "bot.log")
    bot.start()
    try:
        out = bot.helpdesk("telegram", "set-webhook", bot.url, "--insecure")
        assert "/webhooks/telegram" in out and fake_telegram.webhook_secret == SECRET
        await fake_telegram.wait_for(lambda: fake_telegram.commands, what="the bot to reach Telegram")
        update = fake_telegram.message_update(TgUser(TELEGRAM_IDS["staff.li"], "李娜"), "打印机一直报错，打不出来")
        for _ in range(50):  # 503 until the channel is ready, as Telegram would retry
            if await fake_telegram.deliver(update) == 200:
                break
            await asyncio.sleep(0.2)
        reply = await fake_telegram.wait_message(TELEGRAM_IDS["staff.li"], "#")
        assert re.search(r"#\d+", reply.text)
    finally:
        assert bot.stop() == 0  # Ctrl-C stops the Telegram channel with the rest
    assert TOKEN not in bot.log_path.read_text(encoding="utf-8", errors="replace")
