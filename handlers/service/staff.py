"""Who in the service company handles complaints and purchase requests.

The service manager and technical director come from the roster when there is one (its
``service_manager`` and ``director``), else from the people directory (a manager marked
``service_company: true`` there). The engineers who get purchase requests are the on-duty team when
the roster and calendar can say who that is, else every active engineer.

Which roster: the one in the handler's context once the contract is passed down there, else the
one given to ``configure_staffing`` at start-up, else ``config/roster.yaml`` read once on first
use. Explicit ids in ``StaffingConfig`` win over all of these.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

import storage
from config.settings import REPO_ROOT
from handlers.context import HandlerContext
from handlers.paging.calendar import BusinessCalendar, CalendarError
from handlers.paging.roster import Roster, RosterError, load_roster, on_duty

log = logging.getLogger(__name__)

__all__ = ["ServiceStaff", "StaffingConfig", "configure_staffing", "service_staff", "staff_for"]


@dataclass(frozen=True)
class StaffingConfig:
    service_manager: str | None = None  # a fixed person id; None: the roster's, else the directory's
    director: str | None = None
    roster: Roster | None = None
    roster_file: Path | None = REPO_ROOT / "config" / "roster.yaml"


@dataclass(frozen=True)
class ServiceStaff:
    service_manager: str | None
    director: str | None
    engineers: tuple[str, ...]


_config = StaffingConfig()


def configure_staffing(config: StaffingConfig) -> None:
    """Set where service staff come from (start-up, or a test). Replaces the previous setting."""
    global _config
    _config = config


@cache
def _roster_from_file(path: Path) -> Roster | None:
    try:
        return load_roster(path)
    except RosterError:
        log.warning("no usable roster at %s; the people directory decides", path, exc_info=True)
        return None


def _roster(context_roster: Roster | None) -> Roster | None:
    if context_roster is not None:
        return context_roster
    if _config.roster is not None:
        return _config.roster
    return _roster_from_file(_config.roster_file) if _config.roster_file is not None else None


async def service_staff(
    session: AsyncSession, at: datetime, roster: Roster | None = None, calendar: BusinessCalendar | None = None
) -> ServiceStaff:
    """The service manager, technical director and engineers on duty at ``at``."""
    people = await storage.list_people(session)
    active = {p.id for p in people}
    resolved = _roster(roster)
    manager, director = _config.service_manager, _config.director
    engineers: tuple[str, ...] = ()
    if resolved is not None:
        manager = manager or resolved.service_manager
        director = director or resolved.director
        try:
            engineers = on_duty(resolved, at, calendar or BusinessCalendar()).engineers
        except CalendarError:
            log.warning("the calendar cannot say who is on duty at %s; telling every engineer", at, exc_info=True)
    if manager is None:
        manager = next((p.id for p in people if p.role == "manager" and p.service_company), None)
    engineers = tuple(e for e in engineers if e in active) or tuple(
        p.id for p in people if p.role == "engineer" and p.id != director
    )
    return ServiceStaff(
        service_manager=manager if manager in active else None,
        director=director if director in active else None,
        engineers=engineers,
    )


async def staff_for(ctx: HandlerContext) -> ServiceStaff:
    """The service staff for a handler, from the contract in its context when it carries one."""
    contract = getattr(ctx, "contract", None)  # present once the service contract is passed to handlers
    roster = getattr(contract, "roster", None)
    calendar = getattr(contract, "calendar", None)
    return await service_staff(ctx.session, ctx.now, roster, calendar)
