"""Dates, times, lists and amounts for the reader's language, through Babel.

The patterns come from the catalog (``format_day_time``…: ``M月d日 HH:mm`` in Chinese,
``MMM d, HH:mm`` in English), the month and weekday names from Babel's CLDR data for the
language's locale. A time is shown in the contract's zone, which the caller passes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, tzinfo

from babel.dates import format_datetime
from babel.lists import format_list as _cldr_list

from i18n.catalog import language, locale, say, text

__all__ = ["clock_time", "day", "format_list", "weekday_time", "yuan"]

# CLDR's Chinese "and" list ends in 和 (陈工、刘工和王工); the helpdesk's Chinese names people and
# items as a roll, 陈工、刘工、王工, as its texts always have. Other languages use CLDR's list.
_ROLL_SEPARATOR = {"zh": "、"}


def clock_time(lang: str, at: datetime, zone: tzinfo, now: datetime | None = None) -> str:
    """``10:32`` for a time on the same local day as ``now``; otherwise with the day:
    ``11月24日 10:32`` for a Chinese reader, ``Nov 24, 10:32`` for an English one."""
    local = at.astimezone(zone)
    same_day = now is not None and now.astimezone(zone).date() == local.date()
    return _format(lang, local, "format_time" if same_day else "format_day_time")


def weekday_time(lang: str, at: datetime, zone: tzinfo) -> str:
    """``4月22日 周二 17:30`` / ``Tue, Apr 22, 17:30``: a time with its day and weekday."""
    return _format(lang, at.astimezone(zone), "format_weekday_time")


def day(lang: str, value: date) -> str:
    """``11月24日`` / ``Nov 24``: a day without its time (the catalog's ``format_day``)."""
    return format_datetime(datetime.combine(value, time()), text(lang, "format_day"), locale=locale(lang))


def format_list(lang: str, items: Iterable[str]) -> str:
    """``陈工、刘工、王工`` / ``Chen, Liu, and Wang``: items joined for the reader."""
    items = list(items)
    separator = _ROLL_SEPARATOR.get(language(lang))
    if separator is not None:
        return separator.join(items)
    return _cldr_list(items, locale=locale(lang))


def yuan(fen: int | None, lang: str = "zh") -> str:
    """An amount for people: ¥8,999 or ¥12.50 (``not_given`` when there is none)."""
    if fen is None:
        return say(lang, "not_given")
    return f"¥{fen // 100:,}" if fen % 100 == 0 else f"¥{fen / 100:,.2f}"


def _format(lang: str, local: datetime, pattern_key: str) -> str:
    return format_datetime(local, text(lang, pattern_key), tzinfo=local.tzinfo, locale=locale(lang))
