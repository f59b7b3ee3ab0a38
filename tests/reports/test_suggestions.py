"""Each suggestion rule fires on figures that call for it and stays quiet on figures that do not."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from config.settings import REPO_ROOT
from handlers.contract import Contract
from handlers.paging.roster import load_roster
from reports.data import ArticleRow, ComplaintRow, DeviceTicket, MonthData, RepairRow, TicketRow
from reports.figures import monthly_figures
from reports.period import Month
from reports.suggestions import suggestions
from storage.corrections import TriageAccuracy

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=SHANGHAI)
CONTRACT = Contract(roster=load_roster(REPO_ROOT / "config" / "roster.yaml"))
_numbers = iter(range(1000, 9999))


def ticket(
    day: int, severity: str = "high", ack_minutes: int | None = 30, text: str = "电脑蓝屏", article: str | None = None
) -> TicketRow:
    created = datetime(2026, 11, day, 10, 0, tzinfo=SHANGHAI)
    number = next(_numbers)
    acked = created + timedelta(minutes=ack_minutes) if ack_minutes is not None else None
    return TicketRow(
        number,
        number,
        "incident",
        severity,
        "resolved",
        text,
        article,
        "staff.li",
        "财务部",
        None,
        created,
        acked,
        None,
    )


def repair(serial: str, day: int, month: int = 11, fault: str = "硬盘坏道") -> RepairRow:
    at = datetime(2026, month, day, 10, 0, tzinfo=SHANGHAI)
    return RepairRow(next(_numbers), at, "signed", "联想 M720", serial, fault, "repaired", 30000)


def month(**rows: object) -> MonthData:
    base = MonthData(Month(2026, 11), (), (), (), (), ())
    return dataclasses.replace(base, **rows)  # type: ignore[arg-type]


def rules(data: MonthData) -> list[str]:
    return [s.rule for s in suggestions(monthly_figures(data, CONTRACT, NOW))]


def test_a_disk_that_failed_twice_is_named() -> None:
    october, november = repair("PC-0042", 14, month=10), repair("PC-0042", 17)
    fired = suggestions(monthly_figures(month(repairs=(november,), repair_history=(october, november)), CONTRACT, NOW))
    assert [(s.rule, s.values["key"], s.values["count"]) for s in fired] == [("repeated_fault", "PC-0042", 2)]
    once = month(repairs=(november,), repair_history=(november, repair("PC-0099", 3, month=10)))
    assert rules(once) == []
    # Two repairs long ago and none this month: not this month's news.
    assert rules(month(repairs=(), repair_history=(october, repair("PC-0042", 20, month=10)))) == []


def test_a_weekday_that_misses_the_2h_promise_is_named() -> None:
    mondays = [ticket(d, ack_minutes=180) for d in (2, 9)] + [ticket(16, ack_minutes=30)]
    others = [ticket(d) for d in (3, 4, 5, 10)]
    fired = suggestions(monthly_figures(month(tickets=(*mondays, *others)), CONTRACT, NOW))
    weekday = [s for s in fired if s.rule == "weekday_misses"]
    assert [(s.values["weekday"], s.values["count"]) for s in weekday] == [(0, 3)]
    assert sorted(weekday[0].values["teams"]) == ["A组", "B组"]  # 2 and 9 November: consecutive duty weeks
    # The same late Mondays when every day is as late: no single day stands out.
    late_everywhere = [ticket(d, ack_minutes=180) for d in (3, 4, 5, 10)]
    assert "weekday_misses" not in rules(month(tickets=(*mondays, *late_everywhere)))
    # Only two Mondays: too few to say.
    assert "weekday_misses" not in rules(month(tickets=(*mondays[:2], *others)))


def test_a_recurring_question_without_an_article_asks_for_one() -> None:
    printers = [ticket(d, "normal", text="打印机卡纸了") for d in (3, 4, 5)]
    assert "write_article" in rules(month(tickets=tuple(printers)))
    assert "write_article" not in rules(month(tickets=tuple(printers[:2])))
    answered = [dataclasses.replace(t, article="printer-jam") for t in printers]
    assert "write_article" not in rules(month(tickets=tuple(answered)))


def test_an_article_that_keeps_becoming_tickets_is_to_be_rewritten() -> None:
    at = datetime(2026, 11, 5, 11, tzinfo=SHANGHAI)
    served = [ArticleRow("vpn-connect", "served", at)] * 4
    assert "revise_article" in rules(month(article_events=(*served, *[ArticleRow("vpn-connect", "ticket", at)] * 2)))
    assert "revise_article" not in rules(month(article_events=(*served, ArticleRow("vpn-connect", "ticket", at))))


def test_a_missed_complaint_promise_calls_for_a_review() -> None:
    at = datetime(2026, 11, 5, 10, tzinfo=SHANGHAI)
    h = timedelta(hours=1)
    kept = ComplaintRow(1, at, "answered", at + 8 * h, at + 2 * h, at + 24 * h, at + 20 * h)
    late = dataclasses.replace(kept, id=2, facts_checked_at=at + 9 * h)
    assert "complaint_missed" not in rules(month(complaints=(kept,)))
    assert "complaint_missed" in rules(month(complaints=(kept, late)))


def test_a_severity_answered_late_too_often_calls_for_the_roster_to_be_checked() -> None:
    slow = [ticket(d, "urgent", ack_minutes=45) for d in (3, 4, 5)]
    assert "slow_response" in rules(month(tickets=tuple(slow)))
    assert "slow_response" not in rules(month(tickets=tuple(ticket(d, "urgent", ack_minutes=10) for d in (3, 4, 5))))


def test_a_registry_device_with_two_fault_tickets_is_named_and_a_repair_of_one_counts_once() -> None:
    since = datetime(2026, 11, 1, tzinfo=SHANGHAI)
    first = DeviceTicket("PC-0157", "戴尔 3080", 1201, datetime(2026, 9, 3, 10, tzinfo=SHANGHAI), "蓝屏")
    second = DeviceTicket("PC-0157", "戴尔 3080", 1302, datetime(2026, 11, 9, 10, tzinfo=SHANGHAI), "又蓝屏了")
    fired = suggestions(monthly_figures(month(device_tickets=(first, second), since=since), CONTRACT, NOW))
    assert [(s.rule, s.values["key"], s.values["count"]) for s in fired] == [("repeated_fault", "PC-0157", 2)]
    assert rules(month(device_tickets=(second,), since=since)) == []
    # The repair of the second ticket is the same fault, not a third one.
    fix = dataclasses.replace(repair("PC-0157", 10), ticket_number=1302)
    both = month(device_tickets=(first, second), repairs=(fix,), repair_history=(fix,), since=since)
    assert [s.values["count"] for s in suggestions(monthly_figures(both, CONTRACT, NOW))] == [2]


def test_many_re_triaged_tickets_call_for_the_corrections_to_be_reviewed_and_trained_on() -> None:
    many = month(tickets=tuple(ticket(d, "high", ack_minutes=10) for d in (3, 4, 5, 6)))
    fired = suggestions(monthly_figures(dataclasses.replace(many, triage=TriageAccuracy(4, 3)), CONTRACT, NOW))
    retrain = [(s.values["corrected"], s.values["opened"]) for s in fired if s.rule == "retrain_triage"]
    assert retrain == [(3, 4)]
    assert "retrain_triage" not in rules(dataclasses.replace(many, triage=TriageAccuracy(4, 2)))  # too few
    assert "retrain_triage" not in rules(dataclasses.replace(many, triage=TriageAccuracy(100, 3, classified=20)))
