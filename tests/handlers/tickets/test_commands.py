"""/help (and /start from a bound person), /my and /ticket N, through the pipeline on both stores:
what each role is told, and who may read a ticket (anyone else gets the answer a missing ticket gets)."""

from __future__ import annotations

import re

import storage
from core.clock import FakeClock
from handlers.tickets.commands import Command, parse_command
from tests.support.service_steps import NOW, say

MONITOR = "显示器突然黑了，主机还在响"


def test_the_telegram_commands_parse_with_their_chinese_and_english_forms() -> None:
    assert parse_command("/my") == parse_command("/mine") == parse_command("我的工单") == Command("mine")
    assert parse_command("/help") == parse_command("帮助") == Command("help")
    assert parse_command("/start") == parse_command("/start Zx9_abc-123") == Command("help")
    assert parse_command("/ticket 1042") == parse_command("/ticket #1042") == Command("ticket", 1042)
    assert parse_command("/ticket") is None and parse_command("/myself") is None


async def test_help_tells_each_role_what_it_can_say(sessions: storage.SessionFactory) -> None:
    clock = FakeClock(NOW)
    [staff] = await say(sessions, clock, "staff.li", "/help")
    [engineer] = await say(sessions, clock, "eng.chen", "/help")
    [manager] = await say(sessions, clock, "mgr.he", "/start")
    assert "/mine" in staff.text and "/take" not in staff.text and "/assign" not in staff.text
    assert "/take" in engineer.text and "/assign" not in engineer.text
    assert "/assign" in manager.text and "/mine" in manager.text


async def test_a_ticket_is_shown_to_its_requester_and_engineers_and_to_no_other_staff(
    sessions: storage.SessionFactory,
) -> None:
    clock = FakeClock(NOW)
    [opened, *_] = await say(sessions, clock, "staff.li", MONITOR)
    number = int(re.search(r"#(\d+)", opened.text).group(1))  # type: ignore[union-attr]
    [own] = await say(sessions, clock, "staff.li", f"/ticket {number}")
    [engineer] = await say(sessions, clock, "eng.chen", f"/ticket {number}")
    assert f"#{number}" in own.text and MONITOR in own.text and "处理人" in own.text
    assert engineer.text == own.text
    [other] = await say(sessions, clock, "staff.wang", f"/ticket {number}")
    [missing] = await say(sessions, clock, "staff.wang", "/ticket 999999")
    assert MONITOR not in other.text
    assert other.text == missing.text.replace("999999", str(number))  # the same answer as no such ticket
    [mine] = await say(sessions, clock, "staff.li", "/my")
    assert f"#{number}" in mine.text
