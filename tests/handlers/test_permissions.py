"""The permissions table, row by row: who may do each move, and who may not."""

from __future__ import annotations

import pytest

from handlers.permissions import RULES, Move, Relation, is_engineer, is_manager, may, relations

ROLES = ("staff", "engineer", "manager", "admin")
# For each move, the roles that may do it by role alone (no relation to the thing).
BY_ROLE: dict[Move, set[str]] = {
    Move.TICKET_ACKNOWLEDGE: {"engineer", "admin"},
    Move.TICKET_TAKE: {"engineer", "admin"},
    Move.TICKET_RELEASE: {"engineer", "admin"},
    Move.TICKET_RESOLVE: {"engineer", "admin"},
    Move.TICKET_ESCALATE: {"engineer", "manager", "admin"},
    Move.TICKET_NOTE: {"engineer", "manager", "admin"},
    Move.TICKET_REASSIGN: {"manager", "admin"},
    Move.TICKET_CONFIRM: set(),
    Move.TICKET_REOPEN: set(),
    Move.TICKET_CORRECT_TRIAGE: {"engineer", "manager", "admin"},
    Move.TICKET_LIST_ASSIGNED: {"engineer", "admin"},
    Move.BE_ASSIGNED: {"engineer"},
    Move.REPAIR_STEP: {"engineer", "admin"},
    Move.REPAIR_DECIDE: set(),
    Move.REPAIR_SIGN: set(),
    Move.PURCHASE_QUOTE: {"engineer", "admin"},
    Move.PURCHASE_DECIDE: {"manager", "admin"},  # a customer's manager (no service company named)
    Move.COMPLAINT_HANDLE: {"admin"},
    Move.ROSTER_SWAP: {"manager", "admin"},
    Move.ROSTER_LEAVE: {"manager", "admin"},
    Move.ROSTER_SERVE: {"engineer"},
    Move.DEVICE_LINK: {"engineer", "admin"},
    Move.INSPECTION_TICK: {"engineer", "admin"},
    Move.INSPECTION_VIEW: {"engineer", "manager", "admin"},
    Move.STATUS_TICKET: {"engineer", "manager", "admin"},
    Move.STATUS_FIGURES: {"manager", "admin"},
    Move.REPORT_READ: {"manager", "admin"},
    Move.REPORT_RECEIVE: {"manager"},
}


def test_every_move_has_a_rule_and_a_row_here() -> None:
    assert set(RULES) == set(Move) == set(BY_ROLE)


@pytest.mark.parametrize("move", list(Move))
@pytest.mark.parametrize("role", ROLES)
def test_by_role_alone(move: Move, role: str) -> None:
    assert may(move, relations(role, "someone")) == (role in BY_ROLE[move])


@pytest.mark.parametrize("move", [Move.TICKET_CONFIRM, Move.TICKET_REOPEN, Move.REPAIR_DECIDE, Move.REPAIR_SIGN])
def test_the_requesters_own_moves_are_the_requesters_alone(move: Move) -> None:
    assert may(move, relations("staff", "staff.li", requester="staff.li"))
    assert not may(move, relations("admin", "root", requester="staff.li"))
    assert not may(move, relations("manager", "mgr.hu", requester="staff.li"))


def test_a_purchase_is_decided_by_its_requester_or_a_customer_manager_never_the_service_company() -> None:
    assert may(Move.PURCHASE_DECIDE, relations("staff", "staff.zhang", requester="staff.zhang"))
    assert may(Move.PURCHASE_DECIDE, relations("manager", "mgr.hu"))
    assert may(Move.PURCHASE_DECIDE, relations("manager", "mgr.hu", service_company=False))
    assert not may(Move.PURCHASE_DECIDE, relations("manager", "svc.ma", service_company=True))
    assert not may(Move.PURCHASE_DECIDE, relations("staff", "staff.li", requester="staff.zhang"))


def test_a_complaint_is_handled_by_its_manager_or_the_service_leads() -> None:
    assert may(Move.COMPLAINT_HANDLE, relations("manager", "svc.ma", complaint_manager="svc.ma"))
    assert may(Move.COMPLAINT_HANDLE, relations("engineer", "dir.zhou", service_leads=("svc.ma", "dir.zhou")))
    assert not may(Move.COMPLAINT_HANDLE, relations("manager", "mgr.hu", complaint_manager="svc.ma"))
    assert not may(Move.COMPLAINT_HANDLE, relations("engineer", "eng.chen", service_leads=("svc.ma", None)))


def test_an_engineer_changes_only_their_own_shifts_a_manager_anyones() -> None:
    assert may(Move.ROSTER_SWAP, relations("engineer", "eng.chen", named=("eng.chen", "eng.wu")))
    assert not may(Move.ROSTER_SWAP, relations("engineer", "eng.liu", named=("eng.chen", "eng.wu")))
    assert may(Move.ROSTER_LEAVE, relations("manager", "svc.ma", named=("eng.chen",)))


def test_relations_name_how_a_person_stands_to_a_ticket() -> None:
    held = relations("engineer", "eng.chen", requester="staff.li", assignee="eng.chen", chain=("eng.chen", "eng.wu"))
    assert held == {Relation.ENGINEER, Relation.ASSIGNEE, Relation.ON_CHAIN}
    assert relations("staff", "staff.li", requester="staff.li") == {Relation.REQUESTER}


def test_engineer_and_manager_roles_are_read_from_the_table() -> None:
    assert [r for r in ROLES if is_engineer(r)] == ["engineer", "admin"]
    assert [r for r in ROLES if is_manager(r)] == ["manager", "admin"]


def test_staff_read_a_ticket_they_opened_or_are_affected_by_and_no_figures() -> None:
    assert may(Move.STATUS_TICKET, relations("staff", "staff.li", requester="staff.li"))
    assert may(Move.STATUS_TICKET, relations("staff", "staff.li", requester="staff.wang", affected=("staff.li",)))
    other = relations("staff", "staff.li", requester="staff.wang", affected=("staff.zhang",))
    assert not may(Move.STATUS_TICKET, other)
    assert not may(Move.STATUS_FIGURES, relations("staff", "staff.li", requester="staff.li"))
    assert not may(Move.STATUS_FIGURES, relations("engineer", "eng.chen", assignee="eng.chen"))
