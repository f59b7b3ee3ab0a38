"""Who may do what: one table, read by every handler before it changes anything.

A rule lists the relations that allow a move. A relation is either the person's role in the
directory (engineer, manager, admin) or how they stand to the thing the move is about: its
requester, its assignee, on its page's chain, its complaint's manager, the engineer a roster change
names. ``relations`` collects them from facts the handler already has; ``may`` answers from the
table. The sign-in issue builds on this table, so nothing else in the code base decides by role.

Admins (the bot's operators) may do what engineers and managers may, but never act as someone's
requester: signing for a device or approving one's own quote stays with that person.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum

__all__ = ["RULES", "Move", "Relation", "is_engineer", "is_manager", "may", "relations"]


class Relation(StrEnum):
    ENGINEER = "engineer"  # the directory role
    MANAGER = "manager"  # a manager, of the customer or of the service company
    ADMIN = "admin"
    CUSTOMER_MANAGER = "customer_manager"  # a manager not marked as the service company's in the directory
    SERVICE_LEAD = "service_lead"  # the roster's service manager or technical director
    REQUESTER = "requester"  # opened the ticket, the purchase request; owns the repaired device
    ASSIGNEE = "assignee"  # has the ticket
    ON_CHAIN = "on_chain"  # was paged for the ticket
    COMPLAINT_MANAGER = "complaint_manager"  # the manager a complaint was given to
    NAMED = "named"  # the engineer a swap or leave is about
    AFFECTED = "affected"  # counted among the people an outage ticket stops (storage.paging affected_people)


class Move(StrEnum):
    TICKET_ACKNOWLEDGE = "ticket.acknowledge"
    TICKET_TAKE = "ticket.take"
    TICKET_RELEASE = "ticket.release"
    TICKET_RESOLVE = "ticket.resolve"
    TICKET_ESCALATE = "ticket.escalate"
    TICKET_NOTE = "ticket.note"
    TICKET_REASSIGN = "ticket.reassign"
    TICKET_CONFIRM = "ticket.confirm"  # the service record
    TICKET_REOPEN = "ticket.reopen"
    TICKET_CORRECT_TRIAGE = "ticket.correct_triage"  # change a ticket's kind or severity
    TICKET_LIST_ASSIGNED = "ticket.list_assigned"  # "my tickets" lists what one has, not what one asked
    BE_ASSIGNED = "ticket.be_assigned"  # may be given a ticket by a manager
    REPAIR_STEP = "repair.step"  # confirm, pickup, quote, repaired, returned
    REPAIR_DECIDE = "repair.decide"  # approve or decline the repair quote
    REPAIR_SIGN = "repair.sign"
    PURCHASE_QUOTE = "purchase.quote"
    PURCHASE_DECIDE = "purchase.decide"
    COMPLAINT_HANDLE = "complaint.handle"  # check the facts, answer
    ROSTER_SWAP = "roster.swap"
    ROSTER_LEAVE = "roster.leave"
    ROSTER_SERVE = "roster.serve"  # be on the roster: take a shift in a swap, cover a leave
    DEVICE_LINK = "device.link"  # link a ticket to a device of the registry
    INSPECTION_TICK = "inspection.tick"  # tick the month's checklist; a first visit registers the device
    INSPECTION_VIEW = "inspection.view"  # what is left of the month's checklist, the month-end list
    STATUS_TICKET = "status.ticket"  # read one ticket's status (who has it, where it stands)
    STATUS_FIGURES = "status.figures"  # counts and lists of tickets across people
    REPORT_READ = "report.read"  # the contract's reports: ask for them in chat, download them on the web
    REPORT_RECEIVE = "report.receive"  # be sent the monthly report unasked on its first working day


R = Relation
_STAFF_OF_THE_SERVICE = frozenset({R.ENGINEER, R.ADMIN})
_ENGINEERS_AND_MANAGERS = frozenset({R.ENGINEER, R.MANAGER, R.ADMIN})

RULES: Mapping[Move, frozenset[Relation]] = {
    Move.TICKET_ACKNOWLEDGE: _STAFF_OF_THE_SERVICE,
    Move.TICKET_TAKE: _STAFF_OF_THE_SERVICE,
    Move.TICKET_RELEASE: _STAFF_OF_THE_SERVICE,
    Move.TICKET_RESOLVE: _STAFF_OF_THE_SERVICE,
    Move.TICKET_ESCALATE: _ENGINEERS_AND_MANAGERS,
    Move.TICKET_NOTE: _ENGINEERS_AND_MANAGERS,
    Move.TICKET_REASSIGN: frozenset({R.MANAGER, R.ADMIN}),
    Move.TICKET_CONFIRM: frozenset({R.REQUESTER}),
    Move.TICKET_REOPEN: frozenset({R.REQUESTER}),
    Move.TICKET_CORRECT_TRIAGE: _ENGINEERS_AND_MANAGERS,
    Move.TICKET_LIST_ASSIGNED: _STAFF_OF_THE_SERVICE,
    Move.BE_ASSIGNED: frozenset({R.ENGINEER}),
    Move.REPAIR_STEP: _STAFF_OF_THE_SERVICE,
    Move.REPAIR_DECIDE: frozenset({R.REQUESTER}),
    Move.REPAIR_SIGN: frozenset({R.REQUESTER}),
    Move.PURCHASE_QUOTE: _STAFF_OF_THE_SERVICE,
    # The requester, or a manager of the customer approving for them (never the service company).
    Move.PURCHASE_DECIDE: frozenset({R.REQUESTER, R.CUSTOMER_MANAGER, R.ADMIN}),
    Move.COMPLAINT_HANDLE: frozenset({R.COMPLAINT_MANAGER, R.SERVICE_LEAD, R.ADMIN}),
    Move.ROSTER_SWAP: frozenset({R.NAMED, R.MANAGER, R.ADMIN}),
    Move.ROSTER_LEAVE: frozenset({R.NAMED, R.MANAGER, R.ADMIN}),
    Move.ROSTER_SERVE: frozenset({R.ENGINEER}),
    Move.DEVICE_LINK: _STAFF_OF_THE_SERVICE,
    Move.INSPECTION_TICK: _STAFF_OF_THE_SERVICE,
    Move.INSPECTION_VIEW: _ENGINEERS_AND_MANAGERS,
    Move.STATUS_TICKET: frozenset({R.REQUESTER, R.AFFECTED, R.ENGINEER, R.MANAGER, R.ADMIN}),
    Move.STATUS_FIGURES: frozenset({R.MANAGER, R.ADMIN}),
    Move.REPORT_READ: frozenset({R.MANAGER, R.ADMIN}),
    Move.REPORT_RECEIVE: frozenset({R.MANAGER}),
}


def relations(
    role: str,
    person_id: str,
    *,
    service_company: bool = False,
    requester: str | None = None,
    assignee: str | None = None,
    chain: Iterable[str] = (),
    complaint_manager: str | None = None,
    service_leads: Iterable[str | None] = (),
    named: Iterable[str] = (),
    affected: Iterable[str] = (),
) -> frozenset[Relation]:
    """How a person stands to the thing a move is about, from what the handler knows of both."""
    found: set[Relation] = set()
    if role in (R.ENGINEER, R.MANAGER, R.ADMIN):
        found.add(R(role))
    if role == R.MANAGER and not service_company:
        found.add(R.CUSTOMER_MANAGER)
    for relation, who in ((R.REQUESTER, requester), (R.ASSIGNEE, assignee), (R.COMPLAINT_MANAGER, complaint_manager)):
        if who is not None and who == person_id:
            found.add(relation)
    if person_id in set(chain):
        found.add(R.ON_CHAIN)
    if person_id in {lead for lead in service_leads if lead}:
        found.add(R.SERVICE_LEAD)
    if person_id in set(named):
        found.add(R.NAMED)
    if person_id in set(affected):
        found.add(R.AFFECTED)
    return frozenset(found)


def may(move: Move, held: Iterable[Relation]) -> bool:
    """Whether any of the relations the person holds allows the move."""
    return not RULES[move].isdisjoint(held)


def is_engineer(role: str) -> bool:
    """Whether the role does engineers' work (lists one's assigned tickets, is paged as staff)."""
    return may(Move.TICKET_LIST_ASSIGNED, relations(role, ""))


def is_manager(role: str) -> bool:
    return may(Move.TICKET_REASSIGN, relations(role, ""))
