"""The training knowledge base: how-to articles that staff can follow at their desk.

Articles live as Markdown files with YAML front matter in one folder (``kb/`` by default), one
file per article, the file name equal to the article id. Operators replace the sample articles
with their own without touching code, so everything here is driven by the folder's contents:
loading validates every file and refuses a broken folder as a whole (the bot keeps serving the
last good knowledge base instead of half of a new one), ``check_knowledge_base`` lists every
problem at once for ``helpdesk kb check``, and search is built from the articles themselves.

Pure Python: no messaging SDK, no network, no database.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import frontmatter
import jieba
import yaml
from rank_bm25 import BM25Okapi

from i18n import say

REQUIRED_FIELDS: tuple[str, ...] = ("id", "title_zh", "title_en", "summary", "keywords", "updated")
"""Front-matter fields every article must have; ``summary_en`` is optional."""

HOWTO_INTENT_PREFIX = "howto_"
"""NLU intents named ``howto_<article id>`` are the training examples for that article."""

CHAT_ANSWER_LIMIT = 800
"""Upper bound (characters) for ``chat_answer``: one chat bubble that still reads on a phone."""

_ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_FRONT_MATTER = frontmatter.YAMLHandler()
_STEP_LINE = re.compile(r"^(\d{1,2})[.、)]\s+(.+?)\s*$")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_WORD = re.compile(r"\w")
_MARKUP = re.compile(r"\*\*|__|`")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")
_IGNORED_FILES = frozenset({"readme.md"})

# Words that occur in almost every question and say nothing about the topic.
_STOPWORDS = frozenset(
    "的 了 吗 呢 啊 吧 呀 嘛 么 我 你 您 他 她 它 我们 你们 他们 自己 怎么 怎么样 怎样 如何 怎么办 "
    "请问 请 一下 下 能 能不能 可以 可不可以 要 想 想要 需要 把 在 是 和 与 或 及 跟 给 让 用 "
    "为什么 什么 哪里 哪个 这个 那个 这 那 有 就 都 也 还 又 很 太 会 不会 上 里 中 个 "
    "帮 帮忙 麻烦 老师 师傅 谢谢 a an the to of in on for how do i my is it can with".split()
)

_log = logging.getLogger(__name__)


class KnowledgeBaseError(ValueError):
    """The knowledge-base folder cannot be loaded; ``problems`` names each file and its fault."""

    def __init__(self, problems: list[KbProblem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"knowledge base has {len(problems)} problem(s):\n{lines}")


@dataclass(frozen=True)
class KbProblem:
    """One thing wrong with one file, worded for the operator who has to fix it."""

    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass(frozen=True)
class Article:
    """One how-to article. ``body`` is the Markdown after the front matter."""

    id: str
    title_zh: str
    title_en: str
    summary: str
    keywords: tuple[str, ...]
    updated: date
    body: str
    path: Path
    summary_en: str = ""


class KnowledgeBase:
    """The loaded articles, by id, with a BM25 search over them.

    Immutable once built: a reload builds a new ``KnowledgeBase`` and swaps it in, so a search
    running during the reload sees one consistent set of articles.
    """

    # Title and keywords are what staff type; the body mentions many neighbouring topics.
    _FIELD_WEIGHTS = (3.0, 1.5, 1.0)

    def __init__(self, articles: Iterable[Article]) -> None:
        self._articles: dict[str, Article] = {}
        for article in articles:
            if article.id in self._articles:
                raise KnowledgeBaseError(
                    [
                        KbProblem(
                            article.path,
                            f"duplicate id {article.id!r}, also in {self._articles[article.id].path}",
                        )
                    ]
                )
            self._articles[article.id] = article
        self._order = sorted(self._articles)
        self._tokenizer = _Tokenizer(keyword for article in self._articles.values() for keyword in article.keywords)
        self._indexes: list[_Bm25] = []
        if self._order:
            fields: list[list[list[str]]] = [[], [], []]
            for article_id in self._order:
                article = self._articles[article_id]
                head = " ".join((article.title_zh, article.title_en, *article.keywords))
                fields[0].append(self._tokenizer.tokens(head))
                fields[1].append(self._tokenizer.tokens(f"{article.summary} {article.summary_en}"))
                fields[2].append(self._tokenizer.tokens(article.body))
            # BM25Okapi divides by the average document length: an all-empty field would fail.
            self._indexes = [_Bm25([doc or ["\0"] for doc in field]) for field in fields]

    def get(self, article_id: str) -> Article | None:
        """The article with this id, or ``None`` (ids come from the NLU model and from users)."""
        return self._articles.get(article_id)

    def all(self) -> list[Article]:
        """Every article, sorted by id so listings are stable."""
        return [self._articles[article_id] for article_id in self._order]

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._articles

    def __len__(self) -> int:
        return len(self._articles)

    def __iter__(self) -> Iterator[Article]:
        return iter(self.all())

    def search(self, text: str, limit: int = 3) -> list[tuple[Article, float]]:
        """The best-matching articles for a question, best first, with their scores.

        Scores are weighted BM25 sums: only comparable within one query. An article counts only
        when its title, keywords or summary share a word with the question (a word met only in
        some body text is too weak a sign), so an unrelated question returns ``[]``.
        """
        query = self._tokenizer.tokens(text)
        if not query or not self._indexes or limit <= 0:
            return []
        totals = [0.0] * len(self._order)
        described = [False] * len(self._order)
        for field, (weight, index) in enumerate(zip(self._FIELD_WEIGHTS, self._indexes, strict=True)):
            for position, score in enumerate(index.get_scores(query)):
                totals[position] += weight * float(score)
                if field < 2 and score > 0:
                    described[position] = True
        ranked = sorted(
            (position for position in range(len(totals)) if described[position]),
            key=lambda position: (-totals[position], self._order[position]),
        )
        return [(self._articles[self._order[p]], totals[p]) for p in ranked[:limit]]


class _Bm25(BM25Okapi):
    """BM25 with Lucene's idf, ``log(1 + (N - n + 0.5) / (n + 0.5))``, which is never negative.

    The Okapi idf of rank-bm25 is zero or negative for a word found in half of the articles or
    more, which on a small knowledge base (an operator's first few articles) hides every match.
    """

    def _calc_idf(self, nd: dict[str, int]) -> None:
        for word, freq in nd.items():
            self.idf[word] = math.log(1 + (self.corpus_size - freq + 0.5) / (freq + 0.5))


class _Tokenizer:
    """jieba tokens for search, with the knowledge base's own keywords as dictionary words.

    A private ``jieba.Tokenizer`` keeps those words out of jieba's global dictionary, which
    other code in the process may use.
    """

    def __init__(self, keywords: Iterable[str]) -> None:
        jieba.setLogLevel(logging.WARNING)
        self._jieba = jieba.Tokenizer()
        for keyword in keywords:
            word = keyword.strip().lower()
            if word and " " not in word:
                self._jieba.add_word(word)

    def tokens(self, text: str) -> list[str]:
        return [
            token
            for token in (raw.strip() for raw in self._jieba.lcut_for_search(text.lower()))
            if token and _WORD.search(token) and token not in _STOPWORDS
        ]


def load_knowledge_base(folder: Path) -> KnowledgeBase:
    """Load every article in ``folder``; raise ``KnowledgeBaseError`` naming each broken file.

    All or nothing: a folder with any problem is refused, so the caller keeps its last good
    knowledge base.
    """
    articles, problems = _read_folder(Path(folder))
    if problems:
        raise KnowledgeBaseError(problems)
    return KnowledgeBase(articles)


def check_knowledge_base(
    folder: Path,
    nlu_data: Path | None = None,
    required_ids: Iterable[str] | None = None,
) -> list[KbProblem]:
    """Every problem with the folder, for ``helpdesk kb check``; an empty list means it is fine.

    Besides each article's own front matter, checks that every id in ``required_ids`` has an
    article and, when ``nlu_data`` (a Rasa NLU file or a folder of them) is given, that every
    ``howto_<id>`` intent names an existing article and every article has training examples.
    A required article whose file is present but broken is reported once, for what is broken.
    """
    folder = Path(folder)
    articles, problems = _read_folder(folder)
    known = {article.id for article in articles}
    broken = {problem.path for problem in problems}
    for article_id in required_ids or ():
        if article_id not in known and folder / f"{article_id}.md" not in broken:
            problems.append(KbProblem(folder / f"{article_id}.md", f"missing article for required id {article_id!r}"))
    if nlu_data is not None:
        problems.extend(_check_nlu(Path(nlu_data), articles))
    return problems


def chat_answer(article: Article, lang: str = "zh") -> str:
    """The article fitted to one chat message: title, the key numbered steps, where to read more.

    Steps are the article's numbered lists in order, each under its section heading: the first
    list as far as it fits, later ones only whole (half a procedure misleads), all within
    ``CHAT_ANSWER_LIMIT``. The closing line always tells the reader how to get the full text,
    which keeps the tips, when to report a fault and the contact path.
    """
    footer = say(lang, "article_footer", id=article.id)
    header = f"📖 {article.title_zh}"
    lines = [header]
    if len(header) + len(article.summary) + len(footer) + 8 < CHAT_ANSWER_LIMIT // 2:
        lines.append(article.summary)
    budget = CHAT_ANSWER_LIMIT - len(footer) - 2  # the blank line before the footer
    used = sum(len(line) + 1 for line in lines)
    for number, (heading, steps) in enumerate(_step_sections(article.body)):
        block = ["", *([f"【{heading}】"] if heading else [])]
        cost = sum(len(line) + 1 for line in block)
        section_cost = cost + sum(len(step) + 1 for step in steps)
        if number > 0 and used + section_cost > budget:
            break  # later sections go in whole or not at all: half a procedure misleads
        if used + cost + len(steps[0]) + 1 > budget:
            break
        lines.extend(block)
        used += cost
        fitted = 0
        for step in steps:
            if used + len(step) + 1 > budget:
                break
            lines.append(step)
            used += len(step) + 1
            fitted += 1
        if fitted < len(steps):
            break
    lines.extend(["", footer])
    return "\n".join(lines)


def _step_sections(body: str) -> list[tuple[str, list[str]]]:
    """The numbered lists of a Markdown body, each with the heading of its section."""
    sections: list[tuple[str, list[str]]] = []
    heading = ""
    current: list[str] | None = None
    for raw in body.splitlines():
        line = raw.rstrip()
        heading_match = _HEADING.match(line)
        if heading_match:
            heading = _plain(heading_match.group(2)) if len(heading_match.group(1)) > 1 else ""
            current = None
            continue
        step_match = _STEP_LINE.match(line)
        if step_match:
            if current is None:
                current = []
                sections.append((heading, current))
            current.append(f"{step_match.group(1)}. {_plain(step_match.group(2))}")
    return sections


def _plain(text: str) -> str:
    """Markdown emphasis, code marks and links as plain text: WeCom text messages show them raw."""
    return _MARKUP.sub("", _LINK.sub(r"\1", text)).strip()


def _read_folder(folder: Path) -> tuple[list[Article], list[KbProblem]]:
    if not folder.exists():
        return [], [KbProblem(folder, "knowledge-base folder does not exist")]
    if not folder.is_dir():
        return [], [KbProblem(folder, "not a folder: the knowledge base is a folder of .md files")]
    paths = sorted(path for path in folder.rglob("*.md") if path.is_file() and path.name.lower() not in _IGNORED_FILES)
    if not paths:
        return [], [KbProblem(folder, "no articles: expected <id>.md files with YAML front matter")]
    articles: list[Article] = []
    problems: list[KbProblem] = []
    first_path: dict[str, Path] = {}
    for path in paths:
        article, article_problems = _read_article(path)
        problems.extend(article_problems)
        if article is None:
            continue
        if article.id in first_path:
            problems.append(KbProblem(path, f"duplicate id {article.id!r}, already used by {first_path[article.id]}"))
            continue
        first_path[article.id] = path
        articles.append(article)
    return articles, problems


def _read_article(path: Path) -> tuple[Article | None, list[KbProblem]]:
    """Parse one file; an article is returned only when it has no problems."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return None, [KbProblem(path, f"cannot read the file as UTF-8 text: {error}")]
    parts = _split_front_matter(text.lstrip("\ufeff"))
    if parts is None:
        return None, [
            KbProblem(
                path,
                "no front matter: the file must start with a '---' line, YAML fields, and a closing '---' line",
            )
        ]
    fields, body = parts
    try:
        meta = _FRONT_MATTER.load(fields)
    except yaml.YAMLError as error:
        return None, [KbProblem(path, f"front matter is not valid YAML: {_one_line(error)}")]
    if not isinstance(meta, dict):
        return None, [KbProblem(path, "front matter must be YAML fields (key: value)")]
    problems: list[KbProblem] = []
    for name in REQUIRED_FIELDS:
        if name not in meta or meta[name] in (None, "", []):
            problems.append(KbProblem(path, f"front matter field {name!r} is missing or empty"))
    article_id = _text_field(meta, "id", path, problems)
    if article_id:
        if not _ID_PATTERN.match(article_id):
            problems.append(KbProblem(path, f"id {article_id!r} must be lower-case letters, digits and hyphens"))
        elif article_id != path.stem:
            problems.append(
                KbProblem(
                    path,
                    f"id {article_id!r} does not match the file name {path.name!r} (expected {article_id}.md)",
                )
            )
    title_zh = _text_field(meta, "title_zh", path, problems)
    title_en = _text_field(meta, "title_en", path, problems)
    summary = _text_field(meta, "summary", path, problems)
    summary_en = _text_field(meta, "summary_en", path, problems)
    keywords = _keywords(meta.get("keywords"), path, problems)
    updated = _updated(meta.get("updated"), path, problems)
    body = body.strip()
    if not body:
        problems.append(KbProblem(path, "the article has no body text after the front matter"))
    if problems or updated is None:
        return None, problems
    return Article(
        id=article_id,
        title_zh=title_zh,
        title_en=title_en,
        summary=summary,
        keywords=keywords,
        updated=updated,
        body=body,
        path=path,
        summary_en=summary_en,
    ), []


def _split_front_matter(text: str) -> tuple[str, str] | None:
    """The YAML between the opening and the closing '---' line, and the body after them.

    python-frontmatter's YAML handler splits and loads; its ``loads`` is not used because it reads
    a file without front matter as all body and drops front matter that is not a mapping, and both
    are faults the operator must hear about. ``None`` when either line is missing.
    """
    if not _FRONT_MATTER.detect(text):
        return None
    try:
        return _FRONT_MATTER.split(text)
    except ValueError:  # an opening line and no closing one
        return None


def _text_field(meta: Mapping[str, Any], name: str, path: Path, problems: list[KbProblem]) -> str:
    value = meta.get(name)
    if value is None or value == "":
        return ""
    if not isinstance(value, str):
        problems.append(KbProblem(path, f"front matter field {name!r} must be text, got {type(value).__name__}"))
        return ""
    return value.strip()


def _keywords(value: object, path: Path, problems: list[KbProblem]) -> tuple[str, ...]:
    if value is None or value == []:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str | int | float) for item in value):
        problems.append(
            KbProblem(
                path,
                "front matter field 'keywords' must be a list of words, e.g. [打印机, printer]",
            )
        )
        return ()
    keywords = tuple(str(item).strip() for item in value if str(item).strip())
    if not keywords:
        problems.append(KbProblem(path, "front matter field 'keywords' has only empty entries"))
    return keywords


def _updated(value: object, path: Path, problems: list[KbProblem]) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    problems.append(KbProblem(path, f"front matter field 'updated' must be a date YYYY-MM-DD, got {value!r}"))
    return None


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())


def _check_nlu(nlu_data: Path, articles: list[Article]) -> list[KbProblem]:
    """Cross-check ``howto_<id>`` intents in Rasa NLU YAML against the articles."""
    if not nlu_data.exists():
        return [KbProblem(nlu_data, "NLU data not found")]
    files = (
        [nlu_data]
        if nlu_data.is_file()
        else sorted(path for pattern in ("*.yml", "*.yaml") for path in nlu_data.rglob(pattern) if path.is_file())
    )
    problems: list[KbProblem] = []
    examples: dict[str, int] = {}
    first_file: dict[str, Path] = {}
    for path in files:
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            problems.append(KbProblem(path, f"cannot read NLU data: {_one_line(error)}"))
            continue
        if not isinstance(document, dict) or not isinstance(document.get("nlu"), list):
            continue  # domain, rules or stories files share the folder
        for item in document["nlu"]:
            if not isinstance(item, dict) or not isinstance(item.get("intent"), str):
                continue
            intent = item["intent"].strip()
            if not intent.startswith(HOWTO_INTENT_PREFIX):
                continue
            article_id = intent[len(HOWTO_INTENT_PREFIX) :]
            examples[article_id] = examples.get(article_id, 0) + _count_examples(item.get("examples"))
            first_file.setdefault(article_id, path)
    known = {article.id for article in articles}
    for article_id in sorted(set(examples) - known):
        problems.append(
            KbProblem(
                first_file[article_id],
                f"intent '{HOWTO_INTENT_PREFIX}{article_id}' names article {article_id!r}, which does not exist",
            )
        )
    for article in sorted(articles, key=lambda a: a.id):
        if examples.get(article.id, 0) == 0:
            problems.append(
                KbProblem(
                    article.path,
                    f"no NLU training examples: add intent '{HOWTO_INTENT_PREFIX}{article.id}' "
                    "with examples to the NLU data",
                )
            )
    return problems


def _count_examples(examples: object) -> int:
    """Rasa 3 accepts a block string of '- text' lines or a list of {text: ...} entries."""
    if isinstance(examples, str):
        return sum(1 for line in examples.splitlines() if line.strip().startswith("-") and line.strip()[1:].strip())
    if isinstance(examples, list):
        return sum(
            1
            for entry in examples
            if (isinstance(entry, str) and entry.strip())
            or (isinstance(entry, dict) and isinstance(entry.get("text"), str) and entry["text"].strip())
        )
    return 0
