"""Complaints: recorded with what they are about, the two clocks, and the manager's answer in chat."""

from __future__ import annotations

from datetime import timedelta

import storage
from bot.contract import load_contract
from bot.timers import TimerWorker
from config.settings import load_settings
from core.clock import FakeClock
from core.messages import Action
from handlers.service.complaints import TIMER_KINDS, complaint_clock
from storage import service_requests as service_store
from tests.support.service_steps import NOW, button, say, sent_to

COMPLAINT = "陈工说好下午来修 #1001，结果一直没人来，太耽误事了"
COMPLAINT_AGAIN = "你们的答复我不满意，到现在还是没人来"


async def _with_ticket_1001(sessions: storage.SessionFactory) -> None:
    async with sessions() as s, s.begin():
        ticket = await storage.open_ticket(
            s, requester_id="staff.li", kind="incident", severity="high", text="电脑蓝屏", channel="rest", now=NOW
        )
        assert ticket.number == 1001


def _clocks(sessions: storage.SessionFactory, clock: FakeClock) -> TimerWorker:
    return TimerWorker(sessions, clock, dict.fromkeys(TIMER_KINDS, complaint_clock))


async def test_a_complaint_is_recorded_with_what_it_is_about_and_the_manager_is_told_at_once(
    sessions: storage.SessionFactory,
) -> None:
    await _with_ticket_1001(sessions)
    [reply] = await say(sessions, FakeClock(NOW), "staff.li", COMPLAINT)
    assert "C1" in reply.text and "8 小时内核实" in reply.text and "24 小时内给您答复" in reply.text
    assert "工单 #1001" in reply.text and "陈工" in reply.text
    async with sessions() as s:
        [complaint] = await service_store.list_complaints(s)
    assert complaint.complainant_id == "staff.li" and complaint.text == COMPLAINT
    assert complaint.about == {"ticket": 1001, "engineer": "eng.chen", "delay": True}
    assert complaint.manager_id == "svc.ma" and complaint.facts_due_at == NOW + timedelta(hours=8)
    [notice] = await sent_to(sessions, "svc.ma")
    assert "新投诉 C1" in notice.text and "李娜" in notice.text and COMPLAINT in notice.text
    assert {b.action for b in notice.buttons} == {Action.FACTS_CHECKED, Action.ANSWER}


async def test_unanswered_complaint_clocks_remind_the_manager_then_escalate_to_the_technical_director(
    sessions: storage.SessionFactory,
) -> None:
    clock = FakeClock(NOW)
    await say(sessions, clock, "staff.li", COMPLAINT)
    worker = _clocks(sessions, clock)
    for hours, acted in ((5, 0), (6, 1), (8, 1), (20, 1), (24, 1), (48, 0)):
        clock.set(NOW + timedelta(hours=hours))
        assert await worker.run_due() == acted, f"at hour {hours}"
    manager = [r.text for r in await sent_to(sessions, "svc.ma")]
    director = [r.text for r in await sent_to(sessions, "dir.zhou")]
    assert "提醒" in manager[1] and "核实期限" in manager[1] and "2 小时" in manager[1]
    assert "升级至技术总监" in manager[2] and "周总" in manager[2]
    assert "提醒" in manager[3] and "答复期限" in manager[3] and "4 小时" in manager[3]
    assert len(manager) == 5
    assert len(director) == 2
    assert "投诉升级" in director[0] and "核实期限" in director[0] and COMPLAINT in director[0]
    assert "答复期限" in director[1]


async def test_the_contracts_complaint_windows_set_the_promise_and_the_clocks(
    sessions: storage.SessionFactory,
) -> None:
    windows = {"facts_hours": 4, "facts_reminder_hours": 3, "answer_hours": 12, "answer_reminder_hours": 10}
    contract = load_contract(load_settings(env={}, overrides={"complaints": windows}))
    clock = FakeClock(NOW)
    [reply] = await say(sessions, clock, "staff.li", COMPLAINT, contract)
    assert "4 小时内核实" in reply.text and "12 小时内给您答复" in reply.text
    async with sessions() as s:
        [complaint] = await service_store.list_complaints(s)
    assert (complaint.facts_due_at, complaint.answer_due_at) == (NOW + timedelta(hours=4), NOW + timedelta(hours=12))
    worker = _clocks(sessions, clock)
    for hours, acted in ((2, 0), (3, 1), (4, 1), (9, 0), (10, 1), (12, 1), (48, 0)):
        clock.set(NOW + timedelta(hours=hours))
        assert await worker.run_due() == acted, f"at hour {hours}"
    manager = [r.text for r in await sent_to(sessions, "svc.ma")]
    assert "核实期限" in manager[1] and "1 小时" in manager[1]
    assert "答复期限" in manager[3] and "2 小时" in manager[3]
    assert ["核实期限" in t for t in (r.text for r in await sent_to(sessions, "dir.zhou"))] == [True, False]
    for step in (button((await sent_to(sessions, "svc.ma"))[0], "核实").payload, "情况属实", "已安排陈工上门，抱歉"):
        await say(sessions, clock, "svc.ma", step, contract)
    [reply_again] = await say(sessions, clock, "staff.li", COMPLAINT_AGAIN, contract)
    assert "12 小时内会再次答复" in reply_again.text
    async with sessions() as s:
        [complaint] = await service_store.list_complaints(s)
    assert complaint.answer_due_at == clock.now() + timedelta(hours=12)


async def test_the_managers_answer_reaches_the_complainant_and_stops_the_clocks(
    sessions: storage.SessionFactory,
) -> None:
    clock = FakeClock(NOW)
    await say(sessions, clock, "staff.li", COMPLAINT)
    [notice] = await sent_to(sessions, "svc.ma")
    clock.advance(timedelta(hours=2))
    [ask] = await say(sessions, clock, "svc.ma", button(notice, "核实").payload)
    assert "核实情况" in ask.text
    [next_step] = await say(sessions, clock, "svc.ma", "陈工当天被临时派去处理三楼断网，未及时通知客户")
    assert "已记录" in next_step.text and "李娜" in next_step.text
    answer = "非常抱歉给您带来不便。已安排陈工今天下午三点上门，今后改期会提前通知您。"
    [done, *_] = await say(sessions, clock, "svc.ma", answer)
    assert "已发送给李娜" in done.text
    [to_complainant] = await sent_to(sessions, "staff.li")
    assert "C1" in to_complainant.text and answer in to_complainant.text and "马经理" in to_complainant.text
    async with sessions() as s:
        [complaint] = await service_store.list_complaints(s)
        assert (complaint.status, complaint.answer, complaint.answered_by) == ("answered", answer, "svc.ma")
        assert complaint.facts == "陈工当天被临时派去处理三楼断网，未及时通知客户"
        assert await storage.pending_timers(s, f"complaint:{complaint.id}") == []
        actions = [e.action for e in await service_store.service_events(s, "complaint", complaint.id)]
    assert actions == ["recorded", "facts_checked", "answered"]
    clock.set(NOW + timedelta(hours=30))
    assert await _clocks(sessions, clock).run_due() == 0
    assert len(await sent_to(sessions, "dir.zhou")) == 0


async def test_facts_checked_in_time_stop_the_facts_clock_but_not_the_answer_clock(
    sessions: storage.SessionFactory,
) -> None:
    clock = FakeClock(NOW)
    await say(sessions, clock, "staff.li", COMPLAINT)
    [notice] = await sent_to(sessions, "svc.ma")
    await say(sessions, clock, "svc.ma", button(notice, "核实").payload)
    await say(sessions, clock, "svc.ma", "已核实：工程师迟到两小时")
    await say(sessions, clock, "svc.ma", "取消")  # answer later
    worker = _clocks(sessions, clock)
    clock.set(NOW + timedelta(hours=8))
    assert await worker.run_due() == 0
    clock.set(NOW + timedelta(hours=24))
    assert await worker.run_due() == 2  # the answer reminder and the answer escalation
    [escalation] = await sent_to(sessions, "dir.zhou")
    assert "答复期限" in escalation.text


async def test_the_answer_dialog_survives_a_restart_and_waits_for_the_facts_first(
    sessions: storage.SessionFactory,
) -> None:
    clock = FakeClock(NOW)
    await say(sessions, clock, "staff.li", COMPLAINT)
    [notice] = await sent_to(sessions, "svc.ma")
    [refused] = await say(sessions, clock, "svc.ma", button(notice, "答复").payload)
    assert "请先核实" in refused.text
    await say(sessions, clock, "svc.ma", button(notice, "核实").payload)
    # every say() builds a new pipeline: only the database carries the dialog from one message to the next
    await say(sessions, clock, "svc.ma", "情况属实")
    await say(sessions, clock, "svc.ma", "已处理，抱歉")
    [answer] = await sent_to(sessions, "staff.li")
    assert "已处理，抱歉" in answer.text


async def test_only_the_service_manager_or_director_may_handle_a_complaint(sessions: storage.SessionFactory) -> None:
    clock = FakeClock(NOW)
    await say(sessions, clock, "staff.li", COMPLAINT)
    [notice] = await sent_to(sessions, "svc.ma")
    [refused] = await say(sessions, clock, "staff.wang", button(notice, "核实").payload)
    assert refused.text == "这个按钮已失效，请重新发送您的问题。"  # not theirs to press; nothing about the complaint
    async with sessions() as s:
        [complaint] = await service_store.list_complaints(s)
    assert complaint.status == "open"


async def test_the_complainants_reply_to_the_answer_continues_the_first_complaint(
    sessions: storage.SessionFactory,
) -> None:
    clock = FakeClock(NOW)
    await say(sessions, clock, "staff.li", COMPLAINT)
    [notice] = await sent_to(sessions, "svc.ma")
    await say(sessions, clock, "svc.ma", button(notice, "核实").payload)
    await say(sessions, clock, "svc.ma", "情况属实")
    await say(sessions, clock, "svc.ma", "已安排陈工下午上门，抱歉")
    clock.advance(timedelta(hours=3))
    [reply] = await say(sessions, clock, "staff.li", COMPLAINT_AGAIN)
    assert "C1" in reply.text and "补充" in reply.text and "C2" not in reply.text
    async with sessions() as s:
        [complaint] = await service_store.list_complaints(s)
        actions = [e.action for e in await service_store.service_events(s, "complaint", complaint.id)]
        timers = await storage.pending_timers(s, f"complaint:{complaint.id}")
    assert complaint.status == "facts_checked"  # open for a new answer
    assert complaint.answer_due_at == NOW + timedelta(hours=3 + 24)
    assert actions == ["recorded", "facts_checked", "answered", "followed_up"]
    assert sorted(t.kind for t in timers) == ["complaint.answer_overdue", "complaint.answer_reminder"]
    follow_up = (await sent_to(sessions, "svc.ma"))[-1]
    assert "C1" in follow_up.text and COMPLAINT_AGAIN in follow_up.text
    [answer_again] = await say(sessions, clock, "svc.ma", button(follow_up, "答复").payload)
    assert "李娜" in answer_again.text
    await say(sessions, clock, "svc.ma", "今天一定到，我亲自跟进")
    assert "我亲自跟进" in (await sent_to(sessions, "staff.li"))[-1].text


async def test_a_complaint_long_after_the_answer_or_about_another_ticket_is_a_new_one(
    sessions: storage.SessionFactory,
) -> None:
    clock = FakeClock(NOW)
    await _with_ticket_1001(sessions)
    await say(sessions, clock, "staff.li", COMPLAINT)
    [notice] = await sent_to(sessions, "svc.ma")
    await say(sessions, clock, "svc.ma", button(notice, "答复").payload)  # refused: facts first
    await say(sessions, clock, "svc.ma", button(notice, "核实").payload)
    await say(sessions, clock, "svc.ma", "情况属实")
    await say(sessions, clock, "svc.ma", "抱歉")
    clock.advance(timedelta(days=8))
    [later] = await say(sessions, clock, "staff.li", COMPLAINT_AGAIN)
    assert "C2" in later.text
    async with sessions() as s:
        assert len(await service_store.list_complaints(s)) == 2


async def test_english_readers_get_the_complaint_its_clocks_and_dates_in_english(
    sessions: storage.SessionFactory,
) -> None:
    async with sessions() as s, s.begin():
        for person_id in ("staff.li", "svc.ma"):
            person = await storage.get_person(s, person_id)
            assert person is not None
            person.language = "en"
    await _with_ticket_1001(sessions)
    clock = FakeClock(NOW)
    [reply] = await say(sessions, clock, "staff.li", COMPLAINT)
    assert "check the facts within 8 hours and to answer you within 24 hours" in reply.text
    assert "The service manager 马经理（服务经理） has been told." in reply.text
    assert "About: ticket #1001, engineer 陈工, and a delay" in reply.text
    [notice] = await sent_to(sessions, "svc.ma")
    assert "Check the facts by Nov 23, 18:00; answer the complainant by Nov 24, 10:00." in notice.text
    clock.set(NOW + timedelta(hours=6))
    assert await _clocks(sessions, clock).run_due() == 1
    reminder = (await sent_to(sessions, "svc.ma"))[-1]
    assert "2 hours left until the facts-check deadline (Nov 23, 18:00)" in reminder.text
