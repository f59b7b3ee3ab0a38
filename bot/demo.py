"""``helpdesk demo``: the service contract walked through in chat, printed as a transcript.

An urgent outage (paged, escalated, acknowledged, resolved, confirmed), a hardware repair with a
quote, and a complaint with its clocks — through the real pipeline, triage, store and timers, on a
throwaway SQLite store, with a clock that the script moves forward instead of waiting.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TextIO
from zoneinfo import ZoneInfo

import storage
from bot.pipeline import Pipeline
from bot.timers import TimerWorker
from core.clock import FakeClock
from core.messages import Action, InboundMessage, Reply
from handlers.registry import TIMER_HANDLERS

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Monday on site: 2026-11-23 10:00 in Shanghai.
DEMO_START = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)


@dataclass
class DemoDriver:
    """Sends messages and presses buttons as people would, and prints what everyone receives."""

    sessions: storage.SessionFactory
    pipeline: Pipeline
    timers: TimerWorker
    clock: FakeClock
    out: TextIO
    names: dict[str, str] = field(default_factory=dict)
    _seen: int = 0

    async def setup(self) -> None:
        async with self.sessions() as session:
            self.names = {p.id: p.name for p in await storage.list_people(session)}
            existing = await storage.outbox_after(session, 0)
            self._seen = existing[-1].id if existing else 0

    def _time(self) -> str:
        return self.clock.now().astimezone(SHANGHAI).strftime("%m-%d %H:%M")

    def heading(self, text: str) -> None:
        self.out.write(f"\n════ {text} ════\n")

    async def say(self, person: str, text: str, shown: str | None = None) -> None:
        self.out.write(f"\n[{self._time()}] {self.names.get(person, person)} ▶ {shown or text}\n")
        await self.pipeline.handle(
            InboundMessage(
                channel="web",
                sender=person,
                chat=person,
                message_id=uuid.uuid4().hex,
                text=text,
                received_at=self.clock.now(),
            )
        )
        await self._print_new()

    async def press(self, person: str, action: Action) -> None:
        """Press the newest button with this action in what ``person`` received."""
        async with self.sessions() as session:
            sent = [Reply.from_payload(row.payload) for row in await storage.outbox_for(session, person)]
        # Outside the session: on SQLite a second transaction would wait for this one's lock.
        for reply in sent:
            for button in reply.buttons:
                if button.action is action:
                    await self.say(person, button.payload, shown=f"〔按下 {button.title}〕")
                    return
        raise RuntimeError(f"{person} has no {action.value} button to press")

    async def answer(self, person: str, text: str) -> None:
        """Answer an open dialog; when the bot asks whether the text is a new fault, say it is the answer."""
        await self.say(person, text)
        async with self.sessions() as session:
            latest = await storage.outbox_for(session, person, limit=1)
        if latest and any(b.action is Action.DIALOG_ANSWER for b in Reply.from_payload(latest[0].payload).buttons):
            await self.press(person, Action.DIALOG_ANSWER)

    async def wait(self, delta: timedelta) -> None:
        self.clock.advance(delta)
        self.out.write(f"\n   … {int(delta.total_seconds() // 60)} 分钟后 ({self._time()})\n")
        await self.timers.run_due()
        await self._print_new()

    async def _print_new(self) -> None:
        async with self.sessions() as session:
            for row in await storage.outbox_after(session, self._seen):
                self._seen = row.id
                reply = Reply.from_payload(row.payload)
                who = self.names.get(row.recipient_id or "", row.recipient_id or "?")
                edited = "（更新消息）" if row.replaces_id else ""
                body = reply.text.replace("\n", "\n      ")
                buttons = "  ".join(f"[{b.title}]" for b in reply.buttons)
                self.out.write(f"   🤖 → {who}{edited}: {body}\n")
                if buttons:
                    self.out.write(f"      {buttons}\n")


async def run_demo(driver: DemoDriver) -> None:
    """The three stories of the contract, in order."""
    d = driver
    await d.setup()
    d.heading("1. 紧急故障：整层断网（报障 → 呼叫值班 → 升级 → 接单 → 解决 → 确认）")
    await d.say("staff.li", "三楼整层都断网了，大家都没法工作")
    await d.say("staff.wang", "3楼网络断了，我们市场部也上不了网")
    await d.wait(timedelta(minutes=6))
    await d.press("eng.sun", Action.ACKNOWLEDGE)
    await d.wait(timedelta(minutes=25))
    number = await _latest_ticket(d, "staff.li")
    await d.say("eng.sun", f"解决 {number} 核心交换机三楼端口模块故障，已更换备用模块，网络恢复")
    await d.press("staff.li", Action.CONFIRM)

    d.heading("2. 硬件故障：显示器黑屏（确认 → 取件 → 报价 → 批准 → 维修 → 送回签收）")
    await d.say("staff.zhang", "显示器突然黑了，主机还在响")
    number = await _latest_ticket(d, "staff.zhang")
    await d.say("eng.chen", f"维修 {number} 确认")
    await d.say("eng.chen", f"维修 {number} 取件 Dell P2419H 显示器; CN0ABC123; 通电无显示; 电源线、DP线")
    await d.say("eng.chen", f"报价 {number} 更换电源板 380; 人工 80")
    await d.press("staff.zhang", Action.APPROVE)
    await d.say("eng.chen", f"维修 {number} 修好")
    await d.say("eng.chen", f"维修 {number} 送回")
    await d.press("staff.zhang", Action.SIGN)

    d.heading("3. 投诉：工程师爽约（登记 → 服务经理 → 提醒 → 核实 → 答复）")
    await d.say("staff.wang", "工程师说好下午来结果一直没人来，太耽误事了")
    await d.wait(timedelta(hours=6))
    await d.press("svc.ma", Action.FACTS_CHECKED)
    await d.answer("svc.ma", "已核实：原定 14:00 上门，因处理三楼断网被临时调走，未及时通知。")
    # Recording the facts leads straight on to writing the answer (a dialog kept in the store).
    await d.answer(
        "svc.ma",
        "王芳您好，很抱歉今天下午爽约。原因是三楼断网抢修临时调人，今后改期会提前通知您。明天 10:00 工程师上门。",
    )
    d.out.write("\n演示结束 / end of demo.\n")


async def _latest_ticket(d: DemoDriver, requester: str) -> int:
    async with d.sessions() as session:
        [ticket] = await storage.list_tickets(session, requester_id=requester, limit=1)
        return ticket.number or 0


def demo_clock() -> FakeClock:
    return FakeClock(DEMO_START)


def demo_timers(sessions: storage.SessionFactory, clock: FakeClock) -> TimerWorker:
    return TimerWorker(sessions, clock, TIMER_HANDLERS)
