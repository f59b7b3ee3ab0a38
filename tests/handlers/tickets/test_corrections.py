"""Engineers correct triage in chat and on the page; the page, its escalation and the promise follow.
Through the real pipeline and timer worker, on SQLite and PostgreSQL, with a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

import storage
from bot.kb_holder import KnowledgeBaseHolder
from bot.pipeline import Pipeline
from bot.timers import TimerWorker
from config.settings import REPO_ROOT
from core.clock import FakeClock
from core.messages import Action, Reply
from handlers.contract import Contract
from handlers.kb.articles import load_knowledge_base
from handlers.paging.roster import load_roster, on_duty
from handlers.registry import TIMER_HANDLERS
from handlers.tickets.commands import Command, parse_command
from handlers.tickets.corrections import parse_kind, parse_severity
from storage import corrections as corrections_store
from storage import paging as paging_store
from tests.support.builders import ScriptedNlu, make_inbound

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai, a working day
CONTRACT = Contract(load_roster(REPO_ROOT / "config" / "roster.yaml"))
SHIFT = on_duty(CONTRACT.roster, NOW, CONTRACT.calendar)
ONE_PC = "我电脑连不上网了，急！整个报表都做不了"
BLUE = "我电脑开机就蓝屏"
KB = KnowledgeBaseHolder(load_knowledge_base(REPO_ROOT / "kb"))
NLU = ScriptedNlu({ONE_PC: ("incident_urgent", 0.91), BLUE: ("incident_high", 0.93)})


class Desk:
    """People type into the chat; the test reads what came back and what was pushed."""

    def __init__(self, sessions: storage.SessionFactory) -> None:
        self.sessions = sessions
        self.clock = FakeClock(NOW)
        self.pipeline = Pipeline(sessions, NLU, self.clock, hotline="400-000-0000", kb=KB, contract=CONTRACT)
        self.timers = TimerWorker(sessions, self.clock, TIMER_HANDLERS)

    async def say(self, sender: str, text: str) -> str:
        receipt = await self.pipeline.handle(make_inbound(text, sender=sender))
        async with self.sessions() as s:
            return "\n".join(
                Reply.from_payload(r.payload).text for r in await storage.replies_to(s, receipt.inbound_id)
            )

    async def ticket(self) -> storage.Ticket:
        async with self.sessions() as s:
            [ticket] = await storage.list_tickets(s)
            return ticket

    async def rows(self) -> list[storage.OutboxMessage]:
        async with self.sessions() as s:
            return list((await s.scalars(select(storage.OutboxMessage).order_by(storage.OutboxMessage.id))).all())

    async def pushed_to(self, person: str) -> list[Reply]:
        return [
            Reply.from_payload(r.payload)
            for r in await self.rows()
            if r.recipient_id == person and r.in_reply_to is None and r.replaces_id is None
        ]

    async def pages_to(self, person: str) -> list[Reply]:
        """The pages (messages with an acknowledge button) sent to someone, oldest first."""
        return [r for r in await self.pushed_to(person) if any(b.action is Action.ACKNOWLEDGE for b in r.buttons)]

    async def corrections(self) -> list[storage.TicketEvent]:
        ticket = await self.ticket()
        async with self.sessions() as s:
            events = await storage.ticket_events(s, ticket)
        return [e for e in events if e.action == corrections_store.TRIAGE_CORRECTED_EVENT]


def _button(reply: Reply, action: Action) -> str:
    [button] = [b for b in reply.buttons if b.action is action]
    return button.payload


def test_the_command_forms_parse_with_an_optional_reason() -> None:
    assert parse_command("改级 1042 紧急") == Command("severity", 1042, "紧急")
    assert parse_command("改级 #1042 一般 只是一台电脑") == Command("severity", 1042, "一般 只是一台电脑")
    assert parse_command("/severity 1042 urgent") == Command("severity", 1042, "urgent")
    assert parse_command("/kind 1042 howto") == Command("kind", 1042, "howto")
    assert parse_command("改类 1042 咨询 他问怎么设置") == Command("kind", 1042, "咨询 他问怎么设置")
    assert parse_command("改级了吗 我的电脑") is None
    assert parse_severity("一般 只是一台电脑") == ("normal", "只是一台电脑")
    assert parse_severity("一般紧急故障 一个人用不了") == ("high", "一个人用不了")
    assert parse_severity("一般只是一台电脑") == ("normal", "只是一台电脑")
    assert parse_severity("硬件") == ("hardware", "")
    assert parse_severity("High one desk only") == ("high", "one desk only")
    assert parse_severity("highway") is None
    assert parse_kind("howto printer-settings") == ("howto", "printer-settings")


async def test_lowering_an_urgent_page_cancels_the_urgent_steps_and_plans_the_lower_levels(
    sessions: storage.SessionFactory,
) -> None:
    desk = Desk(sessions)
    await desk.say("staff.li", ONE_PC)
    ticket = await desk.ticket()
    [urgent_page] = await desk.pages_to(SHIFT.engineers[0])
    assert ticket.severity == "urgent" and urgent_page.text.startswith("🚨 紧急故障")
    desk.clock.set(NOW + timedelta(minutes=2))
    answer = await desk.say("eng.chen", f"改级 {ticket.number} 一般 只是一台电脑")
    assert f"已将工单 #{ticket.number} 从「紧急故障」改为「一般故障」" in answer

    [event] = await desk.corrections()
    assert (event.actor_id, event.source, event.at) == ("eng.chen", "rest", NOW + timedelta(minutes=2))
    assert event.detail["from"]["severity"] == "urgent" and event.detail["to"]["severity"] == "normal"
    assert event.detail["why"] == "只是一台电脑" and event.detail["text"] == ONE_PC

    # Every copy of the urgent page is edited: it says so, and its buttons are gone.
    rows = await desk.rows()
    edits = [r for r in rows if r.replaces_id is not None]
    assert {r.recipient_id for r in edits} == {*SHIFT.engineers, "svc.ma"}
    assert all(Reply.from_payload(r.payload).text.startswith("🔁 已由 陈工") for r in edits)
    assert all(not Reply.from_payload(r.payload).buttons for r in edits)
    # The urgent chain's later steps never come: the backup is not paged at minute 5 nor later.
    desk.clock.set(NOW + timedelta(hours=3))
    await desk.timers.run_due()
    assert await desk.pages_to("eng.sun") == [] and await desk.pages_to("eng.qian") == []
    # The normal level's notice goes to the team on duty, and the promise counts from the report.
    notice = (await desk.pushed_to(SHIFT.engineers[0]))[-1]
    assert notice.text.startswith(f"📋 新工单 #{ticket.number}（一般故障")
    ticket = await desk.ticket()
    assert ticket.severity == "normal" and ticket.due_at == NOW + timedelta(days=1)
    told = (await desk.pushed_to("staff.li"))[-1]
    assert f"工单 #{ticket.number} 调整为一般故障" in told.text and "24 小时内处理" in told.text


async def test_raising_a_high_ticket_to_urgent_pages_as_urgent_now_and_escalates_as_urgent(
    sessions: storage.SessionFactory,
) -> None:
    desk = Desk(sessions)
    await desk.say("staff.li", BLUE)
    ticket = await desk.ticket()
    desk.clock.set(NOW + timedelta(minutes=20))
    answer = await desk.say("svc.ma", f"/severity {ticket.number} urgent whole finance floor is down")
    assert "紧急故障" in answer and "已按新级别通知" in answer
    for engineer in SHIFT.engineers:
        assert (await desk.pages_to(engineer))[-1].text.startswith("🚨 紧急故障")
    ticket = await desk.ticket()
    assert ticket.due_at == NOW + timedelta(minutes=50)  # counted from the correction, not the report
    desk.clock.set(NOW + timedelta(minutes=25))
    await desk.timers.run_due()
    [backup] = await desk.pages_to("eng.sun")
    assert backup.text.startswith("🚨 紧急故障") and "5 分钟内无人接单" in backup.text
    told = (await desk.pushed_to("staff.li"))[-1]
    assert "调整为紧急故障" in told.text and "立即响应" in told.text
    [event] = await desk.corrections()
    assert (event.actor_id, event.detail["why"]) == ("svc.ma", "whole finance floor is down")


async def test_the_not_urgent_button_lowers_an_urgent_page_once_and_a_high_one_to_normal(
    sessions: storage.SessionFactory,
) -> None:
    desk = Desk(sessions)
    await desk.say("staff.li", ONE_PC)
    first, second = SHIFT.engineers[0], SHIFT.engineers[1]
    urgent_first = (await desk.pages_to(first))[-1]
    urgent_second = (await desk.pages_to(second))[-1]
    assert [b.title for b in urgent_first.buttons][-1] == "不紧急"

    answer = await desk.say(first, _button(urgent_first, Action.LOWER))
    assert "从「紧急故障」改为「一般紧急故障」" in answer
    assert (await desk.ticket()).severity == "high"
    # A colleague presses the same button on their copy a moment later: lowered once, not twice.
    again = await desk.say(second, _button(urgent_second, Action.LOWER))
    assert "已是「一般紧急故障」" in again and (await desk.ticket()).severity == "high"

    high_page = (await desk.pages_to(first))[-1]
    assert high_page.text.startswith("🚨 一般紧急故障")
    await desk.say(second, _button(high_page, Action.LOWER))  # anyone on the page's chain may press it
    ticket = await desk.ticket()
    assert ticket.severity == "normal"
    events = await desk.corrections()
    assert [(e.actor_id, e.detail["to"]["severity"], e.detail.get("button")) for e in events] == [
        (first, "high", "not_urgent"),
        (second, "normal", "not_urgent"),
    ]
    assert await desk.pages_to("eng.sun") == []  # the high backup step was cancelled too
    desk.clock.set(NOW + timedelta(hours=1))
    await desk.timers.run_due()
    assert await desk.pages_to("eng.sun") == []


@pytest.mark.parametrize("text", ["改级 {number} 紧急", "/kind {number} howto", "改级 99999 紧急"])
async def test_staff_are_refused_with_a_reply_that_reveals_nothing(sessions: storage.SessionFactory, text: str) -> None:
    desk = Desk(sessions)
    await desk.say("staff.li", BLUE)
    number = (await desk.ticket()).number
    answer = await desk.say("staff.wang", text.format(number=number))
    assert answer == "只有工程师和经理可以修改工单的分类或紧急程度。未做任何更改；如需报修，直接描述问题即可。"
    ticket = await desk.ticket()
    assert ticket.severity == "high" and await desk.corrections() == []


async def test_a_ticket_an_engineer_has_is_not_paged_again_its_engineer_is_told(
    sessions: storage.SessionFactory,
) -> None:
    desk = Desk(sessions)
    await desk.say("staff.li", BLUE)
    number = (await desk.ticket()).number
    await desk.say("eng.liu", f"接单 {number}")
    pages_before = len(await desk.rows())
    await desk.say("mgr.he", f"改级 {number} 硬件 屏幕裂了")
    ticket = await desk.ticket()
    assert ticket.severity == "hardware" and ticket.due_at is None and ticket.assignee_id == "eng.liu"
    new = (await desk.rows())[pages_before:]
    assert not any(Reply.from_payload(r.payload).buttons and r.recipient_id != "staff.li" for r in new)
    told = (await desk.pushed_to("eng.liu"))[-1]
    assert "何经理 将您负责的工单" in told.text and "屏幕裂了" in told.text
    async with sessions() as s:
        page = await paging_store.page_for_ticket(s, ticket.id)
    assert page is not None and page.status == "acknowledged"
    assert any("维修流程" in r.text for r in await desk.pushed_to("staff.li"))


async def test_a_fault_filed_as_a_how_to_stops_paging_and_keeps_the_article(sessions: storage.SessionFactory) -> None:
    desk = Desk(sessions)
    await desk.say("staff.li", BLUE)
    number = (await desk.ticket()).number
    answer = await desk.say("eng.chen", f"/kind {number} howto printer-settings 他问的是怎么设置")
    assert "改为「操作咨询" in answer
    ticket = await desk.ticket()
    assert (ticket.kind, ticket.severity, ticket.due_at) == ("howto", None, None)
    [event] = await desk.corrections()
    assert event.detail["to"] == {"kind": "howto", "severity": None, "article": "printer-settings"}
    assert event.detail["why"] == "他问的是怎么设置"
    async with sessions() as s:
        page = await paging_store.page_for_ticket(s, ticket.id)
    assert page is not None and page.status == "replanned"
    desk.clock.set(NOW + timedelta(hours=1))
    await desk.timers.run_due()
    assert await desk.pages_to("eng.sun") == []
    assert "已是「操作咨询" in await desk.say("eng.chen", f"改类 {number} 咨询")
