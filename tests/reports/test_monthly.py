"""The monthly report of a seeded November: the workbook's figures equal those worked out here
from the seeded tickets, and the PDF renders with its Chinese headings and figures."""

from __future__ import annotations

import math
import statistics
import subprocess
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PIL import Image

import storage
from bot.directory import load_directory
from config.settings import REPO_ROOT
from reports import Month, build_monthly
from reports.data import load_month
from reports.figures import monthly_figures
from tests.reports.seed import (
    ARTICLE_EVENTS,
    COMPLAINTS,
    CORRECTIONS,
    DEPARTMENTS,
    NORMAL_IN_TIME,
    NORMAL_RESOLUTION_ON_SITE_H,
    NORMAL_RESPONSE_ON_SITE_H,
    NOW,
    REPAIRS,
    TICKETS,
    contract,
    seed_month,
)

NAMES = {"urgent": "紧急故障", "high": "一般紧急故障", "normal": "一般故障", "hardware": "硬件故障"}
PROMISE = {"urgent": timedelta(minutes=30), "high": timedelta(hours=2)}  # the wall-clock promises


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


def _hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600


def _table(book: openpyxl.Workbook, sheet: str, title: str | None) -> list[dict[str, Any]]:
    """The rows of the table headed ``title`` on ``sheet`` (the first table when None), by column name."""
    ws = book[sheet]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    start = 2 if title is None else next(i for i, r in enumerate(rows) if r[0] == title) + 1
    header = [h for h in rows[start] if h is not None]
    found = []
    for row in rows[start + 1 :]:
        if row[0] is None and all(v is None for v in row):
            break
        found.append(dict(zip(header, row, strict=False)))
    return found


def _by_first(rows: list[dict[str, Any]], column: str) -> dict[Any, dict[str, Any]]:
    return {row[column]: row for row in rows}


@pytest.fixture(scope="module")
async def november(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Path, Path]]:
    """The seeded month's report, built once for this module (on SQLite; the PostgreSQL read is
    checked by ``test_the_month_reads_the_same_from_either_database``)."""
    folder = tmp_path_factory.mktemp("november")
    engine = storage.make_engine(f"sqlite+aiosqlite:///{folder / 'helpdesk.db'}")
    await storage.upgrade(engine)
    sessions = storage.make_session_factory(engine)
    async with sessions() as s, s.begin():
        await storage.sync_people(s, load_directory(REPO_ROOT / "config" / "people.yaml"))
    await seed_month(sessions)
    async with sessions() as s:
        _, [pdf, xlsx] = await build_monthly(s, Month(2026, 11), contract(), folder, NOW, ("zh",), "示例客户")
    await engine.dispose()
    yield pdf, xlsx


async def test_the_workbook_counts_the_month_by_severity_kind_and_department(november: tuple[Path, Path]) -> None:
    book = openpyxl.load_workbook(november[1])
    by_severity = _by_first(_table(book, "工单量", "按严重程度"), "严重程度")
    expected = Counter(t.severity for t in TICKETS)
    assert {name: row["工单数"] for name, row in by_severity.items()} == {NAMES[s]: n for s, n in expected.items()}
    assert by_severity["一般紧急故障"]["占比"] == pytest.approx(expected["high"] / len(TICKETS))
    by_department = _by_first(_table(book, "工单量", "按部门"), "部门")
    departments = Counter(DEPARTMENTS[t.requester] for t in TICKETS)
    assert {name: row["工单数"] for name, row in by_department.items()} == dict(departments)
    assert _by_first(_table(book, "工单量", "按类型"), "类型")["故障/服务"]["工单数"] == len(TICKETS)
    overview = _by_first(_table(book, "概览", "关键指标"), "项目")
    assert overview["工单总数"]["数值"] == len(TICKETS)


async def test_the_key_figures_show_how_often_engineers_changed_the_triage(november: tuple[Path, Path]) -> None:
    overview = _by_first(_table(openpyxl.load_workbook(november[1]), "概览", "关键指标"), "项目")
    first = {name: before for name, before, _ in reversed(CORRECTIONS)}
    classified = sum(1 for before in first.values() if before["kind"] == "unknown")
    corrected = len(first) - classified
    assert (corrected, classified) == (2, 1)  # H1 and H6 (twice, counted once); N3 was unknown
    assert overview["分诊被工程师改动的工单"]["数值"] == corrected
    assert overview["分诊改动率（改动的工单 / 工单总数）"]["数值"] == pytest.approx(corrected / len(TICKETS))
    assert overview["未能自动分诊、由工程师分类的工单"]["数值"] == classified


async def test_the_workbook_measures_response_and_resolution_against_the_contract(november: tuple[Path, Path]) -> None:
    book = openpyxl.load_workbook(november[1])
    response = _by_first(_table(book, "响应与解决", "响应（确认）"), "严重程度")
    resolution = _by_first(_table(book, "响应与解决", "解决"), "严重程度")
    for severity in ("urgent", "high"):
        seeded = [t for t in TICKETS if t.severity == severity]
        acks = [_hours(t.ack) for t in seeded if t.ack is not None]
        in_time = sum(1 for t in seeded if t.ack is not None and t.ack <= PROMISE[severity])
        row = response[NAMES[severity]]
        assert row["计时方式"] == "自然时间"
        assert (row["工单数"], row["应响应"], row["按时响应"]) == (len(seeded), len(seeded), in_time)
        assert row["按时响应率"] == pytest.approx(in_time / len(seeded))
        assert row["中位数(小时)"] == pytest.approx(statistics.median(acks), abs=0.005)
        assert row["P90(小时)"] == pytest.approx(_p90(acks), abs=0.005)
        fixed = [_hours(t.resolved) for t in seeded if t.resolved is not None]
        done = resolution[NAMES[severity]]
        assert done["已解决"] == len(fixed)
        assert done["2 小时内解决"] == sum(h <= 2 for h in fixed)
        assert done["24 小时内解决"] == sum(h <= 24 for h in fixed)
        assert done["2 小时内解决率"] == pytest.approx(sum(h <= 2 for h in fixed) / len(seeded))
        assert done["中位数(小时)"] == pytest.approx(statistics.median(fixed), abs=0.005)
    normal = response["一般故障"]
    assert normal["计时方式"] == "驻场工时" and normal["响应目标(小时)"] == pytest.approx(7.5)
    assert (normal["应响应"], normal["按时响应"]) == (3, NORMAL_IN_TIME)
    assert normal["中位数(小时)"] == pytest.approx(statistics.median(NORMAL_RESPONSE_ON_SITE_H))
    assert normal["P90(小时)"] == pytest.approx(_p90(list(NORMAL_RESPONSE_ON_SITE_H)))
    assert resolution["一般故障"]["中位数(小时)"] == pytest.approx(statistics.median(NORMAL_RESOLUTION_ON_SITE_H))
    assert resolution["一般故障"]["2 小时内解决"] == sum(h <= 2 for h in NORMAL_RESOLUTION_ON_SITE_H)
    assert response["硬件故障"]["应响应"] == 0 and response["硬件故障"]["按时响应率"] is None


async def test_the_workbook_counts_escalations_complaints_repairs_and_deflection(november: tuple[Path, Path]) -> None:
    book = openpyxl.load_workbook(november[1])
    escalations = _by_first(_table(book, "升级", None), "项目")
    assert escalations["升级过的工单"]["数值"] == sum(1 for t in TICKETS if t.timeouts or t.by_hand)
    assert escalations["超时未确认自动升级（次）"]["数值"] == sum(t.timeouts for t in TICKETS)
    assert escalations["手动升级（次）"]["数值"] == sum(t.by_hand for t in TICKETS)

    complaints = _by_first(_table(book, "投诉", None), "项目")
    facts_kept = sum(1 for _, _, f, _ in COMPLAINTS if f is not None and f <= timedelta(hours=8))
    answer_kept = sum(1 for _, _, _, a in COMPLAINTS if a is not None and a <= timedelta(hours=24))
    assert complaints["投诉数"]["数值"] == len(COMPLAINTS)
    assert complaints["8 小时内核实"]["数值"] == facts_kept
    assert complaints["未在 8 小时内核实"]["数值"] == len(COMPLAINTS) - facts_kept
    assert complaints["24 小时内答复"]["数值"] == answer_kept
    assert complaints["未在 24 小时内答复"]["数值"] == len(COMPLAINTS) - answer_kept

    repairs = _by_first(_table(book, "维修与费用", None), "项目")
    approved = sum(fen for *_, step, fen in REPAIRS if step == "approved")
    assert repairs["送修台次"]["数值"] == len(REPAIRS)
    assert repairs["维修费用（已批准报价）"]["数值"] == pytest.approx(approved / 100)
    repeated = _table(book, "维修与费用", "重复故障设备（近 12 个月）")
    assert [(r["编号/序列号"], r["故障次数"]) for r in repeated] == [("PC-0042", 2)]

    kb = _by_first(_table(book, "知识库", None), "项目")
    served = sum(n for _, outcome, n in ARTICLE_EVENTS if outcome == "served")
    solved = sum(n for _, outcome, n in ARTICLE_EVENTS if outcome == "solved")
    assert (kb["知识库答复次数"]["数值"], kb["自助解决"]["数值"]) == (served, solved)
    assert kb["知识库自助解决率"]["数值"] == pytest.approx(solved / served)


async def test_the_suggestions_name_the_failing_disk_the_printer_article_and_the_mondays(
    november: tuple[Path, Path],
) -> None:
    book = openpyxl.load_workbook(november[1])
    texts = [row["建议"] for row in _table(book, "优化建议", None)]
    assert any("PC-0042" in t and "2 次" in t for t in texts)
    assert any("「打印/扫描」" in t and "3 张" in t for t in texts)
    # Mondays 9 and 16 November were answered late, in consecutive duty weeks: both teams were on.
    assert any(t.startswith("星期一") and "33%" in t and "A组" in t and "B组" in t for t in texts)
    assert any("printer-jam" in t for t in texts)


async def test_the_workbook_opens_with_native_charts(november: tuple[Path, Path]) -> None:
    book = openpyxl.load_workbook(november[1])
    assert book.sheetnames[0] == "概览"
    # openpyxl drops charts it reads; the package itself lists them.
    import zipfile

    with zipfile.ZipFile(november[1]) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) >= 4


def _pdftotext(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


async def test_the_pdf_renders_a_page_of_charts_and_reads_back_its_headings_and_figures(
    november: tuple[Path, Path], tmp_path: Path
) -> None:
    pdf = november[0]
    subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", "50", "-png", str(pdf), str(tmp_path / "page")], check=True)
    [png] = tmp_path.glob("page*.png")
    image = Image.open(png).convert("L")
    dark = sum(image.histogram()[:200])
    assert dark > image.width * image.height * 0.05  # charts and text, not a blank page
    text = _pdftotext(pdf)
    for heading in ("月工作报告及优化建议表", "响应与解决", "投诉", "维修与费用", "知识库", "优化建议", "2026年11月"):
        assert heading in text
    high = [t for t in TICKETS if t.severity == "high"]
    in_time = sum(1 for t in high if t.ack is not None and t.ack <= PROMISE["high"])
    assert f"{in_time / len(high) * 100:.1f}%" in text
    assert f"¥{sum(fen for *_, step, fen in REPAIRS if step == 'approved') / 100:,.2f}" in text
    assert "PC-0042" in text


async def test_an_english_manager_gets_english_headings(
    sqlite_sessions: storage.SessionFactory, tmp_path: Path
) -> None:
    sessions = sqlite_sessions
    await seed_month(sessions)
    async with sessions() as s:
        _, [pdf, xlsx] = await build_monthly(s, Month(2026, 11), contract(), tmp_path, NOW, ("en",))
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames[:3] == ["Overview", "Volumes", "Response and resolution"]
    text = _pdftotext(pdf)
    assert "Monthly Work Report and Improvement Suggestions" in text and "November 2026" in text


async def test_figures_that_depend_on_an_estimated_calendar_say_so(
    sqlite_sessions: storage.SessionFactory, tmp_path: Path
) -> None:
    sessions = sqlite_sessions
    async with sessions() as s, s.begin():
        at = datetime(2027, 1, 6, 10, 0, tzinfo=NOW.tzinfo)
        await storage.open_ticket(
            s, requester_id="staff.li", kind="incident", text="电脑很慢", channel="web", now=at, severity="normal"
        )
    async with sessions() as s:
        _, [pdf, xlsx] = await build_monthly(s, Month(2027, 1), contract(), tmp_path, NOW + timedelta(days=60))
    assert "2027年的节假日安排尚未录入" in _pdftotext(pdf).replace("\n", "")
    notes = [c for row in openpyxl.load_workbook(xlsx)["概览"].iter_rows(values_only=True) for c in row if c]
    assert any("估算" in str(c) for c in notes)
    async with sessions() as s:
        _, [pdf, _] = await build_monthly(s, Month(2026, 11), contract(), tmp_path, NOW)
    assert "估算" not in _pdftotext(pdf)


async def test_the_month_reads_the_same_from_either_database(sessions: storage.SessionFactory) -> None:
    await seed_month(sessions)
    since, until = Month(2026, 11).bounds(NOW.tzinfo)  # type: ignore[arg-type]
    async with sessions() as s:
        figures = monthly_figures(await load_month(s, Month(2026, 11), since, until), contract(), NOW)
    assert figures.total == len(TICKETS)
    assert figures.escalations == sum(t.timeouts for t in TICKETS)
    assert [d.key for d in figures.repeated_devices] == ["PC-0042"]
    assert figures.complaints.total == len(COMPLAINTS) and figures.deflection.served == 5
    assert (figures.triage.opened, figures.triage.corrected, figures.triage.classified) == (len(TICKETS), 2, 1)
