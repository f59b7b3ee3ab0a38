"""The tables of paging and the ticket lifecycle: pages, the messages a page sent, the people an
outage affects, service records (服务记录单), and the roster's swaps and leaves.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class Page(Base):
    """A running escalation for one ticket, with its plan frozen as a snapshot when it started.

    ``next_step`` is the index of the first plan step not yet sent; ``generation`` grows each time
    someone escalates by hand, so the re-planned step timers get fresh dedupe keys.
    """

    __tablename__ = "pages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    severity: Mapped[str] = mapped_column(String(16))
    plan: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16), default="paging")  # paging | acknowledged | resolved
    next_step: Mapped[int] = mapped_column(default=0)
    generation: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime]
    acknowledged_by: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    acknowledged_at: Mapped[datetime | None]


class PageMessage(Base):
    """One message a page sent to one person; its key names the message an acknowledgement edits."""

    __tablename__ = "page_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"), index=True)
    key: Mapped[str] = mapped_column(String(128))  # the outbox key of the message ("page:1042:eng.chen")
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"))
    step: Mapped[int]
    action: Mapped[str] = mapped_column(String(16))  # page | notice
    sent_at: Mapped[datetime]


class AffectedPerson(Base):
    """Someone an outage stops: the requester and everyone whose report was grouped into the ticket."""

    __tablename__ = "ticket_affected"
    __table_args__ = (UniqueConstraint("ticket_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"))
    inbound_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]


class ServiceRecord(Base):
    """The engineer's resolution note as the service record (服务记录单) the requester confirms.

    Its message to the requester is remembered in the outbox as ``record:<id>`` and edited when the
    record is answered or closes by itself."""

    __tablename__ = "service_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    engineer_id: Mapped[str] = mapped_column(ForeignKey("people.id"))
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | confirmed | reopened | closed
    answered_at: Mapped[datetime | None]


class RosterOverride(Base):
    """A swap or a leave added in chat or by CLI, applied on top of config/roster.yaml."""

    __tablename__ = "roster_overrides"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # swap | leave
    data: Mapped[
        dict[str, Any]
    ]  # the roster file's own shape: {date, engineer, with} or {engineer, from, to, substitute}
    created_by: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    source: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
