"""Builders for inputs, and a scripted NLU for tests of parts other than triage."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from core.messages import InboundMessage
from nlu.client import IntentScore, NluUnavailable, ParseResult

_ids = itertools.count(1)


def make_inbound(
    text: str,
    sender: str = "staff.li",
    channel: str = "rest",
    message_id: str | None = None,
    at: datetime | None = None,
) -> InboundMessage:
    return InboundMessage(
        channel=channel,
        sender=sender,
        chat=sender,
        message_id=message_id or f"m{next(_ids)}",
        text=text,
        received_at=at or datetime.now(UTC),
    )


class ScriptedNlu:
    """Answers a fixed intent per text (default: the given fallback); counts calls."""

    def __init__(self, intents: dict[str, tuple[str, float]], default: tuple[str, float] = ("chitchat", 0.9)) -> None:
        self.intents = intents
        self.default = default
        self.calls = 0

    async def parse(self, text: str) -> ParseResult:
        self.calls += 1
        name, confidence = self.intents.get(text, self.default)
        top = IntentScore(name, confidence)
        return ParseResult(text, top, (top,))


class DownNlu:
    async def parse(self, text: str) -> ParseResult:
        raise NluUnavailable("connection refused (test)")


class SwitchableNlu(ScriptedNlu):
    """A scripted NLU that is down (raises ``NluUnavailable``) while ``down`` is True: Rasa dead, then back."""

    def __init__(self, intents: dict[str, tuple[str, float]], down: bool = True) -> None:
        super().__init__(intents)
        self.down = down

    async def parse(self, text: str) -> ParseResult:
        if self.down:
            raise NluUnavailable("connection refused (test)")
        return await super().parse(text)
