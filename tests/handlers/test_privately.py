"""A person's own tickets asked about in a group chat are answered in their private chat; the group
learns only that an answer went there."""

from __future__ import annotations

from sqlalchemy import select

import storage
from core.clock import FakeClock
from core.messages import InboundMessage, Reply
from tests.bot.test_invites import NOW, _pipeline
from tests.support.builders import ScriptedNlu

GROUP = "-1009876543210"


async def _rows(sessions: storage.SessionFactory) -> list[storage.OutboxMessage]:
    async with sessions() as s:
        return list((await s.scalars(select(storage.OutboxMessage).order_by(storage.OutboxMessage.id))).all())


async def _in_group(sessions: storage.SessionFactory, text: str, message_id: str) -> None:
    msg = InboundMessage("telegram", "7001", GROUP, message_id, text, NOW, is_group=True)
    await _pipeline(sessions, FakeClock(NOW), ScriptedNlu({"打印机卡纸了": ("incident_normal", 0.95)})).handle(msg)


async def test_my_tickets_asked_in_a_group_are_answered_in_private(sessions: storage.SessionFactory) -> None:
    async with sessions() as s, s.begin():
        await storage.bind_identity(s, "staff.li", "telegram", "7001")
    await _in_group(sessions, "打印机卡纸了", "u1")
    [ticket] = await _tickets(sessions)
    before = len(await _rows(sessions))
    await _in_group(sessions, "我的工单", "u2")
    await _in_group(sessions, f"/ticket {ticket.number}", "u3")
    new = (await _rows(sessions))[before:]
    to_group = [Reply.from_payload(r.payload).text for r in new if r.chat_id == GROUP]
    private = [Reply.from_payload(r.payload).text for r in new if r.chat_id == "7001"]
    assert len(to_group) == 2 and all("私信" in t and f"#{ticket.number}" not in t for t in to_group)
    assert len(private) == 2 and all(f"#{ticket.number}" in t for t in private)


async def _tickets(sessions: storage.SessionFactory) -> list[storage.Ticket]:
    async with sessions() as s:
        return await storage.list_tickets(s)
