"""The contract's reports, generated from the store: 月工作报告及优化建议表 (monthly), 服务记录单
(one ticket's service record), 设备状况表 and 巡检表 (``reports.assets``), as XLSX (native charts) and
PDF (matplotlib charts, a CJK font).

    figures = monthly_figures(await load_month(...), contract, now)   pure figures of a month
    await build_monthly(session, month, contract, folder, now)       the files, PDF and XLSX

May import storage, core, i18n and the contract (handlers.contract, and the calendar, paging policy
and roster it holds); never bot or channels (import-linter checks).
"""

from reports.build import FORMATS, ReportName, build_monthly, monthly_files, write_document
from reports.figures import MonthlyFigures, monthly_figures
from reports.period import Month, MonthError, first_working_day, monthly_push_at

__all__ = [
    "FORMATS",
    "Month",
    "MonthError",
    "MonthlyFigures",
    "ReportName",
    "build_monthly",
    "first_working_day",
    "monthly_figures",
    "monthly_files",
    "monthly_push_at",
    "write_document",
]
