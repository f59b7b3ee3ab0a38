"""The Telegram channel: python-telegram-bot 22 between the Bot API and the helpdesk.

Translation only. Updates come in by webhook (``channels.telegram.webhook``, our own aiohttp server;
the PTB ``Application`` is built with ``.updater(None)``) or by long polling (PTB's ``Updater``); each
becomes an ``InboundMessage`` with the update id as its message id (so a redelivered update is
stored once) and goes to the helpdesk's ``accept`` then ``handle_stored``, as the web chat's do. A
button press is a message whose text is the button's ``callback_data``; its callback query is
always answered, with a short notice when the press did not count.

Outgoing, the outbox worker calls ``send`` and ``edit``; every Bot API call goes through PTB's
``AIORateLimiter`` (Telegram's flood limits, ``RetryAfter`` waited out ``max_retries`` times), and
errors become ``channels.base`` errors (see ``channels.telegram.outbound``). Only the answer to a
callback query (the toast a press shows, valid for seconds) is sent directly: it cannot wait for an
outbox retry, and it is not a message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from telegram import Bot, BotCommand, Update, User
from telegram.error import BadRequest, InvalidToken, TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, TypeHandler
from telegram.request import HTTPXRequest

from channels.base import DeliveryError, PermanentDeliveryError
from channels.telegram.inbound import Incoming, read_update
from channels.telegram.outbound import (
    MAX_CAPTION,
    delivery_error,
    keyboard,
    message_ref,
    parse_message_ref,
    text_parts,
)
from core.errors import FileTooLarge, InvalidMessage, MessageIdReused, StoreUnavailable
from core.messages import Attachment, Delivery, InboundMessage
from core.ports import Helpdesk, Receipt

log = logging.getLogger(__name__)

# The update types the bot asks for: messages (text, photos, documents) and button presses.
ALLOWED_UPDATES = ("message", "callback_query")
STORE_ATTEMPTS = 5  # a busy store is tried again this many times before a polled update is given up


@dataclass(frozen=True)
class TelegramOptions:
    """What the channel needs to know, from the settings (``bot.telegram_setup`` fills it in)."""

    token: str
    mode: Literal["webhook", "polling"] = "polling"
    secret: str = ""
    api_base: str = "https://api.telegram.org"
    proxy: str | None = None
    max_retries: int = 3
    timeout_s: float = 15.0
    # Language code (None: everyone else) → (command, description) as ``setMyCommands`` takes them.
    commands: Mapping[str | None, Sequence[tuple[str, str]]] = field(default_factory=dict)


def build_application(options: TelegramOptions) -> Application[Any, Any, Any, Any, Any, Any]:
    """The PTB application: the Bot API at ``api_base`` (files under ``/file/bot``), the proxy for
    every request, the rate limiter; an updater only for polling."""
    builder = (
        ApplicationBuilder()
        .token(options.token)
        .base_url(f"{options.api_base}/bot")
        .base_file_url(f"{options.api_base}/file/bot")
        .rate_limiter(AIORateLimiter(max_retries=options.max_retries))
        .connect_timeout(min(5.0, options.timeout_s))
        .read_timeout(options.timeout_s)
        .write_timeout(options.timeout_s)
        .media_write_timeout(options.timeout_s * 4)
    )
    if options.proxy:
        builder = builder.proxy(options.proxy).get_updates_proxy(options.proxy)
    if options.mode == "webhook":
        builder = builder.updater(None)
    return builder.build()


def make_bot(options: TelegramOptions) -> Bot:
    """A bare Bot API client with the same address, proxy and timeouts (the CLI's, outside the app)."""
    request = HTTPXRequest(
        proxy=options.proxy,
        connect_timeout=options.timeout_s,
        read_timeout=options.timeout_s,
        write_timeout=options.timeout_s,
    )
    return Bot(
        options.token,
        base_url=f"{options.api_base}/bot",
        base_file_url=f"{options.api_base}/file/bot",
        request=request,
    )


class TelegramChannel:
    """The adapter the outbox worker sends through, and the receiver of Telegram's updates."""

    name = "telegram"
    supports_buttons = True
    supports_edit = True

    def __init__(
        self,
        options: TelegramOptions,
        core_of: Callable[[], Helpdesk],
        application: Application[Any, Any, Any, Any, Any, Any] | None = None,
    ) -> None:
        self.options = options
        self.application = application or build_application(options)
        self._core_of = core_of
        self._ready = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        # Parts of a reply already sent (outbox id → message refs), so that a retry after a failure
        # halfway (the text went, a document did not) does not send the text again.
        self._sent_parts: dict[int, list[str]] = {}
        self.application.add_handler(TypeHandler(Update, self._on_polled_update))
        self.application.add_error_handler(self._on_error)

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    @property
    def me(self) -> User:
        return self.application.bot.bot

    # Lifecycle

    async def start(self, first_retry_s: float = 2.0, max_retry_s: float = 60.0) -> None:
        """Reach Telegram (``getMe``), register the command lists and, polling, start the updater.

        Telegram unreachable (proxy down, no network) is tried again with backoff, so the rest of the
        bot runs meanwhile; a token Telegram refuses stops trying, with an error in the log."""
        delay = first_retry_s
        while True:
            try:
                await self.application.initialize()
                break
            except InvalidToken:
                log.error("Telegram refused the bot token: the Telegram channel is off until it is fixed")
                return
            except TelegramError as exc:
                log.warning("Telegram not reachable (%s); trying again in %.0f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(max_retry_s, delay * 2)
        await self._set_commands()
        await self.application.start()
        if self.options.mode == "polling":
            assert self.application.updater is not None
            # bootstrap_retries=-1: its deleteWebhook is tried until Telegram answers (we are in the background).
            await self.application.updater.start_polling(allowed_updates=list(ALLOWED_UPDATES), bootstrap_retries=-1)
        self._ready.set()
        log.info("Telegram: @%s ready (%s)", self.me.username, self.options.mode)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._ready.clear()
        try:
            if self.application.updater is not None and self.application.updater.running:
                await self.application.updater.stop()
            if self.application.running:
                await self.application.stop()
            await self.application.shutdown()
        except Exception:  # stopping half-started (Telegram never reached): nothing is lost
            log.warning("Telegram channel did not stop cleanly", exc_info=True)

    async def _set_commands(self) -> None:
        for language, commands in self.options.commands.items():
            listed = [BotCommand(name, description) for name, description in commands]
            try:
                await self.application.bot.set_my_commands(listed, language_code=language)
            except TelegramError as exc:
                log.warning("Telegram: could not set the %s command list: %s", language or "default", exc)

    # Incoming

    async def _on_polled_update(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        for attempt in range(STORE_ATTEMPTS):
            try:
                stored = await self.store(update)
                break
            except StoreUnavailable:
                await asyncio.sleep(0.5 * 2**attempt)
        else:
            log.error("Telegram update %s not stored: the store stayed busy", update.update_id)
            return
        if stored is not None:
            await self.finish(*stored)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("Telegram: handling update %r failed", update, exc_info=context.error)

    async def store(self, update: Update) -> tuple[Incoming, Receipt] | None:
        """Store what the update says (None when it is not for us, or can never be stored).

        Raises ``StoreUnavailable``: nothing was stored, the update must come again."""
        incoming = read_update(update, self.me)
        if incoming is None:
            if update.callback_query is not None:  # a press that is not for us is answered all the same
                await self._answer(update.callback_query.id, None)
            return None
        core = self._core_of()
        msg = InboundMessage(
            channel=self.name,
            sender=incoming.sender,
            chat=incoming.chat,
            message_id=str(incoming.update_id),
            text=incoming.text,
            received_at=core.clock.now(),
            attachments=await self._attachments(incoming, core),
            is_group=incoming.is_group,
        )
        try:
            return incoming, await core.accept(msg)
        except (InvalidMessage, MessageIdReused) as exc:
            log.warning("Telegram update %s refused: %s", incoming.update_id, exc)
            if incoming.callback_id is not None:
                await self._answer(incoming.callback_id, None)
            return None

    async def _attachments(self, incoming: Incoming, core: Helpdesk) -> tuple[Attachment, ...]:
        """The photo or document, downloaded and kept by the helpdesk. One larger than the helpdesk
        takes is not downloaded: it is passed with no ref, and the pipeline tells the sender.

        Raises ``StoreUnavailable`` when Telegram did not hand the file over (network, 5xx): nothing
        is stored, and the update comes again (webhook: 503; polling: tried again)."""
        wanted = incoming.file
        if wanted is None:
            return ()
        refused = (Attachment(wanted.kind, wanted.name, "", wanted.size or 0),)
        if wanted.size is not None and wanted.size > core.max_file_bytes:
            log.info("Telegram: a %d-byte file from %s not fetched (too large)", wanted.size, incoming.sender)
            return refused
        try:
            found = await self.application.bot.get_file(wanted.file_id)
            data = bytes(await found.download_as_bytearray())
        except BadRequest as exc:  # "file is too big": over the 20 MB a bot may download
            log.info("Telegram: file from %s not fetched: %s", incoming.sender, exc)
            return refused
        except TelegramError as exc:
            raise StoreUnavailable(f"Telegram did not hand over the file: {exc}") from exc
        try:
            ref = await core.store_file(wanted.name, data)
        except FileTooLarge:
            return (Attachment(wanted.kind, wanted.name, "", len(data)),)
        return (Attachment(wanted.kind, wanted.name, ref, len(data)),)

    async def finish(self, incoming: Incoming, receipt: Receipt) -> None:
        """Handle a stored update, then answer its callback query (a press) with a notice if refused."""
        core = self._core_of()
        await core.handle_stored(receipt)
        if incoming.callback_id is None:
            return
        await self._answer(incoming.callback_id, await core.press_notice(receipt.inbound_id))

    async def _answer(self, callback_id: str, notice: str | None) -> None:
        try:
            await self.application.bot.answer_callback_query(callback_id, text=notice)
        except TelegramError as exc:  # too late (a query lives about 15 s) or already answered
            log.info("Telegram: callback query %s not answered: %s", callback_id, exc)

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` after the webhook's answer; cancelled at stop (the store keeps the message)."""
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # Outgoing: what the outbox worker calls

    async def _wait_ready(self) -> None:
        """A moment's grace at start-up; then the outbox retries later rather than wait here."""
        try:
            await asyncio.wait_for(self._ready.wait(), timeout=1.0)
        except TimeoutError as exc:
            raise DeliveryError("Telegram is not reachable yet") from exc

    async def send(self, delivery: Delivery) -> str:
        """Send the reply (text with its keyboard, then its files as documents); the ref of the
        message carrying the keyboard (``"<chat>:<message>"``), which ``edit`` finds it by."""
        await self._wait_ready()
        chat_id = _chat_id(delivery.chat)
        reply = delivery.reply
        done = self._sent_parts.setdefault(delivery.outbox_id, [])
        parts = text_parts(reply.text)
        markup = keyboard(reply)
        bot = self.application.bot
        try:
            for index, part in enumerate(parts):
                if index < len(done):
                    continue
                last = index == len(parts) - 1
                sent = await bot.send_message(chat_id, part, reply_markup=markup if last else None)
                done.append(message_ref(chat_id, sent.message_id))
            for index, ref in enumerate(reply.files, start=len(parts)):
                if index < len(done):
                    continue
                path = Path(ref.path)
                if not await asyncio.to_thread(path.is_file):
                    raise PermanentDeliveryError(f"the file {ref.name!r} is not on disk at {ref.path}")
                caption = ref.name[:MAX_CAPTION]
                sent = await bot.send_document(chat_id, path, filename=ref.name, caption=caption)
                done.append(message_ref(chat_id, sent.message_id))
        except TelegramError as exc:
            error = delivery_error(exc, chat_id)
            if isinstance(error, PermanentDeliveryError):
                self._sent_parts.pop(delivery.outbox_id, None)
            raise error from exc
        except PermanentDeliveryError:
            self._sent_parts.pop(delivery.outbox_id, None)
            raise
        self._sent_parts.pop(delivery.outbox_id, None)
        return done[len(parts) - 1]

    async def edit(self, delivery: Delivery) -> None:
        """Replace the text and keyboard of the message ``delivery.edit_of`` in place (a page
        acknowledged: the buttons change or go). A message Telegram no longer has is sent anew."""
        await self._wait_ready()
        target = parse_message_ref(delivery.edit_of or "")
        if target is None:
            raise PermanentDeliveryError(f"not a Telegram message ref: {delivery.edit_of!r}")
        chat_id, message_id = target
        text = text_parts(delivery.reply.text)[0]
        try:
            await self.application.bot.edit_message_text(
                text, chat_id=chat_id, message_id=message_id, reply_markup=keyboard(delivery.reply)
            )
        except BadRequest as exc:
            reason = str(exc).lower()
            if "not modified" in reason:
                return  # the copy already says this
            if "message to edit not found" in reason or "can't be edited" in reason:
                log.warning("Telegram: message %s gone, sending its replacement anew", delivery.edit_of)
                await self.send(delivery)
                return
            raise delivery_error(exc, chat_id) from exc
        except TelegramError as exc:
            raise delivery_error(exc, chat_id) from exc


def _chat_id(chat: str) -> int:
    try:
        return int(chat)
    except ValueError as exc:
        raise PermanentDeliveryError(f"not a Telegram chat id: {chat!r}") from exc
