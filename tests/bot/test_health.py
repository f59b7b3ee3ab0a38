"""The health state learns from every request to the NLU, one text or several at once."""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp
import pytest

from bot.health import Health, HealthTrackedNlu
from core.clock import FakeClock
from nlu.client import IntentScore, NluUnavailable, ParseResult
from nlu.rasa_http import RasaHttpClient

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


class _OneAtATime:
    """A client without ``parse_many`` (as a test double or an older client is)."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def parse(self, text: str) -> ParseResult:
        self.asked.append(text)
        top = IntentScore("incident_normal", 0.9)
        return ParseResult(text, top, (top,))


async def test_parsing_two_texts_through_a_rasa_that_is_down_marks_the_nlu_down() -> None:
    health = Health(FakeClock(NOW))
    async with aiohttp.ClientSession() as session:
        nlu = HealthTrackedNlu(RasaHttpClient(session, "http://127.0.0.1:9", 2.0), health)
        with pytest.raises(NluUnavailable):
            await nlu.parse_many(["网断了，急", "网断了"])
    assert health.nlu == "down"
    assert health.nlu_error is not None and "Rasa unreachable" in health.nlu_error


async def test_a_client_without_parse_many_is_asked_one_text_at_a_time_and_the_nlu_is_up() -> None:
    health = Health(FakeClock(NOW))
    inner = _OneAtATime()
    results = await HealthTrackedNlu(inner, health).parse_many(["网断了，急", "网断了"])
    assert [r.text for r in results] == ["网断了，急", "网断了"]
    assert inner.asked == ["网断了，急", "网断了"]
    assert health.nlu == "up"
