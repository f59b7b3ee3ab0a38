"""The catalogs are complete in both languages, and dates, lists and counts read right for each reader."""

from __future__ import annotations

import ast
import datetime as dt
from string import Formatter
from typing import get_args
from zoneinfo import ZoneInfo

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

import i18n
from config.settings import REPO_ROOT
from handlers.paging.policy import Severity
from i18n.catalog import catalog_file

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_10 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)


def _read(lang: str) -> Catalog:
    with catalog_file(lang).open("rb") as file:
        return read_po(file, locale=lang)


def _messages(lang: str) -> dict[str, tuple[str, ...]]:
    """Every message of a catalog: key → its text (or each plural form's)."""
    out: dict[str, tuple[str, ...]] = {}
    for message in _read(lang):
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple | list) else message.id
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        out[str(key)] = tuple(str(s) for s in strings)
    return out


def _placeholders(texts: tuple[str, ...]) -> set[str]:
    return {field for text in texts for _, field, _, _ in Formatter().parse(text) if field is not None}


ZH, EN = _messages("zh"), _messages("en")


def test_every_key_is_in_both_languages() -> None:
    assert sorted(ZH.keys() - EN.keys()) == [], "keys missing in English"
    assert sorted(EN.keys() - ZH.keys()) == [], "keys missing in Chinese"


def test_no_text_is_left_empty() -> None:
    for lang, messages in (("zh", ZH), ("en", EN)):
        empty = sorted(key for key, texts in messages.items() if not all(texts))
        assert empty == [], f"empty {lang} texts"


def test_both_languages_have_the_same_placeholders() -> None:
    differ = {
        key: (sorted(_placeholders(ZH[key])), sorted(_placeholders(EN[key])))
        for key in ZH.keys() & EN.keys()
        if _placeholders(ZH[key]) != _placeholders(EN[key])
    }
    assert differ == {}


def test_plural_forms_match_each_language() -> None:
    for lang in ("zh", "en"):
        catalog = _read(lang)
        for message in catalog:
            if isinstance(message.id, tuple | list):
                assert isinstance(message.string, tuple | list), (lang, message.id)
                assert len(message.string) == catalog.num_plurals, (lang, message.id)


def _literal_keys(function: str) -> list[tuple[str, str]]:
    """(where, key) for every ``function(lang, "key", ...)`` call with a literal key in the code."""
    found = []
    for folder in ("core", "bot", "channels", "handlers", "i18n", "reports"):
        for path in sorted((REPO_ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id == function
                    and len(node.args) >= 2
                    and isinstance(node.args[1], ast.Constant)
                    and isinstance(node.args[1].value, str)
                ):
                    found.append((f"{path.relative_to(REPO_ROOT)}:{node.lineno}", node.args[1].value))
    return found


def test_every_key_the_code_says_is_in_the_catalog() -> None:
    used = _literal_keys("say") + _literal_keys("plural")
    assert len(used) > 100  # the scan finds the call sites
    assert [(where, key) for where, key in used if key not in ZH] == []


def test_every_severity_has_a_name_and_a_promise_in_both_languages() -> None:
    for severity in get_args(Severity):
        for lang in ("zh", "en"):
            assert i18n.severity_name(lang, severity) and i18n.promise(lang, severity)
    assert i18n.severity_name("en", "urgent") == "urgent" and i18n.severity_name("zh", "urgent") == "紧急故障"


def test_an_unknown_language_reads_chinese_and_an_unknown_key_is_an_error() -> None:
    assert i18n.say("fr", "thanks") == i18n.say("zh", "thanks") == "不客气！还有其他问题随时找我。"
    assert i18n.say(None, "ticket_opened_as_is", number=7).startswith("已按原文为您创建工单 #7")
    with pytest.raises(KeyError):
        i18n.say("zh", "no_such_key")


def test_an_english_reader_sees_an_english_date_and_a_chinese_reader_a_chinese_one() -> None:
    assert i18n.clock_time("zh", MONDAY_10, SHANGHAI) == "11月23日 10:00"
    assert i18n.clock_time("en", MONDAY_10, SHANGHAI) == "Nov 23, 10:00"
    assert i18n.weekday_time("zh", MONDAY_10, SHANGHAI) == "11月23日 周一 10:00"
    assert i18n.weekday_time("en", MONDAY_10, SHANGHAI) == "Mon, Nov 23, 10:00"
    utc_late_evening = dt.datetime(2026, 11, 22, 18, 5, tzinfo=dt.UTC)  # 02:05 the next day in Shanghai
    assert i18n.clock_time("en", utc_late_evening, SHANGHAI) == "Nov 23, 02:05"


def test_a_time_on_the_same_local_day_shows_no_date() -> None:
    later = MONDAY_10 + dt.timedelta(hours=3)
    assert i18n.clock_time("zh", MONDAY_10, SHANGHAI, later) == "10:00"
    assert i18n.clock_time("en", MONDAY_10, SHANGHAI, later) == "10:00"
    assert i18n.clock_time("en", MONDAY_10, SHANGHAI, later + dt.timedelta(days=1)) == "Nov 23, 10:00"


def test_lists_are_joined_for_the_reader() -> None:
    assert i18n.format_list("zh", ["陈工", "刘工", "王工"]) == "陈工、刘工、王工"
    assert i18n.format_list("zh", ["陈工", "刘工"]) == "陈工、刘工"
    assert i18n.format_list("en", ["Chen", "Liu", "Wang"]) == "Chen, Liu, and Wang"
    assert i18n.format_list("en", ["Chen", "Liu"]) == "Chen and Liu"
    assert i18n.format_list("en", ["Chen"]) == "Chen"
    assert i18n.format_list("en", []) == ""


def test_counts_take_the_plural_their_language_needs() -> None:
    assert [i18n.plural("en", "hours", n) for n in (0, 1, 2)] == ["0 hours", "1 hour", "2 hours"]
    assert [i18n.plural("en", "minutes", n) for n in (1, 30)] == ["1 minute", "30 minutes"]
    assert [i18n.plural("en", "days", n) for n in (1, 3)] == ["1 day", "3 days"]
    assert [i18n.plural("zh", "hours", n) for n in (1, 8)] == ["1 小时", "8 小时"]
    assert i18n.say("en", "complaint_followed_up", code="C1", hours=i18n.plural("en", "hours", 1)).endswith(
        "within 1 hour."
    )


def test_amounts_in_yuan() -> None:
    assert i18n.yuan(899900) == "¥8,999" and i18n.yuan(1250, "en") == "¥12.50"
    assert i18n.yuan(None, "en") == "not given" and i18n.yuan(None) == "未说明"
