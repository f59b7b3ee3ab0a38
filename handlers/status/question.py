"""A status question as a typed value: what is asked (one ticket, my tickets, a list, a count, who
is on duty) and the filters, read from Rasa's entities and a few words of the text.

Rasa gives the things named in the question — ticket numbers, periods, dates, severities, kinds,
open/overdue, departments (``nlu/data/status_*.yml``) — already in canonical form (``last_week``,
``urgent``). What the question asks for is read here from short word lists, Chinese and English,
because it is a handful of words and decides nothing about the data. A question that names too
little to be answered without guessing is marked ``unclear``; the handler then asks once.

A question travels on a clarifying button as its ref (:meth:`StatusQuestion.encode`), so the
button answers the question with the one thing it lacked, without parsing it again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Any

from handlers.numerals import chinese_number
from nlu.client import Entity

__all__ = [
    "PERIODS",
    "Period",
    "Shape",
    "StatusQuestion",
    "parse_question",
    "period_bounds",
    "ticket_number",
]


class Shape(StrEnum):
    TICKET = "ticket"  # one ticket: where it stands, who has it
    MINE = "mine"  # the asker's own tickets (a list, or a count with ``count``)
    LIST = "list"  # tickets across people
    COUNT = "count"  # how many, across people
    DUTY = "duty"  # who is on duty
    UNCLEAR = "unclear"  # not enough to answer without guessing: ask once


PERIODS = ("today", "yesterday", "this_week", "last_week", "this_month", "last_month", "this_year")
SEVERITIES = ("urgent", "high", "normal", "hardware")
KINDS = ("incident", "howto", "status", "complaint", "purchase", "unknown")
STATES = ("open", "overdue")
GROUPS = ("severity", "kind", "department")


@dataclass(frozen=True)
class Period:
    """A named period (``this_month``) or a range of days; ``first`` and ``last`` are both days in it."""

    name: str  # one of PERIODS, or "range"
    first: date
    last: date

    def bounds(self, zone: tzinfo) -> tuple[datetime, datetime]:
        """[start, end) as aware datetimes: midnight of the first day to midnight after the last, in
        the contract's zone."""
        start = datetime.combine(self.first, time(), tzinfo=zone)
        return start, datetime.combine(self.last + timedelta(days=1), time(), tzinfo=zone)


@dataclass(frozen=True)
class StatusQuestion:
    shape: Shape
    number: int | None = None
    count: bool = False  # with MINE: how many, not which
    period: str | None = None  # one of PERIODS, or "range" with ``first`` and ``last``
    first: str | None = None  # ISO dates of a range
    last: str | None = None
    severity: str | None = None
    kind: str | None = None
    department: str | None = None
    own_department: bool = False  # "我们部门": the asker's, looked up in the store
    state: str | None = None  # open | overdue
    group: str | None = None  # severity | kind | department: the breakdown asked for
    unknown_department: str | None = field(default=None, compare=False)

    def encode(self) -> str:
        """The question as a button's ref (read back from our record of the sent message)."""
        data = {k: v for k, v in asdict(self).items() if v not in (None, False) and k != "unknown_department"}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def decode(cls, ref: str) -> StatusQuestion | None:
        try:
            data: dict[str, Any] = json.loads(ref)
            data["shape"] = Shape(data["shape"])
            return cls(**data)
        except (ValueError, TypeError, KeyError):
            return None

    def with_period(self, period: str) -> StatusQuestion:
        return replace(self, period=period, first=None, last=None)

    def period_of(self, today: date) -> Period | None:
        if self.period == "range" and self.first and self.last:
            return Period("range", date.fromisoformat(self.first), date.fromisoformat(self.last))
        if self.period in PERIODS:
            first, last = period_bounds(self.period, today)
            return Period(self.period, first, last)
        return None


def period_bounds(name: str, today: date) -> tuple[date, date]:
    """The first and last day of a named period around ``today`` (weeks start on Monday)."""
    if name == "today":
        return today, today
    if name == "yesterday":
        return today - timedelta(days=1), today - timedelta(days=1)
    monday = today - timedelta(days=today.weekday())
    if name == "this_week":
        return monday, monday + timedelta(days=6)
    if name == "last_week":
        return monday - timedelta(days=7), monday - timedelta(days=1)
    first_of_month = today.replace(day=1)
    next_month = (first_of_month + timedelta(days=32)).replace(day=1)
    if name == "this_month":
        return first_of_month, next_month - timedelta(days=1)
    if name == "last_month":
        last = first_of_month - timedelta(days=1)
        return last.replace(day=1), last
    if name == "this_year":
        return today.replace(month=1, day=1), today.replace(month=12, day=31)
    raise ValueError(f"unknown period {name!r}")


# What is asked, in the words people use (Chinese, English). Entities name the things asked about.
_DUTY = re.compile(r"值班|值日|on[ -]?duty|on[ -]?call", re.IGNORECASE)
_COUNT = re.compile(
    r"几[个张台单起次件]|多少|how many|number of|count|统计|数量|汇总|总数|figures|total", re.IGNORECASE
)
_LIST = re.compile(
    r"列出|列一下|列个|哪些|哪几|有什么|清单|明细|list|which|show|看看|看下|查一下|查下|给我看", re.IGNORECASE
)
_MINE = re.compile(
    r"我的|我报|我提|我名下|我那|我有|我还有|我现在|我之前|我申请|我昨天|我上|我们的单"
    r"|\bmy\b|\bmine\b|\bi have\b|\bdo i\b",
    re.IGNORECASE,
)
_OWN_DEPARTMENT = re.compile(
    r"我们部门|我部门|本部门|我们科|our (?:department|team)|my (?:department|team)", re.IGNORECASE
)
_BY = {
    "department": re.compile(r"按部门|各部门|分部门|每个部门|by department|per department", re.IGNORECASE),
    "kind": re.compile(r"按类型|按类别|各类|分类型|by (?:kind|type)|per (?:kind|type)", re.IGNORECASE),
    "severity": re.compile(r"按级别|按等级|按严重|各级别|by (?:severity|priority)|per severity", re.IGNORECASE),
}
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_ISO_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_MONTH_DAY = re.compile(r"(\d{1,2})月(\d{1,2})")
_DAY = re.compile(r"(\d{1,2})[日号]")
_EN_DATE = re.compile(r"([a-z]{3})[a-z]*\.? (\d{1,2})(?:st|nd|rd|th)?(?:,? (\d{4}))?", re.IGNORECASE)
_BARE_DIGITS = re.compile("[零〇一二两三四五六七八九]+")
_DIGIT_OF = {c: str(i) for i, c in enumerate("零一二三四五六七八九")} | {"〇": "0", "两": "2"}


def ticket_number(value: str) -> int | None:
    """A ticket number as written: 1077, 一零七七 (digit by digit), 一千零七十七."""
    value = value.strip().lstrip("#＃ ")
    if value.isdecimal():
        return int(value)
    if _BARE_DIGITS.fullmatch(value):
        return int("".join(_DIGIT_OF[c] for c in value))
    return chinese_number(value)


def _dates(values: Iterable[str], today: date) -> list[date]:
    """The days a range names; a day alone (15日) takes the month and year of the day before it."""
    found: list[date] = []
    for value in values:
        year, month = (found[-1].year, found[-1].month) if found else (today.year, today.month)
        if m := _ISO_DATE.search(value):
            parts = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
        elif m := _MONTH_DAY.search(value):
            parts = (year, int(m.group(1)), int(m.group(2)))
        elif m := _EN_DATE.fullmatch(value.strip()):
            if m.group(1).lower() not in _MONTHS:
                continue
            named_year = int(m.group(3)) if m.group(3) else year
            parts = (named_year, _MONTHS.index(m.group(1).lower()) + 1, int(m.group(2)))
        elif m := _DAY.search(value):
            parts = (year, month, int(m.group(1)))
        else:
            continue
        try:
            day = date(*parts)
        except ValueError:
            continue
        if not found and day > today and not _ISO_DATE.search(value) and day.replace(year=day.year - 1) <= today:
            day = day.replace(year=day.year - 1)  # "12月20日" asked in January is last December
        found.append(day)
    return found


def _first(entities: Sequence[Entity], name: str, allowed: Iterable[str] | None = None) -> str | None:
    values = [e.value for e in entities if e.name == name]
    if allowed is not None:
        values = [v for v in values if v in set(allowed)]
    return values[0] if values else None


def _outermost(entities: Sequence[Entity]) -> list[Entity]:
    """Each entity once, in text order, without those inside another of the same type (the 11月1日
    of 2026年11月1日: two patterns can match one date)."""
    unique = sorted(set(entities), key=lambda e: (e.start, -e.end))
    return [
        e
        for e in unique
        if not any(o.name == e.name and o != e and o.start <= e.start and e.end <= o.end for o in unique)
    ]


def parse_question(text: str, entities: Sequence[Entity], today: date, departments: Sequence[str]) -> StatusQuestion:
    """The question ``text`` asks, from Rasa's ``entities`` and the words around them.

    ``today`` is the day in the contract's zone (for a date written without its year);
    ``departments`` are the stored directory's: a department Rasa found must be one of them, and
    one Rasa was not trained on (the directory changed since) is found by its stored name.
    """
    entities = _outermost(entities)
    tickets = [n for n in (ticket_number(e.value) for e in entities if e.name == "ticket") if n is not None]
    if tickets:
        return StatusQuestion(Shape.TICKET, number=tickets[0])
    if _DUTY.search(text):
        return StatusQuestion(Shape.DUTY)

    period = _first(entities, "period", PERIODS)
    first = last = None
    days = sorted(_dates([e.value for e in entities if e.name == "date"], today))
    if days:
        period, first, last = "range", days[0].isoformat(), days[-1].isoformat()
    states = {e.value for e in entities if e.name == "state"}
    state = "overdue" if "overdue" in states else ("open" if "open" in states else None)

    department, unknown = _first(entities, "department", departments), None
    if department is None:  # a department the model was not trained on, by its stored name
        department = next((d for d in sorted(departments, key=len, reverse=True) if d in text), None)
    if department is None:
        unknown = _first(entities, "department")  # the model knows it, the directory no longer does
    group = next((g for g, words in _BY.items() if words.search(text)), None)
    own_department = department is None and unknown is None and bool(_OWN_DEPARTMENT.search(text))

    question = StatusQuestion(
        Shape.UNCLEAR,
        period=period,
        first=first,
        last=last,
        severity=_first(entities, "severity", SEVERITIES),
        kind=_first(entities, "kind", KINDS),
        department=department,
        own_department=own_department,
        state=state,
        group=group,
        unknown_department=unknown,
    )
    counts = bool(_COUNT.search(text))
    across = question.department or own_department or unknown
    if _MINE.search(text) and not across:
        return replace(question, shape=Shape.MINE, count=counts)
    if counts or group:
        return replace(question, shape=Shape.COUNT)
    filters = (question.period, question.severity, question.kind, across, question.state)
    if _LIST.search(text) or any(filters):
        return replace(question, shape=Shape.LIST)
    return question
