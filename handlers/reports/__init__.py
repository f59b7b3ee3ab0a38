"""The contract's reports in chat: asked for, pushed monthly, looked up for the web (``delivery``).

Report timers are acted on by ``bot.reports_worker`` (plan, render outside any transaction, then
claim and send), not by the timer worker: rendering takes seconds and must not hold a write lock."""

from handlers.reports.delivery import (
    MONTHLY_TIMER,
    REPORT_TIMERS,
    REQUEST_TIMER,
    ReportJob,
    finish_job,
    may_read_reports,
    plan_job,
    render_job,
    report_file,
    report_names,
    report_request,
    schedule_monthly_push,
)
from handlers.reports.request import ReportRequest, parse_report_request

__all__ = [
    "MONTHLY_TIMER",
    "REPORT_TIMERS",
    "REQUEST_TIMER",
    "ReportJob",
    "ReportRequest",
    "finish_job",
    "may_read_reports",
    "parse_report_request",
    "plan_job",
    "render_job",
    "report_file",
    "report_names",
    "report_request",
    "schedule_monthly_push",
]
