"""The knowledge base's trail: which article was served, solved a problem or became a ticket."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


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
