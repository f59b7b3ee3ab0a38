"""``helpdesk calendar check YEAR``: where a year's working days come from, and what they are.

Exits 0 when a published notice covers the year (the operator's table or `chinese-calendar`),
1 when the year is only an estimate — so CI or an operator's cron job sees in November that the
next year's notice must be added to ``config/holidays.yaml`` — and 2 when the table is invalid.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from config.settings import ConfigError, load_settings
from handlers.paging.calendar import CalendarNotCovered, CalendarYear, DataSource, WorkingDays
from handlers.paging.holiday_table import HolidayTableError, load_holiday_table

_WEEKDAYS = "一二三四五六日"

EXIT_COVERED = 0
EXIT_ESTIMATED = 1
EXIT_INVALID = 2


def cmd_calendar_check(args: argparse.Namespace) -> int:
    settings = load_settings(Path(args.config) if args.config else None, env=os.environ)
    table_path = settings.path(settings.holidays_file)
    try:
        days = WorkingDays(load_holiday_table(table_path))
        year = days.year(args.year)
    except (HolidayTableError, CalendarNotCovered) as exc:
        raise ConfigError(str(exc)) from exc
    print_year(year, days, sys.stdout)
    return EXIT_ESTIMATED if year.estimated else EXIT_COVERED


def print_year(year: CalendarYear, days: WorkingDays, out: TextIO) -> None:
    """The year's source on the first line, then its days off (as ranges) and make-up working days."""
    table_path = days.table.path or "config/holidays.yaml"
    entry = days.table.years.get(year.year)
    if year.source is DataSource.TABLE and entry is not None:
        out.write(f"{year.year}: table {table_path} — {entry.notice}\n")
        if entry.published or entry.url:
            out.write(f"  published {entry.published or '?'}  {entry.url or ''}\n".rstrip() + "\n")
    elif year.source is DataSource.PACKAGE:
        out.write(f"{year.year}: {year.origin} (not in {table_path})\n")
    else:
        out.write(
            f"{year.year}: ESTIMATE — no notice in {table_path} or chinese-calendar; "
            f"weekends and the statutory days of {year.origin}, no make-up working days known.\n"
            f"Add the State Council's {year.year} notice (国务院办公厅关于{year.year}年部分节假日安排的通知) "
            f"to {table_path}.\n"
        )
    out.write("days off:\n")
    for first, last, name in _ranges(year.days_off):
        span = _day(first) if first == last else f"{_day(first)} – {_day(last)}, {(last - first).days + 1} days"
        out.write(f"  {span}  {name}\n")
    if year.make_up_days:
        out.write("make-up working days (调休上班):\n")
        for day in sorted(year.make_up_days):
            out.write(f"  {_day(day)}\n")
    else:
        out.write("make-up working days (调休上班): none\n")


def _day(day: dt.date) -> str:
    return f"{day.isoformat()} 周{_WEEKDAYS[day.weekday()]}"


def _ranges(days_off: Mapping[dt.date, str]) -> list[tuple[dt.date, dt.date, str]]:
    """Consecutive days off with the same name joined into one range, in date order."""
    ranges: list[tuple[dt.date, dt.date, str]] = []
    for day, name in sorted(days_off.items()):
        if ranges and ranges[-1][2] == name and ranges[-1][1] + dt.timedelta(days=1) == day:
            ranges[-1] = (ranges[-1][0], day, name)
        else:
            ranges.append((day, day, name))
    return ranges
