"""The monthly report's figures: pure functions of a month's rows and the contract.

How each figure is counted (the report's notes say the same to its reader):

- **Volumes**: tickets opened in the month (contract time zone), by kind, severity and the
  requester's department.
- **Response** (响应): from opening to the first acknowledgement (or taking it). The promise per
  severity is the paging policy's (``handlers.paging.policy``): urgent 30 min and high 2 h on the
  wall clock, normal one on-site day on the on-site clock (working days incl. 调休, on-site hours,
  lunch excluded); hardware has none. "In time" = acknowledged no later than the due time; a
  ticket not acknowledged whose due time has not yet come is left out of the share.
- **Resolution** (解决): from opening to resolution, on the same clock as the severity's response
  promise. "Within 24 h" on the on-site clock is one on-site day (the contract's reading of 24 h
  on a 5x8 service). Shares are of all the severity's tickets.
- **Median** is the middle value (the mean of the two middle ones for an even count); the **90th
  percentile** is the nearest-rank value: the ⌈0.9·n⌉-th smallest.
- **Complaints**: each promise (facts checked, answer) kept when done by its due time, missed
  when done late or not done by then, pending while not yet due.
- **Repair costs**: the quotes of repairs that were approved (a declined quote costs nothing).
- **Deflection**: of the knowledge-base answers served, the share marked as solved.
- **Repeated faults**: a device (by its label or serial, else its name) sent to repair twice or
  more in the twelve months up to the month's end, at least once in the month.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from handlers.contract import Contract
from handlers.paging.calendar import CalendarError
from handlers.paging.policy import response_due
from handlers.paging.roster import on_duty
from reports.categories import category_of
from reports.data import ComplaintRow, MonthData, RepairRow, TicketRow
from reports.period import Month
from storage.corrections import TriageAccuracy

__all__ = [
    "SEVERITIES",
    "ComplaintFigures",
    "DeflectionFigures",
    "MonthlyFigures",
    "RepeatedDevice",
    "SeverityFigures",
    "clock_of",
    "device_key",
    "elapsed_hours",
    "median",
    "monthly_figures",
    "percentile_90",
    "share",
]

SEVERITIES = ("urgent", "high", "normal", "hardware")
NO_SEVERITY = "none"
Clock = Literal["wall", "on_site"]
_HOUR = timedelta(hours=1)
# Repair steps at or after the approval of a quote: the quote is a cost.
_APPROVED_STEPS = frozenset({"approved", "repaired", "returned", "signed"})


def median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def percentile_90(values: Sequence[float]) -> float | None:
    """Nearest rank: the ⌈0.9·n⌉-th smallest value."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(0.9 * len(ordered))) - 1]


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class SeverityFigures:
    severity: str
    clock: Clock
    tickets: int
    promised: int  # tickets whose response promise was due by the report's time
    acknowledged_in_time: int
    response_median_h: float | None
    response_p90_h: float | None
    target_h: float | None  # the response promise in hours on ``clock``
    resolved: int
    resolved_within_2h: int
    resolved_within_24h: int
    resolution_median_h: float | None
    resolution_p90_h: float | None

    @property
    def in_time_share(self) -> float | None:
        return share(self.acknowledged_in_time, self.promised)

    @property
    def within_2h_share(self) -> float | None:
        return share(self.resolved_within_2h, self.tickets)

    @property
    def within_24h_share(self) -> float | None:
        return share(self.resolved_within_24h, self.tickets)


@dataclass(frozen=True)
class ComplaintFigures:
    total: int
    facts_kept: int
    facts_missed: int
    answer_kept: int
    answer_missed: int
    pending: int
    rows: tuple[tuple[ComplaintRow, bool | None, bool | None], ...]  # (complaint, facts kept, answer kept)


@dataclass(frozen=True)
class DeflectionFigures:
    served: int
    solved: int
    became_ticket: int
    per_article: tuple[tuple[str, int, int, int], ...]  # (article, served, solved, ticket), most served first

    @property
    def rate(self) -> float | None:
        return share(self.solved, self.served)


@dataclass(frozen=True)
class RepeatedDevice:
    key: str  # label or serial, else the device's name
    device: str
    repairs: int
    faults: tuple[str, ...]
    tickets: tuple[int, ...]


@dataclass(frozen=True)
class MonthlyFigures:
    month: Month
    generated_at: datetime
    estimated_years: tuple[int, ...]  # years whose working days are only estimated (on-site clocks)
    tickets: tuple[TicketRow, ...]
    by_kind: tuple[tuple[str, int], ...]
    by_severity: tuple[tuple[str, int], ...]
    by_department: tuple[tuple[str, int], ...]
    by_category: tuple[tuple[str, int], ...]
    weekly: tuple[tuple[date, date, dict[str, int]], ...]  # (first day, last day, severity → count)
    severities: tuple[SeverityFigures, ...]
    escalated_tickets: int
    escalations: int
    escalations_by_hand: int
    complaints: ComplaintFigures
    repairs: tuple[RepairRow, ...]
    repair_cost_fen: int
    deflection: DeflectionFigures
    repeated_devices: tuple[RepeatedDevice, ...]
    # (weekday 0=Mon, high tickets promised, in time, the teams on duty when one was answered late)
    weekday_high: tuple[tuple[int, int, int, tuple[str, ...]], ...]
    triage: TriageAccuracy  # production triage (issue 16): tickets an engineer re-triaged

    @property
    def total(self) -> int:
        return len(self.tickets)


def _counted(items: Iterable[str], order: Sequence[str] = ()) -> tuple[tuple[str, int], ...]:
    counts = Counter(items)
    rank = {name: i for i, name in enumerate(order)}
    return tuple(sorted(counts.items(), key=lambda kv: (rank.get(kv[0], len(rank)), -kv[1], kv[0])))


def clock_of(severity: str | None, contract: Contract) -> Clock:
    """The clock a severity's promise counts on (wall unless the policy counts on-site days)."""
    if severity not in SEVERITIES:
        return "wall"
    promise = contract.policy.for_severity(severity).response_due  # type: ignore[arg-type]
    return "on_site" if promise is not None and promise.on_site_days is not None else "wall"


def elapsed_hours(clock: Clock, start: datetime, end: datetime, contract: Contract) -> float:
    if clock == "on_site":
        return contract.calendar.on_site_time_between(start, end) / _HOUR
    return max(timedelta(), end - start) / _HOUR


def _target_hours(severity: str, contract: Contract) -> float | None:
    promise = contract.policy.for_severity(severity).response_due  # type: ignore[arg-type]
    if promise is None:
        return None
    if promise.wall_hours is not None:
        return promise.wall_hours
    assert promise.on_site_days is not None
    return promise.on_site_days * contract.calendar.on_site_day_length() / _HOUR


def _acknowledged_in_time(ticket: TicketRow, contract: Contract, now: datetime) -> bool | None:
    """True/False against the promise; None when there is none or it is not yet due."""
    if ticket.severity not in SEVERITIES:
        return None
    due = response_due(ticket.severity, ticket.created_at, contract.calendar, contract.policy)  # type: ignore[arg-type]
    if due is None:
        return None
    if ticket.acknowledged_at is not None:
        return ticket.acknowledged_at <= due
    return False if now > due else None


def _severity_figures(severity: str, tickets: list[TicketRow], contract: Contract, now: datetime) -> SeverityFigures:
    clock = clock_of(severity, contract)
    verdicts = [_acknowledged_in_time(t, contract, now) for t in tickets]
    responses = [elapsed_hours(clock, t.created_at, t.acknowledged_at, contract) for t in tickets if t.acknowledged_at]
    resolutions = [elapsed_hours(clock, t.created_at, t.resolved_at, contract) for t in tickets if t.resolved_at]
    day = 24.0 if clock == "wall" else contract.calendar.on_site_day_length() / _HOUR
    return SeverityFigures(
        severity=severity,
        clock=clock,
        tickets=len(tickets),
        promised=sum(v is not None for v in verdicts),
        acknowledged_in_time=sum(v is True for v in verdicts),
        response_median_h=median(responses),
        response_p90_h=percentile_90(responses),
        target_h=_target_hours(severity, contract),
        resolved=len(resolutions),
        resolved_within_2h=sum(h <= 2 for h in resolutions),
        resolved_within_24h=sum(h <= day for h in resolutions),
        resolution_median_h=median(resolutions),
        resolution_p90_h=percentile_90(resolutions),
    )


def _kept(done_at: datetime | None, due_at: datetime, now: datetime) -> bool | None:
    if done_at is not None:
        return done_at <= due_at
    return False if now > due_at else None


def _complaints(rows: Sequence[ComplaintRow], now: datetime) -> ComplaintFigures:
    judged = tuple(
        (c, _kept(c.facts_checked_at, c.facts_due_at, now), _kept(c.answered_at, c.answer_due_at, now)) for c in rows
    )
    return ComplaintFigures(
        total=len(rows),
        facts_kept=sum(f is True for _, f, _ in judged),
        facts_missed=sum(f is False for _, f, _ in judged),
        answer_kept=sum(a is True for _, _, a in judged),
        answer_missed=sum(a is False for _, _, a in judged),
        pending=sum(a is None for _, _, a in judged),
        rows=judged,
    )


def _deflection(data: MonthData) -> DeflectionFigures:
    per: dict[str, Counter[str]] = defaultdict(Counter)
    for event in data.article_events:
        per[event.article_id][event.outcome] += 1
    rows = tuple(
        sorted(
            ((a, c["served"], c["solved"], c["ticket"]) for a, c in per.items()),
            key=lambda row: (-row[1], row[0]),
        )
    )
    return DeflectionFigures(
        served=sum(r[1] for r in rows),
        solved=sum(r[2] for r in rows),
        became_ticket=sum(r[3] for r in rows),
        per_article=rows,
    )


def device_key(repair: RepairRow) -> str | None:
    for value in (repair.serial, repair.device):
        if value and value.strip():
            return value.strip().upper()
    return None


def _repeated(data: MonthData) -> tuple[RepeatedDevice, ...]:
    """Devices with two or more faults in the year: repairs grouped by label or serial, joined with
    the tickets linked to the registry's devices (a repair and its ticket count once)."""
    since = data.since
    tickets: dict[str, dict[int, str]] = defaultdict(dict)  # key → ticket number → fault
    names: dict[str, str] = {}
    recent: set[str] = set()
    for repair in data.repair_history:
        key = device_key(repair)
        if key is None:
            continue
        tickets[key][repair.ticket_number] = repair.fault or ""
        names.setdefault(key, repair.device or key)
    for link in data.device_tickets:
        key = link.label.strip().upper()
        tickets[key].setdefault(link.ticket_number, link.text[:30])
        names.setdefault(key, link.device or key)
        if since is not None and link.created_at >= since:
            recent.add(key)
    recent |= {key for r in data.repairs if (key := device_key(r)) is not None}
    found = [
        RepeatedDevice(
            key=key,
            device=names[key],
            repairs=len(faults),
            faults=tuple(f for f in faults.values() if f),
            tickets=tuple(sorted(faults)),
        )
        for key, faults in tickets.items()
        if len(faults) >= 2 and key in recent
    ]
    return tuple(sorted(found, key=lambda d: (-d.repairs, d.key)))


def _weeks(month: Month) -> list[tuple[date, date]]:
    weeks: list[tuple[date, date]] = []
    for day in month.days():
        if not weeks or day.weekday() == 0:
            weeks.append((day, day))
        else:
            weeks[-1] = (weeks[-1][0], day)
    return weeks


def _estimated_years(data: MonthData, contract: Contract) -> tuple[int, ...]:
    start = data.month.first_day
    years = {start.year, data.month.next().first_day.year}
    return tuple(sorted(y for y in years if contract.calendar.days.year(y).estimated))


def _team_on_duty(at: datetime, contract: Contract) -> str | None:
    """The roster's team on duty at ``at`` (None when the roster or calendar cannot say)."""
    try:
        return on_duty(contract.roster, at, contract.calendar).team or None
    except (CalendarError, ValueError):
        return None


def monthly_figures(data: MonthData, contract: Contract, now: datetime) -> MonthlyFigures:
    """Every figure of the monthly report; ``now`` decides which promises are not yet due."""
    zone = contract.zone
    tickets = list(data.tickets)
    by_severity: dict[str, list[TicketRow]] = defaultdict(list)
    for t in tickets:
        by_severity[t.severity or NO_SEVERITY].append(t)
    weekly = []
    for first, last in _weeks(data.month):
        counts: Counter[str] = Counter(
            t.severity or NO_SEVERITY for t in tickets if first <= t.created_at.astimezone(zone).date() <= last
        )
        weekly.append((first, last, dict(counts)))
    weekday: dict[int, list[bool]] = defaultdict(list)
    late_teams: dict[int, list[str]] = defaultdict(list)
    for t in by_severity.get("high", []):
        verdict = _acknowledged_in_time(t, contract, now)
        if verdict is not None:
            day = t.created_at.astimezone(zone).weekday()
            weekday[day].append(verdict)
            team = _team_on_duty(t.created_at, contract) if verdict is False else None
            if team:
                late_teams[day].append(team)
    approved = [r for r in data.repairs if r.step in _APPROVED_STEPS and r.quote_fen]
    return MonthlyFigures(
        month=data.month,
        generated_at=now,
        estimated_years=_estimated_years(data, contract),
        tickets=tuple(tickets),
        by_kind=_counted(t.kind for t in tickets),
        by_severity=_counted((t.severity or NO_SEVERITY for t in tickets), (*SEVERITIES, NO_SEVERITY)),
        by_department=_counted(t.department or "—" for t in tickets),
        by_category=_counted((category_of(t.text, t.severity) for t in tickets), ()),
        weekly=tuple(weekly),
        severities=tuple(_severity_figures(s, by_severity.get(s, []), contract, now) for s in SEVERITIES),
        escalated_tickets=sum(1 for t in tickets if t.escalations or t.escalations_by_hand),
        escalations=sum(t.escalations for t in tickets),
        escalations_by_hand=sum(t.escalations_by_hand for t in tickets),
        complaints=_complaints(data.complaints, now),
        repairs=data.repairs,
        repair_cost_fen=sum(r.quote_fen or 0 for r in approved),
        deflection=_deflection(data),
        repeated_devices=_repeated(data),
        weekday_high=tuple(
            (day, len(v), sum(v), tuple(dict.fromkeys(late_teams[day]))) for day, v in sorted(weekday.items())
        ),
        triage=data.triage or TriageAccuracy(len(tickets), 0),
    )
