"""Purchase requests: recorded, sent to the engineers, quoted, and approved or declined in chat."""

from __future__ import annotations

import storage
from core.clock import FakeClock
from handlers.service.purchases import parse_details
from handlers.service.staff import StaffingConfig, configure_staffing, service_staff
from storage import service_requests as service_store
from tests.support.service_steps import NOW, button, say, sent_to

DESIGN_PC = "想配一台做设计用的电脑，帮忙推荐一下报个价"
MONITORS = "想买2台显示器，预算3000元以内，下周五前要"


async def _engineers(sessions: storage.SessionFactory) -> tuple[str, ...]:
    async with sessions() as s:
        return (await service_staff(s, NOW)).engineers


async def _request(sessions: storage.SessionFactory) -> service_store.PurchaseRequest:
    async with sessions() as s:
        [request] = await service_store.list_purchase_requests(s)
        return request


async def test_a_purchase_request_asks_for_what_is_missing_then_is_quoted_and_approved(
    sessions: storage.SessionFactory,
) -> None:
    clock = FakeClock(NOW)
    [recorded] = await say(sessions, clock, "staff.zhang", DESIGN_PC)
    assert "P1" in recorded.text and "预算" in recorded.text and "需要日期" in recorded.text
    engineers = await _engineers(sessions)
    assert engineers
    for engineer in engineers:
        [notice] = await sent_to(sessions, engineer)
        assert "采购申请 P1" in notice.text and "张伟" in notice.text and "采购 P1 推荐" in notice.text
    # the answer arrives through a new pipeline: the question waited in the database
    [updated] = await say(sessions, clock, "staff.zhang", "预算1.5万，12月1日前，要能跑 PS 和 C4D")
    assert "¥15,000" in updated.text and "12月1日前" in updated.text
    request = await _request(sessions)
    assert (request.quantity, request.budget_fen, request.needed_by) == (1, 1500000, "12月1日前")
    assert request.notes == "预算1.5万，12月1日前，要能跑 PS 和 C4D"
    assert "补充信息" in (await sent_to(sessions, engineers[0]))[-1].text

    [sent] = await say(sessions, clock, "eng.chen", "采购 P1 推荐 ThinkPad P16s 32G 报价 13999")
    assert "已发给张伟" in sent.text
    [quote] = await sent_to(sessions, "staff.zhang")
    assert "ThinkPad P16s 32G" in quote.text and "¥13,999" in quote.text and "陈工" in quote.text
    [approved] = await say(sessions, clock, "staff.zhang", button(quote, "批准").payload)
    assert "已批准采购申请 P1" in approved.text
    assert "已被张伟批准" in (await sent_to(sessions, "eng.chen"))[-1].text
    request = await _request(sessions)
    assert (request.status, request.recommendation, request.quote_fen) == ("approved", "ThinkPad P16s 32G", 1399900)
    assert (request.quoted_by, request.decided_by, request.decided_at) == ("eng.chen", "staff.zhang", NOW)
    async with sessions() as s:
        actions = [e.action for e in await service_store.service_events(s, "purchase", request.id)]
    assert actions == ["requested", "details", "quoted", "approved"]


async def test_a_complete_request_asks_nothing_and_a_declined_quote_is_stored(sessions: storage.SessionFactory) -> None:
    clock = FakeClock(NOW)
    [recorded] = await say(sessions, clock, "staff.li", MONITORS)
    assert "请补充" not in recorded.text
    request = await _request(sessions)
    assert (request.quantity, request.budget_fen, request.needed_by) == (2, 300000, "下周五前")
    await say(sessions, clock, "eng.liu", "采购 P1 推荐 Dell U2724D 报价 3198 元（两台）")
    [quote] = await sent_to(sessions, "staff.li")
    assert "Dell U2724D （两台）" in quote.text and "¥3,198" in quote.text
    [declined] = await say(sessions, clock, "staff.li", button(quote, "不采购").payload)
    assert "已拒绝" in declined.text
    [again] = await say(sessions, clock, "staff.li", button(quote, "批准").payload)
    assert "已拒绝" in again.text and "不能再更改" in again.text
    request = await _request(sessions)
    assert (request.status, request.decided_by) == ("declined", "staff.li")


async def test_a_quote_sent_to_the_requester_is_theirs_to_press(sessions: storage.SessionFactory) -> None:
    clock = FakeClock(NOW)
    await say(sessions, clock, "staff.li", MONITORS)
    await say(sessions, clock, "eng.liu", "采购 P1 推荐 Dell U2724D 报价 3198")
    [quote] = await sent_to(sessions, "staff.li")
    # Buttons are bound to the message they came in: the service company and even the requester's
    # manager (whom the permissions table allows to approve) cannot press the requester's copy.
    for other in ("svc.ma", "mgr.he"):
        [refused] = await say(sessions, clock, other, button(quote, "批准").payload)
        assert refused.text == "这个按钮已失效，请重新发送您的问题。" and "P1" not in refused.text
    assert (await _request(sessions)).status == "quoted"
    [approved] = await say(sessions, clock, "staff.li", button(quote, "批准").payload)
    assert "已批准" in approved.text
    assert (await _request(sessions)).decided_by == "staff.li"


async def test_a_manager_marked_as_the_service_companys_may_not_approve_whatever_their_department(
    sessions: storage.SessionFactory,
) -> None:
    async with sessions() as s, s.begin():
        manager = await storage.get_person(s, "mgr.he")
        assert manager is not None and manager.department == "行政部"
        manager.service_company = True
    clock = FakeClock(NOW)
    await say(sessions, clock, "staff.li", MONITORS)
    await say(sessions, clock, "eng.liu", "采购 P1 推荐 Dell U2724D 报价 3198")
    [quote] = await sent_to(sessions, "staff.li")
    assert await sent_to(sessions, "mgr.he") == []  # no copy of the quote to approve with
    [refused] = await say(sessions, clock, "mgr.he", button(quote, "批准").payload)
    assert "失效" in refused.text  # the requester's button is not theirs to press
    request = await _request(sessions)
    assert (request.status, request.decided_by) == ("quoted", None)


async def test_a_customer_manager_gets_a_copy_of_the_quote_and_approves_for_the_requester(
    sessions: storage.SessionFactory,
) -> None:
    clock = FakeClock(NOW)
    await say(sessions, clock, "staff.li", MONITORS)
    await say(sessions, clock, "eng.liu", "采购 P1 推荐 Dell U2724D 报价 3198")
    [copy] = await sent_to(sessions, "mgr.he")
    assert "李娜" in copy.text and "P1" in copy.text and "代为审批" in copy.text
    [approved] = await say(sessions, clock, "mgr.he", button(copy, "批准").payload)
    assert "已批准采购申请 P1" in approved.text
    request = await _request(sessions)
    assert (request.status, request.decided_by) == ("approved", "mgr.he")


async def test_without_a_roster_the_service_manager_is_the_manager_marked_as_the_service_companys(
    sessions: storage.SessionFactory,
) -> None:
    async with sessions() as s, s.begin():
        for person_id, marked in (("svc.ma", False), ("mgr.he", True)):
            person = await storage.get_person(s, person_id)
            assert person is not None
            person.service_company = marked
    configure_staffing(StaffingConfig(roster_file=None))
    try:
        async with sessions() as s:
            assert (await service_staff(s, NOW)).service_manager == "mgr.he"
    finally:
        configure_staffing(StaffingConfig())


async def test_a_quote_in_chinese_numerals_is_read_and_a_range_is_asked_again(sessions: storage.SessionFactory) -> None:
    clock = FakeClock(NOW)
    await say(sessions, clock, "staff.li", MONITORS)
    [unread] = await say(sessions, clock, "eng.liu", "采购 P1 推荐 Dell U2724D 报价 两三千")
    assert "格式：采购 P12 推荐" in unread.text
    await say(sessions, clock, "eng.liu", "采购 P1 推荐 Dell U2724D 报价 三千五")
    [quote] = await sent_to(sessions, "staff.li")
    assert "¥3,500" in quote.text
    assert (await _request(sessions)).quote_fen == 350000


def test_quantity_budget_and_needed_by_are_read_from_the_message() -> None:
    details = parse_details("需要三台笔记本，预算每台6千左右，月底前到位")
    assert (details.quantity, details.budget_fen, details.needed_by) == (3, 600000, "月底前")
    assert parse_details("帮忙推荐个键盘").empty


def test_quantities_and_budgets_are_read_in_chinese_numerals() -> None:
    assert (parse_details("要十二台电脑，预算一万五").quantity, parse_details("预算一万五").budget_fen) == (12, 1500000)
    assert parse_details("两台打印机，两千五以内").budget_fen == 250000
    assert parse_details("两三台打印机").quantity == 3  # a range counts its upper end
    assert parse_details("帮我预算一下").budget_fen is None  # 一 alone is no sum
    assert parse_details("预算两三千").budget_fen is None  # a range of sums is asked for, not guessed
