"""The tables of the contract's service requests: complaints, repairs, purchase requests, and their
append-only trail.

Money is stored in fen (integer hundredths of a yuan) so SQLite and PostgreSQL agree to the cent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class Complaint(Base):
    """A complaint and its two clocks: facts checked by ``facts_due_at``, answered by ``answer_due_at``."""

    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complainant_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(16))
    # What it is about, as far as the text says: {"ticket": 1042, "engineer": "eng.chen", "delay": true}
    about: Mapped[dict[str, Any]] = mapped_column(default=dict)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    engineer_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    manager_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | facts_checked | answered
    created_at: Mapped[datetime]
    facts_due_at: Mapped[datetime]
    answer_due_at: Mapped[datetime]
    facts_checked_at: Mapped[datetime | None]
    facts_checked_by: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    facts: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]
    answered_by: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    answer: Mapped[str | None] = mapped_column(Text)


class Repair(Base):
    """The hardware repair process of one ticket: where it stands, the repair slip and the quote."""

    __tablename__ = "repairs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), unique=True)
    step: Mapped[str] = mapped_column(String(24))
    device: Mapped[str | None] = mapped_column(String(200))
    serial: Mapped[str | None] = mapped_column(String(100))  # asset tag or serial number
    fault: Mapped[str | None] = mapped_column(Text)
    accessories: Mapped[str | None] = mapped_column(Text)
    # [{"item": "更换硬盘", "fen": 45000}, ...]
    quote: Mapped[dict[str, Any]] = mapped_column(default=dict)
    quote_fen: Mapped[int | None]
    outcome: Mapped[str | None] = mapped_column(String(16))  # repaired | unrepaired
    engineer_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    signed_at: Mapped[datetime | None]


class PurchaseRequest(Base):
    """A request for the service company to recommend, quote or buy equipment."""

    __tablename__ = "purchase_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    requester_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(16))
    items: Mapped[str] = mapped_column(Text)
    quantity: Mapped[int | None]
    budget_fen: Mapped[int | None]
    needed_by: Mapped[str | None] = mapped_column(String(64))  # as the requester said it
    notes: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | quoted | approved | declined
    recommendation: Mapped[str | None] = mapped_column(Text)
    quote_fen: Mapped[int | None]
    quoted_by: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    quoted_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class ServiceEvent(Base):
    """Append-only trail of complaints, repairs and purchase requests: who did what, when, from where."""

    __tablename__ = "service_events"
    __table_args__ = (Index("ix_service_events_subject", "subject", "subject_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject: Mapped[str] = mapped_column(String(16))  # complaint | repair | purchase
    subject_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime]
    actor_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    action: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))  # the channel, or "system"
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
