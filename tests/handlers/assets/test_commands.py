"""The registry and the checklist in chat: a label in a report links the ticket, engineers link and
tick, a first visit registers the device, managers see what is left, staff are refused without
learning anything (SQLite and PostgreSQL, through the real pipeline)."""

from __future__ import annotations

from datetime import date

import pytest

import storage
from bot.pipeline import Pipeline
from core.clock import FakeClock
from core.messages import Reply
from handlers.assets import parse_asset_command
from tests.support.builders import DownNlu, ScriptedNlu, make_inbound
from tests.support.service_steps import NOW

REPORT = "我的电脑 pc-0157 蓝屏了，另外 PC-9999 也有点卡"
INTENTS = {REPORT: ("incident_normal", 0.93), "打印机卡纸": ("incident_normal", 0.93)}


async def _say(sessions: storage.SessionFactory, sender: str, text: str) -> list[str]:
    pipeline = Pipeline(sessions, ScriptedNlu(INTENTS), FakeClock(NOW), hotline="400-000-0000")
    receipt = await pipeline.handle(make_inbound(text, sender=sender, at=NOW))
    async with sessions() as s:
        return [Reply.from_payload(r.payload).text for r in await storage.replies_to(s, receipt.inbound_id)]


async def _registry(sessions: storage.SessionFactory) -> None:
    async with sessions() as s, s.begin():
        await storage.upsert_device(
            s, label="PC-0157", now=NOW, type="pc", brand="联想", model="M720", location="3F", owner_id="staff.li"
        )
        await storage.upsert_device(s, label="NB-012", now=NOW, type="laptop", owner_id="staff.wang")


async def _ticks(sessions: storage.SessionFactory) -> dict[tuple[str, str], str | None]:
    async with sessions() as s:
        return {
            (r.device.label, r.item): r.record.done_by
            for r in await storage.inspection_for_month(s, "2026-11")
            if r.record
        }


async def test_a_label_in_a_report_links_the_new_ticket_and_its_history_says_so(
    sessions: storage.SessionFactory,
) -> None:
    await _registry(sessions)
    [opened] = await _say(sessions, "staff.li", REPORT)
    assert "#1001" in opened
    async with sessions() as s:
        ticket = await storage.get_ticket(s, 1001)
        assert ticket is not None
        # PC-9999 looks like a label but is not in the registry: left alone.
        assert [d.label for d in await storage.devices_of_ticket(s, ticket.id)] == ["PC-0157"]
        events = [(e.action, e.actor_id, e.detail) for e in await storage.ticket_events(s, ticket)]
    assert ("device_linked", None, {"device": "PC-0157", "how": "message"}) in events


async def test_an_engineer_links_a_ticket_to_a_device_and_sees_its_earlier_faults(
    sessions: storage.SessionFactory,
) -> None:
    await _registry(sessions)
    await _say(sessions, "staff.li", REPORT)  # #1001, linked from the text
    await _say(sessions, "staff.li", "打印机卡纸")  # #1002
    [linked] = await _say(sessions, "eng.chen", "设备 1002 pc-0157")
    assert "#1002" in linked and "PC-0157" in linked and "联想 M720 3F" in linked and "#1001" in linked
    [again] = await _say(sessions, "eng.chen", "/device 1002 PC-0157")
    assert "已经关联" in again
    async with sessions() as s:
        device = await storage.get_device(s, "PC-0157")
        assert device is not None
        assert [t.number for t in await storage.device_faults(s, device.id)] == [1001, 1002]
        ticket = await storage.get_ticket(s, 1002)
        assert ticket is not None
        linked_events = [e for e in await storage.ticket_events(s, ticket) if e.action == "device_linked"]
    assert [(e.actor_id, e.detail["how"]) for e in linked_events] == [("eng.chen", "engineer")]


async def test_an_engineer_ticks_items_in_chat_and_is_told_what_is_left(sessions: storage.SessionFactory) -> None:
    await _registry(sessions)
    [reply] = await _say(sessions, "eng.chen", "巡检 PC-0157 1,2、4")
    assert "PC-0157" in reply and "2026-11" in reply
    assert "1 垃圾清理" in reply and "2 磁盘优化" in reply and "4 备份" in reply
    assert "本月还差" in reply and "3 启动项" in reply and "11 升级建议" in reply
    [done] = await _say(sessions, "eng.liu", "/inspect pc-0157 all")
    assert "全部 11 项" in done and "已全部完成" in done
    ticks = await _ticks(sessions)
    assert len(ticks) == 11 and ticks[("PC-0157", "backups")] == "eng.liu"  # ticked again: updated, not doubled


@pytest.mark.parametrize(
    "text",
    [
        "巡检 PC-0157 1,2,3",
        "/inspect PC-0157 all",
        "巡检 PC-0404 all 类型=台式机",
        "设备 1001 PC-0157",
        "设备 4321 PC-0404",
    ],
)
async def test_staff_are_refused_with_one_text_that_tells_nothing_and_nothing_is_stored(
    sessions: storage.SessionFactory, text: str
) -> None:
    await _registry(sessions)
    await _say(sessions, "staff.wang", "打印机卡纸")  # #1001 exists, #4321 does not; PC-0404 is unknown
    [refused] = await _say(sessions, "staff.li", text)
    assert refused == "抱歉，这项操作只对服务工程师开放。如需帮助，请直接描述您遇到的问题。"
    assert await _ticks(sessions) == {}
    async with sessions() as s:
        assert [d.label for d in await storage.list_devices(s)] == ["NB-012", "PC-0157"]
        assert await storage.devices_of_ticket(s, 1) == []


async def test_a_manager_may_see_what_is_left_but_not_tick(sessions: storage.SessionFactory) -> None:
    await _registry(sessions)
    await _say(sessions, "eng.chen", "巡检 PC-0157 1-10")
    [refused] = await _say(sessions, "svc.ma", "巡检 PC-0157 11")
    assert "只对服务工程师开放" in refused
    [left] = await _say(sessions, "svc.ma", "巡检 剩余")
    assert "2026-11" in left and "2 台设备" in left
    assert "· PC-0157（3F 李娜）：11 升级建议" in left
    assert "· NB-012（王芳）：全部 11 项" in left


async def test_a_first_visit_registers_the_device_from_what_the_engineer_gives(
    sessions: storage.SessionFactory,
) -> None:
    [reply] = await _say(
        sessions, "eng.chen", "巡检 PC-0160 all 使用人=张伟 位置=4F 设计部 配置=i7 32G 1T 购买日期=2024/5/1"
    )
    assert "已登记新设备 PC-0160" in reply and "4F 设计部" in reply and "全部 11 项" in reply
    async with sessions() as s:
        device = await storage.get_device(s, "PC-0160")
    assert device is not None
    assert (device.type, device.owner_id, device.location, device.configuration, device.purchase_date) == (
        "pc",  # from the label's prefix
        "staff.zhang",
        "4F 设计部",
        "i7 32G 1T",
        date(2024, 5, 1),
    )
    assert len(await _ticks(sessions)) == 11


async def test_a_first_visit_of_an_unknown_kind_of_label_asks_for_the_type_and_a_bad_field_stores_nothing(
    sessions: storage.SessionFactory,
) -> None:
    [needs_type] = await _say(sessions, "eng.chen", "巡检 SV-001 all")
    assert "设备台账里没有 SV-001" in needs_type and "类型=" in needs_type
    [bad] = await _say(sessions, "eng.chen", "巡检 SV-001 all 类型=服务器 使用人=nobody")
    assert "“使用人”有误" in bad and "nobody" in bad
    assert await _ticks(sessions) == {}
    [ok] = await _say(sessions, "eng.chen", "巡检 SV-001 3 类型=服务器")
    assert "已登记新设备 SV-001" in ok
    async with sessions() as s:
        assert [(d.label, d.type) for d in await storage.list_devices(s)] == [("SV-001", "server")]


def test_ordinary_messages_are_not_asset_commands() -> None:
    assert parse_asset_command("巡检什么时候来") is None
    assert parse_asset_command("设备坏了") is None
    assert parse_asset_command("巡检 PC-0157 不知道") is None
    assert parse_asset_command("/inspect what")  # a slash form always gets an answer (its usage)
    command = parse_asset_command("巡检 PC-0157 1-3, 7 备注=x")
    assert command is not None and command.items == (
        "junk_cleanup",
        "disk_optimisation",
        "startup_items",
        "full_virus_scan",
    )


async def test_a_label_in_a_report_made_while_triage_is_down_links_the_untriaged_ticket(
    sessions: storage.SessionFactory,
) -> None:
    await _registry(sessions)
    pipeline = Pipeline(sessions, DownNlu(), FakeClock(NOW), hotline="400-000-0000")
    await pipeline.handle(make_inbound("NB-012 连不上 wifi", sender="staff.wang", at=NOW))
    async with sessions() as s:
        ticket = await storage.get_ticket(s, 1001)
        assert ticket is not None and ticket.kind == "unknown"
        assert [d.label for d in await storage.devices_of_ticket(s, ticket.id)] == ["NB-012"]
