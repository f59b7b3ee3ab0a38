"""The duty roster: weekly rotation, overrides, validation, and the 谁在值班 answer."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from handlers.paging.calendar import BusinessCalendar, NaiveDatetimeError
from handlers.paging.roster import (
    Leave,
    RosterError,
    Swap,
    describe_duty,
    load_roster,
    next_shift,
    on_duty,
    parse_roster,
    with_leave,
    with_swap,
)

SH = ZoneInfo("Asia/Shanghai")
CAL = BusinessCalendar()
ROOT = Path(__file__).resolve().parents[3]


def _people() -> list[dict[str, Any]]:
    people: list[dict[str, Any]] = yaml.safe_load((ROOT / "config" / "people.yaml").read_text("utf-8"))["people"]
    return people


KNOWN_IDS = frozenset(p["id"] for p in _people())
NAMES = {p["id"]: p["name"] for p in _people()}


def roster_doc(**changes: Any) -> dict[str, Any]:
    """A roster anchored on Monday 21 April 2025: week 0 team A + on-call eng.chen, week 1 B + eng.zhao."""
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
    return {"roster": body}


def at(y: int, m: int, d: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hour, minute, tzinfo=SH)


def test_the_shipped_roster_is_valid_against_the_people_directory() -> None:
    roster = load_roster(ROOT / "config" / "roster.yaml", KNOWN_IDS)
    assert [team.engineers for team in roster.teams] == [("eng.chen", "eng.liu"), ("eng.zhao", "eng.wu")]
    assert (roster.backup, roster.senior, roster.director, roster.service_manager) == (
        "eng.sun",
        "eng.qian",
        "dir.zhou",
        "svc.ma",
    )


def test_teams_and_on_call_rotate_weekly_from_the_anchor() -> None:
    roster = parse_roster(roster_doc(), KNOWN_IDS)
    weeks = [at(2025, 4, 22, 10), at(2025, 4, 29, 10), at(2025, 5, 13, 10), at(2025, 5, 20, 10)]
    got = [(on_duty(roster, t, CAL).engineers, on_duty(roster, t, CAL).on_call) for t in weeks]
    assert got == [
        (("eng.chen", "eng.liu"), "eng.chen"),
        (("eng.zhao", "eng.wu"), "eng.zhao"),
        (("eng.zhao", "eng.wu"), "eng.wu"),  # week 3
        (("eng.chen", "eng.liu"), "eng.chen"),  # week 4: both lists wrap around
    ]


def test_a_monday_night_before_handover_still_belongs_to_last_weeks_on_call() -> None:
    roster = parse_roster(roster_doc(), KNOWN_IDS)
    assert on_duty(roster, at(2025, 4, 28, 8, 59), CAL).on_call == "eng.chen"
    assert on_duty(roster, at(2025, 4, 28, 9, 0), CAL).on_call == "eng.zhao"


def test_on_site_the_team_responds_and_after_hours_the_on_call_engineer() -> None:
    roster = parse_roster(roster_doc(), KNOWN_IDS)
    day = on_duty(roster, at(2025, 4, 22, 10), CAL)
    night = on_duty(roster, at(2025, 4, 22, 21), CAL)
    assert not day.after_hours and day.responders == ("eng.chen", "eng.liu")
    assert night.after_hours and night.responders == ("eng.chen",)
    assert night.engineers == ("eng.chen", "eng.liu")  # the team is still known after hours


def test_a_tiaoxiu_sunday_has_an_on_site_shift_and_an_ordinary_saturday_does_not() -> None:
    roster = parse_roster(roster_doc(), KNOWN_IDS)
    assert not on_duty(roster, at(2025, 4, 27, 10), CAL).after_hours
    assert on_duty(roster, at(2025, 4, 26, 10), CAL).after_hours


def test_a_shift_runs_from_one_change_to_the_next() -> None:
    roster = parse_roster(roster_doc(), KNOWN_IDS)
    friday_night = on_duty(roster, at(2025, 4, 25, 20), CAL)
    # the weekend runs from Friday 17:30 to the 调休 Sunday morning
    assert (friday_night.starts_at, friday_night.ends_at) == (at(2025, 4, 25, 17, 30), at(2025, 4, 27, 9))
    following = next_shift(roster, at(2025, 4, 25, 20), CAL)
    assert not following.after_hours and following.starts_at == at(2025, 4, 27, 9)
    assert following.ends_at == at(2025, 4, 27, 17, 30)


def test_a_swap_trades_two_engineers_for_that_day_only() -> None:
    roster = parse_roster(
        roster_doc(swaps=[{"date": "2025-04-23", "engineer": "eng.liu", "with": "eng.wu"}]), KNOWN_IDS
    )
    assert on_duty(roster, at(2025, 4, 23, 10), CAL).engineers == ("eng.chen", "eng.wu")
    assert on_duty(roster, at(2025, 4, 24, 10), CAL).engineers == ("eng.chen", "eng.liu")


def test_leave_puts_the_substitute_in_every_role_for_the_range() -> None:
    roster = parse_roster(
        roster_doc(leave=[{"engineer": "eng.chen", "from": "2025-04-22", "to": "2025-04-23", "substitute": "eng.sun"}]),
        KNOWN_IDS,
    )
    during = on_duty(roster, at(2025, 4, 23, 20), CAL)
    assert during.engineers == ("eng.sun", "eng.liu") and during.on_call == "eng.sun"
    after = on_duty(roster, at(2025, 4, 24, 10), CAL)
    assert after.engineers == ("eng.chen", "eng.liu")


def test_a_day_with_an_override_is_its_own_shift() -> None:
    roster = parse_roster(
        roster_doc(swaps=[{"date": "2025-04-23", "engineer": "eng.liu", "with": "eng.wu"}]), KNOWN_IDS
    )
    before = on_duty(roster, at(2025, 4, 22, 20), CAL)
    assert before.ends_at == at(2025, 4, 23, 0)  # overrides apply by calendar date, from midnight
    assert next_shift(roster, at(2025, 4, 22, 20), CAL).engineers == ("eng.chen", "eng.wu")


def test_an_unknown_engineer_is_refused_naming_the_key() -> None:
    doc = roster_doc()
    doc["roster"]["teams"][1]["engineers"] = ["eng.zhao", "eng.nobody"]
    with pytest.raises(RosterError, match=r"roster\.teams\[1\]\.engineers\[1\]: .*eng\.nobody"):
        parse_roster(doc, KNOWN_IDS)


def test_an_empty_team_is_refused_naming_the_key() -> None:
    doc = roster_doc()
    doc["roster"]["teams"][1]["engineers"] = []
    with pytest.raises(RosterError, match=r"roster\.teams\[1\]\.engineers: "):
        parse_roster(doc, KNOWN_IDS)


def test_a_misspelt_key_and_a_backwards_leave_are_refused() -> None:
    with pytest.raises(RosterError, match=r"roster\.backups: "):
        parse_roster(roster_doc(backups="eng.sun"), KNOWN_IDS)
    backwards = [{"engineer": "eng.chen", "from": "2025-04-23", "to": "2025-04-22", "substitute": "eng.sun"}]
    with pytest.raises(RosterError, match=r"roster\.leave\[0\]: .*ends"):
        parse_roster(roster_doc(leave=backwards), KNOWN_IDS)


def test_an_unreadable_roster_file_is_a_roster_error(tmp_path: Path) -> None:
    bad = tmp_path / "roster.yaml"
    bad.write_text("roster: [unclosed", encoding="utf-8")
    with pytest.raises(RosterError, match="cannot read roster"):
        load_roster(bad, KNOWN_IDS)


def test_on_duty_refuses_a_naive_time() -> None:
    roster = parse_roster(roster_doc(), KNOWN_IDS)
    with pytest.raises(NaiveDatetimeError):
        on_duty(roster, dt.datetime(2025, 4, 22, 10), CAL)


def test_who_is_on_duty_answers_now_and_next_in_chinese() -> None:
    roster = parse_roster(roster_doc(), KNOWN_IDS)
    answer = describe_duty(roster, at(2025, 4, 22, 16), CAL, NAMES)
    assert answer.splitlines()[:2] == [
        "现在：驻场时间，A组 陈工、刘工（下班后值班：陈工）",
        "下一班：4月22日 周二 17:30 起，下班时间，值班工程师 陈工（驻场组：A组 陈工、刘工）",
    ]
    assert "备岗 孙工（备岗） → 高级工程师 钱工（高级工程师） → 技术总监 周总（技术总监）" in answer
    assert "服务经理：马经理（服务经理）" in answer


def test_an_english_reader_is_told_who_is_on_duty_in_english_with_an_english_date() -> None:
    roster = parse_roster(roster_doc(), KNOWN_IDS)
    names = {"eng.chen": "Chen", "eng.liu": "Liu", "eng.sun": "Sun", "eng.qian": "Qian", "dir.zhou": "Zhou"}
    answer = describe_duty(roster, at(2025, 4, 22, 16), CAL, names, "en")
    assert answer.splitlines()[:2] == [
        "Now: on-site hours, A组: Chen and Liu (on call after hours: Chen)",
        "Next: from Tue, Apr 22, 17:30, after hours, on call: Chen (on-site team: A组: Chen and Liu)",
    ]
    assert "Escalation: backup Sun → senior engineer Qian → technical director Zhou" in answer


def test_an_override_added_later_is_validated_and_takes_effect() -> None:
    roster = parse_roster(roster_doc(), KNOWN_IDS)
    updated = with_leave(
        roster,
        Leave.model_validate(
            {"engineer": "eng.liu", "from": "2025-04-24", "to": "2025-04-24", "substitute": "eng.sun"}
        ),
        KNOWN_IDS,
    )
    assert on_duty(updated, at(2025, 4, 24, 10), CAL).engineers == ("eng.chen", "eng.sun")
    assert on_duty(roster, at(2025, 4, 24, 10), CAL).engineers == ("eng.chen", "eng.liu")  # unchanged
    swapped = with_swap(roster, Swap.model_validate({"date": "2025-04-25", "engineer": "eng.chen", "with": "eng.zhao"}))
    assert on_duty(swapped, at(2025, 4, 25, 10), CAL).engineers == ("eng.zhao", "eng.liu")
    with pytest.raises(RosterError, match=r"roster\.leave\[0\]\.substitute: .*eng\.ghost"):
        with_leave(
            roster,
            Leave.model_validate(
                {"engineer": "eng.liu", "from": "2025-04-24", "to": "2025-04-24", "substitute": "eng.ghost"}
            ),
            KNOWN_IDS,
        )
