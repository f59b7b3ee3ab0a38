"""A Telegram update read as what it asks of us: who wrote, where, what, and which file came with it.

Pure translation, no I/O: ``read_update`` decides whether the bot is addressed at all (in a group only
when mentioned, replied to, or sent a command) and strips the ``@botname`` Telegram adds to commands
and mentions, so ``/mine@helpdesk_bot`` reaches the pipeline as ``/mine``. Downloading a file and
storing the message are the channel's work (``channels.telegram.channel``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import Chat, Message, MessageEntity, Update, User

from core.messages import MAX_TEXT_LENGTH, printable

GROUP_TYPES = frozenset({Chat.GROUP, Chat.SUPERGROUP})


@dataclass(frozen=True)
class WantedFile:
    """A photo or document the message carries, to fetch with ``getFile`` (size as Telegram says)."""

    file_id: str
    kind: str  # image | file
    name: str
    size: int | None


@dataclass(frozen=True)
class Incoming:
    """An update the bot is to handle: ``text`` is what the pipeline reads (a button's
    ``callback_data`` for a press); ``callback_id`` is the query to answer for a press."""

    update_id: int
    sender: str
    chat: str
    text: str
    is_group: bool
    file: WantedFile | None = None
    callback_id: str | None = None
    language: str | None = None  # the Telegram app's language, for nothing but the log


def read_update(update: Update, bot: User) -> Incoming | None:
    """What ``update`` asks of the bot, or None when it is not for us (a group message that does not
    address the bot, another bot's message, an edit, a sticker with no text)."""
    if update.callback_query is not None:
        query = update.callback_query
        if query.data is None or query.from_user.is_bot:
            return None
        chat = query.message.chat if query.message is not None else None
        return Incoming(
            update_id=update.update_id,
            sender=str(query.from_user.id),
            chat=str(chat.id if chat is not None else query.from_user.id),
            text=query.data,
            is_group=chat is not None and chat.type in GROUP_TYPES,
            callback_id=query.id,
            language=query.from_user.language_code,
        )
    message = update.message
    if message is None or message.from_user is None or message.from_user.is_bot:
        return None
    is_group = message.chat.type in GROUP_TYPES
    text, addressed = _addressed_text(message, bot)
    if is_group and not addressed:
        return None
    wanted = _wanted_file(message)
    if not text.strip() and wanted is None:
        return None
    return Incoming(
        update_id=update.update_id,
        sender=str(message.from_user.id),
        chat=str(message.chat.id),
        text=printable(text).strip()[:MAX_TEXT_LENGTH],
        is_group=is_group,
        file=wanted,
        language=message.from_user.language_code,
    )


def _addressed_text(message: Message, bot: User) -> tuple[str, bool]:
    """The text with the bot's @name taken out of commands and mentions, and whether the message
    addresses the bot: a command (to us or to every bot), a mention of us, or a reply to us."""
    text = message.text or message.caption or ""
    entities = message.parse_entities() if message.text else message.parse_caption_entities()
    name = (bot.username or "").lower()
    addressed = False
    command = re.match(r"^/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]+))?", text)
    if command is not None:
        target = (command.group(2) or "").lower()
        if target and target != name:
            return text, False  # a command for another bot in the same group
        addressed = True
        text = f"/{command.group(1)}{text[command.end() :]}"
    for entity, value in entities.items():
        mentions_us = (entity.type == MessageEntity.MENTION and value.lower() == f"@{name}" and name) or (
            entity.type == MessageEntity.TEXT_MENTION and entity.user is not None and entity.user.id == bot.id
        )
        if mentions_us:
            addressed = True
            if entity.type == MessageEntity.MENTION:
                text = text.replace(value, " ")
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
        addressed = True
    return re.sub(r"[ \t]{2,}", " ", text).strip(), addressed


def _wanted_file(message: Message) -> WantedFile | None:
    if message.photo:
        largest = message.photo[-1]  # Telegram lists the sizes smallest first
        return WantedFile(largest.file_id, "image", f"photo-{largest.file_unique_id}.jpg", largest.file_size)
    document = message.document
    if document is not None:
        kind = "image" if (document.mime_type or "").startswith("image/") else "file"
        name = document.file_name or f"file-{document.file_unique_id}"
        return WantedFile(document.file_id, kind, name, document.file_size)
    return None
