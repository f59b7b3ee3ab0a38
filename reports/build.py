"""Building a report's files: read the store, compute, lay out, write the XLSX and the PDF.

The read is async (one session); computing and rendering are plain CPU work, which a running bot
does in a worker thread (``asyncio.to_thread``) so the event loop keeps answering messages.
Files are named by what they are and written under the caller's folder, replacing an older copy
atomically (written to a temporary name, then renamed), so a download never sees half a file.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.contract import Contract
from reports.data import load_month
from reports.document import Document
from reports.figures import MonthlyFigures, monthly_figures
from reports.monthly import monthly_document
from reports.pdf import write_pdf
from reports.period import Month
from reports.xlsx import write_xlsx

__all__ = ["FORMATS", "ReportName", "build_monthly", "monthly_files", "write_document"]

FORMATS = ("pdf", "xlsx")
# monthly-2026-11-zh.pdf, inspection-2026-11-zh.xlsx, devices-2026-12-zh.pdf, record-1042-en.xlsx: the only
# names a report file can have.
_NAME = re.compile(
    r"(?P<kind>monthly|inspection|devices|record)-(?P<ref>\d{4}-\d{2}|\d{1,9})-(?P<lang>zh|en)\.(?P<fmt>pdf|xlsx)"
)


@dataclass(frozen=True)
class ReportName:
    """A report file's name, parsed: what it is, not where it is."""

    kind: str  # monthly | inspection | devices | record
    ref: str  # the month (2026-11) or the ticket number
    lang: str
    format: str

    @classmethod
    def parse(cls, name: str) -> ReportName | None:
        found = _NAME.fullmatch(name)
        if found is None:
            return None
        return cls(found["kind"], found["ref"], found["lang"], found["fmt"])

    def __str__(self) -> str:
        return f"{self.kind}-{self.ref}-{self.lang}.{self.format}"


def write_document(document: Document, folder: Path, stem: str) -> list[Path]:
    """The document as ``<stem>.pdf`` and ``<stem>.xlsx`` in ``folder``; returns both paths, PDF first."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt, writer in (("pdf", write_pdf), ("xlsx", write_xlsx)):
        final = folder / f"{stem}.{fmt}"
        partial = folder / f".{stem}.{os.getpid()}.partial.{fmt}"
        writer(document, partial)
        partial.replace(final)
        written.append(final)
    return written


def monthly_files(month: Month, lang: str, folder: Path) -> list[Path]:
    return [folder / str(ReportName("monthly", str(month), lang, fmt)) for fmt in FORMATS]


async def build_monthly(
    session: AsyncSession,
    month: Month,
    contract: Contract,
    folder: Path,
    now: datetime,
    langs: tuple[str, ...] = ("zh",),
    customer: str = "",
) -> tuple[MonthlyFigures, list[Path]]:
    """Read the month, compute its figures and write its files for each language; PDFs first."""
    since, until = month.bounds(contract.zone)
    data = await load_month(session, month, since, until)
    # The same rows on the same day make the same report: a second request (or the next manager's
    # copy of the monthly push) reuses the files instead of rendering them again.
    fingerprint = hashlib.sha256(f"{data!r}|{customer}|{now.astimezone(contract.zone).date()}".encode()).hexdigest()

    def render() -> tuple[MonthlyFigures, list[Path]]:
        figures = monthly_figures(data, contract, now)
        paths: list[Path] = []
        for lang in langs:
            stem = f"monthly-{month}-{lang}"
            files = [folder / f"{stem}.{fmt}" for fmt in FORMATS]
            mark = folder / f".{stem}.fingerprint"
            if all(f.exists() for f in files) and mark.exists() and mark.read_text() == fingerprint:
                paths += files
                continue
            document = monthly_document(figures, lang, contract.zone, customer)
            paths += write_document(document, folder, stem)
            mark.write_text(fingerprint)
        return figures, paths

    return await asyncio.to_thread(render)
