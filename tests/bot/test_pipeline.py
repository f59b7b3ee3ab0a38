"""The pipeline with a scripted NLU (the real Rasa is exercised in test_web_e2e), on both stores."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

import storage
from bot.pipeline import Pipeline
from core.clock import FakeClock
from core.messages import Action, Outgoing, Reply, parse_payload
from handlers.context import HandlerContext
from handlers.registry import KIND_HANDLERS
from nlu.client import IntentScore, NluClient, ParseResult
from nlu.triage import Triage
from storage.models.service import Complaint
from tests.support.builders import DownNlu, ScriptedNlu, make_inbound

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai


def _pipeline(sessions: storage.SessionFactory, nlu: NluClient) -> Pipeline:
    return Pipeline(sessions, nlu, FakeClock(NOW), hotline="400-000-0000")


async def _replies(sessions: storage.SessionFactory, inbound_id: int) -> list[Reply]:
    async with sessions() as s:
        return [Reply.from_payload(r.payload) for r in await storage.replies_to(s, inbound_id)]


async def _tickets(sessions: storage.SessionFactory) -> list[storage.Ticket]:
    async with sessions() as s:
        return await storage.list_tickets(s)


async def test_an_incident_opens_a_ticket_and_answers_with_number_severity_and_promise(
    sessions: storage.SessionFactory,
) -> None:
    nlu = ScriptedNlu({"我电脑开机就蓝屏": ("incident_high", 0.93)})
    receipt = await _pipeline(sessions, nlu).handle(make_inbound("我电脑开机就蓝屏"))
    [ticket] = await _tickets(sessions)
    [reply] = await _replies(sessions, receipt.inbound_id)
    assert (ticket.kind, ticket.severity, ticket.requester_id) == ("incident", "high", "staff.li")
    assert f"#{ticket.number}" in reply.text and "一般紧急故障" in reply.text and "2 小时" in reply.text
    assert ticket.due_at is not None and ticket.due_at > NOW


async def test_the_same_message_delivered_twice_is_handled_once(sessions: storage.SessionFactory) -> None:
    nlu = ScriptedNlu({"打印机坏了": ("incident_hardware", 0.9)})
    pipeline = _pipeline(sessions, nlu)
    first = await pipeline.handle(make_inbound("打印机坏了", message_id="dup-1"))
    second = await pipeline.handle(make_inbound("打印机坏了", message_id="dup-1"))
    assert second.duplicate and second.inbound_id == first.inbound_id
    assert len(await _tickets(sessions)) == 1
    assert nlu.calls == 1
    assert len(await _replies(sessions, first.inbound_id)) == 1


async def test_when_rasa_is_down_the_person_still_gets_a_ticket_number(sessions: storage.SessionFactory) -> None:
    receipt = await _pipeline(sessions, DownNlu()).handle(make_inbound("邮箱登不上了"))
    [ticket] = await _tickets(sessions)
    [reply] = await _replies(sessions, receipt.inbound_id)
    assert ticket.kind == "unknown" and ticket.text == "邮箱登不上了"
    assert f"#{ticket.number}" in reply.text and "人工" in reply.text
    async with sessions() as s:
        inbound = await storage.get_inbound(s, receipt.inbound_id)
    assert inbound is not None and inbound.status == "handled" and inbound.triage_error


async def test_someone_not_in_the_directory_is_told_how_to_get_help(sessions: storage.SessionFactory) -> None:
    receipt = await _pipeline(sessions, ScriptedNlu({})).handle(make_inbound("hello", sender="stranger"))
    [reply] = await _replies(sessions, receipt.inbound_id)
    assert "服务名录" in reply.text and "400-000-0000" in reply.text
    assert await _tickets(sessions) == []


async def test_an_unsure_triage_asks_and_the_answer_opens_the_right_ticket(sessions: storage.SessionFactory) -> None:
    nlu = ScriptedNlu({"那个东西又不行了": ("incident_normal", 0.2)})
    pipeline = _pipeline(sessions, nlu)
    asked = await pipeline.handle(make_inbound("那个东西又不行了"))
    [question] = await _replies(sessions, asked.inbound_id)
    assert await _tickets(sessions) == []
    broken = next(b for b in question.buttons if b.action is Action.CLARIFY and b.ref.endswith(":incident"))
    answered = await pipeline.handle(make_inbound(broken.payload))
    [ticket] = await _tickets(sessions)
    [reply] = await _replies(sessions, answered.inbound_id)
    assert ticket.kind == "incident" and ticket.text == "那个东西又不行了"
    assert f"#{ticket.number}" in reply.text


class RankedNlu:
    """Answers one ranking of intents for every text (two kinds close together)."""

    def __init__(self, *scores: tuple[str, float]) -> None:
        self.ranking = tuple(IntentScore(name, confidence) for name, confidence in scores)

    async def parse(self, text: str) -> ParseResult:
        return ParseResult(text, self.ranking[0], self.ranking)


async def test_a_message_between_a_complaint_and_a_fault_offers_both_and_records_the_complaint_chosen(
    sessions: storage.SessionFactory,
) -> None:
    text = "换回来的电脑资料全没了，也没人提前告诉我"
    pipeline = _pipeline(sessions, RankedNlu(("complaint", 0.5), ("incident_normal", 0.4), ("chitchat", 0.1)))
    asked = await pipeline.handle(make_inbound(text))
    [question] = await _replies(sessions, asked.inbound_id)
    assert [b.title for b in question.buttons][:2] == ["我要反映服务问题", "有东西坏了"]
    assert await _tickets(sessions) == []
    complaint = next(b for b in question.buttons if b.action is Action.CLARIFY and b.ref.endswith(":complaint"))
    await pipeline.handle(make_inbound(complaint.payload))
    async with sessions() as s:
        [recorded] = (await s.scalars(select(Complaint))).all()
    assert recorded.text == text and recorded.complainant_id == "staff.li"


async def test_open_as_is_opens_one_ticket_however_often_it_is_pressed(sessions: storage.SessionFactory) -> None:
    nlu = ScriptedNlu({"asdf qwer": ("nlu_fallback", 0.3)})
    pipeline = _pipeline(sessions, nlu)
    asked = await pipeline.handle(make_inbound("asdf qwer"))
    [question] = await _replies(sessions, asked.inbound_id)
    open_as_is = next(b for b in question.buttons if b.action is Action.OPEN_TICKET)
    await pipeline.handle(make_inbound(open_as_is.payload))
    second = await pipeline.handle(make_inbound(open_as_is.payload))
    [ticket] = await _tickets(sessions)
    [reply] = await _replies(sessions, second.inbound_id)
    assert ticket.kind == "unknown" and ticket.text == "asdf qwer"
    assert f"#{ticket.number}" in reply.text and "已经" in reply.text


async def test_a_button_for_someone_elses_message_is_refused(sessions: storage.SessionFactory) -> None:
    nlu = ScriptedNlu({"asdf": ("nlu_fallback", 0.3)})
    pipeline = _pipeline(sessions, nlu)
    asked = await pipeline.handle(make_inbound("asdf", sender="staff.li"))
    [question] = await _replies(sessions, asked.inbound_id)
    button = next(b for b in question.buttons if b.action is Action.OPEN_TICKET)
    pressed = await pipeline.handle(make_inbound(button.payload, sender="staff.wang"))
    [reply] = await _replies(sessions, pressed.inbound_id)
    assert "失效" in reply.text
    assert await _tickets(sessions) == []


async def test_messages_stored_before_a_crash_are_handled_at_start_up(sessions: storage.SessionFactory) -> None:
    nlu = ScriptedNlu({"服务器连不上": ("incident_urgent", 0.95)})
    pipeline = _pipeline(sessions, nlu)
    receipt = await pipeline.receive(make_inbound("服务器连不上", at=NOW))  # stored, then the process "died"
    assert await _tickets(sessions) == []
    assert await _pipeline(sessions, nlu).recover() == 1
    [ticket] = await _tickets(sessions)
    assert ticket.severity == "urgent"
    assert await _pipeline(sessions, nlu).recover() == 0
    assert len(await _replies(sessions, receipt.inbound_id)) == 1


def test_button_payloads_are_short_versioned_and_unknown_ones_are_ignored() -> None:
    press = parse_payload("/v1.ack 1042")
    assert press is not None and press.action is Action.ACKNOWLEDGE and press.ref == "1042"
    assert parse_payload("/v9.ack 1042") is None
    assert parse_payload("/v1.nonsense 1") is None
    assert parse_payload("打印机坏了") is None
    signed = parse_payload("/v2.ack 57.1.AbCdEfGhIjKlMn")  # a claim only: the pipeline checks it
    assert signed is not None and (signed.action, signed.sent, signed.index, signed.mac) == (
        Action.ACKNOWLEDGE,
        57,
        1,
        "AbCdEfGhIjKlMn",
    )
    assert parse_payload("/v2.ack 1042") is None and parse_payload("/v2.ack x.1.mac") is None


async def test_a_failure_after_storing_loses_nothing_and_recovery_handles_the_message(
    sessions: storage.SessionFactory,
) -> None:
    from bot.core import HelpdeskCore
    from bot.outbox import OutboxWorker
    from config.settings import OutboxSettings

    class BrokenNlu:
        async def parse(self, text: str) -> ParseResult:
            raise RuntimeError("a bug, not an outage")

    broken = _pipeline(sessions, BrokenNlu())
    core = HelpdeskCore(sessions, broken, OutboxWorker(sessions, {}, FakeClock(NOW), OutboxSettings()), FakeClock(NOW))
    receipt = await core.accept(make_inbound("服务器连不上", at=NOW))
    assert await core.handle_stored(receipt) is False
    async with sessions() as s:
        stored = await storage.get_inbound(s, receipt.inbound_id)
    assert stored is not None and stored.status == "received" and await _tickets(sessions) == []
    fixed = _pipeline(sessions, ScriptedNlu({"服务器连不上": ("incident_urgent", 0.95)}))
    assert await fixed.recover() == 1
    [ticket] = await _tickets(sessions)
    assert ticket.severity == "urgent"


async def test_a_message_whose_handler_always_raises_is_given_up_after_three_tries_with_one_ticket_and_one_answer(
    sessions: storage.SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(_ctx: object, _triage: object) -> list[object]:
        raise RuntimeError("handler bug (test)")

    monkeypatch.setitem(KIND_HANDLERS, "chitchat", broken)
    pipeline = _pipeline(sessions, ScriptedNlu({}))
    receipt = await pipeline.receive(make_inbound("你好", sender="staff.li", at=NOW))
    assert await pipeline.process(receipt.inbound_id) is False
    assert await _tickets(sessions) == [] and await _replies(sessions, receipt.inbound_id) == []
    assert await pipeline.recover() == 0  # the second try fails too
    assert await pipeline.recover() == 0  # the third: given up
    assert await pipeline.recover() == 0  # and the loop stops: nothing left to try

    [ticket] = await _tickets(sessions)
    assert ticket.kind == "unknown" and ticket.text == "你好"
    async with sessions() as s:
        [opened] = await storage.ticket_events(s, ticket)
        assert "handler bug (test)" in opened.detail["error"]  # kept on the ticket for the engineers
        inbound = await storage.get_inbound(s, receipt.inbound_id)
        to_person = await storage.replies_to(s, receipt.inbound_id)
        to_manager = await storage.outbox_for(s, "svc.ma")
    assert inbound is not None and (inbound.status, inbound.attempts) == ("failed", 3)
    assert len(to_person) == 1 and f"#{ticket.number}" in to_person[0].payload["text"]
    assert "RuntimeError" not in to_person[0].payload["text"]  # the error is for the engineers only
    assert len(to_manager) == 1 and "handler bug" in to_manager[0].payload["text"]


async def test_a_failure_that_passes_is_handled_normally_on_the_retry(
    sessions: storage.SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = KIND_HANDLERS["chitchat"]
    calls = 0

    async def flaky(ctx: HandlerContext, triage: Triage) -> list[Outgoing]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("the first try fails (test)")
        return await original(ctx, triage)

    monkeypatch.setitem(KIND_HANDLERS, "chitchat", flaky)
    pipeline = _pipeline(sessions, ScriptedNlu({}))
    receipt = await pipeline.receive(make_inbound("你好", at=NOW))
    assert await pipeline.process(receipt.inbound_id) is False
    assert await pipeline.recover() == 1
    [reply] = await _replies(sessions, receipt.inbound_id)
    assert "服务台" in reply.text
    assert await _tickets(sessions) == []
