"""Durable due items (escalations, reminders, automatic closes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class Timer(Base):
    """A durable due item: escalate a page, remind about a complaint, close a service record.

    A worker acts on each due timer in the same transaction that marks it done, under a row lock
    (SKIP LOCKED on PostgreSQL), so a restart loses none and several processes act on each once.
    """

    __tablename__ = "timers"
    __table_args__ = (
        Index("ix_timers_due", "status", "due_at"),
        UniqueConstraint("dedupe_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # which handler acts on it
    ref: Mapped[str] = mapped_column(String(64), index=True)  # what it is about, e.g. "ticket:1042"
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | done | cancelled | failed
    dedupe_key: Mapped[str | None] = mapped_column(String(128))
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
