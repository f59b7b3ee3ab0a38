"""Tickets opened while Rasa was down are triaged when it answers again: severity, due time and the
severity's paging, or a place in the open outage ticket — through the real pipeline, the retriage
worker and (last) the running app, on SQLite and PostgreSQL, with a fake clock."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

import storage
from bot.app import RUNTIME, build_app
from bot.pipeline import Pipeline
from bot.retriage import RetriageWorker
from config.settings import REPO_ROOT
from core.clock import FakeClock
from core.messages import Action, Reply
from handlers.contract import Contract
from handlers.paging.roster import load_roster, on_duty
from storage import paging as paging_store
from tests.conftest import make_settings
from tests.support.builders import SwitchableNlu, make_inbound
from tests.support.web import api_token, bearer

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai, a working day
CONTRACT = Contract(load_roster(REPO_ROOT / "config" / "roster.yaml"))
SHIFT = on_duty(CONTRACT.roster, NOW, CONTRACT.calendar)
OUTAGE = "三楼整层都断网了"
SAME_OUTAGE = "三楼也断网了，大家都上不了网"
INTENTS = {
    OUTAGE: ("incident_urgent", 0.95),
    SAME_OUTAGE: ("incident_urgent", 0.95),
    "我电脑开机就蓝屏": ("incident_high", 0.93),
    "怎么连WiFi": ("howto_wifi", 0.95),
}


def _setup(sessions: storage.SessionFactory) -> tuple[SwitchableNlu, FakeClock, Pipeline, RetriageWorker]:
    nlu, clock = SwitchableNlu(INTENTS), FakeClock(NOW)
    pipeline = Pipeline(sessions, nlu, clock, hotline="400-000-0000", contract=CONTRACT)
    return nlu, clock, pipeline, RetriageWorker(sessions, nlu, clock, "400-000-0000", CONTRACT)


async def _sent(sessions: storage.SessionFactory) -> list[storage.OutboxMessage]:
    async with sessions() as s:
        return list((await s.scalars(select(storage.OutboxMessage).order_by(storage.OutboxMessage.id))).all())


async def _to(sessions: storage.SessionFactory, person_id: str) -> list[str]:
    """The texts pushed to a person (not answers to their own messages), in order."""
    return [r.payload["text"] for r in await _sent(sessions) if r.recipient_id == person_id and r.in_reply_to is None]


async def _paged(sessions: storage.SessionFactory) -> list[str]:
    """Who received a page (a message with an acknowledge button), in order."""
    return [
        r.recipient_id or ""
        for r in await _sent(sessions)
        if any(b.action is Action.ACKNOWLEDGE for b in Reply.from_payload(r.payload).buttons)
    ]


async def _ticket(sessions: storage.SessionFactory, text: str) -> storage.Ticket:
    async with sessions() as s:
        [ticket] = [t for t in await storage.list_tickets(s) if t.text == text]
        return ticket


async def _retriaged(sessions: storage.SessionFactory, ticket: storage.Ticket) -> list[dict[str, Any]]:
    async with sessions() as s:
        return [e.detail for e in await storage.ticket_events(s, ticket) if e.action == storage.RETRIAGED_EVENT]


async def test_nothing_changes_while_the_nlu_is_still_down(sessions: storage.SessionFactory) -> None:
    _, clock, pipeline, worker = _setup(sessions)
    await pipeline.handle(make_inbound("我电脑开机就蓝屏", sender="staff.wang"))
    clock.advance(timedelta(minutes=3))
    assert await worker.run_once() == 0
    ticket = await _ticket(sessions, "我电脑开机就蓝屏")
    assert (ticket.kind, ticket.severity) == ("unknown", None)
    assert await _paged(sessions) == []


async def test_when_the_nlu_answers_again_the_ticket_gets_its_severity_and_is_paged(
    sessions: storage.SessionFactory,
) -> None:
    nlu, clock, pipeline, worker = _setup(sessions)
    await pipeline.handle(make_inbound("我电脑开机就蓝屏", sender="staff.wang"))
    clock.advance(timedelta(minutes=20))
    nlu.down = False
    assert await worker.run_once() == 1
    ticket = await _ticket(sessions, "我电脑开机就蓝屏")
    assert (ticket.kind, ticket.severity, ticket.status) == ("incident", "high", "new")
    assert ticket.due_at == NOW + timedelta(hours=2)  # promised from the report, not from the late triage
    assert await _retriaged(sessions, ticket) == [
        {"outcome": "triaged", "kind": "incident", "severity": "high", "confidence": 0.93, "rule": None}
    ]
    assert await _paged(sessions) == list(SHIFT.engineers)  # high, on site: the team on duty
    [told] = await _to(sessions, "staff.wang")
    assert told.startswith(f"您的工单 #{ticket.number} 已完成分诊：一般紧急故障") and "已通知值班工程师" in told
    for engineer in SHIFT.engineers:
        needs, page, done = await _to(sessions, engineer)
        assert needs.startswith("🔎 待分诊") and page.startswith("🚨 一般紧急故障")
        assert done == f"✅ 工单 #{ticket.number} 已自动分诊为一般紧急故障，按流程处理，无需人工分诊。"
    assert await worker.run_once() == 0  # triaged once


async def test_a_late_triaged_outage_joins_the_open_outage_ticket(sessions: storage.SessionFactory) -> None:
    nlu, clock, pipeline, worker = _setup(sessions)
    nlu.down = False
    await pipeline.handle(make_inbound(OUTAGE, sender="staff.li"))  # the outage's own ticket, paged
    outage = await _ticket(sessions, OUTAGE)
    nlu.down = True
    clock.advance(timedelta(minutes=2))
    await pipeline.handle(make_inbound(SAME_OUTAGE, sender="staff.wang"))
    late = await _ticket(sessions, SAME_OUTAGE)
    assert late.kind == "unknown"
    clock.advance(timedelta(minutes=2))
    nlu.down = False
    assert await worker.run_once() == 1
    late = await _ticket(sessions, SAME_OUTAGE)
    assert (late.kind, late.severity, late.status) == ("incident", "urgent", "closed")
    [event] = await _retriaged(sessions, late)
    assert event["outcome"] == "joined" and event["into"] == outage.number
    async with sessions() as s:
        assert [a.person_id for a in await paging_store.affected_people(s, outage.id)] == ["staff.li", "staff.wang"]
        assert await paging_store.page_for_ticket(s, late.id) is None
    assert await _paged(sessions) == list(SHIFT.engineers)  # one page, the outage's
    [told] = await _to(sessions, "staff.wang")
    assert f"#{late.number}" in told and f"#{outage.number}" in told and "2 人" in told
    for engineer in SHIFT.engineers:
        assert (await _to(sessions, engineer))[
            -1
        ] == f"✅ 工单 #{late.number} 已并入故障工单 #{outage.number}，无需人工分诊。"


async def test_a_late_triage_that_is_no_incident_leaves_the_ticket_to_the_engineers(
    sessions: storage.SessionFactory,
) -> None:
    nlu, _, pipeline, worker = _setup(sessions)
    await pipeline.handle(make_inbound("怎么连WiFi", sender="staff.wang"))
    nlu.down = False
    assert await worker.run_once() == 1
    ticket = await _ticket(sessions, "怎么连WiFi")
    assert (ticket.kind, ticket.status) == ("unknown", "new")
    [event] = await _retriaged(sessions, ticket)
    assert event["outcome"] == "left to the engineers" and event["kind"] == "howto"
    assert await _paged(sessions) == [] and await _to(sessions, "staff.wang") == []
    assert await worker.run_once() == 0


async def test_a_ticket_an_engineer_took_meanwhile_is_not_triaged_again(sessions: storage.SessionFactory) -> None:
    nlu, _, pipeline, worker = _setup(sessions)
    await pipeline.handle(make_inbound(OUTAGE, sender="staff.li"))
    ticket = await _ticket(sessions, OUTAGE)
    await pipeline.handle(make_inbound(f"接单 {ticket.number}", sender=SHIFT.engineers[0]))
    nlu.down = False
    assert await worker.run_once() == 0
    ticket = await _ticket(sessions, OUTAGE)
    assert (ticket.kind, ticket.status, ticket.assignee_id) == ("unknown", "in_progress", SHIFT.engineers[0])
    assert await _paged(sessions) == []


WEBHOOK = "/webhooks/rest/webhook"


@pytest.fixture
async def app_and_nlu(database_url: str) -> AsyncIterator[tuple[TestClient[Any, Any], SwitchableNlu]]:
    nlu = SwitchableNlu({**INTENTS, "你好": ("chitchat", 0.95)})
    app = build_app(make_settings(database_url), clock=FakeClock(NOW), nlu=nlu)
    async with TestClient(TestServer(app)) as client:
        client.session.headers.update(bearer(await api_token(client.app)))
        yield client, nlu


async def test_the_running_bot_reports_the_nlu_down_and_triages_when_it_answers_again(
    app_and_nlu: tuple[TestClient[Any, Any], SwitchableNlu],
) -> None:
    client, nlu = app_and_nlu
    answer = await client.post(WEBHOOK, json={"sender": "staff.wang", "message": "我电脑开机就蓝屏"})
    [reply] = await answer.json()
    assert "智能分诊暂时不可用" in reply["text"]
    health = await (await client.get("/healthz")).json()
    assert health["status"] == "degraded" and health["nlu"]["state"] == "down"
    assert health["nlu"]["since"] == NOW.isoformat() and "connection refused" in health["nlu"]["error"]

    nlu.down = False
    await client.post(WEBHOOK, json={"sender": "staff.li", "message": "你好"})  # the first answer wakes the worker
    health = await (await client.get("/healthz")).json()
    assert health["status"] == "ok" and health["nlu"] == {"state": "up", "since": NOW.isoformat(), "error": None}
    sessions = client.app[RUNTIME].sessions
    assert sessions is not None
    for _ in range(100):
        if (await _ticket(sessions, "我电脑开机就蓝屏")).severity is not None:
            break
        await asyncio.sleep(0.05)
    ticket = await _ticket(sessions, "我电脑开机就蓝屏")
    assert (ticket.kind, ticket.severity) == ("incident", "high")
    assert await _paged(sessions) == list(SHIFT.engineers)
