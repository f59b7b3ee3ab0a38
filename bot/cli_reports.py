"""``helpdesk report``: the contract's reports as files, from the store.

    helpdesk report monthly --month 2026-11 [--out DIR] [--lang zh|en]   月工作报告及优化建议表, and the
                                                                          month's 巡检表 and the 设备状况表
    helpdesk report record 1042 [--out DIR] [--lang zh|en]              one ticket's 服务记录单

Each writes a PDF and an XLSX and prints each file's path on its own line (and nothing else on
standard output), so a script can pick them up. Without ``--out`` the files go to the reports
folder the running bot uses (``var/reports``). Exit 1 for a ticket that does not exist, 2 for a
month that cannot be read.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import open_database
from bot.contract import load_contract
from config.settings import load_settings
from handlers.contract import Contract
from reports import Month, MonthError, build_monthly, write_document
from reports.assets import device_status_document, inspection_document
from reports.record import record_document

__all__ = ["add_report_commands"]


Work = Callable[[AsyncSession, Contract, Path, datetime], Awaitable[int]]


def _run(args: argparse.Namespace, work: Work) -> int:
    settings = load_settings(Path(args.config) if args.config else None, env=os.environ)
    contract = load_contract(settings)
    folder = Path(args.out) if args.out else contract.reports_dir

    async def main() -> int:
        engine, sessions = await open_database(settings)
        try:
            async with sessions() as session:
                return await work(session, contract, folder, datetime.now(contract.zone))
        finally:
            await engine.dispose()

    return asyncio.run(main())


def cmd_report_monthly(args: argparse.Namespace) -> int:
    try:
        month = Month.parse(args.month)
    except MonthError as exc:
        print(f"helpdesk: {exc}", file=sys.stderr)
        return 2

    async def work(session: AsyncSession, contract: Contract, folder: Path, now: datetime) -> int:
        _, paths = await build_monthly(session, month, contract, folder, now, (args.lang,))
        checklist = await inspection_document(session, month, args.lang, contract.zone, now)
        paths += await asyncio.to_thread(write_document, checklist, folder, f"inspection-{month}-{args.lang}")
        devices = await device_status_document(session, args.lang, contract.zone, now)
        paths += await asyncio.to_thread(write_document, devices, folder, f"devices-{month}-{args.lang}")
        for path in paths:
            print(path.resolve())
        return 0

    return _run(args, work)


def cmd_report_record(args: argparse.Namespace) -> int:
    number = int(str(args.number).lstrip("#"))

    async def work(session: AsyncSession, contract: Contract, folder: Path, now: datetime) -> int:
        document = await record_document(session, number, args.lang, contract.zone, now)
        if document is None:
            print(f"no ticket #{number}", file=sys.stderr)
            return 1
        paths = await asyncio.to_thread(write_document, document, folder, f"record-{number}-{args.lang}")
        for path in paths:
            print(path.resolve())
        return 0

    return _run(args, work)


def add_report_commands(sub: argparse._SubParsersAction) -> None:
    """``helpdesk report …`` on the main parser's subcommands."""
    report = sub.add_parser("report", help="the contract's reports as PDF and XLSX").add_subparsers(
        dest="report_command", required=True
    )
    monthly = report.add_parser(
        "monthly", help="月工作报告及优化建议表, 巡检表 and 设备状况表 of a month; prints each file's path"
    )
    monthly.add_argument("--month", required=True, help="YYYY-MM, e.g. 2026-11")
    monthly.add_argument("--out", help="folder for the files (default: var/reports)")
    monthly.add_argument("--lang", choices=("zh", "en"), default="zh")
    monthly.set_defaults(func=cmd_report_monthly)
    record = report.add_parser("record", help="服务记录单 of one ticket; prints each file's path")
    record.add_argument("number")
    record.add_argument("--out", help="folder for the files (default: var/reports)")
    record.add_argument("--lang", choices=("zh", "en"), default="zh")
    record.set_defaults(func=cmd_report_record)
