"""``POST /model/parse`` on a running ``rasa run --enable-api`` server, through the app's shared
aiohttp session. Every failure — refused connection, timeout, an answer that is not a parse
result — becomes ``NluUnavailable`` so the pipeline has one thing to handle.

``parse_many`` uses the project's own route (nlu/components/parse_many.py); a Rasa server started
without it (one run by hand, without nlu/credentials.yml) answers 404, and the client then parses
one text per request from there on, saying so once in the log."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import aiohttp

from nlu.client import NluUnavailable, ParseResult, parse_result_from_json

log = logging.getLogger(__name__)


class _NoRoute(Exception):
    """The server has no such route (HTTP 404)."""


class RasaHttpClient:
    """Calls a running ``rasa run --enable-api`` server."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, timeout_s: float) -> None:
        self._session = session
        self._url = base_url.rstrip("/") + "/model/parse"
        self._many_url: str | None = base_url.rstrip("/") + "/webhooks/parse_many/"
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)

    async def parse(self, text: str) -> ParseResult:
        return parse_result_from_json(text, await self._post(self._url, {"text": text}))

    async def parse_many(self, texts: Sequence[str]) -> tuple[ParseResult, ...]:
        """Every text's parse, in one request: one run of Rasa's pipeline over all of them."""
        if self._many_url is not None:
            try:
                data = await self._post(self._many_url, {"texts": list(texts)})
            except _NoRoute:
                log.warning("Rasa at %s has no %s; parsing one text per request", self._url, self._many_url)
                self._many_url = None
            else:
                parses = data.get("parses") if isinstance(data, dict) else None
                if not isinstance(parses, list) or len(parses) != len(texts):
                    raise NluUnavailable(f"unexpected answer from Rasa: {str(data)[:200]}")
                return tuple(parse_result_from_json(t, p) for t, p in zip(texts, parses, strict=True))
        return tuple([await self.parse(t) for t in texts])

    async def _post(self, url: str, body: dict[str, Any]) -> Any:
        try:
            async with self._session.post(url, json=body, timeout=self._timeout) as resp:
                if resp.status == 404 and url == self._many_url:
                    raise _NoRoute(url)
                if resp.status != 200:
                    text = (await resp.text())[:200]
                    raise NluUnavailable(f"Rasa answered HTTP {resp.status}: {text}")
                return await resp.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
            raise NluUnavailable(f"Rasa unreachable at {url}: {exc!r}") from exc
