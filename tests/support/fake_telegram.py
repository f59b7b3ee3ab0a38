"""A local fake of the Telegram Bot API (aiohttp), answering as Telegram does, for the real
python-telegram-bot to talk to through ``base_url`` / ``base_file_url``.

- Requests are ``POST /bot<token>/<method>``, form-encoded (multipart with files), every non-string
  value JSON-encoded; answers are ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code",
  "description"[, "parameters": {"retry_after": N}]}`` with the HTTP status of the error.
- Objects have Telegram's shapes: a full ``User`` from ``getMe`` (``is_bot`` and the ``can_*``
  fields), dates in Unix seconds, ``chat_instance`` on callback queries, ``file_unique_id`` on files.
- Updates reach the bot by ``getUpdates`` (long polling, ``offset`` confirms) or, once ``setWebhook``
  was called, by POSTing them to the webhook with its secret header; ``getUpdates`` then answers 409
  as Telegram does.
- Failures are injected per method (``fail``): 429 with ``parameters.retry_after``, 500; and per chat
  (``block``): 403 "Forbidden: bot was blocked by the user".

It runs in a thread of its own, so a test may block (run the CLI, wait for a process) while the bot
talks to it. Everything a test reads is copied under a lock.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from tests.support.processes import free_port

TOKEN = "123456789:AAFakeTokenForTheLocalBotApi_xyzXYZ12"
BOT_ID = 123456789
BOT_USERNAME = "helpdesk_test_bot"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
JSON_FIELDS = {"reply_markup", "commands", "scope", "allowed_updates", "entities", "link_preview_options"}


@dataclass
class TgUser:
    """A Telegram account; its private chat with the bot has the same id."""

    id: int
    first_name: str
    language_code: str = "zh-hans"

    def json(self) -> dict[str, Any]:
        return {"id": self.id, "is_bot": False, "first_name": self.first_name, "language_code": self.language_code}

    def private_chat(self) -> dict[str, Any]:
        return {"id": self.id, "type": "private", "first_name": self.first_name}


@dataclass
class Sent:
    """A message the bot sent, as the fake keeps it (edits change it in place)."""

    chat_id: int
    message_id: int
    text: str
    buttons: list[tuple[str, str]]  # (title, callback_data)
    document: tuple[str, bytes] | None = None  # (file name, content)
    edits: int = 0

    def button(self, title_part: str) -> str:
        """The callback_data of the button whose title contains ``title_part``."""
        return next(data for title, data in self.buttons if title_part in title)


@dataclass
class _Failure:
    method: str
    status: int
    times: int
    retry_after: int | None
    chat_id: int | None


@dataclass
class FakeTelegram:
    token: str = TOKEN
    port: int = field(default_factory=free_port)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)
    callback_answers: list[dict[str, Any]] = field(default_factory=list)
    commands: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # language code ("" default) → list
    webhook_url: str = ""
    webhook_secret: str = ""
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # file_id → (file_path, content)
    blocked: set[int] = field(default_factory=set)
    failures: list[_Failure] = field(default_factory=list)
    _updates: list[dict[str, Any]] = field(default_factory=list)
    _confirmed: int = 0
    _update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(500_001))
    _message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _new_update: asyncio.Event | None = None
    _runner: web.AppRunner | None = None

    # Running

    @property
    def api_base(self) -> str:
        """What ``[telegram] api_base`` is set to: PTB adds ``/bot<token>`` and ``/file/bot<token>``."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeTelegram:
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._loop.run_until_complete(self._serve())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="fake-telegram", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the fake Telegram did not start")
        return self

    async def _serve(self) -> None:
        self._new_update = asyncio.Event()
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        self._runner = web.AppRunner(app, access_log=None)  # its URLs carry the token: not logged
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    def stop(self) -> None:
        if self._loop is None or self._runner is None:
            return
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    def _in_loop(self, fn: Callable[[], Any]) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(fn)

    # What the test does: people write, press, send files; failures

    def add_file(self, content: bytes, file_path: str) -> str:
        file_id = f"file-{len(self.files) + 1}-{abs(hash(file_path)) % 10**8}"
        with self._lock:
            self.files[file_id] = (file_path, content)
        return file_id

    def message_update(
        self,
        user: TgUser,
        text: str = "",
        *,
        chat: dict[str, Any] | None = None,
        reply_to: Sent | None = None,
        photo: tuple[str, int] | None = None,  # (file_id, size)
        document: tuple[str, str, int, str] | None = None,  # (file_id, name, size, mime type)
    ) -> dict[str, Any]:
        """An update with a message from ``user`` (in their private chat unless ``chat`` says otherwise),
        with Telegram's entities for commands and mentions."""
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "from": user.json(),
            "chat": chat or user.private_chat(),
            "date": int(time.time()),
        }
        key = "caption" if photo or document else "text"
        if text:
            message[key] = text
            entities = _entities(text)
            if entities:
                message["caption_entities" if key == "caption" else "entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = self._message_json(reply_to)
        if photo is not None:
            file_id, size = photo
            message["photo"] = [
                {
                    "file_id": f"{file_id}-small",
                    "file_unique_id": "small1",
                    "width": 90,
                    "height": 90,
                    "file_size": 900,
                },
                {"file_id": file_id, "file_unique_id": "big1", "width": 1280, "height": 960, "file_size": size},
            ]
        if document is not None:
            file_id, name, size, mime = document
            message["document"] = {
                "file_id": file_id,
                "file_unique_id": f"u{file_id[-6:]}",
                "file_name": name,
                "mime_type": mime,
                "file_size": size,
            }
        return {"update_id": next(self._update_ids), "message": message}

    def press_update(self, user: TgUser, sent: Sent, callback_data: str) -> dict[str, Any]:
        """An update with the callback query ``user`` makes by pressing a button of ``sent``."""
        query = {
            "id": str(next(self._update_ids) * 7),
            "from": user.json(),
            "message": self._message_json(sent),
            "chat_instance": str(-abs(sent.chat_id) * 31),
            "data": callback_data,
        }
        return {"update_id": next(self._update_ids), "callback_query": query}

    def _message_json(self, sent: Sent) -> dict[str, Any]:
        chat = {"id": sent.chat_id, "type": "private" if sent.chat_id > 0 else "supergroup"}
        if sent.chat_id < 0:
            chat["title"] = "值班群"
        message: dict[str, Any] = {
            "message_id": sent.message_id,
            "from": self.me(),
            "chat": chat,
            "date": int(time.time()),
            "text": sent.text,
        }
        if sent.buttons:
            message["reply_markup"] = {
                "inline_keyboard": [[{"text": title, "callback_data": data}] for title, data in sent.buttons]
            }
        return message

    def queue(self, update: dict[str, Any]) -> None:
        """Make an update waiting for ``getUpdates`` (polling)."""
        with self._lock:
            self._updates.append(update)
        self._in_loop(lambda: self._new_update.set() if self._new_update else None)

    async def deliver(self, update: dict[str, Any], secret: str | None = None) -> int:
        """POST an update to the webhook ``setWebhook`` named, as Telegram does; the HTTP status.
        ``secret`` overrides the one given to ``setWebhook`` (a forged call)."""
        assert self.webhook_url, "no webhook set"
        header = self.webhook_secret if secret is None else secret

        async def post() -> int:
            async with (
                aiohttp.ClientSession() as http,
                http.post(self.webhook_url, json=update, headers={SECRET_HEADER: header}) as resp,
            ):
                return resp.status

        assert self._loop is not None
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(post(), self._loop))

    def fail(
        self, method: str, status: int, times: int = 1, retry_after: int | None = None, chat_id: int | None = None
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (to ``chat_id``, if given) with an error."""
        with self._lock:
            self.failures.append(_Failure(method, status, times, retry_after, chat_id))

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: every send to their chat gets 403."""
        with self._lock:
            self.blocked.add(chat_id)

    # What the test reads

    def me(self) -> dict[str, Any]:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "IT 服务台",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def messages_to(self, chat_id: int) -> list[Sent]:
        with self._lock:
            return [s for s in self.sent if s.chat_id == chat_id]

    def calls_of(self, method: str) -> list[dict[str, Any]]:
        with self._lock:
            return [params for name, params in self.calls if name == method]

    async def wait_for(self, check: Callable[[], Any], timeout_s: float = 30.0, what: str = "") -> Any:
        """Poll ``check`` until it returns something truthy, without blocking the test's loop (the
        bot may run in it)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            found = check()
            if found:
                return found
            await asyncio.sleep(0.05)
        with self._lock:
            seen = [(s.chat_id, s.text[:80]) for s in self.sent]
        raise AssertionError(f"timed out waiting for {what or check}; sent so far: {seen}")

    async def wait_message(self, chat_id: int, contains: str, timeout_s: float = 30.0) -> Sent:
        return await self.wait_for(
            lambda: next((s for s in self.messages_to(chat_id) if contains in s.text), None),
            timeout_s,
            f"a message to {chat_id} containing {contains!r}",
        )

    # The Bot API

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        form = await request.post()
        params: dict[str, Any] = {}
        for name, value in form.items():
            if isinstance(value, web.FileField):
                params[name] = (value.filename, value.file.read())
            elif name in JSON_FIELDS:
                params[name] = json.loads(str(value))
            else:
                params[name] = str(value)
        with self._lock:
            self.calls.append((method, params))
            failure = self._failure_for(method, params)
        if failure is not None:
            return failure
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _error(404, "Not Found: method not found")
        result: web.Response = await handler(params)
        return result

    def _failure_for(self, method: str, params: dict[str, Any]) -> web.Response | None:
        chat = params.get("chat_id")
        for failure in self.failures:
            if failure.method == method and failure.times > 0 and failure.chat_id in (None, _int(chat)):
                failure.times -= 1
                if failure.status == 429:
                    after = failure.retry_after or 1
                    return _error(429, f"Too Many Requests: retry after {after}", {"retry_after": after})
                return _error(failure.status, "Internal Server Error")
        if chat is not None and _int(chat) in self.blocked and method.startswith(("send", "edit")):
            return _error(403, "Forbidden: bot was blocked by the user")
        return None

    async def _m_getMe(self, _p: dict[str, Any]) -> web.Response:
        return _ok(self.me())

    async def _m_getUpdates(self, p: dict[str, Any]) -> web.Response:
        if self.webhook_url:
            return _error(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook")
        offset = int(p.get("offset", 0) or 0)
        # Long polling, but answered empty within a second at most (Telegram may answer early too),
        # so that a bot stopping does not wait out a whole poll.
        deadline = time.monotonic() + min(1.0, float(p.get("timeout", 0) or 0))
        while True:
            with self._lock:
                if offset:
                    self._confirmed = max(self._confirmed, offset)
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]
                pending = list(self._updates[: int(p.get("limit", 100) or 100)])
            if pending or time.monotonic() >= deadline:
                return _ok(pending)
            assert self._new_update is not None
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), timeout=max(0.01, deadline - time.monotonic()))
            except TimeoutError:
                pass

    async def _m_setWebhook(self, p: dict[str, Any]) -> web.Response:
        with self._lock:
            self.webhook_url = p["url"]
            self.webhook_secret = p.get("secret_token", "")
        return _ok(True)

    async def _m_deleteWebhook(self, p: dict[str, Any]) -> web.Response:
        with self._lock:
            self.webhook_url = self.webhook_secret = ""
            if p.get("drop_pending_updates") in ("true", "True"):
                self._updates.clear()
        return _ok(True)

    async def _m_getWebhookInfo(self, _p: dict[str, Any]) -> web.Response:
        with self._lock:
            return _ok(
                {
                    "url": self.webhook_url,
                    "has_custom_certificate": False,
                    "pending_update_count": 0 if self.webhook_url else len(self._updates),
                    "max_connections": 40,
                    "allowed_updates": ["message", "callback_query"],
                }
            )

    async def _m_setMyCommands(self, p: dict[str, Any]) -> web.Response:
        with self._lock:
            self.commands[p.get("language_code", "")] = p["commands"]
        return _ok(True)

    async def _m_sendMessage(self, p: dict[str, Any]) -> web.Response:
        return self._store_sent(p, p["text"], None)

    async def _m_sendDocument(self, p: dict[str, Any]) -> web.Response:
        name, content = p["document"]
        return self._store_sent(p, p.get("caption", ""), (name, content))

    async def _m_sendPhoto(self, p: dict[str, Any]) -> web.Response:
        name, content = p["photo"]
        return self._store_sent(p, p.get("caption", ""), (name, content))

    def _store_sent(self, p: dict[str, Any], text: str, document: tuple[str, bytes] | None) -> web.Response:
        chat_id = int(p["chat_id"])
        buttons = _buttons(p.get("reply_markup"))
        with self._lock:
            sent = Sent(chat_id, next(self._message_ids), text, buttons, document)
            self.sent.append(sent)
            message = self._message_json(sent)
        if document is not None:
            message.pop("text")
            message["caption"] = text
            message["document"] = {
                "file_id": f"doc{sent.message_id}",
                "file_unique_id": f"d{sent.message_id}",
                "file_name": document[0],
                "file_size": len(document[1]),
            }
        return _ok(message)

    async def _m_editMessageText(self, p: dict[str, Any]) -> web.Response:
        chat_id, message_id = int(p["chat_id"]), int(p["message_id"])
        with self._lock:
            sent = next((s for s in self.sent if (s.chat_id, s.message_id) == (chat_id, message_id)), None)
            if sent is None:
                return _error(400, "Bad Request: message to edit not found")
            buttons = _buttons(p.get("reply_markup"))
            if sent.text == p["text"] and sent.buttons == buttons:
                return _error(
                    400,
                    "Bad Request: message is not modified: specified new message content and reply "
                    "markup are exactly the same as a current content and reply markup of the message",
                )
            # Without reply_markup the inline keyboard goes, as on Telegram.
            sent.text, sent.buttons, sent.edits = p["text"], buttons, sent.edits + 1
            message = self._message_json(sent)
        message["edit_date"] = int(time.time())
        return _ok(message)

    async def _m_editMessageReplyMarkup(self, p: dict[str, Any]) -> web.Response:
        chat_id, message_id = int(p["chat_id"]), int(p["message_id"])
        with self._lock:
            sent = next((s for s in self.sent if (s.chat_id, s.message_id) == (chat_id, message_id)), None)
            if sent is None:
                return _error(400, "Bad Request: message to edit not found")
            sent.buttons, sent.edits = _buttons(p.get("reply_markup")), sent.edits + 1
            return _ok(self._message_json(sent))

    async def _m_answerCallbackQuery(self, p: dict[str, Any]) -> web.Response:
        with self._lock:
            self.callback_answers.append(p)
        return _ok(True)

    async def _m_getFile(self, p: dict[str, Any]) -> web.Response:
        with self._lock:
            found = self.files.get(p["file_id"])
        if found is None:
            return _error(400, "Bad Request: invalid file_id")
        path, content = found
        return _ok(
            {
                "file_id": p["file_id"],
                "file_unique_id": f"u{p['file_id'][-6:]}",
                "file_size": len(content),
                "file_path": path,
            }
        )

    async def _file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        with self._lock:
            found = next((c for p, c in self.files.values() if p == request.match_info["path"]), None)
        if found is None:
            return web.Response(status=404)
        return web.Response(body=found)


def _entities(text: str) -> list[dict[str, Any]]:
    """Telegram's entities for a leading command and for @mentions (offsets in UTF-16 units)."""
    entities: list[dict[str, Any]] = []
    if text.startswith("/"):
        length = len(text.split()[0])
        entities.append({"type": "bot_command", "offset": 0, "length": _utf16(text[:length])})
    start = 0
    while (at := text.find("@", start)) != -1:
        end = at + 1
        while end < len(text) and (text[end].isalnum() or text[end] == "_") and text[end].isascii():
            end += 1
        if end - at > 1 and not (entities and entities[0]["type"] == "bot_command" and at < len(text.split()[0])):
            entities.append({"type": "mention", "offset": _utf16(text[:at]), "length": end - at})
        start = end
    return entities


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _buttons(markup: Any) -> list[tuple[str, str]]:
    if not markup:
        return []
    return [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", []) for b in row]


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(status: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)
