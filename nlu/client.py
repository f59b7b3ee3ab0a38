"""The bot's side of Rasa: the ``NluClient`` protocol and the parse result types.

Rasa is an outside dependency, so it sits behind the ``NluClient`` protocol: the real
``nlu.rasa_http.RasaHttpClient``, and any test double a unit test passes instead. Handlers import
the result types from here, so this module imports no HTTP library. Every failure — refused
connection, timeout, an answer that is not a parse result — becomes ``NluUnavailable`` so the
pipeline has one thing to handle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class IntentScore:
    name: str
    confidence: float


@dataclass(frozen=True)
class Entity:
    """One entity Rasa found: its type (``ticket``, ``period``...), its value after the synonyms
    (``last_week`` for 上周), and where it was in the text."""

    name: str
    value: str
    start: int
    end: int


@dataclass(frozen=True)
class ParseResult:
    text: str
    intent: IntentScore
    ranking: tuple[IntentScore, ...]
    entities: tuple[Entity, ...] = ()


class NluUnavailable(Exception):
    """Rasa could not give an answer: down, slow, or answered nonsense."""


class NluClient(Protocol):
    async def parse(self, text: str) -> ParseResult: ...


@runtime_checkable
class BatchNluClient(NluClient, Protocol):
    """A client that can also parse several texts in one request (the real one can; a test double
    need not, and then the texts are parsed one by one)."""

    async def parse_many(self, texts: Sequence[str]) -> tuple[ParseResult, ...]: ...


async def parse_all(client: NluClient, texts: Sequence[str]) -> tuple[ParseResult, ...]:
    """Every text's parse: in one request when ``client`` can, else one request each."""
    if isinstance(client, BatchNluClient):
        return await client.parse_many(texts)
    return tuple([await client.parse(t) for t in texts])


def parse_result_from_json(text: str, data: Any) -> ParseResult:
    """Read Rasa's parse answer; raise ``NluUnavailable`` if it is not one."""
    try:
        intent = data["intent"]
        top = IntentScore(str(intent["name"]), float(intent["confidence"]))
        ranking = tuple(
            IntentScore(str(item["name"]), float(item["confidence"])) for item in data.get("intent_ranking") or []
        )
        entities = tuple(
            Entity(str(item["entity"]), str(item["value"]), int(item["start"]), int(item["end"]))
            for item in data.get("entities") or []
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise NluUnavailable(f"unexpected answer from Rasa: {str(data)[:200]}") from exc
    return ParseResult(text=text, intent=top, ranking=ranking or (top,), entities=entities)
