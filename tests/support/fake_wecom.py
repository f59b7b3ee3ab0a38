"""A local fake of the WeCom server API, answering with WeCom's JSON and errcodes.

It runs its own event loop in a thread, so a test may drive the bot in-process (aiohttp's test
client) or as a ``helpdesk run`` child process, and block or await while the fake answers. What the
bot sent is kept for the test to read; errors are injected per path (``fail_next``), a token expired
(``expire_tokens``: 42001), a user put outside the visible range (``unreachable``: 81013), or a wrong
secret configured (40001 from gettoken).

Also the callback side: ``callback()`` encrypts and signs a message as WeCom does, with wechatpy's
real ``WeChatCrypto``.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import os
import secrets
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from wechatpy.enterprise.crypto import WeChatCrypto

CORP_ID = "wwfakecorp0001"
AGENT_ID = 1000002
SECRET = "fake-app-secret"
TOKEN = "fakeCallbackToken"
AES_KEY = base64.b64encode(b"0123456789abcdef0123456789abcdef").decode().rstrip("=")  # 43 characters


@dataclass
class Department:
    id: int
    name: str
    parentid: int = 0


@dataclass
class FakeWecom:
    corp_id: str = CORP_ID
    secret: str = SECRET
    departments: list[Department] = field(default_factory=list)
    users: list[dict[str, Any]] = field(default_factory=list)
    unreachable: set[str] = field(default_factory=set)
    # What the bot did, in order.
    gettoken_calls: int = 0
    sent: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    appchat_sent: list[dict[str, Any]] = field(default_factory=list)
    appchats: dict[str, dict[str, Any]] = field(default_factory=dict)
    uploads: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    refused: list[tuple[str, int]] = field(default_factory=list)  # (path, errcode) answered
    media: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # what people "sent", for media/get

    def __post_init__(self) -> None:
        self._tokens: set[str] = set()
        self._codes: dict[str, str] = {}  # response code → user it was given for
        self._task_ids: set[str] = set()
        self._failures: dict[str, list[int]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- running -------------------------------------------------------------------------------

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/cgi-bin"

    def start(self) -> FakeWecom:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            self._runner = web.AppRunner(self._app())
            loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            loop.run_until_complete(site.start())
            server = site._server
            assert server is not None and server.sockets  # type: ignore[union-attr]
            self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=run, name="fake-wecom", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    # --- what a test injects -------------------------------------------------------------------

    def fail_next(self, path: str, *errcodes: int) -> None:
        """Answer the next calls of ``path`` (e.g. "/message/send") with these errcodes, in order."""
        with self._lock:
            self._failures.setdefault(path, []).extend(errcodes)

    def expire_tokens(self) -> None:
        """Every token given so far is expired: calls with one get 42001."""
        with self._lock:
            self._tokens.clear()

    def add_media(self, name: str, data: bytes) -> str:
        media_id = f"media{next(self._ids)}_{secrets.token_hex(6)}"
        self.media[media_id] = (name, data)
        return media_id

    # --- what a test reads ---------------------------------------------------------------------

    def sent_to(self, user: str) -> list[dict[str, Any]]:
        return [m for m in self.sent if m.get("touser") == user]

    def cards_to(self, user: str) -> list[dict[str, Any]]:
        return [m["template_card"] for m in self.sent_to(user) if m.get("msgtype") == "template_card"]

    def texts_to(self, user: str) -> list[str]:
        out = []
        for m in self.sent_to(user):
            kind = m.get("msgtype")
            if kind in ("text", "markdown"):
                out.append(m[kind]["content"])
            elif kind == "template_card":
                card = m["template_card"]
                out.append("\n".join([card["main_title"]["title"], card.get("sub_title_text", "")]).strip())
        return out

    def response_code_for(self, user: str, task_id: str) -> str:
        """A fresh response code for a press of ``task_id`` by ``user`` (as a press's callback carries)."""
        code = f"rc{next(self._ids)}{secrets.token_hex(8)}"
        with self._lock:
            self._codes[code] = user
        return code

    async def until(self, check: Callable[[], bool], timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise AssertionError(f"fake WeCom: condition not met in {timeout} s; sent {self.sent}")
            await asyncio.sleep(0.05)

    def wait_until(self, check: Callable[[], bool], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise AssertionError(f"fake WeCom: condition not met in {timeout} s; sent {self.sent}")
            time.sleep(0.05)

    # --- the callback side: WeCom posting to the bot -------------------------------------------

    def crypto(self) -> WeChatCrypto:
        return WeChatCrypto(TOKEN, AES_KEY, self.corp_id)

    def callback(self, xml: str, *, crypto: WeChatCrypto | None = None) -> tuple[str, str]:
        """(query string, body) of WeCom's POST of ``xml``, encrypted and signed."""
        nonce, timestamp = secrets.token_hex(5), str(int(time.time()))
        body = (crypto or self.crypto()).encrypt_message(xml, nonce, timestamp)
        signature = body.split("<MsgSignature><![CDATA[")[1].split("]]>")[0]
        query = urllib.parse.urlencode({"msg_signature": signature, "timestamp": timestamp, "nonce": nonce})
        return query, body

    # --- the API -------------------------------------------------------------------------------

    def _app(self) -> web.Application:
        app = web.Application(client_max_size=30 * 1024 * 1024)
        app.router.add_get("/cgi-bin/gettoken", self._gettoken)
        for path, handler in (
            ("/message/send", self._send),
            ("/message/update_template_card", self._update),
            ("/appchat/create", self._appchat_create),
            ("/appchat/send", self._appchat_send),
            ("/media/upload", self._upload),
        ):
            app.router.add_post("/cgi-bin" + path, self._authed(path, handler))
        for path, handler in (
            ("/department/list", self._department_list),
            ("/user/list", self._user_list),
            ("/media/get", self._media_get),
        ):
            app.router.add_get("/cgi-bin" + path, self._authed(path, handler))
        return app

    @staticmethod
    def _error(errcode: int, errmsg: str) -> web.Response:
        return web.json_response({"errcode": errcode, "errmsg": errmsg})

    async def _gettoken(self, request: web.Request) -> web.Response:
        self.gettoken_calls += 1
        if request.query.get("corpid") != self.corp_id or request.query.get("corpsecret") != self.secret:
            return self._error(40001, "invalid credential, hint: [fake]")
        await asyncio.sleep(0.05)  # a real round trip: concurrent senders would all fetch without a lock
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens.add(token)
        return web.json_response({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200})

    def _authed(self, path: str, handler: Callable[[web.Request], Any]) -> Callable[[web.Request], Any]:
        async def guarded(request: web.Request) -> web.Response:
            token = request.query.get("access_token", "")
            if not token:
                return self._error(41001, "access_token missing")
            with self._lock:
                known = token in self._tokens
                injected = self._failures.get(path, [])
                code = injected.pop(0) if injected else None
            if not known:
                self.refused.append((path, 42001))
                return self._error(42001, "access_token expired")
            if code is not None:
                self.refused.append((path, code))
                return self._error(code, f"injected error {code}")
            response: web.Response = await handler(request)
            return response

        return guarded

    def _user_known(self, user: str) -> bool:
        return user not in self.unreachable

    async def _send(self, request: web.Request) -> web.Response:
        body = await request.json()
        user = str(body.get("touser", ""))
        if not self._user_known(user):
            self.refused.append(("/message/send", 81013))
            return self._error(81013, "user & party & tag all invalid")
        result: dict[str, Any] = {"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": f"msg{next(self._ids)}"}
        if body.get("msgtype") == "template_card":
            card = body["template_card"]
            task_id = card.get("task_id", "")
            if task_id in self._task_ids:
                return self._error(40058, "task_id exists")
            buttons = card.get("button_list", [])
            if not task_id or len(task_id) > 128 or not 1 <= len(buttons) <= 6:
                return self._error(40058, "invalid template_card")
            if any(len(b.get("key", "").encode()) > 1024 for b in buttons):
                return self._error(40058, "button key too long")
            self._task_ids.add(task_id)
            result["response_code"] = self.response_code_for(user, task_id)
        elif body.get("msgtype") in ("text", "markdown"):
            if len(body[body["msgtype"]]["content"].encode()) > 2048:
                return self._error(40058, "content exceeds 2048 bytes")
        self.sent.append(body)
        return web.json_response(result)

    async def _update(self, request: web.Request) -> web.Response:
        body = await request.json()
        code = body.get("response_code", "")
        with self._lock:
            user = self._codes.pop(code, None)
        if user is None:
            return self._error(40058, "invalid response_code")  # used once already, or unknown
        if user in self.unreachable:
            return self._error(81013, "user & party & tag all invalid")
        self.updates.append({**body, "_user": user})
        return web.json_response({"errcode": 0, "errmsg": "ok", "invaliduser": []})

    async def _appchat_create(self, request: web.Request) -> web.Response:
        body = await request.json()
        if len(body.get("userlist", [])) < 2:
            return self._error(86004, "chat member count < 2")
        chat_id = body.get("chatid") or f"wrchat{next(self._ids)}"
        self.appchats[chat_id] = body
        return web.json_response({"errcode": 0, "errmsg": "ok", "chatid": chat_id})

    async def _appchat_send(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("chatid") not in self.appchats:
            return self._error(86003, "chat not exists")
        self.appchat_sent.append(body)
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _department_list(self, request: web.Request) -> web.Response:
        departments = [{"id": d.id, "name": d.name, "parentid": d.parentid, "order": 1} for d in self.departments]
        return web.json_response({"errcode": 0, "errmsg": "ok", "department": departments})

    async def _user_list(self, request: web.Request) -> web.Response:
        try:
            department = int(request.query.get("department_id", ""))
        except ValueError:
            return self._error(40066, "invalid department_id")
        users = [u for u in self.users if department in u.get("department", [])]
        return web.json_response({"errcode": 0, "errmsg": "ok", "userlist": users})

    async def _upload(self, request: web.Request) -> web.Response:
        kind = request.query.get("type", "")
        if kind not in ("image", "voice", "video", "file"):
            return self._error(40004, "invalid media type")
        form = await request.post()
        media = form.get("media")
        if not isinstance(media, web.FileField):
            return self._error(41005, "media data missing")
        media_id = f"up{next(self._ids)}_{os.urandom(4).hex()}"
        self.uploads[media_id] = (media.filename, media.file.read())
        return web.json_response({"errcode": 0, "errmsg": "ok", "type": kind, "media_id": media_id, "created_at": "1"})

    async def _media_get(self, request: web.Request) -> web.StreamResponse:
        found = self.media.get(request.query.get("media_id", ""))
        if found is None:
            return self._error(40007, "invalid media_id")
        name, data = found
        return web.Response(
            body=data,
            content_type="application/octet-stream",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )


# --- builders: the decrypted XML WeCom posts to the callback URL ---------------------------------

_msg_ids = itertools.count(7_300_000_000_000_000_001)


def _xml(fields: dict[str, str | int], corp_id: str = CORP_ID) -> str:
    body = "".join(
        f"<{k}>{v}</{k}>" if isinstance(v, int) else f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items()
    )
    return f"<xml><ToUserName><![CDATA[{corp_id}]]></ToUserName>{body}</xml>"


def make_wecom_text(user: str, content: str, msg_id: int | None = None, corp_id: str = CORP_ID) -> str:
    return _xml(
        {
            "FromUserName": user,
            "CreateTime": int(time.time()),
            "MsgType": "text",
            "Content": content,
            "MsgId": msg_id or next(_msg_ids),
            "AgentID": AGENT_ID,
        },
        corp_id,
    )


def make_wecom_image(user: str, media_id: str) -> str:
    return _xml(
        {
            "FromUserName": user,
            "CreateTime": int(time.time()),
            "MsgType": "image",
            "PicUrl": "https://example.invalid/pic",
            "MediaId": media_id,
            "MsgId": next(_msg_ids),
            "AgentID": AGENT_ID,
        }
    )


def make_wecom_voice(user: str, recognition: str) -> str:
    """A voice message with WeCom's speech recognition turned on for the application."""
    return _xml(
        {
            "FromUserName": user,
            "CreateTime": int(time.time()),
            "MsgType": "voice",
            "MediaId": "voice-media",
            "Format": "amr",
            "Recognition": recognition,
            "MsgId": next(_msg_ids),
            "AgentID": AGENT_ID,
        }
    )


def make_wecom_file(user: str, media_id: str, name: str) -> str:
    return _xml(
        {
            "FromUserName": user,
            "CreateTime": int(time.time()),
            "MsgType": "file",
            "MediaId": media_id,
            "FileName": name,
            "MsgId": next(_msg_ids),
            "AgentID": AGENT_ID,
        }
    )


def make_wecom_press(user: str, card: dict[str, Any], button: int, response_code: str, created: int = 0) -> str:
    """The ``template_card_event`` of pressing the ``button``-th button of a card the bot sent."""
    return _xml(
        {
            "FromUserName": user,
            "CreateTime": created or int(time.time()),
            "MsgType": "event",
            "Event": "template_card_event",
            "EventKey": card["button_list"][button]["key"],
            "TaskId": card["task_id"],
            "CardType": "button_interaction",
            "ResponseCode": response_code,
            "AgentID": AGENT_ID,
        }
    )


def make_wecom_event(user: str, event: str, key: str = "") -> str:
    return _xml(
        {
            "FromUserName": user,
            "CreateTime": int(time.time()),
            "MsgType": "event",
            "Event": event,
            "EventKey": key,
            "AgentID": AGENT_ID,
        }
    )
