"""The Telegram channel end to end: the real bot app and python-telegram-bot against the fake Bot
API, in webhook and in polling mode; triage by the real Rasa server."""

from __future__ import annotations

import re

import pytest

from tests.channels.telegram.conftest import TELEGRAM_IDS, StartBot

MODES = ["webhook", "polling"]
URGENT = "三楼整层都断网了，大家都没法工作"


def ticket_number(text: str) -> int:
    found = re.search(r"#(\d+)", text)
    assert found, f"no ticket number in {text!r}"
    return int(found.group(1))


@pytest.mark.parametrize("mode", MODES)
async def test_a_staff_message_becomes_a_ticket_and_the_reply_reaches_telegram_with_its_number(
    mode: str, start_bot: StartBot, rasa_url: str
) -> None:
    bot = await start_bot(mode, rasa_url=rasa_url)
    await bot.says("staff.li", "打印机卡纸了，打不出来")
    reply = await bot.fake.wait_message(TELEGRAM_IDS["staff.li"], "#")
    number = ticket_number(reply.text)
    async with bot.sessions() as session:
        import storage

        ticket = await storage.get_ticket(session, number)
    assert ticket is not None and ticket.requester_id == "staff.li" and ticket.channel == "telegram"
