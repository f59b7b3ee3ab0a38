"""The hardware repair process: every step by an engineer or the requester, each told to the requester."""

from __future__ import annotations

import storage
from bot.outbox import dispatch
from core.clock import FakeClock
from core.messages import Action
from handlers.service.repairs import parse_quote, start_repair
from storage import service_requests as service_store
from tests.support.service_steps import NOW, button, say, sent_to

PICKUP = "维修 1001 取件 ThinkPad T14; ZC-PC-0231 / PF2ABC01; 硬盘异响，无法开机; 电源适配器"


async def _hardware_ticket(sessions: storage.SessionFactory) -> None:
    """A hardware ticket from 张伟, put into the repair process as the incident path does."""
    async with sessions() as s, s.begin():
        ticket = await storage.open_ticket(
            s,
            requester_id="staff.zhang",
            kind="incident",
            severity="hardware",
            text="电脑有咔咔的异响，开不了机",
            channel="rest",
            now=NOW,
        )
        await dispatch(s, await start_repair(s, ticket, NOW), NOW)
        assert await start_repair(s, ticket, NOW) == []  # once only


async def _through_quote(sessions: storage.SessionFactory, clock: FakeClock) -> None:
    await _hardware_ticket(sessions)
    [started] = await sent_to(sessions, "staff.zhang")
    assert "#1001" in started.text and "维修流程" in started.text and "签收" in started.text
    [confirmed, *_] = await say(sessions, clock, "eng.chen", "维修 1001 确认")
    assert "已更新" in confirmed.text and "取件" in confirmed.text
    await say(sessions, clock, "eng.chen", PICKUP)
    await say(sessions, clock, "eng.chen", "报价 1001 更换硬盘 450; 人工 100")


async def _steps(sessions: storage.SessionFactory) -> list[str]:
    async with sessions() as s:
        ticket = await storage.get_ticket(s, 1001)
        assert ticket is not None
        return [e.detail["step"] for e in await storage.ticket_events(s, ticket) if e.action == "repair"]


async def test_a_repair_from_confirmation_to_signed_for_with_the_quote_approved(
    sessions: storage.SessionFactory,
) -> None:
    clock = FakeClock(NOW)
    await _through_quote(sessions, clock)
    _, confirmed, slip, quote = await sent_to(sessions, "staff.zhang")
    assert "陈工已与您确认" in confirmed.text
    assert "设备维修单" in slip.text and "ThinkPad T14" in slip.text and "PF2ABC01" in slip.text
    assert "硬盘异响" in slip.text and "电源适配器" in slip.text
    assert "更换硬盘：¥450" in quote.text and "人工：¥100" in quote.text and "合计：¥550" in quote.text
    [approved] = await say(sessions, clock, "staff.zhang", button(quote, "同意").payload)
    assert "已同意报价" in approved.text
    [told] = await sent_to(sessions, "eng.chen")
    assert "同意报价" in told.text
    await say(sessions, clock, "eng.chen", button(told, "维修完成").payload)
    await say(sessions, clock, "eng.chen", "维修 1001 送回")
    *_, repaired, receipt = await sent_to(sessions, "staff.zhang")
    assert "已修好" in repaired.text
    assert "设备签收单" in receipt.text and "已维修" in receipt.text and "ZC-PC-0231" in receipt.text
    [signed] = await say(sessions, clock, "staff.zhang", button(receipt, "签收").payload)
    assert "已签收" in signed.text and "维修流程结束" in signed.text
    assert await _steps(sessions) == [
        "awaiting_confirmation", "confirmed", "picked_up", "quoted", "approved", "repaired", "returned", "signed",
    ]  # fmt: skip
    async with sessions() as s:
        repair = await service_store.repair_for_ticket(s, 1)
    assert repair is not None and repair.quote_fen == 55000 and repair.outcome == "repaired"
    assert repair.signed_at == NOW
    async with sessions() as s:
        ticket = await storage.get_ticket_by_id(s, 1)
        assert ticket is not None
        actions = [e.action for e in await storage.ticket_events(s, ticket)]
    assert ticket.status == "closed" and ticket.closed_at == NOW  # the signed receipt closes the ticket
    assert actions[-2:] == ["resolved", "closed"]
    assert ticket.assignee_id == "eng.chen"  # the engineer who did every step has the ticket
    assert actions.count("reassigned") == 1


async def test_a_declined_quote_ends_the_repair_and_the_device_comes_back_unrepaired(
    sessions: storage.SessionFactory,
) -> None:
    clock = FakeClock(NOW)
    await _through_quote(sessions, clock)
    quote = (await sent_to(sessions, "staff.zhang"))[-1]
    [declined] = await say(sessions, clock, "staff.zhang", button(quote, "不修").payload)
    assert "拒绝了报价" in declined.text and "原样送回" in declined.text
    [told] = await sent_to(sessions, "eng.chen")
    assert "拒绝了报价" in told.text and told.buttons[0].action is Action.REPAIR_STEP
    [refused] = await say(sessions, clock, "eng.chen", "维修 1001 修好")
    assert "不能执行" in refused.text
    await say(sessions, clock, "eng.chen", button(told, "送回").payload)
    receipt = (await sent_to(sessions, "staff.zhang"))[-1]
    assert "未维修，原样归还" in receipt.text
    await say(sessions, clock, "staff.zhang", button(receipt, "签收").payload)
    assert await _steps(sessions) == [
        "awaiting_confirmation", "confirmed", "picked_up", "quoted", "declined", "returned", "signed",
    ]  # fmt: skip
    async with sessions() as s:
        repair = await service_store.repair_for_ticket(s, 1)
    assert repair is not None and repair.outcome == "unrepaired"


async def test_a_step_out_of_order_is_refused_and_says_what_comes_next(sessions: storage.SessionFactory) -> None:
    clock = FakeClock(NOW)
    await _hardware_ticket(sessions)
    [refused] = await say(sessions, clock, "eng.chen", "报价 1001 更换屏幕 800")
    assert "待与客户确认" in refused.text and "不能执行「报价」" in refused.text and "与客户确认" in refused.text
    [refused] = await say(sessions, clock, "eng.chen", PICKUP)
    assert "不能执行「取件」" in refused.text
    assert await _steps(sessions) == ["awaiting_confirmation"]
    assert len(await sent_to(sessions, "staff.zhang")) == 1  # only the start: nothing half done was told


async def test_only_the_requester_approves_and_only_an_engineer_moves_the_steps(
    sessions: storage.SessionFactory,
) -> None:
    clock = FakeClock(NOW)
    await _through_quote(sessions, clock)
    quote = (await sent_to(sessions, "staff.zhang"))[-1]
    [refused] = await say(sessions, clock, "staff.wang", button(quote, "同意").payload)
    assert refused.text == "这个按钮已失效，请重新发送您的问题。"  # not theirs to press; nothing about the repair
    for typed in ("/v1.rstep 1001:repair", "/v2.rstep 1001:repair 9.AAAAAAAAAAAAAA"):
        await say(sessions, clock, "staff.zhang", typed)  # ordinary text, not a press: no step moves
    assert (await _steps(sessions))[-1] == "quoted"


def test_a_quote_is_read_as_items_and_prices() -> None:
    assert parse_quote("更换硬盘 450; 人工 100") == [("更换硬盘", 45000), ("人工", 10000)]
    assert parse_quote("内存条 ¥299.5；上门费 50元") == [("内存条", 29950), ("上门费", 5000)]
    assert parse_quote("换个硬盘") == []


async def test_a_hardware_incident_enters_the_repair_process_when_its_ticket_opens(
    sessions: storage.SessionFactory,
) -> None:
    clock = FakeClock(NOW)
    [opened] = await say(sessions, clock, "staff.zhang", "显示器突然黑了，主机还在响")
    assert "#1001" in opened.text and "硬件故障" in opened.text
    assert "维修流程" in opened.text and "取件" in opened.text
    assert await _steps(sessions) == ["awaiting_confirmation"]
    [confirmed, *_] = await say(sessions, clock, "eng.chen", "维修 1001 确认")
    assert "已与客户确认" in confirmed.text


async def test_a_repair_step_does_not_take_a_ticket_another_engineer_has(sessions: storage.SessionFactory) -> None:
    await _hardware_ticket(sessions)
    async with sessions() as s, s.begin():
        ticket = await storage.get_ticket(s, 1001)
        assert ticket is not None
        ticket.assignee_id = "eng.wu"
    await say(sessions, FakeClock(NOW), "eng.chen", "维修 1001 确认")
    async with sessions() as s:
        ticket = await storage.get_ticket(s, 1001)
        repair = await service_store.repair_for_ticket(s, 1)
    assert ticket is not None and ticket.assignee_id == "eng.wu"
    assert repair is not None and repair.engineer_id == "eng.chen"
