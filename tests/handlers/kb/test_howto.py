"""How-to answers from the knowledge base, the solved / not-solved buttons, and deflection counts."""

from __future__ import annotations

from datetime import UTC, datetime

import storage
from bot.kb_holder import KnowledgeBaseHolder
from bot.pipeline import Pipeline
from config.settings import REPO_ROOT
from core.clock import FakeClock
from core.messages import Action, Reply
from nlu.client import NluClient
from tests.support.builders import ScriptedNlu, make_inbound

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
DUPLEX = "怎么把打印机设成双面打印"
KB = KnowledgeBaseHolder.from_folder(REPO_ROOT / "kb")


def _pipeline(sessions: storage.SessionFactory, nlu: NluClient) -> Pipeline:
    return Pipeline(sessions, nlu, FakeClock(NOW), hotline="400-000-0000", kb=KB)


async def _reply(sessions: storage.SessionFactory, inbound_id: int) -> Reply:
    async with sessions() as s:
        [row] = await storage.replies_to(s, inbound_id)
        return Reply.from_payload(row.payload)


async def _counts(sessions: storage.SessionFactory, article: str) -> tuple[int, int, int]:
    async with sessions() as s:
        c = (await storage.article_counts(s)).get(article, storage.ArticleCounts(article))
    return c.served, c.solved, c.ticket


async def test_a_howto_is_answered_with_the_article_and_the_two_buttons(sessions: storage.SessionFactory) -> None:
    nlu = ScriptedNlu({DUPLEX: ("howto_printer-settings", 0.92)})
    receipt = await _pipeline(sessions, nlu).handle(make_inbound(DUPLEX))
    reply = await _reply(sessions, receipt.inbound_id)
    assert KB.current.get("printer-settings").title_zh in reply.text  # type: ignore[union-attr]
    assert "1." in reply.text or "1、" in reply.text
    assert [(b.title, b.action) for b in reply.buttons] == [
        ("解决了", Action.SOLVED),
        ("没解决，帮我报修", Action.NOT_SOLVED),
    ]
    assert await _counts(sessions, "printer-settings") == (1, 0, 0)


async def test_solved_is_counted_once_however_often_it_is_pressed(sessions: storage.SessionFactory) -> None:
    nlu = ScriptedNlu({DUPLEX: ("howto_printer-settings", 0.92)})
    pipeline = _pipeline(sessions, nlu)
    asked = await pipeline.handle(make_inbound(DUPLEX))
    solved = (await _reply(sessions, asked.inbound_id)).buttons[0]
    first = await pipeline.handle(make_inbound(solved.payload))
    again = await pipeline.handle(make_inbound(solved.payload))
    assert "解决" in (await _reply(sessions, first.inbound_id)).text
    assert "已记录" in (await _reply(sessions, again.inbound_id)).text
    assert await _counts(sessions, "printer-settings") == (1, 1, 0)


async def test_not_solved_opens_an_incident_that_names_the_article(sessions: storage.SessionFactory) -> None:
    nlu = ScriptedNlu({DUPLEX: ("howto_printer-settings", 0.92)})
    pipeline = _pipeline(sessions, nlu)
    asked = await pipeline.handle(make_inbound(DUPLEX))
    not_solved = (await _reply(sessions, asked.inbound_id)).buttons[1]
    pressed = await pipeline.handle(make_inbound(not_solved.payload))
    reply = await _reply(sessions, pressed.inbound_id)
    async with sessions() as s:
        [ticket] = await storage.list_tickets(s)
    assert (ticket.kind, ticket.article, ticket.text) == ("incident", "printer-settings", DUPLEX)
    assert ticket.severity in ("urgent", "high", "normal", "hardware")
    assert f"#{ticket.number}" in reply.text
    assert await _counts(sessions, "printer-settings") == (1, 0, 1)
    again = await pipeline.handle(make_inbound(not_solved.payload))
    assert "已经" in (await _reply(sessions, again.inbound_id)).text


async def test_when_unsure_which_article_the_best_three_are_offered(sessions: storage.SessionFactory) -> None:
    question = "共享盘怎么映射成网络驱动器"
    nlu = ScriptedNlu({question: ("howto_printer-add", 0.5)})
    pipeline = _pipeline(sessions, nlu)
    asked = await pipeline.handle(make_inbound(question))
    reply = await _reply(sessions, asked.inbound_id)
    choices = [b for b in reply.buttons if b.action is Action.ARTICLE]
    assert 1 <= len(choices) <= 3
    assert any(b.ref.endswith(":shared-folder") for b in choices)
    assert await _counts(sessions, "shared-folder") == (0, 0, 0)
    chosen = next(b for b in choices if b.ref.endswith(":shared-folder"))
    shown = await pipeline.handle(make_inbound(chosen.payload))
    assert KB.current.get("shared-folder").title_zh in (await _reply(sessions, shown.inbound_id)).text  # type: ignore[union-attr]
    assert await _counts(sessions, "shared-folder") == (1, 0, 0)


async def test_article_command_sends_the_full_text_and_the_bare_command_lists_them(
    sessions: storage.SessionFactory,
) -> None:
    nlu = ScriptedNlu({})
    pipeline = _pipeline(sessions, nlu)
    full = await pipeline.handle(make_inbound("文章 printer-jam"))
    listing = await pipeline.handle(make_inbound("文章"))
    missing = await pipeline.handle(make_inbound("/article no-such-guide"))
    async with sessions() as s:
        parts = [Reply.from_payload(r.payload).text for r in await storage.replies_to(s, full.inbound_id)]
    body = "\n".join(parts)
    assert parts[0].startswith("📘 " + KB.current.get("printer-jam").title_zh)  # type: ignore[union-attr]
    assert "卡纸" in body and all(len(p) <= 700 for p in parts)
    assert "printer-add" in (await _reply(sessions, listing.inbound_id)).text
    assert "no-such-guide" in (await _reply(sessions, missing.inbound_id)).text
    assert nlu.calls == 0  # commands never reach the model
    assert await _counts(sessions, "printer-jam") == (1, 0, 0)
