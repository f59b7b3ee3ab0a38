"""Shared steps for the complaint, repair and purchase tests: a pipeline on a fake clock, and what
each person was sent."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

import storage
from bot.pipeline import Pipeline
from core.clock import FakeClock
from core.messages import Button, Reply
from handlers.contract import Contract
from tests.support.builders import ScriptedNlu, make_inbound

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai

INTENTS = {
    "陈工说好下午来修 #1001，结果一直没人来，太耽误事了": ("complaint", 0.92),
    "想配一台做设计用的电脑，帮忙推荐一下报个价": ("purchase", 0.9),
    "想买2台显示器，预算3000元以内，下周五前要": ("purchase", 0.9),
    "显示器突然黑了，主机还在响": ("incident_hardware", 0.93),
    "你们的答复我不满意，到现在还是没人来": ("complaint", 0.9),
}


def pipeline(sessions: storage.SessionFactory, clock: FakeClock, contract: Contract | None = None) -> Pipeline:
    """A new pipeline each call: as after a restart, only the database remembers anything."""
    return Pipeline(sessions, ScriptedNlu(INTENTS), clock, hotline="400-000-0000", contract=contract)


async def say(
    sessions: storage.SessionFactory, clock: FakeClock, sender: str, text: str, contract: Contract | None = None
) -> list[Reply]:
    """``sender`` writes ``text`` (or presses a button's payload); the replies in their chat."""
    receipt = await pipeline(sessions, clock, contract).handle(make_inbound(text, sender=sender, at=clock.now()))
    async with sessions() as s:
        return [Reply.from_payload(r.payload) for r in await storage.replies_to(s, receipt.inbound_id)]


async def sent_to(sessions: storage.SessionFactory, person: str) -> list[Reply]:
    """Everything the bot sent to ``person`` that was not an answer in their own chat, oldest first."""
    async with sessions() as s:
        rows = (
            await s.scalars(
                select(storage.OutboxMessage)
                .where(storage.OutboxMessage.recipient_id == person, storage.OutboxMessage.in_reply_to.is_(None))
                .order_by(storage.OutboxMessage.id)
            )
        ).all()
        return [Reply.from_payload(r.payload) for r in rows]


def button(reply: Reply, title_part: str) -> Button:
    return next(b for b in reply.buttons if title_part in b.title)
