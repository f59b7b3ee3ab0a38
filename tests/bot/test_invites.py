"""Binding a chat account to a person: an unbound user gets instructions and nothing else; an invite
code binds once, and a used, expired or forged code gets one answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import storage
from bot.invites import make_invite, start_code
from bot.pipeline import Pipeline
from core.clock import FakeClock
from core.messages import Reply
from tests.support.builders import ScriptedNlu, make_inbound

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
TG_USER = "700100200"


def _pipeline(sessions: storage.SessionFactory, clock: FakeClock, nlu: ScriptedNlu) -> Pipeline:
    return Pipeline(sessions, nlu, clock, hotline="400-000-0000")


async def _invite(sessions: storage.SessionFactory, person: str, hours: float = 72) -> str:
    async with sessions() as s, s.begin():
        return await make_invite(s, person, NOW, timedelta(hours=hours))


async def _answer(sessions: storage.SessionFactory, inbound_id: int) -> str:
    async with sessions() as s:
        [row] = await storage.replies_to(s, inbound_id)
        return Reply.from_payload(row.payload).text


async def _say(pipeline: Pipeline, text: str, sender: str = TG_USER) -> int:
    return (await pipeline.handle(make_inbound(text, sender=sender, channel="telegram"))).inbound_id


async def test_an_unbound_telegram_user_gets_instructions_and_no_triage_ticket_or_data(
    sessions: storage.SessionFactory,
) -> None:
    nlu = ScriptedNlu({"打印机坏了": ("incident_hardware", 0.95)})
    pipeline = _pipeline(sessions, FakeClock(NOW), nlu)
    answer = await _answer(sessions, await _say(pipeline, "打印机坏了"))
    assert "/start" in answer and "邀请码" in answer and "invite" in answer
    assert nlu.calls == 0
    async with sessions() as s:
        assert await storage.list_tickets(s) == []


async def test_an_invite_binds_the_telegram_user_once_and_then_they_are_who_it_named(
    sessions: storage.SessionFactory,
) -> None:
    nlu = ScriptedNlu({"打印机坏了": ("incident_hardware", 0.95)})
    pipeline = _pipeline(sessions, FakeClock(NOW), nlu)
    code = await _invite(sessions, "staff.li")
    assert "绑定成功" in await _answer(sessions, await _say(pipeline, f"/start {code}"))
    async with sessions() as s:
        person = await storage.person_for_identity(s, "telegram", TG_USER)
    assert person is not None and person.id == "staff.li"
    await _say(pipeline, "打印机坏了")
    async with sessions() as s:
        [ticket] = await storage.list_tickets(s)
    assert ticket.requester_id == "staff.li"
    # The same code from another Telegram account binds nothing.
    refused = await _answer(sessions, await _say(pipeline, f"/start {code}", sender="700999999"))
    assert "无效、已用过或已过期" in refused
    async with sessions() as s:
        assert await storage.person_for_identity(s, "telegram", "700999999") is None


async def test_an_expired_or_forged_code_binds_nothing_and_says_the_same(sessions: storage.SessionFactory) -> None:
    clock = FakeClock(NOW)
    pipeline = _pipeline(sessions, clock, ScriptedNlu({}))
    code = await _invite(sessions, "staff.li", hours=1)
    clock.advance(timedelta(hours=2))
    expired = await _answer(sessions, await _say(pipeline, f"/start {code}"))
    forged = await _answer(sessions, await _say(pipeline, "/start AAAAAAAAAAAAAAAA", sender="700300400"))
    assert expired == forged and "无效、已用过或已过期" in expired
    async with sessions() as s:
        assert await storage.person_for_identity(s, "telegram", TG_USER) is None


async def test_a_new_invite_makes_the_earlier_unused_one_stop_working(sessions: storage.SessionFactory) -> None:
    pipeline = _pipeline(sessions, FakeClock(NOW), ScriptedNlu({}))
    first = await _invite(sessions, "staff.li")
    second = await _invite(sessions, "staff.li")
    assert "无效" in await _answer(sessions, await _say(pipeline, f"/start {first}"))
    assert "绑定成功" in await _answer(sessions, await _say(pipeline, f"/start {second}", sender="700555"))


def test_the_code_is_read_from_a_start_command_and_a_deep_link_with_the_bot_name() -> None:
    assert start_code("/start abcdEFGH_1-2") == "abcdEFGH_1-2"
    assert start_code("/start@it_helpdesk_bot abcdEFGH12") == "abcdEFGH12"
    assert start_code("/start") is None and start_code("start abcdEFGH12") is None
    assert start_code("/start short") is None
