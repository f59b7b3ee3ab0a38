"""Roster overrides (swaps and leave) recorded in chat or by CLI."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import RosterOverride


async def add_roster_override(
    session: AsyncSession, *, kind: str, data: dict[str, Any], created_by: str | None, source: str, now: datetime
) -> RosterOverride:
    if kind not in ("swap", "leave"):
        raise ValueError(f"unknown roster override {kind!r}")
    row = RosterOverride(kind=kind, data=data, created_by=created_by, source=source, created_at=now)
    session.add(row)
    await session.flush()
    return row


async def roster_overrides(session: AsyncSession) -> list[RosterOverride]:
    """Every override, oldest first (later ones apply on top of earlier ones)."""
    return list((await session.scalars(select(RosterOverride).order_by(RosterOverride.id))).all())
