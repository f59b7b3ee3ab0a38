"""Engine, sessions and migrations.

SQLite runs in WAL mode with a busy timeout so the web server, the outbox worker and the CLI can
share one file. Only writes take SQLite's write lock: every write in this code base is an explicit
``session.begin()``, which begins IMMEDIATE (it waits its turn for the lock at BEGIN); a session
used without ``begin()`` only reads, in a deferred transaction that reads a WAL snapshot and never
blocks a writer or waits for one. PostgreSQL is used as is. Migrations are Alembic's, applied at start-up and by
``helpdesk db upgrade``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    AsyncSessionTransaction,
    async_sessionmaker,
    create_async_engine,
)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

SessionFactory = async_sessionmaker[AsyncSession]


def make_engine(url: str, busy_timeout_ms: int = 5000) -> AsyncEngine:
    """An engine for the URL; for SQLite the folder is created and WAL switched on."""
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[1]
        if path and ":memory:" not in path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": busy_timeout_ms / 1000})

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy, not the driver, begin transactions (see _begin_immediate).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(conn: Connection) -> None:
            # A write takes the lock at BEGIN: a deferred transaction that reads and then writes
            # fails at once with "database is locked" when another process wrote in between,
            # whereas an immediate one waits its turn for up to busy_timeout. Reads stay deferred.
            deferred = conn.get_execution_options().get(_READ_ONLY, False)
            conn.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")

        return engine
    return create_async_engine(url, pool_pre_ping=True)


_READ_ONLY = "helpdesk_read_only"


class _SqliteSession(AsyncSession):
    """A session on the read engine until ``begin()`` makes it a write: then it takes the write lock."""

    def begin(self) -> AsyncSessionTransaction:
        bind = self.sync_session.bind
        if isinstance(bind, Engine) and bind.get_execution_options().get(_READ_ONLY):
            self.sync_session.bind = bind.execution_options(**{_READ_ONLY: False})
        return super().begin()


def make_session_factory(engine: AsyncEngine) -> SessionFactory:
    if engine.dialect.name == "sqlite":
        reads = engine.execution_options(**{_READ_ONLY: True})
        return async_sessionmaker(reads, class_=_SqliteSession, expire_on_commit=False)
    return async_sessionmaker(engine, expire_on_commit=False)


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


async def upgrade(engine: AsyncEngine, revision: str = "heads") -> None:
    """Apply the migrations up to ``revision``; a no-op when the database is current."""
    await _migrate(engine, lambda config: command.upgrade(config, revision))


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Undo the migrations after ``revision`` (an operator's way back; every migration has its downgrade)."""
    await _migrate(engine, lambda config: command.downgrade(config, revision))


async def _migrate(engine: AsyncEngine, run: Callable[[Config], None]) -> None:
    """Run Alembic in one transaction. SQLite alters a table by copying it, dropping the old one and
    renaming the copy, which fails while rows of other tables point at it; as SQLite's manual says,
    foreign keys are switched off around the change (outside the transaction, where the pragma
    works) and checked in full before the commit instead."""
    sqlite = engine.dialect.name == "sqlite"
    async with engine.connect() as conn:
        if sqlite:
            await conn.run_sync(lambda sync: _pragma(sync, "PRAGMA foreign_keys=OFF"))
        try:
            async with conn.begin():
                await conn.run_sync(lambda sync: run(_alembic_config(sync)))
                if sqlite:
                    broken = (await conn.exec_driver_sql("PRAGMA foreign_key_check")).fetchall()
                    if broken:
                        raise RuntimeError(f"the migration left rows pointing at nothing: {broken[:5]}")
        finally:
            if sqlite:
                await conn.run_sync(lambda sync: _pragma(sync, "PRAGMA foreign_keys=ON"))


def _pragma(conn: Connection, statement: str) -> None:
    # On the driver's connection: through SQLAlchemy the statement would open a transaction first.
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(statement)
    cursor.close()


async def current_heads(engine: AsyncEngine) -> tuple[str, ...]:
    """The revisions the database is at (more than one while two migration branches are unmerged)."""
    from alembic.runtime.migration import MigrationContext

    async with engine.connect() as conn:
        heads = await conn.run_sync(lambda sync: MigrationContext.configure(sync).get_current_heads())
    return tuple(sorted(heads))


def script_heads() -> tuple[str, ...]:
    """The newest revisions in ``storage/migrations``."""
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return tuple(sorted(ScriptDirectory.from_config(config).get_heads()))
