"""Settings: one frozen object read once at start-up and passed down.

The file is TOML (``config/helpdesk.toml`` by default); secrets and the deployment's database URL
come from environment variables so they never sit in the repository. A bad value stops start-up
with a ``ConfigError`` that names the key, e.g. ``web.port: Input should be less than 65536``.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator

from core.clock import DEFAULT_TIMEZONE

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_FILE = REPO_ROOT / "config" / "helpdesk.toml"


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file and the key."""


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DatabaseSettings(_Section):
    # SQLite by default; PostgreSQL with postgresql+asyncpg://user:pass@host/db
    url: str = "sqlite+aiosqlite:///var/helpdesk.db"
    busy_timeout_ms: int = Field(default=5000, ge=0)

    @field_validator("url")
    @classmethod
    def _known_driver(cls, url: str) -> str:
        if not url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return url


class NluSettings(_Section):
    url: str = "http://127.0.0.1:5005"
    timeout_s: float = Field(default=5.0, gt=0, le=60)
    # Start the bundled Rasa server with the bot (the embedded default); off when Rasa runs elsewhere.
    start_server: bool = True
    model: Path = Path("nlu/models/helpdesk-nlu.tar.gz")
    startup_timeout_s: float = Field(default=180.0, gt=0)


class WebSettings(_Section):
    # The browser side: the web chat, its sign-in and the guides (/kb, for signed-in people). Off,
    # the HTTP server still runs the REST webhook and /healthz.
    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    # Demo mode: the web chat lets anyone pick who they are, with a banner saying so. For trying the
    # bot out only; off, everyone signs in with a password.
    demo_mode: bool = False
    # The address people open the web chat at, for sign-in links (default http://host:port);
    # an https:// address also marks the session cookie Secure.
    public_url: str | None = None
    session_hours: float = Field(default=12.0, gt=0, le=24 * 30)
    sign_in_link_hours: float = Field(default=72.0, gt=0, le=24 * 30)
    # Failed sign-ins tolerated within the window, per person (as typed) and per address.
    sign_in_failures_per_person: int = Field(default=5, ge=1)
    sign_in_failures_per_address: int = Field(default=20, ge=1)
    sign_in_window_minutes: int = Field(default=15, ge=1)
    # The session cookie's Fernet key (32 bytes, URL-safe base64) from HELPDESK_SESSION_KEY; unset, one
    # is generated once and kept in the store. Setting it lets sessions survive a new store.
    session_key: SecretStr | None = None

    @field_validator("public_url")
    @classmethod
    def _http_url(cls, url: str | None) -> str | None:
        if url is not None and not url.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return url.rstrip("/") if url else url

    @field_validator("session_key")
    @classmethod
    def _fernet_key(cls, key: SecretStr | None) -> SecretStr | None:
        if key is None or not key.get_secret_value():
            return None
        try:
            raw = base64.urlsafe_b64decode(key.get_secret_value().encode("ascii"))
        except (ValueError, UnicodeEncodeError) as exc:
            raise ValueError("must be 32 bytes in URL-safe base64 (44 characters)") from exc
        if len(raw) != 32:
            raise ValueError("must be 32 bytes in URL-safe base64 (44 characters)")
        return key

    @property
    def base_url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"


class OutboxSettings(_Section):
    poll_interval_s: float = Field(default=1.0, gt=0)
    first_retry_s: float = Field(default=2.0, gt=0)
    max_retry_s: float = Field(default=300.0, gt=0)
    max_attempts: int = Field(default=20, ge=1)


class HandlingSettings(_Section):
    # A message whose handling raises this many times is given up: an ``unknown`` ticket is opened
    # with the error, the person is told its number and the service manager is notified.
    max_attempts: int = Field(default=3, ge=1, le=20)
    # An open dialog (a purchase's details, a complaint's facts) is dropped after this long unanswered.
    dialog_expiry_minutes: int = Field(default=30, ge=1, le=7 * 24 * 60)
    # The key of the buttons' MACs; unset, one is generated once and kept in the store.
    button_key: SecretStr | None = None


class ServiceSettings(_Section):
    timezone: str = DEFAULT_TIMEZONE
    hotline: str = "400-000-0000"
    # The language of everyone whose entry in the people directory names none.
    language: Literal["zh", "en"] = "zh"
    # On-site hours (5×8) on working days; outside them, and on weekends and statutory holidays
    # (not on 调休 make-up working days), the on-call engineer and the hotline take over.
    on_site_start: dt.time = dt.time(9, 0)
    on_site_end: dt.time = dt.time(17, 30)
    lunch_start: dt.time | None = dt.time(12, 0)
    lunch_end: dt.time | None = dt.time(13, 0)

    @model_validator(mode="after")
    def _hours_in_order(self) -> ServiceSettings:
        if not self.on_site_start < self.on_site_end:
            raise ValueError("on_site_start must be before on_site_end")
        if (self.lunch_start is None) != (self.lunch_end is None):
            raise ValueError("give both lunch_start and lunch_end, or neither")
        if self.lunch_start and self.lunch_end:
            if not self.on_site_start <= self.lunch_start < self.lunch_end <= self.on_site_end:
                raise ValueError("the lunch break must lie inside the on-site hours")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.timezone!r}") from exc
        return self


class PagingSettings(_Section):
    # An unconfirmed service record (服务记录单) closes its ticket after this many days.
    record_close_days: int = Field(default=3, ge=1, le=90)
    # A report joins an open urgent outage ticket opened at most this many minutes ago.
    storm_window_minutes: int = Field(default=120, ge=1)
    # Who is paged for each severity, when, and the response promise; absent file = built-in defaults.
    policy_file: Path = Path("config/paging.yaml")


class ComplaintSettings(_Section):
    """The complaint promise of the contract, in hours from the complaint, on the wall clock."""

    # The service manager checks the facts within this many hours, and answers the complainant
    # within this many; at each deadline the technical director is told.
    facts_hours: int = Field(default=8, ge=1, le=30 * 24)
    answer_hours: int = Field(default=24, ge=1, le=30 * 24)
    # The service manager is reminded this many hours after the complaint, before each deadline.
    facts_reminder_hours: int = Field(default=6, ge=1, le=30 * 24)
    answer_reminder_hours: int = Field(default=20, ge=1, le=30 * 24)

    @model_validator(mode="after")
    def _reminders_before_deadlines(self) -> ComplaintSettings:
        if not self.facts_reminder_hours < self.facts_hours:
            raise ValueError("facts_reminder_hours must be less than facts_hours (a reminder before the deadline)")
        if not self.answer_reminder_hours < self.answer_hours:
            raise ValueError("answer_reminder_hours must be less than answer_hours (a reminder before the deadline)")
        if not self.facts_hours <= self.answer_hours:
            raise ValueError("facts_hours must not be more than answer_hours (the facts come before the answer)")
        return self


class WecomSettings(_Section):
    """The WeCom (企业微信) self-built application; the channel is on when ``corp_id`` is set."""

    corp_id: str = ""
    agent_id: int = Field(default=0, ge=0)
    secret: SecretStr | None = None
    # The callback's Token and EncodingAESKey (43 characters), as set on the application's page.
    token: SecretStr | None = None
    aes_key: SecretStr | None = None
    api_base: str = "https://qyapi.weixin.qq.com/cgi-bin"
    # The engineers' group chat made by the application (``helpdesk wecom create-group``): pages go there too.
    engineers_chat_id: str = ""

    @property
    def enabled(self) -> bool:
        return bool(self.corp_id)

    @model_validator(mode="after")
    def _complete(self) -> WecomSettings:
        if not self.corp_id:
            return self
        missing = [k for k in ("agent_id", "secret", "token", "aes_key") if not getattr(self, k)]
        if missing:
            raise ValueError(f"corp_id is set, so these are needed too: {', '.join(missing)}")
        if self.aes_key is not None and len(self.aes_key.get_secret_value()) != 43:
            raise ValueError("aes_key (EncodingAESKey) must be 43 characters")
        if not self.api_base.startswith(("http://", "https://")):
            raise ValueError("api_base must start with http:// or https://")
        return self


class TelegramSettings(_Section):
    """The Telegram channel: on when a token is set (from @BotFather; HELPDESK_TELEGRAM_TOKEN)."""

    token: SecretStr | None = None
    # webhook: Telegram posts to <web.public_url>/webhooks/telegram (`helpdesk telegram set-webhook URL`);
    # polling: the bot asks Telegram for updates, for an office without a public address.
    mode: Literal["webhook", "polling"] = "polling"
    # The X-Telegram-Bot-Api-Secret-Token every webhook call must carry (1-256 of A-Z a-z 0-9 _ -).
    secret: SecretStr | None = None
    # The Bot API's address (a local Bot API server's in tests or on premises); files under <api_base>/file/bot.
    api_base: str = "https://api.telegram.org"
    # Telegram is blocked in mainland China: http://host:port or socks5://host:port.
    proxy: str | None = None
    # The engineers' duty group: it gets every page as well as the engineers themselves.
    duty_chat: int | None = None
    # The bot's @username, for the t.me deep link of an invitation (asked of Telegram when unset).
    username: str | None = None
    # How often a request Telegram answered with "retry after N s" is tried again before the outbox retries it.
    max_retries: int = Field(default=3, ge=1, le=10)

    @field_validator("api_base", "proxy")
    @classmethod
    def _url(cls, url: str | None) -> str | None:
        if url is not None and not re.match(r"^(https?|socks5h?)://", url):
            raise ValueError("must start with http://, https:// (or, for a proxy, socks5://)")
        return url.rstrip("/") if url else url

    @field_validator("secret")
    @classmethod
    def _secret_chars(cls, secret: SecretStr | None) -> SecretStr | None:
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret.get_secret_value()):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return secret

    @model_validator(mode="after")
    def _webhook_needs_a_secret(self) -> TelegramSettings:
        if self.token is not None and self.mode == "webhook" and self.secret is None:
            raise ValueError("webhook mode needs a secret (HELPDESK_TELEGRAM_SECRET) so forged calls are refused")
        return self

    @property
    def enabled(self) -> bool:
        return self.token is not None and bool(self.token.get_secret_value())


class AssetSettings(_Section):
    """The asset registry and the monthly inspection checklist (巡检表)."""

    # A label number (编号贴标) as printed on the sticker; found in messages case-insensitively.
    label_pattern: str = r"[A-Z]{2,3}-\d{3,5}"
    # The type a label's prefix stands for, used when a first visit's inspection names no type.
    label_types: dict[str, str] = Field(default_factory=lambda: {"PC": "pc", "NB": "laptop", "PR": "printer"})
    # On the month's last working day at this local time, the team and the service manager are told
    # what is left of the month's inspection.
    month_end_reminder: dt.time = dt.time(10, 0)

    @model_validator(mode="after")
    def _pattern_compiles(self) -> AssetSettings:
        try:
            re.compile(self.label_pattern)
        except re.error as exc:
            raise ValueError(f"label_pattern is not a regular expression: {exc}") from exc
        return self


class FileSettings(_Section):
    """Files people send (photos of an error, documents), kept on disk beside the database."""

    dir: Path = Path("var/files")
    # Telegram lets a bot download files up to 20 MB; WeCom's media/get serves up to 20 MB too.
    max_mb: float = Field(default=20.0, gt=0, le=200)

    @property
    def max_bytes(self) -> int:
        return int(self.max_mb * 1024 * 1024)


class Settings(_Section):
    database: DatabaseSettings = DatabaseSettings()
    nlu: NluSettings = NluSettings()
    web: WebSettings = WebSettings()
    outbox: OutboxSettings = OutboxSettings()
    handling: HandlingSettings = HandlingSettings()
    service: ServiceSettings = ServiceSettings()
    paging: PagingSettings = PagingSettings()
    complaints: ComplaintSettings = ComplaintSettings()
    telegram: TelegramSettings = TelegramSettings()
    assets: AssetSettings = AssetSettings()
    files: FileSettings = FileSettings()
    wecom: WecomSettings = WecomSettings()
    people_file: Path = Path("config/people.yaml")
    roster_file: Path = Path("config/roster.yaml")
    # Statutory holidays and make-up working days (调休) per year, ahead of chinese-calendar.
    holidays_file: Path = Path("config/holidays.yaml")
    kb_dir: Path = Path("kb")
    # Where the contract's reports are written: the files sent in chat and downloaded from the web chat.
    reports_dir: Path = Path("var/reports")
    # Relative paths above are taken from this folder (the repository root by default).
    base_dir: Path = REPO_ROOT

    def path(self, p: Path) -> Path:
        """An absolute path for a configured one."""
        return p if p.is_absolute() else self.base_dir / p

    @property
    def database_url(self) -> str:
        """The URL with a relative SQLite path made absolute under ``base_dir``."""
        url = self.database.url
        prefix = "sqlite+aiosqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
            return prefix + str(self.base_dir / url[len(prefix) :])
        return url


# Environment variables that override one key each (secrets and per-deployment values).
ENV_OVERRIDES: Mapping[str, tuple[str, str]] = {
    "HELPDESK_DATABASE_URL": ("database", "url"),
    "HELPDESK_RASA_URL": ("nlu", "url"),
    "HELPDESK_WEB_PORT": ("web", "port"),
    "HELPDESK_SESSION_KEY": ("web", "session_key"),
    "HELPDESK_BUTTON_KEY": ("handling", "button_key"),
    "HELPDESK_WECOM_CORP_ID": ("wecom", "corp_id"),
    "HELPDESK_WECOM_AGENT_ID": ("wecom", "agent_id"),
    "HELPDESK_WECOM_SECRET": ("wecom", "secret"),
    "HELPDESK_WECOM_TOKEN": ("wecom", "token"),
    "HELPDESK_WECOM_AES_KEY": ("wecom", "aes_key"),
    "HELPDESK_WECOM_API_BASE": ("wecom", "api_base"),
    "HELPDESK_WECOM_ENGINEERS_CHAT_ID": ("wecom", "engineers_chat_id"),
    "HELPDESK_TELEGRAM_TOKEN": ("telegram", "token"),
    "HELPDESK_TELEGRAM_MODE": ("telegram", "mode"),
    "HELPDESK_TELEGRAM_SECRET": ("telegram", "secret"),
    "HELPDESK_TELEGRAM_API_BASE": ("telegram", "api_base"),
    "HELPDESK_TELEGRAM_PROXY": ("telegram", "proxy"),
    "HELPDESK_TELEGRAM_DUTY_CHAT": ("telegram", "duty_chat"),
}


def _describe(error: ValidationError, source: str) -> str:
    lines = [f"invalid configuration in {source}:"]
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"])
        lines.append(f"  {key}: {item['msg']}")
    return "\n".join(lines)


def load_settings(
    path: Path | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Read and validate the settings file, then the environment overrides.

    ``path`` None means the default file, which may be absent (embedded defaults apply). An explicit
    path must exist. ``overrides`` (section → values) lets tests and the CLI set keys directly.
    """
    data: dict[str, Any] = {}
    source = str(path or DEFAULT_CONFIG_FILE)
    file = path or DEFAULT_CONFIG_FILE
    if file.exists():
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"cannot parse {source}: {exc}") from exc
    elif path is not None:
        raise ConfigError(f"configuration file not found: {source}")
    for var, (section, key) in ENV_OVERRIDES.items() if env is not None else ():
        if var in (env or {}):
            data.setdefault(section, {})[key] = (env or {})[var]
    for section, values in (overrides or {}).items():
        if isinstance(values, Mapping):
            data.setdefault(section, {}).update(values)
        else:
            data[section] = values
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, source)) from exc
