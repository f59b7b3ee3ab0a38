"""The business calendar: which days are working days and when the engineers are on site.

The service contract is "on-site 5x8": engineers are at the customer's office on Chinese working
days during on-site hours, and the on-call engineer and the hotline cover the rest. Working days
come from the `chinese-calendar` package, which knows the statutory holidays and the make-up
working weekends (调休) the State Council announces each year. The package only has data for the
years it was released for; a date outside them raises `CalendarNotCovered` instead of guessing,
because guessing would silently page the wrong people or miscount an SLA clock on a holiday.

Three states for any instant, all judged in the calendar's time zone (Asia/Shanghai by default):

- **on site** — a working day, inside on-site hours and not in a break: SLA clocks run.
- **break** — a working day, inside on-site hours but in a break (lunch): the clock pauses, but it
  is *not* after hours; the on-duty engineers are still the ones to page.
- **after hours** — not a working day, or outside on-site hours: the on-call engineer covers.

Every function takes timezone-aware datetimes and refuses naive ones (`NaiveDatetimeError`): a
naive time from a server in UTC would be eight hours off, and nothing would look wrong.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from zoneinfo import ZoneInfo

import chinese_calendar

__all__ = [
    "BusinessCalendar",
    "CalendarError",
    "CalendarNotCovered",
    "NaiveDatetimeError",
    "OnSiteHours",
    "covered_years",
    "is_working_day",
]

_DAY = dt.timedelta(days=1)


class CalendarError(ValueError):
    """Base of the calendar's errors."""


class CalendarNotCovered(CalendarError):
    """The date lies outside the years the installed `chinese-calendar` has holiday data for.

    Upgrade the package (it gains a year's data each winter) rather than catching this.
    """


class NaiveDatetimeError(CalendarError):
    """A datetime without a time zone was given where an instant is needed."""


@cache
def covered_years() -> range:
    """The years the installed `chinese-calendar` knows holidays and make-up days for."""
    known = list(chinese_calendar.holidays) + list(chinese_calendar.workdays)
    return range(min(d.year for d in known), max(d.year for d in known) + 1)


def is_working_day(day: dt.date) -> bool:
    """Whether `day` is a working day in mainland China, 调休 make-up weekends included.

    Raises `CalendarNotCovered` for a year the installed package has no data for.
    """
    if isinstance(day, dt.datetime):
        raise TypeError("is_working_day takes a date; use BusinessCalendar for an instant")
    years = covered_years()
    if day.year not in years:
        raise CalendarNotCovered(
            f"{day.isoformat()}: chinese-calendar {chinese_calendar.__version__} has holiday "
            f"data only for {years.start}–{years.stop - 1}; upgrade it"
        )
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError as exc:  # the package's own range check, kept as a backstop
        raise CalendarNotCovered(f"{day.isoformat()}: {exc}") from exc


def _require_aware(at: dt.datetime) -> None:
    if at.tzinfo is None or at.tzinfo.utcoffset(at) is None:
        raise NaiveDatetimeError(f"{at.isoformat()} has no time zone; pass an aware datetime")


@dataclass(frozen=True)
class OnSiteHours:
    """When engineers are on site on a working day, and the breaks inside that window.

    Defaults are the contract's: 09:00–17:30 with lunch 12:00–13:00, Asia/Shanghai.
    """

    start: dt.time = dt.time(9, 0)
    end: dt.time = dt.time(17, 30)
    breaks: tuple[tuple[dt.time, dt.time], ...] = ((dt.time(12, 0), dt.time(13, 0)),)
    zone: str = "Asia/Shanghai"

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise CalendarError(f"on-site hours: start {self.start} must be before end {self.end}")
        previous = self.start
        for begin, finish in self.breaks:
            if not previous <= begin < finish <= self.end:
                raise CalendarError(
                    f"on-site hours: break {begin}–{finish} must lie inside "
                    f"{self.start}–{self.end}, in order and not overlapping"
                )
            previous = finish
        ZoneInfo(self.zone)  # fail at start-up on a misspelt zone

    def periods(self) -> tuple[tuple[dt.time, dt.time], ...]:
        """The on-site periods of one working day, breaks cut out, in order."""
        result: list[tuple[dt.time, dt.time]] = []
        begin = self.start
        for break_start, break_end in self.breaks:
            if begin < break_start:
                result.append((begin, break_start))
            begin = break_end
        if begin < self.end:
            result.append((begin, self.end))
        return tuple(result)


@dataclass(frozen=True)
class BusinessCalendar:
    """Working days plus on-site hours: the clock the contract's promises are measured on.

    Results are returned in the calendar's zone; inputs may be in any zone.
    """

    hours: OnSiteHours = field(default_factory=OnSiteHours)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.hours.zone)

    def local(self, at: dt.datetime) -> dt.datetime:
        """`at` in the calendar's zone; refuses naive datetimes."""
        _require_aware(at)
        return at.astimezone(self.zone)

    def is_working_day(self, day: dt.date) -> bool:
        return is_working_day(day)

    def is_on_site(self, at: dt.datetime) -> bool:
        """Whether the SLA clock runs at `at`: a working day, in on-site hours, not in a break."""
        here = self.local(at)
        if not is_working_day(here.date()):
            return False
        now = here.timetz().replace(tzinfo=None)
        return any(begin <= now < finish for begin, finish in self.hours.periods())

    def is_after_hours(self, at: dt.datetime) -> bool:
        """Whether `at` is outside on-site hours or on a non-working day.

        A break (lunch) is not after hours: the on-duty engineers are on site and get the page.
        """
        here = self.local(at)
        if not is_working_day(here.date()):
            return True
        now = here.timetz().replace(tzinfo=None)
        return not self.hours.start <= now < self.hours.end

    def on_site_day_length(self) -> dt.timedelta:
        """The on-site time in one working day (7.5 hours by default)."""
        return sum(
            (
                self._combine(dt.date(2000, 1, 1), b) - self._combine(dt.date(2000, 1, 1), a)
                for a, b in self.hours.periods()
            ),
            dt.timedelta(),
        )

    def next_on_site_start(self, at: dt.datetime) -> dt.datetime:
        """The moment on-site time next runs: `at` itself if on site, else the next period start.

        After 17:30 on a Friday before an ordinary weekend this is Monday 09:00; during lunch it is
        13:00. This is when a held notice is delivered and when an SLA clock started after hours
        begins to count.
        """
        here = self.local(at)
        day = here.date()
        for _ in range(400):
            if is_working_day(day):
                for begin, finish in self.hours.periods():
                    period_start = self._combine(day, begin)
                    period_end = self._combine(day, finish)
                    if here < period_end:
                        return max(here, period_start)
            day += _DAY
        raise CalendarError(f"no working day within 400 days after {here.isoformat()}")

    def add_on_site_time(self, start: dt.datetime, amount: dt.timedelta) -> dt.datetime:
        """The instant when `amount` of on-site time has passed since `start`.

        Time outside on-site hours, in breaks and on non-working days does not count. A clock
        started after hours begins at the next on-site start. The result may be a period's end
        (17:30) rather than the next morning when the amount runs out exactly there.
        Raises `CalendarNotCovered` if the count runs past the package's data.
        """
        if amount < dt.timedelta():
            raise CalendarError(f"cannot add negative on-site time {amount}")
        here = self.local(start)
        if amount == dt.timedelta():
            return here
        remaining = amount
        day = here.date()
        while True:
            if is_working_day(day):
                for begin, finish in self.hours.periods():
                    period_start = max(here, self._combine(day, begin))
                    period_end = self._combine(day, finish)
                    if period_start >= period_end:
                        continue
                    available = period_end - period_start
                    if remaining <= available:
                        return period_start + remaining
                    remaining -= available
            day += _DAY

    def on_site_time_between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """How much on-site time lies between two instants (zero if `end` is not after `start`)."""
        first, last = self.local(start), self.local(end)
        total = dt.timedelta()
        day = first.date()
        while day <= last.date():
            if is_working_day(day):
                for begin, finish in self.hours.periods():
                    lo = max(first, self._combine(day, begin))
                    hi = min(last, self._combine(day, finish))
                    if lo < hi:
                        total += hi - lo
            day += _DAY
        return total

    def _combine(self, day: dt.date, clock: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, clock, tzinfo=self.zone)
