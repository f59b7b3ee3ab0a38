"""The paging policy per severity, and the escalation plan it freezes when a page starts.

The policy is configuration (`PagingPolicy`, defaults in `DEFAULT_POLICY`); `plan_escalation`
resolves it against the roster and the calendar at one instant into an `EscalationPlan`: every
step with its offset, the people by id, page or notice, and the response due time. The caller
stores the plan as a snapshot when the page starts, so editing the roster later does not change
a page already under way (the idea of Grafana OnCall's escalation snapshot).

How a chain runs: each step pages its people and gives them `ack_minutes` to acknowledge before the
next step. A step whose role is empty, or whose people were all paged already (the backup standing
in for an engineer on leave, say), is skipped together with its waiting time: nobody is left
waiting on a step that pages nobody, so the next step takes its place (GoAlert's behaviour).

Response due times — which clock each severity counts on, and why:

- `urgent` (紧急故障, "on site or remote at once"): **wall clock**, 30 minutes. The contract gives
  no number for "at once"; 30 minutes is when the default chain reaches the technical director,
  so by then the promise has failed whatever the hour. Urgent is paged at any hour, so the clock
  runs at any hour.
- `high` (一般紧急故障, "within 2 hours"): **wall clock**, 2 hours. After hours it is worked by the
  on-call engineer (and the hotline), who is paged at once, so the promise holds at night too.
- `normal` (一般故障, "within 24 hours"): **on-site clock**, one on-site day. It is never paged
  after hours, so a clock running at night would expire with nobody allowed to work it. On a 5x8
  contract "24 hours" reads as one working day; on the on-site clock that is one day's on-site
  time (7.5 h by default), i.e. the same time on the next working day: Tuesday 10:00 is due
  Wednesday 10:00, Friday 16:00 is due Monday 16:00, Saturday anything is due Monday 17:30.
  (Counting 24 hours of on-site time would stretch it to more than three working days.)
- `hardware` (硬件故障, "enters the repair process"): **no due time**; the repair process has its
  own steps and clocks.

`normal` and `hardware` are *held* after hours: their notice goes to the team on duty at the next
on-site start, at that moment (`EscalationPlan.held_until`), so nobody is woken for them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from handlers.paging.calendar import BusinessCalendar
from handlers.paging.roster import Roster, Shift, on_duty

__all__ = [
    "DEFAULT_POLICY",
    "Action",
    "ChainStep",
    "EscalationPlan",
    "EscalationStep",
    "PagingPolicy",
    "PagingPolicyError",
    "ResponseDue",
    "Role",
    "Severity",
    "SeverityPolicy",
    "parse_paging_policy",
    "plan_escalation",
    "response_due",
]

Severity = Literal["urgent", "high", "normal", "hardware"]
Role = Literal["on_duty", "responders", "on_call", "backup", "senior", "director", "service_manager"]
"""Who a step reaches, read from the shift: `on_duty` is the on-duty team at any hour;
`responders` is the team on site and the on-call engineer after hours."""
Action = Literal["page", "notice"]
"""A page asks to be acknowledged and escalates; a notice only informs."""

SNAPSHOT_VERSION = 1


class PagingPolicyError(ValueError):
    """The paging policy configuration is invalid; the message names each bad key."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ChainStep(_Frozen):
    notify: Role
    action: Action = "page"
    ack_minutes: int = Field(default=0, ge=0)
    """How long the people of this step have to acknowledge before the next step."""


class ResponseDue(_Frozen):
    """The response promise: exactly one of wall-clock hours or on-site days."""

    wall_hours: float | None = Field(default=None, gt=0)
    on_site_days: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _one_clock(self) -> ResponseDue:
        if (self.wall_hours is None) == (self.on_site_days is None):
            raise ValueError("give exactly one of wall_hours or on_site_days")
        return self

    def due(self, created_at: dt.datetime, calendar: BusinessCalendar) -> dt.datetime:
        if self.wall_hours is not None:
            return calendar.local(created_at) + dt.timedelta(hours=self.wall_hours)
        assert self.on_site_days is not None
        return calendar.add_on_site_time(created_at, calendar.on_site_day_length() * self.on_site_days)


class SeverityPolicy(_Frozen):
    chain: tuple[ChainStep, ...] = ()
    tell_at_once: tuple[Role, ...] = ()
    """Roles sent a notice when the plan starts (the service manager for urgent)."""
    after_hours: Literal["page", "hold"] = "page"
    """`hold`: after hours, the whole plan waits for the next on-site start."""
    response_due: ResponseDue | None = None
    starts_repair: bool = False


class PagingPolicy(_Frozen):
    urgent: SeverityPolicy
    high: SeverityPolicy
    normal: SeverityPolicy
    hardware: SeverityPolicy

    def for_severity(self, severity: Severity) -> SeverityPolicy:
        return cast(SeverityPolicy, getattr(self, severity))


DEFAULT_POLICY = PagingPolicy(
    urgent=SeverityPolicy(
        chain=(
            ChainStep(notify="on_duty", ack_minutes=5),
            ChainStep(notify="backup", ack_minutes=10),
            ChainStep(notify="senior", ack_minutes=15),
            ChainStep(notify="director"),
        ),
        tell_at_once=("service_manager",),
        response_due=ResponseDue(wall_hours=0.5),
    ),
    high=SeverityPolicy(
        chain=(
            ChainStep(notify="responders", ack_minutes=30),
            ChainStep(notify="backup"),
        ),
        response_due=ResponseDue(wall_hours=2),
    ),
    normal=SeverityPolicy(
        chain=(ChainStep(notify="on_duty", action="notice"),),
        after_hours="hold",
        response_due=ResponseDue(on_site_days=1),
    ),
    hardware=SeverityPolicy(
        chain=(ChainStep(notify="on_duty", action="notice"),),
        after_hours="hold",
        starts_repair=True,
    ),
)


class _PolicyFile(_Frozen):
    paging: PagingPolicy


def _format_loc(loc: Iterable[int | str]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def parse_paging_policy(data: Mapping[str, Any]) -> PagingPolicy:
    """Validate a paging policy document (`{"paging": {"urgent": ..., ...}}`).

    Raises `PagingPolicyError` whose message names each bad key, e.g. `paging.high.chain[0].notify`.
    """
    try:
        return _PolicyFile.model_validate(data).paging
    except ValidationError as exc:
        problems = [f"{_format_loc(err['loc']) or 'paging'}: {err['msg']}" for err in exc.errors()]
        raise PagingPolicyError("invalid paging policy:\n  " + "\n  ".join(problems)) from exc


@dataclass(frozen=True)
class EscalationStep:
    """One step of a frozen plan: at `at` (= start + `offset`), page or notify `people`."""

    offset: dt.timedelta
    at: dt.datetime
    role: Role
    people: tuple[str, ...]
    action: Action


@dataclass(frozen=True)
class EscalationPlan:
    """The escalation chain frozen when a page starts; see the module docstring for the rules.

    `steps` are in time order. `after_hours` says the ticket came in after hours (so the requester
    can be told the on-call engineer has it). `held_until` is set when the plan waits for on-site hours.
    `skipped` lists the roles left out because nobody new was on duty for them.
    """

    severity: Severity
    started_at: dt.datetime
    steps: tuple[EscalationStep, ...]
    response_due: dt.datetime | None
    after_hours: bool = False
    held_until: dt.datetime | None = None
    starts_repair: bool = False
    skipped: tuple[Role, ...] = ()

    def steps_due(self, after: dt.datetime | None, upto: dt.datetime) -> tuple[EscalationStep, ...]:
        """Steps whose time falls in (`after`, `upto`]: what a worker acts on between two ticks."""
        return tuple(step for step in self.steps if (after is None or step.at > after) and step.at <= upto)

    def to_snapshot(self) -> dict[str, Any]:
        """A JSON-safe dict to store with the ticket; `from_snapshot` reads it back unchanged."""
        return {
            "version": SNAPSHOT_VERSION,
            "severity": self.severity,
            "started_at": self.started_at.isoformat(),
            "response_due": None if self.response_due is None else self.response_due.isoformat(),
            "after_hours": self.after_hours,
            "held_until": None if self.held_until is None else self.held_until.isoformat(),
            "starts_repair": self.starts_repair,
            "skipped": list(self.skipped),
            "steps": [
                {
                    "offset_seconds": int(step.offset.total_seconds()),
                    "role": step.role,
                    "people": list(step.people),
                    "action": step.action,
                }
                for step in self.steps
            ],
        }

    @classmethod
    def from_snapshot(cls, data: Mapping[str, Any]) -> EscalationPlan:
        if data.get("version") != SNAPSHOT_VERSION:
            raise ValueError(f"unknown escalation snapshot version {data.get('version')!r}")

        def moment(value: str | None) -> dt.datetime | None:
            return None if value is None else dt.datetime.fromisoformat(value)

        started_at = dt.datetime.fromisoformat(data["started_at"])
        steps = tuple(
            EscalationStep(
                offset=dt.timedelta(seconds=step["offset_seconds"]),
                at=started_at + dt.timedelta(seconds=step["offset_seconds"]),
                role=step["role"],
                people=tuple(step["people"]),
                action=step["action"],
            )
            for step in data["steps"]
        )
        return cls(
            severity=data["severity"],
            started_at=started_at,
            steps=steps,
            response_due=moment(data["response_due"]),
            after_hours=bool(data["after_hours"]),
            held_until=moment(data["held_until"]),
            starts_repair=bool(data["starts_repair"]),
            skipped=tuple(data["skipped"]),
        )


def _people(role: Role, shift: Shift) -> tuple[str, ...]:
    if role == "on_duty":
        return shift.engineers
    if role == "responders":
        return shift.responders
    if role == "on_call":
        return (shift.on_call,)
    person = {
        "backup": shift.backup,
        "senior": shift.senior,
        "director": shift.director,
        "service_manager": shift.service_manager,
    }[role]
    return () if person is None else (person,)


def response_due(
    severity: Severity,
    created_at: dt.datetime,
    calendar: BusinessCalendar,
    policy: PagingPolicy = DEFAULT_POLICY,
) -> dt.datetime | None:
    """When the contract's response is due for a ticket created at `created_at`; None for hardware.

    Wall clock or on-site clock per severity, as the module docstring explains.
    """
    promise = policy.for_severity(severity).response_due
    return None if promise is None else promise.due(created_at, calendar)


def plan_escalation(
    severity: Severity,
    at: dt.datetime,
    roster: Roster,
    calendar: BusinessCalendar,
    policy: PagingPolicy = DEFAULT_POLICY,
) -> EscalationPlan:
    """Freeze the escalation chain for a ticket of `severity` created at `at`.

    People are read from the shift in force when the plan starts (at `at`, or at the next on-site
    start for a held plan) and do not change afterwards. Raises `NaiveDatetimeError` for a naive
    `at`, `CalendarNotCovered` for a date beyond the calendar's data.
    """
    rules = policy.for_severity(severity)
    created = calendar.local(at)
    after_hours = calendar.is_after_hours(created)
    held_until = None
    if rules.after_hours == "hold" and after_hours:
        held_until = calendar.next_on_site_start(created)
    start = held_until or created
    shift = on_duty(roster, start, calendar)

    offset = start - created
    steps: list[EscalationStep] = []
    for role in rules.tell_at_once:
        people = _people(role, shift)
        if people:
            steps.append(EscalationStep(offset, created + offset, role, people, "notice"))

    reached: set[str] = set()
    skipped: list[Role] = []
    for chain_step in rules.chain:
        people = tuple(person for person in _people(chain_step.notify, shift) if person not in reached)
        if not people:
            skipped.append(chain_step.notify)
            continue
        steps.append(EscalationStep(offset, created + offset, chain_step.notify, people, chain_step.action))
        reached.update(people)
        offset += dt.timedelta(minutes=chain_step.ack_minutes)

    return EscalationPlan(
        severity=severity,
        started_at=created,
        steps=tuple(sorted(steps, key=lambda step: step.offset)),
        response_due=response_due(severity, created, calendar, policy),
        after_hours=after_hours,
        held_until=held_until,
        starts_repair=rules.starts_repair,
        skipped=tuple(skipped),
    )
