"""The REST webhook's edge, in process (aiohttp's test server on the real app, a scripted NLU), on
SQLite and PostgreSQL: who a redelivery belongs to, and what is refused before anything is stored —
a message the store cannot keep, and a caller without a good API token or speaking for someone its
token does not cover."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

import storage
from bot.app import build_app
from core.clock import FakeClock
from tests.conftest import make_settings
from tests.support.builders import ScriptedNlu
from tests.support.web import api_token, bearer, core_of

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai
WEBHOOK = "/webhooks/rest/webhook"
NLU = ScriptedNlu(
    {
        "键盘有几个键失灵了": ("incident_hardware", 0.95),
        "怎么连WiFi": ("howto", 0.95),
        "打印机卡纸了": ("incident_normal", 0.95),
    }
)


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[TestClient[Any, Any]]:
    """A client whose every request carries an API token that may speak for everyone."""
    app = build_app(make_settings(database_url), clock=FakeClock(NOW), nlu=NLU)
    async with TestClient(TestServer(app), headers={}) as test_client:
        token = await api_token(test_client.app, "integration")
        test_client.session.headers.update(bearer(token))
        yield test_client


async def _inbound_count(client: TestClient[Any, Any]) -> int:
    from bot.app import RUNTIME

    sessions = client.app[RUNTIME].sessions
    assert sessions is not None
    async with sessions() as session:
        return len(await storage.conversation(session, "staff.li", 1000)) + len(
            await storage.conversation(session, "staff.wang", 1000)
        )


async def test_a_message_id_another_person_used_gets_its_own_answer(client: TestClient[Any, Any]) -> None:
    li = await client.post(WEBHOOK, json={"sender": "staff.li", "message": "键盘有几个键失灵了", "message_id": "42"})
    [li_reply] = await li.json()
    wang = await client.post(WEBHOOK, json={"sender": "staff.wang", "message": "怎么连WiFi", "message_id": "42"})
    assert wang.status == 200
    [wang_reply] = await wang.json()
    assert wang_reply["recipient_id"] == "staff.wang"
    assert "键盘" not in wang_reply["text"] and "#" not in wang_reply["text"]  # not li's ticket
    assert "键盘" in li_reply["text"]


async def test_the_same_sender_reusing_an_id_for_another_text_gets_409_and_nothing_is_stored(
    client: TestClient[Any, Any],
) -> None:
    first = await client.post(WEBHOOK, json={"sender": "staff.li", "message": "打印机卡纸了", "message_id": "7"})
    assert first.status == 200
    before = await _inbound_count(client)
    clash = await client.post(WEBHOOK, json={"sender": "staff.li", "message": "怎么连WiFi", "message_id": "7"})
    assert clash.status == 409
    assert "message_id" in (await clash.json())["error"]
    assert await _inbound_count(client) == before
    again = await client.post(WEBHOOK, json={"sender": "staff.li", "message": "打印机卡纸了", "message_id": "7"})
    assert again.status == 200  # a true redelivery still gets the first answer
    assert (await again.json())[0]["text"] == (await first.json())[0]["text"]


@pytest.mark.parametrize(
    "body",
    [
        {"sender": "staff.li", "message": "打印机卡纸了", "message_id": "x" * 129},
        {"sender": "s" * 129, "message": "打印机卡纸了"},
        {"sender": "staff.li", "message": "打\x00印机卡纸了"},
        {"sender": "staff.li", "message": "长" * 4001},
        {"sender": "staff.li", "message": "\x01\x02 \x7f"},
    ],
    ids=["long-id", "long-sender", "nul", "long-text", "only-control-characters"],
)
async def test_a_message_the_store_cannot_keep_is_a_400_not_a_503(
    client: TestClient[Any, Any], body: dict[str, str]
) -> None:
    before = await _inbound_count(client)
    response = await client.post(WEBHOOK, json=body)
    assert response.status == 400
    assert (await response.json())["error"]
    assert await _inbound_count(client) == before


async def test_with_the_web_chat_off_nobody_can_pick_a_person_and_the_rest_webhook_still_answers(
    database_url: str,
) -> None:
    app = build_app(make_settings(database_url, web={"enabled": False}), clock=FakeClock(NOW), nlu=NLU)
    async with TestClient(TestServer(app)) as off:
        for path in ("/", "/api/people", "/api/history?person=staff.li", "/api/greeting?person=staff.li", "/ws"):
            assert (await off.get(path)).status == 404, path
        for path in ("/sign-in", "/kb", "/kb/printer-jam"):
            assert (await off.get(path)).status == 404, path
        assert (await off.get("/healthz")).status == 200
        token = await api_token(off.app, "script")
        answer = await off.post(WEBHOOK, json={"sender": "staff.li", "message": "打印机卡纸了"}, headers=bearer(token))
        assert answer.status == 200 and "#" in (await answer.json())[0]["text"]


async def test_without_a_token_with_a_wrong_or_revoked_one_the_webhook_answers_401_and_stores_nothing(
    client: TestClient[Any, Any], caplog: pytest.LogCaptureFixture
) -> None:
    auth = core_of(client.app).auth
    revoked = await auth.create_token("old-script")
    assert await auth.revoke_token("old-script")
    before = await _inbound_count(client)
    body = {"sender": "staff.li", "message": "打印机卡纸了"}
    for headers in (
        {"Authorization": ""},
        {"Authorization": "Bearer hd_not-a-token-we-made"},
        {"Authorization": "Basic c3RhZmYubGk6cGFzc3dvcmQ="},
        bearer(revoked),
    ):
        response = await client.post(WEBHOOK, json=body, headers=headers)
        assert response.status == 401, headers
        assert "打印机" not in await response.text()
    assert await _inbound_count(client) == before
    assert caplog.text.count("REST webhook: refused") == 4
    assert "revoked: old-script" in caplog.text
    assert revoked not in caplog.text  # a token is never written to the log


async def test_a_token_speaks_only_for_its_senders(
    client: TestClient[Any, Any], caplog: pytest.LogCaptureFixture
) -> None:
    lis = await api_token(client.app, "li-phone", ["staff.li"])
    before = await _inbound_count(client)
    refused = await client.post(WEBHOOK, json={"sender": "staff.wang", "message": "打印机卡纸了"}, headers=bearer(lis))
    assert refused.status == 403
    assert await _inbound_count(client) == before
    assert "token li-phone may not speak for 'staff.wang'" in caplog.text
    allowed = await client.post(WEBHOOK, json={"sender": "staff.li", "message": "打印机卡纸了"}, headers=bearer(lis))
    assert allowed.status == 200
    assert await _inbound_count(client) == before + 2  # li's message and the bot's answer
