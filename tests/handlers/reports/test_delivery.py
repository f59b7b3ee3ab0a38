"""The monthly report in chat: a manager who asks gets the PDF and the XLSX as files (through the
pipeline and the report worker, to the channel), anyone else a refusal that reveals nothing, and
every manager gets last month's report once on the month's first working day, however many
report workers run."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select, update

import storage
from bot.outbox import OutboxWorker
from bot.pipeline import Pipeline
from bot.reports_worker import ReportWorker
from config.settings import OutboxSettings
from core.clock import FakeClock
from core.messages import Delivery, Reply
from handlers.contract import Contract
from handlers.reports import MONTHLY_TIMER, schedule_monthly_push
from tests.reports.seed import NOW, SHANGHAI, TICKETS, seed_month
from tests.reports.seed import contract as seeded_contract
from tests.support.builders import ScriptedNlu, make_inbound


def _contract(folder: Path) -> Contract:
    return dataclasses.replace(seeded_contract(), reports_dir=folder)


class RecordingChannel:
    name = "web"
    supports_buttons = True
    supports_edit = True

    def __init__(self) -> None:
        self.sent: list[Delivery] = []

    async def send(self, delivery: Delivery) -> str:
        self.sent.append(delivery)
        return f"msg-{delivery.outbox_id}"

    async def edit(self, delivery: Delivery) -> None:
        raise AssertionError("no edits expected")


async def _ask(sessions: storage.SessionFactory, contract: Contract, sender: str, text: str) -> tuple[Reply, int]:
    """``sender`` writes ``text`` and the report worker runs; the last message the sender got (as
    its outbox row carries it), and how often the NLU was asked."""
    nlu = ScriptedNlu({})
    pipeline = Pipeline(sessions, nlu, FakeClock(NOW), hotline="400", contract=contract)
    receipt = await pipeline.handle(make_inbound(text, sender=sender, channel="web", at=NOW))
    async with sessions() as s:
        [answer] = await storage.replies_to(s, receipt.inbound_id)
    await ReportWorker(sessions, FakeClock(NOW), contract).run_due()
    async with sessions() as s:
        query = select(storage.OutboxMessage).where(storage.OutboxMessage.recipient_id == sender)
        last = (await s.scalars(query.order_by(storage.OutboxMessage.id.desc()).limit(1))).one()
    assert last.id == answer.id or Reply.from_payload(answer.payload).text.startswith(("好的，正在生成", "Preparing"))
    return Reply.from_payload(last.payload), nlu.calls


async def test_a_manager_asking_in_chat_gets_the_pdf_and_xlsx_as_files_without_the_nlu(
    sessions: storage.SessionFactory, tmp_path: Path
) -> None:
    await seed_month(sessions)
    reply, nlu_calls = await _ask(sessions, _contract(tmp_path), "mgr.he", "发我上个月的月报")
    assert nlu_calls == 0
    assert [f.name for f in reply.files] == ["monthly-2026-11-zh.pdf", "monthly-2026-11-zh.xlsx"]
    assert f"工单 {len(TICKETS)} 张" in reply.text
    pdf, xlsx = (Path(f.path) for f in reply.files)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.parent == tmp_path
    assert openpyxl.load_workbook(xlsx).sheetnames[0] == "概览"
    # ... and the outbox worker hands the files to the channel.
    channel = RecordingChannel()
    worker = OutboxWorker(sessions, {"web": channel}, FakeClock(NOW), OutboxSettings())
    assert await worker.run_once() == 2  # "preparing…", then the files
    preparing, delivery = channel.sent
    assert preparing.reply.text == "好的，正在生成 2026-11 的月工作报告，完成后以文件（PDF 和 Excel）发给您。"
    assert delivery.recipient == "mgr.he" and [f.name for f in delivery.reply.files] == [f.name for f in reply.files]


async def test_an_english_manager_gets_the_english_report(
    sqlite_sessions: storage.SessionFactory, tmp_path: Path
) -> None:
    sessions = sqlite_sessions
    await seed_month(sessions)
    async with sessions() as s, s.begin():
        await s.execute(update(storage.Person).where(storage.Person.id == "svc.ma").values(language="en"))
    reply, _ = await _ask(sessions, _contract(tmp_path), "svc.ma", "send me last month's report")
    assert [f.name for f in reply.files] == ["monthly-2026-11-en.pdf", "monthly-2026-11-en.xlsx"]
    assert reply.text.startswith("📊 The monthly work report for 2026-11")
    reply, _ = await _ask(sessions, _contract(tmp_path), "svc.ma", "/report 2026-10")
    assert reply.files[0].name == "monthly-2026-10-en.pdf"


@pytest.mark.parametrize("sender", ["staff.li", "eng.chen"])
async def test_staff_and_engineers_asking_are_refused_without_learning_anything(
    sqlite_sessions: storage.SessionFactory, tmp_path: Path, sender: str
) -> None:
    sessions = sqlite_sessions
    await seed_month(sessions)
    refusals = set()
    for text in ("发我上个月的月报", "/report 2026-11", "/report 2031-05"):
        reply, _ = await _ask(sessions, _contract(tmp_path), sender, text)
        assert reply.files == ()
        refusals.add(reply.text)
    assert refusals == {"抱歉，月报只提供给经理。您可以发送“我的工单”查看自己报修的工单。"}
    assert not (tmp_path / "reports").exists()  # nothing was even built


async def test_a_month_not_begun_has_no_report(sqlite_sessions: storage.SessionFactory, tmp_path: Path) -> None:
    reply, _ = await _ask(sqlite_sessions, _contract(tmp_path), "mgr.he", "/report 2027-03")
    assert reply.files == () and "2027-03 还没有开始" in reply.text


async def _pushes(sessions: storage.SessionFactory) -> list[storage.OutboxMessage]:
    async with sessions() as s:
        query = select(storage.OutboxMessage).where(storage.OutboxMessage.in_reply_to.is_(None))
        return [row for row in (await s.scalars(query)).all() if row.payload.get("files")]


async def test_the_monthly_push_reaches_each_manager_once_whatever_the_number_of_workers(
    sessions: storage.SessionFactory, tmp_path: Path
) -> None:
    await seed_month(sessions)
    contract = _contract(tmp_path)
    before = datetime(2026, 11, 20, 12, 0, tzinfo=SHANGHAI)
    async with sessions() as s, s.begin():
        await schedule_monthly_push(s, before, contract)
    async with sessions() as s, s.begin():  # a second process starting: no second timer
        await schedule_monthly_push(s, before, contract)
    async with sessions() as s:
        [timer] = await storage.pending_timers(s, "report:2026-12")
    # 1 December 2026 is a Tuesday and a working day: the push is due at the on-site start.
    assert timer.due_at == datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)

    clock = FakeClock(timer.due_at - timedelta(minutes=1))
    workers = [ReportWorker(sessions, clock, contract) for _ in range(2)]
    assert sum(await asyncio.gather(*(w.run_due() for w in workers))) == 0
    assert await _pushes(sessions) == []
    clock.advance(timedelta(minutes=1))
    await asyncio.gather(*(w.run_due() for w in workers))
    await asyncio.gather(*(w.run_due() for w in workers))  # a second pass finds nothing left
    pushes = await _pushes(sessions)
    managers = sorted(p.id for p in await _people(sessions) if p.role == "manager")
    assert sorted(row.recipient_id for row in pushes) == managers
    for row in pushes:
        reply = Reply.from_payload(row.payload)
        assert [f.name for f in reply.files] == ["monthly-2026-11-zh.pdf", "monthly-2026-11-zh.xlsx"]
        assert reply.text.startswith("📅 每月第一个工作日自动发送") and f"工单 {len(TICKETS)} 张" in reply.text
    async with sessions() as s:
        [following] = await storage.pending_timers(s, "report:2027-01")
    # 1 January 2027 is New Year's Day and the 2nd and 3rd a weekend: Monday the 4th.
    assert following.kind == MONTHLY_TIMER
    assert following.due_at == datetime(2027, 1, 4, 9, 0, tzinfo=SHANGHAI)


async def _people(sessions: storage.SessionFactory) -> list[storage.Person]:
    async with sessions() as s:
        return await storage.list_people(s)


async def test_start_up_after_the_push_time_schedules_next_months(
    sqlite_sessions: storage.SessionFactory, tmp_path: Path
) -> None:
    async with sqlite_sessions() as s, s.begin():
        await schedule_monthly_push(s, NOW, _contract(tmp_path))  # 3 December, after the 1st's push
    async with sqlite_sessions() as s:
        assert [t.ref for t in await storage.pending_timers(s)] == ["report:2027-01"]
