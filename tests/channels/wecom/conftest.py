"""The bot in process (aiohttp's test server on the real app) wired to a fake WeCom API, with a
directory whose people all have WeCom user ids (``wx-<person id>``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp.test_utils import TestClient, TestServer

import storage
from bot.app import RUNTIME, build_app
from config.settings import REPO_ROOT
from nlu.client import NluClient
from tests.conftest import make_settings
from tests.support.fake_wecom import AES_KEY, AGENT_ID, TOKEN, FakeWecom

WECOM = "/webhooks/wecom"


def wx(person_id: str) -> str:
    """The WeCom user id the test directory gives a person."""
    return f"wx-{person_id}"


def people_file(folder: Path, *, without: tuple[str, ...] = ()) -> Path:
    """The demo directory, each person with a WeCom identity (but those in ``without``)."""
    data = yaml.safe_load((REPO_ROOT / "config" / "people.yaml").read_text(encoding="utf-8"))
    for person in data["people"]:
        if person["id"] not in without:
            person["identities"] = {"wecom": wx(person["id"])}
    path = folder / "people.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def wecom_settings(fake: FakeWecom, **extra: Any) -> dict[str, Any]:
    return {
        "corp_id": fake.corp_id,
        "agent_id": AGENT_ID,
        "secret": "fake-app-secret",
        "token": TOKEN,
        "aes_key": AES_KEY,
        "api_base": fake.base,
        **extra,
    }


@pytest.fixture
def fake_wecom() -> Iterator[FakeWecom]:
    fake = FakeWecom().start()
    yield fake
    fake.stop()


WecomClientFactory = Callable[..., Any]


@pytest.fixture
async def wecom_client(database_url: str, tmp_path: Path, fake_wecom: FakeWecom) -> AsyncIterator[WecomClientFactory]:
    """``await make(nlu, clock=..., wecom={...})``: a test client of the real app, started."""
    clients: list[TestClient[Any, Any]] = []

    async def make(nlu: NluClient, clock: Any = None, **sections: Any) -> TestClient[Any, Any]:
        settings = make_settings(
            database_url,
            wecom=wecom_settings(fake_wecom, **sections.pop("wecom", {})),
            outbox={"poll_interval_s": 0.05, "first_retry_s": 0.05},
            people_file=str(people_file(tmp_path)),
            files={"dir": str(tmp_path / "files")},
            **sections,
        )
        client = TestClient(TestServer(build_app(settings, clock=clock, nlu=nlu)))
        await client.start_server()
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()


async def post_callback(client: TestClient[Any, Any], fake: FakeWecom, xml: str) -> Any:
    query, body = fake.callback(xml)
    return await client.post(f"{WECOM}?{query}", data=body.encode("utf-8"))


def sessions_of(client: TestClient[Any, Any]) -> storage.SessionFactory:
    sessions = client.app[RUNTIME].sessions
    assert sessions is not None
    return sessions
