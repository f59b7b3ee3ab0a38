"""What a newcomer reads in the browser: the knowledge base (a list of articles and a page per
article, ``/kb/<id>``) and the web chat's greeting (``/api/greeting``)."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable

from aiohttp import web
from markdown_it import MarkdownIt

from channels.web.access import WebAccess
from core.ports import ArticleView, Helpdesk

_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<link rel="stylesheet" href="/static/kb.css"><script src="/static/banner.js" defer></script></head><body>
<nav><a href="/">← 返回聊天 Chat</a> · <a href="/kb">全部指南 All guides</a></nav>
<main>{body}</main></body></html>"""

# markdown-it's default preset: raw HTML in an article is shown as text, never run; link targets
# are checked (no javascript:); tables on. An article is also sent to chat as it is written, so a
# line break is a line break here too, and a backslash is a backslash (\\FILESRV\财务部), not an
# escape.
_MARKDOWN = MarkdownIt("js-default", {"breaks": True}).disable("escape")
# Steps numbered "1、 " as Chinese writers do are a numbered list, as in the chat answer.
_CHINESE_STEP = re.compile(r"^([ \t]*\d{1,9})、(?=[ \t])", re.MULTILINE)


def markdown_to_html(markdown: str) -> str:
    """An article's Markdown body as HTML, its headings one level down (the page's own ``<h1>`` is
    the article's title)."""
    tokens = _MARKDOWN.parse(_CHINESE_STEP.sub(r"\1.", markdown))
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
    return _MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {})


def _article_page(article: ArticleView) -> str:
    head = (
        f"<h1>{html.escape(article.title_zh)}</h1><p class='en'>{html.escape(article.title_en)}</p>"
        f"<p class='summary'>{html.escape(article.summary)}</p>"
        f"<p class='meta'>编号 id: <code>{html.escape(article.id)}</code> · 更新 {article.updated.isoformat()}</p>"
    )
    return _PAGE.format(title=html.escape(article.title_zh), body=head + markdown_to_html(article.body))


def setup_kb_routes(
    app: web.Application, core_of: Callable[[], Helpdesk], access: WebAccess, *, chat: bool = True
) -> None:
    """The guides are the company's own: outside demo mode they are for people signed in. With the
    chat off ([web] enabled = false) there is no sign-in, so no guides and no greeting either."""

    async def index(request: web.Request) -> web.Response:
        await access.require_page(request)
        items = "\n".join(
            f"<li><a href='/kb/{html.escape(a.id)}'>{html.escape(a.title_zh)}</a>"
            f" <span class='en'>{html.escape(a.title_en)}</span></li>"
            for a in core_of().articles()
        )
        body = f"<h1>操作指南 · How-to guides</h1><ul class='articles'>{items}</ul>"
        return web.Response(text=_PAGE.format(title="操作指南", body=body), content_type="text/html")

    async def article(request: web.Request) -> web.Response:
        await access.require_page(request)
        found = core_of().article(request.match_info["article_id"])
        if found is None:
            raise web.HTTPNotFound(text="no such article / 没有这篇指南")
        return web.Response(text=_article_page(found), content_type="text/html")

    async def web_greeting(request: web.Request) -> web.Response:
        """The greeting the chat page shows the signed-in person: {"text", "examples"}."""
        person = await access.require(request)
        found = await core_of().greeting(person.id)
        if found is None:
            raise web.HTTPNotFound(text="no such person / 没有这个人")
        body = {"text": found.text, "examples": list(found.examples)}
        return web.json_response(body, dumps=lambda o: json.dumps(o, ensure_ascii=False))

    if chat:
        app.router.add_get("/api/greeting", web_greeting)
        app.router.add_get("/kb", index)
        app.router.add_get("/kb/{article_id}", article)
