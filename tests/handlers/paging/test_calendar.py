"""The business calendar: working days with 调休, on-site hours, and on-site time arithmetic."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from config.settings import REPO_ROOT
from handlers.paging.calendar import (
    BusinessCalendar,
    CalendarError,
    CalendarNotCovered,
    DataSource,
    NaiveDatetimeError,
    OnSiteHours,
    WorkingDays,
    covered_years,
    is_working_day,
)
from handlers.paging.holiday_table import HolidayTable, HolidayTableError, load_holiday_table, parse_holiday_table
from handlers.paging.roster import describe_duty, load_roster, on_duty

SH = ZoneInfo("Asia/Shanghai")
CAL = BusinessCalendar()

# Real days from chinese-calendar's data:
MAKEUP_SUNDAY = dt.date(2025, 4, 27)  # Sunday worked to make up for the Labour Day holiday
ORDINARY_SATURDAY = dt.date(2025, 4, 26)  # the Saturday before it, an ordinary day off
LABOUR_DAY = dt.date(2025, 5, 1)  # Thursday, statutory holiday
ORDINARY_TUESDAY = dt.date(2025, 5, 6)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SH)


def test_a_tiaoxiu_sunday_is_a_working_day_and_an_ordinary_saturday_is_not() -> None:
    assert MAKEUP_SUNDAY.weekday() == 6 and ORDINARY_SATURDAY.weekday() == 5
    assert is_working_day(MAKEUP_SUNDAY)
    assert not is_working_day(ORDINARY_SATURDAY)


def test_a_weekday_statutory_holiday_is_not_a_working_day() -> None:
    assert not is_working_day(LABOUR_DAY)
    assert is_working_day(ORDINARY_TUESDAY)


def test_engineers_are_on_site_on_a_tiaoxiu_sunday_but_not_on_an_ordinary_saturday() -> None:
    assert CAL.is_on_site(at(MAKEUP_SUNDAY, 10))
    assert not CAL.is_after_hours(at(MAKEUP_SUNDAY, 10))
    assert not CAL.is_on_site(at(ORDINARY_SATURDAY, 10))
    assert CAL.is_after_hours(at(ORDINARY_SATURDAY, 10))


def test_days_in_2027_are_answered_whether_or_not_a_notice_covers_them() -> None:
    # true under the estimate and under any notice: statutory days, an ordinary Monday and Saturday
    assert not is_working_day(dt.date(2027, 1, 1))  # 元旦, a Friday
    assert not is_working_day(dt.date(2027, 2, 8))  # 春节 day three, a Monday
    assert is_working_day(dt.date(2027, 1, 4))
    assert not is_working_day(dt.date(2027, 3, 6))
    assert 2026 in covered_years()
    assert CAL.is_on_site(at(dt.date(2027, 1, 4), 10))
    assert CAL.is_after_hours(at(dt.date(2027, 1, 1), 10))
    assert CAL.next_on_site_start(at(dt.date(2026, 12, 31), 18)) == at(dt.date(2027, 1, 4), 9)


def test_only_a_year_no_estimate_reaches_fails_loudly() -> None:
    with pytest.raises(CalendarNotCovered, match="2101"):
        is_working_day(dt.date(2101, 3, 2))


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(NaiveDatetimeError):
        CAL.is_on_site(dt.datetime(2025, 5, 6, 10, 0))
    with pytest.raises(NaiveDatetimeError):
        CAL.add_on_site_time(dt.datetime(2025, 5, 6, 10, 0), dt.timedelta(hours=1))


def test_on_site_hours_edges_and_lunch() -> None:
    assert not CAL.is_on_site(at(ORDINARY_TUESDAY, 8, 59))
    assert CAL.is_on_site(at(ORDINARY_TUESDAY, 9, 0))
    assert CAL.is_on_site(at(ORDINARY_TUESDAY, 17, 29))
    assert not CAL.is_on_site(at(ORDINARY_TUESDAY, 17, 30))
    assert CAL.is_after_hours(at(ORDINARY_TUESDAY, 17, 30))
    # lunch: the clock pauses, but it is not after hours
    assert not CAL.is_on_site(at(ORDINARY_TUESDAY, 12, 30))
    assert not CAL.is_after_hours(at(ORDINARY_TUESDAY, 12, 30))


def test_other_zones_are_judged_in_shanghai_time() -> None:
    # 02:00 UTC is 10:00 in Shanghai
    utc_morning = dt.datetime(2025, 5, 6, 2, 0, tzinfo=dt.UTC)
    assert CAL.is_on_site(utc_morning)
    assert CAL.local(utc_morning).hour == 10


def test_next_on_site_start_skips_the_labour_day_holiday() -> None:
    # Wednesday 30 April after hours; 1–5 May are holidays; Tuesday 6 May is the next working day
    assert CAL.next_on_site_start(at(dt.date(2025, 4, 30), 18)) == at(ORDINARY_TUESDAY, 9)
    assert CAL.next_on_site_start(at(ORDINARY_TUESDAY, 12, 15)) == at(ORDINARY_TUESDAY, 13)
    assert CAL.next_on_site_start(at(ORDINARY_TUESDAY, 10)) == at(ORDINARY_TUESDAY, 10)
    assert CAL.next_on_site_start(at(ORDINARY_SATURDAY, 10)) == at(MAKEUP_SUNDAY, 9)


def test_add_on_site_time_skips_lunch_nights_and_holidays() -> None:
    tuesday = ORDINARY_TUESDAY
    assert CAL.add_on_site_time(at(tuesday, 11), dt.timedelta(hours=2)) == at(tuesday, 14)
    assert CAL.add_on_site_time(at(tuesday, 16), dt.timedelta(hours=2)) == at(dt.date(2025, 5, 7), 9, 30)
    # started after hours: counts from the next on-site start
    assert CAL.add_on_site_time(at(dt.date(2025, 4, 30), 20), dt.timedelta(hours=1)) == at(tuesday, 10)
    # running out exactly at 17:30 stays at 17:30
    assert CAL.add_on_site_time(at(tuesday, 16), dt.timedelta(hours=1, minutes=30)) == at(tuesday, 17, 30)


def test_one_on_site_day_from_a_friday_afternoon_ends_on_monday_afternoon() -> None:
    friday = dt.date(2025, 5, 9)
    assert CAL.on_site_day_length() == dt.timedelta(hours=7, minutes=30)
    assert CAL.add_on_site_time(at(friday, 16), CAL.on_site_day_length()) == at(dt.date(2025, 5, 12), 16)


def test_on_site_time_between_counts_only_on_site_periods() -> None:
    got = CAL.on_site_time_between(at(ORDINARY_TUESDAY, 11), at(dt.date(2025, 5, 7), 10))
    assert got == dt.timedelta(hours=1 + 4.5 + 1)


def test_on_site_hours_are_configurable_and_checked() -> None:
    late = BusinessCalendar(OnSiteHours(start=dt.time(10), end=dt.time(19), breaks=()))
    assert not late.is_on_site(at(ORDINARY_TUESDAY, 9, 30))
    assert late.is_on_site(at(ORDINARY_TUESDAY, 12, 30))
    with pytest.raises(CalendarError):
        OnSiteHours(start=dt.time(18), end=dt.time(9))
    with pytest.raises(CalendarError):
        OnSiteHours(breaks=((dt.time(8), dt.time(9, 30)),))


# --- where the days come from: the operator's table, chinese-calendar, an estimate -------------------

# A made-up 2027 arrangement for the tests (NOT the State Council's notice, which was not known here).
TABLE_2027 = """\
years:
  2027:
    notice: 测试用表（非真实通知）
    days_off:
      - {name: 元旦, from: 2026-12-31, to: 2027-01-02}
      - {name: 春节, from: 2027-02-05, to: 2027-02-12}
    make_up_days: [2027-02-13]
"""


def test_the_shipped_table_gives_2026_tiaoxiu_saturdays_as_working_days() -> None:
    days = WorkingDays(load_holiday_table(REPO_ROOT / "config" / "holidays.yaml"))
    year = days.year(2026)
    assert year.source is DataSource.TABLE and "2026年部分节假日安排" in year.origin
    for saturday in (dt.date(2026, 2, 14), dt.date(2026, 2, 28), dt.date(2026, 5, 9), dt.date(2026, 10, 10)):
        assert saturday.weekday() == 5 and days.is_working_day(saturday)
    assert not days.is_working_day(dt.date(2026, 2, 21))  # an ordinary Saturday inside 春节
    assert not days.is_working_day(dt.date(2026, 10, 7))  # a Wednesday of 国庆节
    assert BusinessCalendar(days=days).is_on_site(at(dt.date(2026, 2, 28), 10))


def test_the_shipped_table_agrees_day_by_day_with_chinese_calendar_where_both_know_the_year() -> None:
    table = load_holiday_table(REPO_ROOT / "config" / "holidays.yaml")
    from_table = WorkingDays(table)
    from_package = WorkingDays(HolidayTable({}))
    for year in table.years:
        assert from_package.year(year).source is DataSource.PACKAGE
        day = dt.date(year, 1, 1)
        while day.year == year:
            assert from_table.is_working_day(day) == chinese_calendar.is_workday(day), day
            day += dt.timedelta(days=1)


def test_without_a_2027_table_the_estimate_is_flagged_and_warned_about_once(caplog: pytest.LogCaptureFixture) -> None:
    days = WorkingDays(HolidayTable({}))
    with caplog.at_level(logging.WARNING, logger="handlers.paging.calendar"):
        assert not days.is_working_day(dt.date(2027, 1, 1))
        assert days.is_working_day(dt.date(2027, 3, 1))
        assert not days.is_working_day(dt.date(2027, 2, 13))  # a Saturday: the estimate knows no 调休
        days.is_working_day(dt.date(2028, 3, 1))
    year = days.year(2027)
    assert year.source is DataSource.ESTIMATE, "chinese-calendar now has 2027: test the next year instead"
    assert year.estimated and year.make_up_days == frozenset()
    assert year.days_off[dt.date(2027, 1, 1)] == "元旦"
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2 and "2027" in warnings[0] and "2028" in warnings[1]
    assert "estimate" in warnings[0] and "config/holidays.yaml" in warnings[0]


def test_with_a_2027_table_its_days_and_tiaoxiu_win_over_the_estimate() -> None:
    days = WorkingDays(parse_holiday_table(TABLE_2027))
    assert days.year(2027).source is DataSource.TABLE
    assert days.is_working_day(dt.date(2027, 2, 13))  # the table's make-up Saturday
    assert not days.is_working_day(dt.date(2027, 2, 11))  # a Thursday inside the table's 春节
    assert not days.is_working_day(dt.date(2026, 12, 31))  # 元旦 reaching back into December
    assert days.year(2026).source is DataSource.PACKAGE  # the rest of 2026 is still the package's
    assert days.is_working_day(dt.date(2026, 12, 30))
    assert days.covered_years().stop == 2028


def test_a_2027_page_finds_the_shift_and_the_next_one() -> None:
    roster = load_roster(REPO_ROOT / "config" / "roster.yaml")
    new_year = at(dt.date(2027, 1, 1), 10)  # a holiday Friday: after hours, on call
    shift = on_duty(roster, new_year, CAL)
    assert shift.after_hours and shift.ends_at == at(dt.date(2027, 1, 4), 9)
    assert "日历数据不足" not in describe_duty(roster, new_year, CAL)


@pytest.mark.parametrize(
    ("text", "line", "why"),
    [
        ("years:\n  2027:\n    notice: n\n    make_up_days: [2027-02-30]\n", 4, "'2027-02-30' is not a date"),
        ("years:\n  2027:\n    notice: n\n    make_up_days:\n      - 2027-02-10\n", 5, "is a weekday"),
        (
            "years:\n  2027:\n    notice: n\n    days_off:\n      - {name: 春节, from: 2027-02-12, to: 2027-02-05}\n",
            5,
            "ends (2027-02-05) before it starts",
        ),
        (
            "years:\n  2027:\n    notice: n\n    days_off:\n      - {name: x, from: 2028-01-01, to: 2028-01-01}\n",
            5,
            "not in 2027",
        ),
        ("years:\n  2027:\n    notise: n\n", 3, "unknown key 'notise'"),
        ("years:\n  2027:\n    make_up_days: []\n", 3, "name the State Council notice"),
    ],
)
def test_a_bad_table_names_the_line_of_each_problem(text: str, line: int, why: str) -> None:
    with pytest.raises(HolidayTableError) as caught:
        parse_holiday_table(text, "holidays.yaml")
    assert f"holidays.yaml:{line}:" in str(caught.value) and why in str(caught.value)


def test_a_missing_table_leaves_every_year_to_the_packages(tmp_path: Path) -> None:
    days = WorkingDays(load_holiday_table(tmp_path / "absent.yaml"))
    assert days.year(2026).source is DataSource.PACKAGE
