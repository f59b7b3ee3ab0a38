"""Which messages are a request for the monthly report, and for which month."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from handlers.reports import parse_report_request
from reports import Month

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("发我上个月的月报", Month(2026, 11)),
        ("上月月报", Month(2026, 11)),
        ("请把上个月的月度报告发给我", None),  # word order outside the pattern: not a request
        ("月报", Month(2026, 11)),
        ("发一下月报？", Month(2026, 11)),
        ("本月的月报", Month(2026, 12)),
        ("2026年10月的月报", Month(2026, 10)),
        ("10月份月报", Month(2026, 10)),
        ("看看12月的月报", Month(2026, 12)),
        ("1月的月报", Month(2026, 1)),
        ("send me last month's report", Month(2026, 11)),
        ("Monthly report", Month(2026, 11)),
        ("this month's report please", Month(2026, 12)),
        ("report for 2026-09", Month(2026, 9)),
        ("/report", Month(2026, 11)),
        ("/report 2026-07", Month(2026, 7)),
    ],
)
def test_a_request_names_its_month_and_defaults_to_last_month(text: str, month: Month | None) -> None:
    request = parse_report_request(text)
    if month is None:
        assert request is None
    else:
        assert request is not None and request.month(NOW, SHANGHAI) == month


@pytest.mark.parametrize(
    "text",
    [
        "月报打印不出来",
        "帮我打印一下月报表格，打印机卡纸了",
        "I want to report a problem",
        "report",
        "打印机坏了",
        "/report abc",
    ],
)
def test_a_fault_report_that_mentions_a_report_is_not_a_request(text: str) -> None:
    assert parse_report_request(text) is None
