"""The real bot app (aiohttp's test server on ``build_app``) with its Telegram channel talking, through
the real python-telegram-bot, to the fake Bot API (``tests.support.fake_telegram``), in webhook or
polling mode; people in the directory have Telegram ids."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp import web
from aiohttp.test_utils import TestServer

import storage
from bot.app import RUNTIME, build_app
from bot.core import HelpdeskCore
from channels.telegram import TelegramChannel
from config.settings import REPO_ROOT
from nlu.client import NluClient
from tests.conftest import make_settings
from tests.support.fake_telegram import TOKEN, FakeTelegram, TgUser
from tests.support.processes import free_port

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai: eng.chen and eng.liu on duty
SECRET = "s3cret-of-the_webhook"
DUTY_CHAT = -1001234567890
# Telegram user ids of the people in the demo directory (their private chats have the same ids).
TELEGRAM_IDS = {
    "staff.li": 1001,
    "staff.wang": 1002,
    "staff.zhang": 1003,
    "eng.chen": 2001,
    "eng.liu": 2002,
    "eng.zhao": 2003,
    "eng.wu": 2004,
    "eng.sun": 2005,
    "eng.qian": 2006,
    "dir.zhou": 2007,
    "svc.ma": 3001,
    "mgr.he": 3002,
    "admin": 3003,
}


def people_with_telegram(folder: Path, unbound: tuple[str, ...] = ()) -> Path:
    """The demo directory with a Telegram id for everyone but ``unbound``."""
    data = yaml.safe_load((REPO_ROOT / "config" / "people.yaml").read_text(encoding="utf-8"))
    for person in data["people"]:
        if person["id"] not in unbound:
            person["identities"] = {"telegram": str(TELEGRAM_IDS[person["id"]])}
    path = folder / "people.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@dataclass
class TelegramBot:
    """The running bot, the fake Telegram it talks to, and the people as Telegram users."""

    mode: str
    fake: FakeTelegram
    app: web.Application
    server: TestServer

    @property
    def core(self) -> HelpdeskCore:
        core = self.app[RUNTIME].core
        assert core is not None
        return core

    @property
    def sessions(self) -> storage.SessionFactory:
        sessions = self.app[RUNTIME].sessions
        assert sessions is not None
        return sessions

    @property
    def channel(self) -> TelegramChannel:
        channel = self.app[RUNTIME].extra_adapters["telegram"]
        assert isinstance(channel, TelegramChannel)
        return channel

    @staticmethod
    def user(person: str, language: str = "zh-hans") -> TgUser:
        return TgUser(TELEGRAM_IDS[person], person, language)

    async def send(self, update: dict[str, Any]) -> None:
        """Telegram hands the bot an update: posted to the webhook, or waiting for getUpdates."""
        if self.mode == "webhook":
            status = await self.fake.deliver(update)
            assert status == 200
        else:
            self.fake.queue(update)

    async def says(self, person: str, text: str, **kwargs: Any) -> dict[str, Any]:
        update = self.fake.message_update(self.user(person), text, **kwargs)
        await self.send(update)
        return update


class RunningClock:
    """The wall clock moved back to ``NOW`` (a Monday morning, for a known duty team), still running
    so that the outbox's retry backoff passes."""

    def __init__(self, start: datetime) -> None:
        self._offset = start - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset


StartBot = Callable[..., Awaitable[TelegramBot]]


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    fake = FakeTelegram().start()
    yield fake
    fake.stop()


@pytest.fixture
async def start_bot(fake_telegram: FakeTelegram, tmp_path: Path, sqlite_url: str) -> AsyncIterator[StartBot]:
    """``await start_bot(mode, nlu=..., rasa_url=..., duty_chat=...)``: the app running, Telegram ready."""
    servers: list[TestServer] = []

    async def start(
        mode: str,
        *,
        nlu: NluClient | None = None,
        rasa_url: str | None = None,
        duty_chat: int | None = None,
        unbound: tuple[str, ...] = (),
        database_url: str = sqlite_url,
        proxy: str | None = None,
    ) -> TelegramBot:
        telegram: dict[str, Any] = {
            "token": TOKEN,
            "mode": mode,
            "secret": SECRET,
            "api_base": fake_telegram.api_base,
            "duty_chat": duty_chat,
            "proxy": proxy,
        }
        nlu_settings: dict[str, Any] = {"start_server": False}
        if rasa_url:
            nlu_settings.update(url=rasa_url, timeout_s=10.0)
        settings = make_settings(
            database_url,
            telegram=telegram,
            nlu=nlu_settings,
            people_file=people_with_telegram(tmp_path, unbound),
            outbox={"first_retry_s": 0.5, "poll_interval_s": 0.2},
            files={"dir": str(tmp_path / "files"), "max_mb": 1},
        )
        app = build_app(settings, clock=RunningClock(NOW), nlu=nlu)
        server = TestServer(app, port=free_port())
        await server.start_server()
        servers.append(server)
        bot = TelegramBot(mode, fake_telegram, app, server)
        await fake_telegram.wait_for(lambda: bot.channel.ready, 20, "the Telegram channel to be ready")
        if mode == "webhook":
            # What `helpdesk telegram set-webhook URL` does (tested on its own in test_cli_telegram.py).
            fake_telegram.webhook_url = str(server.make_url("/webhooks/telegram"))
            fake_telegram.webhook_secret = SECRET
        return bot

    yield start
    for server in servers:
        await server.close()
