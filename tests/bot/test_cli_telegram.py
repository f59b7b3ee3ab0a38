"""``helpdesk telegram set-webhook / status / delete-webhook`` and the invite's t.me deep link, as an
operator runs them, against the fake Bot API (the real python-telegram-bot talking to it)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from config.settings import REPO_ROOT
from tests.support.fake_telegram import BOT_USERNAME, TOKEN, FakeTelegram

HELPDESK = str(Path(sys.executable).parent / "helpdesk")
SECRET = "the-webhook_secret"


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    server = FakeTelegram().start()
    yield server
    server.stop()


def _config(folder: Path, fake: FakeTelegram) -> Path:
    path = folder / "helpdesk.toml"
    path.write_text(
        f'base_dir = "{REPO_ROOT}"\n'
        f'[database]\nurl = "sqlite+aiosqlite:///{folder / "helpdesk.db"}"\n'
        f'[telegram]\ntoken = "{TOKEN}"\nmode = "webhook"\nsecret = "{SECRET}"\napi_base = "{fake.api_base}"\n',
        encoding="utf-8",
    )
    return path


def run(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [HELPDESK, "--config", str(config), *args], capture_output=True, text=True, timeout=120, cwd=REPO_ROOT
    )


def test_set_webhook_status_and_delete_webhook_reach_telegram(tmp_path: Path, fake: FakeTelegram) -> None:
    config = _config(tmp_path, fake)
    refused = run(config, "telegram", "set-webhook", "http://helpdesk.example.cn")
    assert refused.returncode == 2 and "https://" in refused.stderr and not fake.calls_of("setWebhook")

    done = run(config, "telegram", "set-webhook", "https://helpdesk.example.cn/")
    assert done.returncode == 0, done.stderr
    assert fake.webhook_url == "https://helpdesk.example.cn/webhooks/telegram"
    assert fake.webhook_secret == SECRET
    [call] = fake.calls_of("setWebhook")
    assert call["allowed_updates"] == ["message", "callback_query"]

    status = run(config, "telegram", "status")
    assert status.returncode == 0, status.stderr
    assert f"@{BOT_USERNAME}" in status.stdout and "https://helpdesk.example.cn/webhooks/telegram" in status.stdout

    deleted = run(config, "telegram", "delete-webhook")
    assert deleted.returncode == 0 and fake.webhook_url == ""
    assert "(none: polling)" in run(config, "telegram", "status").stdout


def test_the_invite_prints_the_deep_link_with_the_bots_name_from_telegram(tmp_path: Path, fake: FakeTelegram) -> None:
    config = _config(tmp_path, fake)
    made = run(config, "people", "invite", "staff.li")
    assert made.returncode == 0, made.stderr
    code = made.stdout.strip().splitlines()[-1]  # the code stays alone on the last line
    assert f"https://t.me/{BOT_USERNAME}?start={code}" in made.stdout


def test_without_a_token_the_telegram_commands_say_what_to_set(tmp_path: Path) -> None:
    config = tmp_path / "helpdesk.toml"
    config.write_text(f'base_dir = "{REPO_ROOT}"\n', encoding="utf-8")
    result = run(config, "telegram", "status")
    assert result.returncode == 2 and "HELPDESK_TELEGRAM_TOKEN" in result.stderr
