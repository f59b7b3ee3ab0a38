"""A document as an Excel workbook (XlsxWriter): the first sheet has the title, the notes, the key
figures and the charts — native Excel charts drawn from the chart data on a sheet of their own, so
the customer can restyle them — then one sheet per section with its tables one under another.

Values stay values: counts are numbers, shares are fractions shown as percentages, amounts are
yuan with two decimals, times are Excel date-times; a reader (or openpyxl) gets the figures back.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from reports.document import Cell, Chart, Document, Table

__all__ = ["write_xlsx"]

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_CHART_TYPES = {
    "stacked_column": ("column", "stacked"),
    "column": ("column", None),
    "bar": ("bar", None),
    "pie": ("pie", None),
}


def sheet_name(title: str) -> str:
    return _SHEET_FORBIDDEN.sub(" ", title)[:31]


class _Formats:
    def __init__(self, book: Workbook) -> None:
        base = {"font_name": "Microsoft YaHei", "font_size": 10, "valign": "vcenter"}
        self.title = book.add_format({**base, "bold": True, "font_size": 16})
        self.subtitle = book.add_format({**base, "font_size": 11, "font_color": "#555555"})
        self.heading = book.add_format({**base, "bold": True, "font_size": 12})
        self.note = book.add_format({**base, "italic": True, "font_color": "#9C5700", "text_wrap": False})
        self.header = book.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
        self.cells = {
            "text": book.add_format({**base, "border": 1}),
            "int": book.add_format({**base, "border": 1, "num_format": "0"}),
            "percent": book.add_format({**base, "border": 1, "num_format": "0.0%"}),
            "hours": book.add_format({**base, "border": 1, "num_format": "0.00"}),
            "money": book.add_format({**base, "border": 1, "num_format": "¥#,##0.00"}),
            "time": book.add_format({**base, "border": 1, "num_format": "yyyy-mm-dd hh:mm"}),
        }


def _write_cell(sheet: Worksheet, row: int, col: int, cell: Cell, formats: _Formats) -> None:
    fmt = formats.cells[cell.format]
    value: Any = cell.value
    if value is None:
        sheet.write_blank(row, col, None, fmt)
    elif cell.format == "money" and isinstance(value, int | float):
        sheet.write_number(row, col, value / 100, fmt)
    elif cell.format == "time":
        sheet.write_datetime(row, col, value, fmt)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value, fmt)
    else:
        sheet.write_string(row, col, str(value), fmt)


def _write_table(sheet: Worksheet, row: int, table: Table, formats: _Formats) -> int:
    """Write the table from ``row``; returns the next free row (one blank row after it)."""
    if table.title:
        sheet.write_string(row, 0, table.title, formats.heading)
        row += 1
    for col, name in enumerate(table.columns):
        sheet.write_string(row, col, name, formats.header)
    row += 1
    for values in table.rows:
        for col, cell in enumerate(values):
            _write_cell(sheet, row, col, cell, formats)
        row += 1
    return row + 1


def _chart_data(sheet: Worksheet, row: int, chart: Chart, formats: _Formats) -> tuple[int, dict[str, Any]]:
    """The chart's data as a small table; returns the next row and where each series is."""
    sheet.write_string(row, 0, chart.title, formats.heading)
    header = row + 1
    sheet.write_string(header, 0, "", formats.header)
    series = [*chart.series, *([chart.target] if chart.target else [])]
    for col, (name, _) in enumerate(series, start=1):
        sheet.write_string(header, col, name, formats.header)
    for i, category in enumerate(chart.categories):
        sheet.write_string(header + 1 + i, 0, category, formats.cells["text"])
        for col, (_, values) in enumerate(series, start=1):
            sheet.write_number(header + 1 + i, col, values[i], formats.cells["hours"])
    last = header + len(chart.categories)
    return last + 2, {"header": header, "first": header + 1, "last": last, "count": len(series)}


def _native_chart(book: Workbook, data_sheet: str, chart: Chart, where: dict[str, Any]) -> Any:
    kind, subtype = _CHART_TYPES[chart.kind]
    native = book.add_chart({"type": kind, **({"subtype": subtype} if subtype else {})})
    assert native is not None
    palette = ("#C00000", "#ED7D31", "#4472C4", "#70AD47", "#A5A5A5")
    for col in range(1, len(chart.series) + 1):
        options: dict[str, Any] = {
            "name": [data_sheet, where["header"], col],
            "categories": [data_sheet, where["first"], 0, where["last"], 0],
            "values": [data_sheet, where["first"], col, where["last"], col],
        }
        if kind != "pie":
            options["fill"] = {"color": palette[(col - 1) % len(palette)]}
        else:
            options["data_labels"] = {"percentage": True}
        native.add_series(options)
    if chart.target is not None and kind == "column":
        line = book.add_chart({"type": "line"})
        assert line is not None
        col = len(chart.series) + 1
        line.add_series(
            {
                "name": [data_sheet, where["header"], col],
                "categories": [data_sheet, where["first"], 0, where["last"], 0],
                "values": [data_sheet, where["first"], col, where["last"], col],
                "line": {"color": "#000000", "dash_type": "dash"},
                "marker": {"type": "diamond"},
            }
        )
        native.combine(line)
    native.set_title({"name": chart.title, "name_font": {"size": 11}})
    if kind != "pie" and chart.y_title:
        native.set_y_axis({"name": chart.y_title})
    native.set_size({"width": 520, "height": 300})
    return native


def write_xlsx(document: Document, path: Path) -> Path:
    """Write the workbook to ``path`` (its folder must exist); returns ``path``."""
    book = xlsxwriter.Workbook(str(path), {"default_date_format": "yyyy-mm-dd hh:mm"})
    formats = _Formats(book)
    first = book.add_worksheet(sheet_name(document.overview_sheet))
    first.set_column(0, 0, 34)
    first.set_column(1, 1, 16)
    first.write_string(0, 0, document.title, formats.title)
    first.write_string(1, 0, document.subtitle, formats.subtitle)
    row = 3
    for note in document.notes:
        first.write_string(row, 0, note, formats.note)
        row += 1
    row += 1
    if document.summary is not None:
        row = _write_table(first, row, document.summary, formats)
    data_sheet_title = sheet_name(document.chart_data_sheet)
    sheets = []
    for section in document.sections:
        sheet = book.add_worksheet(sheet_name(section.title))
        sheets.append((sheet, section))
    data = book.add_worksheet(data_sheet_title) if document.charts else None
    if data is not None:
        data.set_column(0, 0, 24)
        data_row = 0
        for index, chart in enumerate(document.charts):
            data_row, where = _chart_data(data, data_row, chart, formats)
            native = _native_chart(book, data.get_name(), chart, where)
            first.insert_chart(row + (index // 2) * 16, (index % 2) * 5 + 0, native, {"x_offset": 5, "y_offset": 5})
    for sheet, section in sheets:
        sheet.set_column(0, 0, 22)
        sheet.set_column(1, 12, 14)
        r = 0
        sheet.write_string(r, 0, section.title, formats.title)
        r += 2
        for paragraph in section.paragraphs:
            sheet.write_string(r, 0, paragraph, formats.note)
            r += 1
        if section.paragraphs:
            r += 1
        for table in section.tables:
            r = _write_table(sheet, r, table, formats)
    if document.footer:
        first.write_string(row + 34, 0, document.footer, formats.subtitle)
    book.close()
    return path
