"""The tables. Reached only through the functions exported by ``storage``.

Times are stored as timezone-aware UTC. The ticket events table is append-only: every change to a
ticket writes one row with who, what, when and from which channel.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# Named constraints so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (which keeps no zone) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use an aware one")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UtcDateTime(), dict[str, Any]: JSON}  # noqa: RUF012


class Person(Base):
    __tablename__ = "people"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    department: Mapped[str] = mapped_column(String(128), default="")
    location: Mapped[str] = mapped_column(String(64), default="")
    role: Mapped[str] = mapped_column(String(16))  # staff | engineer | manager | admin
    language: Mapped[str] = mapped_column(String(8), default="zh")
    active: Mapped[bool] = mapped_column(default=True)


class Identity(Base):
    """A person's user id on one channel (a WeCom userid, a Telegram user id, ...)."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("channel", "channel_user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"))
    channel: Mapped[str] = mapped_column(String(16))
    channel_user_id: Mapped[str] = mapped_column(String(128))


class Ticket(Base):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int | None] = mapped_column(Integer, unique=True)
    requester_id: Mapped[str] = mapped_column(ForeignKey("people.id"))
    kind: Mapped[str] = mapped_column(String(16))
    severity: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="new")
    text: Mapped[str] = mapped_column(Text)
    article: Mapped[str | None] = mapped_column(String(64))
    assignee_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    channel: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]


class TicketEvent(Base):
    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    at: Mapped[datetime]
    actor_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    action: Mapped[str] = mapped_column(String(32))  # opened, acknowledged, status, note, ...
    source: Mapped[str] = mapped_column(String(16))  # the channel, or "system" / "cli"
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class InboundMessage(Base):
    """Every message a person sent, stored before the channel is answered."""

    __tablename__ = "inbound_messages"
    # A message id is the sender's on some channels (REST clients choose theirs), so a redelivery
    # is the same id from the same sender on the same channel.
    __table_args__ = (
        UniqueConstraint("channel", "sender_ref", "channel_message_id", name="uq_inbound_messages_channel_sender"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    channel_message_id: Mapped[str] = mapped_column(String(128))
    # The channel's user id as received; sender_id is None when nobody in the directory has it.
    sender_ref: Mapped[str] = mapped_column(String(128))
    sender_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    chat_id: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    attachments: Mapped[dict[str, Any]] = mapped_column(default=dict)
    received_at: Mapped[datetime]
    # received → handled; a message left "received" by a crash is handled again at start-up.
    status: Mapped[str] = mapped_column(String(16), default="received")
    kind: Mapped[str | None] = mapped_column(String(16))
    severity: Mapped[str | None] = mapped_column(String(16))
    article: Mapped[str | None] = mapped_column(String(64))
    confidence: Mapped[float | None]
    triage_error: Mapped[str | None] = mapped_column(Text)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    handled_at: Mapped[datetime | None]
    # Handling tries that raised; after the limit the message is "failed" and an engineer is told.
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)


class OutboxMessage(Base):
    """A reply or notice waiting to be sent; written in the same transaction as the change."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    recipient_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"), index=True)
    chat_id: Mapped[str] = mapped_column(String(128))
    in_reply_to: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    # The outbox row whose sent message this one edits in place (a page updated after an ack).
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    # The sender's name for this message, so a later reply can replace it ("page:1042:eng.chen").
    key: Mapped[str | None] = mapped_column(String(128), index=True)
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    channel_message_id: Mapped[str | None] = mapped_column(String(128))
    last_error: Mapped[str | None] = mapped_column(Text)


class ArticleEvent(Base):
    """A knowledge-base answer served, marked solved, or turned into a ticket (deflection counts)."""

    __tablename__ = "article_events"
    __table_args__ = (Index("ix_article_events_article_at", "article_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))  # served | solved | ticket
    person_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    inbound_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    at: Mapped[datetime]


class Timer(Base):
    """A durable due item: escalate a page, remind about a complaint, close a service record.

    A worker acts on each due timer in the same transaction that marks it done, under a row lock
    (SKIP LOCKED on PostgreSQL), so a restart loses none and several processes act on each once.
    """

    __tablename__ = "timers"
    __table_args__ = (
        Index("ix_timers_due", "status", "due_at"),
        UniqueConstraint("dedupe_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # which handler acts on it
    ref: Mapped[str] = mapped_column(String(64), index=True)  # what it is about, e.g. "ticket:1042"
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | done | cancelled | failed
    dedupe_key: Mapped[str | None] = mapped_column(String(128))
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


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
