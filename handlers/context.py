"""What a handler is given: the transaction, the person, their message and the time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession

from core.messages import Outgoing, Reply
from handlers.contract import DEFAULT_ZONE, Contract
from handlers.kb.articles import KnowledgeBase
from i18n import say
from storage import DIRECTORY_CHANNELS, InboundMessage, Person, Timer


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

    @property
    def in_group(self) -> bool:
        """The message came from a group chat (a Telegram group), not the person's own chat."""
        m = self.message
        return m.channel not in DIRECTORY_CHANNELS and m.chat_id != m.sender_ref


def privately(ctx: HandlerContext, outgoing: list[Outgoing]) -> list[Outgoing]:
    """Answers about the sender's own tickets or the figures, asked in a group chat, go to the sender
    alone (their own chat); the group is told only that. Elsewhere the answers are left as they are."""
    if not ctx.in_group:
        return outgoing
    moved = [replace(o, to=ctx.person.id) if o.to is None else o for o in outgoing]
    return [Outgoing(Reply(say(ctx.lang, "answered_privately"))), *moved]


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
