"""``helpdesk demo`` walks the three stories of the contract through the real pipeline and Rasa."""

from __future__ import annotations

import io
from pathlib import Path

import storage
from bot.contract import load_contract
from bot.demo import DemoDriver, demo_clock, demo_timers, run_demo
from bot.kb_holder import KnowledgeBaseHolder
from bot.pipeline import Pipeline
from nlu.rasa_http import RasaHttpClient
from tests.conftest import make_settings


async def test_the_demo_walks_outage_repair_and_complaint_to_their_ends(
    rasa_url: str, sqlite_url: str, tmp_path: Path
) -> None:
    import aiohttp

    from bot.app import open_database

    settings = make_settings(sqlite_url)
    engine, sessions = await open_database(settings)
    clock = demo_clock()
    out = io.StringIO()
    try:
        async with aiohttp.ClientSession() as http:
            pipeline = Pipeline(
                sessions,
                RasaHttpClient(http, rasa_url, 10),
                clock,
                "400-000-0000",
                kb=KnowledgeBaseHolder.from_folder(settings.path(settings.kb_dir)),
                contract=load_contract(settings),
            )
            await run_demo(DemoDriver(sessions, pipeline, demo_timers(sessions, clock), clock, out))
        async with sessions() as s:
            outage, repair = sorted(await storage.list_tickets(s), key=lambda t: t.id)
    finally:
        await engine.dispose()
    transcript = out.getvalue()
    assert (outage.severity, outage.status) == ("urgent", "closed")
    assert (repair.severity, repair.status) == ("hardware", "closed")  # the signed receipt closed it
    assert "已知故障" in transcript  # the second report joined the outage
    assert "升级" in transcript and "孙工" in transcript  # escalated to the backup engineer at minute 5
    assert "✅ 已由 孙工（备岗）" in transcript  # the pages were updated after the acknowledgement
    assert "设备签收单" in transcript and "已签收" in transcript
    assert "【提醒】投诉 C1" in transcript  # the complaint clock reminded the service manager
    assert "关于您的投诉 C1" in transcript  # and the answer reached the complainant
