"""`helpdesk tickets list` and `tickets show` give times on the contract's clock (Asia/Shanghai), as
chat does, and say so — whatever the operator's machine is set to."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import storage
from bot.directory import load_directory
from config.settings import REPO_ROOT

HELPDESK = str(Path(sys.executable).parent / "helpdesk")
# 02:00 UTC is 10:00 in Shanghai, and 21:00 the evening before in New York.
OPENED = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


async def _store_with_a_ticket(tmp_path: Path) -> Path:
    url = f"sqlite+aiosqlite:///{tmp_path / 'h.db'}"
    engine = storage.make_engine(url)
    await storage.upgrade(engine)
    async with storage.make_session_factory(engine)() as s, s.begin():
        await storage.sync_people(s, load_directory(REPO_ROOT / "config" / "people.yaml"))
        ticket = await storage.open_ticket(
            s, requester_id="staff.li", kind="incident", text="打印机卡纸了", channel="web", now=OPENED
        )
        number = ticket.number
    await engine.dispose()
    config = tmp_path / "helpdesk.toml"
    config.write_text(f'base_dir = "{REPO_ROOT}"\n[database]\nurl = "{url}"\n', encoding="utf-8")
    assert number == 1001
    return config


def _helpdesk(config: Path, *args: str) -> str:
    env = {**os.environ, "TZ": "America/New_York"}  # an operator's machine on another clock
    result = subprocess.run(
        [HELPDESK, "--config", str(config), *args], capture_output=True, text=True, timeout=120, env=env
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


async def test_tickets_list_shows_shanghai_time_under_a_header_naming_the_zone(tmp_path: Path) -> None:
    config = await _store_with_a_ticket(tmp_path)
    header, row = _helpdesk(config, "tickets", "list").splitlines()[:2]
    assert "created (Asia/Shanghai)" in header
    assert "2026-11-23 10:00" in row and "打印机卡纸了" in row
    assert header.index("text") == row.index("打印机卡纸了")  # the columns still line up


async def test_tickets_show_gives_created_and_history_times_in_shanghai_time(tmp_path: Path) -> None:
    config = await _store_with_a_ticket(tmp_path)
    shown = _helpdesk(config, "tickets", "show", "1001")
    assert "created: 2026-11-23 10:00" in shown and "(Asia/Shanghai)" in shown
    assert "2026-11-23 10:00  opened" in shown
    assert "21:00" not in shown and "02:00" not in shown
