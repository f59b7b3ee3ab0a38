"""What a handler is given: the transaction, the person, their message and the time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession

from core.messages import Outgoing
from handlers.contract import DEFAULT_ZONE, Contract
from handlers.kb.articles import KnowledgeBase
from storage import InboundMessage, Person, Timer


@dataclass(frozen=True)
class HandlerContext:
    session: AsyncSession  # the pipeline's transaction: replies are written with the change
    person: Person
    message: InboundMessage
    now: datetime
    hotline: str
    kb: KnowledgeBase = field(default_factory=lambda: KnowledgeBase([]))
    contract: Contract | None = None  # roster, calendar, paging policy (None: nobody is paged)

    @property
    def lang(self) -> str:
        return self.person.language or "zh"

    @property
    def dialog_expiry(self) -> timedelta:
        """How long a question the bot asks waits for its answer."""
        return self.contract.dialog_expiry if self.contract is not None else Contract.dialog_expiry

    @property
    def zone(self) -> tzinfo:
        """The contract's time zone ([service] timezone): the times people are shown are in it."""
        return self.contract.zone if self.contract is not None else DEFAULT_ZONE


@dataclass(frozen=True)
class TimerContext:
    """What a timer handler is given: the worker's transaction, the due timer, the time."""

    session: AsyncSession
    timer: Timer
    now: datetime
    contract: Contract | None = None

    @property
    def zone(self) -> tzinfo:
        """The contract's time zone ([service] timezone): the times people are shown are in it."""
        return self.contract.zone if self.contract is not None else DEFAULT_ZONE


# A timer handler returns messages to push; each names its recipient (``to``) and may replace an
# earlier message by its key (``replaces_key``).
TimerHandler = Callable[[TimerContext], Awaitable[list[Outgoing]]]
