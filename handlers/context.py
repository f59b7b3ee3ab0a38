"""What a handler is given: the transaction, the person, their message and the time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage import InboundMessage, Person


@dataclass(frozen=True)
class HandlerContext:
    session: AsyncSession  # the pipeline's transaction: replies are written with the change
    person: Person
    message: InboundMessage
    now: datetime
    hotline: str

    @property
    def lang(self) -> str:
        return self.person.language or "zh"
