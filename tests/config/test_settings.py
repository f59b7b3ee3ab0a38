"""Settings are validated at start-up; a bad value stops the bot with a message naming the key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import storage
from bot.directory import load_directory
from config.settings import ConfigError, load_settings


def test_the_embedded_defaults_run_sqlite_web_chat_and_the_bundled_model() -> None:
    settings = load_settings(env={})
    assert settings.database_url.startswith("sqlite+aiosqlite:///") and settings.database_url.endswith(
        "var/helpdesk.db"
    )
    assert settings.web.port == 8080 and settings.nlu.start_server


def test_a_bad_value_names_its_key(tmp_path: Path) -> None:
    bad = tmp_path / "helpdesk.toml"
    bad.write_text("[web]\nport = 70000\n[nlu]\ntimeout_s = -1\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(bad)
    assert "web.port" in str(caught.value) and "nlu.timeout_s" in str(caught.value)


def test_an_unknown_key_is_refused_rather_than_ignored(tmp_path: Path) -> None:
    bad = tmp_path / "helpdesk.toml"
    bad.write_text("[databse]\nurl = 'x'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="databse"):
        load_settings(bad)


def test_environment_variables_override_the_file() -> None:
    settings = load_settings(
        env={"HELPDESK_DATABASE_URL": "postgresql+asyncpg://u@127.0.0.1/h", "HELPDESK_WEB_PORT": "9090"}
    )
    assert settings.database_url == "postgresql+asyncpg://u@127.0.0.1/h" and settings.web.port == 9090


def test_a_database_url_with_an_unknown_driver_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"database\.url"):
        load_settings(env={"HELPDESK_DATABASE_URL": "mysql://x"})


def test_helpdesk_run_with_a_bad_config_exits_with_the_key_in_the_message(tmp_path: Path) -> None:
    bad = tmp_path / "helpdesk.toml"
    bad.write_text("[web]\nport = 'eighty'\n", encoding="utf-8")
    helpdesk = Path(sys.executable).parent / "helpdesk"
    result = subprocess.run([str(helpdesk), "--config", str(bad), "run"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "web.port" in result.stderr


def test_the_demo_directory_loads_and_a_broken_one_names_the_entry(tmp_path: Path) -> None:
    people = load_directory(Path(__file__).resolve().parents[2] / "config" / "people.yaml")
    assert {p.role for p in people} == {"staff", "engineer", "manager", "admin"}
    broken = tmp_path / "people.yaml"
    broken.write_text("people:\n  - id: a\n    name: A\n    role: boss\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"people\.0\.role"):
        load_directory(broken)


def test_the_directory_marks_the_service_companys_people() -> None:
    people = load_directory(Path(__file__).resolve().parents[2] / "config" / "people.yaml")
    assert [p.id for p in people if p.service_company] == ["svc.ma"]


async def test_syncing_the_directory_stores_the_service_company_mark(sessions: storage.SessionFactory) -> None:
    async with sessions() as s:
        marked = {p.id for p in await storage.list_people(s) if p.service_company}
    assert marked == {"svc.ma"}


def test_the_shipped_paging_policy_file_is_the_contracts_defaults() -> None:
    from bot.contract import load_policy
    from handlers.paging.policy import DEFAULT_POLICY

    assert load_policy(load_settings(env={})) == DEFAULT_POLICY


def test_a_changed_paging_policy_is_used_and_a_bad_one_names_its_key(tmp_path: Path) -> None:
    from bot.contract import load_policy

    policy = tmp_path / "paging.yaml"
    shipped = (Path(__file__).resolve().parents[2] / "config" / "paging.yaml").read_text(encoding="utf-8")
    policy.write_text(shipped.replace("{notify: on_duty, ack_minutes: 5}", "{notify: on_duty, ack_minutes: 3}"))
    settings = load_settings(env={}, overrides={"paging": {"policy_file": str(policy)}})
    assert load_policy(settings).urgent.chain[0].ack_minutes == 3
    policy.write_text(shipped.replace("notify: backup, ack_minutes: 10", "notify: janitor, ack_minutes: 10"))
    with pytest.raises(ConfigError, match=r"paging\.urgent\.chain\[1\]\.notify"):
        load_policy(settings)


def test_on_site_hours_are_configurable_and_checked(tmp_path: Path) -> None:
    import datetime as dt

    from bot.contract import on_site_hours
    from handlers.paging.calendar import BusinessCalendar

    config = tmp_path / "helpdesk.toml"
    config.write_text("[service]\non_site_start = 08:30:00\non_site_end = 18:00:00\n", encoding="utf-8")
    calendar = BusinessCalendar(on_site_hours(load_settings(config)))
    shanghai = dt.timezone(dt.timedelta(hours=8))
    # Monday 2026-11-23: 08:45 is on site with these hours (it would not be with the defaults).
    assert calendar.is_on_site(dt.datetime(2026, 11, 23, 8, 45, tzinfo=shanghai))
    assert calendar.is_after_hours(dt.datetime(2026, 11, 23, 18, 5, tzinfo=shanghai))
    config.write_text("[service]\non_site_start = 18:00:00\non_site_end = 09:00:00\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="service"):
        load_settings(config)


def test_the_complaint_windows_reach_the_contract_and_a_reminder_after_its_deadline_is_refused(
    tmp_path: Path,
) -> None:
    from datetime import timedelta

    from bot.contract import load_contract
    from handlers.contract import ComplaintClocks

    assert load_contract(load_settings(env={})).complaints == ComplaintClocks()  # the shipped file: 8 h, 24 h
    config = tmp_path / "helpdesk.toml"
    config.write_text("[complaints]\nfacts_hours = 4\nfacts_reminder_hours = 3\n", encoding="utf-8")
    clocks = load_contract(load_settings(config)).complaints
    assert (clocks.facts, clocks.facts_reminder) == (timedelta(hours=4), timedelta(hours=3))
    assert (clocks.answer, clocks.answer_reminder) == (timedelta(hours=24), timedelta(hours=20))
    for section, key in (
        ("facts_hours = 4", "facts_reminder_hours"),  # the default reminder at 6 h comes after 4 h
        ("answer_hours = 12\nanswer_reminder_hours = 12", "answer_reminder_hours"),
        ("facts_hours = 30", "facts_hours must not be more than answer_hours"),
        ("answer_hours = 0", r"complaints\.answer_hours"),
    ):
        config.write_text(f"[complaints]\n{section}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match=key):
            load_settings(config)


async def test_the_contracts_language_is_everyones_whose_directory_entry_names_none(tmp_path: Path) -> None:
    import storage
    from bot.app import open_database
    from tests.conftest import make_settings

    people = tmp_path / "people.yaml"
    people.write_text(
        "people:\n  - {id: a, name: Ann, role: staff}\n  - {id: b, name: 李四, role: staff, language: zh}\n",
        encoding="utf-8",
    )
    settings = make_settings(
        f"sqlite+aiosqlite:///{tmp_path / 'helpdesk.db'}", service={"language": "en"}, people_file=str(people)
    )
    engine, sessions = await open_database(settings)
    try:
        async with sessions() as s:
            languages = {p.id: p.language for p in await storage.list_people(s)}
    finally:
        await engine.dispose()
    assert languages == {"a": "en", "b": "zh"}


def test_demo_mode_is_off_by_default_and_on_only_in_the_shipped_demo_config(tmp_path: Path) -> None:
    from config.settings import DEFAULT_CONFIG_FILE

    plain = tmp_path / "helpdesk.toml"
    plain.write_text("[web]\nport = 8081\n", encoding="utf-8")
    assert load_settings(plain, env={}).web.demo_mode is False
    assert load_settings(DEFAULT_CONFIG_FILE, env={}).web.demo_mode is True


def test_the_session_key_comes_from_the_environment_and_must_be_a_fernet_key() -> None:
    key = "A" * 43 + "="
    settings = load_settings(env={"HELPDESK_SESSION_KEY": key})
    assert settings.web.session_key is not None and settings.web.session_key.get_secret_value() == key
    assert key not in repr(settings)  # a secret is never printed with the settings
    assert load_settings(env={}).web.session_key is None
    with pytest.raises(ConfigError, match=r"web\.session_key"):
        load_settings(env={"HELPDESK_SESSION_KEY": "too-short"})
