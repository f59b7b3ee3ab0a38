"""The month a report covers, on the contract's clock, and the day the monthly report goes out.

A month is local: November in Asia/Shanghai begins at 2026-11-01 00:00 +08:00, so a ticket opened
at 23:30 on 31 October local time (15:30 UTC) belongs to October whatever the server's zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from handlers.paging.calendar import BusinessCalendar

__all__ = ["Month", "MonthError", "first_working_day", "monthly_push_at"]

_MONTH = re.compile(r"(\d{4})-(\d{1,2})")


class MonthError(ValueError):
    """A month that cannot be read (``2026-13``, ``November``)."""


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1950 <= self.year <= 2100:
            raise MonthError(f"no such month: {self.year}-{self.month}")

    @classmethod
    def parse(cls, text: str) -> Month:
        """``2026-11`` (or ``2026-1``) → Month; ``MonthError`` for anything else."""
        found = _MONTH.fullmatch(text.strip())
        if found is None:
            raise MonthError(f"{text!r}: give a month as YYYY-MM, e.g. 2026-11")
        return cls(int(found.group(1)), int(found.group(2)))

    @classmethod
    def of(cls, at: datetime, zone: tzinfo) -> Month:
        local = at.astimezone(zone)
        return cls(local.year, local.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def days(self) -> list[date]:
        day, end = self.first_day, self.next().first_day
        result = []
        while day < end:
            result.append(day)
            day += timedelta(days=1)
        return result

    def bounds(self, zone: tzinfo) -> tuple[datetime, datetime]:
        """``[start, end)`` of the month as aware instants in ``zone``."""
        return (
            datetime.combine(self.first_day, time(0), tzinfo=zone),
            datetime.combine(self.next().first_day, time(0), tzinfo=zone),
        )


def first_working_day(month: Month, calendar: BusinessCalendar) -> date:
    """The month's first working day (调休 make-up days count, holidays do not)."""
    for day in month.days():
        if calendar.is_working_day(day):
            return day
    raise ValueError(f"{month} has no working day")


def monthly_push_at(month: Month, calendar: BusinessCalendar) -> datetime:
    """When the report of the month before ``month`` goes out: on-site start of its first working day."""
    day = first_working_day(month, calendar)
    return datetime.combine(day, calendar.hours.start, tzinfo=calendar.zone)
