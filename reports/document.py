"""A report as data: a title, notes, a page of charts and sections of tables, in the reader's
language. ``reports.xlsx`` and ``reports.pdf`` each render the same document, so the workbook and
the PDF can never disagree on a figure.

Cells keep their value and say how to show it (``Cell``): a share stays a fraction (0.75) and the
workbook formats it as 75.0 %, an amount stays in fen and shows as ¥450.00.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

__all__ = ["Cell", "Chart", "Document", "Section", "Table", "cell_text"]

Format = Literal["text", "int", "percent", "hours", "money", "time"]
ChartKind = Literal["stacked_column", "column", "bar", "pie"]


@dataclass(frozen=True)
class Cell:
    value: str | int | float | datetime | None
    format: Format = "text"


def cell_text(cell: Cell) -> str:
    """How the PDF (and any plain-text reader) shows a cell."""
    value = cell.value
    if value is None:
        return "—"
    if cell.format == "percent" and isinstance(value, int | float):
        return f"{value * 100:.1f}%"
    if cell.format == "hours" and isinstance(value, int | float):
        return f"{value:.2f}"
    if cell.format == "money" and isinstance(value, int | float):
        return f"¥{value / 100:,.2f}"
    if cell.format == "time" and isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    title: str = ""
    widths: tuple[float, ...] = ()  # relative column widths for the PDF (equal when empty)


@dataclass(frozen=True)
class Section:
    title: str  # also the worksheet's name: at most 31 characters
    tables: tuple[Table, ...] = ()
    paragraphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Chart:
    kind: ChartKind
    title: str
    categories: tuple[str, ...]
    series: tuple[tuple[str, tuple[float, ...]], ...]
    target: tuple[str, tuple[float, ...]] | None = None  # a line drawn over the bars (the promise)
    y_title: str = ""


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: str
    lang: str
    notes: tuple[str, ...] = ()
    charts: tuple[Chart, ...] = ()
    summary: Table | None = None  # the key figures shown on the first page / sheet
    sections: tuple[Section, ...] = field(default_factory=tuple)
    footer: str = ""
    overview_sheet: str = "Overview"  # the workbook's first sheet: title, notes, key figures, charts
    chart_data_sheet: str = "Chart data"
