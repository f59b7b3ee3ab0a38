"""Messages in and out: every inbound message, the outbox of replies waiting to be sent, and the chat
dialogs that collect a person's next message.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


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


class Dialog(Base):
    """What the bot is waiting for from one person on one channel (at most one thing at a time).

    Kept in the database, not in memory, so it survives a restart and works on channels that have
    no conversation support of their own (WeCom)."""

    __tablename__ = "dialogs"
    __table_args__ = (UniqueConstraint("channel", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"))
    state: Mapped[str] = mapped_column(String(32))
    ref: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    started_at: Mapped[datetime]
    expires_at: Mapped[datetime]
