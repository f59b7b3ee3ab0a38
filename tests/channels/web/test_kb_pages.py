"""An article as the browser shows it: Markdown rendered by markdown-it, safe for the reader."""

from __future__ import annotations

from channels.web.kb_pages import markdown_to_html
from config.settings import REPO_ROOT
from handlers.kb.articles import load_knowledge_base


def test_headings_lists_emphasis_and_code_keep_their_look() -> None:
    page = markdown_to_html("# 标题\n\n## 操作步骤\n1. 按 **Win + R**\n2. 输入 `cmd`\n\n- 提示一\n- 提示二\n\n说明文字")

    assert page == (
        "<h2>标题</h2>\n<h3>操作步骤</h3>\n<ol>\n<li>按 <strong>Win + R</strong></li>\n<li>输入 <code>cmd</code></li>\n"
        "</ol>\n<ul>\n<li>提示一</li>\n<li>提示二</li>\n</ul>\n<p>说明文字</p>\n"
    )


def test_html_in_an_article_is_shown_as_text_and_script_links_are_not_links() -> None:
    page = markdown_to_html('<script>alert("x")</script>\n\n[点我](javascript:alert(1)) <b onclick="x()">粗</b>')

    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<b " not in page and "href" not in page


def test_steps_numbered_the_chinese_way_are_a_list_and_backslashes_stay() -> None:
    page = markdown_to_html("1、 打开「此电脑」\n2、 输入 \\\\FILESRV\\财务部")

    assert page == "<ol>\n<li>打开「此电脑」</li>\n<li>输入 \\\\FILESRV\\财务部</li>\n</ol>\n"


def test_a_table_is_a_table_and_lines_of_a_paragraph_stay_lines() -> None:
    page = markdown_to_html("| 等级 | 响应 |\n|---|---|\n| 紧急故障 | **立即响应** |\n\n第一行\n第二行")

    assert "<th>等级</th>" in page and "<td><strong>立即响应</strong></td>" in page
    assert "<p>第一行<br>\n第二行</p>" in page


def test_every_shipped_article_renders_its_steps_as_a_list() -> None:
    for article in load_knowledge_base(REPO_ROOT / "kb").all():
        page = markdown_to_html(article.body)
        assert "<ol>" in page or "<ul>" in page, article.id
        assert "**" not in page and "| --- |" not in page and "|---|" not in page, article.id
