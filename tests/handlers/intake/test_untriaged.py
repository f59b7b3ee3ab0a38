"""A message that could not be triaged (Rasa down): the person gets a ticket number and the engineers
who would take it now are told it needs triage — through the real pipeline, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

import storage
from bot.pipeline import Pipeline
from config.settings import REPO_ROOT
from core.clock import FakeClock
from core.messages import Action, Reply
from handlers.contract import Contract
from handlers.paging.roster import load_roster, on_duty
from tests.support.builders import DownNlu, make_inbound

IN_HOURS = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai, a working day
AFTER_HOURS = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # Monday 22:00 in Shanghai
CONTRACT = Contract(load_roster(REPO_ROOT / "config" / "roster.yaml"))


async def _handle(sessions: storage.SessionFactory, at: datetime, text: str) -> int:
    pipeline = Pipeline(sessions, DownNlu(), FakeClock(at), hotline="400-000-0000", contract=CONTRACT)
    return (await pipeline.handle(make_inbound(text, sender="staff.li"))).inbound_id


async def _pushed(sessions: storage.SessionFactory) -> dict[str, Reply]:
    """Messages sent to someone other than the sender, by recipient."""
    async with sessions() as s:
        rows = (await s.scalars(select(storage.OutboxMessage).where(storage.OutboxMessage.in_reply_to.is_(None)))).all()
        return {r.recipient_id or "": Reply.from_payload(r.payload) for r in rows}


async def _only_ticket(sessions: storage.SessionFactory) -> storage.Ticket:
    async with sessions() as s:
        [ticket] = await storage.list_tickets(s)
        return ticket


async def test_in_hours_the_person_gets_a_number_and_the_engineers_on_duty_are_told_it_needs_triage(
    sessions: storage.SessionFactory,
) -> None:
    inbound_id = await _handle(sessions, IN_HOURS, "邮箱登不上了")
    ticket = await _only_ticket(sessions)
    assert (ticket.kind, ticket.severity, ticket.status) == ("unknown", None, "new")
    async with sessions() as s:
        [answer] = [Reply.from_payload(r.payload) for r in await storage.replies_to(s, inbound_id)]
    assert f"#{ticket.number}" in answer.text and "400-000-0000" in answer.text
    engineers = on_duty(CONTRACT.roster, IN_HOURS, CONTRACT.calendar).engineers
    pushed = await _pushed(sessions)
    assert set(pushed) == set(engineers)
    for notice in pushed.values():
        assert notice.text.startswith(f"🔎 待分诊 · 工单 #{ticket.number}")
        assert "李娜（财务部 3F）" in notice.text and "邮箱登不上了" in notice.text
        assert [(b.action, b.ref) for b in notice.buttons] == [(Action.TAKE, str(ticket.number))]


async def test_after_hours_only_the_on_call_engineer_is_told(sessions: storage.SessionFactory) -> None:
    await _handle(sessions, AFTER_HOURS, "三楼整层都断网了")
    shift = on_duty(CONTRACT.roster, AFTER_HOURS, CONTRACT.calendar)
    assert shift.after_hours
    pushed = await _pushed(sessions)
    assert list(pushed) == [shift.on_call]
    assert "三楼整层都断网了" in pushed[shift.on_call].text


async def test_the_notice_is_kept_in_the_history_so_the_ticket_can_be_triaged_later(
    sessions: storage.SessionFactory,
) -> None:
    await _handle(sessions, AFTER_HOURS, "打印机卡纸了")
    shift = on_duty(CONTRACT.roster, AFTER_HOURS, CONTRACT.calendar)
    async with sessions() as s:
        [waiting] = await storage.tickets_awaiting_triage(s)
        events = await storage.ticket_events(s, waiting)
    [event] = [e for e in events if e.action == storage.NEEDS_TRIAGE_EVENT]
    assert event.detail == {"people": [shift.on_call], "why": "after hours"}


async def test_an_engineer_can_take_the_untriaged_ticket_from_the_notice(sessions: storage.SessionFactory) -> None:
    await _handle(sessions, IN_HOURS, "邮箱登不上了")
    ticket = await _only_ticket(sessions)
    engineer = on_duty(CONTRACT.roster, IN_HOURS, CONTRACT.calendar).engineers[0]
    [take] = (await _pushed(sessions))[engineer].buttons
    pipeline = Pipeline(sessions, DownNlu(), FakeClock(IN_HOURS), hotline="400-000-0000", contract=CONTRACT)
    await pipeline.handle(make_inbound(take.payload, sender=engineer))
    taken = await _only_ticket(sessions)
    assert (taken.status, taken.assignee_id) == ("in_progress", engineer)
    async with sessions() as s:
        assert await storage.tickets_awaiting_triage(s) == []  # an engineer has it: no late triage
    assert ticket.id == taken.id
