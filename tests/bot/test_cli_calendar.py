"""``helpdesk calendar check YEAR``: where a year's working days come from, and an exit status that
tells CI a year is only estimated; a bad holiday table stops start-up naming its line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.contract import load_contract
from config.settings import REPO_ROOT, ConfigError
from tests.conftest import make_settings

HELPDESK = str(Path(sys.executable).parent / "helpdesk")
SHIPPED = (REPO_ROOT / "config" / "holidays.yaml").read_text(encoding="utf-8")

# A made-up 2027 arrangement (NOT the State Council's notice, which was not known when this was written).
TABLE_2027 = """\
years:
  2027:
    notice: 测试用表（非真实通知）
    published: 2026-11-01
    days_off:
      - {name: 春节, from: 2027-02-05, to: 2027-02-12}
    make_up_days: [2027-02-13, 2027-02-20]
"""


def _config(tmp_path: Path, table: str) -> Path:
    (tmp_path / "holidays.yaml").write_text(table, encoding="utf-8")
    config = tmp_path / "helpdesk.toml"
    config.write_text(f'base_dir = "{REPO_ROOT}"\nholidays_file = "{tmp_path / "holidays.yaml"}"\n', encoding="utf-8")
    return config


def _without_2027(text: str) -> str:
    assert "\n  2027:" not in text, "the shipped table has 2027 now: these tests use a copy without it"
    return text


def test_an_estimated_year_is_reported_with_its_statutory_days_and_exits_1(tmp_path: Path) -> None:
    config = _config(tmp_path, _without_2027(SHIPPED))
    result = subprocess.run(
        [HELPDESK, "--config", str(config), "calendar", "check", "2027"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("2027: ESTIMATE")
    assert "国务院办公厅关于2027年部分节假日安排的通知" in result.stdout and str(tmp_path) in result.stdout
    assert "  2027-01-01 周五  元旦" in lines
    assert "make-up working days (调休上班): none" in lines


def test_a_year_of_the_shipped_table_names_its_notice_and_tiaoxiu_saturdays(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["calendar", "check", "2026"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].endswith("国务院办公厅关于2026年部分节假日安排的通知")
    assert "  2026-02-15 周日 – 2026-02-23 周一, 9 days  春节" in out.splitlines()
    made_up = out.split("make-up working days (调休上班):\n", 1)[1].splitlines()
    assert made_up == [
        "  2026-01-04 周日",
        "  2026-02-14 周六",
        "  2026-02-28 周六",
        "  2026-05-09 周六",
        "  2026-09-20 周日",
        "  2026-10-10 周六",
    ]


def test_once_2027_is_in_the_table_the_check_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(_config(tmp_path, TABLE_2027)), "calendar", "check", "2027"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("2027: table") and "测试用表" in out
    assert "  2027-02-13 周六" in out.splitlines() and "ESTIMATE" not in out


def test_a_year_chinese_calendar_covers_passes_and_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calendar", "check", "2024"]) == 0
    assert capsys.readouterr().out.startswith("2024: chinese-calendar ")


def test_a_bad_date_in_the_table_fails_the_check_and_start_up_naming_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path, TABLE_2027.replace("2027-02-20", "2027-02-30"))
    assert main(["--config", str(config), "calendar", "check", "2027"]) == 2
    assert f"{tmp_path / 'holidays.yaml'}:7:" in capsys.readouterr().err
    settings = make_settings("sqlite+aiosqlite:///unused.db", holidays_file=str(tmp_path / "holidays.yaml"))
    with pytest.raises(ConfigError, match=r"holidays\.yaml:7: .*'2027-02-30' is not a date"):
        load_contract(settings)
