"""The paging policy: who is paged when, for each severity, and the frozen escalation plan."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from handlers.paging.calendar import BusinessCalendar
from handlers.paging.policy import (
    DEFAULT_POLICY,
    EscalationPlan,
    PagingPolicyError,
    parse_paging_policy,
    plan_escalation,
    response_due,
)
from handlers.paging.roster import Roster, parse_roster

SH = ZoneInfo("Asia/Shanghai")
CAL = BusinessCalendar()
MINUTE = dt.timedelta(minutes=1)

# Real days from chinese-calendar's data (2025 Labour Day): Sunday 27 April was a 调休 working day,
# Saturday 26 April an ordinary day off; 1–5 May were holidays.
TIAOXIU_SUNDAY = dt.date(2025, 4, 27)
ORDINARY_SATURDAY = dt.date(2025, 4, 26)


def roster(**changes: Any) -> Roster:
    """Week of 21 April 2025: team A (eng.chen, eng.liu) on duty, eng.chen on call."""
    body: dict[str, Any] = {
        "anchor": "2025-04-21",
        "teams": [
            {"name": "A组", "engineers": ["eng.chen", "eng.liu"]},
            {"name": "B组", "engineers": ["eng.zhao", "eng.wu"]},
        ],
        "on_call": ["eng.chen", "eng.zhao", "eng.liu", "eng.wu"],
        "backup": "eng.sun",
        "senior": "eng.qian",
        "director": "dir.zhou",
        "service_manager": "svc.ma",
    }
    body.update(changes)
    return parse_roster({"roster": body})


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SH)


def timeline(plan: EscalationPlan) -> list[tuple[int, str, tuple[str, ...]]]:
    """What happens when: (minutes from the ticket, page/notice, people)."""
    return [(int(step.offset / MINUTE), step.action, step.people) for step in plan.steps]


TUESDAY = dt.date(2025, 4, 22)


def test_urgent_pages_both_engineers_then_escalates_at_5_15_and_30_minutes() -> None:
    plan = plan_escalation("urgent", at(TUESDAY, 10), roster(), CAL)
    assert timeline(plan) == [
        (0, "notice", ("svc.ma",)),
        (0, "page", ("eng.chen", "eng.liu")),
        (5, "page", ("eng.sun",)),
        (15, "page", ("eng.qian",)),
        (30, "page", ("dir.zhou",)),
    ]
    assert plan.response_due == at(TUESDAY, 10, 30)


def test_urgent_on_a_tiaoxiu_sunday_is_on_site_and_on_an_ordinary_saturday_after_hours() -> None:
    sunday = plan_escalation("urgent", at(TIAOXIU_SUNDAY, 10), roster(), CAL)
    saturday = plan_escalation("urgent", at(ORDINARY_SATURDAY, 10), roster(), CAL)
    assert not sunday.after_hours
    assert saturday.after_hours
    # urgent pages the on-duty team at once at any hour, so both chains start straight away
    assert timeline(sunday) == timeline(saturday)
    assert timeline(saturday)[1] == (0, "page", ("eng.chen", "eng.liu"))
    assert saturday.response_due == at(ORDINARY_SATURDAY, 10, 30)


def test_high_on_the_tiaoxiu_sunday_goes_to_the_team_and_on_the_saturday_to_the_on_call() -> None:
    sunday = plan_escalation("high", at(TIAOXIU_SUNDAY, 10), roster(), CAL)
    saturday = plan_escalation("high", at(ORDINARY_SATURDAY, 10), roster(), CAL)
    assert timeline(sunday)[0] == (0, "page", ("eng.chen", "eng.liu"))
    assert timeline(saturday)[0] == (0, "page", ("eng.chen",))


def test_high_after_hours_pages_the_on_call_engineer_and_escalates_after_30_minutes() -> None:
    next_week_night = at(dt.date(2025, 4, 29), 21)  # week 1: team B on duty, eng.zhao on call
    plan = plan_escalation("high", next_week_night, roster(), CAL)
    assert plan.after_hours
    assert timeline(plan) == [(0, "page", ("eng.zhao",)), (30, "page", ("eng.sun",))]
    assert plan.response_due == next_week_night + dt.timedelta(hours=2)  # wall clock, worked at night


def test_high_on_site_pages_the_on_duty_team() -> None:
    plan = plan_escalation("high", at(TUESDAY, 14), roster(), CAL)
    assert timeline(plan) == [(0, "page", ("eng.chen", "eng.liu")), (30, "page", ("eng.sun",))]
    assert plan.response_due == at(TUESDAY, 16)


def test_a_lunch_break_is_not_after_hours_so_the_team_gets_a_high_page() -> None:
    plan = plan_escalation("high", at(TUESDAY, 12, 30), roster(), CAL)
    assert not plan.after_hours
    assert timeline(plan)[0] == (0, "page", ("eng.chen", "eng.liu"))


def test_normal_on_site_is_a_notice_to_the_team_due_the_next_working_day() -> None:
    plan = plan_escalation("normal", at(TUESDAY, 10), roster(), CAL)
    assert timeline(plan) == [(0, "notice", ("eng.chen", "eng.liu"))]
    assert plan.held_until is None
    assert plan.response_due == at(dt.date(2025, 4, 23), 10)


def test_normal_is_never_paged_after_hours_and_waits_for_the_next_on_site_start() -> None:
    for created in (at(TUESDAY, 21), at(ORDINARY_SATURDAY, 3), at(dt.date(2025, 4, 30), 18)):
        plan = plan_escalation("normal", created, roster(), CAL)
        assert all(step.action == "notice" for step in plan.steps)
        assert plan.held_until is not None
        assert all(step.at >= plan.held_until and CAL.is_on_site(step.at) for step in plan.steps)
    # over the Labour Day holiday: told on Tuesday 6 May 09:00, when week 2's team A is on duty
    holiday = plan_escalation("normal", at(dt.date(2025, 4, 30), 18), roster(), CAL)
    assert holiday.held_until == at(dt.date(2025, 5, 6), 9)
    assert holiday.steps[0].people == ("eng.chen", "eng.liu")
    assert holiday.response_due == at(dt.date(2025, 5, 6), 17, 30)


def test_normal_on_an_ordinary_saturday_waits_for_the_tiaoxiu_sunday() -> None:
    plan = plan_escalation("normal", at(ORDINARY_SATURDAY, 10), roster(), CAL)
    assert plan.held_until == at(TIAOXIU_SUNDAY, 9)


def test_hardware_tells_the_team_and_starts_the_repair_process_with_no_due_time() -> None:
    plan = plan_escalation("hardware", at(TUESDAY, 10), roster(), CAL)
    assert timeline(plan) == [(0, "notice", ("eng.chen", "eng.liu"))]
    assert plan.starts_repair
    assert plan.response_due is None


def test_a_step_with_nobody_on_duty_is_skipped_and_the_next_takes_its_place() -> None:
    plan = plan_escalation("urgent", at(TUESDAY, 10), roster(backup=None), CAL)
    assert [(m, people) for m, action, people in timeline(plan) if action == "page"] == [
        (0, ("eng.chen", "eng.liu")),
        (5, ("eng.qian",)),
        (20, ("dir.zhou",)),
    ]
    assert plan.skipped == ("backup",)


def test_a_backup_already_standing_in_for_an_engineer_on_leave_is_not_paged_twice() -> None:
    on_leave = [{"engineer": "eng.liu", "from": "2025-04-22", "to": "2025-04-22", "substitute": "eng.sun"}]
    plan = plan_escalation("urgent", at(TUESDAY, 10), roster(leave=on_leave), CAL)
    pages = [(m, people) for m, action, people in timeline(plan) if action == "page"]
    assert pages == [(0, ("eng.chen", "eng.sun")), (5, ("eng.qian",)), (20, ("dir.zhou",))]


def test_the_plan_is_frozen_editing_the_roster_later_does_not_change_it() -> None:
    plan = plan_escalation("urgent", at(TUESDAY, 10), roster(), CAL)
    snapshot = plan.to_snapshot()
    edited = roster(backup="eng.wu")  # someone edits the roster after the page started
    assert plan_escalation("urgent", at(TUESDAY, 10), edited, CAL).steps[2].people == ("eng.wu",)
    restored = EscalationPlan.from_snapshot(snapshot)
    assert restored == plan
    assert restored.steps[2].people == ("eng.sun",)


def test_steps_due_between_two_worker_ticks_are_returned_once() -> None:
    plan = plan_escalation("urgent", at(TUESDAY, 10), roster(), CAL)
    start = plan.started_at
    assert [s.people for s in plan.steps_due(None, start)] == [("svc.ma",), ("eng.chen", "eng.liu")]
    assert plan.steps_due(start, start + 4 * MINUTE) == ()
    assert [s.people for s in plan.steps_due(start + 4 * MINUTE, start + 5 * MINUTE)] == [("eng.sun",)]
    assert plan.steps_due(start + 5 * MINUTE, start + 6 * MINUTE) == ()


def test_response_due_per_severity() -> None:
    created = at(dt.date(2025, 4, 25), 16)  # a Friday afternoon
    assert response_due("urgent", created, CAL) == created + dt.timedelta(minutes=30)
    assert response_due("high", created, CAL) == created + dt.timedelta(hours=2)
    assert response_due("normal", created, CAL) == at(TIAOXIU_SUNDAY, 16)  # next working day
    assert response_due("hardware", created, CAL) is None


def test_the_policy_is_configurable() -> None:
    doc = {"paging": DEFAULT_POLICY.model_dump()}
    doc["paging"]["urgent"]["chain"][0]["ack_minutes"] = 3
    policy = parse_paging_policy(doc)
    plan = plan_escalation("urgent", at(TUESDAY, 10), roster(), CAL, policy)
    assert [m for m, action, _ in timeline(plan) if action == "page"] == [0, 3, 13, 28]


def test_an_invalid_policy_is_refused_naming_the_key() -> None:
    doc = {"paging": DEFAULT_POLICY.model_dump()}
    doc["paging"]["high"]["chain"][0]["notify"] = "everyone"
    with pytest.raises(PagingPolicyError, match=r"paging\.high\.chain\[0\]\.notify: "):
        parse_paging_policy(doc)
    doc = {"paging": DEFAULT_POLICY.model_dump()}
    doc["paging"]["normal"]["response_due"] = {"wall_hours": 24, "on_site_days": 1}
    with pytest.raises(PagingPolicyError, match=r"paging\.normal\.response_due: .*exactly one"):
        parse_paging_policy(doc)


def test_the_contract_modules_import_no_messaging_sdk() -> None:
    """Calendar, roster and paging policy are pure domain code: no channel library in them."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[3] / "handlers" / "paging"
    forbidden = {"telegram", "wechatpy", "aiohttp", "httpx", "requests"}
    for module in ("calendar.py", "roster.py", "policy.py"):
        tree = ast.parse((root / module).read_text("utf-8"))
        imported = {
            alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
        }
        imported |= {(node.module or "").split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not imported & forbidden, f"{module} imports {imported & forbidden}"
