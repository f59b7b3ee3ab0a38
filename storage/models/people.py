"""The directory as stored: people and their user ids on each channel."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class Person(Base):
    __tablename__ = "people"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    department: Mapped[str] = mapped_column(String(128), default="")
    location: Mapped[str] = mapped_column(String(64), default="")
    role: Mapped[str] = mapped_column(String(16))  # staff | engineer | manager | admin
    language: Mapped[str] = mapped_column(String(8), default="zh")
    # One of the service company's people, as the directory marks them (not the customer's staff).
    service_company: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    active: Mapped[bool] = mapped_column(default=True)


class Identity(Base):
    """A person's user id on one channel (a WeCom userid, a Telegram user id, ...)."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("channel", "channel_user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"))
    channel: Mapped[str] = mapped_column(String(16))
    channel_user_id: Mapped[str] = mapped_column(String(128))
    # Set when the channel said this user cannot be reached (blocked the bot, left the app's visible
    # range); pushes then go to the person's next identity. Cleared when they write from it again.
    unreachable_at: Mapped[datetime | None]


class Invite(Base):
    """A single-use, expiring code that binds a chat identity (a Telegram user) to a person.

    Only the code's hash is kept; the code is shown once, to the operator who made it."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by: Mapped[str | None] = mapped_column(String(160))  # "<channel>:<channel user id>"
