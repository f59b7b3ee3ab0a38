"""A document as a PDF: fpdf2 for the pages, matplotlib for the charts, a CJK font for the text.

Why fpdf2 rather than WeasyPrint: it is pure Python (no Pango/Cairo system libraries to install and
keep in step), it embeds a subset of the font (a report of a few pages is tens of kilobytes, not
the 20 MB of the CJK font), and its table API lays out the sections directly from ``Document``
without an HTML/CSS template to keep in sync with the workbook.

The first page is the title and the charts (one matplotlib figure of four, as a PNG at 200 dpi);
then the key figures and each section's tables, with page numbers and the footer on every page.
Matplotlib is used through its object API (``Figure``), not ``pyplot``, so rendering is safe in a
worker thread.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from fpdf import FPDF, FontFace
from fpdf.enums import TableCellFillMode
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from reports.document import Chart, Document, Table, cell_text
from reports.fonts import cjk_font

__all__ = ["render_charts", "write_pdf"]

_FONT = "cjk"
_COLORS = ("#C00000", "#ED7D31", "#4472C4", "#70AD47", "#A5A5A5")


def _draw(ax: Any, chart: Chart) -> None:
    ax.set_title(chart.title, fontsize=11)
    positions = list(range(len(chart.categories)))
    if chart.kind == "pie":
        slices = [
            (c, v) for c, v in zip(chart.categories, chart.series[0][1] if chart.series else (), strict=False) if v
        ]
        shares = [v for _, v in slices]
        if sum(shares) > 0:
            ax.pie(
                shares,
                labels=[c for c, _ in slices],
                colors=_COLORS[2:] + _COLORS[:2],
                autopct="%1.0f%%",
                textprops={"fontsize": 8},
            )
        else:
            ax.text(0.5, 0.5, "—", ha="center", va="center", fontsize=14)
            ax.set_axis_off()
        return
    if chart.kind == "bar":
        values = chart.series[0][1] if chart.series else ()
        ax.barh(positions, values, color=_COLORS[2])
        ax.set_yticks(positions, chart.categories, fontsize=8)
        ax.invert_yaxis()
        for y, value in zip(positions, values, strict=False):
            ax.text(value, y, f" {value:g}", va="center", fontsize=8)
        return
    count = max(1, len(chart.series))
    width = 0.8 / (1 if chart.kind == "stacked_column" else count)
    bottoms = [0.0] * len(positions)
    for index, (name, values) in enumerate(chart.series):
        if chart.kind == "stacked_column":
            ax.bar(positions, values, width, bottom=bottoms, label=name, color=_COLORS[index % len(_COLORS)])
            bottoms = [b + v for b, v in zip(bottoms, values, strict=False)]
        else:
            shifted = [p - 0.4 + width * (index + 0.5) for p in positions]
            ax.bar(shifted, values, width, label=name, color=_COLORS[(index + 2) % len(_COLORS)])
    if chart.target is not None:
        name, values = chart.target
        ax.scatter(positions, values, marker="_", s=900, color="black", linewidths=2, label=name, zorder=3)
    ax.set_xticks(positions, chart.categories, fontsize=8)
    if chart.y_title:
        ax.set_ylabel(chart.y_title, fontsize=8)
    ax.tick_params(axis="y", labelsize=8)
    ax.legend(fontsize=7)


def render_charts(charts: tuple[Chart, ...]) -> bytes:
    """The charts as one PNG, two per row."""
    rows = (len(charts) + 1) // 2
    with rc_context({"font.family": [cjk_font().family, "sans-serif"], "axes.unicode_minus": False}):
        figure = Figure(figsize=(10, 4 * rows), dpi=200, layout="constrained")
        FigureCanvasAgg(figure)
        axes = figure.subplots(rows, 2, squeeze=False)
        for index, chart in enumerate(charts):
            _draw(axes[index // 2][index % 2], chart)
        for index in range(len(charts), rows * 2):
            axes[index // 2][index % 2].set_axis_off()
        out = io.BytesIO()
        figure.savefig(out, format="png")
    return out.getvalue()


class _Pdf(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(_FONT, "", 7)
        self.set_text_color(120, 120, 120)
        self.cell(0, 5, f"{self.footer_text}    {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0, 0, 0)


def _table(pdf: FPDF, table: Table) -> None:
    if table.title:
        pdf.set_font(_FONT, "B", 10)
        pdf.cell(0, 7, table.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FONT, "", 7.5 if len(table.columns) > 6 else 8.5)
    widths = table.widths or tuple(1.0 for _ in table.columns)
    with pdf.table(
        col_widths=widths,
        headings_style=FontFace(emphasis="BOLD", fill_color=(221, 235, 247)),
        cell_fill_color=(248, 248, 248),
        cell_fill_mode=TableCellFillMode.ROWS,
        line_height=5,
        text_align="LEFT",
        first_row_as_headings=True,
    ) as layout:
        layout.row(list(table.columns))
        for values in table.rows:
            layout.row([cell_text(c) for c in values])
    pdf.ln(3)


def write_pdf(document: Document, path: Path) -> Path:
    """Write the PDF to ``path`` (its folder must exist); returns ``path``."""
    font = cjk_font()
    pdf = _Pdf(orientation="portrait", unit="mm", format="A4")
    pdf.footer_text = document.footer
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font(_FONT, "", str(font.regular), collection_font_number=font.index)
    pdf.add_font(_FONT, "B", str(font.bold), collection_font_number=font.index)
    pdf.set_title(f"{document.title} {document.subtitle}")
    pdf.add_page()
    pdf.set_font(_FONT, "B", 18)
    pdf.cell(0, 11, document.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FONT, "", 11)
    pdf.cell(0, 7, document.subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    if document.notes:
        pdf.set_font(_FONT, "", 8.5)
        pdf.set_text_color(156, 87, 0)
        for note in document.notes:
            pdf.multi_cell(0, 4.5, note, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
        pdf.ln(2)
    if document.charts:
        png = render_charts(document.charts)
        pdf.image(io.BytesIO(png), x=pdf.l_margin, w=pdf.epw)
        pdf.ln(4)
    if document.summary is not None:
        _table(pdf, document.summary)
    if document.charts:
        pdf.add_page()
    for section in document.sections:
        if pdf.get_y() > pdf.h - 60:
            pdf.add_page()
        pdf.set_font(_FONT, "B", 13)
        pdf.cell(0, 9, section.title, new_x="LMARGIN", new_y="NEXT")
        for paragraph in section.paragraphs:
            pdf.set_font(_FONT, "", 8)
            pdf.multi_cell(0, 4.5, paragraph, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        for table in section.tables:
            if table.rows:
                _table(pdf, table)
            elif table.title:
                pdf.set_font(_FONT, "B", 10)
                pdf.cell(0, 7, table.title, new_x="LMARGIN", new_y="NEXT")
                pdf.set_font(_FONT, "", 8.5)
                pdf.cell(0, 6, "—", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path
