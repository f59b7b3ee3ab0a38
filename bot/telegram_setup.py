"""Wiring of the Telegram channel: its options from the settings, its command lists from the
catalogs (the adapter cannot read them), its webhook route and its place in the app's lifecycle."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable

from aiohttp import web

from channels.telegram import TelegramChannel, TelegramOptions, setup_telegram_webhook
from config.settings import Settings, TelegramSettings
from core.ports import Helpdesk
from i18n import say

log = logging.getLogger(__name__)

# The commands Telegram's menu offers, in order: everyone's first, then engineers' and managers'.
# Each works as typed in any channel (handlers.tickets.commands, handlers.dialogs).
MENU_COMMANDS = (
    "start",
    "help",
    "my",
    "ticket",
    "oncall",
    "article",
    "cancel",
    "take",
    "ack",
    "release",
    "resolve",
    "note",
    "escalate",
    "assign",
    "swap",
    "leave",
)
# Telegram's language code → ours; None is the list for every other language.
MENU_LANGUAGES: dict[str | None, str] = {"zh": "zh", None: "en"}


def command_lists() -> dict[str | None, list[tuple[str, str]]]:
    """The ``setMyCommands`` lists: Chinese for Telegram apps set to Chinese, English for the rest."""
    return {
        code: [(name, say(lang, f"telegram_command_{name}")) for name in MENU_COMMANDS]
        for code, lang in MENU_LANGUAGES.items()
    }


def telegram_options(settings: TelegramSettings) -> TelegramOptions:
    assert settings.token is not None
    return TelegramOptions(
        token=settings.token.get_secret_value(),
        mode=settings.mode,
        secret=settings.secret.get_secret_value() if settings.secret else "",
        api_base=settings.api_base,
        proxy=settings.proxy,
        max_retries=settings.max_retries,
        commands=command_lists(),
    )


def telegram_channel(settings: Settings, core_of: Callable[[], Helpdesk]) -> TelegramChannel | None:
    """The channel when a token is configured, else None (Telegram off)."""
    if not settings.telegram.enabled:
        return None
    # httpx logs every request's URL at INFO, and a Bot API URL carries the bot's token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return TelegramChannel(telegram_options(settings.telegram), core_of)


def install(app: web.Application, channel: TelegramChannel) -> None:
    """The webhook route (webhook mode) and the channel's start and stop, after the core's."""
    if channel.options.mode == "webhook":
        setup_telegram_webhook(app, channel)

    async def lifecycle(_app: web.Application) -> AsyncIterator[None]:
        # Started in the background: the web chat and the workers run while Telegram is unreachable.
        starting = asyncio.create_task(_start(channel), name="telegram-start")
        yield
        starting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await starting
        await channel.stop()

    app.cleanup_ctx.append(lifecycle)


async def _start(channel: TelegramChannel) -> None:
    try:
        await channel.start()
    except Exception:
        log.exception("the Telegram channel could not start; the rest of the bot runs without it")
