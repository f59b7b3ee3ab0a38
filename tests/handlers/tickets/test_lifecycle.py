"""The ticket lifecycle from chat: engineer commands, the service record, refusals, auto-close.
Through the real pipeline on SQLite and PostgreSQL; the clock is a fake one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

import storage
from bot.pipeline import Pipeline
from bot.timers import TimerWorker
from config.settings import REPO_ROOT
from core.clock import FakeClock
from core.messages import Action, Reply
from handlers.contract import Contract
from handlers.paging.roster import load_roster
from handlers.registry import TIMER_HANDLERS
from handlers.tickets.commands import Command, parse_command
from tests.support.builders import ScriptedNlu, make_inbound

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai
PROBLEM = "我电脑开机就蓝屏"
CONTRACT = Contract(load_roster(REPO_ROOT / "config" / "roster.yaml"), record_close_days=3)
NLU = ScriptedNlu({PROBLEM: ("incident_high", 0.93)})


class Desk:
    """A person types into the chat; the test reads what came back."""

    def __init__(self, sessions: storage.SessionFactory) -> None:
        self.sessions = sessions
        self.clock = FakeClock(NOW)
        self.pipeline = Pipeline(sessions, NLU, self.clock, hotline="400-000-0000", contract=CONTRACT)

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

    async def pushed_to(self, person: str) -> list[storage.OutboxMessage]:
        """Messages pushed to someone (not answers to what they wrote), oldest first."""
        async with self.sessions() as s:
            query = select(storage.OutboxMessage).where(
                storage.OutboxMessage.recipient_id == person, storage.OutboxMessage.in_reply_to.is_(None)
            )
            return list((await s.scalars(query.order_by(storage.OutboxMessage.id))).all())

    async def events(self) -> list[storage.TicketEvent]:
        ticket = await self.ticket()
        async with self.sessions() as s:
            return await storage.ticket_events(s, ticket)


async def test_take_resolve_and_the_requester_confirms_the_service_record(sessions: storage.SessionFactory) -> None:
    desk = Desk(sessions)
    await desk.say("staff.li", PROBLEM)
    number = (await desk.ticket()).number
    assert "处理中" in await desk.say("eng.chen", f"接单 {number}")
    desk.clock.advance(timedelta(minutes=40))
    answer = await desk.say("eng.chen", f"解决 {number} 显卡驱动损坏，已重装驱动并测试开机正常")
    assert "已解决" in answer and "服务记录单" in answer
    record = (await desk.pushed_to("staff.li"))[-1]
    reply = Reply.from_payload(record.payload)
    assert reply.text.startswith(f"📄 服务记录单 · 工单 #{number}") and "已重装驱动" in reply.text
    assert [(b.title, b.action) for b in reply.buttons] == [("确认", Action.CONFIRM), ("还有问题", Action.REOPEN)]
    assert "已关闭" in await desk.say("staff.li", reply.buttons[0].payload)
    ticket = await desk.ticket()
    assert ticket.status == "closed" and ticket.closed_at is not None
    moves = [(e.action, e.actor_id, e.source) for e in await desk.events()]
    assert moves[-3:] == [
        ("taken", "eng.chen", "rest"),
        ("resolved", "eng.chen", "rest"),
        ("closed", "staff.li", "rest"),
    ]
    again = await desk.say("staff.li", reply.buttons[0].payload)
    assert "不能关闭" in again or "没有待确认" in again


async def test_still_a_problem_reopens_the_ticket_and_tells_its_engineer(sessions: storage.SessionFactory) -> None:
    desk = Desk(sessions)
    await desk.say("staff.li", PROBLEM)
    number = (await desk.ticket()).number
    await desk.say("eng.liu", f"/take {number}")
    await desk.say("eng.liu", f"/resolve {number} reinstalled the driver")
    record = Reply.from_payload((await desk.pushed_to("staff.li"))[-1].payload)
    answer = await desk.say("staff.li", record.buttons[1].payload)
    assert "重新打开" in answer and "刘工" in answer
    ticket = await desk.ticket()
    assert ticket.status == "reopened"
    told = Reply.from_payload((await desk.pushed_to("eng.liu"))[-1].payload)
    assert f"工单 #{number} 被 李娜 重新打开" in told.text
    assert "处理中" in await desk.say("eng.liu", f"接单 {number}")
    assert "已解决" in await desk.say("eng.liu", f"解决 {number} 更换了内存条")
    assert (await desk.ticket()).status == "resolved"


async def test_an_unconfirmed_service_record_closes_after_the_configured_days(sessions: storage.SessionFactory) -> None:
    desk = Desk(sessions)
    await desk.say("staff.li", PROBLEM)
    number = (await desk.ticket()).number
    await desk.say("eng.chen", f"解决 {number} 重装驱动")
    worker = TimerWorker(sessions, desk.clock, TIMER_HANDLERS)
    desk.clock.advance(timedelta(days=3) - timedelta(minutes=1))
    await worker.run_due()
    assert (await desk.ticket()).status == "resolved"
    desk.clock.advance(timedelta(minutes=1))
    await worker.run_due()
    ticket = await desk.ticket()
    assert ticket.status == "closed"
    pushed = await desk.pushed_to("staff.li")
    record, closing = pushed[-2], pushed[-1]
    assert closing.replaces_id == record.id and "自动关闭" in closing.payload["text"]
    [closed] = [e for e in await desk.events() if e.action == "closed"]
    assert (closed.actor_id, closed.source, closed.detail["confirmed"]) == (None, "system", False)


async def test_invalid_moves_are_refused_with_a_clear_reply(sessions: storage.SessionFactory) -> None:
    desk = Desk(sessions)
    await desk.say("staff.li", PROBLEM)
    number = (await desk.ticket()).number
    assert f"工单 #{number} 当前状态为「新建」，不能释放" in await desk.say("eng.chen", f"释放 {number}")
    assert "只有工程师" in await desk.say("staff.li", f"接单 {number}")
    assert "请发送「解决" in await desk.say("eng.chen", f"解决 {number}")  # no note, no service record
    await desk.say("eng.chen", f"接单 {number}")
    assert "由 陈工 负责" in await desk.say("eng.liu", f"接单 {number}")
    assert "由 陈工 负责" in await desk.say("eng.liu", f"释放 {number}")
    typed = await desk.say("staff.wang", f"/v1.confirm {number}")  # a typed payload is ordinary text
    assert f"#{number}" not in typed and "报修人" not in typed
    await desk.say("eng.chen", f"解决 {number} 已处理")
    assert "当前状态为「已解决」，不能解决" in await desk.say("eng.chen", f"解决 {number} 再次")
    assert "找不到工单 #99999" in await desk.say("eng.chen", "接单 99999")
    assert (await desk.ticket()).status == "resolved"


async def test_release_puts_the_ticket_back_and_asks_the_team_on_duty(sessions: storage.SessionFactory) -> None:
    desk = Desk(sessions)
    await desk.say("staff.li", PROBLEM)
    number = (await desk.ticket()).number
    await desk.say("eng.chen", f"接单 {number}")
    assert "已释放" in await desk.say("eng.chen", f"释放 {number}")
    ticket = await desk.ticket()
    assert (ticket.status, ticket.assignee_id) == ("new", None)
    assert "处理中" in await desk.say("eng.liu", f"接单 {number}")


async def test_my_tickets_notes_reassigning_and_who_is_on_duty(sessions: storage.SessionFactory) -> None:
    desk = Desk(sessions)
    await desk.say("staff.li", PROBLEM)
    number = (await desk.ticket()).number
    await desk.say("eng.chen", f"接单 #{number}")
    mine = await desk.say("eng.chen", "我的工单")
    assert f"#{number}" in mine and "处理中" in mine
    assert f"#{number}" in await desk.say("staff.li", "/mine")
    assert "已为工单" in await desk.say("eng.chen", f"备注 {number} 已预约明早上门")
    [note] = [e for e in await desk.events() if e.action == "note"]
    assert note.detail["text"] == "已预约明早上门"
    assert "只有经理" in await desk.say("eng.chen", f"转派 {number} eng.liu")
    assert "已转派给 刘工" in await desk.say("mgr.he", f"转派 {number} eng.liu")
    assert (await desk.ticket()).assignee_id == "eng.liu"
    assert f"将工单 #{number} 转派给您" in (await desk.pushed_to("eng.liu"))[-1].payload["text"]
    assert "您目前没有未完成的工单" in await desk.say("eng.chen", "我的工单")
    duty = await desk.say("staff.wang", "谁在值班？")
    assert duty.startswith("现在：驻场时间") and "下一班" in duty
    assert duty == await desk.say("staff.wang", "/oncall")


def test_commands_are_whole_messages_and_ordinary_reports_are_not_commands() -> None:
    assert parse_command("接单 1042") == Command("take", 1042)
    assert parse_command("/take #1042") == Command("take", 1042)
    assert parse_command("解决 1042 换了网线\n已测试") == Command("resolve", 1042, "换了网线\n已测试")
    assert parse_command("转派 1042 eng.liu") == Command("reassign", 1042, "eng.liu")
    assert parse_command("谁在值班?") == Command("oncall")
    assert parse_command("我的工单") == Command("mine")
    for text in (
        "解决不了打印问题",
        "我的工单怎么还没人处理",
        "接单的工程师什么时候来",
        "升级一下系统",
        "/v1.ack 1042",
    ):
        assert parse_command(text) is None
