"""Questions about tickets, answered in SQL: lists and counts filtered by period, severity, kind,
department (the requester's, in the directory), open or overdue, and whose tickets they are.

The handler builds one :class:`TicketQuery`; every function here reads it the same way, so a count
and the list beside it always agree. Times are aware datetimes (UTC in the store); a period is
``[since, until)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AffectedPerson, Person, Ticket
from storage.tickets import OPEN_STATUSES

__all__ = ["GROUPS", "Group", "TicketQuery", "count_tickets_by", "departments", "find_tickets", "is_affected"]

Group = Literal["severity", "kind", "department"]
GROUPS: tuple[Group, ...] = ("severity", "kind", "department")


@dataclass(frozen=True)
class TicketQuery:
    """Which tickets. ``None`` or empty means "any".

    ``open_only``: not yet resolved (new, acknowledged, in progress, reopened).
    ``not_closed``: anything but closed (a resolved ticket still waits for its requester).
    ``overdue_at``: open tickets that missed their response promise (``due_at``, set from the
    contract when the ticket was opened) at that moment: not acknowledged by then, or acknowledged
    late. Tickets without a promise (hardware enters the repair process) are never overdue.
    ``person_id`` with ``as_requester``: tickets the person opened or is counted as affected by;
    with ``as_assignee``: tickets the person has.
    """

    since: datetime | None = None
    until: datetime | None = None
    severity: str | None = None
    kind: str | None = None
    department: str | None = None
    open_only: bool = False
    not_closed: bool = False
    overdue_at: datetime | None = None
    requester_or_affected: str | None = None
    assignee: str | None = None


def _where(query: Select[Any], q: TicketQuery) -> Select[Any]:
    if q.since is not None:
        query = query.where(Ticket.created_at >= q.since)
    if q.until is not None:
        query = query.where(Ticket.created_at < q.until)
    if q.severity:
        query = query.where(Ticket.severity == q.severity)
    if q.kind:
        query = query.where(Ticket.kind == q.kind)
    if q.department:
        query = query.where(exists().where(Person.id == Ticket.requester_id, Person.department == q.department))
    if q.open_only or q.overdue_at is not None:
        query = query.where(Ticket.status.in_(OPEN_STATUSES))
    if q.not_closed:
        query = query.where(Ticket.status != "closed")
    if q.overdue_at is not None:
        query = query.where(
            Ticket.due_at.is_not(None),
            or_(
                and_(Ticket.acknowledged_at.is_(None), Ticket.due_at < q.overdue_at),
                Ticket.acknowledged_at > Ticket.due_at,
            ),
        )
    if q.requester_or_affected:
        who = q.requester_or_affected
        affected = exists().where(AffectedPerson.ticket_id == Ticket.id, AffectedPerson.person_id == who)
        query = query.where(or_(Ticket.requester_id == who, affected))
    if q.assignee:
        query = query.where(Ticket.assignee_id == q.assignee)
    return query


async def find_tickets(session: AsyncSession, q: TicketQuery, limit: int = 20) -> tuple[list[Ticket], int]:
    """The matching tickets, newest first (at most ``limit``), and how many match in all."""
    total = int(await session.scalar(_where(select(func.count()).select_from(Ticket), q)) or 0)
    rows = await session.scalars(_where(select(Ticket), q).order_by(Ticket.id.desc()).limit(limit))
    return list(rows.all()), total


async def count_tickets_by(session: AsyncSession, q: TicketQuery, group: Group) -> dict[str, int]:
    """How many match, per severity, kind or requester's department (a ticket without one under "")."""
    column: Any
    if group == "department":
        column = select(Person.department).where(Person.id == Ticket.requester_id).scalar_subquery()
    else:
        column = Ticket.severity if group == "severity" else Ticket.kind
    labelled = column.label("grp")
    query = _where(select(labelled, func.count()).select_from(Ticket), q).group_by(labelled)
    return {str(key or ""): int(count) for key, count in (await session.execute(query)).all()}


async def departments(session: AsyncSession) -> list[str]:
    """The departments of the active people in the stored directory, sorted."""
    query = select(Person.department).where(Person.active.is_(True), Person.department != "").distinct()
    return sorted(str(d) for d in (await session.scalars(query)).all())


async def is_affected(session: AsyncSession, ticket_id: int, person_id: str) -> bool:
    """Whether the person is counted among those the ticket's outage stops."""
    query = select(AffectedPerson.id).where(
        AffectedPerson.ticket_id == ticket_id, AffectedPerson.person_id == person_id
    )
    return (await session.scalar(query.limit(1))) is not None
