"""The operator's holiday table, ``config/holidays.yaml``: days off and make-up working days (调休).

The State Council publishes each year's arrangement around November, weeks or months before a
package release carries it; this table lets an operator type it in on the day it is published.
A year listed here wins over every package. The file is validated when the bot starts, and every
problem names its line, so a mistyped date stops start-up instead of paging the wrong people.

The shape, per year::

    2026:
      notice: 国务院办公厅关于2026年部分节假日安排的通知
      published: 2025-11-04
      days_off:
        - {name: 春节, from: 2026-02-15, to: 2026-02-23}
      make_up_days: [2026-02-14, 2026-02-28]

A day off may start in the previous December (元旦 sometimes does); a make-up working day is
always a Saturday or a Sunday.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = ["HolidayTable", "HolidayTableError", "TableYear", "load_holiday_table", "parse_holiday_table"]

_YEAR_KEYS = {"notice", "published", "url", "days_off", "make_up_days"}
_DAY_OFF_KEYS = {"name", "from", "to"}


class HolidayTableError(ValueError):
    """The holiday table is not YAML or not valid; the message names the file and line of each problem."""


@dataclass(frozen=True)
class TableYear:
    """One year as the State Council's notice gives it."""

    year: int
    notice: str
    published: dt.date | None
    url: str | None
    days_off: Mapping[dt.date, str]  # every day off, weekends inside a holiday included, with its name
    make_up_days: frozenset[dt.date]


@dataclass(frozen=True)
class HolidayTable:
    """The years the operator typed in, by year. Empty when there is no file."""

    years: Mapping[int, TableYear]
    path: Path | None = None


class _Reader:
    """Walks the YAML node tree (not the loaded data) so that each problem can name its line."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []

    def problem(self, node: Node, text: str) -> None:
        self.problems.append(f"{self.source}:{node.start_mark.line + 1}: {text}")

    def date(self, node: Node, what: str) -> dt.date | None:
        if not isinstance(node, ScalarNode):
            self.problem(node, f"{what}: expected a date like 2027-01-01")
            return None
        try:
            return dt.date.fromisoformat(str(node.value))
        except ValueError:
            self.problem(node, f"{what}: {node.value!r} is not a date (YYYY-MM-DD)")
            return None

    def text(self, node: Node, what: str) -> str | None:
        if not isinstance(node, ScalarNode) or not str(node.value).strip():
            self.problem(node, f"{what}: expected text")
            return None
        return str(node.value).strip()

    def mapping(self, node: Node, what: str, allowed: set[str]) -> dict[str, tuple[Node, Node]]:
        if not isinstance(node, MappingNode):
            self.problem(node, f"{what}: expected a mapping")
            return {}
        found: dict[str, tuple[Node, Node]] = {}
        for key, value in node.value:
            name = str(key.value) if isinstance(key, ScalarNode) else "?"
            if name not in allowed:
                self.problem(key, f"{what}: unknown key {name!r} (expected one of {', '.join(sorted(allowed))})")
            elif name in found:
                self.problem(key, f"{what}: {name!r} given twice")
            else:
                found[name] = (key, value)
        return found

    def sequence(self, node: Node, what: str) -> list[Node]:
        if not isinstance(node, SequenceNode):
            self.problem(node, f"{what}: expected a list")
            return []
        return list(node.value)

    def year(self, key: Node, body: Node) -> TableYear | None:
        try:
            year = int(str(key.value)) if isinstance(key, ScalarNode) else 0
        except ValueError:
            year = 0
        if not 2000 <= year <= 2100:
            self.problem(key, f"{getattr(key, 'value', key)!r} is not a year")
            return None
        fields = self.mapping(body, str(year), _YEAR_KEYS)
        notice = self.text(fields["notice"][1], f"{year}.notice") if "notice" in fields else None
        if "notice" not in fields:
            self.problem(body, f"{year}: name the State Council notice the dates come from (notice: ...)")
        published = self.date(fields["published"][1], f"{year}.published") if "published" in fields else None
        url = self.text(fields["url"][1], f"{year}.url") if "url" in fields else None
        days_off = self._days_off(year, fields["days_off"][1]) if "days_off" in fields else {}
        make_up: dict[dt.date, Node] = {}
        for node in (
            self.sequence(fields["make_up_days"][1], f"{year}.make_up_days") if "make_up_days" in fields else []
        ):
            day = self._in_year(year, node, self.date(node, f"{year}.make_up_days"))
            if day is None:
                continue
            if day.weekday() < 5:
                self.problem(node, f"{day} is a weekday; a make-up working day (调休上班) is a Saturday or Sunday")
            elif day in days_off:
                self.problem(node, f"{day} is listed as a day off too")
            elif day in make_up:
                self.problem(node, f"{day} is listed twice")
            make_up[day] = node
        if notice is None:
            return None
        return TableYear(year, notice, published, url, days_off, frozenset(make_up))

    def _days_off(self, year: int, node: Node) -> dict[dt.date, str]:
        days: dict[dt.date, str] = {}
        for item in self.sequence(node, f"{year}.days_off"):
            fields = self.mapping(item, f"{year}.days_off", _DAY_OFF_KEYS)
            missing = sorted(_DAY_OFF_KEYS - fields.keys())
            if missing:
                self.problem(item, f"{year}.days_off: missing {', '.join(missing)}")
                continue
            name = self.text(fields["name"][1], f"{year}.days_off.name")
            first = self._in_year(year, fields["from"][1], self.date(fields["from"][1], f"{year}.days_off.from"))
            last = self._in_year(year, fields["to"][1], self.date(fields["to"][1], f"{year}.days_off.to"))
            if name is None or first is None or last is None:
                continue
            if last < first:
                self.problem(fields["to"][1], f"{name}: ends ({last}) before it starts ({first})")
                continue
            if (last - first).days > 14:
                self.problem(fields["to"][1], f"{name}: {first}–{last} is longer than any statutory holiday")
                continue
            day = first
            while day <= last:
                if day in days:
                    self.problem(item, f"{name}: {day} is already a day off ({days[day]})")
                    break
                days[day] = name
                day += dt.timedelta(days=1)
        return days

    def _in_year(self, year: int, node: Node, day: dt.date | None) -> dt.date | None:
        """A date of `year`, or of the December before it (a New Year holiday may start there)."""
        if day is None:
            return None
        if day.year == year or (day.year == year - 1 and day.month == 12):
            return day
        self.problem(node, f"{day} is not in {year} (only {year} and the December before it)")
        return None


def _empty(node: Node | None) -> bool:
    return node is None or (isinstance(node, ScalarNode) and node.value in ("", "~", "null"))


def parse_holiday_table(text: str, source: str = "holidays.yaml") -> HolidayTable:
    """Validate the text of a holiday table. Raises `HolidayTableError` listing every problem by line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise HolidayTableError(f"{source}: not valid YAML: {exc}") from exc
    reader = _Reader(source)
    years: dict[int, TableYear] = {}
    node: Node | None = None
    if root is not None and not _empty(root):
        node = reader.mapping(root, "holiday table", {"years"}).get("years", (root, None))[1]
    if node is not None and not _empty(node):
        if not isinstance(node, MappingNode):
            reader.problem(node, "years: expected a mapping of year to its notice")
        else:
            seen: set[str] = set()
            for key, body in node.value:
                name = str(getattr(key, "value", ""))
                if name in seen:
                    reader.problem(key, f"year {name} is given twice")
                    continue
                seen.add(name)
                entry = reader.year(key, body)
                if entry is not None:
                    years[entry.year] = entry
    if reader.problems:
        raise HolidayTableError("invalid holiday table:\n  " + "\n  ".join(reader.problems))
    return HolidayTable(years)


def load_holiday_table(path: Path) -> HolidayTable:
    """Read and validate the table; a missing file is an empty table (every year then comes from packages)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return HolidayTable({}, path)
    except OSError as exc:
        raise HolidayTableError(f"cannot read {path}: {exc}") from exc
    table = parse_holiday_table(text, str(path))
    return HolidayTable(table.years, path)
