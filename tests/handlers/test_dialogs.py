"""An open dialog never swallows a fault report, a command or a button; it can be cancelled; it expires.

Each dialog that exists (a purchase's details, a complaint's facts, the answer to a complaint) is
opened for real through the pipeline, then interrupted by an urgent outage report."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest

import storage
from bot.pipeline import Pipeline
from config.settings import REPO_ROOT
from core.clock import FakeClock
from core.messages import Reply
from handlers.contract import Contract
from handlers.paging.roster import load_roster
from handlers.registry import DIALOG_STEPS
from storage import dialogs as dialog_store
from storage import service_requests as service_store
from tests.support.builders import ScriptedNlu, make_inbound
from tests.support.service_steps import INTENTS, NOW, button, sent_to

OUTAGE = "三楼整层都断网了，大家都没法工作"
MONITOR = "想买个显示器"
COMPLAINT = "陈工说好下午来修 #1001，结果一直没人来，太耽误事了"
NLU = ScriptedNlu({**INTENTS, OUTAGE: ("incident_urgent", 0.97), MONITOR: ("purchase", 0.93)})


def _pipeline(sessions: storage.SessionFactory, clock: FakeClock, expiry: timedelta | None = None) -> Pipeline:
    contract = None
    if expiry is not None:
        contract = Contract(roster=load_roster(REPO_ROOT / "config" / "roster.yaml"), dialog_expiry=expiry)
    return Pipeline(sessions, NLU, clock, hotline="400-000-0000", contract=contract)


async def _say(
    sessions: storage.SessionFactory, clock: FakeClock, sender: str, text: str, expiry: timedelta | None = None
) -> list[Reply]:
    receipt = await _pipeline(sessions, clock, expiry).handle(make_inbound(text, sender=sender, at=clock.now()))
    async with sessions() as s:
        return [Reply.from_payload(r.payload) for r in await storage.replies_to(s, receipt.inbound_id)]


async def _tickets(sessions: storage.SessionFactory) -> list[storage.Ticket]:
    async with sessions() as s:
        return await storage.list_tickets(s)


async def _open_purchase_details(sessions: storage.SessionFactory, clock: FakeClock) -> str:
    [asked] = await _say(sessions, clock, "staff.zhang", MONITOR)
    assert "预算" in asked.text
    return "staff.zhang"


async def _open_complaint_facts(sessions: storage.SessionFactory, clock: FakeClock) -> str:
    await _say(sessions, clock, "staff.li", COMPLAINT)
    [notice] = await sent_to(sessions, "svc.ma")
    [ask] = await _say(sessions, clock, "svc.ma", button(notice, "核实").payload)
    assert "核实情况" in ask.text
    return "svc.ma"


async def _open_complaint_answer(sessions: storage.SessionFactory, clock: FakeClock) -> str:
    await _open_complaint_facts(sessions, clock)
    [recorded] = await _say(sessions, clock, "svc.ma", "陈工当天被临时派去处理三楼断网")
    assert "已记录" in recorded.text
    return "svc.ma"


Opener = Callable[[storage.SessionFactory, FakeClock], Awaitable[str]]
OPENERS: dict[str, Opener] = {
    "purchase_details": _open_purchase_details,
    "complaint_facts": _open_complaint_facts,
    "complaint_answer": _open_complaint_answer,
}


def test_every_dialog_that_exists_is_tested_here() -> None:
    assert set(OPENERS) == set(DIALOG_STEPS)


async def _dialog_state(sessions: storage.SessionFactory, person: str, clock: FakeClock) -> str | None:
    async with sessions() as s:
        dialog = await dialog_store.active_dialog(s, "rest", person, clock.now())
        return dialog.state if dialog else None


async def test_an_outage_reported_during_the_purchase_dialog_opens_an_urgent_ticket_and_the_dialog_waits(
    sessions: storage.SessionFactory,
) -> None:
    clock = FakeClock(NOW)
    person = await _open_purchase_details(sessions, clock)
    clock.advance(timedelta(minutes=1))
    replies = await _say(sessions, clock, person, OUTAGE)
    outage = await _outage_ticket(sessions, person)
    assert f"#{outage.number}" in replies[0].text
    assert "取消" in replies[-1].text and "/cancel" in replies[-1].text  # how to finish or cancel
    assert await _dialog_state(sessions, person, clock) == "purchase_details"  # the dialog still waits
    async with sessions() as s:
        [request] = await service_store.list_purchase_requests(s)
    assert OUTAGE not in (request.notes or "")


async def _outage_ticket(sessions: storage.SessionFactory, person: str) -> storage.Ticket:
    outage = next(t for t in await _tickets(sessions) if t.text == OUTAGE)
    assert (outage.kind, outage.severity, outage.requester_id) == ("incident", "urgent", person)
    return outage


@pytest.mark.parametrize("state", ["complaint_facts", "complaint_answer"])
async def test_a_fault_report_during_a_complaint_dialog_is_asked_about_and_a_new_fault_is_paged(
    sessions: storage.SessionFactory, state: str
) -> None:
    clock = FakeClock(NOW)
    person = await OPENERS[state](sessions, clock)
    clock.advance(timedelta(minutes=1))
    [question] = await _say(sessions, clock, person, OUTAGE)
    assert "故障" in question.text and [b.title for b in question.buttons] == ["新故障，建工单", "是我的回复"]
    assert [t for t in await _tickets(sessions) if t.text == OUTAGE] == []  # nothing decided yet
    replies = await _say(sessions, clock, person, button(question, "新故障").payload)
    outage = await _outage_ticket(sessions, person)
    assert f"#{outage.number}" in replies[0].text and "取消" in replies[-1].text
    assert await _dialog_state(sessions, person, clock) == state  # the dialog still waits
    async with sessions() as s:
        [complaint] = await service_store.list_complaints(s)
    assert OUTAGE not in (complaint.facts or "") and OUTAGE not in (complaint.answer or "")


async def test_facts_that_read_like_a_fault_are_recorded_when_the_manager_says_so(
    sessions: storage.SessionFactory,
) -> None:
    clock = FakeClock(NOW)
    await _open_complaint_facts(sessions, clock)
    [question] = await _say(sessions, clock, "svc.ma", OUTAGE)
    [recorded] = await _say(sessions, clock, "svc.ma", button(question, "我的回复").payload)
    assert "已记录" in recorded.text
    async with sessions() as s:
        [complaint] = await service_store.list_complaints(s)
    assert complaint.facts == OUTAGE and complaint.status == "facts_checked"
    assert [t for t in await _tickets(sessions) if t.text == OUTAGE] == []
    assert await _dialog_state(sessions, "svc.ma", clock) == "complaint_answer"


@pytest.mark.parametrize("state", sorted(OPENERS))
@pytest.mark.parametrize("word", ["取消", "/cancel"])
async def test_cancel_ends_any_dialog_and_the_next_message_is_triaged_as_usual(
    sessions: storage.SessionFactory, state: str, word: str
) -> None:
    clock = FakeClock(NOW)
    person = await OPENERS[state](sessions, clock)
    [cancelled] = await _say(sessions, clock, person, word)
    assert "已取消" in cancelled.text
    assert await _dialog_state(sessions, person, clock) is None
    [chat] = await _say(sessions, clock, person, "你好")
    assert "服务台" in chat.text  # chitchat, not a dialog's answer


@pytest.mark.parametrize("state", sorted(OPENERS))
async def test_a_dialog_expires_after_the_configured_time(sessions: storage.SessionFactory, state: str) -> None:
    clock = FakeClock(NOW)
    person = await OPENERS[state](sessions, clock)
    clock.advance(timedelta(minutes=29))
    assert await _dialog_state(sessions, person, clock) == state
    clock.advance(timedelta(minutes=2))  # 31 minutes: past the default 30
    assert await _dialog_state(sessions, person, clock) is None
    [chat] = await _say(sessions, clock, person, "你好")
    assert "服务台" in chat.text


async def test_the_expiry_comes_from_the_contract(sessions: storage.SessionFactory) -> None:
    clock = FakeClock(NOW)
    await _say(sessions, clock, "staff.zhang", MONITOR, expiry=timedelta(minutes=5))
    clock.advance(timedelta(minutes=4))
    assert await _dialog_state(sessions, "staff.zhang", clock) == "purchase_details"
    clock.advance(timedelta(minutes=2))
    assert await _dialog_state(sessions, "staff.zhang", clock) is None


async def test_a_command_during_a_dialog_is_handled_and_the_answer_still_completes_the_dialog(
    sessions: storage.SessionFactory,
) -> None:
    clock = FakeClock(NOW)
    await _open_purchase_details(sessions, clock)
    clock.advance(timedelta(minutes=1))
    replies = await _say(sessions, clock, "staff.zhang", "/mine")
    assert "采购申请" in replies[-1].text and "取消" in replies[-1].text
    [updated] = await _say(sessions, clock, "staff.zhang", "2台，预算3000元")
    assert "¥3,000" in updated.text
    async with sessions() as s:
        [request] = await service_store.list_purchase_requests(s)
    assert (request.quantity, request.budget_fen) == (2, 300000)


async def test_cancel_with_no_dialog_open_says_there_is_nothing_to_cancel(sessions: storage.SessionFactory) -> None:
    [reply] = await _say(sessions, FakeClock(NOW), "staff.li", "取消")
    assert "没有进行中的对话" in reply.text
    assert await _tickets(sessions) == []
