"""SQLite locking: only writes take the write lock, so a reader never holds up a writer (and the
writers still wait their turn for one another)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

import storage

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@pytest.fixture
async def engines(sqlite_url: str) -> AsyncIterator[tuple[storage.SessionFactory, storage.SessionFactory]]:
    """Two processes' worth of engines on one SQLite file, with a busy timeout short enough that a
    writer held up by a lock fails the test rather than waiting."""
    first = storage.make_engine(sqlite_url, busy_timeout_ms=200)
    second = storage.make_engine(sqlite_url, busy_timeout_ms=200)
    await storage.upgrade(first)
    yield storage.make_session_factory(first), storage.make_session_factory(second)
    await first.dispose()
    await second.dispose()


async def _open(sessions: storage.SessionFactory, person_id: str) -> None:
    async with sessions() as session, session.begin():
        session.add(storage.Person(id=person_id, name=person_id, department="IT", location="", role="staff"))


async def test_an_open_read_does_not_hold_up_a_write_from_another_process(
    engines: tuple[storage.SessionFactory, storage.SessionFactory],
) -> None:
    reader_sessions, writer_sessions = engines
    async with reader_sessions() as reader:
        assert await storage.count_tickets(reader) == 0  # the read transaction is open from here
        await _open(writer_sessions, "staff.new")  # would fail with "database is locked" before
        assert await storage.count_tickets(reader) == 0
    async with reader_sessions() as reader:
        assert [p.id for p in await storage.list_people(reader)] == ["staff.new"]


async def test_writes_still_wait_for_each_other_instead_of_failing(
    engines: tuple[storage.SessionFactory, storage.SessionFactory],
) -> None:
    first, second = engines
    release = asyncio.Event()

    async def slow_writer() -> None:
        async with first() as session, session.begin():
            await storage.open_ticket(
                session, requester_id="staff.a", kind="unknown", text="a", channel="rest", now=NOW
            )
            await release.wait()

    await _open(first, "staff.a")
    await _open(first, "staff.b")
    task = asyncio.create_task(slow_writer())
    await asyncio.sleep(0.05)
    loop = asyncio.get_running_loop()
    loop.call_later(0.1, release.set)  # the first writer finishes within the second's busy timeout
    async with second() as session, session.begin():
        await storage.open_ticket(session, requester_id="staff.b", kind="unknown", text="b", channel="rest", now=NOW)
    await task
    async with first() as session:
        assert await storage.count_tickets(session) == 2
