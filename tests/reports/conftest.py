"""A store on SQLite only, for tests whose cost is the rendering, not the reading (which
``test_the_month_reads_the_same_from_either_database`` checks on both databases)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

import storage
from bot.directory import load_directory
from config.settings import REPO_ROOT


@pytest.fixture
async def sqlite_sessions(sqlite_url: str) -> AsyncIterator[storage.SessionFactory]:
    engine = storage.make_engine(sqlite_url)
    await storage.upgrade(engine)
    factory = storage.make_session_factory(engine)
    async with factory() as session, session.begin():
        await storage.sync_people(session, load_directory(REPO_ROOT / "config" / "people.yaml"))
    yield factory
    await engine.dispose()
