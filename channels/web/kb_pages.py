"""What a newcomer reads in the browser: the knowledge base (a list of articles and a page per
article, ``/kb/<id>``) and the web chat's greeting (``/api/greeting``)."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable

from aiohttp import web

from channels.web.access import WebAccess
from core.ports import ArticleView, Helpdesk

_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<link rel="stylesheet" href="/static/kb.css"><script src="/static/banner.js" defer></script></head><body>
<nav><a href="/">← 返回聊天 Chat</a> · <a href="/kb">全部指南 All guides</a></nav>
<main>{body}</main></body></html>"""

_NUMBERED = re.compile(r"^\s*(\d+)[.、)]\s+(.*)$")
_BULLET = re.compile(r"^\s*[-*]\s+(.*)$")


def _inline(text: str) -> str:
    escaped = html.escape(text)
    escaped = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", escaped)
    return re.sub(r"`(.+?)`", r"<code>\1</code>", escaped)


def markdown_to_html(markdown: str) -> str:
    """The small Markdown subset the articles use: headings, numbered and bullet lists, paragraphs."""
    out: list[str] = []
    open_list: str | None = None

    def close() -> None:
        nonlocal open_list
        if open_list:
            out.append(f"</{open_list}>")
            open_list = None

    for line in markdown.splitlines():
        heading = re.match(r"^(#{1,4})\s+(.*)$", line)
        numbered, bullet = _NUMBERED.match(line), _BULLET.match(line)
        if heading:
            close()
            level = min(len(heading.group(1)) + 1, 5)
            out.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
        elif numbered or bullet:
            kind = "ol" if numbered else "ul"
            if open_list != kind:
                close()
                out.append(f"<{kind}>")
                open_list = kind
            item = numbered.group(2) if numbered else bullet.group(1) if bullet else ""
            out.append(f"<li>{_inline(item)}</li>")
        elif line.strip():
            close()
            out.append(f"<p>{_inline(line.strip())}</p>")
        else:
            close()
    close()
    return "\n".join(out)


def _article_page(article: ArticleView) -> str:
    head = (
        f"<h1>{html.escape(article.title_zh)}</h1><p class='en'>{html.escape(article.title_en)}</p>"
        f"<p class='summary'>{html.escape(article.summary)}</p>"
        f"<p class='meta'>编号 id: <code>{html.escape(article.id)}</code> · 更新 {article.updated.isoformat()}</p>"
    )
    return _PAGE.format(title=html.escape(article.title_zh), body=head + markdown_to_html(article.body))


def setup_kb_routes(app: web.Application, core_of: Callable[[], Helpdesk], access: WebAccess) -> None:
    """The guides are the company's own: outside demo mode they are for people signed in."""

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

    app.router.add_get("/api/greeting", web_greeting)
    app.router.add_get("/kb", index)
    app.router.add_get("/kb/{article_id}", article)
