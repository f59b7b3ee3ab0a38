"""设备状况表 and 巡检表 from a seeded registry: each device's faults, repairs and costs, and the
month's checklist per computer, in the workbook and the PDF."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import openpyxl

import storage
from reports import Month, write_document
from reports.assets import device_status_document, inspection_document
from tests.reports.seed import NOW, SHANGHAI, local, seed_month


async def _registry(sessions: storage.SessionFactory) -> None:
    numbers = await seed_month(sessions)
    async with sessions() as s, s.begin():
        pc, _ = await storage.upsert_device(
            s,
            label="PC-0042",
            now=NOW,
            type="pc",
            brand="联想",
            model="M720",
            owner_id="staff.li",
            location="3F",
            warranty_end=date(2026, 6, 30),
        )
        await storage.upsert_device(s, label="PC-0043", now=NOW, type="pc", brand="戴尔", model="3080")
        await storage.upsert_device(s, label="PR-7", now=NOW, type="printer", brand="惠普", model="M404")
        for name in ("W1", "H1"):
            ticket = await storage.get_ticket(s, numbers[name])
            assert ticket is not None
            await storage.link_ticket_device(s, ticket, pc, at=NOW, by="eng.chen", source="cli")
        await storage.tick_inspection(
            s, pc, month="2026-11", items=storage.INSPECTION_ITEMS, by="eng.chen", at=local(11, 20, 10), source="cli"
        )
        await storage.tick_inspection(
            s,
            pc,
            month="2026-11",
            items=["hardware_check"],
            by="eng.chen",
            at=local(11, 20, 11),
            source="cli",
            result="issue",
            note="硬盘有坏道",
        )


async def test_the_device_status_lists_each_devices_faults_and_repair_costs(
    sqlite_sessions: storage.SessionFactory, tmp_path: Path
) -> None:
    await _registry(sqlite_sessions)
    async with sqlite_sessions() as s:
        document = await device_status_document(s, "zh", SHANGHAI, NOW)
    pdf, xlsx = write_document(document, tmp_path, "devices")
    rows = list(openpyxl.load_workbook(xlsx)["设备状况表"].iter_rows(values_only=True))
    header = rows[2]
    by_label = {r[0]: dict(zip(header, r, strict=False)) for r in rows[3:6]}
    assert set(by_label) == {"PC-0042", "PC-0043", "PR-7"}
    pc = by_label["PC-0042"]
    assert (pc["故障次数"], pc["送修次数"], pc["维修费用"], pc["使用人"]) == (2, 1, 450.0, "李娜")
    assert pc["保修截止"] == "2026-06-30（已过保）"
    assert by_label["PC-0043"]["故障次数"] == 0
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "设备状况表" in text and "PC-0042" in text and "硬盘有异响" in text


async def test_the_inspection_checklist_shows_each_computers_items_for_the_month(
    sqlite_sessions: storage.SessionFactory, tmp_path: Path
) -> None:
    await _registry(sqlite_sessions)
    async with sqlite_sessions() as s:
        document = await inspection_document(s, Month(2026, 11), "zh", SHANGHAI, NOW)
    pdf, xlsx = write_document(document, tmp_path, "inspection")
    sheet = list(openpyxl.load_workbook(xlsx)["巡检表"].iter_rows(values_only=True))
    summary = {r[0]: r[1] for r in sheet[3:6]}
    assert summary == {"巡检电脑台数": 2, "已完成项目数": len(storage.INSPECTION_ITEMS), "完成率": 0.5}
    header_row = next(i for i, r in enumerate(sheet) if r[0] == "编号" and r[1] is not None)
    checklist = {r[0]: r for r in sheet[header_row + 1 : header_row + 3]}
    assert checklist["PC-0042"][-1] == 1.0 and checklist["PC-0043"][-1] == 0.0
    assert "!" in checklist["PC-0042"] and "PR-7" not in checklist  # printers have no monthly checklist
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "巡检表" in text and "硬盘有坏道" in text
