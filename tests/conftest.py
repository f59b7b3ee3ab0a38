"""Shared fixtures: real SQLite and PostgreSQL stores, the real Rasa server, settings."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

import storage
from bot.directory import load_directory
from config.settings import REPO_ROOT, Settings, load_settings
from tests.support.postgres import PostgresServer

_db_names = itertools.count(1)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    server = PostgresServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test gets an empty database, on SQLite and again on a real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'helpdesk.db'}"
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.create_database(f"helpdesk_{next(_db_names)}")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'helpdesk.db'}"


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[storage.SessionFactory]:
    """A migrated store with the demo people directory loaded."""
    engine = storage.make_engine(database_url)
    await storage.upgrade(engine)
    factory = storage.make_session_factory(engine)
    async with factory() as session, session.begin():
        await storage.sync_people(session, load_directory(REPO_ROOT / "config" / "people.yaml"))
    yield factory
    await engine.dispose()


def make_settings(database_url: str, **sections: Any) -> Settings:
    """Settings for a test: the given database, Rasa not started by the app, any other overrides."""
    overrides: dict[str, Any] = {"database": {"url": database_url}, "nlu": {"start_server": False}}
    for key, values in sections.items():
        if isinstance(values, dict):
            overrides.setdefault(key, {}).update(values)
        else:
            overrides[key] = values
    return load_settings(overrides=overrides)


@pytest.fixture(scope="session")
async def rasa_url() -> AsyncIterator[str]:
    """The real Rasa server with the trained model (``make model`` trains it)."""
    from nlu.server import RasaServer, default_model_path

    model = default_model_path()
    if not model.exists():
        pytest.fail(f"no trained model at {model}: run `make model` first (make test does)")
    server = RasaServer(model, log_path=REPO_ROOT / "var" / "rasa-test.log")
    await server.start()
    yield server.base_url
    await server.stop()
