"""Buttons are looked up, not trusted: the signed payload the outbox gives each button, and the check
of a press against the sent message it names.

A button's payload names the outbox row it was sent in and its place there, and carries an HMAC-SHA256 (truncated to 10
bytes, base64url: 14 characters) over (action, ref, that row's id, its recipient's person id). The
key is ``HELPDESK_BUTTON_KEY`` when set (``[handling] button_key``), else one generated once and kept
in the store's ``secrets`` table, so every bot process and a restart agree on it.

``check_press`` tells the pipeline what a text claiming to be a press is:

- ``None``: not a press at all (no valid MAC, or a sent message that does not exist) — ordinary text;
- ``PressCheck(press, allowed=False)``: a genuine button, pressed by someone it was not sent to (nor,
  for a page's buttons, anyone on that page's chain) — refused as a stale button, revealing nothing;
- ``PressCheck(press, allowed=True)``: a press to hand to the action's handler, which still asks
  the permissions table.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

import storage
from core.messages import Action, Button, ButtonPress, Reply
from storage import auth as auth_store

BUTTON_KEY_SECRET = "button_key"
MAC_BYTES = 10
# Buttons of a page: any engineer who was sent a copy of the page may press them on any copy.
PAGE_ACTIONS = frozenset({Action.ACKNOWLEDGE, Action.TAKE, Action.ESCALATE, Action.RESOLVE, Action.LOWER})

_configured: bytes | None = None


def configure_key(value: str | None) -> None:
    """Use ``value`` (from the settings) as the button key; None uses the one kept in the store."""
    global _configured
    _configured = value.encode("utf-8") if value else None


def _new_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


async def button_key(session: AsyncSession, now: datetime) -> bytes:
    if _configured is not None:
        return _configured
    return (await auth_store.secret(session, BUTTON_KEY_SECRET, _new_key, now)).encode("ascii")


def mac(key: bytes, action: Action, ref: str, sent_id: int, recipient_id: str) -> str:
    message = "\x1f".join((action.value, ref, str(sent_id), recipient_id)).encode("utf-8")
    digest = hmac.new(key, message, hashlib.sha256).digest()[:MAC_BYTES]
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


async def sign(session: AsyncSession, row: storage.OutboxMessage, now: datetime) -> None:
    """Give the buttons of a freshly written outbox row their signed payloads (bound to the row)."""
    reply = Reply.from_payload(row.payload)
    if not reply.buttons:
        return
    key = await button_key(session, now)
    signed = tuple(
        Button(
            b.title,
            b.action,
            b.ref,
            b.signed_payload(row.id, index, mac(key, b.action, b.ref, row.id, row.recipient_id or "")),
        )
        for index, b in enumerate(reply.buttons)
    )
    row.payload = Reply(reply.text, signed, reply.files).to_payload()


@dataclass(frozen=True)
class PressCheck:
    press: ButtonPress
    allowed: bool


async def check_press(session: AsyncSession, press: ButtonPress, presser_id: str, now: datetime) -> PressCheck | None:
    if press.sent is None or not press.mac:
        return None
    row = await storage.get_outbox(session, press.sent)
    buttons = Reply.from_payload(row.payload).buttons if row is not None else ()
    if row is None or press.index >= len(buttons) or buttons[press.index].action is not press.action:
        return None
    press = replace(press, ref=buttons[press.index].ref)  # from our record of the sent message
    expected = mac(await button_key(session, now), press.action, press.ref, row.id, row.recipient_id or "")
    if not hmac.compare_digest(expected, press.mac):
        return None
    if row.recipient_id == presser_id:
        return PressCheck(press, True)
    if press.action in PAGE_ACTIONS and row.ticket_id is not None:
        return PressCheck(press, await _sent_a_copy(session, row.ticket_id, press, presser_id))
    return PressCheck(press, False)


async def _sent_a_copy(session: AsyncSession, ticket_id: int, press: ButtonPress, person_id: str) -> bool:
    """Whether ``person_id`` was sent a message of this ticket carrying the same page button."""
    rows = await storage.ticket_outbox_for(session, ticket_id, person_id)
    return any(
        b.action is press.action and b.ref == press.ref for row in rows for b in Reply.from_payload(row.payload).buttons
    )
