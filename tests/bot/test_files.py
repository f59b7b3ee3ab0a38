"""Files people send: kept outside the database, linked to the ticket the message opens or to the
person's open ticket, recorded in the ticket's history; a file over the limit is refused."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import storage
from bot.pipeline import Pipeline
from core.clock import FakeClock
from core.messages import Attachment, InboundMessage, Reply
from storage.files import FileStore, FileTooBig
from tests.handlers.paging.test_paging import NOW
from tests.support.builders import ScriptedNlu, make_inbound

PHOTO = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
NLU = ScriptedNlu({"打印机卡纸了": ("incident_normal", 0.95), "键盘坏了": ("incident_hardware", 0.95)})


def _pipeline(sessions: storage.SessionFactory) -> Pipeline:
    return Pipeline(sessions, NLU, FakeClock(NOW), hotline="400-000-0000")


def _with_photo(text: str, store: FileStore) -> InboundMessage:
    photo = Attachment("image", "error.png", store.save(PHOTO), len(PHOTO))
    return dataclasses.replace(make_inbound(text, sender="staff.li", at=NOW), attachments=(photo,))


async def _answer(sessions: storage.SessionFactory, inbound_id: int) -> str:
    async with sessions() as s:
        [row] = await storage.replies_to(s, inbound_id)
        return Reply.from_payload(row.payload).text


def test_the_store_keeps_a_file_once_under_its_hash_and_refuses_one_too_big(tmp_path: Path) -> None:
    store = FileStore(tmp_path, max_bytes=1000)
    ref = store.save(PHOTO)
    assert store.save(PHOTO) == ref and store.read(ref) == PHOTO
    assert len(list(tmp_path.rglob("*"))) == 2  # one folder, one file
    with pytest.raises(FileTooBig):
        store.save(b"x" * 1001)
    with pytest.raises(ValueError):
        store.path("../../etc/passwd")


async def test_a_photo_with_the_report_is_attached_to_the_new_ticket_and_its_history(
    sessions: storage.SessionFactory, tmp_path: Path
) -> None:
    store = FileStore(tmp_path, 10_000)
    await _pipeline(sessions).handle(_with_photo("打印机卡纸了", store))
    async with sessions() as s:
        [ticket] = await storage.list_tickets(s)
        [attachment] = await storage.attachments_of_ticket(s, ticket.id)
        events = [e for e in await storage.ticket_events(s, ticket) if e.action == "attachment"]
    assert (attachment.name, attachment.kind, attachment.size) == ("error.png", "image", len(PHOTO))
    assert store.read(attachment.ref) == PHOTO
    assert events[0].detail["files"][0]["name"] == "error.png" and events[0].actor_id == "staff.li"


async def test_a_photo_alone_goes_to_the_persons_open_ticket(sessions: storage.SessionFactory, tmp_path: Path) -> None:
    pipeline = _pipeline(sessions)
    await pipeline.handle(make_inbound("打印机卡纸了", sender="staff.li", at=NOW))
    receipt = await pipeline.handle(_with_photo("", FileStore(tmp_path, 10_000)))
    async with sessions() as s:
        [ticket] = await storage.list_tickets(s)
        [attachment] = await storage.attachments_of_ticket(s, ticket.id)
    assert f"已附到工单 #{ticket.number}" in await _answer(sessions, receipt.inbound_id)
    assert attachment.name == "error.png"
    assert len(await _tickets(sessions)) == 1  # no second ticket for the photo


async def test_a_photo_before_the_words_waits_and_joins_the_ticket_they_open(
    sessions: storage.SessionFactory, tmp_path: Path
) -> None:
    pipeline = _pipeline(sessions)
    first = await pipeline.handle(_with_photo("", FileStore(tmp_path, 10_000)))
    assert "请用一句话说说遇到了什么问题" in await _answer(sessions, first.inbound_id)
    assert await _tickets(sessions) == []
    await pipeline.handle(make_inbound("键盘坏了", sender="staff.li", at=NOW))
    async with sessions() as s:
        [ticket] = await storage.list_tickets(s)
        [attachment] = await storage.attachments_of_ticket(s, ticket.id)
    assert attachment.inbound_id == first.inbound_id


async def _tickets(sessions: storage.SessionFactory) -> list[storage.Ticket]:
    async with sessions() as s:
        return await storage.list_tickets(s)
