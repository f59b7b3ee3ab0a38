"""How-to questions: answer from the knowledge base, count the deflection, offer a ticket.

The answer carries two buttons, solved and not solved (open a ticket); the button refs are
"<inbound id>:<article id>" so a press is checked against our own record of the question.
"""

from __future__ import annotations

import storage
from core.messages import Action, Button, ButtonPress, Outgoing, Reply
from handlers.context import HandlerContext
from handlers.intake.conversation import open_as_is_button
from handlers.kb.articles import Article, KnowledgeBase, chat_answer
from i18n import say
from nlu.triage import Triage

# Below this the model is not sure which article fits: offer the best few as buttons instead.
ARTICLE_CONFIDENCE = 0.6
CHOICES = 3


def ref_for(inbound_id: int, article_id: str) -> str:
    return f"{inbound_id}:{article_id}"


def parse_ref(ref: str) -> tuple[int, str] | None:
    inbound, _, article = ref.partition(":")
    return (int(inbound), article) if inbound.isdigit() and article else None


async def serve_article(ctx: HandlerContext, article: Article, question_id: int) -> list[Outgoing]:
    """Send an article as an answer to the question ``question_id`` and count it as served."""
    await storage.record_article_event(
        ctx.session,
        article_id=article.id,
        outcome="served",
        at=ctx.now,
        person_id=ctx.person.id,
        inbound_id=question_id,
    )
    ref = ref_for(question_id, article.id)
    buttons = (
        Button(say(ctx.lang, "button_solved"), Action.SOLVED, ref),
        Button(say(ctx.lang, "button_not_solved"), Action.NOT_SOLVED, ref),
    )
    return [Outgoing(Reply(chat_answer(article, ctx.lang), buttons))]


def _choices(kb: KnowledgeBase, triage: Triage, text: str) -> list[Article]:
    """The model's candidate articles first, then what a keyword search finds, without repeats."""
    picked: list[Article] = []
    for article_id in triage.candidates:
        article = kb.get(article_id)
        if article is not None and article not in picked:
            picked.append(article)
    for article, _score in kb.search(text, limit=CHOICES):
        if article not in picked:
            picked.append(article)
    return picked[:CHOICES]


async def handle_howto(ctx: HandlerContext, triage: Triage) -> list[Outgoing]:
    article = ctx.kb.get(triage.article) if triage.article else None
    if article is not None and triage.confidence >= ARTICLE_CONFIDENCE:
        return await serve_article(ctx, article, ctx.message.id)
    choices = _choices(ctx.kb, triage, ctx.message.text)
    if article is not None and article not in choices:
        choices = [article, *choices][:CHOICES]
    if not choices:
        return [Outgoing(Reply(say(ctx.lang, "howto_none"), (open_as_is_button(ctx),)))]
    buttons = tuple(Button(a.title_zh, Action.ARTICLE, ref_for(ctx.message.id, a.id)) for a in choices)
    return [Outgoing(Reply(say(ctx.lang, "howto_pick"), (*buttons, open_as_is_button(ctx))))]


# One chat message stays well under WeCom's 2048-byte text limit.
_FULL_TEXT_CHUNK = 600


async def show_article(ctx: HandlerContext, article_id: str) -> list[Outgoing]:
    """``文章 <id>``: the whole article, in a few messages; ``文章`` alone: the list of articles."""
    if not article_id:
        lines = [say(ctx.lang, "article_list")]
        lines += [f"· {a.id}  {a.title_zh}" for a in ctx.kb.all()]
        return [Outgoing(Reply("\n".join(lines)))]
    article = ctx.kb.get(article_id)
    if article is None:
        return [Outgoing(Reply(say(ctx.lang, "article_missing", article=article_id)))]
    await storage.record_article_event(
        ctx.session,
        article_id=article.id,
        outcome="served",
        at=ctx.now,
        person_id=ctx.person.id,
        inbound_id=ctx.message.id,
    )
    chunks: list[str] = [f"📘 {article.title_zh}（{article.title_en}）"]
    for line in article.body.replace("**", "").replace("`", "").splitlines():
        if line.startswith("#"):
            line = "【" + line.lstrip("# ").strip() + "】"
        if len(chunks[-1]) + len(line) + 1 > _FULL_TEXT_CHUNK:
            chunks.append("")
        chunks[-1] = f"{chunks[-1]}\n{line}" if chunks[-1] else line
    return [Outgoing(Reply(chunk.strip())) for chunk in chunks if chunk.strip()]


async def _own_question(ctx: HandlerContext, press: ButtonPress) -> tuple[storage.InboundMessage, str] | None:
    parsed = parse_ref(press.ref)
    if parsed is None:
        return None
    question = await storage.get_inbound(ctx.session, parsed[0])
    if question is None or question.sender_id != ctx.person.id:
        return None
    return question, parsed[1]


async def show_chosen_article(ctx: HandlerContext, press: ButtonPress) -> list[Outgoing]:
    found = await _own_question(ctx, press)
    article = ctx.kb.get(found[1]) if found else None
    if found is None or article is None:
        return [Outgoing(Reply(say(ctx.lang, "stale_button")))]
    return await serve_article(ctx, article, found[0].id)


async def mark_solved(ctx: HandlerContext, press: ButtonPress) -> list[Outgoing]:
    found = await _own_question(ctx, press)
    if found is None:
        return [Outgoing(Reply(say(ctx.lang, "stale_button")))]
    question, article_id = found
    if await storage.article_outcome_for(ctx.session, question.id, "solved") is not None:
        return [Outgoing(Reply(say(ctx.lang, "solved_already")))]
    await storage.record_article_event(
        ctx.session,
        article_id=article_id,
        outcome="solved",
        at=ctx.now,
        person_id=ctx.person.id,
        inbound_id=question.id,
    )
    return [Outgoing(Reply(say(ctx.lang, "solved_thanks")))]
