"""Signing in and API tokens for in-process tests of the web app (aiohttp's test client on the
real app): what ``helpdesk people set-password`` and ``helpdesk tokens create`` do, without a process."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.app import RUNTIME
from bot.core import HelpdeskCore

PASSWORD = "correct horse battery"


def core_of(app: web.Application) -> HelpdeskCore:
    core = app[RUNTIME].core
    assert core is not None, "the app has not started"
    return core


async def api_token(app: web.Application, name: str = "tests", senders: list[str] | None = None) -> str:
    return await core_of(app).auth.create_token(name, senders)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def sign_in(client: TestClient[Any, Any], person: str, password: str = PASSWORD) -> None:
    """Give the person a password and sign in; the client's cookie jar then holds their session."""
    await core_of(client.app).auth.set_password(person, password)
    response = await client.post("/api/sign-in", json={"person": person, "password": password})
    assert response.status == 200, await response.text()
