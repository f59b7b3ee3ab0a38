"""The duty roster (值班表): who is on duty at any instant, and who is next.

A roster is weekly rotation plus overrides:

- **Teams** of engineers rotate weekly from an anchor date; a duty week begins on the anchor's
  weekday at the `handover` time (09:00 by default), so Monday 02:00 still belongs to last week's
  on-call engineer, who was woken by last week's pages.
- **On-call** engineers (after hours) rotate weekly on the same weeks, independently of the teams.
- **Backup, senior engineer, technical director, service manager** are fixed roles; each may be
  left empty, and the paging policy then skips that step.
- **Overrides** apply on top, by local calendar date: a *swap* makes two engineers trade places for
  one day; *leave* puts a named substitute in an engineer's place for a date range. Swaps apply
  first, then leave, so a swapped-in engineer on leave is still covered.

A `Shift` is a stretch of time in which nobody on duty changes and on-site/after-hours does not
change: it is what `谁在值班` answers and what the paging policy reads when it freezes an escalation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Set
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from handlers.paging.calendar import BusinessCalendar, CalendarNotCovered
from i18n import format_list, say, weekday_time

__all__ = [
    "Leave",
    "Roster",
    "RosterError",
    "Shift",
    "Swap",
    "Team",
    "describe_duty",
    "load_roster",
    "next_shift",
    "on_duty",
    "parse_roster",
    "with_leave",
    "with_swap",
]

_WEEK = dt.timedelta(days=7)
_LOOK_AHEAD_DAYS = 15  # a shift changes at least at every weekly handover


class RosterError(ValueError):
    """The roster file is missing, not YAML, or invalid; the message names each bad key."""


def _known_person(value: str, info: ValidationInfo) -> str:
    """Refuse an id that is not in the people directory, when the caller gave the directory."""
    known = (info.context or {}).get("known_ids")
    if known is not None and value not in known:
        raise ValueError(f"unknown person id {value!r}: not in the people directory")
    return value


PersonId = Annotated[str, Field(min_length=1), AfterValidator(_known_person)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Team(_Frozen):
    name: str = Field(min_length=1)
    engineers: tuple[PersonId, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _distinct(self) -> Team:
        if len(set(self.engineers)) != len(self.engineers):
            raise ValueError(f"team {self.name!r} lists an engineer twice")
        return self


class Swap(_Frozen):
    """On `date`, `engineer` and `with_` (key `with`) trade places everywhere in the roster."""

    date: dt.date
    engineer: PersonId
    with_: PersonId = Field(alias="with")

    @model_validator(mode="after")
    def _two_people(self) -> Swap:
        if self.engineer == self.with_:
            raise ValueError("a swap needs two different engineers")
        return self


class Leave(_Frozen):
    """From `from_` to `to` inclusive, `substitute` stands in for `engineer`."""

    engineer: PersonId
    from_: dt.date = Field(alias="from")
    to: dt.date
    substitute: PersonId

    @model_validator(mode="after")
    def _sane(self) -> Leave:
        if self.to < self.from_:
            raise ValueError(f"leave ends ({self.to}) before it starts ({self.from_})")
        if self.substitute == self.engineer:
            raise ValueError("an engineer cannot substitute for themselves")
        return self


class Roster(_Frozen):
    anchor: dt.date
    handover: dt.time = dt.time(9, 0)
    teams: tuple[Team, ...] = Field(min_length=1)
    on_call: tuple[PersonId, ...] = Field(min_length=1)
    backup: PersonId | None = None
    senior: PersonId | None = None
    director: PersonId | None = None
    service_manager: PersonId | None = None
    swaps: tuple[Swap, ...] = ()
    leave: tuple[Leave, ...] = ()


class _RosterFile(_Frozen):
    roster: Roster


@dataclass(frozen=True)
class Shift:
    """Who is on duty from `starts_at` until `ends_at`, overrides applied.

    `after_hours` follows `BusinessCalendar.is_after_hours` (lunch is not after hours).
    `engineers` is the on-duty team even after hours (urgent pages them at any hour);
    `responders` is who a `high` page goes to first. `ends_at` is None when the
    calendar's data runs out before the shift ends (or, in theory, nothing changes for 15 days);
    `starts_at` is looked for at most two weeks back.
    """

    starts_at: dt.datetime
    ends_at: dt.datetime | None
    after_hours: bool
    team: str
    engineers: tuple[str, ...]
    on_call: str
    backup: str | None
    senior: str | None
    director: str | None
    service_manager: str | None

    @property
    def responders(self) -> tuple[str, ...]:
        """The first people to page: the on-duty team on site, the on-call engineer after hours."""
        return (self.on_call,) if self.after_hours else self.engineers


def _format_loc(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def parse_roster(data: object, known_ids: Set[str] | None = None) -> Roster:
    """Validate a parsed roster document (`{"roster": {...}}`).

    With `known_ids` (the people directory's ids) every id must be one of them. Raises
    `RosterError` whose message lists each problem as `roster.teams[1].engineers: ...`.
    """
    try:
        return _RosterFile.model_validate(data, context={"known_ids": known_ids}).roster
    except ValidationError as exc:
        problems = [f"{_format_loc(tuple(err['loc'])) or 'roster'}: {err['msg']}" for err in exc.errors()]
        raise RosterError("invalid roster:\n  " + "\n  ".join(problems)) from exc


def load_roster(path: Path, known_ids: Set[str] | None = None) -> Roster:
    """Read and validate a roster YAML file; see `parse_roster`."""
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RosterError(f"cannot read roster {path}: {exc}") from exc
    return parse_roster(data, known_ids)


def with_swap(roster: Roster, swap: Swap, known_ids: Set[str] | None = None) -> Roster:
    """The roster with one more swap, validated again: what a chat or CLI override stores."""
    return _with_override(roster, "swaps", swap, known_ids)


def with_leave(roster: Roster, leave: Leave, known_ids: Set[str] | None = None) -> Roster:
    """The roster with one more leave entry, validated again."""
    return _with_override(roster, "leave", leave, known_ids)


def _with_override(roster: Roster, key: str, entry: Swap | Leave, known_ids: Set[str] | None) -> Roster:
    body = roster.model_dump(by_alias=True)
    body[key] = [*body[key], entry.model_dump(by_alias=True)]
    return parse_roster({"roster": body}, known_ids)


def _substitutions(roster: Roster, day: dt.date) -> Callable[[str], str]:
    swapped: dict[str, str] = {}
    for swap in roster.swaps:
        if swap.date == day:
            first, second = swapped.get(swap.engineer, swap.engineer), swapped.get(swap.with_, swap.with_)
            swapped[swap.engineer], swapped[swap.with_] = second, first
    away = {leave.engineer: leave.substitute for leave in roster.leave if leave.from_ <= day <= leave.to}

    def substitute(person: str) -> str:
        person = swapped.get(person, person)
        for _ in range(len(away) + 1):  # a substitute may be on leave too; follow, but never loop
            if person not in away:
                break
            person = away[person]
        return person

    return substitute


def _week_index(roster: Roster, local: dt.datetime) -> int:
    week_start = dt.datetime.combine(roster.anchor, roster.handover)
    return (local.replace(tzinfo=None) - week_start) // _WEEK


def _shift_state(roster: Roster, calendar: BusinessCalendar, at: dt.datetime) -> tuple[Any, ...]:
    """Everything a shift consists of, at one instant; equal tuples mean the same shift."""
    local = calendar.local(at)
    week = _week_index(roster, local)
    team = roster.teams[week % len(roster.teams)]
    sub = _substitutions(roster, local.date())

    def role(person: str | None) -> str | None:
        return None if person is None else sub(person)

    engineers = tuple(dict.fromkeys(sub(person) for person in team.engineers))
    return (
        calendar.is_after_hours(local),
        team.name,
        engineers,
        sub(roster.on_call[week % len(roster.on_call)]),
        role(roster.backup),
        role(roster.senior),
        role(roster.director),
        role(roster.service_manager),
    )


def _boundaries(roster: Roster, calendar: BusinessCalendar, day: dt.date) -> list[dt.datetime]:
    """Instants on `day` where a shift may change: midnight, on-site start and end, handover."""
    clocks = {dt.time(0, 0), calendar.hours.start, calendar.hours.end, roster.handover}
    return sorted(dt.datetime.combine(day, clock, tzinfo=calendar.zone) for clock in clocks)


def _boundaries_after(roster: Roster, calendar: BusinessCalendar, at: dt.datetime) -> Iterator[dt.datetime]:
    day = at.date()
    for _ in range(_LOOK_AHEAD_DAYS):
        yield from (b for b in _boundaries(roster, calendar, day) if b > at)
        day += dt.timedelta(days=1)


def _boundaries_before(roster: Roster, calendar: BusinessCalendar, at: dt.datetime) -> Iterator[dt.datetime]:
    day = at.date()
    for _ in range(_LOOK_AHEAD_DAYS):
        yield from (b for b in reversed(_boundaries(roster, calendar, day)) if b <= at)
        day -= dt.timedelta(days=1)


def on_duty(roster: Roster, at: dt.datetime, calendar: BusinessCalendar) -> Shift:
    """The shift in force at `at`: on-duty team, on-call engineer and escalation roles.

    Raises `NaiveDatetimeError` for a naive `at` and `CalendarNotCovered` if `at` itself lies
    outside the calendar's data.
    """
    local = calendar.local(at)
    state = _shift_state(roster, calendar, local)

    ends_at: dt.datetime | None = None
    try:
        for boundary in _boundaries_after(roster, calendar, local):
            if _shift_state(roster, calendar, boundary) != state:
                ends_at = boundary
                break
    except CalendarNotCovered:
        ends_at = None

    # the latest boundary at or before `at` opens the interval holding it; walk back while unchanged
    starts_at = local
    try:
        for index, boundary in enumerate(_boundaries_before(roster, calendar, local)):
            if index and _shift_state(roster, calendar, boundary) != state:
                break
            starts_at = boundary
    except CalendarNotCovered:
        pass

    return Shift(starts_at, ends_at, *state)


def next_shift(roster: Roster, at: dt.datetime, calendar: BusinessCalendar) -> Shift:
    """The shift after the one in force at `at`.

    Raises `CalendarNotCovered` when the calendar's data ends before the current shift does.
    """
    current = on_duty(roster, at, calendar)
    if current.ends_at is None:
        raise CalendarNotCovered(
            f"the shift in force at {calendar.local(at).isoformat()} runs past the calendar's data"
        )
    return on_duty(roster, current.ends_at, calendar)


def _describe_shift(shift: Shift, name: Callable[[str], str], lang: str) -> str:
    engineers = format_list(lang, [name(p) for p in shift.engineers])
    team = say(lang, "duty_team", team=shift.team, engineers=engineers)
    key = "duty_after_hours" if shift.after_hours else "duty_on_site"
    return say(lang, key, team=team, on_call=name(shift.on_call))


def describe_duty(
    roster: Roster,
    at: dt.datetime,
    calendar: BusinessCalendar,
    names: Mapping[str, str] | None = None,
    lang: str = "zh",
) -> str:
    """The plain-text answer to `谁在值班` / `/oncall` in `lang`: now, next, and the escalation line.

    `names` maps person ids to display names (from the people directory); ids are shown otherwise.
    """

    def name(person: str) -> str:
        return (names or {}).get(person, person)

    current = on_duty(roster, at, calendar)
    lines = [say(lang, "duty_now", shift=_describe_shift(current, name, lang))]
    if current.ends_at is None:
        lines.append(say(lang, "duty_next_unknown"))
    else:
        upcoming = on_duty(roster, current.ends_at, calendar)
        when = weekday_time(lang, current.ends_at, calendar.zone)
        lines.append(say(lang, "duty_next", when=when, shift=_describe_shift(upcoming, name, lang)))
    chain = [
        say(lang, key, name=name(person))
        for key, person in (
            ("duty_backup", current.backup),
            ("duty_senior", current.senior),
            ("duty_director", current.director),
        )
        if person is not None
    ]
    if chain:
        lines.append(say(lang, "duty_chain", chain=" → ".join(chain)))
    if current.service_manager is not None:
        lines.append(say(lang, "duty_service_manager", name=name(current.service_manager)))
    return "\n".join(lines)
