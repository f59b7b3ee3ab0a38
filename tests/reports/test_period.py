"""Months on the contract's clock, and the first working day the monthly report goes out on."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from handlers.paging.calendar import BusinessCalendar
from reports import Month, MonthError, first_working_day, monthly_push_at

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_month_is_local_to_the_contract_zone() -> None:
    start, end = Month(2026, 11).bounds(SHANGHAI)
    assert start == datetime(2026, 11, 1, tzinfo=SHANGHAI) and end == datetime(2026, 12, 1, tzinfo=SHANGHAI)
    # 15:30 UTC on 31 October is 23:30 in Shanghai: still October.
    assert Month.of(datetime(2026, 10, 31, 15, 30, tzinfo=ZoneInfo("UTC")), SHANGHAI) == Month(2026, 10)
    assert Month(2026, 12).next() == Month(2027, 1) and Month(2027, 1).previous() == Month(2026, 12)


@pytest.mark.parametrize("text", ["2026-13", "November", "26-11", ""])
def test_a_month_that_cannot_be_read_is_refused(text: str) -> None:
    with pytest.raises(MonthError):
        Month.parse(text)


@pytest.mark.parametrize(
    ("month", "day"),
    [
        (Month(2026, 1), date(2026, 1, 4)),  # 元旦 1–3 January; Sunday the 4th is a make-up working day (调休)
        (Month(2026, 10), date(2026, 10, 8)),  # 国庆 1–7 October
        (Month(2026, 12), date(2026, 12, 1)),  # an ordinary Tuesday
        (Month(2026, 11), date(2026, 11, 2)),  # the 1st is a Sunday
    ],
)
def test_the_first_working_day_follows_the_holidays_and_make_up_days(month: Month, day: date) -> None:
    calendar = BusinessCalendar()
    assert first_working_day(month, calendar) == day
    assert monthly_push_at(month, calendar) == datetime.combine(day, calendar.hours.start, tzinfo=SHANGHAI)
