"""One lifecycle for the running bot: aiohttp's cleanup contexts open and close, in order, the
database, the shared HTTP session, the Rasa server (when we start it), and the workers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import aiohttp
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine
from wechatpy.enterprise.crypto import WeChatCrypto

import storage
from bot import telegram_setup
from bot.auth import Auth, SignInLimits
from bot.contract import load_contract
from bot.core import HelpdeskCore
from bot.directory import load_directory
from bot.health import Health, HealthTrackedNlu
from bot.kb_holder import KnowledgeBaseHolder
from bot.outbox import OutboxWorker
from bot.outbox.buttons import configure_key as configure_button_key
from bot.outbox.dispatch import DutyGroup, configure_duty_group, configure_page_group
from bot.pipeline import Pipeline
from bot.reports_worker import ReportWorker
from bot.retriage import RetriageWorker
from bot.timers import TimerWorker
from channels.base import ChannelAdapter
from channels.web.access import WebAccess
from channels.web.chat import WebChatChannel, setup_web_routes
from channels.web.kb_pages import setup_kb_routes
from channels.wecom import WecomApi, WecomApiError, WecomBadSecret, WecomCallback, WecomChannel, WecomGroupChannel
from config.settings import ConfigError, Settings
from core.clock import Clock, SystemClock
from handlers.assets import schedule_month_end
from handlers.kb.articles import KnowledgeBase, KnowledgeBaseError
from handlers.registry import TIMER_HANDLERS
from handlers.reports import schedule_monthly_push
from nlu.client import NluClient
from nlu.rasa_http import RasaHttpClient
from storage.files import FileStore

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """What the running app holds; filled in by the cleanup contexts in order."""

    settings: Settings
    clock: Clock
    health: Health
    nlu_override: NluClient | None = None
    extra_adapters: dict[str, ChannelAdapter] = field(default_factory=dict)
    engine: AsyncEngine | None = None
    sessions: storage.SessionFactory | None = None
    http: aiohttp.ClientSession | None = None
    nlu_url: str = ""
    core: HelpdeskCore | None = None
    kb: KnowledgeBaseHolder = field(default_factory=lambda: KnowledgeBaseHolder(KnowledgeBase([])))
    web_channel: WebChatChannel = field(default_factory=WebChatChannel)
    wecom: WecomApi | None = None


RUNTIME = web.AppKey("runtime", Runtime)
WECOM_CALLBACK = web.AppKey("wecom_callback", WecomCallback)
PID_FILE = Path("var/helpdesk.pid")


async def open_database(settings: Settings) -> tuple[AsyncEngine, storage.SessionFactory]:
    """Engine with migrations applied and the people directory synced."""
    engine = storage.make_engine(settings.database_url, settings.database.busy_timeout_ms)
    await storage.upgrade(engine)
    sessions = storage.make_session_factory(engine)
    records = load_directory(settings.path(settings.people_file), settings.service.language)
    async with sessions() as session, session.begin():
        # WeCom's own directory (``helpdesk wecom sync-people``) keeps the colleagues it imported.
        await storage.sync_people(session, records, spare_channels=("wecom",))
    return engine, sessions


async def _database_ctx(app: web.Application) -> AsyncIterator[None]:
    rt = app[RUNTIME]
    rt.engine, rt.sessions = await open_database(rt.settings)
    # Loaded with the database so that a broken folder stops start-up before anything listens.
    rt.kb = KnowledgeBaseHolder.from_folder(rt.settings.path(rt.settings.kb_dir))
    pid_file = rt.settings.path(PID_FILE)
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    pid_file.write_text(str(os.getpid()), encoding="utf-8")
    yield
    with contextlib.suppress(OSError):
        pid_file.unlink()
    await rt.engine.dispose()


async def _http_ctx(app: web.Application) -> AsyncIterator[None]:
    rt = app[RUNTIME]
    rt.http = aiohttp.ClientSession()
    yield
    await rt.http.close()


async def _wecom_ctx(app: web.Application) -> AsyncIterator[None]:
    """The WeCom application, when configured: its first token (a bad secret stops start-up) and its
    adapters; pages are copied to the engineers' group when one is configured."""
    rt = app[RUNTIME]
    wc = rt.settings.wecom
    if not wc.enabled:
        yield
        return
    assert rt.http is not None and wc.secret is not None
    rt.wecom = WecomApi(rt.http, wc.corp_id, wc.secret.get_secret_value(), wc.api_base)
    try:
        await rt.wecom.start()
    except WecomBadSecret as exc:
        raise ConfigError(
            f"WeCom refused the application's secret (errcode {exc.errcode}: {exc.errmsg}): check [wecom] corp_id "
            "and secret (HELPDESK_WECOM_CORP_ID, HELPDESK_WECOM_SECRET) on the application's page"
        ) from exc
    except WecomApiError as exc:
        log.error("WeCom did not give a token at start-up (%s); sending will try again", exc)
    rt.extra_adapters["wecom"] = WecomChannel(rt.wecom, wc.agent_id)
    if wc.engineers_chat_id:
        rt.extra_adapters["wecom_group"] = WecomGroupChannel(rt.wecom)
        configure_page_group("wecom_group", wc.engineers_chat_id)
    yield
    configure_page_group(None, None)
    await app[WECOM_CALLBACK].close()


async def _rasa_ctx(app: web.Application) -> AsyncIterator[None]:
    """Start the bundled Rasa server unless one answers already (or starting is switched off)."""
    rt = app[RUNTIME]
    rt.nlu_url = rt.settings.nlu.url
    server = None
    if rt.nlu_override is None and rt.settings.nlu.start_server and not await _answers(rt):
        from nlu.server import RasaServer

        port = int(rt.nlu_url.rsplit(":", 1)[1].split("/")[0])
        server = RasaServer(
            rt.settings.path(rt.settings.nlu.model),
            port=port,
            startup_timeout_s=rt.settings.nlu.startup_timeout_s,
            log_path=rt.settings.path(Path("var/rasa.log")),
        )
        log.info("starting Rasa on %s (log: %s)", rt.nlu_url, server.log_path)
        await server.start()
        log.info("Rasa is ready")
    supervisor = None
    if server is not None:
        # The Rasa we started is ours to keep alive: restarted when it exits, shown in /healthz.
        rt.health.rasa_supervised()
        supervisor = asyncio.create_task(server.supervise(rt.health), name="rasa-supervisor")
    yield
    if supervisor is not None:
        supervisor.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await supervisor
    if server is not None:
        await server.stop()
        rt.health.rasa_stopped()


async def _answers(rt: Runtime) -> bool:
    assert rt.http is not None
    try:
        async with rt.http.get(rt.nlu_url + "/status", timeout=aiohttp.ClientTimeout(total=2)) as resp:
            return resp.status == 200
    except (aiohttp.ClientError, TimeoutError):
        return False


def reload_knowledge_base(rt: Runtime) -> str:
    """Swap in the knowledge base folder as it is now; a broken folder keeps the old one."""
    folder = rt.settings.path(rt.settings.kb_dir)
    try:
        kb = rt.kb.reload(folder)
    except KnowledgeBaseError as exc:
        log.error("knowledge base not reloaded, the previous one stays: %s", exc)
        return f"not reloaded: {exc}"
    log.info("knowledge base reloaded: %d articles", len(kb))
    return f"reloaded {len(kb)} articles"


def _watch_reload_signal(rt: Runtime) -> None:
    """``kill -HUP`` (or ``helpdesk kb reload``) reloads the knowledge base without a restart."""
    # Not every loop can: NotImplementedError where the platform has no SIGHUP handlers (Windows),
    # RuntimeError or ValueError outside the main thread (the app run inside tests); the CLI still reloads.
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, reload_knowledge_base, rt)


async def _core_ctx(app: web.Application) -> AsyncIterator[None]:
    rt = app[RUNTIME]
    assert rt.sessions is not None and rt.http is not None
    # Every parse, the pipeline's and the retriage worker's, tells the health state whether Rasa answered.
    nlu = HealthTrackedNlu(rt.nlu_override or RasaHttpClient(rt.http, rt.nlu_url, rt.settings.nlu.timeout_s), rt.health)
    adapters: dict[str, ChannelAdapter] = {"web": rt.web_channel, **rt.extra_adapters}
    worker = OutboxWorker(rt.sessions, adapters, rt.clock, rt.settings.outbox)
    contract = load_contract(rt.settings)  # the roster, read once and passed down
    pipeline = Pipeline(
        rt.sessions,
        nlu,
        rt.clock,
        rt.settings.service.hotline,
        on_enqueued=worker.wake,
        kb=rt.kb,
        contract=contract,
        max_attempts=rt.settings.handling.max_attempts,
    )
    auth = auth_for(rt.settings, rt.sessions, rt.clock)
    key = rt.settings.web.session_key
    await auth.load_session_key(key.get_secret_value() if key else None)
    button_key = rt.settings.handling.button_key
    configure_button_key(button_key.get_secret_value() if button_key else None)
    if rt.settings.web.demo_mode:
        log.warning("demo mode: anyone can pick who they are in the web chat; set [web] demo_mode = false for real use")
    files = FileStore(rt.settings.path(rt.settings.files.dir), rt.settings.files.max_bytes)
    rt.core = HelpdeskCore(rt.sessions, pipeline, worker, rt.clock, rt.kb, auth, files, contract)
    timers = TimerWorker(rt.sessions, rt.clock, TIMER_HANDLERS, on_enqueued=worker.wake, contract=contract)
    async with rt.sessions() as session, session.begin():
        await schedule_month_end(session, rt.clock.now(), contract)  # this month's inspection reminder
        await schedule_monthly_push(session, rt.clock.now(), contract)  # the next monthly report to managers
    hotline = rt.settings.service.hotline
    retriage = RetriageWorker(rt.sessions, nlu, rt.clock, hotline, contract, on_enqueued=worker.wake)
    rt.health.on_nlu_up(retriage.wake)
    recovered = await pipeline.recover()
    if recovered:
        log.info("handled %d message(s) stored before the last stop", recovered)
    tasks = [
        asyncio.create_task(worker.run(), name="outbox"),
        asyncio.create_task(timers.run(), name="timers"),
        asyncio.create_task(ReportWorker(rt.sessions, rt.clock, contract, worker.wake).run(), name="reports"),
        asyncio.create_task(rt.core.recover_forever(), name="recovery"),
        asyncio.create_task(retriage.run(), name="retriage"),
    ]
    _watch_reload_signal(rt)
    yield
    for task in tasks:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await rt.web_channel.close_all()


def auth_for(settings: Settings, sessions: storage.SessionFactory, clock: Clock) -> Auth:
    web_settings = settings.web
    limits = SignInLimits(
        per_person=web_settings.sign_in_failures_per_person,
        per_address=web_settings.sign_in_failures_per_address,
        window=timedelta(minutes=web_settings.sign_in_window_minutes),
    )
    return Auth(sessions, clock, limits)


def build_app(
    settings: Settings,
    clock: Clock | None = None,
    nlu: NluClient | None = None,
    extra_adapters: dict[str, ChannelAdapter] | None = None,
) -> web.Application:
    """The web application with its whole lifecycle. ``nlu`` replaces Rasa (tests of other parts)."""
    app = web.Application()
    clock = clock or SystemClock()
    app[RUNTIME] = Runtime(
        settings=settings, clock=clock, health=Health(clock), nlu_override=nlu, extra_adapters=extra_adapters or {}
    )
    app.cleanup_ctx.extend([_database_ctx, _http_ctx, _wecom_ctx, _rasa_ctx, _core_ctx])
    runtime = app[RUNTIME]

    async def healthz(request: web.Request) -> web.Response:
        """The health state as JSON (``bot.health``); 200 while the bot runs, degraded or not."""
        return web.json_response(runtime.health.snapshot())

    app.router.add_get("/healthz", healthz)

    def core() -> HelpdeskCore:
        if runtime.core is None:
            raise web.HTTPServiceUnavailable(text="starting up")
        return runtime.core

    access = WebAccess(
        core,
        demo_mode=settings.web.demo_mode,
        session_max_age_s=int(settings.web.session_hours * 3600),
        secure_cookie=settings.web.base_url.startswith("https://"),
    )
    setup_web_routes(app, core, runtime.web_channel, access, chat=settings.web.enabled)
    setup_kb_routes(app, core, access, chat=settings.web.enabled)
    if settings.wecom.enabled:
        app[WECOM_CALLBACK] = wecom_callback(settings, runtime, core)
        app[WECOM_CALLBACK].install(app)
    telegram = telegram_setup.telegram_channel(settings, core)
    if telegram is not None:  # a token is configured: the channel, its webhook, pages to the duty group
        runtime.extra_adapters.setdefault(telegram.name, telegram)
        telegram_setup.install(app, telegram)
    duty_chat = settings.telegram.duty_chat if telegram is not None else None
    configure_duty_group(DutyGroup("telegram", str(duty_chat)) if duty_chat is not None else None)
    return app


def wecom_callback(settings: Settings, runtime: Runtime, core: Callable[[], HelpdeskCore]) -> WecomCallback:
    """The callback URL's handler, with the crypto of the application's Token and EncodingAESKey."""
    wc = settings.wecom
    assert wc.token is not None and wc.aes_key is not None
    try:
        crypto = WeChatCrypto(wc.token.get_secret_value(), wc.aes_key.get_secret_value(), wc.corp_id)
    except (ValueError, AssertionError) as exc:
        raise ConfigError(f"wecom.aes_key is not a valid EncodingAESKey: {exc}") from exc

    async def download(media_id: str) -> tuple[bytes, str]:
        if runtime.wecom is None:  # the API client is made at start-up
            raise RuntimeError("the WeCom API has not started")
        return await runtime.wecom.download(media_id)

    return WecomCallback(crypto, wc.corp_id, wc.agent_id, core, download)
