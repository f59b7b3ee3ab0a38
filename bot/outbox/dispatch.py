"""The one dispatcher: a handler's ``Outgoing`` list becomes outbox rows, in the handler's transaction.

The pipeline, the timer worker and the retriage worker hand it what their handlers returned; nothing
else writes the outbox. For each reply it decides to whom, on which channel and in which chat:

- ``to`` None answers the message being handled, in the chat it came from (the row is marked as
  its answer, which is what the REST channel returns in its response);
- ``to`` a person pushes to them on their first chat identity (the web chat when they have none);
- ``replaces_key`` goes where the message remembered under that key went, as an edit of it.

When a group chat for pages is configured (the engineers' WeCom group), each call that writes page
messages of a ticket (keys ``page:…``: the page, an escalation step, who acknowledged it) also
writes one plain copy of the first of them to that group.

A reply's ``key`` is stored on its row, so a later reply can name it. A key names the newest message
written under it; replacing an edit replaces the message it edited. A key that names nothing sent
(a typo, or a message from before keys existed) sends the reply anew to ``to``, as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

import storage
from bot.outbox.buttons import sign
from core.messages import Action, Outgoing, Reply

# Where a person with no chat identity is reached: the web chat (shown when they open it).
DEFAULT_PUSH_CHANNEL = "web"
PAGE_KEY_PREFIX = "page:"

_page_group: tuple[str, str] | None = None  # (channel, chat) that pages are copied to


def configure_page_group(channel: str | None, chat: str | None) -> None:
    """Copy pages to this group chat (start-up: the engineers' WeCom group); None: to no group."""
    global _page_group
    _page_group = (channel, chat) if channel and chat else None


@dataclass(frozen=True)
class DutyGroup:
    """The engineers' duty group chat (on Telegram): it gets a copy of every page as well as the
    engineers themselves, and the copy is edited with theirs (acknowledged, resolved)."""

    channel: str
    chat: str


_duty_group: DutyGroup | None = None


def configure_duty_group(group: DutyGroup | None) -> None:
    """Set at start-up from the settings (``[telegram] duty_chat``); None: no duty group."""
    global _duty_group
    _duty_group = group


async def dispatch(
    session: AsyncSession,
    outgoing: Iterable[Outgoing],
    now: datetime,
    reply_to: storage.InboundMessage | None = None,
) -> list[storage.OutboxMessage]:
    """Write the replies to the outbox in order; ``reply_to`` is the message being answered (None
    for a timer's or a worker's messages, which all name their recipient)."""
    # Two kinds of group get pages too: Telegram's duty group (one copy with the page's buttons,
    # edited with the engineers' copies) and WeCom's engineers' group (appchat: plain copies only).
    outgoing = list(outgoing)
    rows: list[storage.OutboxMessage] = []
    copied: set[str] = set()  # duty-group copies written in this call: one per ticket, however many engineers
    for out in outgoing:
        rows.append(await _write(session, out, now, reply_to))
        await _copy_to_duty_group(session, out, now, copied)
    if _page_group is not None:
        rows += await _group_copies(session, outgoing, now, *_page_group)
    return rows


async def _group_copies(
    session: AsyncSession, outgoing: list[Outgoing], now: datetime, channel: str, chat: str
) -> list[storage.OutboxMessage]:
    """One plain copy per ticket of this call's page messages, to the group (no buttons: a button
    is bound to the person it was sent to)."""
    copies: list[storage.OutboxMessage] = []
    done: set[int] = set()
    for out in outgoing:
        key = out.key or out.replaces_key or ""
        if not key.startswith(PAGE_KEY_PREFIX) or out.ticket_id is None or out.ticket_id in done:
            continue
        done.add(out.ticket_id)
        copies.append(
            await storage.enqueue(
                session,
                channel=channel,
                recipient_id=None,
                chat_id=chat,
                payload=Reply(out.reply.text).to_payload(),
                now=now,
                ticket_id=out.ticket_id,
            )
        )
    return copies


async def route(session: AsyncSession, person_id: str) -> tuple[str, str]:
    """Where to push a message to someone who did not just write: their first chat identity that
    the bot can reach (one that blocked the bot is skipped until the person writes from it again)."""
    for identity in await storage.identities_of(session, person_id):
        if identity.unreachable_at is None:
            return identity.channel, identity.channel_user_id
    return DEFAULT_PUSH_CHANNEL, person_id


async def _write(
    session: AsyncSession, out: Outgoing, now: datetime, reply_to: storage.InboundMessage | None
) -> storage.OutboxMessage:
    replaced = await _replaced(session, out.replaces_key) if out.replaces_key is not None else None
    if replaced is not None:
        channel, chat, recipient = replaced.channel, replaced.chat_id, replaced.recipient_id
    elif out.to is None:
        if reply_to is None:
            raise ValueError("an answer needs the message it answers")
        channel, chat, recipient = reply_to.channel, reply_to.chat_id, reply_to.sender_id
    else:
        channel, chat = await route(session, out.to)
        recipient = out.to
    return await _enqueue_signed(
        session,
        out,
        now,
        channel=channel,
        recipient_id=recipient,
        chat_id=chat,
        in_reply_to=reply_to.id if reply_to is not None and out.to is None else None,
        replaces_id=replaced.id if replaced is not None else None,
        key=out.key,
    )


async def _enqueue_signed(
    session: AsyncSession,
    out: Outgoing,
    now: datetime,
    *,
    channel: str,
    recipient_id: str | None,
    chat_id: str,
    in_reply_to: int | None = None,
    replaces_id: int | None = None,
    key: str | None = None,
) -> storage.OutboxMessage:
    """One outbox row for ``out``'s reply, signed: its buttons now name this row and its recipient."""
    row = await storage.enqueue(
        session,
        channel=channel,
        recipient_id=recipient_id,
        chat_id=chat_id,
        payload=out.reply.to_payload(),
        now=now,
        in_reply_to=in_reply_to,
        ticket_id=out.ticket_id,
        replaces_id=replaces_id,
        key=key,
    )
    await sign(session, row, now)
    return row


async def _replaced(session: AsyncSession, key: str) -> storage.OutboxMessage | None:
    """The sent message a reply replacing ``key`` edits: the one remembered under the key, or the
    message that one itself edits."""
    row = await storage.outbox_by_key(session, key)
    if row is not None and row.replaces_id is not None:
        return await storage.get_outbox(session, row.replaces_id)
    return row


def _page_number(key: str | None) -> str | None:
    """The ticket number of a page message's key (``page:1042:eng.chen`` → ``1042``)."""
    if key is None or not key.startswith("page:"):
        return None
    return key.split(":")[1]


async def _copy_to_duty_group(session: AsyncSession, out: Outgoing, now: datetime, copied: set[str]) -> None:
    """The duty group's copy of a page (the message with the acknowledge button), written once per
    ticket, and its edit when an engineer's copy of the page is replaced. The copy is bound to the
    engineer it copies: pressing its buttons counts for anyone on the page's chain, as on their own."""
    group = _duty_group
    number = _page_number(out.key) or _page_number(out.replaces_key)
    if group is None or number is None or number in copied:
        return
    key = f"duty:{number}"
    if out.key is not None:
        if not any(b.action is Action.ACKNOWLEDGE for b in out.reply.buttons):
            return  # a notice to the service manager, not the page
        if await storage.outbox_by_key(session, key) is not None:
            return  # a later step of the same page: the group has it already
        channel, recipient, chat, replaces_id = group.channel, out.to, group.chat, None
        copy_key: str | None = key
    else:
        page = await storage.outbox_by_key(session, out.replaces_key or "")
        target = await storage.outbox_by_key(session, key)
        if page is None or target is None:
            return
        if not any(b.action is Action.ACKNOWLEDGE for b in Reply.from_payload(page.payload).buttons):
            return  # the edit of a notice, not of the page
        channel, recipient, chat, replaces_id = target.channel, target.recipient_id, target.chat_id, target.id
        copy_key = None
    await _enqueue_signed(
        session, out, now, channel=channel, recipient_id=recipient, chat_id=chat, replaces_id=replaces_id, key=copy_key
    )
    copied.add(number)
