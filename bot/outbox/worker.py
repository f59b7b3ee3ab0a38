"""The outbox worker: sends what the dispatcher wrote, marks it sent, retries with backoff.

Rows are leased in one short transaction, sent outside any transaction, and marked in another, so a
slow channel never holds a database lock, and with several bot processes each row goes to one. An
edit (a row replacing an earlier message) is handed to the adapter with the channel's id of the
message it replaces. Answers returned in an HTTP response (the REST channel) are marked sent by
``take_answers`` instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy.ext.asyncio import AsyncSession

import storage
from bot.outbox.fallthrough import fall_through
from channels.base import (
    ChannelAdapter,
    DeliveryError,
    PermanentDeliveryError,
    RecipientUnavailable,
    RecipientUnreachable,
)
from config.settings import OutboxSettings
from core.clock import Clock
from core.messages import Delivery, Reply

log = logging.getLogger(__name__)

LEASE_S = 60.0


class OutboxWorker:
    def __init__(
        self,
        sessions: storage.SessionFactory,
        adapters: dict[str, ChannelAdapter],
        clock: Clock,
        settings: OutboxSettings,
    ) -> None:
        self._sessions = sessions
        self._adapters = adapters
        self._clock = clock
        self._settings = settings
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Something was enqueued: send now rather than at the next poll."""
        self._wake.set()

    async def recipient_online(self, channel: str, person_id: str) -> None:
        """A person opened a live connection: send what was waiting for them now."""
        async with self._sessions() as session, session.begin():
            count = await storage.retry_now(session, channel, person_id, self._clock.now())
        if count:
            self.wake()

    async def take_answers(self, inbound_id: int) -> list[tuple[int, Reply]]:
        """The answers to one message, marked sent: for channels that answer in the HTTP response."""
        async with self._sessions() as session, session.begin():
            rows = await storage.replies_to(session, inbound_id)
            now = self._clock.now()
            for row in rows:
                if row.status == "pending":
                    storage.mark_sent(row, now, None)
            return [(row.id, Reply.from_payload(row.payload)) for row in rows]

    async def run_once(self) -> int:
        """Send what is due. Returns the number of rows sent."""
        if not self._adapters:
            return 0
        async with self._sessions() as session, session.begin():
            rows = await storage.claim_outbox(session, self._clock.now(), list(self._adapters), LEASE_S)
            deliveries = [await self._delivery(session, row) for row in rows]
        sent = 0
        for delivery in deliveries:
            sent += await self._send_one(delivery)
        return sent

    async def run(self) -> None:
        """Loop until cancelled."""
        while True:
            self._wake.clear()
            try:
                await self.run_once()
            except Exception:
                log.exception("outbox pass failed; retrying at the next poll")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._settings.poll_interval_s)

    async def _delivery(self, session: AsyncSession, row: storage.OutboxMessage) -> Delivery:
        edit_of = None
        if row.replaces_id is not None:
            replaced = await storage.get_outbox(session, row.replaces_id)
            edit_of = replaced.channel_message_id if replaced else None
        return Delivery(
            outbox_id=row.id,
            channel=row.channel,
            recipient=row.recipient_id or "",
            chat=row.chat_id,
            reply=Reply.from_payload(row.payload),
            edit_of=edit_of,
        )

    async def _send_one(self, delivery: Delivery) -> int:
        adapter = self._adapters[delivery.channel]
        error: str | None = None
        permanent = False
        message_id: str | None = None
        unreachable = False
        try:
            if delivery.edit_of and adapter.supports_edit:
                await adapter.edit(delivery)
                message_id = delivery.edit_of
            else:
                message_id = await adapter.send(delivery)
        except RecipientUnreachable as exc:
            error, permanent, unreachable = f"{type(exc).__name__}: {exc}", True, True
            log.warning("outbox %s: %s cannot reach %s: %s", delivery.outbox_id, delivery.channel, delivery.chat, exc)
        except PermanentDeliveryError as exc:
            error, permanent = f"{type(exc).__name__}: {exc}", True
            log.error("outbox %s: %s gave up: %s", delivery.outbox_id, delivery.channel, exc)
        except RecipientUnavailable as exc:
            error = f"{type(exc).__name__}: {exc}"
        except (DeliveryError, Exception) as exc:
            error = f"{type(exc).__name__}: {exc}"
            log.warning("outbox %s: sending on %s failed", delivery.outbox_id, delivery.channel, exc_info=True)
        async with self._sessions() as session, session.begin():
            row = await storage.get_outbox(session, delivery.outbox_id)
            if row is None:
                return 0
            now = self._clock.now()
            if error is None:
                storage.mark_sent(row, now, message_id)
                return 1
            if permanent:
                storage.mark_failed(row, error)
                if unreachable and await fall_through(session, row, now) is not None:
                    self.wake()
            else:
                s = self._settings
                storage.mark_retry(row, now, error, s.first_retry_s, s.max_retry_s, s.max_attempts)
        return 0
