"""``helpdesk telegram set-webhook URL`` / ``delete-webhook`` / ``status``: the bot's registration with
Telegram, with the token, address and proxy of the settings. ``deep_link`` is the t.me link that sends
``/start <code>`` for ``helpdesk people invite``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from telegram import Bot
from telegram.error import TelegramError

from bot.telegram_setup import telegram_options
from channels.telegram import ALLOWED_UPDATES, WEBHOOK_PATH, make_bot
from config.settings import Settings, load_settings


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(Path(args.config) if args.config else None, env=os.environ)


def _with_bot(settings: Settings, work: Callable[[Bot], Awaitable[int]]) -> int:
    if not settings.telegram.enabled:
        print("helpdesk: no Telegram bot token: set HELPDESK_TELEGRAM_TOKEN (or [telegram] token)", file=sys.stderr)
        return 2

    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines carry the URL, and so the token

    async def main() -> int:
        bot = make_bot(telegram_options(settings.telegram))
        try:
            async with bot:
                return await work(bot)
        except TelegramError as exc:
            print(f"helpdesk: Telegram answered: {exc}", file=sys.stderr)
            return 1

    return asyncio.run(main())


def cmd_set_webhook(args: argparse.Namespace) -> int:
    settings = _settings(args)
    secret = settings.telegram.secret
    if secret is None:
        print("helpdesk: set HELPDESK_TELEGRAM_SECRET first: the bot refuses webhook calls without it", file=sys.stderr)
        return 2
    url = args.url.rstrip("/")
    if not url.endswith(WEBHOOK_PATH):
        url += WEBHOOK_PATH
    if not url.startswith("https://") and not args.insecure:
        print("helpdesk: Telegram calls only https:// webhooks (--insecure: a local Bot API)", file=sys.stderr)
        return 2

    async def work(bot: Bot) -> int:
        await bot.set_webhook(url, secret_token=secret.get_secret_value(), allowed_updates=list(ALLOWED_UPDATES))
        print(f"webhook set: Telegram now posts updates to {url}")
        if settings.telegram.mode != "webhook":
            print("note: [telegram] mode is polling; set HELPDESK_TELEGRAM_MODE=webhook and restart the bot")
        return 0

    return _with_bot(settings, work)


def cmd_delete_webhook(args: argparse.Namespace) -> int:
    settings = _settings(args)

    async def work(bot: Bot) -> int:
        await bot.delete_webhook(drop_pending_updates=args.drop_pending)
        print("webhook deleted: the bot can poll for updates ([telegram] mode = polling)")
        return 0

    return _with_bot(settings, work)


def cmd_status(args: argparse.Namespace) -> int:
    settings = _settings(args)

    async def work(bot: Bot) -> int:
        me = await bot.get_me()
        info = await bot.get_webhook_info()
        print(f"bot: @{me.username} (id {me.id}), configured mode: {settings.telegram.mode}")
        print(f"webhook: {info.url or '(none: polling)'}   pending updates: {info.pending_update_count}")
        if info.last_error_message:
            print(f"last webhook error: {info.last_error_message} at {info.last_error_date}")
        if settings.telegram.duty_chat is not None:
            print(f"duty group chat: {settings.telegram.duty_chat}")
        return 0

    return _with_bot(settings, work)


async def deep_link(settings: Settings, code: str) -> str | None:
    """``https://t.me/<bot>?start=<code>``: the bot's username from the settings, else from Telegram;
    None when there is no Telegram bot or Telegram cannot be asked."""
    if not settings.telegram.enabled:
        return None
    username = settings.telegram.username
    if not username:
        try:
            async with make_bot(telegram_options(settings.telegram)) as bot:
                username = bot.username
        except TelegramError:
            return None
    return f"https://t.me/{username.lstrip('@')}?start={code}"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    telegram = sub.add_parser("telegram", help="the Telegram bot's webhook").add_subparsers(
        dest="telegram_command", required=True
    )
    set_hook = telegram.add_parser("set-webhook", help="have Telegram post updates to URL (/webhooks/telegram)")
    set_hook.add_argument("url", help="the bot's public https:// address (the path is added if missing)")
    set_hook.add_argument("--insecure", action="store_true", help="allow http:// (a local Bot API server)")
    set_hook.set_defaults(func=cmd_set_webhook)
    delete = telegram.add_parser("delete-webhook", help="stop the webhook (for polling)")
    delete.add_argument("--drop-pending", action="store_true", help="also drop the updates Telegram holds")
    delete.set_defaults(func=cmd_delete_webhook)
    telegram.add_parser("status", help="the bot's name, its webhook and pending updates").set_defaults(func=cmd_status)
