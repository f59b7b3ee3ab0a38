"""Roster overrides in chat and by CLI: a swap or a leave takes effect at once, for 谁在值班 and for
the next page; only the engineer concerned or a manager may make one."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

import storage
from bot.pipeline import Pipeline
from config.settings import REPO_ROOT
from core.clock import FakeClock
from core.messages import Action, Reply
from handlers.contract import Contract
from handlers.paging import duty
from handlers.paging.roster import load_roster, on_duty
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


# --- the effective roster is cached, seen across processes, and past overrides are not replayed ---------


def _count_override_reads(engine: AsyncEngine) -> list[str]:
    """The SQL statements that touch the overrides table, as the engine runs them."""
    seen: list[str] = []

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "roster_overrides" in statement:
            seen.append(statement)

    return seen


def _reads_rows(statements: list[str]) -> list[str]:
    return [s for s in statements if "roster_overrides.kind" in s]


async def test_a_swap_stored_by_another_process_is_seen_on_the_next_message(
    database_url: str, sessions: storage.SessionFactory
) -> None:
    pipeline = _pipeline(sessions)

    async def duty_now() -> str:
        receipt = await pipeline.handle(make_inbound("谁在值班", sender="staff.li", at=NOW))
        async with sessions() as s:
            return Reply.from_payload((await storage.replies_to(s, receipt.inbound_id))[0].payload).text

    # an override already stored, so that the bot process has a cached roster to go stale
    assert "已记录请假" in await _answer(sessions, "eng.wu", "请假 eng.wu 2026-11-23 2026-11-23 eng.sun")
    assert "陈工" in (await duty_now()).splitlines()[0]
    other = storage.make_engine(database_url)  # a second process: its own engine on the same database
    try:
        async with storage.make_session_factory(other)() as s, s.begin():
            by = await storage.get_person(s, "svc.ma")
            assert by is not None
            result = await duty.add_swap(s, by, NOW.date(), "eng.chen", "eng.zhao", CONTRACT.roster, "cli", NOW)
            assert result.done
    finally:
        await other.dispose()
    first_line = (await duty_now()).splitlines()[0]
    assert "赵工" in first_line and "陈工" not in first_line


async def test_overrides_that_ended_before_today_are_not_read_or_replayed(sessions: storage.SessionFactory) -> None:
    today = NOW.astimezone(CONTRACT.zone).date()
    stored = [
        ("swap", {"date": "2026-11-20", "engineer": "eng.chen", "with": "eng.wu"}),
        ("leave", {"engineer": "eng.liu", "from": "2026-11-16", "to": "2026-11-22", "substitute": "eng.sun"}),
        ("leave", {"engineer": "eng.zhao", "from": "2026-11-20", "to": "2026-11-23", "substitute": "eng.sun"}),
        ("swap", {"date": "2026-11-24", "engineer": "eng.liu", "with": "eng.qian"}),
    ]
    async with sessions() as s, s.begin():
        for kind, data in stored:
            await storage.add_roster_override(s, kind=kind, data=data, created_by="svc.ma", source="cli", now=NOW)
    async with sessions() as s:
        kept = await storage.roster_overrides(s, since=today)
        roster = await duty.effective_roster(s, CONTRACT.roster, since=today)
    assert [o.data for o in kept] == [stored[2][1], stored[3][1]]  # the leave still running, tomorrow's swap
    assert [leave.engineer for leave in roster.leave] == ["eng.zhao"]
    assert [swap.date.isoformat() for swap in roster.swaps] == ["2026-11-24"]


async def test_the_cached_roster_is_reused_for_each_message_until_an_override_is_added(
    database_url: str, sessions: storage.SessionFactory
) -> None:
    engine = storage.make_engine(database_url)  # the bot process's own engine, so its cache starts empty
    factory = storage.make_session_factory(engine)
    pipeline = _pipeline(factory)
    statements = _count_override_reads(engine)

    async def duty_now() -> str:
        receipt = await pipeline.handle(make_inbound("谁在值班", sender="staff.li", at=NOW))
        async with factory() as s:
            return Reply.from_payload((await storage.replies_to(s, receipt.inbound_id))[0].payload).text

    try:
        async with factory() as s, s.begin():
            swap = {"date": "2026-11-23", "engineer": "eng.chen", "with": "eng.zhao"}
            await storage.add_roster_override(s, kind="swap", data=swap, created_by="svc.ma", source="cli", now=NOW)
        statements.clear()
        first = await duty_now()
        assert "赵工" in first.splitlines()[0]
        assert len(_reads_rows(statements)) == 1
        assert await duty_now() == first
        assert len(_reads_rows(statements)) == 1  # the second message asked only for the version
        assert len(statements) == 3  # version, rows, version

        async with sessions() as s, s.begin():  # another process adds a leave
            by = await storage.get_person(s, "eng.liu")
            assert by is not None
            await duty.add_leave(s, by, "eng.liu", NOW.date(), NOW.date(), "eng.sun", CONTRACT.roster, "chat", NOW)
        after = await duty_now()
        assert len(_reads_rows(statements)) == 2
        assert "孙工" in after.splitlines()[0] and "刘工" not in after.splitlines()[0]
    finally:
        await engine.dispose()


async def test_who_is_on_duty_says_when_the_holidays_behind_it_are_only_estimated(
    sessions: storage.SessionFactory,
) -> None:
    assert "估算" not in await _answer(sessions, "staff.li", "谁在值班")  # November 2026: a published notice
    december = datetime(2026, 12, 10, 2, 0, tzinfo=UTC)  # from December, next year's days matter
    pipeline = Pipeline(sessions, ScriptedNlu({}), FakeClock(december), hotline="400-000-0000", contract=CONTRACT)
    receipt = await pipeline.handle(make_inbound("谁在值班", sender="staff.li", at=december))
    async with sessions() as s:
        [reply] = [Reply.from_payload(r.payload).text for r in await storage.replies_to(s, receipt.inbound_id)]
    assert "现在" in reply and "2027 年" in reply and "估算" in reply and "holidays.yaml" in reply
