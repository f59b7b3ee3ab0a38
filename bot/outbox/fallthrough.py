"""When a channel says a person cannot be reached there (blocked the bot, left the app's visible
range), the message must not wait for a retry that cannot succeed.

The identity is marked unreachable (until the person writes from it again); the same message goes at
once to the person's next reachable identity (the web chat when they have none, shown when they open
it); and a page whose copy could not reach its engineer on any chat app escalates at once to the next
step of its chain rather than after the step's full wait.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

import storage
from bot.outbox.buttons import sign
from bot.outbox.dispatch import DEFAULT_PUSH_CHANNEL, route
from handlers.paging.escalation import STEP_TIMER, page_ref
from storage import paging as paging_store

log = logging.getLogger(__name__)

PAGE_KEY_PREFIX = "page:"


async def fall_through(
    session: AsyncSession, row: storage.OutboxMessage, now: datetime
) -> storage.OutboxMessage | None:
    """Handle an unreachable recipient of ``row`` (already marked failed). Returns the copy sent on
    the next identity, or None when the message was for a chat rather than a person's identity."""
    if row.recipient_id is None:
        return None
    marked = await storage.set_reachable(session, row.channel, row.chat_id, now)
    identity = await storage.identity_of(session, row.channel, row.chat_id)
    if identity is None or identity.person_id != row.recipient_id:
        return None  # a group chat, or an identity rebound meanwhile: nothing to fall through to
    if marked:
        log.warning(
            "%s user %s (%s) cannot be reached there; marked unreachable", row.channel, row.chat_id, row.recipient_id
        )
    channel, chat = await route(session, row.recipient_id)
    copy = await storage.enqueue(
        session,
        channel=channel,
        recipient_id=row.recipient_id,
        chat_id=chat,
        payload=row.payload,
        now=now,
        ticket_id=row.ticket_id,
        key=row.key,  # a later edit of this message now edits the copy
    )
    await sign(session, copy, now)
    if channel == DEFAULT_PUSH_CHANNEL and row.key and row.key.startswith(PAGE_KEY_PREFIX) and row.ticket_id:
        await _escalate_now(session, row.ticket_id, now)
    return copy


async def _escalate_now(session: AsyncSession, ticket_id: int, now: datetime) -> None:
    """The paged engineer is on no chat app the bot can reach: the page's next step is due now."""
    page = await paging_store.page_for_ticket(session, ticket_id)
    if page is None or page.status != "paging":
        return
    timer = await storage.hurry_next_timer(session, page_ref(page), STEP_TIMER, now)
    if timer is not None:
        log.warning("page %s: a paged engineer cannot be reached; its next step is due now", page.id)
