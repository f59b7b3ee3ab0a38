"""Who is who on the web chat, in process (aiohttp's test server on the real app, a scripted NLU),
with demo mode off as in a real deployment: every way in without the right session is refused,
and a person signed in sees only their own chat."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import WSServerHandshakeError
from aiohttp.test_utils import TestClient, TestServer

import storage
from bot.app import RUNTIME, build_app
from core.clock import FakeClock
from tests.conftest import make_settings
from tests.support.builders import ScriptedNlu
from tests.support.web import PASSWORD, api_token, bearer, core_of, sign_in

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai
NLU = ScriptedNlu({"键盘有几个键失灵了": ("incident_hardware", 0.95), "打印机卡纸了": ("incident_normal", 0.95)})
WANGS_SECRET = "王芳的投诉：赵工态度很差"

Client = TestClient[Any, Any]
ClientFactory = Callable[..., AbstractAsyncContextManager[Client]]


@pytest.fixture
def clients(database_url: str) -> ClientFactory:
    """Test clients on one store; each has its own cookie jar (its own browser)."""

    @asynccontextmanager
    async def make(demo_mode: bool = False, clock: FakeClock | None = None, **web: Any) -> AsyncIterator[Client]:
        settings = make_settings(database_url, web={"demo_mode": demo_mode, **web})
        app = build_app(settings, clock=clock or FakeClock(NOW), nlu=NLU)
        async with TestClient(TestServer(app)) as client:
            yield client

    return make


async def _conversation(client: Client, person: str) -> list[str]:
    sessions = client.app[RUNTIME].sessions
    assert sessions is not None
    async with sessions() as session:
        rows = await storage.conversation(session, person, 1000)
    return [getattr(r, "text", "") or r.payload.get("text", "") for r in rows]


async def _wang_has_said_something(client: Client) -> None:
    token = await api_token(client.app, "wangs-phone", ["staff.wang"])
    said = await client.post(
        "/webhooks/rest/webhook", json={"sender": "staff.wang", "message": WANGS_SECRET}, headers=bearer(token)
    )
    assert said.status == 200


async def test_without_a_session_nothing_personal_is_served_and_the_picker_does_not_exist(
    clients: ClientFactory,
) -> None:
    async with clients() as client:
        await _wang_has_said_something(client)
        for path in ("/api/history", "/api/history?person=staff.wang", "/api/greeting?person=staff.wang"):
            response = await client.get(path)
            assert response.status == 401, path
            assert WANGS_SECRET not in await response.text()
        for path in ("/ws", "/ws?person=staff.wang"):
            with pytest.raises(WSServerHandshakeError) as refused:
                await client.ws_connect(path)
            assert refused.value.status == 401
        for path in ("/", "/kb", "/kb/printer-jam"):
            page = await client.get(path, allow_redirects=False)
            assert (page.status, page.headers["Location"]) == (302, "/sign-in"), path
        assert (await client.get("/sign-in")).status == 200
        # Outside demo mode the "who are you" picker and its directory are not there at all.
        assert (await client.get("/api/people")).status == 404
        assert (await client.post("/api/demo/sign-in", json={"person": "staff.wang"})).status == 404
        assert await (await client.get("/api/session")).json() == {"demo": False, "person": None}


async def test_a_signed_in_person_gets_their_own_chat_whoever_the_request_names(clients: ClientFactory) -> None:
    async with clients() as client:
        await _wang_has_said_something(client)
        await sign_in(client, "staff.li")
        assert (await (await client.get("/api/session")).json())["person"]["id"] == "staff.li"
        history = await client.get("/api/history?person=staff.wang")
        assert history.status == 200
        assert WANGS_SECRET not in await history.text()
        greeting = await (await client.get("/api/greeting?person=staff.wang")).json()
        assert "李娜" in greeting["text"]  # li's greeting, not wang's

        ws = await client.ws_connect("/ws?person=staff.wang")  # the query is ignored: li's socket
        await ws.send_json({"type": "message", "id": "li-1", "text": "打印机卡纸了"})
        ack = await ws.receive_json(timeout=10)
        assert ack["type"] == "ack"
        await ws.close()
        assert "打印机卡纸了" in await _conversation(client, "staff.li")
        assert "打印机卡纸了" not in await _conversation(client, "staff.wang")


async def test_a_forged_or_foreign_cookie_is_no_session(clients: ClientFactory, database_url: str) -> None:
    async with clients() as client:
        await sign_in(client, "staff.li")
        cookie = client.session.cookie_jar.filter_cookies(client.make_url("/"))["helpdesk_session"].value
        forged = cookie[:-6] + ("AAAAAA" if not cookie.endswith("AAAAAA") else "BBBBBB")
        client.session.cookie_jar.clear()
        client.session.cookie_jar.update_cookies({"helpdesk_session": forged})
        assert (await client.get("/api/history")).status == 401
    # A cookie made with another key (another deployment's) does not open this one.
    other_key_settings = make_settings(database_url, web={"demo_mode": False, "session_key": "A" * 43 + "="})
    app = build_app(other_key_settings, clock=FakeClock(NOW), nlu=NLU)
    async with TestClient(TestServer(app)) as other:
        other.session.cookie_jar.update_cookies({"helpdesk_session": cookie})
        assert (await other.get("/api/history")).status == 401


async def test_the_session_cookie_is_httponly_samesite_lax_and_expires(clients: ClientFactory) -> None:
    async with clients(session_hours=8) as client:
        await core_of(client.app).auth.set_password("staff.li", PASSWORD)
        response = await client.post("/api/sign-in", json={"person": "staff.li", "password": PASSWORD})
        header = response.headers["Set-Cookie"]
        assert header.startswith("helpdesk_session=")
        assert "HttpOnly" in header and "SameSite=Lax" in header and "Max-Age=28800" in header and "Path=/" in header


async def test_wrong_and_unknown_sign_ins_get_one_answer_and_are_rate_limited_per_person(
    clients: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    async with clients() as client:
        await core_of(client.app).auth.set_password("staff.li", PASSWORD)
        answers = set()
        for person, password in (("staff.li", "wrong password"), ("nobody.here", PASSWORD), ("staff.wang", PASSWORD)):
            response = await client.post("/api/sign-in", json={"person": person, "password": password})
            answers.add((response.status, await response.text()))
        assert answers == {(401, '{"error": "wrong"}')}  # unknown, wrong and no-password-yet look alike
        assert "refused a web sign-in as 'nobody.here'" in caplog.text
        for _ in range(4):
            await client.post("/api/sign-in", json={"person": "staff.li", "password": "still wrong"})
        limited = await client.post("/api/sign-in", json={"person": "staff.li", "password": PASSWORD})
        assert limited.status == 429 and (await limited.json())["error"] == "limited"
        assert (await client.get("/api/history")).status == 401  # the right password did not get in
        clock = client.app[RUNTIME].clock
        assert isinstance(clock, FakeClock)
        clock.advance(timedelta(minutes=16))  # the window has passed
        assert (await client.post("/api/sign-in", json={"person": "staff.li", "password": PASSWORD})).status == 200


async def test_failed_sign_ins_are_rate_limited_per_address_across_people(clients: ClientFactory) -> None:
    async with clients(sign_in_failures_per_address=3) as client:
        await core_of(client.app).auth.set_password("staff.zhang", PASSWORD)
        for person in ("staff.li", "staff.wang", "eng.chen"):
            await client.post("/api/sign-in", json={"person": person, "password": "guess"})
        limited = await client.post("/api/sign-in", json={"person": "staff.zhang", "password": PASSWORD})
        assert limited.status == 429


async def test_a_sign_in_link_sets_the_password_once_and_a_forged_used_or_expired_one_is_refused(
    clients: ClientFactory,
) -> None:
    clock = FakeClock(NOW)
    async with clients(clock=clock) as client:
        auth = core_of(client.app).auth
        token = await auth.make_sign_in_link("staff.li", timedelta(hours=72))
        forged = await client.post("/api/sign-in/link", json={"token": token[:-4] + "abcd", "password": PASSWORD})
        assert (forged.status, await forged.json()) == (401, {"error": "bad_link"})
        weak = await client.post("/api/sign-in/link", json={"token": token, "password": "short"})
        assert (weak.status, await weak.json()) == (400, {"error": "weak_password"})  # the link still works

        used = await client.post("/api/sign-in/link", json={"token": token, "password": PASSWORD})
        assert used.status == 200 and (await used.json())["person"]["id"] == "staff.li"
        assert (await client.get("/api/history")).status == 200
        again = await client.post("/api/sign-in/link", json={"token": token, "password": "another password"})
        assert (again.status, await again.json()) == (401, {"error": "bad_link"})

        expiring = await auth.make_sign_in_link("staff.wang", timedelta(hours=1))
        clock.advance(timedelta(hours=2))
        late = await client.post("/api/sign-in/link", json={"token": expiring, "password": PASSWORD})
        assert (late.status, await late.json()) == (401, {"error": "bad_link"})
        # A newer link replaces an older unused one.
        first = await auth.make_sign_in_link("staff.zhang", timedelta(hours=1))
        await auth.make_sign_in_link("staff.zhang", timedelta(hours=1))
        replaced = await client.post("/api/sign-in/link", json={"token": first, "password": PASSWORD})
        assert replaced.status == 401
        # The password the first link set signs li in; the refused ones set nothing.
        await client.post("/api/sign-out")
        assert (await client.post("/api/sign-in", json={"person": "staff.li", "password": PASSWORD})).status == 200
        assert (await client.post("/api/sign-in", json={"person": "staff.wang", "password": PASSWORD})).status == 401


async def test_sign_out_and_a_password_change_end_the_session(clients: ClientFactory) -> None:
    clock = FakeClock(NOW)
    async with clients(clock=clock) as client:
        await sign_in(client, "staff.li")
        await client.post("/api/sign-out")
        assert (await client.get("/api/history")).status == 401
        await sign_in(client, "staff.li")
        assert (await client.get("/api/history")).status == 200
        clock.advance(timedelta(minutes=1))
        await core_of(client.app).auth.set_password("staff.li", "a brand new password")
        assert (await client.get("/api/history")).status == 401


async def test_requests_from_another_site_cannot_sign_in_or_open_the_socket(clients: ClientFactory) -> None:
    async with clients() as client:
        await core_of(client.app).auth.set_password("staff.li", PASSWORD)
        evil = {"Origin": "http://intranet-wiki.example:8081"}
        response = await client.post("/api/sign-in", json={"person": "staff.li", "password": PASSWORD}, headers=evil)
        assert response.status == 403
        await sign_in(client, "staff.li")
        with pytest.raises(WSServerHandshakeError) as refused:
            await client.ws_connect("/ws", headers=evil)
        assert refused.value.status == 403
        own = {"Origin": str(client.make_url("")).rstrip("/")}
        ws = await client.ws_connect("/ws", headers=own)
        await ws.close()


async def test_web_pages_carry_the_security_headers(clients: ClientFactory) -> None:
    async with clients() as client:
        await sign_in(client, "staff.li")
        for path in ("/", "/sign-in", "/kb", "/kb/printer-jam", "/static/chat.js", "/api/history", "/no-such-page"):
            response = await client.get(path)
            csp = response.headers.get("Content-Security-Policy", "")
            assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp, path
            assert response.headers["X-Frame-Options"] == "DENY"
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert response.headers["Referrer-Policy"] == "no-referrer"
        assert (await client.get("/api/history")).headers["Cache-Control"] == "no-store"


async def test_an_error_is_a_bare_500_and_a_log_line_never_a_stack_trace(
    clients: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    async with clients() as client:
        await sign_in(client, "staff.li")
        core = core_of(client.app)

        async def broken(person_id: str, limit: int = 100) -> list[Any]:
            raise RuntimeError("secret detail: /srv/helpdesk/bot/history.py line 42")

        core.history = broken  # type: ignore[method-assign]
        for accept in ("text/html", "application/json"):
            with caplog.at_level(logging.ERROR):
                response = await client.get("/api/history", headers={"Accept": accept})
            body = await response.text()
            assert response.status == 500
            assert "Traceback" not in body and "secret detail" not in body and "history.py" not in body
        assert "secret detail" in caplog.text  # the operator has it, in the log


async def test_in_demo_mode_anyone_picks_anyone_and_the_pick_ends_with_demo_mode(clients: ClientFactory) -> None:
    async with clients(demo_mode=True) as demo:
        assert await (await demo.get("/api/session")).json() == {"demo": True, "person": None}
        people = await (await demo.get("/api/people")).json()
        assert "staff.wang" in [p["id"] for p in people]
        picked = await demo.post("/api/demo/sign-in", json={"person": "staff.wang"})
        assert picked.status == 200
        assert (await demo.get("/api/history")).status == 200
        assert (await demo.get("/", allow_redirects=False)).status == 200
        cookie = demo.session.cookie_jar.filter_cookies(demo.make_url("/"))["helpdesk_session"].value
    # Same store, same key, demo mode off: the demo pick is no session.
    async with clients(demo_mode=False) as real:
        real.session.cookie_jar.update_cookies({"helpdesk_session": cookie})
        assert (await real.get("/api/history")).status == 401
        assert (await real.get("/api/people")).status == 404
