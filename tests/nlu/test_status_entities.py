"""The entities of status questions, as the real Rasa server with the trained model gives them
(nlu/data/status_*.yml through RegexEntityExtractor and EntitySynonymMapper), and carried by the
client into the triage."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from nlu.client import Entity, parse_result_from_json
from nlu.departments import customer_departments, generate, render, spellings
from nlu.rasa_http import RasaHttpClient
from nlu.server import RasaServer
from nlu.triage import triage, triage_from_parse

ROOT = Path(__file__).resolve().parents[2]


async def _entities(server: RasaServer, text: str) -> tuple[str, set[tuple[str, str, str]]]:
    """The triaged kind and the (entity, value, text as written) Rasa found."""
    async with aiohttp.ClientSession() as http:
        result = await triage(RasaHttpClient(http, server.base_url, 30.0), text)
    return result.kind, {(e.name, e.value, text[e.start : e.end]) for e in result.entities}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#1077 现在谁在处理", {("ticket", "1077", "1077")}),
        ("1077 到哪一步了", {("ticket", "1077", "1077")}),
        ("一零七七号工单到哪一步了", {("ticket", "一零七七", "一零七七")}),
        ("工单一千零七十七现在谁在处理", {("ticket", "一千零七十七", "一千零七十七")}),
        ("本月硬件送修的有几台", {("period", "this_month", "本月"), ("severity", "hardware", "硬件送修")}),
        ("列出财务部所有未关闭的工单", {("department", "财务部", "财务部"), ("state", "open", "未关闭")}),
        ("how many urgent tickets last week", {("period", "last_week", "last week"), ("severity", "urgent", "urgent")}),
        ("上个月的投诉有几个", {("period", "last_month", "上个月"), ("kind", "complaint", "投诉")}),
        ("有哪些工单超时了", {("state", "overdue", "超时")}),
        ("本周一般紧急的工单有几个", {("period", "this_week", "本周"), ("severity", "high", "一般紧急")}),
        ("列出行政部门上周的工单", {("department", "行政部", "行政部门"), ("period", "last_week", "上周")}),
        (
            "2026-11-01到2026-11-15报了多少单",
            {("date", "2026-11-01", "2026-11-01"), ("date", "2026-11-15", "2026-11-15")},
        ),
        ("11月1日到15日一共报了多少单", {("date", "11月1日", "11月1日"), ("date", "15日", "15日")}),
    ],
)
async def test_status_questions_carry_their_entities(
    rasa_server: RasaServer, text: str, expected: set[tuple[str, str, str]]
) -> None:
    kind, found = await _entities(rasa_server, text)
    assert kind == "status"
    assert found == expected


@pytest.mark.parametrize(
    "text",
    [
        "2026年11月1日的工单有多少",  # a date is not a ticket number
        "这个月一共报修了多少次",
        "我的打印机又卡纸了，1500元修的",
    ],
)
async def test_numbers_that_are_not_ticket_numbers_are_not_read_as_one(rasa_server: RasaServer, text: str) -> None:
    _, found = await _entities(rasa_server, text)
    assert not {f for f in found if f[0] == "ticket"}


def test_the_client_reads_rasas_entities_after_the_synonyms() -> None:
    answer = {
        "intent": {"name": "status", "confidence": 0.9},
        "entities": [{"entity": "period", "value": "last_week", "start": 0, "end": 2, "extractor": "x"}],
    }
    parse = parse_result_from_json("上周有几单", answer)
    assert parse.entities == (Entity("period", "last_week", 0, 2),)
    assert parse_result_from_json("你好", {"intent": {"name": "chitchat", "confidence": 0.9}}).entities == ()


# The department lookup, generated from the directory -------------------------------------------


def test_the_department_lookup_is_generated_from_the_shipped_directory() -> None:
    shipped = (ROOT / "nlu" / "data" / "status_departments.yml").read_text(encoding="utf-8")
    assert shipped == generate(ROOT / "config" / "people.yaml")
    check = subprocess.run([sys.executable, "-m", "nlu.departments", "--check"], cwd=ROOT, capture_output=True)
    assert check.returncode == 0, check.stderr


def test_only_the_customers_departments_with_the_ways_they_are_written() -> None:
    people = [
        {"role": "staff", "department": "财务部"},
        {"role": "engineer", "department": "驻场服务"},
        {"role": "manager", "department": "服务公司", "service_company": True},
        {"role": "manager", "department": "行政部"},
        {"role": "staff", "department": "财务部"},
        {"role": "staff", "department": "研发中心"},
    ]
    assert customer_departments(people) == ["财务部", "行政部", "研发中心"]
    assert spellings("财务部") == ["财务部", "财务部门", "财务"]
    assert spellings("研发中心") == ["研发中心", "研发"]
    assert spellings("工部") == ["工部"]  # fewer than two characters left: never shortened
    data = render(["财务部"])
    assert "- lookup: department" in data and "- synonym: 财务部" in data


def test_check_fails_when_the_directory_changed(tmp_path: Path) -> None:
    directory = tmp_path / "people.yaml"
    directory.write_text("people:\n  - {id: a, name: A, role: staff, department: 采购部}\n", encoding="utf-8")
    check = subprocess.run(
        [sys.executable, "-m", "nlu.departments", "--check", str(directory)], cwd=ROOT, capture_output=True, text=True
    )
    assert check.returncode == 1 and "out of date" in check.stderr


def test_the_triage_carries_the_entities_also_when_the_person_picked_the_kind() -> None:
    """After the clarifying question's 查工单进度 the message is triaged again with the kind as a
    hint: the status handler still gets what Rasa found in it."""
    period = Entity("period", "this_week", 0, 2)
    answer = {
        "intent": {"name": "chitchat", "confidence": 0.4},
        "intent_ranking": [{"name": "chitchat", "confidence": 0.4}, {"name": "status", "confidence": 0.3}],
        "entities": [{"entity": "period", "value": "this_week", "start": 0, "end": 2}],
    }
    parse = parse_result_from_json("本周那些", answer)
    assert triage_from_parse(parse, kind_hint="status").entities == (period,)
    assert triage_from_parse(parse).entities == (period,)
