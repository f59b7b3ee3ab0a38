"""A person's conversation as the web chat shows it on load: a greeting, what they said and what
they were sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

import storage
from core.messages import PAYLOAD_PREFIX, SIGNED_PREFIX, ButtonPress, Reply, parse_payload
from core.ports import Greeting, HistoryItem
from i18n import say

# How far back the sent messages are searched for the button a press came from.
_BUTTON_SEARCH_ROWS = 1000

_EXAMPLE_KEYS = ("web_example_fault", "web_example_howto", "web_example_tickets")


async def greeting(session: AsyncSession, person_id: str) -> Greeting | None:
    """The greeting in the person's language; None for someone not in the directory."""
    person = await storage.get_person(session, person_id)
    if person is None:
        return None
    lang = person.language or "zh"
    return Greeting(say(lang, "web_greeting", name=person.name), tuple(say(lang, key) for key in _EXAMPLE_KEYS))


async def conversation_items(session: AsyncSession, person_id: str, limit: int = 100) -> list[HistoryItem]:
    """Oldest first; a sent message edited in place shows its newest edit, and a button the person
    pressed shows as the title they saw on it, never as its payload (``/v2.ack 1042 57.<mac>``)."""
    rows = await storage.conversation(session, person_id, limit)
    presses = {
        row.id: (parse_payload(row.text), row.received_at)
        for row in rows
        if isinstance(row, storage.InboundMessage) and row.text.startswith((PAYLOAD_PREFIX, SIGNED_PREFIX))
    }
    texts = {row.id: row.text for row in rows if isinstance(row, storage.InboundMessage) and row.id in presses}
    titles = await _pressed_titles(session, person_id, presses, texts) if presses else {}
    out: list[HistoryItem] = []
    for item in rows:
        if isinstance(item, storage.InboundMessage):
            out.append(HistoryItem(f"i{item.id}", True, Reply(titles.get(item.id, item.text)), item.received_at))
        else:
            out.append(HistoryItem(f"o{item.id}", False, Reply.from_payload(item.payload), item.created_at))
    return out


async def _pressed_titles(
    session: AsyncSession,
    person_id: str,
    presses: dict[int, tuple[ButtonPress | None, datetime]],
    texts: dict[int, str],
) -> dict[int, str]:
    """For each pressed inbound id, the title of the newest matching button sent to the person
    before the press (any earlier one if the clocks disagree), or a readable fallback."""
    # Edits are separate rows here: a page edited after its acknowledgement lost the button pressed.
    sent = sorted(await storage.outbox_for(session, person_id, _BUTTON_SEARCH_ROWS), key=lambda row: row.id)
    buttons = [
        (row.created_at, (str(b.get("action")), str(b.get("ref", ""))), str(b.get("title")))
        for row in sent
        for b in row.payload.get("buttons", [])
    ]
    person = await storage.get_person(session, person_id)
    fallback = say(person.language if person else "zh", "pressed_button")
    titles: dict[int, str] = {}
    signed = {
        str(b["payload"]): str(b.get("title"))
        for row in sent
        for b in row.payload.get("buttons", [])
        if b.get("payload")
    }
    for inbound_id, (press, at) in presses.items():
        if press is not None and press.sent is not None:  # a signed press names its button exactly
            titles[inbound_id] = signed.get(texts[inbound_id], fallback)
            continue
        key = (press.action.value, press.ref) if press is not None else None
        matching = [(sent_at, title) for sent_at, action_ref, title in buttons if action_ref == key]
        before = [title for sent_at, title in matching if sent_at <= at]
        titles[inbound_id] = (before or [title for _, title in matching] or [fallback])[-1]
    return titles
