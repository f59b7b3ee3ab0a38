"""Report downloads from the signed-in web chat, in process (the real app, a scripted NLU, demo mode
off): a manager downloads the month's PDF and XLSX by name; staff, a name that is no report, or a
name that tries to be a path get nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import RUNTIME, build_app
from core.clock import FakeClock
from tests.conftest import make_settings
from tests.reports.seed import NOW, TICKETS, seed_month
from tests.support.builders import ScriptedNlu
from tests.support.web import sign_in

Client = TestClient[Any, Any]


@pytest.fixture
async def client(sqlite_url: str, tmp_path: Path) -> AsyncIterator[Client]:
    settings = make_settings(sqlite_url, web={"demo_mode": False}, reports_dir=str(tmp_path / "reports"))
    app = build_app(settings, clock=FakeClock(NOW), nlu=ScriptedNlu({}))
    async with TestClient(TestServer(app)) as client:
        sessions = app[RUNTIME].sessions
        assert sessions is not None
        await seed_month(sessions)
        yield client


async def test_a_manager_downloads_the_months_report_by_name(client: Client, tmp_path: Path) -> None:
    await sign_in(client, "mgr.he")
    listed = await client.get("/api/reports")
    assert listed.status == 200
    names = [item["name"] for item in await listed.json()]
    assert names[:6] == [
        "devices-2026-12-zh.pdf",
        "devices-2026-12-zh.xlsx",
        "inspection-2026-12-zh.pdf",
        "inspection-2026-12-zh.xlsx",
        "inspection-2026-11-zh.pdf",
        "inspection-2026-11-zh.xlsx",
    ]
    assert names[6:8] == ["monthly-2026-11-zh.pdf", "monthly-2026-11-zh.xlsx"] and len(names) == 6 + 24
    pdf = await client.get("/reports/monthly-2026-11-zh.pdf")
    assert pdf.status == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert 'filename="monthly-2026-11-zh.pdf"' in pdf.headers["Content-Disposition"]
    assert (await pdf.read()).startswith(b"%PDF")
    xlsx = await client.get("/reports/monthly-2026-11-zh.xlsx")
    assert xlsx.status == 200
    saved = tmp_path / "downloaded.xlsx"
    saved.write_bytes(await xlsx.read())
    totals = [r for r in openpyxl.load_workbook(saved)["概览"].iter_rows(values_only=True) if r[0] == "工单总数"]
    assert totals[0][1] == len(TICKETS)
    for name in ("inspection-2026-11-zh.pdf", "devices-2026-12-zh.xlsx"):
        other = await client.get(f"/reports/{name}")
        assert other.status == 200, name


async def test_staff_and_strangers_get_nothing(client: Client) -> None:
    assert (await client.get("/reports/monthly-2026-11-zh.pdf")).status == 401  # not signed in
    await sign_in(client, "staff.li")
    assert (await client.get("/api/reports")).status == 403
    refused = await client.get("/reports/monthly-2026-11-zh.pdf")
    assert refused.status == 404 and b"PDF" not in await refused.read()


@pytest.mark.parametrize(
    "name",
    [
        "..%2F..%2Fconfig%2Fpeople.yaml",
        "monthly-2026-11-zh.pdf%00.txt",
        "monthly-2026-13-zh.pdf",
        "monthly-2027-05-zh.pdf",  # not begun
        "record-1001-zh.pdf",  # service records are not served on the web
        "people.yaml",
    ],
)
async def test_a_name_that_is_no_report_gets_nothing(client: Client, name: str) -> None:
    await sign_in(client, "mgr.he")
    response = await client.get(f"/reports/{name}")
    assert response.status == 404
