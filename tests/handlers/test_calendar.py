"""The business calendar: working days with 调休, on-site hours, and on-site time arithmetic."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from handlers.calendar import (
    BusinessCalendar,
    CalendarError,
    CalendarNotCovered,
    NaiveDatetimeError,
    OnSiteHours,
    covered_years,
    is_working_day,
)

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


def test_a_date_outside_the_packages_data_fails_loudly() -> None:
    beyond = dt.date(covered_years().stop, 3, 2)
    with pytest.raises(CalendarNotCovered, match=str(beyond.year)):
        is_working_day(beyond)
    with pytest.raises(CalendarNotCovered):
        CAL.is_on_site(at(beyond, 10))


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
