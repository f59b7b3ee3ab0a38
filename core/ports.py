"""What a channel adapter may ask of the helpdesk, and the plain data it gets back.

Adapters depend on this module only (and on the message types): the running bot hands them an
object that satisfies ``Helpdesk`` (``bot.core.HelpdeskCore``), so an adapter needs neither the
store nor the handlers, and a test may hand it anything with the same methods.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from core.clock import Clock
from core.messages import InboundMessage, Reply


@dataclass(frozen=True)
class Receipt:
    """A stored message: its row, and whether it had been stored before (a redelivery)."""

    inbound_id: int
    duplicate: bool


@dataclass(frozen=True)
class PersonView:
    id: str
    name: str
    department: str
    role: str


@dataclass(frozen=True)
class HistoryItem:
    id: str  # "i<inbound id>" for what the person said, "o<outbox id>" for what the bot sent
    from_person: bool
    reply: Reply
    at: datetime


@dataclass(frozen=True)
class Greeting:
    """What the web chat shows a person once chosen: what the bot does, and example messages."""

    text: str
    examples: tuple[str, ...]


@dataclass(frozen=True)
class ArticleView:
    """A how-to article as a page shows it; ``body`` is Markdown."""

    id: str
    title_zh: str
    title_en: str
    summary: str
    updated: date
    body: str


class Helpdesk(Protocol):
    """The one facade a channel adapter talks to."""

    @property
    def clock(self) -> Clock: ...

    async def accept(self, msg: InboundMessage) -> Receipt:
        """Store the message; raises ``core.errors`` InvalidMessage, MessageIdReused or StoreUnavailable."""
        ...

    async def handle_stored(self, receipt: Receipt) -> bool: ...

    async def take_replies(self, inbound_id: int, wait_s: float = 10.0) -> list[tuple[int, Reply]]: ...

    async def directory(self) -> list[PersonView]: ...

    async def history(self, person_id: str, limit: int = 100) -> list[HistoryItem]: ...

    async def greeting(self, person_id: str) -> Greeting | None: ...

    async def came_online(self, channel: str, person_id: str) -> None: ...

    def busy_text(self, lang: str = "zh") -> str: ...

    def delayed_text(self, lang: str = "zh") -> str: ...

    def articles(self) -> list[ArticleView]: ...

    def article(self, article_id: str) -> ArticleView | None: ...
