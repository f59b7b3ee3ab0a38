"""Invites: a single-use, expiring code that binds a chat user (a Telegram account) to a person.

The operator makes one with ``helpdesk people invite ID`` and hands it over (or a deep link that sends
``/start <code>``); the person's first message with it binds that chat user id to them. Only the
code's SHA-256 is stored. A forged, used or expired code gets one answer, so guessing learns nothing;
at 16 random URL-safe characters (96 bits) there is nothing to guess anyway.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

import storage

# Telegram's deep-link start parameter allows A-Z a-z 0-9 _ - and at most 64 characters.
_START = re.compile(r"^/start(?:@\w+)?\s+([A-Za-z0-9_-]{8,64})\s*$")


class InviteError(Exception):
    """The invite cannot be made (unknown or inactive person)."""


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def start_code(text: str) -> str | None:
    """The invite code in ``/start <code>`` (what a deep link sends), or None."""
    match = _START.match(text.strip())
    return match.group(1) if match else None


async def make_invite(session: AsyncSession, person_id: str, now: datetime, valid_for: timedelta) -> str:
    """A new code for the person (their earlier unused codes stop working). Shown once."""
    person = await storage.get_person(session, person_id)
    if person is None or not person.active:
        raise InviteError(f"unknown person {person_id!r}")
    code = secrets.token_urlsafe(12)
    await storage.add_invite(session, person_id, _hash(code), now, now + valid_for)
    return code


async def redeem(
    session: AsyncSession, channel: str, channel_user_id: str, code: str, now: datetime
) -> storage.Person | None:
    """Bind the chat user to the invite's person and use the invite up; None when the code is no good."""
    invite = await storage.invite_by_hash(session, _hash(code))
    if invite is None or invite.used_at is not None or invite.expires_at <= now:
        return None
    person = await storage.get_person(session, invite.person_id)
    if person is None or not person.active:
        return None
    invite.used_at, invite.used_by = now, f"{channel}:{channel_user_id}"[:160]
    await storage.bind_identity(session, person.id, channel, channel_user_id)
    return person
