"""``helpdesk assets import|export`` and ``helpdesk inspection tick|status``.

Import reads CSV (UTF-8, with or without Excel's BOM) or XLSX and upserts by label number, so the
same file can be imported again without duplicates; a row that cannot be stored is reported with
its line and its column (as the file heads it) and the good rows are stored all the same. The
exit status is 0 when every row was stored, 1 when some were rejected, 2 when the file cannot be
read at all.

XLSX is read with openpyxl and written with XlsxWriter: XlsxWriter only writes, openpyxl reads
what Excel and WPS save; XlsxWriter is the project's one writer of spreadsheets (the reports use it
for native charts), so an export looks like the reports.

Messages come from the catalog, in the service's language ([service] language).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import io
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import storage
from bot.app import open_database
from bot.contract import asset_rules
from config.settings import Settings, load_settings
from handlers.assets.fields import COLUMNS, HEADERS, FieldError, check_label, column_key, parse_assignments, read_fields
from handlers.assets.inspection import (
    NotInRegistry,
    device_summary,
    field_problem,
    item_names,
    missing_text,
    parse_items,
    tick,
)
from i18n import say

__all__ = ["add_asset_parsers"]

EXIT_OK, EXIT_REJECTED, EXIT_UNREADABLE = 0, 1, 2


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(Path(args.config) if args.config else None, env=os.environ)


class UnreadableFile(ValueError):
    pass


@dataclass
class _Sheet:
    headers: list[str]
    rows: list[tuple[int, list[Any]]]  # (line number in the file, cells)


def read_sheet(path: Path) -> _Sheet:
    """The header row and the non-empty rows of a CSV or XLSX file, with their line numbers."""
    if not path.exists():
        raise UnreadableFile(f"no such file: {path}")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"{path}: not UTF-8 text ({exc.reason}); save the sheet as CSV UTF-8 or XLSX") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[Any]]] = []
    headers: list[str] | None = None
    for cells in reader:
        if headers is None:
            headers = [c.strip() for c in cells]
        elif any(c.strip() for c in cells):
            rows.append((reader.line_num, list(cells)))
    return _Sheet(headers or [], rows)


def _read_xlsx(path: Path) -> _Sheet:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a file that is no workbook
        raise UnreadableFile(f"{path}: not an XLSX workbook ({exc})") from exc
    try:
        sheet = book.worksheets[0]
        rows: list[tuple[int, list[Any]]] = []
        headers: list[str] | None = None
        for line, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            if headers is None:
                headers = ["" if c is None else str(c).strip() for c in cells]
            elif any(c not in (None, "") for c in cells):
                rows.append((line, list(cells)))
        return _Sheet(headers or [], rows)
    finally:
        book.close()


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str, str]] = field(default_factory=list)  # (line, column as headed, why)


async def import_devices(
    sessions: storage.SessionFactory, sheet: _Sheet, settings: Settings, now: dt.datetime
) -> ImportResult:
    """Upsert every good row by label, in one transaction; collect the rejected ones."""
    lang = settings.service.language
    rules = asset_rules(settings)
    columns = {index: key for index, header in enumerate(sheet.headers) if (key := column_key(header)) is not None}
    heading = {key: sheet.headers[index] for index, key in columns.items()}
    result = ImportResult()
    seen: dict[str, int] = {}
    async with sessions() as session, session.begin():
        for line, cells in sheet.rows:
            raw = {key: cells[index] if index < len(cells) else None for index, key in columns.items()}
            try:
                label = check_label(raw.get("label"), rules.label_pattern)
                if label in seen:
                    raise FieldError("label", "duplicate", label)
                fields = await read_fields(session, raw)
            except FieldError as error:
                _, why = field_problem(lang, error)
                result.rejected.append((line, heading.get(error.column, HEADERS[error.column]), why))
                continue
            seen[label] = line
            before = await storage.get_device(session, label)
            snapshot = {name: getattr(before, name) for name in fields} if before is not None else None
            device, created = await storage.upsert_device(session, label=label, now=now, **fields)
            if created:
                result.created += 1
            elif snapshot != {name: getattr(device, name) for name in fields}:
                result.updated += 1
            else:
                result.unchanged += 1
    return result


def cmd_assets_import(args: argparse.Namespace) -> int:
    settings = _settings(args)
    lang = settings.service.language
    path = Path(args.file)
    try:
        sheet = read_sheet(path)
    except UnreadableFile as exc:
        print(f"helpdesk: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    if "label" not in {column_key(h) for h in sheet.headers}:
        print(say(lang, "asset_import_no_label_column", file=path), file=sys.stderr)
        return EXIT_UNREADABLE

    async def main() -> ImportResult:
        engine, sessions = await open_database(settings)
        try:
            return await import_devices(sessions, sheet, settings, dt.datetime.now(dt.UTC))
        finally:
            await engine.dispose()

    result = asyncio.run(main())
    print(
        say(
            lang,
            "asset_import_summary",
            file=path,
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            rejected=len(result.rejected),
        )
    )
    for line, column, why in result.rejected:
        print(say(lang, "asset_import_rejected", line=line, column=column, why=why), file=sys.stderr)
    return EXIT_REJECTED if result.rejected else EXIT_OK


def _cells(device: storage.Device) -> Iterator[Any]:
    """A device's values in the export's column order (dates as dates, in use as 是/否)."""
    for key, _names in COLUMNS:
        if key == "owner":
            yield device.owner_id or ""
        elif key == "active":
            yield "是" if device.active else "否"
        else:
            value = getattr(device, key)
            yield "" if value is None else value


async def export_devices(sessions: storage.SessionFactory) -> list[list[Any]]:
    async with sessions() as session:
        return [list(_cells(device)) for device in await storage.list_devices(session)]


def write_csv(rows: list[list[Any]], out: io.TextIOBase | Any) -> None:
    writer = csv.writer(out)
    writer.writerow([HEADERS[key] for key, _ in COLUMNS])
    for row in rows:
        writer.writerow([v.isoformat() if isinstance(v, dt.date) else v for v in row])


def write_xlsx(rows: list[list[Any]], path: Path) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    try:
        sheet = book.add_worksheet("设备台账")
        bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        for col, (key, _) in enumerate(COLUMNS):
            sheet.write_string(0, col, HEADERS[key], bold)
            sheet.set_column(col, col, 28 if key in ("configuration", "notes") else 14)
        for line, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                if isinstance(value, dt.date):
                    sheet.write_datetime(line, col, dt.datetime.combine(value, dt.time()), day)
                else:
                    sheet.write_string(line, col, str(value))
        sheet.freeze_panes(1, 1)
        sheet.autofilter(0, 0, max(len(rows), 1), len(COLUMNS) - 1)
    finally:
        book.close()


def cmd_assets_export(args: argparse.Namespace) -> int:
    settings = _settings(args)
    out = Path(args.out) if args.out else None
    fmt = args.format or ("xlsx" if out is not None and out.suffix.lower() == ".xlsx" else "csv")
    if fmt == "xlsx" and out is None:
        out = Path("assets.xlsx")

    async def main() -> list[list[Any]]:
        engine, sessions = await open_database(settings)
        try:
            return await export_devices(sessions)
        finally:
            await engine.dispose()

    rows = asyncio.run(main())
    if fmt == "xlsx":
        assert out is not None
        write_xlsx(rows, out)
    elif out is None:
        write_csv(rows, sys.stdout)
        return EXIT_OK
    else:
        with out.open("w", encoding="utf-8-sig", newline="") as file:  # the BOM: Excel then reads UTF-8
            write_csv(rows, file)
    print(out)
    return EXIT_OK


def _month(args: argparse.Namespace, settings: Settings) -> str:
    if args.month:
        year, _, number = args.month.partition("-")
        if not (year.isdigit() and number.isdigit() and 1 <= int(number) <= 12):
            raise SystemExit(f"helpdesk: --month takes YYYY-MM, not {args.month!r}")
        return f"{int(year):04d}-{int(number):02d}"
    return storage.month_of(dt.datetime.now(ZoneInfo(settings.service.timezone)).date())


def cmd_inspection_tick(args: argparse.Namespace) -> int:
    settings = _settings(args)
    lang = settings.service.language
    items = parse_items(args.items)
    if items is None:
        print(f"helpdesk: items are numbers 1-{len(storage.INSPECTION_ITEMS)} (1,2,3 or 1-4) or all", file=sys.stderr)
        return EXIT_UNREADABLE
    assignments = parse_assignments(" ".join(args.fields))
    if assignments.unknown:
        print(say(lang, "asset_unknown_fields", names=", ".join(assignments.unknown)), file=sys.stderr)
        return EXIT_UNREADABLE
    month = _month(args, settings)

    async def main() -> int:
        engine, sessions = await open_database(settings)
        try:
            async with sessions() as session, session.begin():
                if args.by and await storage.get_person(session, args.by) is None:
                    print(f"helpdesk: unknown person {args.by!r}; try `helpdesk people list`", file=sys.stderr)
                    return EXIT_UNREADABLE
                try:
                    done = await tick(
                        session,
                        label=args.label,
                        items=items,
                        raw_fields=assignments.fields,
                        by=args.by,
                        at=dt.datetime.now(dt.UTC),
                        source="cli",
                        month=month,
                        rules=asset_rules(settings),
                    )
                except FieldError as error:
                    column, why = field_problem(lang, error)
                    print(say(lang, "asset_field_error", column=column, why=why), file=sys.stderr)
                    return EXIT_UNREADABLE
                except NotInRegistry:
                    label = storage.normalise_label(args.label)
                    print(say(lang, "inspection_needs_type", label=label), file=sys.stderr)
                    return EXIT_UNREADABLE
            label = done.device.label
            if done.created:
                print(say(lang, "inspection_registered", label=label, what=device_summary(done.device)))
            print(say(lang, "inspection_ticked", label=label, month=month, items=item_names(lang, done.items)))
            if done.left:
                print(say(lang, "inspection_device_left", items=item_names(lang, list(done.left))))
            else:
                print(say(lang, "inspection_device_complete"))
            return EXIT_OK
        finally:
            await engine.dispose()

    return asyncio.run(main())


def cmd_inspection_status(args: argparse.Namespace) -> int:
    settings = _settings(args)
    lang = settings.service.language
    month = _month(args, settings)

    async def main() -> int:
        engine, sessions = await open_database(settings)
        try:
            async with sessions() as session:
                rows = await storage.inspection_for_month(session, month)
                devices = {r.device.id for r in rows}
                unfinished = {r.device.id for r in rows if not r.done}
                left = sum(1 for r in rows if not r.done)
                summary = say(
                    lang,
                    "inspection_status_summary",
                    month=month,
                    devices=len(devices),
                    complete=len(devices - unfinished),
                    left=left,
                )
                print(summary)
                if rows:
                    print(await missing_text(session, lang, month, limit=100_000))
            return EXIT_OK
        finally:
            await engine.dispose()

    return asyncio.run(main())


def add_asset_parsers(sub: Any) -> None:
    """``assets`` and ``inspection`` under the ``helpdesk`` command."""
    assets = sub.add_parser("assets", help="the asset registry (设备台账)").add_subparsers(
        dest="assets_command", required=True
    )
    imp = assets.add_parser("import", help="upsert devices from a CSV or XLSX file by label number")
    imp.add_argument("file")
    imp.set_defaults(func=cmd_assets_import)
    exp = assets.add_parser("export", help="the registry as CSV (stdout by default) or XLSX")
    exp.add_argument("--format", choices=("csv", "xlsx"), help="default: from --out's suffix, else csv")
    exp.add_argument("--out", help="file to write (default: stdout for csv, assets.xlsx for xlsx)")
    exp.set_defaults(func=cmd_assets_export)
    inspection = sub.add_parser("inspection", help="the monthly inspection checklist (巡检表)").add_subparsers(
        dest="inspection_command", required=True
    )
    tick_parser = inspection.add_parser("tick", help="record items done for a device (a new label registers it)")
    tick_parser.add_argument("label", help="label number, e.g. PC-0157")
    tick_parser.add_argument("items", help="item numbers (1,2,3 or 1-4) or all")
    tick_parser.add_argument("fields", nargs="*", help="registry fields for a first visit: 类型=台式机 使用人=李娜 ...")
    tick_parser.add_argument("--month", help="YYYY-MM (default: this month)")
    tick_parser.add_argument("--by", help="who did it (a person id)")
    tick_parser.set_defaults(func=cmd_inspection_tick)
    status = inspection.add_parser("status", help="what is done and left of a month's checklist")
    status.add_argument("--month", help="YYYY-MM (default: this month)")
    status.set_defaults(func=cmd_inspection_status)
