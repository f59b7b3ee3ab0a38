"""``POST /model/parse`` on a running ``rasa run --enable-api`` server, through the app's shared
aiohttp session. Every failure — refused connection, timeout, an answer that is not a parse
result — becomes ``NluUnavailable`` so the pipeline has one thing to handle."""

from __future__ import annotations

import aiohttp

from nlu.client import NluUnavailable, ParseResult, parse_result_from_json


class RasaHttpClient:
    """Calls a running ``rasa run --enable-api`` server."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, timeout_s: float) -> None:
        self._session = session
        self._url = base_url.rstrip("/") + "/model/parse"
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)

    async def parse(self, text: str) -> ParseResult:
        try:
            async with self._session.post(self._url, json={"text": text}, timeout=self._timeout) as resp:
                if resp.status != 200:
                    body = (await resp.text())[:200]
                    raise NluUnavailable(f"Rasa answered HTTP {resp.status}: {body}")
                data = await resp.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
            raise NluUnavailable(f"Rasa unreachable at {self._url}: {exc!r}") from exc
        return parse_result_from_json(text, data)
