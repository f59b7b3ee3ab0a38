"""Roster overrides in chat and by CLI: swap a day, take leave with a substitute.

An engineer may swap or take leave for themselves; a manager (or admin) on anyone's behalf. Each
override is stored and applied on top of ``config/roster.yaml`` whenever a message is handled, so
it takes effect at once and survives a restart. A page already under way keeps its frozen chain.

The effective roster is cached per database: each message costs one small version query, and the
overrides are read and replayed again only when one was added (by any process) or the day changed.
Overrides that ended before today are not replayed: they cannot change who is on duty from now on.
"""

from __future__ import annotations

import datetime as dt
import re
import weakref
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.pool import Pool

import storage
from handlers.paging.roster import Leave, Roster, RosterError, Swap, with_leave, with_swap
from handlers.permissions import Move, may, relations
from i18n import say

_DATE = r"(\d{4}-\d{1,2}-\d{1,2})"
_WHO = r"(\S+)"
SWAP_COMMAND = re.compile(rf"(?:换班|/swap)\s+{_DATE}\s+{_WHO}\s+{_WHO}", re.IGNORECASE)
LEAVE_COMMAND = re.compile(rf"(?:请假|/leave)\s+{_WHO}\s+{_DATE}\s+{_DATE}\s+{_WHO}", re.IGNORECASE)


@dataclass(frozen=True)
class OverrideResult:
    done: bool
    text: str


@dataclass(frozen=True)
class _Cached:
    base: Roster
    version: tuple[int, int, dt.datetime | None]
    roster: Roster


# Per database, keyed by the engine's connection pool (gone with it): a session's bind may be a new
# option-wrapped engine every time (SQLite's read/write split), but it shares its engine's pool.
_CACHE: weakref.WeakKeyDictionary[Pool, dict[tuple[int, dt.date | None], _Cached]] = weakref.WeakKeyDictionary()
_ENTRIES_PER_ENGINE = 4


async def effective_roster(session: AsyncSession, base: Roster, since: dt.date | None = None) -> Roster:
    """The roster file with the stored overrides applied, oldest first.

    With `since` (today, in the roster's zone) overrides that ended before it are skipped. The
    result is reused until an override is added in any process: one version query per call.
    """
    version = await storage.roster_overrides_version(session)
    if version[0] == 0:
        return base
    entries = _CACHE.setdefault(session.get_bind().engine.pool, {})
    key = (id(base), since)
    cached = entries.get(key)
    if cached is not None and cached.base is base and cached.version == version:
        return cached.roster
    roster = base
    for override in await storage.roster_overrides(session, since):
        if override.kind == "swap":
            roster = with_swap(roster, Swap.model_validate(override.data))
        else:
            roster = with_leave(roster, Leave.model_validate(override.data))
    entries.pop(key, None)
    while len(entries) >= _ENTRIES_PER_ENGINE:
        del entries[next(iter(entries))]  # the oldest: yesterday's `since`, a base no longer used
    entries[key] = _Cached(base, version, roster)
    return roster


async def _engineer(session: AsyncSession, who: str) -> storage.Person | None:
    """An engineer by id (eng.liu) or by name (刘工)."""
    person = await storage.get_person(session, who)
    if person is not None and may(Move.ROSTER_SERVE, relations(person.role, person.id)):
        return person
    for candidate in await storage.list_people(session, role="engineer"):
        if who in (candidate.name, candidate.name.split("（")[0]):
            return candidate
    return None


async def add_swap(
    session: AsyncSession,
    by: storage.Person,
    day: dt.date,
    first: str,
    second: str,
    base: Roster,
    source: str,
    now: dt.datetime,
) -> OverrideResult:
    lang = by.language or "zh"
    a, b = await _engineer(session, first), await _engineer(session, second)
    if a is None or b is None:
        return OverrideResult(False, say(lang, "unknown_engineer", who=first if a is None else second))
    if not may(Move.ROSTER_SWAP, relations(by.role, by.id, named=(a.id, b.id))):
        return OverrideResult(False, say(lang, "roster_not_allowed"))
    data = {"date": day.isoformat(), "engineer": a.id, "with": b.id}
    return await _store(
        session, "swap", data, by, base, source, now, say(lang, "swap_done", date=day, a=a.name, b=b.name)
    )


async def add_leave(
    session: AsyncSession,
    by: storage.Person,
    who: str,
    start: dt.date,
    end: dt.date,
    substitute: str,
    base: Roster,
    source: str,
    now: dt.datetime,
) -> OverrideResult:
    lang = by.language or "zh"
    engineer, sub = await _engineer(session, who), await _engineer(session, substitute)
    if engineer is None or sub is None:
        return OverrideResult(False, say(lang, "unknown_engineer", who=who if engineer is None else substitute))
    if not may(Move.ROSTER_LEAVE, relations(by.role, by.id, named=(engineer.id,))):
        return OverrideResult(False, say(lang, "roster_not_allowed"))
    data = {"engineer": engineer.id, "from": start.isoformat(), "to": end.isoformat(), "substitute": sub.id}
    done = say(lang, "leave_done", who=engineer.name, start=start, end=end, sub=sub.name)
    return await _store(session, "leave", data, by, base, source, now, done)


async def _store(
    session: AsyncSession,
    kind: str,
    data: dict[str, str],
    by: storage.Person,
    base: Roster,
    source: str,
    now: dt.datetime,
    done_text: str,
) -> OverrideResult:
    lang = by.language or "zh"
    try:
        entry: Swap | Leave = Swap.model_validate(data) if kind == "swap" else Leave.model_validate(data)
        # Only overrides still in force matter; a day back covers every zone's "today".
        current = await effective_roster(session, base, since=now.date() - dt.timedelta(days=1))
        with_swap(current, entry) if isinstance(entry, Swap) else with_leave(current, entry)
    except (ValidationError, RosterError, ValueError) as exc:
        why = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
        return OverrideResult(False, say(lang, "roster_invalid", why=why))
    await storage.add_roster_override(session, kind=kind, data=data, created_by=by.id, source=source, now=now)
    return OverrideResult(True, done_text)


def parse_date(text: str) -> dt.date:
    return dt.date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
