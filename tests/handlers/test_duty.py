"""Roster overrides in chat and by CLI: a swap or a leave takes effect at once, for 谁在值班 and for
the next page; only the engineer concerned or a manager may make one."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import storage
from bot.messages import Action, Reply
from bot.pipeline import Pipeline
from config.settings import REPO_ROOT
from handlers.clock import FakeClock
from handlers.contract import Contract
from handlers.roster import load_roster, on_duty
from tests.support.builders import ScriptedNlu, make_inbound

# Monday 2026-11-23 10:00 in Shanghai: team A (陈工, 刘工) is on duty that week.
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
CONTRACT = Contract(load_roster(REPO_ROOT / "config" / "roster.yaml"))
OUTAGE = "三楼整层都断网了"


def _pipeline(sessions: storage.SessionFactory) -> Pipeline:
    nlu = ScriptedNlu({OUTAGE: ("incident_urgent", 0.95)})
    return Pipeline(sessions, nlu, FakeClock(NOW), hotline="400-000-0000", contract=CONTRACT)


async def _answer(sessions: storage.SessionFactory, sender: str, text: str) -> str:
    receipt = await _pipeline(sessions).handle(make_inbound(text, sender=sender, at=NOW))
    async with sessions() as s:
        return "\n".join(Reply.from_payload(r.payload).text for r in await storage.replies_to(s, receipt.inbound_id))


async def _paged(sessions: storage.SessionFactory) -> set[str]:
    async with sessions() as s:
        rows = await storage.outbox_after(s, 0)
    return {
        r.recipient_id or ""
        for r in rows
        if any(b.action is Action.ACKNOWLEDGE for b in Reply.from_payload(r.payload).buttons)
    }


async def test_an_engineer_swaps_their_day_and_the_next_page_goes_to_the_swapped_in_engineer(
    sessions: storage.SessionFactory,
) -> None:
    assert set(on_duty(CONTRACT.roster, NOW, CONTRACT.calendar).engineers) == {"eng.chen", "eng.liu"}
    answer = await _answer(sessions, "eng.chen", "换班 2026-11-23 eng.chen eng.zhao")
    assert "已记录换班" in answer and "陈工" in answer and "赵工" in answer
    duty = await _answer(sessions, "staff.li", "谁在值班")
    assert "赵工" in duty.splitlines()[0] and "陈工" not in duty.splitlines()[0]
    await _answer(sessions, "staff.li", OUTAGE)
    assert await _paged(sessions) == {"eng.zhao", "eng.liu"}


async def test_a_manager_records_leave_with_a_substitute(sessions: storage.SessionFactory) -> None:
    answer = await _answer(sessions, "svc.ma", "请假 刘工 2026-11-23 2026-11-25 eng.sun")
    assert "已记录请假" in answer and "孙工" in answer
    await _answer(sessions, "staff.li", OUTAGE)
    assert await _paged(sessions) == {"eng.chen", "eng.sun"}


async def test_staff_and_other_engineers_cannot_change_someone_elses_duty(sessions: storage.SessionFactory) -> None:
    assert "只有当事工程师本人或经理" in await _answer(sessions, "staff.li", "换班 2026-11-23 eng.chen eng.zhao")
    assert "只有当事工程师本人或经理" in await _answer(sessions, "eng.wu", "请假 eng.liu 2026-11-23 2026-11-24 eng.sun")
    async with sessions() as s:
        assert await storage.roster_overrides(s) == []


async def test_an_impossible_override_is_refused_with_the_reason(sessions: storage.SessionFactory) -> None:
    backwards = await _answer(sessions, "eng.liu", "请假 eng.liu 2026-11-25 2026-11-23 eng.sun")
    assert "无法调整值班" in backwards
    unknown = await _answer(sessions, "eng.chen", "换班 2026-11-23 eng.chen 王五")
    assert "找不到工程师「王五」" in unknown
    async with sessions() as s:
        assert await storage.roster_overrides(s) == []


def test_the_cli_records_a_swap_that_roster_show_then_reflects(tmp_path: Path) -> None:
    helpdesk = str(Path(sys.executable).parent / "helpdesk")
    config = tmp_path / "helpdesk.toml"
    config.write_text(
        f'base_dir = "{REPO_ROOT}"\n[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "h.db"}"\n', encoding="utf-8"
    )

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [helpdesk, "--config", str(config), "roster", *args], capture_output=True, text=True, timeout=120
        )

    before = run("show", "--at", "2026-11-23T10:00")
    swapped = run("swap", "2026-11-23", "eng.liu", "eng.wu", "--by", "svc.ma")
    after = run("show", "--at", "2026-11-23T10:00")
    assert swapped.returncode == 0 and "已记录换班" in swapped.stdout
    assert "刘工" in before.stdout.splitlines()[0] and "吴工" not in before.stdout.splitlines()[0]
    assert "吴工" in after.stdout.splitlines()[0] and "刘工" not in after.stdout.splitlines()[0]
