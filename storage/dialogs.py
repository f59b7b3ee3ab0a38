"""Dialogs: what the bot waits for from a person on a channel, stored so a restart forgets nothing.

A person has at most one dialog per channel; starting another replaces it. An expired dialog is
treated as absent, so a question nobody answered does not swallow a message days later.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Dialog


async def start_dialog(
    session: AsyncSession,
    *,
    channel: str,
    person_id: str,
    state: str,
    ref: str,
    now: datetime,
    expires_at: datetime,
    data: dict[str, Any] | None = None,
) -> Dialog:
    """Wait for this person's next message on this channel; replaces any dialog they had there."""
    dialog = await session.scalar(select(Dialog).where(Dialog.channel == channel, Dialog.person_id == person_id))
    if dialog is None:
        dialog = Dialog(channel=channel, person_id=person_id)
        session.add(dialog)
    dialog.state, dialog.ref, dialog.data = state, ref, data or {}
    dialog.started_at, dialog.expires_at = now, expires_at
    await session.flush()
    return dialog


async def active_dialog(session: AsyncSession, channel: str, person_id: str, now: datetime) -> Dialog | None:
    """The dialog this person is in on this channel, or None (none, or it has expired)."""
    dialog = await session.scalar(select(Dialog).where(Dialog.channel == channel, Dialog.person_id == person_id))
    if dialog is None or dialog.expires_at <= now:
        return None
    return dialog


async def end_dialog(session: AsyncSession, channel: str, person_id: str) -> None:
    await session.execute(delete(Dialog).where(Dialog.channel == channel, Dialog.person_id == person_id))
