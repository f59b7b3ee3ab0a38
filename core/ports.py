"""What a channel adapter may ask of the helpdesk, and the plain data it gets back.

Adapters depend on this module only (and on the message types): the running bot hands them an
object that satisfies ``Helpdesk`` (``bot.core.HelpdeskCore``), so an adapter needs neither the
store nor the handlers, and a test may hand it anything with the same methods.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
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


class SignInRefusal(StrEnum):
    """Why a sign-in was refused, as much as the person may be told."""

    WRONG = "wrong"  # a wrong password, an unknown person or one with no password yet: one answer
    LIMITED = "limited"  # too many failures for this person or from this address lately
    WEAK_PASSWORD = "weak_password"  # a new password (from a sign-in link) too short or too long
    BAD_LINK = "bad_link"  # a sign-in link that is forged, used or expired: one answer


@dataclass(frozen=True)
class SignIn:
    """The person signed in (and when: a password change ends sessions begun before it), or why not."""

    person: PersonView | None
    refusal: SignInRefusal | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class ReportFile:
    """A report file the signed-in person may download: its name and where the core keeps it."""

    name: str
    path: str
    content_type: str


class ApiAccess(StrEnum):
    ALLOWED = "allowed"
    UNAUTHENTICATED = "unauthenticated"  # no token, an unknown one, a revoked one: HTTP 401
    FORBIDDEN = "forbidden"  # a good token speaking for a sender it does not cover: HTTP 403


@dataclass(frozen=True)
class TokenCheck:
    access: ApiAccess
    token_name: str | None  # for the log; None when no stored token matched


class Helpdesk(Protocol):
    """The one facade a channel adapter talks to."""

    @property
    def clock(self) -> Clock: ...

    async def accept(self, msg: InboundMessage) -> Receipt:
        """Store the message; raises ``core.errors`` InvalidMessage, MessageIdReused or StoreUnavailable."""
        ...

    async def handle_stored(self, receipt: Receipt) -> bool: ...

    async def press_notice(self, inbound_id: int) -> str | None:
        """For a stored button press: a short notice in the presser's language when it did not count
        (a button not sent to them, or no longer valid), None when it did (Telegram's callback answer)."""
        ...

    async def take_replies(self, inbound_id: int, wait_s: float = 10.0) -> list[tuple[int, Reply]]: ...

    async def directory(self) -> list[PersonView]: ...

    async def history(self, person_id: str, limit: int = 100) -> list[HistoryItem]: ...

    async def greeting(self, person_id: str) -> Greeting | None: ...

    async def came_online(self, channel: str, person_id: str) -> None: ...

    def busy_text(self, lang: str = "zh") -> str: ...

    def delayed_text(self, lang: str = "zh") -> str: ...

    def articles(self) -> list[ArticleView]: ...

    def article(self, article_id: str) -> ArticleView | None: ...

    # Who is who (bot.auth): the web chat's sign-in and the REST webhook's tokens.

    @property
    def session_key(self) -> bytes:
        """The Fernet key of the web chat's session cookie (from the environment, or kept in the store)."""
        ...

    async def sign_in(self, person_id: str, password: str, address: str) -> SignIn: ...

    async def redeem_sign_in_link(self, token: str, password: str, address: str) -> SignIn:
        """Set the password a one-time link was made for, and sign in; the link is then used up."""
        ...

    async def signed_in_person(self, person_id: str, signed_in_at: datetime) -> PersonView | None:
        """Who a session names, while it holds (still in the directory, no password change since)."""
        ...

    async def check_api_token(self, token: str, sender: str) -> TokenCheck: ...

    # Files people send (a photo of the error): kept outside the database, linked to the ticket.

    @property
    def max_file_bytes(self) -> int:
        """The largest file ``store_file`` takes; a channel checks a file's announced size first."""
        ...

    async def store_file(self, name: str, data: bytes) -> str:
        """Keep a file a person sent; returns the ref to put in ``Attachment.ref``. Raises
        ``core.errors.FileTooLarge`` above ``max_file_bytes``."""
        ...

    # The contract's reports (月工作报告…): for the people the permissions table allows.

    async def report_names(self, person_id: str) -> list[str] | None:
        """The report files the person may download, newest first; None when they may not."""
        ...

    async def report_file(self, person_id: str, name: str) -> ReportFile | None:
        """The report a name stands for (built if need be), or None: no such report, or not allowed."""
        ...

    # What a channel keeps of a message it sent (WeCom: a card's response code, renewed by a press).

    async def sent_message_ref(self, channel: str, outbox_id: int, chat: str) -> str | None:
        """The channel's id of the message the outbox sent as row ``outbox_id`` on ``channel`` to
        ``chat``; None when no such message was sent. Raises ``StoreUnavailable``."""
        ...

    async def set_sent_message_ref(self, channel: str, outbox_id: int, chat: str, ref: str) -> bool:
        """Replace that id (a later edit of the message is handed the new one); False when there is
        no such sent message. Raises ``StoreUnavailable``."""
        ...
