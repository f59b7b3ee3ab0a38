"""``helpdesk report monthly`` and ``helpdesk report record``: the files written, each path printed
on its own line."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import openpyxl

import storage
from bot.directory import load_directory
from config.settings import REPO_ROOT
from tests.reports.seed import TICKETS, seed_month

HELPDESK = str(Path(sys.executable).parent / "helpdesk")


def _store(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    """A config file naming a SQLite store with the seeded November in it."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'helpdesk.db'}"

    async def seed() -> dict[str, int]:
        engine = storage.make_engine(url)
        await storage.upgrade(engine)
        sessions = storage.make_session_factory(engine)
        async with sessions() as s, s.begin():
            await storage.sync_people(s, load_directory(REPO_ROOT / "config" / "people.yaml"))
        numbers = await seed_month(sessions)
        await engine.dispose()
        return numbers

    numbers = asyncio.run(seed())
    config = tmp_path / "helpdesk.toml"
    config.write_text(f'base_dir = "{REPO_ROOT}"\n\n[database]\nurl = "{url}"\n', encoding="utf-8")
    return config, numbers


def _helpdesk(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [HELPDESK, "--config", str(config), *args], capture_output=True, text=True, timeout=300, cwd=REPO_ROOT
    )


def test_report_monthly_writes_the_pdf_and_xlsx_and_prints_each_path(tmp_path: Path) -> None:
    config, _ = _store(tmp_path)
    out = tmp_path / "out"
    result = _helpdesk(config, "report", "monthly", "--month", "2026-11", "--out", str(out))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    stems = ("monthly-2026-11-zh", "inspection-2026-11-zh", "devices-2026-11-zh")
    assert lines == [str(out / f"{stem}.{fmt}") for stem in stems for fmt in ("pdf", "xlsx")]
    assert all(Path(line).stat().st_size > 0 for line in lines)
    assert Path(lines[0]).read_bytes().startswith(b"%PDF")
    book = openpyxl.load_workbook(lines[1])
    overview = [row for row in book["概览"].iter_rows(values_only=True) if row[0] == "工单总数"]
    assert overview == [("工单总数", len(TICKETS), *overview[0][2:])]


def test_report_monthly_refuses_a_month_it_cannot_read(tmp_path: Path) -> None:
    result = _helpdesk(tmp_path / "none.toml", "report", "monthly", "--month", "2026-13")
    assert result.returncode == 2 and "2026-13" in result.stderr and result.stdout == ""


def test_report_record_writes_one_tickets_service_record(tmp_path: Path) -> None:
    config, numbers = _store(tmp_path)
    out = tmp_path / "out"
    number = numbers["H1"]
    result = _helpdesk(config, "report", "record", str(number), "--out", str(out), "--lang", "en")
    assert result.returncode == 0, result.stderr
    pdf, xlsx = (Path(line) for line in result.stdout.splitlines())
    assert pdf.name == f"record-{number}-en.pdf" and xlsx.name == f"record-{number}-en.xlsx"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Service Record" in text and f"Ticket #{number}" in text and "电脑蓝屏" in text
    missing = _helpdesk(config, "report", "record", "99999", "--out", str(out))
    assert missing.returncode == 1 and "no ticket #99999" in missing.stderr
