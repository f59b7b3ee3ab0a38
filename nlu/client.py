"""The bot's side of Rasa: one HTTP call, ``POST /model/parse``, through the app's shared session.

Rasa is an outside dependency, so it sits behind the ``NluClient`` protocol: the real
``RasaHttpClient`` here, and any test double a unit test passes instead. Every failure — refused
connection, timeout, an answer that is not a parse result — becomes ``NluUnavailable`` so the
pipeline has one thing to handle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import aiohttp


@dataclass(frozen=True)
class IntentScore:
    name: str
    confidence: float


@dataclass(frozen=True)
class ParseResult:
    text: str
    intent: IntentScore
    ranking: tuple[IntentScore, ...]


class NluUnavailable(Exception):
    """Rasa could not give an answer: down, slow, or answered nonsense."""


class NluClient(Protocol):
    async def parse(self, text: str) -> ParseResult: ...


def parse_result_from_json(text: str, data: Any) -> ParseResult:
    """Read Rasa's parse answer; raise ``NluUnavailable`` if it is not one."""
    try:
        intent = data["intent"]
        top = IntentScore(str(intent["name"]), float(intent["confidence"]))
        ranking = tuple(
            IntentScore(str(item["name"]), float(item["confidence"])) for item in data.get("intent_ranking") or []
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise NluUnavailable(f"unexpected answer from Rasa: {str(data)[:200]}") from exc
    return ParseResult(text=text, intent=top, ranking=ranking or (top,))


class RasaHttpClient:
    """Calls a running ``rasa run --enable-api`` server."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, timeout_s: float) -> None:
        # aiohttp is imported here, not at module level: handlers import this module's result
        # types and must not pull in an HTTP library.
        import aiohttp

        self._aiohttp = aiohttp
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
        except (TimeoutError, self._aiohttp.ClientError, ValueError) as exc:
            raise NluUnavailable(f"Rasa unreachable at {self._url}: {exc!r}") from exc
        return parse_result_from_json(text, data)
