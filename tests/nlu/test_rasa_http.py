"""The bot's HTTP client for Rasa: a message and its plain text in one request, and what happens
when a Rasa server lacks that route or answers nonsense."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from nlu.client import NluClient, NluUnavailable, ParseResult
from nlu.rasa_http import RasaHttpClient
from nlu.server import RasaServer
from nlu.triage import triage


class _OneByOne:
    """The same client without ``parse_many``: what the bot did before, one request per text."""

    def __init__(self, client: NluClient) -> None:
        self._client = client

    async def parse(self, text: str) -> ParseResult:
        return await self._client.parse(text)


def _counting_session(paths: list[str]) -> aiohttp.ClientSession:
    async def on_start(_: Any, __: SimpleNamespace, params: aiohttp.TraceRequestStartParams) -> None:
        paths.append(params.url.path)

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_start)
    return aiohttp.ClientSession(trace_configs=[trace])


@pytest.mark.parametrize(
    "text",
    [
        "打印机坏了，老板急着要，马上来！",
        "邮箱收不到邮件，领导明天出差要用，赶紧",
        "三楼全部断网了，大家都用不了，赶紧来人！",
    ],
)
async def test_a_message_and_its_plain_text_go_to_rasa_in_one_request_with_the_same_triage(
    rasa_server: RasaServer, text: str
) -> None:
    paths: list[str] = []
    async with _counting_session(paths) as session:
        client = RasaHttpClient(session, rasa_server.base_url, 30.0)
        together = await triage(client, text)
        assert paths == ["/webhooks/parse_many/"]
        apart = await triage(_OneByOne(client), text)
    assert paths[1:] == ["/model/parse", "/model/parse"]  # an incident: the plain text parsed second
    assert together == apart


async def test_a_message_without_time_or_rank_words_is_parsed_once(rasa_server: RasaServer) -> None:
    paths: list[str] = []
    async with _counting_session(paths) as session:
        result = await triage(RasaHttpClient(session, rasa_server.base_url, 30.0), "显示器突然黑了，主机还在响")
    assert paths == ["/model/parse"]
    assert result.kind == "incident"


def _parse_json(text: str) -> dict[str, object]:
    intent = {"name": "incident_normal", "confidence": 0.9}
    return {"text": text, "intent": intent, "intent_ranking": [intent], "entities": []}


@pytest.fixture
async def rasa_without_the_route() -> AsyncIterator[tuple[str, list[str]]]:
    """A Rasa started without nlu/credentials.yml: /model/parse only, 404 for anything else."""
    seen: list[str] = []

    async def parse(request: web.Request) -> web.Response:
        seen.append(request.path)
        return web.json_response(_parse_json((await request.json())["text"]))

    async def not_found(request: web.Request) -> web.Response:
        seen.append(request.path)
        return web.json_response({"status": "failure", "reason": "NotFound"}, status=404)

    app = web.Application()
    app.router.add_post("/model/parse", parse)
    app.router.add_route("*", "/{tail:.*}", not_found)
    async with TestServer(app) as server:
        yield str(server.make_url("")), seen


async def test_without_the_route_the_client_parses_one_by_one_and_says_so_once(
    rasa_without_the_route: tuple[str, list[str]], caplog: pytest.LogCaptureFixture
) -> None:
    url, seen = rasa_without_the_route
    async with aiohttp.ClientSession() as session:
        client = RasaHttpClient(session, url, 5.0)
        with caplog.at_level(logging.WARNING, logger="nlu.rasa_http"):
            first = await client.parse_many(["网断了，急", "网断了"])
            second = await client.parse_many(["打印机坏了，急", "打印机坏了"])
    assert [p.text for p in first + second] == ["网断了，急", "网断了", "打印机坏了，急", "打印机坏了"]
    assert seen == ["/webhooks/parse_many/"] + ["/model/parse"] * 4
    assert [r.getMessage() for r in caplog.records if "parse_many" in r.getMessage()] == [
        f"Rasa at {url}/model/parse has no {url}/webhooks/parse_many/; parsing one text per request"
    ]


@pytest.mark.parametrize(
    "answer",
    [
        {"parses": [_parse_json("网断了，急")]},
        {"parses": "x"},
        ["not", "a", "dict"],
        {"parses": [{"text": "no intent"}] * 2},
    ],
)
async def test_an_answer_that_is_not_one_parse_per_text_is_nlu_unavailable(answer: object) -> None:
    async def many(request: web.Request) -> web.Response:
        return web.json_response(answer)

    app = web.Application()
    app.router.add_post("/webhooks/parse_many/", many)
    async with TestServer(app) as server, aiohttp.ClientSession() as session:
        client = RasaHttpClient(session, str(server.make_url("")), 5.0)
        with pytest.raises(NluUnavailable, match="unexpected answer from Rasa"):
            await client.parse_many(["网断了，急", "网断了"])


async def test_a_rasa_that_is_down_is_nlu_unavailable_for_parse_many() -> None:
    async with aiohttp.ClientSession() as session:
        client = RasaHttpClient(session, "http://127.0.0.1:9", 2.0)
        with pytest.raises(NluUnavailable, match="Rasa unreachable"):
            await client.parse_many(["网断了，急", "网断了"])
