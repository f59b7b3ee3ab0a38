"""The tables of sign-in and API access: passwords, one-time sign-in links, failed sign-ins, API
tokens, and the secrets the bot generates for itself (the session cookie key).

No secret is stored as it was given: passwords as Argon2 hashes, links and tokens as SHA-256 of
their random value.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class Credential(Base):
    """A person's web chat password. ``changed_at`` ends every session signed in before it."""

    __tablename__ = "credentials"

    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), primary_key=True)
    password_hash: Mapped[str] = mapped_column(Text)  # an Argon2 PHC string, with its salt and parameters
    changed_at: Mapped[datetime]


class SignInLink(Base):
    """A one-time link to set a password and sign in: usable once, until it expires."""

    __tablename__ = "sign_in_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class SignInFailure(Base):
    """One refused sign-in: who was tried (as typed, known or not) and from which address."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (
        Index("ix_sign_in_failures_person_ref_at", "person_ref", "at"),
        Index("ix_sign_in_failures_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_ref: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]


class ApiToken(Base):
    """A named bearer token for the REST webhook, limited to the senders it may speak for.

    ``senders`` None means every sender. A revoked token keeps its row (and its name) for the record.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    senders: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class Secret(Base):
    """A secret the bot generated once for itself and keeps (e.g. the session cookie key)."""

    __tablename__ = "secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
