"""The WeCom server API over the bot's one shared aiohttp session.

wechatpy's own client is synchronous (requests) and hard-codes its token URL, so it would block the
event loop and could not be pointed at a test server; this small client speaks the same JSON.

What a caller can rely on:

- one access token per process, fetched with ``gettoken`` and kept until shortly before its
  ``expires_in``; when WeCom says it expired (40014, 42001) it is fetched again ONCE, however many
  senders saw the error at the same moment (a lock and a generation number), and the call retried;
- "busy" (-1) and the rate limits (45009, 45033) are retried inline a few times with backoff, then
  raised as ``WecomBusy`` for the outbox to retry later;
- any other non-zero errcode is raised as ``WecomApiError`` carrying errcode and errmsg.
"""

from __future__ import annotations

import asyncio
import logging
import time
import urllib.parse
from collections.abc import Callable, Sequence
from typing import Any

import aiohttp

log = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://qyapi.weixin.qq.com/cgi-bin"

BAD_SECRET = 40001
TOKEN_EXPIRED = frozenset({40014, 42001})
BUSY = frozenset({-1, 45009, 45033})
# The recipient is outside the application's visible range, unknown, or not allowed.
UNREACHABLE = frozenset({81013, 60111, 60011, 60103, 81011})

# A token is renewed this long before WeCom's expires_in runs out.
TOKEN_MARGIN_S = 300.0
# Waits between inline retries of a busy or rate-limited call (then the outbox retries later).
BUSY_DELAYS_S: tuple[float, ...] = (0.5, 1.0, 2.0)
REQUEST_TIMEOUT_S = 10.0


class WecomApiError(Exception):
    """WeCom answered a non-zero errcode (or could not be reached: errcode None)."""

    def __init__(self, path: str, errcode: int | None, errmsg: str) -> None:
        super().__init__(f"{path}: errcode {errcode}: {errmsg}")
        self.path, self.errcode, self.errmsg = path, errcode, errmsg


class WecomBusy(WecomApiError):
    """Busy, rate-limited or unreachable after the inline retries: try again later."""


class WecomBadSecret(WecomApiError):
    """40001 from gettoken: the corp id or the application's secret is wrong."""


class _Token:
    """The process's access token, renewed once per expiry however many callers notice it."""

    def __init__(self, fetch: Callable[[], Any], monotonic: Callable[[], float]) -> None:
        self._fetch = fetch
        self._monotonic = monotonic
        self._lock = asyncio.Lock()
        self._value = ""
        self._expires_at = 0.0
        self.generation = 0  # how many tokens were fetched; a caller names the one it used
        self.fetches = 0

    async def get(self) -> tuple[str, int]:
        if self._value and self._monotonic() < self._expires_at:
            return self._value, self.generation
        return await self.renew(self.generation)

    async def renew(self, seen: int) -> tuple[str, int]:
        """Fetch a new token unless someone did since the caller's token ``seen`` was current."""
        async with self._lock:
            if self.generation == seen or not self._value or self._monotonic() >= self._expires_at:
                token, expires_in = await self._fetch()
                self.fetches += 1
                self.generation += 1
                self._value = token
                self._expires_at = self._monotonic() + max(60.0, expires_in - TOKEN_MARGIN_S)
            return self._value, self.generation


class WecomApi:
    def __init__(
        self,
        http: aiohttp.ClientSession,
        corp_id: str,
        secret: str,
        api_base: str = DEFAULT_API_BASE,
        *,
        busy_delays_s: Sequence[float] = BUSY_DELAYS_S,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = http
        self._corp_id = corp_id
        self._secret = secret
        self._base = api_base.rstrip("/")
        self._busy_delays = tuple(busy_delays_s)
        self._token = _Token(self._fetch_token, monotonic)

    @property
    def token_fetches(self) -> int:
        return self._token.fetches

    async def start(self) -> None:
        """Fetch the first token (start-up): raises ``WecomBadSecret`` for 40001."""
        await self._token.renew(self._token.generation)

    async def _fetch_token(self) -> tuple[str, float]:
        body = await self._request("GET", "/gettoken", params={"corpid": self._corp_id, "corpsecret": self._secret})
        code = int(body.get("errcode", 0))
        if code == BAD_SECRET:
            raise WecomBadSecret("/gettoken", code, str(body.get("errmsg", "")))
        if code in BUSY:
            raise WecomBusy("/gettoken", code, str(body.get("errmsg", "")))
        if code != 0 or not body.get("access_token"):
            raise WecomApiError("/gettoken", code, str(body.get("errmsg", "")))
        log.info("WeCom access token fetched (expires in %s s)", body.get("expires_in"))
        return str(body["access_token"]), float(body.get("expires_in", 7200))

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json: dict[str, Any] | None = None,
        data: aiohttp.FormData | None = None,
        raw: bool = False,
    ) -> dict[str, Any]:
        """One HTTP exchange; a JSON body as a dict, or (``raw``) ``{"_bytes": ..., "_headers": ...}``
        when WeCom answered with a file."""
        try:
            async with self._http.request(
                method,
                self._base + path,
                params=params,
                json=json,
                data=data,
                timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S),
            ) as resp:
                kind = resp.headers.get("Content-Type", "")
                if raw and "json" not in kind and "text/plain" not in kind and resp.status == 200:
                    return {"errcode": 0, "_bytes": await resp.read(), "_headers": dict(resp.headers)}
                if resp.status != 200:
                    raise WecomBusy(path, None, f"HTTP {resp.status}")
                body = await resp.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise WecomBusy(path, None, f"{type(exc).__name__}: {exc}") from exc
        if not isinstance(body, dict):
            raise WecomApiError(path, None, "the answer is not a JSON object")
        return body

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json: dict[str, Any] | None = None,
        form: Callable[[], aiohttp.FormData] | None = None,
        raw: bool = False,
    ) -> dict[str, Any]:
        """Call ``path`` with the access token; retries as the module says. ``form`` builds a fresh
        multipart body for each try (one cannot be sent twice)."""
        renewed = False
        busy = 0
        while True:
            token, generation = await self._token.get()
            body = await self._request(
                method,
                path,
                params={**(params or {}), "access_token": token},
                json=json,
                data=form() if form is not None else None,
                raw=raw,
            )
            code = int(body.get("errcode", 0))
            errmsg = str(body.get("errmsg", ""))
            if code in TOKEN_EXPIRED:
                if renewed:  # a token just fetched refused: WeCom's side; the outbox tries later
                    raise WecomBusy(path, code, errmsg)
                log.info("WeCom token expired (%s) on %s; renewing it", code, path)
                await self._token.renew(generation)
                renewed = True
                continue
            if code in BUSY:
                if busy < len(self._busy_delays):
                    log.info("WeCom busy (%s %s) on %s; retrying", code, errmsg, path)
                    await asyncio.sleep(self._busy_delays[busy])
                    busy += 1
                    continue
                raise WecomBusy(path, code, errmsg)
            if code != 0:
                raise WecomApiError(path, code, errmsg)
            return body

    # The calls the helpdesk makes.

    async def send_message(self, message: dict[str, Any]) -> dict[str, Any]:
        return await self.call("POST", "/message/send", json=message)

    async def update_template_card(self, update: dict[str, Any]) -> dict[str, Any]:
        return await self.call("POST", "/message/update_template_card", json=update)

    async def appchat_create(self, name: str, owner: str, members: Sequence[str]) -> str:
        chat = {"name": name, "owner": owner, "userlist": list(members)}
        body = await self.call("POST", "/appchat/create", json=chat)
        return str(body["chatid"])

    async def appchat_send(self, message: dict[str, Any]) -> dict[str, Any]:
        return await self.call("POST", "/appchat/send", json=message)

    async def departments(self) -> list[dict[str, Any]]:
        body = await self.call("GET", "/department/list")
        return list(body.get("department", []))

    async def users(self, department_id: int) -> list[dict[str, Any]]:
        """The members of one department (not of its sub-departments), with their details."""
        body = await self.call("GET", "/user/list", params={"department_id": str(department_id), "fetch_child": "0"})
        return list(body.get("userlist", []))

    async def upload(self, kind: str, name: str, data: bytes) -> str:
        """Upload a temporary file (kept by WeCom 3 days); its media id."""

        def form() -> aiohttp.FormData:
            built = aiohttp.FormData()
            built.add_field("media", data, filename=name, content_type="application/octet-stream")
            return built

        body = await self.call("POST", "/media/upload", params={"type": kind}, form=form)
        return str(body["media_id"])

    async def download(self, media_id: str) -> tuple[bytes, str]:
        """A file a person sent (by its media id): its bytes and the file name WeCom gives."""
        body = await self.call("GET", "/media/get", params={"media_id": media_id}, raw=True)
        data = body.get("_bytes")
        if not isinstance(data, bytes):
            raise WecomApiError("/media/get", None, "no file in the answer")
        return data, _file_name(body.get("_headers", {}).get("Content-Disposition", ""))


def _file_name(disposition: str) -> str:
    """``attachment; filename="a.png"`` → ``a.png`` (empty when absent)."""
    for part in disposition.split(";"):
        key, _, value = part.strip().partition("=")
        if key.lower() == "filename":
            return urllib.parse.unquote(value.strip().strip('"'))
    return ""
