"""Our ``Reply`` as WeCom ``message/send`` bodies, and the id a sent message is remembered by.

A reply with buttons (a page, a how-to answer, a service record, a quote) becomes a ``template_card``
of ``card_type`` ``button_interaction``: its first line the title, the rest the text under it, at most
six buttons (more are listed as text lines under the card's text: WeCom shows no more). Each button's
``key`` is our signed payload as is; WeCom sends it back as the press's ``EventKey``. A card's text
longer than a card shows goes first as a message of its own. A reply without buttons is a ``text``
message, or ``markdown`` when it uses Markdown; text longer than WeCom takes is split at lines.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from core.messages import Button, Reply, printable

TEXT_LIMIT_BYTES = 2048  # text and markdown content
CARD_BUTTONS = 6
KEY_LIMIT_BYTES = 1024  # a button's key (the EventKey of its press)
TITLE_CHARS = 36
CARD_TEXT_CHARS = 160  # what a card's sub-title shows
BUTTON_TEXT_CHARS = 10
TASK_ID_CHARS = 128
CHANNEL_ID_CHARS = 128  # the store's column for the channel's message id

_MARKDOWN = re.compile(r"^#{1,6} |\*\*[^*\n]+\*\*|\[[^\]\n]+\]\([^)\s]+\)|^> ", re.M)
_TASK_ID = re.compile(r"^[0-9a-zA-Z_\-@]{1,128}$")


def task_id_for(outbox_id: int) -> str:
    """A card's task id: unique per application (WeCom refuses a repeated one), so besides the outbox
    row it names a random part: a new store's row 1 is not the old store's row 1."""
    return f"hd{outbox_id}_{secrets.token_hex(4)}"


def valid_task_id(task_id: str) -> bool:
    return bool(_TASK_ID.match(task_id))


@dataclass(frozen=True)
class SentRef:
    """What is kept of a sent message (in the outbox's channel message id): a card's task id and the
    response code that lets ``message/update_template_card`` replace it once (empty: not known)."""

    task_id: str = ""
    response_code: str = ""
    msgid: str = ""

    def encode(self) -> str:
        if self.task_id:
            full = f"card:{self.task_id}:{self.response_code}"
            return full if len(full) <= CHANNEL_ID_CHARS else f"card:{self.task_id}:"
        return f"msg:{self.msgid}"[:CHANNEL_ID_CHARS]

    @classmethod
    def decode(cls, value: str | None) -> SentRef:
        kind, _, rest = (value or "").partition(":")
        if kind == "card":
            task_id, _, code = rest.partition(":")
            return cls(task_id=task_id, response_code=code)
        return cls(msgid=rest if kind == "msg" else "")


def _cut(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


def split_text(text: str, limit: int = TEXT_LIMIT_BYTES) -> list[str]:
    """``text`` in pieces of at most ``limit`` UTF-8 bytes, cut at line ends where possible."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate.encode("utf-8")) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current)
        current = ""
        while len(line.encode("utf-8")) > limit:
            cut = limit // 3  # three bytes per CJK character: never cuts inside one
            while len(line[: cut + 1].encode("utf-8")) <= limit:
                cut += 1
            pieces.append(line[:cut])
            line = line[cut:]
        current = line
    if current or not pieces:
        pieces.append(current)
    return pieces


def text_messages(text: str) -> list[dict[str, Any]]:
    """The message bodies (without recipient) for plain text: ``text`` or ``markdown``."""
    text = printable(text).strip() or "…"
    kind = "markdown" if _MARKDOWN.search(text) else "text"
    return [{"msgtype": kind, kind: {"content": piece}} for piece in split_text(text)]


def _button(button: Button) -> dict[str, Any]:
    return {"text": _cut(printable(button.title), BUTTON_TEXT_CHARS), "style": 1, "key": button.payload}


def card_messages(reply: Reply, task_id: str) -> list[dict[str, Any]]:
    """The bodies for a reply with buttons: (a long text first, then) the button card."""
    text = printable(reply.text).strip() or "…"
    title, _, rest = text.partition("\n")
    rest = rest.strip()
    usable = [b for b in reply.buttons if len(b.payload.encode("utf-8")) <= KEY_LIMIT_BYTES]
    shown, listed = usable[:CARD_BUTTONS], usable[CARD_BUTTONS:]
    if listed:
        rest = "\n".join([rest, *(f"· {printable(b.title)}" for b in listed)]).strip()
    before: list[dict[str, Any]] = []
    if len(title) > TITLE_CHARS or len(rest) > CARD_TEXT_CHARS:
        before = text_messages(text if not listed else f"{text}\n{rest}")
        rest = ""
    card: dict[str, Any] = {
        "card_type": "button_interaction",
        "main_title": {"title": _cut(title, TITLE_CHARS)},
        "task_id": task_id,
        "button_list": [_button(b) for b in shown],
    }
    if rest:
        card["sub_title_text"] = rest
    return [*before, {"msgtype": "template_card", "template_card": card}]


def card_update(reply: Reply, task_id: str) -> dict[str, Any]:
    """The ``template_card`` of ``message/update_template_card`` that replaces a pressed card: the new
    text, and the new buttons, or none (greyed, showing the first line: who took it)."""
    [*_, card_body] = card_messages(reply, task_id)
    card: dict[str, Any] = dict(card_body["template_card"])
    text = printable(reply.text).strip() or "…"
    title, _, rest = text.partition("\n")
    card["main_title"] = {"title": _cut(title, TITLE_CHARS)}
    if rest.strip():
        card["sub_title_text"] = _cut(rest.strip(), CARD_TEXT_CHARS)
    if not card["button_list"]:
        # WeCom greys the buttons out and shows this instead.
        card["replace_text"] = _cut(title, BUTTON_TEXT_CHARS * 2)
        card["button_list"] = [{"text": _cut(title, BUTTON_TEXT_CHARS), "style": 4, "key": f"done-{task_id}"}]
    return card
