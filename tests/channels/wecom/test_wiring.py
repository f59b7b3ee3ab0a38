"""The WeCom settings and start-up: every key also from the environment, a bad secret stops start-up
with a message saying what to fix, and the callback path is served only when WeCom is configured."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import build_app
from config.settings import REPO_ROOT, ConfigError, load_settings
from tests.channels.wecom.conftest import WECOM, wecom_settings
from tests.conftest import make_settings
from tests.support.builders import ScriptedNlu
from tests.support.fake_wecom import AES_KEY, AGENT_ID, TOKEN, FakeWecom
from tests.support.processes import free_port, write_config


def test_every_wecom_setting_comes_from_the_environment() -> None:
    env = {
        "HELPDESK_WECOM_CORP_ID": "ww0123456789",
        "HELPDESK_WECOM_AGENT_ID": "1000002",
        "HELPDESK_WECOM_SECRET": "s3cret",
        "HELPDESK_WECOM_TOKEN": "tok",
        "HELPDESK_WECOM_AES_KEY": AES_KEY,
        "HELPDESK_WECOM_API_BASE": "http://127.0.0.1:9/cgi-bin",
        "HELPDESK_WECOM_ENGINEERS_CHAT_ID": "wrEngineers",
    }
    wc = load_settings(env=env).wecom
    assert wc.enabled and (wc.corp_id, wc.agent_id, wc.api_base) == (
        "ww0123456789",
        1000002,
        env["HELPDESK_WECOM_API_BASE"],
    )
    assert wc.secret is not None and wc.secret.get_secret_value() == "s3cret"
    assert wc.token is not None and wc.aes_key is not None and wc.engineers_chat_id == "wrEngineers"
    assert "s3cret" not in repr(wc)


def test_a_half_configured_wecom_is_refused_naming_what_is_missing() -> None:
    with pytest.raises(ConfigError, match="secret, token, aes_key"):
        load_settings(env={"HELPDESK_WECOM_CORP_ID": "ww0123456789", "HELPDESK_WECOM_AGENT_ID": "1"})
    with pytest.raises(ConfigError, match="43 characters"):
        load_settings(
            overrides={"wecom": {"corp_id": "ww1", "agent_id": 1, "secret": "s", "token": "t", "aes_key": "short"}}
        )


async def test_a_bad_secret_stops_start_up_with_a_clear_message(sqlite_url: str, tmp_path: Path) -> None:
    fake = FakeWecom(secret="the-real-secret").start()
    try:
        settings = make_settings(sqlite_url, wecom=wecom_settings(fake), files={"dir": str(tmp_path / "files")})
        client = TestClient(TestServer(build_app(settings, nlu=ScriptedNlu({}))))
        with pytest.raises(ConfigError, match=r"errcode 40001.*HELPDESK_WECOM_SECRET"):
            await client.start_server()
        await client.close()
    finally:
        fake.stop()


async def test_without_wecom_settings_there_is_no_callback_path(sqlite_url: str, tmp_path: Path) -> None:
    settings = make_settings(sqlite_url, files={"dir": str(tmp_path / "files")})
    async with TestClient(TestServer(build_app(settings, nlu=ScriptedNlu({})))) as client:
        assert (await client.get(WECOM)).status == 404


def test_helpdesk_run_with_a_bad_secret_exits_saying_what_to_fix(sqlite_url: str, tmp_path: Path) -> None:
    fake = FakeWecom(secret="the-real-secret").start()
    try:
        config = write_config(tmp_path, sqlite_url, "http://127.0.0.1:9", free_port())
        config.write_text(
            config.read_text(encoding="utf-8")
            + f'[wecom]\ncorp_id = "{fake.corp_id}"\nagent_id = {AGENT_ID}\nsecret = "an-old-secret"\n'
            f'token = "{TOKEN}"\naes_key = "{AES_KEY}"\napi_base = "{fake.base}"\n',
            encoding="utf-8",
        )
        helpdesk = Path(sys.executable).parent / "helpdesk"
        done = subprocess.run(
            [str(helpdesk), "--config", str(config), "run"], capture_output=True, text=True, timeout=120, cwd=REPO_ROOT
        )
    finally:
        fake.stop()
    assert done.returncode == 2
    assert "WeCom refused the application's secret (errcode 40001" in done.stderr
    assert "HELPDESK_WECOM_SECRET" in done.stderr
