"""Our replies as Bot API arguments, and the Bot API's errors as the outbox's.

- A reply's buttons become one inline keyboard, one button a row (titles are whole sentences in
  Chinese); each button's ``callback_data`` is its signed payload, which is far under Telegram's
  64 bytes. A button whose payload is longer could not be sent at all: it is left out, with a log line.
- Text goes as plain text (no parse mode), so nothing in a ticket's text can break the markup;
  a text over Telegram's 4096 characters is sent in parts, the buttons on the last.
- The id of a sent message is ``"<chat id>:<message id>"``: an edit needs both.
- Errors: Telegram's "forbidden" (the user blocked the bot, or the account is gone) and "chat not
  found" for a private chat mean this person cannot be reached here (``RecipientUnreachable``); any
  other 400 will not get better by retrying (``PermanentDeliveryError``); flood limits (after the rate
  limiter's own retries), 5xx, network errors and timeouts are retried by the outbox (``DeliveryError``).
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, TelegramError

from channels.base import DeliveryError, PermanentDeliveryError, RecipientUnreachable
from core.messages import MAX_PAYLOAD_BYTES, Reply, printable

log = logging.getLogger(__name__)

MAX_TEXT = 4096  # characters of a message's text
MAX_CAPTION = 1024
EMPTY_TEXT = "…"  # Telegram refuses an empty message


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    rows = []
    for button in reply.buttons:
        if len(button.payload.encode("utf-8")) > MAX_PAYLOAD_BYTES:
            log.error("left out a button whose payload is over %d bytes: %r", MAX_PAYLOAD_BYTES, button.payload)
            continue
        rows.append([InlineKeyboardButton(printable(button.title), callback_data=button.payload)])
    return InlineKeyboardMarkup(rows) if rows else None


def text_parts(text: str) -> list[str]:
    """The text in parts Telegram accepts, split at line ends where it can be."""
    text = printable(text).strip() or EMPTY_TEXT
    parts: list[str] = []
    while len(text) > MAX_TEXT:
        cut = text.rfind("\n", 0, MAX_TEXT)
        cut = cut if cut > MAX_TEXT // 2 else MAX_TEXT
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    parts.append(text)
    return parts


def message_ref(chat_id: int | str, message_id: int) -> str:
    return f"{chat_id}:{message_id}"


def parse_message_ref(ref: str) -> tuple[int, int] | None:
    chat, _, message = ref.rpartition(":")
    try:
        return int(chat), int(message)
    except ValueError:
        return None


def is_private(chat_id: int) -> bool:
    """Private chats have the user's (positive) id; groups and channels negative ones."""
    return chat_id > 0


def delivery_error(exc: TelegramError, chat_id: int) -> DeliveryError:
    """The outbox's view of a Bot API error for a message to ``chat_id``."""
    reason = str(exc)
    if isinstance(exc, Forbidden):
        # The person blocked the bot or deleted their account; for a group, the bot was removed.
        return RecipientUnreachable(reason) if is_private(chat_id) else PermanentDeliveryError(reason)
    if isinstance(exc, BadRequest):
        if "chat not found" in reason.lower() and is_private(chat_id):
            return RecipientUnreachable(reason)
        return PermanentDeliveryError(reason)
    if isinstance(exc, ChatMigrated):
        return PermanentDeliveryError(f"the group is now the supergroup {exc.new_chat_id}: configure that id")
    if isinstance(exc, InvalidToken):
        return DeliveryError(f"Telegram refused the bot token: {reason}")
    return DeliveryError(f"{type(exc).__name__}: {reason}")  # RetryAfter, NetworkError, TimedOut
