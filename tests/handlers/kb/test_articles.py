"""The knowledge base: the shipped articles, the folder check operators run, search, chat answers."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from handlers.kb.articles import (
    CHAT_ANSWER_LIMIT,
    Article,
    KbProblem,
    KnowledgeBase,
    KnowledgeBaseError,
    chat_answer,
    check_knowledge_base,
    load_knowledge_base,
)

REPO_ROOT = Path(__file__).resolve().parents[3]
KB_FOLDER = REPO_ROOT / "kb"
KB_TOPICS = REPO_ROOT.parent / "shared" / "kb-topics.md"
HOTLINE = "服务热线：400-000-0000（以贵公司合同为准）"


def _topic_ids() -> list[str]:
    """The ids in the first column of the kb-topics table (below its header row), in file order."""
    if not KB_TOPICS.exists():
        pytest.skip(f"{KB_TOPICS} not found: the shared topic list sits next to the repository")
    rows = [line for line in KB_TOPICS.read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    ids = [row.strip("|").split("|")[0].strip() for row in rows[2:]]
    assert len(ids) >= 30 and all(re.fullmatch(r"[a-z0-9-]+", i) for i in ids), f"bad table in {KB_TOPICS}"
    return ids


def _write_article(
    folder: Path, article_id: str, fields: dict[str, object] | None = None, file_name: str | None = None
) -> Path:
    """A small valid article; ``fields`` override front-matter fields (None removes one)."""
    meta: dict[str, object] = {
        "id": article_id,
        "title_zh": f"{article_id} 的标题",
        "title_en": f"Title of {article_id}",
        "summary": "一句话摘要。",
        "keywords": ["测试", "test"],
        "updated": "2026-11-25",
    }
    meta.update(fields or {})
    lines = ["---"]
    for key, value in meta.items():
        if value is None:
            continue
        if isinstance(value, list):
            lines.append(f"{key}: [{', '.join(str(item) for item in value)}]")
        else:
            lines.append(f"{key}: {value}")
    lines += ["---", "", f"# {article_id}", "", "## 操作步骤", "1. 第一步。", "2. 第二步。", ""]
    path = folder / (file_name or f"{article_id}.md")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _write_nlu(path: Path, intents: dict[str, list[str]]) -> Path:
    """A Rasa 3.6 NLU file with the given intents and examples."""
    lines = ['version: "3.1"', "nlu:"]
    for intent, examples in intents.items():
        lines.append(f"- intent: {intent}")
        lines.append("  examples: |")
        lines += [f"    - {example}" for example in examples]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def small_kb(tmp_path: Path) -> Path:
    folder = tmp_path / "kb"
    folder.mkdir()
    _write_article(folder, "printer-add")
    _write_article(folder, "wifi-connect")
    return folder


def _messages(problems: list[KbProblem]) -> list[str]:
    return [str(problem) for problem in problems]


# --- the folder check and the loader -----------------------------------------------------------


def test_a_valid_folder_loads_and_checks_clean(small_kb: Path) -> None:
    kb = load_knowledge_base(small_kb)

    assert [article.id for article in kb.all()] == ["printer-add", "wifi-connect"]
    article = kb.get("printer-add")
    assert article is not None
    assert article.updated == date(2026, 11, 25)
    assert article.keywords == ("测试", "test")
    assert article.path == small_kb / "printer-add.md"
    assert kb.get("no-such-article") is None
    assert check_knowledge_base(small_kb) == []


def test_an_id_that_differs_from_the_file_name_is_reported_with_the_file(small_kb: Path) -> None:
    _write_article(small_kb, "vpn-connect", file_name="vpn.md")

    problems = check_knowledge_base(small_kb)

    assert len(problems) == 1
    assert problems[0].path == small_kb / "vpn.md"
    assert "does not match the file name" in problems[0].message


def test_a_duplicate_id_names_both_files(small_kb: Path) -> None:
    (small_kb / "old").mkdir()
    _write_article(small_kb / "old", "printer-add")

    problems = check_knowledge_base(small_kb)

    duplicate = [p for p in problems if "duplicate id 'printer-add'" in p.message]
    assert len(duplicate) == 1
    assert {duplicate[0].path.parent.name, Path(duplicate[0].message.split()[-1]).parent.name} == {
        "kb",
        "old",
    }


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"title_zh": None}, "'title_zh' is missing"),
        ({"summary": ""}, "'summary' is missing or empty"),
        ({"keywords": "打印机"}, "'keywords' must be a list"),
        ({"updated": "last week"}, "'updated' must be a date"),
        ({"id": "Printer_Add"}, "lower-case letters, digits and hyphens"),
    ],
)
def test_bad_front_matter_names_the_file_and_the_field(
    small_kb: Path, fields: dict[str, object], expected: str
) -> None:
    broken = _write_article(small_kb, "printer-jam", fields)

    problems = check_knowledge_base(small_kb)

    assert [p.path for p in problems] == [broken]
    assert expected in problems[0].message


def test_a_file_without_front_matter_or_with_broken_yaml_is_reported(small_kb: Path) -> None:
    (small_kb / "notes.md").write_text("# 只是笔记\n\n1. 没有 front matter\n", encoding="utf-8")
    (small_kb / "broken.md").write_text("---\nid: broken\ntitle_zh: [未闭合\n---\n正文\n", encoding="utf-8")
    (small_kb / "unclosed.md").write_text("---\nid: unclosed\ntitle_zh: 没有结束行\n\n正文\n", encoding="utf-8")
    (small_kb / "listed.md").write_text("---\n- id\n- title_zh\n---\n正文\n", encoding="utf-8")

    problems = {p.path.name: p.message for p in check_knowledge_base(small_kb)}

    assert problems.keys() == {"notes.md", "broken.md", "unclosed.md", "listed.md"}
    assert "no front matter" in problems["notes.md"]
    assert "not valid YAML" in problems["broken.md"]
    assert "no front matter" in problems["unclosed.md"]
    assert "front matter must be YAML fields" in problems["listed.md"]


def test_loading_a_broken_folder_fails_with_every_problem_in_the_message(small_kb: Path) -> None:
    _write_article(small_kb, "printer-jam", {"summary": None})
    _write_article(small_kb, "wifi-connect", file_name="wifi.md")

    with pytest.raises(KnowledgeBaseError) as raised:
        load_knowledge_base(small_kb)

    message = str(raised.value)
    assert "printer-jam.md: front matter field 'summary' is missing or empty" in message
    assert "wifi.md" in message
    assert len(raised.value.problems) >= 2


def test_a_missing_or_empty_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match="does not exist"):
        load_knowledge_base(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(KnowledgeBaseError, match="no articles"):
        load_knowledge_base(tmp_path / "empty")


def test_a_required_id_without_an_article_is_reported(small_kb: Path) -> None:
    problems = check_knowledge_base(small_kb, required_ids=["printer-add", "vpn-connect"])

    assert _messages(problems) == [f"{small_kb / 'vpn-connect.md'}: missing article for required id 'vpn-connect'"]


# --- the check against the NLU training data ---------------------------------------------------


def test_nlu_data_that_covers_every_article_checks_clean(small_kb: Path, tmp_path: Path) -> None:
    nlu = tmp_path / "nlu" / "data"
    _write_nlu(nlu / "howto.yml", {"howto_printer-add": ["怎么添加打印机", "连不上共享打印机"]})
    _write_nlu(nlu / "more" / "wifi.yml", {"howto_wifi-connect": ["公司 wifi 密码是多少"], "greet": ["你好"]})
    (nlu / "domain.yml").write_text("intents:\n  - greet\n", encoding="utf-8")

    assert check_knowledge_base(small_kb, nlu_data=nlu) == []


def test_an_intent_for_a_missing_article_names_the_nlu_file(small_kb: Path, tmp_path: Path) -> None:
    nlu_file = _write_nlu(
        tmp_path / "nlu" / "data" / "nlu.yml",
        {
            "howto_printer-add": ["怎么添加打印机"],
            "howto_wifi-connect": ["连不上 wifi"],
            "howto_printer-toner": ["怎么换墨盒"],
        },
    )

    problems = check_knowledge_base(small_kb, nlu_data=nlu_file.parent)

    assert len(problems) == 1
    assert problems[0].path == nlu_file
    assert "howto_printer-toner" in problems[0].message
    assert "does not exist" in problems[0].message


def test_an_article_without_training_examples_is_reported(small_kb: Path, tmp_path: Path) -> None:
    nlu_file = tmp_path / "nlu.yml"
    nlu_file.write_text(
        'version: "3.1"\nnlu:\n- intent: howto_printer-add\n  examples: |\n    - 添加打印机\n'
        "- intent: howto_wifi-connect\n  examples: |\n",
        encoding="utf-8",
    )

    problems = check_knowledge_base(small_kb, nlu_data=nlu_file)

    assert len(problems) == 1
    assert problems[0].path == small_kb / "wifi-connect.md"
    assert "no NLU training examples" in problems[0].message
    assert "howto_wifi-connect" in problems[0].message


def test_unreadable_nlu_yaml_is_reported_not_ignored(small_kb: Path, tmp_path: Path) -> None:
    bad = tmp_path / "data" / "bad.yml"
    bad.parent.mkdir()
    bad.write_text("nlu:\n- intent: howto_printer-add\n  examples: [unclosed\n", encoding="utf-8")

    problems = check_knowledge_base(small_kb, nlu_data=bad.parent)

    assert any(p.path == bad and "cannot read NLU data" in p.message for p in problems)


# --- chat answers ------------------------------------------------------------------------------


def _article(body: str) -> Article:
    return Article(
        id="printer-settings",
        title_zh="设置默认打印机和打印选项",
        title_en="Printer settings",
        summary="设置默认打印机、双面和黑白打印。",
        keywords=("双面打印",),
        updated=date(2026, 11, 25),
        body=body,
        path=Path("kb/printer-settings.md"),
    )


def test_chat_answer_gives_the_title_the_steps_and_where_to_read_more() -> None:
    body = (
        "# 设置\n\n说明文字不会出现在聊天里。\n\n## Word 里双面打印\n"
        "1. 按 **Ctrl+P** 打开「打印」。\n2. 在「设置」里选择 `双面打印`。\n   - 子项不会出现\n\n"
        "## 自己先试试\n- 重启打印机\n"
    )

    answer = chat_answer(_article(body))

    assert answer.splitlines()[0].endswith("设置默认打印机和打印选项")
    assert "【Word 里双面打印】\n1. 按 Ctrl+P 打开「打印」。\n2. 在「设置」里选择 双面打印。" in answer
    assert "说明文字" not in answer and "子项" not in answer
    assert answer.endswith("完整内容：发送「文章 printer-settings」或打开网页 /kb/printer-settings")


def test_chat_answer_of_a_long_article_keeps_the_first_steps_under_the_limit() -> None:
    steps = "\n".join(
        f"{n}. 第 {n} 步：在「设置」窗口里找到对应选项，按提示操作，然后点「确定」保存。" for n in range(1, 60)
    )
    body = f"## 第一部分\n{steps}\n\n## 第二部分\n1. 不会出现的步骤。\n"

    answer = chat_answer(_article(body))

    assert len(answer) <= CHAT_ANSWER_LIMIT
    assert "1. 第 1 步" in answer and "5. 第 5 步" in answer
    assert "59. 第 59 步" not in answer and "第二部分" not in answer
    assert "完整内容：发送「文章 printer-settings」" in answer


def test_search_on_a_small_folder_ranks_by_title_and_keywords(tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    _write_article(folder, "printer-add", {"title_zh": "添加网络打印机", "keywords": ["打印机", "printer"]})
    _write_article(folder, "wifi-connect", {"title_zh": "连接无线网络", "keywords": ["无线", "wifi"]})
    kb = load_knowledge_base(folder)

    assert [a.id for a, _ in kb.search("怎么添加打印机")][:1] == ["printer-add"]
    assert [a.id for a, _ in kb.search("WiFi 连不上")][:1] == ["wifi-connect"]
    assert kb.search("今天天气不错") == []


def test_a_knowledge_base_refuses_two_articles_with_one_id() -> None:
    article = _article("1. 步骤")
    with pytest.raises(KnowledgeBaseError, match="duplicate id"):
        KnowledgeBase([article, article])


# --- the shipped knowledge base ----------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> KnowledgeBase:
    return load_knowledge_base(KB_FOLDER)


def test_every_topic_in_the_shared_list_has_an_article(shipped: KnowledgeBase) -> None:
    missing = [topic for topic in _topic_ids() if shipped.get(topic) is None]

    assert missing == []


def test_the_shipped_folder_checks_clean_against_the_topic_list() -> None:
    assert _messages(check_knowledge_base(KB_FOLDER, required_ids=_topic_ids())) == []


def _broken_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "kb"
    shutil.copytree(KB_FOLDER, copy)
    return copy


def test_a_copy_with_an_article_removed_fails_naming_the_missing_file(tmp_path: Path) -> None:
    copy = _broken_copy(tmp_path)
    (copy / "vpn-connect.md").unlink()

    problems = check_knowledge_base(copy, required_ids=_topic_ids())

    assert _messages(problems) == [f"{copy / 'vpn-connect.md'}: missing article for required id 'vpn-connect'"]


def test_a_copy_with_a_duplicated_article_fails_naming_both_files(tmp_path: Path) -> None:
    copy = _broken_copy(tmp_path)
    (copy / "archive").mkdir()
    shutil.copy(copy / "printer-jam.md", copy / "archive" / "printer-jam.md")

    with pytest.raises(KnowledgeBaseError) as raised:
        load_knowledge_base(copy)

    assert f"duplicate id 'printer-jam', already used by {copy / 'archive' / 'printer-jam.md'}" in str(raised.value)


def test_a_copy_with_broken_front_matter_fails_naming_the_file(tmp_path: Path) -> None:
    copy = _broken_copy(tmp_path)
    target = copy / "wifi-connect.md"
    text = target.read_text(encoding="utf-8")
    target.write_text(re.sub(r"^title_zh: .*\n", "", text, count=1, flags=re.M), encoding="utf-8")

    problems = check_knowledge_base(copy, required_ids=_topic_ids())

    assert _messages(problems) == [f"{target}: front matter field 'title_zh' is missing or empty"]


@pytest.mark.parametrize(
    ("question", "article_id"),
    [
        ("怎么把打印机设成双面打印", "printer-settings"),
        ("打印机卡纸了怎么办", "printer-jam"),
        ("新来的打印机怎么添加到电脑上", "printer-add"),
        ("Outlook 怎么设置公司邮箱", "email-client-setup"),
        ("苹果手机怎么收公司邮件", "email-mobile-setup"),
        ("邮箱满了收不到邮件", "mailbox-full"),
        ("在家怎么连公司VPN", "vpn-connect"),
        ("C盘满了怎么清理", "disk-cleanup"),
        ("开机太慢了怎么办", "startup-items"),
        ("文件不小心删了能找回来吗", "restore-files"),
        ("笔记本怎么连会议室投影仪", "projector"),
        ("怎么截图发给你", "screenshot"),
        ("周末电脑坏了找谁", "after-hours-help"),
        ("我要投诉工程师", "complaint-process"),
        ("how do I print double-sided", "printer-settings"),
    ],
)
def test_search_finds_the_article_a_staff_member_needs(shipped: KnowledgeBase, question: str, article_id: str) -> None:
    results = shipped.search(question)

    assert results, f"no article found for {question!r}"
    assert results[0][0].id == article_id, [(a.id, round(score, 1)) for a, score in results]
    assert len(results) <= 3
    assert [score for _, score in results] == sorted((score for _, score in results), reverse=True)


@pytest.mark.parametrize("question", ["今天中午食堂吃什么", "帮我订一张去北京的机票", "谢谢师傅", ""])
def test_search_returns_nothing_for_a_question_no_article_covers(shipped: KnowledgeBase, question: str) -> None:
    assert shipped.search(question) == []


def test_every_shipped_chat_answer_fits_and_carries_the_first_steps(shipped: KnowledgeBase) -> None:
    for article in shipped.all():
        answer = chat_answer(article)
        first_step = next(line for line in article.body.splitlines() if re.match(r"^1\.\s", line))

        assert len(answer) <= CHAT_ANSWER_LIMIT, article.id
        assert answer.startswith(f"📖 {article.title_zh}"), article.id
        assert re.sub(r"\*\*|`", "", first_step) in answer, article.id
        assert answer.endswith(f"完整内容：发送「文章 {article.id}」或打开网页 /kb/{article.id}"), article.id


def test_the_duplex_answer_tells_how_to_print_on_both_sides(shipped: KnowledgeBase) -> None:
    article = shipped.get("printer-settings")
    assert article is not None

    answer = chat_answer(article)

    assert "双面打印" in answer
    assert "1. 打开文档，按 Ctrl + P" in answer


def test_every_article_gives_the_contact_path_with_one_replaceable_hotline(shipped: KnowledgeBase) -> None:
    for article in shipped.all():
        assert article.body.count(HOTLINE) == 1, article.id
        assert "机器人" in article.body, article.id


@pytest.mark.parametrize(
    ("article_id", "terms"),
    [
        (
            "after-hours-help",
            ["09:00–17:30", "5×8", "调休", "立即响应", "2 小时内响应", "24 小时内响应", "repair-process"],
        ),
        ("repair-process", ["确认", "设备维修单", "诊断和报价", "同意", "维修", "签收"]),
        ("complaint-process", ["8 小时内核实", "24 小时内答复"]),
        ("bot-help", ["紧急故障", "一般紧急故障", "一般故障", "硬件故障", "立即响应", "2 小时内", "24 小时内"]),
        ("purchase-request", ["报价", "同意", "预算"]),
    ],
)
def test_service_process_articles_state_the_contract_terms(
    shipped: KnowledgeBase, article_id: str, terms: list[str]
) -> None:
    article = shipped.get(article_id)
    assert article is not None

    assert [term for term in terms if term not in article.body] == []
