"""The business calendar: which days are working days and when the engineers are on site.

The service contract is "on-site 5x8": engineers are at the customer's office on Chinese working
days during on-site hours, and the on-call engineer and the hotline cover the rest. Working days
follow the statutory holidays and make-up working weekends (调休) the State Council announces each
year, read from three places in turn, per year:

1. **the table** — the operator's `config/holidays.yaml`, typed in from the notice when it is
   published (see `handlers.paging.holiday_table`);
2. **the package** — `chinese-calendar`, which gains each year's data a while after the notice;
3. **an estimate** — for a year neither knows: weekends plus the statutory days the `holidays`
   package computes for China (lunar festivals included, a holiday on a weekend moved to the next
   weekday). `holidays` names make-up working days only inside the label of a day off, and only for
   years whose notice it carries, so an estimated year has *no* make-up working days. The first use
   of an estimated year logs a warning; `helpdesk calendar check YEAR` exits non-zero for it.

Paging never stops for want of a calendar: every year from 1950 to 2100 has an answer.

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
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar

from core.clock import DEFAULT_TIMEZONE
from handlers.paging.holiday_table import HolidayTable, HolidayTableError, load_holiday_table

__all__ = [
    "BusinessCalendar",
    "CalendarError",
    "CalendarNotCovered",
    "CalendarYear",
    "DataSource",
    "HolidayTableError",
    "NaiveDatetimeError",
    "OnSiteHours",
    "WorkingDays",
    "covered_years",
    "default_working_days",
    "is_working_day",
]

log = logging.getLogger(__name__)

_DAY = dt.timedelta(days=1)
DEFAULT_TABLE = Path(__file__).resolve().parents[2] / "config" / "holidays.yaml"


class CalendarError(ValueError):
    """Base of the calendar's errors."""


class CalendarNotCovered(CalendarError):
    """Not even an estimate exists for the date (before 1950 or after 2100)."""


class NaiveDatetimeError(CalendarError):
    """A datetime without a time zone was given where an instant is needed."""


class DataSource(StrEnum):
    """Where a year's days off and make-up days come from, most trusted first."""

    TABLE = "table"
    PACKAGE = "chinese-calendar"
    ESTIMATE = "estimate"


@dataclass(frozen=True)
class CalendarYear:
    """One year's days off (with their names) and make-up working days, and where they come from.

    `days_off` lists every day off the source names, weekends inside a holiday included; for the
    table it may hold days of the December before, as the notice does.
    """

    year: int
    source: DataSource
    origin: str  # the notice's title, or the package and its version
    days_off: Mapping[dt.date, str]
    make_up_days: frozenset[dt.date]

    @property
    def estimated(self) -> bool:
        return self.source is DataSource.ESTIMATE

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.make_up_days:
            return True
        return day.weekday() < 5 and day not in self.days_off


class WorkingDays:
    """Which days are working days: the table, then `chinese-calendar`, then an estimate.

    Each year is resolved once and kept; the estimate's warning is logged once per year.
    """

    def __init__(self, table: HolidayTable | None = None) -> None:
        self.table = table or HolidayTable({})
        self._years: dict[int, CalendarYear] = {}

    def is_working_day(self, day: dt.date) -> bool:
        """Whether `day` is a working day in mainland China, 调休 make-up weekends included."""
        if isinstance(day, dt.datetime):
            raise TypeError("is_working_day takes a date; use BusinessCalendar for an instant")
        return self.year(day.year).is_working_day(day)

    def year(self, year: int) -> CalendarYear:
        """The year's calendar; raises `CalendarNotCovered` only outside 1950–2100."""
        found = self._years.get(year)
        if found is None:
            found = self._years[year] = self._resolve(year)
        return found

    def covered_years(self) -> range:
        """The unbroken run of years known from published notices (table or package), oldest first."""
        known = set(self.table.years) | set(_package_years())
        first = min(known)
        last = first
        while last + 1 in known:
            last += 1
        return range(first, last + 1)

    def _resolve(self, year: int) -> CalendarYear:
        entry = self.table.years.get(year)
        if entry is not None:
            base = CalendarYear(year, DataSource.TABLE, entry.notice, entry.days_off, entry.make_up_days)
        elif year in _package_years():
            base = _package_year(year)
        else:
            base = _estimate(year)
            log.warning(
                "the working-day calendar for %d is an estimate (weekends and statutory days from the "
                "holidays package, no make-up working days): add the State Council's %d notice to %s",
                year,
                year,
                self.table.path or "config/holidays.yaml",
            )
        spill = self.table.years.get(year + 1)  # next year's notice may give days of this December
        if spill is None:
            return base
        days_off = dict(base.days_off) | {d: n for d, n in spill.days_off.items() if d.year == year}
        make_up = base.make_up_days | {d for d in spill.make_up_days if d.year == year}
        return CalendarYear(year, base.source, base.origin, days_off, frozenset(make_up))


@cache
def _package_years() -> range:
    known = list(chinese_calendar.holidays) + list(chinese_calendar.workdays)
    return range(min(d.year for d in known), max(d.year for d in known) + 1)


def _package_year(year: int) -> CalendarYear:
    days_off = {d: _chinese_name(name) for d, name in chinese_calendar.holidays.items() if d.year == year}
    make_up = frozenset(d for d in chinese_calendar.workdays if d.year == year)
    origin = f"chinese-calendar {chinese_calendar.__version__}"
    return CalendarYear(year, DataSource.PACKAGE, origin, days_off, make_up)


def _chinese_name(english: str) -> str:
    try:
        return str(chinese_calendar.Holiday(english).chinese)
    except ValueError:
        return english


def _estimate(year: int) -> CalendarYear:
    import holidays  # only needed for a year no notice covers

    if not holidays.China.start_year <= year <= holidays.China.end_year:
        raise CalendarNotCovered(f"{year}: no holiday data and no estimate (holidays covers 1950–2100)")
    days_off = dict(holidays.China(years=year, language="zh_CN"))
    origin = f"holidays {holidays.__version__}"
    return CalendarYear(year, DataSource.ESTIMATE, origin, days_off, frozenset())


@cache
def default_working_days() -> WorkingDays:
    """The working days from the repository's `config/holidays.yaml`, for callers without a contract."""
    return WorkingDays(load_holiday_table(DEFAULT_TABLE))


def covered_years() -> range:
    """The unbroken run of years the default calendar knows from published notices."""
    return default_working_days().covered_years()


def is_working_day(day: dt.date) -> bool:
    """Whether `day` is a working day in mainland China, 调休 make-up weekends included.

    A year no notice covers is estimated (and a warning logged once); see the module docstring.
    """
    return default_working_days().is_working_day(day)


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
    zone: str = DEFAULT_TIMEZONE

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
    days: WorkingDays = field(default_factory=default_working_days)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.hours.zone)

    def local(self, at: dt.datetime) -> dt.datetime:
        """`at` in the calendar's zone; refuses naive datetimes."""
        _require_aware(at)
        return at.astimezone(self.zone)

    def is_working_day(self, day: dt.date) -> bool:
        return self.days.is_working_day(day)

    def is_on_site(self, at: dt.datetime) -> bool:
        """Whether the SLA clock runs at `at`: a working day, in on-site hours, not in a break."""
        here = self.local(at)
        if not self.days.is_working_day(here.date()):
            return False
        now = here.timetz().replace(tzinfo=None)
        return any(begin <= now < finish for begin, finish in self.hours.periods())

    def is_after_hours(self, at: dt.datetime) -> bool:
        """Whether `at` is outside on-site hours or on a non-working day.

        A break (lunch) is not after hours: the on-duty engineers are on site and get the page.
        """
        here = self.local(at)
        if not self.days.is_working_day(here.date()):
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
            if self.days.is_working_day(day):
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
        """
        if amount < dt.timedelta():
            raise CalendarError(f"cannot add negative on-site time {amount}")
        here = self.local(start)
        if amount == dt.timedelta():
            return here
        remaining = amount
        day = here.date()
        while True:
            if self.days.is_working_day(day):
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
            if self.days.is_working_day(day):
                for begin, finish in self.hours.periods():
                    lo = max(first, self._combine(day, begin))
                    hi = min(last, self._combine(day, finish))
                    if lo < hi:
                        total += hi - lo
            day += _DAY
        return total

    def _combine(self, day: dt.date, clock: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, clock, tzinfo=self.zone)
