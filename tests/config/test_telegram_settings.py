"""[telegram] settings: each also from the environment, and what cannot work refused at start-up."""

from __future__ import annotations

import pytest

from config.settings import ConfigError, load_settings


def test_telegram_is_off_without_a_token_and_every_key_comes_from_the_environment() -> None:
    assert not load_settings(env={}).telegram.enabled
    settings = load_settings(
        env={
            "HELPDESK_TELEGRAM_TOKEN": "123:abc",
            "HELPDESK_TELEGRAM_MODE": "webhook",
            "HELPDESK_TELEGRAM_SECRET": "a-long_secret",
            "HELPDESK_TELEGRAM_API_BASE": "http://127.0.0.1:8081/",
            "HELPDESK_TELEGRAM_PROXY": "socks5://10.0.0.2:1080",
            "HELPDESK_TELEGRAM_DUTY_CHAT": "-1001234567890",
        }
    ).telegram
    assert settings.enabled and settings.mode == "webhook"
    assert settings.token is not None and settings.token.get_secret_value() == "123:abc"
    assert settings.secret is not None and settings.secret.get_secret_value() == "a-long_secret"
    assert (settings.api_base, settings.proxy, settings.duty_chat) == (
        "http://127.0.0.1:8081",
        "socks5://10.0.0.2:1080",
        -1001234567890,
    )
    assert "123:abc" not in repr(settings)  # secrets stay out of logs


@pytest.mark.parametrize(
    ("env", "key"),
    [
        ({"HELPDESK_TELEGRAM_MODE": "webhook"}, "telegram"),  # a webhook without a secret
        ({"HELPDESK_TELEGRAM_SECRET": "has spaces"}, "telegram.secret"),
        ({"HELPDESK_TELEGRAM_MODE": "push"}, "telegram.mode"),
        ({"HELPDESK_TELEGRAM_PROXY": "10.0.0.2:1080"}, "telegram.proxy"),
        ({"HELPDESK_TELEGRAM_DUTY_CHAT": "duty"}, "telegram.duty_chat"),
    ],
)
def test_a_telegram_setting_that_cannot_work_stops_start_up_naming_its_key(env: dict[str, str], key: str) -> None:
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_settings(env={"HELPDESK_TELEGRAM_TOKEN": "123:abc", **env})
