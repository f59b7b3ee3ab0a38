"""Roster overrides (swaps and leave) recorded in chat or by CLI.

Overrides are only ever added. `roster_overrides_version` is what a cache of the effective roster
compares, in one small query, to notice an override added by any process.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
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


async def roster_overrides(session: AsyncSession, since: date | None = None) -> list[RosterOverride]:
    """The overrides, oldest first (later ones apply on top of earlier ones).

    With `since`, an override whose last day is before it is left out: a swap dated earlier, a
    leave that ended earlier. Dates are compared as the ISO strings the override stores.
    """
    query = select(RosterOverride).order_by(RosterOverride.id)
    if since is not None:
        day = since.isoformat()
        query = query.where(
            or_(
                and_(RosterOverride.kind == "swap", RosterOverride.data["date"].as_string() >= day),
                and_(RosterOverride.kind == "leave", RosterOverride.data["to"].as_string() >= day),
            )
        )
    return list((await session.scalars(query)).all())


async def roster_overrides_version(session: AsyncSession) -> tuple[int, int, datetime | None]:
    """How many overrides there are, the newest id and its time: changes whenever one is added.

    The time guards against an id that a rolled-back insert used and SQLite handed out again.
    """
    row = (
        await session.execute(
            select(func.count(RosterOverride.id), func.max(RosterOverride.id), func.max(RosterOverride.created_at))
        )
    ).one()
    return int(row[0]), int(row[1] or 0), row[2]
