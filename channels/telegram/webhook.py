"""The webhook Telegram posts updates to, in our own aiohttp server (``/webhooks/telegram``).

Each call must carry the secret given to ``setWebhook`` in ``X-Telegram-Bot-Api-Secret-Token``; a
call without it is refused with 403 and nothing is stored. A good call is stored, answered 200 at
once (Telegram waits for the answer before it sends the next update) and handled afterwards. A
store that cannot take it answers 503, and Telegram sends the update again.
"""

from __future__ import annotations

import hmac
import json
import logging

from aiohttp import web
from telegram import Update

from channels.telegram.channel import TelegramChannel
from core.errors import StoreUnavailable

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def setup_telegram_webhook(app: web.Application, channel: TelegramChannel) -> None:
    async def webhook(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not channel.options.secret or not hmac.compare_digest(given.encode(), channel.options.secret.encode()):
            log.warning("Telegram webhook: refused a call with a wrong or missing secret from %s", request.remote)
            return web.json_response({"error": "forbidden"}, status=403)
        if not channel.ready:
            return web.json_response({"error": "starting up"}, status=503)
        update = await _update(request, channel)
        if update is None:
            log.warning("Telegram webhook: a body that is no update from %s", request.remote)
            return web.json_response({"error": "not a Telegram update"}, status=400)
        try:
            stored = await channel.store(update)
        except StoreUnavailable:
            return web.json_response({"error": "busy", "retry": True}, status=503)
        if stored is not None:
            channel.spawn(channel.finish(*stored))
        return web.json_response({"ok": True})

    app.router.add_post(WEBHOOK_PATH, webhook)


async def _update(request: web.Request, channel: TelegramChannel) -> Update | None:
    try:
        data = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        return None
    try:
        return Update.de_json(data, channel.application.bot)
    except (TypeError, KeyError, ValueError, AttributeError):
        return None
