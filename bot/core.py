"""What channel adapters may ask of the helpdesk: one facade, so adapters hold no helpdesk logic."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

import storage
from bot.auth import Auth
from bot.history import conversation_items, greeting
from bot.kb_holder import KnowledgeBaseHolder
from bot.outbox import OutboxWorker
from bot.outbox.buttons import check_press
from bot.pipeline import Pipeline
from core.clock import Clock
from core.errors import FileTooLarge, InvalidMessage, StoreUnavailable
from core.messages import MAX_ID_LENGTH, InboundMessage, Reply, invalid_reason, parse_payload
from core.ports import ArticleView, Greeting, HistoryItem, PersonView, Receipt, ReportFile, SignIn, TokenCheck
from handlers.contract import Contract
from handlers.kb.articles import Article, KnowledgeBase
from handlers.reports import may_read_reports, report_file, report_names
from i18n import language, say
from storage.files import FileStore, FileTooBig

log = logging.getLogger(__name__)

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024


class HelpdeskCore:
    def __init__(
        self,
        sessions: storage.SessionFactory,
        pipeline: Pipeline,
        worker: OutboxWorker,
        clock: Clock,
        kb: KnowledgeBaseHolder | None = None,
        auth: Auth | None = None,
        files: FileStore | None = None,
        contract: Contract | None = None,
    ) -> None:
        self.contract = contract  # the reports' calendar, promises and folder (None: no reports)
        # Without a configured store (tests of other parts), files go to a private temporary folder.
        self.files = files or FileStore(Path(tempfile.mkdtemp(prefix="helpdesk-files-")), DEFAULT_MAX_FILE_BYTES)
        self.kb = kb or KnowledgeBaseHolder(KnowledgeBase([]))
        self.auth = auth or Auth(sessions, clock)
        self.sessions = sessions
        self.pipeline = pipeline
        self.worker = worker
        self.clock = clock
        # take_replies waits on these; the pipeline sets them when the message's replies are committed.
        self._reply_waiters: dict[int, asyncio.Event] = {}
        pipeline.on_handled(self._message_handled)

    def _message_handled(self, inbound_id: int) -> None:
        waiter = self._reply_waiters.get(inbound_id)
        if waiter is not None:
            waiter.set()

    async def on_message(self, msg: InboundMessage) -> Receipt:
        """Store, then handle; returns once the replies are in the outbox (or the message is safely
        stored for the recovery loop). Raises ``StoreUnavailable`` when it could not even be stored."""
        receipt = await self.accept(msg)
        await self.handle_stored(receipt)
        return receipt

    async def accept(self, msg: InboundMessage) -> Receipt:
        """Store the message. Raises ``InvalidMessage`` (never storable: the reason says why),
        ``storage.MessageIdReused`` (the sender's id came back with another text) or
        ``StoreUnavailable`` (the database is busy or down: send it again)."""
        reason = invalid_reason(msg)
        if reason is not None:
            log.warning("refused a %s message from %r: %s", msg.channel, msg.sender[:MAX_ID_LENGTH], reason)
            raise InvalidMessage(reason)
        try:
            return await self.pipeline.receive(msg)
        except (SQLAlchemyError, OSError) as exc:
            log.warning("could not store a %s message from %s", msg.channel, msg.sender, exc_info=True)
            raise StoreUnavailable(str(exc)) from exc

    async def handle_stored(self, receipt: Receipt) -> bool:
        """Handle a stored message. A failure here loses nothing: the message stays "received" and
        the recovery loop handles it again. Returns whether it was handled now."""
        try:
            return await self.pipeline.process(receipt.inbound_id)
        except Exception:
            log.exception("handling message %s failed; the recovery loop will retry", receipt.inbound_id)
            return False

    async def press_notice(self, inbound_id: int) -> str | None:
        """The notice for a press that did not count, checked as the pipeline checks it."""
        async with self.sessions() as session:
            inbound = await storage.get_inbound(session, inbound_id)
            if inbound is None:
                return None
            person = await storage.get_person(session, inbound.sender_id) if inbound.sender_id else None
            claimed = parse_payload(inbound.text)
            checked = (
                await check_press(session, claimed, person.id, self.clock.now())
                if claimed is not None and person is not None
                else None
            )
        if checked is not None and checked.allowed:
            return None
        return say(person.language if person else "zh", "telegram_button_refused")

    @property
    def max_file_bytes(self) -> int:
        return self.files.max_bytes

    async def store_file(self, name: str, data: bytes) -> str:
        """Keep a file a person sent (off the event loop: it is disk I/O); ``name`` is for the log."""
        try:
            return await asyncio.to_thread(self.files.save, data)
        except FileTooBig as exc:
            log.info("refused a file %r: %s", name[:80], exc)
            raise FileTooLarge(str(exc)) from exc

    @staticmethod
    def busy_text(lang: str = "zh") -> str:
        return say(lang, "store_busy")

    @staticmethod
    def delayed_text(lang: str = "zh") -> str:
        return say(lang, "reply_delayed")

    async def recover_forever(self, every_s: float = 15.0, older_than_s: float = 30.0) -> None:
        """Handle, again and again, messages stored but left unhandled (a failure after storing)."""
        while True:
            await asyncio.sleep(every_s)
            try:
                count = await self.pipeline.recover(timedelta(seconds=older_than_s))
                if count:
                    log.info("recovered %d unhandled message(s)", count)
            except Exception:
                log.exception("recovery pass failed; trying again later")

    async def take_replies(self, inbound_id: int, wait_s: float = 10.0) -> list[tuple[int, Reply]]:
        """The replies to one message, marked sent — for channels that answer in the HTTP response.

        Woken as soon as this process commits the replies; a message another process is handling
        (a redelivery that arrived while the first delivery was in hand) is checked once a second,
        with reads that take no lock."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_s
        waiter = self._reply_waiters.setdefault(inbound_id, asyncio.Event())
        try:
            while True:
                async with self.sessions() as session:
                    inbound = await storage.get_inbound(session, inbound_id)
                    done = inbound is not None and inbound.status in ("handled", "failed")
                if done:
                    return await self.worker.take_answers(inbound_id)
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return []
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(waiter.wait(), timeout=min(remaining, 1.0))
        finally:
            if self._reply_waiters.get(inbound_id) is waiter:
                del self._reply_waiters[inbound_id]

    async def directory(self) -> list[PersonView]:
        async with self.sessions() as session:
            people = await storage.list_people(session)
            return [PersonView(p.id, p.name, p.department, p.role) for p in people]

    async def greeting(self, person_id: str) -> Greeting | None:
        async with self.sessions() as session:
            return await greeting(session, person_id)

    def articles(self) -> list[ArticleView]:
        return [_article_view(a) for a in self.kb.current.all()]

    def article(self, article_id: str) -> ArticleView | None:
        found = self.kb.current.get(article_id)
        return _article_view(found) if found is not None else None

    async def history(self, person_id: str, limit: int = 100) -> list[HistoryItem]:
        async with self.sessions() as session:
            return await conversation_items(session, person_id, limit)

    async def report_names(self, person_id: str) -> list[str] | None:
        """The reports the web chat offers the person, in their language (``handlers.reports.report_names``)."""
        if self.contract is None:
            return None
        async with self.sessions() as session:
            person = await storage.get_person(session, person_id)
        if person is None or not may_read_reports(person.role, person.id):
            return None
        return report_names(language(person.language), self.clock.now(), self.contract)

    async def report_file(self, person_id: str, name: str) -> ReportFile | None:
        if self.contract is None:
            return None
        async with self.sessions() as session:  # reads only: rendering holds no write lock
            person = await storage.get_person(session, person_id)
            if person is None or not person.active:
                return None
            path = await report_file(session, self.contract, person.role, person.id, name, self.clock.now())
        if path is None:
            return None
        kind = "application/pdf" if path.suffix == ".pdf" else _XLSX
        return ReportFile(path.name, str(path), kind)

    async def came_online(self, channel: str, person_id: str) -> None:
        """A person opened a live connection: send what was waiting for them now."""
        await self.worker.recipient_online(channel, person_id)

    @property
    def session_key(self) -> bytes:
        return self.auth.session_key

    async def sign_in(self, person_id: str, password: str, address: str) -> SignIn:
        """Raises ``StoreUnavailable`` when the store cannot answer (the page says: try again)."""
        async with _store_errors("a sign-in"):
            return await self.auth.sign_in(person_id, password, address)

    async def redeem_sign_in_link(self, token: str, password: str, address: str) -> SignIn:
        async with _store_errors("a sign-in link"):
            return await self.auth.redeem_sign_in_link(token, password, address)

    async def signed_in_person(self, person_id: str, signed_in_at: datetime) -> PersonView | None:
        return await self.auth.signed_in_person(person_id, signed_in_at)

    async def check_api_token(self, token: str, sender: str) -> TokenCheck:
        """Raises ``StoreUnavailable`` when the store cannot answer (the caller sends it again)."""
        async with _store_errors("an API token check"):
            return await self.auth.check_token(token, sender)

    async def sent_message_ref(self, channel: str, outbox_id: int, chat: str) -> str | None:
        async with _store_errors("a sent message's id"), self.sessions() as session:
            row = await storage.get_outbox(session, outbox_id)
            if row is None or row.channel != channel or row.chat_id != chat or row.status != "sent":
                return None
            return row.channel_message_id

    async def set_sent_message_ref(self, channel: str, outbox_id: int, chat: str, ref: str) -> bool:
        async with _store_errors("a sent message's id"), self.sessions() as session, session.begin():
            row = await storage.get_outbox(session, outbox_id)
            if row is None or row.channel != channel or row.chat_id != chat or row.status != "sent":
                return False
            row.channel_message_id = ref[:MAX_ID_LENGTH]
            # An edit shows in the message it edits: a later replacement names that one (by its key).
            replaced = await storage.get_outbox(session, row.replaces_id) if row.replaces_id is not None else None
            if replaced is not None and replaced.channel == channel and replaced.chat_id == chat:
                replaced.channel_message_id = ref[:MAX_ID_LENGTH]
            return True


@contextlib.asynccontextmanager
async def _store_errors(what: str) -> AsyncIterator[None]:
    try:
        yield
    except (SQLAlchemyError, OSError) as exc:
        log.warning("the store could not answer %s", what, exc_info=True)
        raise StoreUnavailable(str(exc)) from exc


def _article_view(article: Article) -> ArticleView:
    return ArticleView(article.id, article.title_zh, article.title_en, article.summary, article.updated, article.body)
