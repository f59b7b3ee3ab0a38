"""The Telegram channel (python-telegram-bot 22): updates in by webhook or long polling, replies out
through the outbox. Translation only; see ``channel``, ``inbound``, ``outbound`` and ``webhook``."""

from channels.telegram.channel import ALLOWED_UPDATES, TelegramChannel, TelegramOptions, make_bot
from channels.telegram.webhook import SECRET_HEADER, WEBHOOK_PATH, setup_telegram_webhook

__all__ = [
    "ALLOWED_UPDATES",
    "SECRET_HEADER",
    "WEBHOOK_PATH",
    "TelegramChannel",
    "TelegramOptions",
    "make_bot",
    "setup_telegram_webhook",
]
