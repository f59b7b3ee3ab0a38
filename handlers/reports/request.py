"""A request for the monthly report, recognised by its words before triage (no NLU needed):

    发我上个月的月报 · 上月月报 · 2026年11月的月报 · 11月份月报 · 本月的月度报告
    send me last month's report · monthly report for 2026-11 · this month's report
    /report · /report 2026-11

The whole message must be the request (an optional verb, a period, the word for the report), so a
fault report that mentions one ("月报打印不出来") is never taken for it. No period means last month.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo

from reports import Month, MonthError

__all__ = ["MonthError", "ReportRequest", "parse_report_request"]

_TRAILING = "？?。.!！~～ \t\n"
_ZH = re.compile(
    r"(?:请|麻烦)?(?:你)?(?:把|给我|帮我)?(?:发|发给|给|要|看|看看|导出|生成|下载|来|查看)?(?:给)?(?:我|一下|一份|下)*"
    r"(?P<period>上个?月|本月|这个月|\d{4}\s*年\s*\d{1,2}\s*月份?|\d{1,2}\s*月份?|\d{4}-\d{1,2})?"
    r"(?:的)?(?:工作)?(?:月报|月度报告|月工作报告)(?:表)?(?:吧|呢|给我|发我)?"
)
_EN = re.compile(
    r"(?:please\s+)?(?:(?:send|give|show|get)\s+(?:me\s+)?)?(?:the\s+)?"
    r"(?P<period>last\s+month'?s?|this\s+month'?s?|\d{4}-\d{1,2})?\s*(?P<monthly>monthly\s+)?report"
    r"(?:\s+(?:for|of)\s+(?P<for>last\s+month|this\s+month|\d{4}-\d{1,2}))?(?:\s*,?\s*please)?",
    re.IGNORECASE,
)
_COMMAND = re.compile(r"/report(?:\s+(?P<period>\d{4}-\d{1,2}))?", re.IGNORECASE)


@dataclass(frozen=True)
class ReportRequest:
    period: str | None  # as written (上个月, 2026-11, this month's…); None: last month

    def month(self, now: datetime, zone: tzinfo) -> Month:
        """The month asked for; ``MonthError`` for one that cannot be (2026-13)."""
        current = Month.of(now, zone)
        text = (self.period or "").lower().replace(" ", "")
        if not text or text.startswith(("上", "last")):
            return current.previous()
        if text.startswith(("本", "这", "this")):
            return current
        numbers = [int(n) for n in re.findall(r"\d+", text)]
        if len(numbers) == 2:
            return Month(numbers[0], numbers[1])
        month = Month(current.year, numbers[0]) if numbers else current.previous()
        return month if month <= current else Month(current.year - 1, month.month)


def parse_report_request(text: str) -> ReportRequest | None:
    """The request a message is, or None for anything else."""
    cleaned = text.strip().rstrip(_TRAILING)
    for pattern in (_COMMAND, _ZH):
        found = pattern.fullmatch(cleaned)
        if found is not None:
            return ReportRequest(found.group("period"))
    found = _EN.fullmatch(cleaned)
    if found is not None and (found.group("period") or found.group("monthly") or found.group("for")):
        return ReportRequest(found.group("period") or found.group("for"))
    return None
