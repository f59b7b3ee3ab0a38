"""Paging an urgent ticket: the page, its escalation by durable timers, acknowledging, storm
grouping — through the real pipeline and timer worker, on SQLite and PostgreSQL, with a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

import storage
from bot.directory import load_directory
from bot.outbox import OutboxWorker
from bot.pipeline import Pipeline
from bot.timers import TimerWorker
from config.settings import REPO_ROOT, OutboxSettings
from core.clock import FakeClock
from core.messages import Action, Reply
from handlers.contract import Contract
from handlers.paging.roster import load_roster, on_duty
from handlers.registry import TIMER_HANDLERS
from storage import paging as paging_store
from tests.bot.test_outbox import RecordingChannel
from tests.support.builders import ScriptedNlu, make_inbound

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai, a working day
OUTAGE = "三楼整层都断网了"
CONTRACT = Contract(load_roster(REPO_ROOT / "config" / "roster.yaml"))
SHIFT = on_duty(CONTRACT.roster, NOW, CONTRACT.calendar)
NLU = ScriptedNlu({OUTAGE: ("incident_urgent", 0.95), "我电脑开机就蓝屏": ("incident_high", 0.93)})


def _pipeline(sessions: storage.SessionFactory, clock: FakeClock) -> Pipeline:
    return Pipeline(sessions, NLU, clock, hotline="400-000-0000", contract=CONTRACT)


async def _sent(sessions: storage.SessionFactory) -> list[storage.OutboxMessage]:
    async with sessions() as s:
        return list((await s.scalars(select(storage.OutboxMessage).order_by(storage.OutboxMessage.id))).all())


async def _paged(sessions: storage.SessionFactory) -> list[str]:
    """Who received a page (a message with an acknowledge button), in order."""
    rows = await _sent(sessions)
    return [
        r.recipient_id or ""
        for r in rows
        if r.replaces_id is None and any(b.action is Action.ACKNOWLEDGE for b in Reply.from_payload(r.payload).buttons)
    ]


async def _page_button(sessions: storage.SessionFactory, person: str, action: Action = Action.ACKNOWLEDGE) -> str:
    """The payload of the ``action`` button on the page the bot sent ``person``: what their chat sends back."""
    for row in await _sent(sessions):
        if row.recipient_id == person and row.replaces_id is None:
            for b in Reply.from_payload(row.payload).buttons:
                if b.action is action:
                    return b.payload
    raise AssertionError(f"no {action} button was sent to {person}")


async def _replies(sessions: storage.SessionFactory, inbound_id: int) -> list[Reply]:
    async with sessions() as s:
        return [Reply.from_payload(r.payload) for r in await storage.replies_to(s, inbound_id)]


async def _only_ticket(sessions: storage.SessionFactory) -> storage.Ticket:
    async with sessions() as s:
        [ticket] = await storage.list_tickets(s)
        return ticket


async def _open_outage(sessions: storage.SessionFactory, clock: FakeClock) -> storage.Ticket:
    await _pipeline(sessions, clock).handle(make_inbound(OUTAGE, sender="staff.li"))
    return await _only_ticket(sessions)


async def test_an_urgent_ticket_pages_both_engineers_on_duty_and_tells_the_service_manager(
    sessions: storage.SessionFactory,
) -> None:
    clock = FakeClock(NOW)
    receipt = await _pipeline(sessions, clock).handle(make_inbound(OUTAGE, sender="staff.li"))
    ticket = await _only_ticket(sessions)
    assert await _paged(sessions) == list(SHIFT.engineers)
    page = next(r for r in await _sent(sessions) if r.recipient_id == SHIFT.engineers[0])
    reply = Reply.from_payload(page.payload)
    assert f"#{ticket.number}" in reply.text and "紧急故障" in reply.text and "李娜（财务部 3F）" in reply.text
    assert [b.action for b in reply.buttons] == [
        Action.ACKNOWLEDGE,
        Action.TAKE,
        Action.ESCALATE,
        Action.RESOLVE,
        Action.LOWER,
    ]
    manager = [r for r in await _sent(sessions) if r.recipient_id == "svc.ma"]
    assert len(manager) == 1 and f"#{ticket.number}" in manager[0].payload["text"]
    [answer] = await _replies(sessions, receipt.inbound_id)
    assert "已通知值班工程师" in answer.text
    assert ticket.due_at == NOW + timedelta(minutes=30)


async def test_an_unacknowledged_urgent_page_escalates_at_5_15_and_30_minutes(sessions: storage.SessionFactory) -> None:
    clock = FakeClock(NOW)
    await _open_outage(sessions, clock)
    worker = TimerWorker(sessions, clock, TIMER_HANDLERS)
    expected = list(SHIFT.engineers)
    for minute, person in ((5, "eng.sun"), (15, "eng.qian"), (30, "dir.zhou")):
        clock.set(NOW + timedelta(minutes=minute) - timedelta(seconds=1))
        assert await worker.run_due() == 0
        assert await _paged(sessions) == expected
        clock.set(NOW + timedelta(minutes=minute))
        assert await worker.run_due() == 1
        expected.append(person)
        assert await _paged(sessions) == expected
    clock.set(NOW + timedelta(hours=2))
    assert await worker.run_due() == 0
    backup_page = next(r for r in await _sent(sessions) if r.recipient_id == "eng.sun")
    assert "5 分钟内无人接单" in backup_page.payload["text"]


async def test_acknowledging_at_minute_7_stops_the_escalation_and_updates_every_page(
    sessions: storage.SessionFactory,
) -> None:
    clock = FakeClock(NOW)
    ticket = await _open_outage(sessions, clock)
    worker = TimerWorker(sessions, clock, TIMER_HANDLERS)
    clock.set(NOW + timedelta(minutes=5))
    assert await worker.run_due() == 1
    clock.set(NOW + timedelta(minutes=7))
    engineer = SHIFT.engineers[0]
    pressed = await _pipeline(sessions, clock).handle(
        make_inbound(await _page_button(sessions, engineer), sender=engineer)
    )
    [answer, *_] = await _replies(sessions, pressed.inbound_id)
    assert "已接单" in answer.text
    clock.set(NOW + timedelta(hours=2))
    assert await worker.run_due() == 0
    assert await _paged(sessions) == [*SHIFT.engineers, "eng.sun"]

    rows = await _sent(sessions)
    edits = [r for r in rows if r.replaces_id is not None]
    async with sessions() as s:
        page = await paging_store.page_for_ticket(s, ticket.id)
        assert page is not None
        sent = await paging_store.page_messages(s, page.id)
        engineer_name = (await storage.get_person(s, engineer)).name  # type: ignore[union-attr]
        ticket_now = await storage.get_ticket_by_id(s, ticket.id)
        events = await storage.ticket_events(s, ticket)
    by_id = {r.id: r for r in rows}
    edited = sorted(by_id[e.replaces_id].key or "" for e in edits if e.replaces_id is not None)
    assert edited == sorted(m.key for m in sent)  # everyone paged, and svc.ma
    assert all(e.payload["text"].startswith(f"✅ 已由 {engineer_name} 10:07 接单") for e in edits)
    told = [r for r in rows if r.recipient_id == "staff.li" and r.in_reply_to is None]
    assert len(told) == 1 and engineer_name in told[0].payload["text"] and "马上" in told[0].payload["text"]
    assert ticket_now is not None and ticket_now.status == "acknowledged" and ticket_now.assignee_id == engineer
    [ack] = [e for e in events if e.action == "acknowledged"]
    assert (ack.actor_id, ack.source, ack.at) == (engineer, "rest", NOW + timedelta(minutes=7))


async def test_an_acknowledged_page_is_edited_in_every_copy_by_its_key_and_again_when_resolved(
    sessions: storage.SessionFactory,
) -> None:
    clock = FakeClock(NOW)
    chat = RecordingChannel()
    outbox = OutboxWorker(sessions, {"web": chat}, clock, OutboxSettings())
    ticket = await _open_outage(sessions, clock)
    clock.set(NOW + timedelta(minutes=5))
    await TimerWorker(sessions, clock, TIMER_HANDLERS).run_due()
    await outbox.run_once()
    everyone = [*SHIFT.engineers, "svc.ma", "eng.sun"]
    async with sessions() as s:
        page = await paging_store.page_for_ticket(s, ticket.id)
        assert page is not None
        keys = [m.key for m in await paging_store.page_messages(s, page.id)]
        copies = {key: await storage.outbox_by_key(s, key) for key in keys}
    assert sorted(keys) == sorted(f"page:{ticket.number}:{person}" for person in everyone)
    # Each copy as the chat shows it: (who has it, the chat's id of the message).
    shown = sorted((row.recipient_id, row.channel_message_id) for row in copies.values() if row is not None)
    assert len(shown) == len(everyone) and all(message_id for _, message_id in shown)

    clock.set(NOW + timedelta(minutes=7))
    engineer = SHIFT.engineers[0]
    await _pipeline(sessions, clock).handle(make_inbound(await _page_button(sessions, engineer), sender=engineer))
    await outbox.run_once()
    assert sorted((d.recipient, d.edit_of) for d in chat.edited) == shown
    assert all(d.reply.text.startswith("✅ 已由") for d in chat.edited)

    clock.set(NOW + timedelta(minutes=40))
    await _pipeline(sessions, clock).handle(make_inbound(f"解决 {ticket.number} 更换了交换机模块", sender=engineer))
    await outbox.run_once()
    resolved = chat.edited[len(everyone) :]
    assert sorted((d.recipient, d.edit_of) for d in resolved) == shown  # the same messages, edited again
    assert all(d.reply.text.startswith("✔️ 已由") for d in resolved)


async def test_a_bot_restarted_at_minute_4_still_escalates_at_minute_5_once(sessions: storage.SessionFactory) -> None:
    await _open_outage(sessions, FakeClock(NOW))
    before = TimerWorker(sessions, FakeClock(NOW + timedelta(minutes=4)), TIMER_HANDLERS)
    assert await before.run_due() == 0  # then the process stops
    clock = FakeClock(NOW + timedelta(minutes=5))
    _pipeline(sessions, clock)  # the new process's pipeline, on the same store
    after = TimerWorker(sessions, clock, TIMER_HANDLERS)
    assert await after.run_due() == 1
    assert await after.run_due() == 0
    assert await _paged(sessions) == [*SHIFT.engineers, "eng.sun"]


async def test_a_staff_member_cannot_acknowledge_by_typing_or_pressing_an_engineers_button(
    sessions: storage.SessionFactory,
) -> None:
    clock = FakeClock(NOW)
    ticket = await _open_outage(sessions, clock)
    engineer = SHIFT.engineers[0]
    genuine = await _page_button(sessions, engineer)
    head, _, mac = genuine.rpartition(".")  # "/v2.ack <sent id>.<button>" and the MAC
    sent_id = int(head.split(" ")[1].split(".")[0])
    attempts = {
        "typed v1": f"/v1.ack {ticket.number}",
        "made-up v2": f"/v2.ack {ticket.number} {sent_id}.AAAAAAAAAAAAAA",
        "made-up v2 naming the page": f"/v2.ack {sent_id}.0.AAAAAAAAAAAAAA",
        "bad MAC": f"{head}.{mac[:-1]}{'A' if mac[-1] != 'A' else 'B'}",
        "another button under the MAC": f"/v2.ack {sent_id}.1.{mac}",
        "an engineer's button": genuine,
    }
    async with sessions() as s:
        engineer_name = (await storage.get_person(s, engineer)).name  # type: ignore[union-attr]
    for what, text in attempts.items():
        pressed = await _pipeline(sessions, clock).handle(make_inbound(text, sender="staff.wang"))
        seen = " ".join(r.text for r in await _replies(sessions, pressed.inbound_id))
        assert engineer_name not in seen and "接单" not in seen, what
        assert f"#{ticket.number}" not in seen, what
    [refused] = await _replies(sessions, pressed.inbound_id)
    assert refused.text == "这个按钮已失效，请重新发送您的问题。"  # the genuine button, not theirs to press
    async with sessions() as s:
        unchanged = await storage.get_ticket_by_id(s, ticket.id)
        timers = await storage.pending_timers(s)
        events = [e.action for e in await storage.ticket_events(s, unchanged)]  # type: ignore[arg-type]
    assert unchanged is not None and unchanged.status == "new" and unchanged.assignee_id is None
    assert "acknowledged" not in events
    assert len(timers) == 3  # backup, senior, director still to come


async def test_an_engineer_pressing_a_page_sent_to_a_colleague_on_its_chain_acknowledges(
    sessions: storage.SessionFactory,
) -> None:
    clock = FakeClock(NOW)
    ticket = await _open_outage(sessions, clock)
    first, second = SHIFT.engineers
    pressed = await _pipeline(sessions, clock).handle(make_inbound(await _page_button(sessions, first), sender=second))
    [answer, *_] = await _replies(sessions, pressed.inbound_id)
    assert "已接单" in answer.text
    async with sessions() as s:
        acknowledged = await storage.get_ticket_by_id(s, ticket.id)
    assert acknowledged is not None and acknowledged.assignee_id == second


async def test_an_engineer_off_the_chain_cannot_press_a_page(sessions: storage.SessionFactory) -> None:
    clock = FakeClock(NOW)
    ticket = await _open_outage(sessions, clock)
    pressed = await _pipeline(sessions, clock).handle(
        make_inbound(await _page_button(sessions, SHIFT.engineers[0]), sender="eng.sun")
    )
    [refused] = await _replies(sessions, pressed.inbound_id)
    assert refused.text == "这个按钮已失效，请重新发送您的问题。"
    async with sessions() as s:
        unchanged = await storage.get_ticket_by_id(s, ticket.id)
    assert unchanged is not None and unchanged.assignee_id is None


async def test_a_second_acknowledge_says_who_has_the_ticket_and_changes_nothing(
    sessions: storage.SessionFactory,
) -> None:
    clock = FakeClock(NOW)
    ticket = await _open_outage(sessions, clock)
    first, second = SHIFT.engineers
    clock.advance(timedelta(minutes=2))
    await _pipeline(sessions, clock).handle(make_inbound(await _page_button(sessions, first), sender=first))
    clock.advance(timedelta(minutes=1))
    before = len(await _sent(sessions))
    other = await _pipeline(sessions, clock).handle(make_inbound(await _page_button(sessions, second), sender=second))
    again = await _pipeline(sessions, clock).handle(make_inbound(await _page_button(sessions, first), sender=first))
    async with sessions() as s:
        first_name = (await storage.get_person(s, first)).name  # type: ignore[union-attr]
        events = [e.action for e in await storage.ticket_events(s, ticket)]
    [to_other] = await _replies(sessions, other.inbound_id)
    [to_first] = await _replies(sessions, again.inbound_id)
    assert f"已由 {first_name} 于 10:02 接单" in to_other.text
    assert "您已于 10:02" in to_first.text
    assert len(await _sent(sessions)) == before + 2  # only the two answers
    assert events.count("acknowledged") == 1


async def test_escalate_pages_the_next_step_now_and_brings_the_later_steps_forward(
    sessions: storage.SessionFactory,
) -> None:
    clock = FakeClock(NOW)
    await _open_outage(sessions, clock)
    clock.advance(timedelta(minutes=1))
    pressed = await _pipeline(sessions, clock).handle(
        make_inbound(await _page_button(sessions, SHIFT.engineers[0], Action.ESCALATE), sender=SHIFT.engineers[0])
    )
    [answer] = await _replies(sessions, pressed.inbound_id)
    assert "已升级" in answer.text
    assert await _paged(sessions) == [*SHIFT.engineers, "eng.sun"]
    worker = TimerWorker(sessions, clock, TIMER_HANDLERS)
    clock.set(NOW + timedelta(minutes=5))
    assert await worker.run_due() == 0  # the old minute-5 step is gone, not sent twice
    clock.set(NOW + timedelta(minutes=11))
    assert await worker.run_due() == 1
    assert await _paged(sessions) == [*SHIFT.engineers, "eng.sun", "eng.qian"]


async def test_fifty_reports_of_one_outage_make_one_ticket_one_page_and_fifty_affected(
    sessions: storage.SessionFactory,
) -> None:
    colleagues = [
        storage.PersonRecord(id=f"staff.f3_{i:02}", name=f"同事{i}", role="staff", department="市场部", location="3F")
        for i in range(49)
    ]
    async with sessions() as s, s.begin():
        await storage.sync_people(s, [*load_directory(REPO_ROOT / "config" / "people.yaml"), *colleagues])
    clock = FakeClock(NOW)
    pipeline = _pipeline(sessions, clock)
    receipts = []
    for sender in ["staff.li", *(c.id for c in colleagues)]:
        receipts.append(await pipeline.handle(make_inbound(OUTAGE, sender=sender)))
        clock.advance(timedelta(seconds=12))  # 50 reports within 10 minutes
    ticket = await _only_ticket(sessions)
    async with sessions() as s:
        assert await paging_store.affected_count(s, ticket.id) == 50
        pages = await paging_store.page_for_ticket(s, ticket.id)
        assert pages is not None and pages.id == 1
    assert await _paged(sessions) == list(SHIFT.engineers)
    for receipt in receipts:
        [answer] = await _replies(sessions, receipt.inbound_id)
        assert f"#{ticket.number}" in answer.text
    [last] = await _replies(sessions, receipts[-1].inbound_id)
    assert last.text.startswith(f"已知故障，工程师正在处理，工单 #{ticket.number}") and "50 人" in last.text


async def test_a_different_problem_during_an_outage_gets_its_own_ticket(sessions: storage.SessionFactory) -> None:
    clock = FakeClock(NOW)
    pipeline = _pipeline(sessions, clock)
    await pipeline.handle(make_inbound(OUTAGE, sender="staff.li"))
    await pipeline.handle(make_inbound("我电脑开机就蓝屏", sender="staff.wang"))
    async with sessions() as s:
        tickets = await storage.list_tickets(s)
    assert sorted(t.severity or "" for t in tickets) == ["high", "urgent"]


ORDINARY_SATURDAY = datetime(2026, 9, 19, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
TIAOXIU_SUNDAY = datetime(2026, 9, 20, 2, 0, tzinfo=UTC)  # 10:00, a make-up working day before National Day


async def _page_plan(sessions: storage.SessionFactory, text: str) -> dict[str, Any]:
    async with sessions() as s:
        [ticket] = [t for t in await storage.list_tickets(s) if t.text == text]
        page = await paging_store.page_for_ticket(s, ticket.id)
        assert page is not None
        return page.plan


async def test_a_tiaoxiu_sunday_is_on_site_and_an_ordinary_saturday_is_after_hours(
    sessions: storage.SessionFactory,
) -> None:
    calendar = CONTRACT.calendar
    assert calendar.is_on_site(TIAOXIU_SUNDAY) and calendar.is_after_hours(ORDINARY_SATURDAY)
    nlu = ScriptedNlu({"服务器宕机了": ("incident_urgent", 0.95), "我电脑开机就蓝屏": ("incident_high", 0.9)})
    shift = on_duty(CONTRACT.roster, ORDINARY_SATURDAY, calendar)
    for at, urgent, high in (
        (ORDINARY_SATURDAY, "服务器宕机了", "我电脑开机就蓝屏"),
        (TIAOXIU_SUNDAY, "服务器宕机了 ", "我电脑开机就蓝屏 "),
    ):
        nlu.intents.update({urgent: ("incident_urgent", 0.95), high: ("incident_high", 0.9)})
        pipeline = Pipeline(sessions, nlu, FakeClock(at), hotline="400-000-0000", contract=CONTRACT)
        await pipeline.handle(make_inbound(urgent, sender="staff.zhang"))
        await pipeline.handle(make_inbound(high, sender="staff.wang"))
    saturday_urgent, sunday_urgent = (
        await _page_plan(sessions, "服务器宕机了"),
        await _page_plan(sessions, "服务器宕机了 "),
    )
    assert saturday_urgent["after_hours"] is True and sunday_urgent["after_hours"] is False
    assert [step["people"] for step in saturday_urgent["steps"]][:2] == [["svc.ma"], list(shift.engineers)]
    saturday_high, sunday_high = (
        await _page_plan(sessions, "我电脑开机就蓝屏"),
        await _page_plan(sessions, "我电脑开机就蓝屏 "),
    )
    assert saturday_high["steps"][0]["people"] == [shift.on_call]  # after hours: the on-call engineer
    assert sunday_high["steps"][0]["people"] == list(shift.engineers)  # on site: the team on duty


async def test_a_normal_ticket_on_an_ordinary_saturday_waits_for_the_tiaoxiu_sunday_morning(
    sessions: storage.SessionFactory,
) -> None:
    nlu = ScriptedNlu({"帮我装一下 Visio": ("incident_normal", 0.9)})
    clock = FakeClock(ORDINARY_SATURDAY)
    pipeline = Pipeline(sessions, nlu, clock, hotline="400-000-0000", contract=CONTRACT)
    receipt = await pipeline.handle(make_inbound("帮我装一下 Visio", sender="staff.wang"))
    [answer] = await _replies(sessions, receipt.inbound_id)
    assert "9月20日 09:00" in answer.text
    assert [r for r in await _sent(sessions) if r.in_reply_to is None] == []  # nobody woken on Saturday
    worker = TimerWorker(sessions, clock, TIMER_HANDLERS)
    clock.set(datetime(2026, 9, 20, 1, 0, tzinfo=UTC))  # Sunday 09:00 in Shanghai
    assert await worker.run_due() == 1
    notices = [r for r in await _sent(sessions) if r.in_reply_to is None]
    shift = on_duty(CONTRACT.roster, clock.now(), CONTRACT.calendar)
    assert sorted(r.recipient_id or "" for r in notices) == sorted(shift.engineers)
    assert all("一般故障" in r.payload["text"] for r in notices)


async def test_in_a_year_no_notice_covers_the_estimated_calendar_still_pages_the_on_duty_engineers(
    sessions: storage.SessionFactory,
) -> None:
    monday = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai; 2027 is estimated without its notice
    await _pipeline(sessions, FakeClock(monday)).handle(make_inbound(OUTAGE, sender="staff.li"))
    shift = on_duty(CONTRACT.roster, monday, CONTRACT.calendar)
    assert not shift.after_hours
    assert sorted(await _paged(sessions)) == sorted(shift.engineers)


async def test_when_the_calendar_has_no_data_the_ticket_stands_and_the_service_manager_pages_by_hand(
    sessions: storage.SessionFactory,
) -> None:
    beyond = datetime(2101, 3, 3, 2, 0, tzinfo=UTC)  # past even the estimate's years (1950–2100)
    receipt = await _pipeline(sessions, FakeClock(beyond)).handle(make_inbound(OUTAGE, sender="staff.li"))
    ticket = await _only_ticket(sessions)
    [answer] = await _replies(sessions, receipt.inbound_id)
    assert f"#{ticket.number}" in answer.text and "400-000-0000" in answer.text
    [notice] = [r for r in await _sent(sessions) if r.recipient_id == "svc.ma"]
    assert f"#{ticket.number}" in notice.payload["text"] and "人工安排" in notice.payload["text"]


async def test_simultaneous_first_reports_of_one_outage_open_one_ticket(sessions: storage.SessionFactory) -> None:
    import asyncio

    reporters = [f"extra.{i}" for i in range(6)]
    async with sessions() as s, s.begin():
        await storage.sync_people(
            s,
            [
                *(load_directory(REPO_ROOT / "config" / "people.yaml")),
                *(storage.PersonRecord(p, p, "staff", "财务部", "3F") for p in reporters),
            ],
        )
    clock = FakeClock(NOW)
    # Separate pipelines, all at once: on PostgreSQL these are truly concurrent transactions.
    await asyncio.gather(
        *(_pipeline(sessions, clock).handle(make_inbound(OUTAGE, sender=p, at=NOW)) for p in reporters)
    )
    async with sessions() as s:
        tickets = await storage.list_tickets(s)
        assert len(tickets) == 1
        assert await paging_store.affected_count(s, tickets[0].id) == len(reporters)
