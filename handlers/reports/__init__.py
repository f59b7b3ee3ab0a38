"""The contract's reports in chat: asked for, pushed monthly, looked up for the web (``delivery``)."""

from handlers.reports.delivery import (
    MONTHLY_TIMER,
    may_read_reports,
    monthly_report_due,
    report_file,
    report_request,
    schedule_monthly_push,
)
from handlers.reports.request import ReportRequest, parse_report_request

__all__ = [
    "MONTHLY_TIMER",
    "ReportRequest",
    "may_read_reports",
    "monthly_report_due",
    "parse_report_request",
    "report_file",
    "report_request",
    "schedule_monthly_push",
]
