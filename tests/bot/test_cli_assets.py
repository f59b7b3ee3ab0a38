"""``helpdesk assets import|export`` and ``helpdesk inspection tick|status``: rejected rows named by
line and column with the good rows stored, a second import adds nothing, CSV and XLSX exports
import back unchanged, and the checklist ticked and listed from the command line."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
import xlsxwriter
from openpyxl import load_workbook

import storage
from bot.cli import main
from config.settings import REPO_ROOT

HEADER = "编号贴标,类型,品牌,型号,配置,使用人,位置,购买日期,保修到期,备注,在用,资产原值\n"
GOOD = [
    'PC-0157,台式机,联想,M720,"i5, 8G, 256G",李娜,3F 财务部,2023-05-01,2026-05-01,,是,4000\n',
    "pr-003,打印机,HP,M404dn,,,3F,,,走廊,否,\n",
    "NB-012,笔记本,ThinkPad,T14,,staff.wang,3F,2024/1/15,2027-01-14,,,\n",
]
BAD = [
    "PC-0158,台式机,戴尔,3080,,staff.zhang,4F,2023-13-01,,,是,\n",  # line 3 of the file
    "XX0001,台式机,,,,,,,,,,\n",
    "NB-020,平板,,,,,,,,,,\n",
    "NB-021,笔记本,,,,nobody,,,,,,\n",
    "PC-0157,台式机,,,,,,,,,,\n",  # a second PC-0157 in the same file
]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "helpdesk.toml"
    db = tmp_path / "helpdesk.db"
    path.write_text(f'base_dir = "{REPO_ROOT}"\n[database]\nurl = "sqlite+aiosqlite:///{db}"\n', encoding="utf-8")
    return path


def _run(config: Path, *args: str) -> int:
    return main(["--config", str(config), *args])


def _devices(config: Path) -> list[tuple[object, ...]]:
    url = config.read_text(encoding="utf-8").split('url = "')[1].split('"')[0]

    async def read() -> list[tuple[object, ...]]:
        engine = storage.make_engine(url)
        try:
            async with storage.make_session_factory(engine)() as s:
                return [_row(d) for d in await storage.list_devices(s)]
        finally:
            await engine.dispose()

    return asyncio.run(read())


def _row(d: storage.Device) -> tuple[object, ...]:
    where = (d.owner_id, d.location, d.purchase_date, d.warranty_end, d.notes, d.active)
    return (d.label, d.type, d.brand, d.model, d.configuration, *where)


EXPECTED = [
    ("NB-012", "laptop", "ThinkPad", "T14", "",
     "staff.wang", "3F", dt.date(2024, 1, 15), dt.date(2027, 1, 14), "", True),
    ("PC-0157", "pc", "联想", "M720", "i5, 8G, 256G",
     "staff.li", "3F 财务部", dt.date(2023, 5, 1), dt.date(2026, 5, 1), "", True),
    ("PR-003", "printer", "HP", "M404dn", "", None, "3F", None, None, "走廊", False),
]  # fmt: skip


def test_an_import_stores_the_good_rows_and_names_the_line_and_column_of_each_bad_one(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "台账.csv"
    sheet.write_text(HEADER + GOOD[0] + BAD[0] + GOOD[1] + BAD[1] + BAD[2] + GOOD[2] + BAD[3] + BAD[4], "utf-8-sig")
    assert _run(config, "assets", "import", str(sheet)) == 1
    out, err = capsys.readouterr()
    assert "新增 3，更新 0，未变 0，拒绝 5" in out
    assert err.splitlines() == [
        "第 3 行，列“购买日期”：“2023-13-01”不是日期（请写成 2024-05-01）",
        "第 5 行，列“编号贴标”：“XX0001”不是编号贴标的格式（例如 PC-0157）",
        "第 6 行，列“类型”：不认识的设备类型“平板”（可用：台式机 笔记本 打印机 显示器 服务器 网络设备 其他）",
        "第 8 行，列“使用人”：通讯录里没有“nobody”",
        "第 9 行，列“编号贴标”：编号“PC-0157”在本文件中重复出现",
    ]
    assert _devices(config) == EXPECTED


def test_importing_the_same_file_twice_adds_nothing_and_a_changed_row_updates_its_device(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "assets.csv"
    sheet.write_text(HEADER + "".join(GOOD), "utf-8")  # no BOM this time
    assert _run(config, "assets", "import", str(sheet)) == 0
    assert _run(config, "assets", "import", str(sheet)) == 0
    sheet.write_text(HEADER + GOOD[0].replace("3F 财务部", "5F 财务部"), "utf-8")
    assert _run(config, "assets", "import", str(sheet)) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split("：", 1)[1] for line in out] == [
        "新增 3，更新 0，未变 0，拒绝 0",
        "新增 0，更新 0，未变 3，拒绝 0",
        "新增 0，更新 1，未变 0，拒绝 0",
    ]
    devices = _devices(config)
    assert len(devices) == 3 and devices[1][6] == "5F 财务部"


def test_a_csv_export_imports_back_unchanged(config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheet = tmp_path / "assets.csv"
    sheet.write_text(HEADER + "".join(GOOD), "utf-8")
    assert _run(config, "assets", "import", str(sheet)) == 0
    exported = tmp_path / "export.csv"
    assert _run(config, "assets", "export", "--out", str(exported)) == 0
    raw = exported.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the Chinese as UTF-8
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == "编号贴标,类型,品牌,型号,配置,使用人,位置,购买日期,保修到期,备注,在用"
    assert lines[2] == 'PC-0157,pc,联想,M720,"i5, 8G, 256G",staff.li,3F 财务部,2023-05-01,2026-05-01,,是'
    capsys.readouterr()
    assert _run(config, "assets", "import", str(exported)) == 0
    assert "新增 0，更新 0，未变 3，拒绝 0" in capsys.readouterr().out
    assert _devices(config) == EXPECTED


def test_an_xlsx_export_has_date_cells_and_imports_back_unchanged(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "assets.csv"
    sheet.write_text(HEADER + "".join(GOOD), "utf-8")
    assert _run(config, "assets", "import", str(sheet)) == 0
    exported = tmp_path / "台账.xlsx"
    assert _run(config, "assets", "export", "--format", "xlsx", "--out", str(exported)) == 0
    assert capsys.readouterr().out.splitlines()[-1] == str(exported)
    book = load_workbook(exported, read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    assert rows[0][:3] == ("编号贴标", "类型", "品牌") and len(rows) == 4
    assert rows[2][0] == "PC-0157" and rows[2][7] == dt.datetime(2023, 5, 1)  # a date cell, not text
    assert _run(config, "assets", "import", str(exported)) == 0
    assert "新增 0，更新 0，未变 3，拒绝 0" in capsys.readouterr().out
    assert _devices(config) == EXPECTED


def test_an_xlsx_import_names_the_sheet_line_of_a_bad_row(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "from-excel.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet()
    ws.write_row(0, 0, ["Label", "Type", "Owner", "Purchase date", "Warranty end"])
    ws.write_row(1, 0, ["PC-0300", "desktop", "王芳"])
    ws.write_datetime(1, 3, dt.datetime(2025, 3, 1), book.add_format({"num_format": "yyyy-mm-dd"}))
    ws.write_row(3, 0, ["PC-0301", "desktop", "", "", "not yet"])  # row 3 left empty: skipped
    book.close()
    assert _run(config, "assets", "import", str(path)) == 1
    out, err = capsys.readouterr()
    assert "新增 1" in out and "拒绝 1" in out
    assert err.strip() == "第 4 行，列“Warranty end”：“not yet”不是日期（请写成 2024-05-01）"
    [device] = _devices(config)
    assert device[:2] == ("PC-0300", "pc") and device[5] == "staff.wang" and device[7] == dt.date(2025, 3, 1)


def test_a_file_without_a_label_column_is_refused_whole(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "bad.csv"
    sheet.write_text("名称,类型\n电脑,台式机\n", "utf-8")
    assert _run(config, "assets", "import", str(sheet)) == 2
    assert "没有“编号贴标”列" in capsys.readouterr().err


def test_inspection_is_ticked_and_listed_from_the_command_line_and_a_first_visit_registers_the_device(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "assets.csv"
    sheet.write_text(HEADER + "".join(GOOD), "utf-8")
    assert _run(config, "assets", "import", str(sheet)) == 0
    assert _run(config, "inspection", "tick", "PC-0157", "1-3,11", "--month", "2026-11", "--by", "eng.chen") == 0
    assert _run(config, "inspection", "tick", "PC-0160", "all", "使用人=张伟", "位置=4F", "--month", "2026-11") == 0
    assert _run(config, "inspection", "tick", "PC-0161", "1", "使用人=nobody", "--month", "2026-11") == 2
    capsys.readouterr()
    assert _run(config, "inspection", "status", "--month", "2026-11") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "2026-11：3 台电脑，1 台已完成，18 项未完成"
    assert "· NB-012（3F 王芳）：全部 11 项" in out
    left = "4 备份、5 病毒库更新、6 系统及驱动补丁、7 全盘杀毒、8 外设检查、9 局域网及共享、10 硬件检查"
    assert f"· PC-0157（3F 财务部 李娜）：{left}" in out
    assert not any("PC-0160" in line or "PC-0161" in line or "PR-003" in line for line in out)
    labels = [d[0] for d in _devices(config)]
    assert "PC-0160" in labels and "PC-0161" not in labels
